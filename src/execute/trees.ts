/**
 * Runs the plan's steps on restored build trees, with one way back: a
 * configure or make that fails in a tree restored from another source tree
 * (a partial hit) may have failed on what the other tree left, which a cold
 * build would not meet. That tree is then emptied (but for its config.cache)
 * and its steps, and every step after them, run again, once; a failure then
 * is the build's own. A pull request's compile error pays for this with a
 * make on ccache's hits up to the broken file.
 */
import * as core from '@actions/core'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { checkFrozenModules, type CacheHit, type BuildTrees } from '../cache/index.js'
import type { CachePlan, CommandStep, Plan } from '../plan/types.js'
import type { Environments } from '../toolchains/index.js'
import { runSteps, StepError, type StepOutput, type StepTiming } from './executor.js'

/** The partial build tree a failed step belongs to, if any. */
function restoredTreeOf(
  plan: Plan,
  stepId: string,
  hits: ReadonlyMap<string, CacheHit>
): CachePlan | undefined {
  return plan.caches.find(
    c =>
      c.tree &&
      hits.get(c.id) === 'partial' &&
      (c.tree.configureSteps.includes(stepId) || c.tree.buildSteps.includes(stepId))
  )
}

/**
 * Empties a build folder but for its config.cache: configure's answers hold
 * for the same command and compiler, and a rebuild after a pull request's
 * compile error costs a make on ccache's hits, not a configure from nothing.
 */
function fromScratch(dir: string): void {
  const cache = path.join(dir, 'config.cache')
  const kept = fs.existsSync(cache) ? fs.readFileSync(cache) : undefined
  fs.rmSync(dir, { recursive: true, force: true })
  if (kept) {
    fs.mkdirSync(dir, { recursive: true })
    fs.writeFileSync(cache, kept)
  }
}

export async function runStepsOnTrees(
  plan: Plan,
  envs: Environments,
  hits: ReadonlyMap<string, CacheHit>,
  trees: BuildTrees | undefined,
  output: StepOutput
): Promise<StepTiming[]> {
  const cached = (id: string): boolean => hits.get(id) === 'exact'
  // the frozen modules are checked once the build Python is built, before a target's tree is made
  const targetSteps = new Set(
    plan.caches
      .filter(c => c.tree && c.tree.buildPython !== '')
      .flatMap(c => [...(c.tree?.configureSteps ?? []), ...(c.tree?.buildSteps ?? [])])
  )
  let frozenChecked = false
  const before = async (step: CommandStep): Promise<void> => {
    if (frozenChecked || !trees || !targetSteps.has(step.id)) return
    frozenChecked = true
    await checkFrozenModules(plan, trees)
  }
  const options = { ...output, skip: trees?.skip, before }
  try {
    return await runSteps(plan.steps, envs, cached, options)
  } catch (error) {
    const done = (error as { timings?: StepTiming[] }).timings ?? []
    const entry = error instanceof StepError ? restoredTreeOf(plan, error.step.id, hits) : undefined
    if (!trees || !entry?.tree) throw error
    const tree = entry.tree
    core.warning(
      `"${(error as StepError).step.title}" failed in the build folder restored from another version of the sources (cache ${entry.id}); emptying the folder (config.cache kept) and building it again`
    )
    // (still a partial hit: what is in its folder is saved with it, nothing else)
    fromScratch(tree.dir)
    const ids = [...tree.configureSteps, ...tree.buildSteps]
    for (const id of ids) trees.skip.delete(id)
    const from = plan.steps.findIndex(s => ids.includes(s.id))
    const before = new Set(plan.steps.slice(0, from).map(s => s.id))
    const kept = done.filter(t => before.has(t.id))
    try {
      return [...kept, ...(await runSteps(plan.steps.slice(from), envs, cached, options))]
    } catch (again) {
      const timings = (again as { timings?: StepTiming[] }).timings ?? []
      ;(again as { timings?: StepTiming[] }).timings = [...kept, ...timings]
      throw again
    }
  }
}
