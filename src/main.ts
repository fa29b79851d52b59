/**
 * The action's main step composes the stages in the order data flows:
 * inputs → checkout → runner → plan → toolchains → cache → execute → smoke →
 * artifacts → report. Each stage returns a typed result; this file decides
 * nothing itself. The post step saves the caches (post.ts).
 *
 * Where inputs come from, where cache entries live, how the artifacts are
 * delivered and where the summary goes are backends: the runner's (the
 * action, actionBackends) or the developer machine's (the command, cli/).
 */
import * as core from '@actions/core'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { writeBrowserBundle } from './artifacts/browser-bundle.js'
import { collectArtifact } from './artifacts/collect.js'
import { uploadArtifacts, uploadLogs, type UploadedArtifact } from './artifacts/index.js'
import {
  actionsCacheStore,
  BUILD_RESULT,
  type CacheStore,
  type PendingSave,
  fingerprint,
  handOverSaves,
  planCaches,
  recordBuildTrees,
  restoreCachesFor,
  reviveBuildTrees,
  toolchainCacheId,
  toolchainStepId,
  verifiers
} from './cache/index.js'
import { State } from './catalog/state.js'
import { inspectCheckout, type CheckoutFacts } from './checkout/detect.js'
import { readStats, zeroStats } from './execute/ccache-stats.js'
import { StepError, type StepTiming } from './execute/executor.js'
import { runStepsOnTrees } from './execute/trees.js'
import { writeWasiRunner } from './execute/wasi-runner.js'
import { actionInputs, loadInputs, type InputSource, type Inputs } from './inputs/index.js'
import { makePlan, workDir, type Plan } from './plan/index.js'
import {
  addMatcher,
  planText,
  removeMatcher,
  reportFailure,
  RunRecord,
  setPlanOutputs,
  setRunOutputs,
  writeReport,
  writeStepSummary
} from './report/index.js'
import { probeRunner } from './runner/index.js'
import type { RunnerFacts } from './runner/types.js'
import { runBrowserSmokeTest } from './smoke/browser.js'
import { runSmokeTest, SmokeTestError } from './smoke/run.js'
import { annotateFailures, runSuite, SuiteFailedError, suitePassed } from './smoke/suite.js'
import { installToolchains } from './toolchains/index.js'

export interface Backends {
  inputs: InputSource
  /** the folder relative input paths start from ('' for the runner's GITHUB_WORKSPACE) */
  workspace?: string
  cache: CacheStore
  /** delivers the collected, smoke-tested artifacts (with upload: true) */
  deliver: (plan: Plan, inputs: Inputs) => Promise<UploadedArtifact[]>
  /** the delivery's name in the summary's steps */
  deliverTitle: string
  /** keeps the logs of a failed build, and the test suite's files (with upload: true) */
  keepLogs: (
    plan: Plan,
    inputs: Inputs,
    work: string,
    extra: string[]
  ) => Promise<RunRecord['logs']>
  /** shows the job summary (markdown) */
  summary: (markdown: string) => Promise<void>
  /** print each build step's output as it comes (the runner's log groups), not only into its log */
  echoSteps: boolean
}

/** The runner's: INPUT_* variables, GitHub's cache and artifact services, the step summary. */
export const actionBackends: Backends = {
  inputs: actionInputs,
  cache: actionsCacheStore,
  deliver: uploadArtifacts,
  deliverTitle: 'Upload artifacts',
  keepLogs: (plan, inputs, work, extra) =>
    uploadLogs(plan, inputs, path.join(work, 'logs-artifact'), extra),
  summary: writeStepSummary,
  echoSteps: true
}

/** Everything a run works from, settled before anything is installed or built. */
export interface Job {
  inputs: Inputs
  facts: CheckoutFacts
  runner: RunnerFacts
  plan: Plan
  /** the action's own folder for this job (logs, runner scripts, artifacts) */
  work: string
}

/** inputs → checkout → runner → plan (and the cache keys, which need the tree's fingerprint). */
async function prepare(backends: Backends): Promise<Job> {
  const inputs = loadInputs(backends.inputs, backends.workspace || undefined)
  const facts = inspectCheckout(inputs.source)
  const runner = await probeRunner(inputs, facts)
  const plan = makePlan(inputs, facts, runner)
  if (inputs.cache) plan.caches = planCaches(plan, runner, await fingerprint(plan))
  return { inputs, facts, runner, plan, work: workDir(runner) }
}

/** The finished build came back from the cache: nothing is installed for it or built. */
const reusesResult = (record: RunRecord): boolean => record.hits.get(BUILD_RESULT) === 'exact'

/** cache → toolchains → execute. */
async function build(
  { inputs, runner, plan, work }: Job,
  record: RunRecord,
  { cache: store, echoSteps }: Backends
): Promise<void> {
  writeWasiRunner(work)
  // on a finished-build hit the smoke tests still need their runner (wasmtime)
  const forSmoke = plan.toolchains.filter(
    t => t.tool === 'wasmtime' && plan.smoke.some(s => s.runner === 'wasmtime')
  )
  const { hits, trees } = await record.phase('cache-restore', 'Restore caches', async () => {
    const restored = await restoreCachesFor(
      plan.caches,
      forSmoke.map(t => toolchainCacheId(t.tool)),
      { verify: verifiers(plan), store, steps: plan.steps }
    )
    // make rebuilds from a restored build tree only what the checkout changed
    const revived =
      restored.get(BUILD_RESULT) === 'exact' ? undefined : reviveBuildTrees(plan, restored)
    return { hits: restored, trees: revived }
  })
  record.hits = hits
  record.completed.add('cache-restore')
  const reuse = reusesResult(record)
  const toolchains = reuse ? { ...plan, toolchains: forSmoke } : plan
  try {
    const { envs, unverified } = await record.phase('toolchains', 'Install toolchains', () =>
      installToolchains(toolchains, runner, work, inputs.verify)
    )
    record.installed = toolchains.toolchains
      .filter(t => t.source === 'download' && !unverified.includes(t.tool))
      .map(t => t.tool)
    record.unverified = unverified
    if (reuse) {
      for (const s of plan.steps)
        record.timings.push({ id: s.id, title: s.title, seconds: 0, outcome: 'skipped' })
      return
    }
    if (plan.ccache.length > 0) await zeroStats(runner.ccache, plan.ccache)
    addMatcher(work)
    try {
      record.timings.push(
        ...(await runStepsOnTrees(plan, envs, record.hits, trees, { echo: echoSteps }))
      )
    } catch (error) {
      record.timings.push(...((error as { timings?: StepTiming[] }).timings ?? []))
      if (error instanceof StepError)
        record.failure = { step: error.step.title, message: error.message }
      throw error
    } finally {
      removeMatcher()
      // the trees whose build succeeded (the build Python's, when a target failed) are saved
      if (trees)
        await recordBuildTrees(
          plan,
          trees,
          new Set(record.timings.filter(t => t.outcome === 'ran').map(t => t.id))
        )
    }
  } finally {
    if (plan.ccache.length > 0 && !reuse)
      record.ccache = await readStats(runner.ccache, plan.ccache)
    record.completed.add('build')
  }
}

/**
 * Hands the cache entries worth saving to the post step, whatever happened:
 * those whose producing steps (toolchain installs, build steps, the
 * collection and the smoke tests that passed) all succeeded.
 */
function handOver(
  { inputs, runner, plan }: Job,
  record: RunRecord,
  store: CacheStore
): PendingSave[] {
  // what an unverified toolchain built is no better than it: nothing is cached (verify: warn)
  if (record.unverified.length > 0) {
    core.warning(
      `No cache is saved: ${record.unverified.join(', ')} ${record.unverified.length === 1 ? 'was' : 'were'} installed with unverified downloads (verify: warn).`
    )
    return []
  }
  const succeeded = new Set<string>(record.installed.map(toolchainStepId))
  for (const t of record.timings) if (t.outcome === 'ran') succeeded.add(t.id)
  // a smoke test that could not run (no browser) proved nothing
  for (const r of record.smoke) if (r.skipped) succeeded.delete(`smoke-${r.target}`)
  return handOverSaves(
    plan.caches,
    record.hits,
    succeeded,
    { mode: inputs.cacheSave, eventName: runner.eventName, privateStore: store.private },
    new Map([...record.ccache].map(([part, stats]) => [part, stats.misses]))
  )
}

/** artifacts (collect) → smoke → artifacts (upload). */
async function deliver(
  { inputs, facts, plan, work }: Job,
  record: RunRecord,
  backends: Backends
): Promise<void> {
  await record.phase('collect', 'Collect the builds', async () => {
    if (reusesResult(record)) return core.info('The builds came from the cache, collected.')
    for (const artifact of plan.artifacts) {
      collectArtifact(artifact, facts)
      if (artifact.target === 'emscripten-browser') writeBrowserBundle(artifact.dir)
    }
  })
  record.completed.add('collect')

  for (const test of plan.smoke) {
    await record.phase(`smoke-${test.target}`, `Smoke test ${test.target}`, async () => {
      const result = await core.group(`Smoke test: ${test.target} (${test.runner})`, () =>
        test.runner === 'browser'
          ? runBrowserSmokeTest(test, {
              screenshot: path.join(work, 'screenshots', `${test.target}.png`)
            })
          : runSmokeTest(test)
      )
      record.smoke.push(result)
      if ('screenshot' in result && typeof result.screenshot === 'string')
        record.screenshot = result.screenshot
      if ('skipped' in result && result.skipped)
        core.warning(`Smoke test ${test.target} skipped: ${result.skipped}`)
      else if (!result.passed) throw new SmokeTestError(test, result)
    })
  }
  record.completed.add('smoke')

  for (const suite of plan.suite)
    await record.phase(`suite-${suite.target}`, `Test suite ${suite.target}`, async () => {
      const result = await core.group(
        `CPython's test suite: ${suite.target} (${suite.runner})`,
        () => runSuite(suite)
      )
      record.suite.push(result)
      annotateFailures(result, inputs.testFailures === 'fail')
    })

  if (inputs.upload && plan.artifacts.length > 0)
    record.uploaded = await record.phase('upload', backends.deliverTitle, () =>
      backends.deliver(plan, inputs)
    )
  // the JUnit files and the suite's output travel in the logs artifact
  if (inputs.upload && plan.suite.length > 0)
    record.logs = await backends.keepLogs(plan, inputs, work, suiteFiles(plan))
  if (inputs.testFailures === 'fail' && record.suite.some(r => !suitePassed(r)))
    throw new SuiteFailedError(record.suite)
}

const suiteFiles = (plan: Plan): string[] => plan.suite.flatMap(s => [s.junitLog, s.log])

/** What a run leaves to its caller: the job (once planned), its record, the entries to save. */
export interface RunResult {
  job?: Job
  record: RunRecord
  /** the cache entries the post step (or the command, at its end) saves */
  toSave: PendingSave[]
}

export async function run(backends: Backends = actionBackends): Promise<RunResult> {
  core.saveState(State.IsPost, 'true')
  const record = new RunRecord()
  let job: Job | undefined
  let toSave: PendingSave[] = []
  try {
    const prepared = await prepare(backends)
    setPlanOutputs(prepared.plan)
    if (prepared.inputs.dryRun) {
      core.info(planText(prepared.plan))
      core.info('\nDry run: nothing was installed or built.')
      return { job, record, toSave }
    }
    job = prepared
    fs.mkdirSync(job.work, { recursive: true })
    core.startGroup('Plan')
    core.info(planText(job.plan))
    core.endGroup()
    await build(job, record, backends)
    await deliver(job, record, backends)
  } catch (error) {
    // A failed check can be diagnosed from its logs without running it again.
    if (job?.inputs.upload && job.plan.steps.length > 0 && !record.logs)
      record.logs = await backends.keepLogs(job.plan, job.inputs, job.work, suiteFiles(job.plan))
    reportFailure(error, record, job !== undefined)
  } finally {
    if (job) {
      if (record.completed.has('cache-restore')) toSave = handOver(job, record, backends.cache)
      setRunOutputs(job.plan, record)
      await writeReport(job.plan, job.inputs.upload, record, backends.summary)
    }
  }
  return { job, record, toSave }
}
