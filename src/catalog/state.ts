/** What the main step hands to the post step (GITHUB_STATE / STATE_*). */
export enum State {
  IsPost = 'isPost',
  /** JSON list of cache entries to save: the ones that missed and whose producers succeeded */
  CachesToSave = 'cachesToSave'
}
