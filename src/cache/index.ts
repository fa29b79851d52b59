/**
 * Restores the plan's caches in the main step and saves them in the post
 * step, through a store (store.ts: GitHub's cache service for the action, a
 * folder for the command). A cache never fails a job: an unavailable
 * service, a service error, a reserve conflict or a corrupt archive each
 * become one warning and the build goes on (a failed restore is a miss).
 *
 * The store's own complaints are replaced by one warning of ours that names
 * the entry, and a failure of the service itself stops further calls (each
 * failing call to GitHub's costs about 25 s of retries).
 */
import * as core from '@actions/core'
import * as exec from '@actions/exec'
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { CachePlan, CommandStep, Plan } from '../plan/types.js'
import { buildEnvironment } from '../catalog/secrets.js'
import { State } from '../catalog/state.js'
import { BUILD_PYTHON, BUILD_RESULT, ccacheId } from './keys.js'
import { actionsCacheStore, isServiceFailure, type CacheStore } from './store.js'
import {
  frozenOutput,
  frozenSources,
  listSources,
  recordTree,
  regenerateFrozen,
  reviveTrees,
  type RevivedTree,
  type SourceListing
} from './build-tree.js'
import { buildOutputDirs } from './fingerprint.js'

export * from './keys.js'
export { fingerprint } from './fingerprint.js'
export { actionsCacheStore, type CacheStore } from './store.js'
export { DirectoryStore } from './directory-store.js'

export type CacheHit = 'exact' | 'partial' | 'miss'

/** An entry the post step may save, as the main step hands it over. */
export interface PendingSave {
  id: string
  title: string
  key: string
  paths: string[]
  /** what the restore found */
  hit: CacheHit
}

export type SaveMode = 'auto' | 'always' | 'never'

/**
 * `auto` saves only on events whose run builds the repository's own code,
 * started by someone with write access, into the scope of the ref it ran for
 * (docs.github.com, "Events that trigger workflows": GITHUB_REF of each event;
 * "Dependency caching reference", restrictions for accessing a cache):
 * - push, create: the pushed or created branch or tag;
 * - schedule: the default branch's latest commit;
 * - workflow_dispatch: the ref the person who started it chose;
 * - release: the release's tag.
 * Every other event restores only. pull_request and merge_group caches are
 * scoped to the pull request's merge ref or a temporary gh-readonly-queue ref
 * that nothing else reads, and only take space from the default branch's
 * entries. pull_request_target, workflow_run, issue_comment and
 * repository_dispatch run in the default branch's scope but usually build what
 * the event points at (a fork's pull request, another run's output, the code
 * a comment or a dispatch payload names): saving that would poison the caches
 * every branch restores (the pull_request_target warning in "Events that
 * trigger workflows"; GitHub now gives low-trust events a read-only cache by
 * default: github.blog changelog 2026-09-10, "Control GitHub Actions cache
 * access with cache-mode").
 * An event not named here is not trusted, so new events restore only too.
 */
const AUTO_SAVE_EVENTS = ['push', 'create', 'schedule', 'workflow_dispatch', 'release']

export function saveDecision(
  mode: SaveMode,
  eventName: string,
  privateStore = false
): { save: boolean; why: string } {
  if (mode === 'never') return { save: false, why: 'cache-save is never' }
  if (mode === 'always') return { save: true, why: 'cache-save is always' }
  if (privateStore)
    return { save: true, why: "cache-save is auto and the store is this machine's own" }
  if (!AUTO_SAVE_EVENTS.includes(eventName))
    return {
      save: false,
      why:
        `cache-save is auto and the event is ${eventName || 'unknown'}, which only restores; ` +
        `auto saves on ${AUTO_SAVE_EVENTS.join(', ')} (set cache-save: always to save anyway)`
    }
  return { save: true, why: `cache-save is auto on a ${eventName} event` }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

/** Checks a restored build Python runs; a broken one is worse than none. */
export async function pythonRuns(python: string): Promise<boolean> {
  try {
    const code = await exec.exec(python, ['-c', 'import sys'], {
      // a build of the checkout: it runs without the job's credentials
      env: buildEnvironment(process.env),
      silent: true,
      ignoreReturnCode: true
    })
    return code === 0
  } catch {
    return false
  }
}

/** The checks an exact hit must pass before it is trusted. */
export function verifiers(plan: Plan): Record<string, () => Promise<boolean>> {
  return { [BUILD_PYTHON]: () => pythonRuns(plan.buildPython) }
}

export interface RestoreOptions {
  /** checks run after an exact hit; false turns the hit into a miss (the paths are deleted) */
  verify?: Record<string, () => Promise<boolean>>
  /** entries not to restore, decided from what was restored before them (left as misses) */
  skip?: (id: string, hits: ReadonlyMap<string, CacheHit>) => boolean
  /** where the entries are (GitHub's cache service by default) */
  store?: CacheStore
}

function removePaths(paths: string[]): void {
  for (const p of paths) fs.rmSync(p, { recursive: true, force: true })
}

/**
 * Restores each entry: exact (the key), partial (a restore key) or miss.
 * Never throws for a cache problem.
 */
export async function restoreCaches(
  caches: CachePlan[],
  options: RestoreOptions = {}
): Promise<Map<string, CacheHit>> {
  const hits = new Map<string, CacheHit>(caches.map(c => [c.id, 'miss']))
  if (caches.length === 0) return hits
  const store = options.store ?? actionsCacheStore
  const unavailable = store.unavailable()
  if (unavailable) {
    core.warning(`${unavailable}; building without caches.`)
    return hits
  }
  let serviceDown: string | undefined
  for (const entry of caches) {
    if (options.skip?.(entry.id, hits)) continue
    if (serviceDown) {
      core.info(`Cache ${entry.id}: not restored, the cache service failed`)
      continue
    }
    const started = Date.now()
    const existed = entry.paths.filter(p => fs.existsSync(p))
    let outcome: Awaited<ReturnType<CacheStore['restore']>>
    try {
      outcome = await core.group(`Restore cache: ${entry.title}`, () =>
        store.restore(entry.paths, entry.key, entry.restoreKeys)
      )
    } catch (e) {
      core.warning(`Cache ${entry.id}: not restored: ${errorText(e)}`)
      continue
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1)
    const matched = outcome.matched
    if (!matched) {
      const failed = outcome.problems
      if (failed.length > 0) {
        // a download or extraction that failed half way leaves no half-restored folders
        removePaths(entry.paths.filter(p => !existed.includes(p)))
        const message = failed.join('; ')
        if (isServiceFailure(message)) serviceDown = message
        core.warning(
          `Cache ${entry.id}: restore failed, building it instead (${message})` +
            (serviceDown ? '; not restoring the other caches' : '')
        )
      } else core.info(`Cache ${entry.id}: miss (${entry.key}) in ${seconds} s`)
      continue
    }
    const hit: CacheHit = matched === entry.key ? 'exact' : 'partial'
    const check = options.verify?.[entry.id]
    if (hit === 'exact' && check && !(await check())) {
      removePaths(entry.paths)
      core.warning(
        `Cache ${entry.id}: the restored ${entry.title} does not work; deleted it and building it instead`
      )
      continue
    }
    hits.set(entry.id, hit)
    core.info(`Cache ${entry.id}: ${hit} hit (${matched}) in ${seconds} s`)
  }
  return hits
}

/**
 * Whether every step that produces the entry will be skipped for an exact hit
 * of an entry restored before it (the build Python's config.cache and ccache
 * once the build Python itself came back, a target's once its build tree
 * did): nothing would read it.
 */
function producersSkipped(
  entry: CachePlan,
  steps: CommandStep[],
  caches: CachePlan[],
  hits: ReadonlyMap<string, CacheHit>
): boolean {
  // an exact build tree skips its configure and make (reviveBuildTrees)
  const inExactTree = (id: string): boolean =>
    caches.some(
      c =>
        hits.get(c.id) === 'exact' &&
        (c.tree?.configureSteps.includes(id) || c.tree?.buildSteps.includes(id))
    )
  return (
    entry.producedBy.length > 0 &&
    entry.producedBy.every(id => {
      const step = steps.find(s => s.id === id)
      return (
        (step?.skipIfCached !== undefined && hits.get(step.skipIfCached) === 'exact') ||
        inExactTree(id)
      )
    })
  )
}

/** The restored build tree an entry's paths lie in (a config.cache comes back with its tree). */
function insideRestoredTree(
  entry: CachePlan,
  caches: CachePlan[],
  hits: ReadonlyMap<string, CacheHit>
): string | undefined {
  const inside = (p: string, dir: string): boolean => p.startsWith(dir + path.sep)
  return caches.find(
    c =>
      c.tree &&
      c.id !== entry.id &&
      (hits.get(c.id) === 'exact' || hits.get(c.id) === 'partial') &&
      entry.paths.every(p => inside(p, (c.tree as { dir: string }).dir))
  )?.id
}

/**
 * Restores the finished build first: on an exact hit nothing will be built,
 * so of the other entries only those `alsoWithResult` names are restored (what
 * the smoke tests need, e.g. wasmtime). The others count as misses; their
 * producing steps do not run, so they are not saved either. Likewise an entry
 * whose producing steps an earlier exact hit skips is not restored.
 */
export async function restoreCachesFor(
  caches: CachePlan[],
  alsoWithResult: string[],
  options: RestoreOptions & { steps: CommandStep[] }
): Promise<Map<string, CacheHit>> {
  const ordered = [
    ...caches.filter(c => c.id === BUILD_RESULT),
    ...caches.filter(c => c.id !== BUILD_RESULT)
  ]
  let announced = false
  return restoreCaches(ordered, {
    ...options,
    skip: (id, hits) => {
      if (id === BUILD_RESULT) return false
      if (hits.get(BUILD_RESULT) !== 'exact') {
        const entry = ordered.find(c => c.id === id) as CachePlan
        const skipped = producersSkipped(entry, options.steps, ordered, hits)
        if (skipped) core.info(`Cache ${id}: not restored, the steps that use it are skipped`)
        const tree = insideRestoredTree(entry, ordered, hits)
        if (!skipped && tree)
          core.info(`Cache ${id}: not restored, it came back with the ${tree} entry`)
        return skipped || tree !== undefined
      }
      if (!announced)
        core.info('The finished build was restored from the cache: nothing is configured or made.')
      announced = true
      return !alsoWithResult.includes(id)
    }
  })
}

/**
 * The entries the post step saves: not exact hits, every step that produces
 * them succeeded (a failed or skipped producer never saves), and not inside
 * a restored build tree (the tree is saved with them).
 */
export function entriesToSave(
  caches: CachePlan[],
  hits: ReadonlyMap<string, CacheHit>,
  succeeded: ReadonlySet<string>
): PendingSave[] {
  return (
    caches
      .filter(c => hits.get(c.id) !== 'exact')
      .filter(c => c.producedBy.every(id => succeeded.has(id)))
      // a restored tree's config.cache is saved with the tree, not again on its own
      .filter(c => insideRestoredTree(c, caches, hits) === undefined)
      .map(c => ({
        id: c.id,
        title: c.title,
        key: c.key,
        paths: c.paths,
        hit: hits.get(c.id) ?? 'miss'
      }))
  )
}

/**
 * Hands the entries to save to the post step (State.CachesToSave), or an
 * empty list when cache-save says not to save on this event.
 */
export function recordCachesToSave(
  caches: CachePlan[],
  hits: ReadonlyMap<string, CacheHit>,
  succeeded: ReadonlySet<string>,
  decision: { save: boolean; why: string },
  unchanged: ReadonlyMap<string, string> = new Map()
): PendingSave[] {
  const pending = decision.save
    ? entriesToSave(caches, hits, succeeded).filter(e => {
        const why = unchanged.get(e.id)
        if (why) core.info(`Cache ${e.id}: not saved again, ${why}`)
        return !why
      })
    : []
  if (caches.length > 0 && !decision.save) core.info(`Caches will not be saved: ${decision.why}`)
  core.saveState(State.CachesToSave, JSON.stringify(pending))
  return pending
}

/**
 * Decides, once the build is over (whether it succeeded or not), which entries
 * the post step saves: the plan's entries that missed, whose producing steps
 * all succeeded, on an event whose caches may be saved, except ccache entries
 * whose every compile was a hit on the restored entry (nothing new to keep).
 */
export function handOverSaves(
  caches: CachePlan[],
  hits: ReadonlyMap<string, CacheHit>,
  succeeded: ReadonlySet<string>,
  rule: { mode: SaveMode; eventName: string; privateStore?: boolean },
  ccacheMisses: ReadonlyMap<string, number> = new Map()
): PendingSave[] {
  const unchanged = new Map<string, string>()
  for (const [part, misses] of ccacheMisses)
    if (misses === 0 && hits.get(ccacheId(part)) !== 'miss')
      unchanged.set(ccacheId(part), 'every compile was a hit on the restored entry')
  return recordCachesToSave(
    caches,
    hits,
    succeeded,
    saveDecision(rule.mode, rule.eventName, rule.privateStore),
    unchanged
  )
}

/** What the restored build trees let the build skip, and the sources they are recorded with. */
export interface BuildTrees {
  /** step id → why it is skipped */
  skip: Map<string, string>
  /** the checkout's source files, listed once before the build */
  sources: SourceListing
  /** the partial hits, by entry id */
  revived: Map<string, RevivedTree>
  /** frozenOutput of the build Python for a build folder's frozen modules, run once per list */
  frozenOutput: (dir: string) => Promise<string>
}

/**
 * Brings the restored build trees to the point where make rebuilds only what
 * changed (build-tree.ts), and says which steps they make unneeded: an
 * exact hit's configure and make, a partial hit's configure when the tree
 * was configured alike. A tree without its record is deleted and counts as
 * a miss. Lists the checkout's sources for recordBuildTrees.
 */
export function reviveBuildTrees(plan: Plan, hits: Map<string, CacheHit>): BuildTrees {
  const trees = plan.caches.filter(c => c.tree)
  const skip = new Map<string, string>()
  const revivedById = new Map<string, RevivedTree>()
  const frozen = frozenOutputs(plan)
  if (trees.length === 0)
    return { skip, sources: new Map(), revived: revivedById, frozenOutput: frozen }
  const sources = listSources(plan.source, buildOutputDirs(plan))
  for (const entry of trees.filter(c => hits.get(c.id) === 'exact')) {
    const tree = entry.tree as NonNullable<CachePlan['tree']>
    for (const id of [...tree.configureSteps, ...tree.buildSteps])
      skip.set(id, `restored from the cache (${entry.id})`)
  }
  const partial = trees.filter(c => hits.get(c.id) === 'partial')
  const revived = reviveTrees(
    partial.map(c => c.tree as NonNullable<CachePlan['tree']>),
    plan.source,
    sources
  )
  for (const entry of partial) {
    const tree = entry.tree as NonNullable<CachePlan['tree']>
    const state = revived.get(tree.dir)
    if (!state) {
      fs.rmSync(tree.dir, { recursive: true, force: true })
      hits.set(entry.id, 'miss')
      core.info(`Cache ${entry.id}: the restored tree has no record of its sources; building anew`)
      continue
    }
    revivedById.set(entry.id, state)
    core.info(
      `Cache ${entry.id}: ${state.changed} source file${state.changed === 1 ? '' : 's'} changed since the restored tree was built` +
        (state.newBuildPython
          ? ', and the build Python: what it generated is checked once it is built'
          : '') +
        (state.configuredAlike
          ? '; configured alike, so configure is skipped'
          : '; configure runs again')
    )
    if (state.configuredAlike)
      for (const id of tree.configureSteps)
        skip.set(id, `the restored build tree (${entry.id}) was configured alike`)
  }
  return { skip, sources, revived: revivedById, frozenOutput: frozen }
}

/**
 * frozenOutput for each list of frozen sources, computed once per list
 * (when first asked: after the build Python is built).
 */
function frozenOutputs(plan: Plan): (dir: string) => Promise<string> {
  const done = new Map<string, Promise<string>>()
  return dir => {
    const files = frozenSources(dir)
    if (!files) return Promise.resolve('')
    const key = files.join('\0')
    if (!done.has(key))
      done.set(
        key,
        frozenOutput(plan.buildPython, plan.source, files).then(h => h ?? '')
      )
    return done.get(key) as Promise<string>
  }
}

/**
 * Once the build Python is built, before a target's tree is made: when it
 * is another build Python than the one that built a restored tree, and it
 * compiles the frozen modules' sources to other bytes (or either is not
 * known), the frozen modules and deepfreeze are regenerated.
 */
export async function checkFrozenModules(plan: Plan, trees: BuildTrees): Promise<void> {
  const checked = plan.caches.filter(
    c => c.tree && c.tree.buildPython !== '' && trees.revived.get(c.id)?.newBuildPython
  )
  if (checked.length === 0) return
  const differs: string[] = []
  for (const entry of checked) {
    const now = await trees.frozenOutput((entry.tree as NonNullable<CachePlan['tree']>).dir)
    const then = trees.revived.get(entry.id)?.frozen ?? ''
    if (now === '' || now !== then) differs.push(entry.id)
  }
  if (differs.length > 0) {
    regenerateFrozen(plan.source, trees.sources)
    core.info(
      `The new build Python compiles the frozen modules otherwise than the one that built ${differs.join(', ')} (or it cannot tell): they are regenerated`
    )
  } else
    core.info(
      `The new build Python compiles the frozen modules to the same code as the one that built ${checked.map(c => c.id).join(', ')}: they are kept`
    )
}

/**
 * Records the sources in each build tree that this run built, and for a
 * target's tree what the build Python made of the frozen modules, before
 * the post step saves it.
 */
export async function recordBuildTrees(
  plan: Plan,
  trees: BuildTrees,
  succeeded: ReadonlySet<string>
): Promise<void> {
  for (const entry of plan.caches) {
    const tree = entry.tree
    if (!tree || !tree.buildSteps.every(id => succeeded.has(id)) || !fs.existsSync(tree.dir))
      continue
    try {
      recordTree(
        tree,
        trees.sources,
        tree.buildPython === '' ? '' : await trees.frozenOutput(tree.dir)
      )
    } catch (e) {
      core.warning(`Cache ${entry.id}: could not record the tree's sources (${errorText(e)})`)
    }
  }
}

export type SaveOutcome = 'saved' | 'exists' | 'failed' | 'skipped'

/** Saves each entry; never throws for a cache problem. */
export async function saveCaches(
  entries: PendingSave[],
  sizes = new Map<string, number>(),
  store: CacheStore = actionsCacheStore
): Promise<Map<string, SaveOutcome>> {
  const outcomes = new Map<string, SaveOutcome>()
  if (entries.length === 0) return outcomes
  const unavailable = store.unavailable()
  if (unavailable) {
    // the main step has warned already
    core.info(`${unavailable}; no cache is saved.`)
    for (const e of entries) outcomes.set(e.id, 'skipped')
    return outcomes
  }
  let serviceDown: string | undefined
  for (const entry of entries) {
    if (serviceDown) {
      core.info(`Cache ${entry.id}: not saved, the cache service failed`)
      outcomes.set(entry.id, 'failed')
      continue
    }
    const paths = entry.paths.filter(p => fs.existsSync(p))
    if (paths.length === 0) {
      core.info(`Cache ${entry.id}: nothing to save (${entry.paths.join(', ')} does not exist)`)
      outcomes.set(entry.id, 'skipped')
      continue
    }
    const started = Date.now()
    let saved: Awaited<ReturnType<CacheStore['save']>>
    let size = 0
    try {
      size = sizeOf(paths)
      sizes.set(entry.id, size)
      // the paths as planned: they are part of the entry's version
      saved = await core.group(`Save cache: ${entry.title}`, () =>
        store.save(entry.paths, entry.key)
      )
    } catch (e) {
      core.warning(`Cache ${entry.id}: not saved: ${errorText(e)}`)
      outcomes.set(entry.id, 'failed')
      continue
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1)
    if (saved.outcome === 'saved')
      core.info(
        `Cache ${entry.id}: saved as ${entry.key} (${(size / 1e6).toFixed(1)} MB before compression) in ${seconds} s`
      )
    else if (saved.outcome === 'skipped') {
      if (saved.message) core.info(`Cache ${entry.id}: not saved, ${saved.message}`)
    } else if (saved.outcome === 'exists')
      core.warning(`Cache ${entry.id}: not saved, ${saved.message ?? `${entry.key} exists`}`)
    else {
      if (isServiceFailure(saved.message)) serviceDown = saved.message
      core.warning(
        `Cache ${entry.id}: not saved (${saved.message})` +
          (serviceDown ? '; not saving the other caches' : '')
      )
    }
    outcomes.set(entry.id, saved.outcome)
  }
  return outcomes
}

/** Bytes in the files under the paths (links not followed), for the cache budget. */
export function sizeOf(paths: string[]): number {
  let total = 0
  const walk = (p: string): void => {
    const st = fs.lstatSync(p, { throwIfNoEntry: false })
    if (!st) return
    if (st.isDirectory()) for (const name of fs.readdirSync(p)) walk(path.join(p, name))
    else total += st.size
  }
  for (const p of paths) walk(p)
  return total
}

/**
 * The post step: saves what the main step handed over, and adds the saved
 * entries' sizes to the job summary (a repository has 10 GB of cache).
 */
export async function saveCachesFromState(): Promise<Map<string, SaveOutcome>> {
  const text = core.getState(State.CachesToSave)
  if (!text) return new Map()
  let entries: PendingSave[]
  try {
    entries = JSON.parse(text) as PendingSave[]
  } catch {
    core.warning('Caches: the main step left an unreadable list of caches to save')
    return new Map()
  }
  const sizes = new Map<string, number>()
  const outcomes = await saveCaches(entries, sizes)
  const saved = entries.filter(e => outcomes.get(e.id) === 'saved')
  if (saved.length > 0)
    await core.summary
      .addRaw(savedCachesMarkdown(saved, sizes))
      .write()
      .catch((e: unknown) =>
        core.info(`Could not add the saved caches to the job summary: ${errorText(e)}`)
      )
  return outcomes
}

/** The job summary's table of the entries a run saved, for the post step and the command. */
export function savedCachesMarkdown(
  saved: PendingSave[],
  sizes: ReadonlyMap<string, number>
): string {
  const rows = saved.map(
    e => `| ${e.id} | ${((sizes.get(e.id) ?? 0) / 1e6).toFixed(1)} MB | ${e.key} |`
  )
  return `\n### Caches saved\n\n| entry | size (before compression) | key |\n| --- | --- | --- |\n${rows.join('\n')}\n`
}
