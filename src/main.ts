/**
 * The action's main step: inputs, plan, toolchains, caches, build, collect,
 * smoke tests, artifacts, report. The post step saves the caches (post.ts).
 */
import * as core from '@actions/core'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { writeBrowserBundle } from './artifacts/browser.js'
import {
  artifactOutputs,
  uploadArtifacts,
  uploadLogs,
  type UploadedArtifact
} from './artifacts/index.js'
import { runBrowserSmokeTest } from './build/browser-smoke.js'
import { readStats, zeroStats, type CompilerCacheStats } from './build/ccache.js'
import { collectArtifact, CollectError } from './build/collect.js'
import { runSteps, StepError, type StepTiming } from './build/executor.js'
import { runSmokeTest } from './build/smoke.js'
import { WASI_RUNNER_SOURCE } from './build/wasi-runner.js'
import {
  ccacheId,
  fingerprint,
  planCaches,
  recordCachesToSave,
  restoreCaches,
  saveDecision,
  toolchainStepId,
  verifiers,
  type CacheHit
} from './cache/index.js'
import { CheckoutError, inspectCheckout, type CheckoutFacts } from './checkout/detect.js'
import { InputError, loadInputs, type Inputs } from './inputs/index.js'
import { makePlan, PlanError, workDir, type Plan, type RunnerFacts } from './plan/index.js'
import { wasiRunnerScript } from './plan/smoke.js'
import { addMatcher, removeMatcher } from './report/matcher.js'
import { planText } from './report/plan-text.js'
import { writeSummary, type SummarySmoke } from './report/summary.js'
import { probeRunner } from './runner.js'
import { State } from './state.js'
import { installToolchains, ToolchainError } from './toolchains/index.js'

/** A built interpreter that did not run as expected; the message carries what it printed. */
class SmokeTestError extends Error {}

/** Errors whose message says everything; anything else is reported with its stack. */
const EXPECTED_ERRORS = [
  InputError,
  PlanError,
  CheckoutError,
  StepError,
  ToolchainError,
  SmokeTestError,
  CollectError
]

function setPlanOutputs(plan: Plan): void {
  core.setOutput('python-version', plan.python.text)
  core.setOutput(
    'recipe',
    JSON.stringify(Object.fromEntries(plan.targets.map(t => [t.target, t.recipe])))
  )
  core.setOutput('plan', JSON.stringify(plan))
  core.setOutput('build-python', plan.buildPython)
  core.setOutput('artifacts-dir', plan.artifactsDir)
  const version = (tool: string): string =>
    plan.toolchains.find(t => t.tool === tool)?.version ?? ''
  core.setOutput('emsdk-version', version('emsdk'))
  core.setOutput('wasi-sdk-version', version('wasi-sdk'))
  core.setOutput('wasmtime-version', version('wasmtime'))
  core.setOutput(
    'artifact-names',
    JSON.stringify(Object.fromEntries(plan.artifacts.map(a => [a.target, a.name])))
  )
}

/** What a run did, for the outputs and the job summary, whether it failed or not. */
class Run {
  timings: StepTiming[] = []
  hits = new Map<string, CacheHit>()
  ccache = new Map<string, CompilerCacheStats>()
  smoke: SummarySmoke[] = []
  uploaded: UploadedArtifact[] = []
  failure?: { step: string; message: string }

  /** Times a phase of the action itself (not a build command) for the summary. */
  async phase<T>(id: string, title: string, work: () => Promise<T>): Promise<T> {
    const started = Date.now()
    try {
      const result = await work()
      this.timings.push({ id, title, seconds: (Date.now() - started) / 1000, outcome: 'ran' })
      return result
    } catch (error) {
      this.timings.push({ id, title, seconds: (Date.now() - started) / 1000, outcome: 'failed' })
      this.failure ??= {
        step: title,
        message: error instanceof Error ? error.message : String(error)
      }
      throw error
    }
  }
}

/** Everything a run works from, settled before anything is installed or built. */
interface Job {
  inputs: Inputs
  facts: CheckoutFacts
  runner: RunnerFacts
  plan: Plan
  /** the action's own folder for this job (logs, runner scripts, artifacts) */
  work: string
}

async function build({ inputs, facts, runner, plan, work }: Job, run: Run): Promise<void> {
  fs.writeFileSync(wasiRunnerScript(work), WASI_RUNNER_SOURCE)

  run.hits = await run.phase('cache-restore', 'Restore caches', () =>
    restoreCaches(plan.caches, { verify: verifiers(plan) })
  )
  core.setOutput('cache-hits', JSON.stringify(Object.fromEntries(run.hits)))

  const succeeded = new Set<string>()
  try {
    const envs = await run.phase('toolchains', 'Install toolchains', () =>
      installToolchains(plan, runner, work)
    )
    for (const t of plan.toolchains)
      if (t.source === 'download') succeeded.add(toolchainStepId(t.tool))
    // For tests of the installers: stop once the toolchains are in place.
    if (process.env.CPYTHON_WASM_STOP_AFTER === 'toolchains') {
      core.info('CPYTHON_WASM_STOP_AFTER=toolchains: stopping before the build')
      return
    }
    if (plan.ccache.length > 0) await zeroStats(runner.ccache, plan.ccache)
    addMatcher(work)
    try {
      const timings = await runSteps(plan.steps, envs, id => run.hits.get(id) === 'exact')
      run.timings.push(...timings)
    } catch (error) {
      run.timings.push(...((error as { timings?: StepTiming[] }).timings ?? []))
      if (error instanceof StepError)
        run.failure = { step: error.step.title, message: error.message }
      throw error
    } finally {
      removeMatcher()
    }
  } finally {
    for (const t of run.timings) if (t.outcome === 'ran') succeeded.add(t.id)
    const unchanged = new Map<string, string>()
    if (plan.ccache.length > 0) {
      run.ccache = await readStats(runner.ccache, plan.ccache)
      core.setOutput('ccache-stats', JSON.stringify(Object.fromEntries(run.ccache)))
      // a build served wholly from the restored ccache adds nothing worth uploading
      for (const [part, stats] of run.ccache)
        if (stats.misses === 0 && run.hits.get(ccacheId(part)) !== 'miss')
          unchanged.set(ccacheId(part), 'every compile was a hit on the restored entry')
    }
    recordCachesToSave(
      plan.caches,
      run.hits,
      succeeded,
      saveDecision(inputs.cacheSave, runner.eventName),
      unchanged
    )
  }

  await run.phase('collect', 'Collect the builds', async () => {
    for (const artifact of plan.artifacts) {
      collectArtifact(artifact, facts)
      if (artifact.target === 'emscripten-browser' && artifact.recipe === 'manual')
        writeBrowserBundle(artifact.dir)
      core.setOutput(`${artifact.target}-dir`, artifact.dir)
    }
  })

  for (const test of plan.smoke) {
    await run.phase(`smoke-${test.target}`, `Smoke test ${test.target}`, async () => {
      const result = await core.group(`Smoke test: ${test.target} (${test.runner})`, () =>
        test.runner === 'browser'
          ? runBrowserSmokeTest(test, {
              screenshot: path.join(work, 'screenshots', `${test.target}.png`)
            })
          : runSmokeTest(test)
      )
      run.smoke.push(result)
      if ('screenshot' in result && result.screenshot)
        core.setOutput('browser-screenshot', result.screenshot)
      if ('skipped' in result && result.skipped)
        core.warning(`Smoke test ${test.target} skipped: ${result.skipped}`)
      else if (!result.passed)
        throw new SmokeTestError(
          `Smoke test ${test.target} (${test.runner}) failed: ${result.problems.join('; ')}\n` +
            `Last lines of its output:\n${result.output.trim().split('\n').slice(-20).join('\n')}`
        )
    })
  }
  core.setOutput(
    'smoke-results',
    JSON.stringify(
      Object.fromEntries(
        plan.artifacts.map(a => {
          const r = run.smoke.find(s => s.target === a.target)
          return [a.target, !r || r.skipped ? 'skipped' : r.passed ? 'passed' : 'failed']
        })
      )
    )
  )

  if (inputs.upload && plan.artifacts.length > 0) {
    run.uploaded = await run.phase('upload', 'Upload artifacts', () =>
      uploadArtifacts(plan, inputs)
    )
    for (const [name, value] of Object.entries(artifactOutputs(run.uploaded)))
      core.setOutput(name, value)
  }
}

export async function run(): Promise<void> {
  core.saveState(State.IsPost, 'true')
  const state = new Run()
  let job: Job | undefined
  try {
    const inputs = loadInputs()
    const facts = inspectCheckout(inputs.source)
    const runner = await probeRunner(inputs)
    const plan = makePlan(inputs, facts, runner)
    if (inputs.cache) plan.caches = planCaches(plan, runner, await fingerprint(plan))
    setPlanOutputs(plan)
    if (inputs.dryRun) {
      core.info(planText(plan))
      core.info('\nDry run: nothing was installed or built.')
      return
    }

    job = { inputs, facts, runner, plan, work: workDir(runner) }
    fs.mkdirSync(job.work, { recursive: true })
    core.startGroup('Plan')
    core.info(planText(plan))
    core.endGroup()
    await build(job, state)
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    state.failure ??= { step: job ? 'Build' : 'Inputs and plan', message }
    // A failed check can be diagnosed from its logs without running it again.
    const logs =
      job?.inputs.upload && job.plan.steps.length > 0
        ? await uploadLogs(job.plan, job.inputs, path.join(job.work, 'logs-artifact'))
        : undefined
    if (job) await report(job, state, logs)
    const known = EXPECTED_ERRORS.some(kind => error instanceof kind)
    const detail = known || !(error instanceof Error) ? message : (error.stack ?? message)
    // Input, plan and step errors name what failed themselves; other failures get the phase's name.
    core.setFailed(known || !job ? detail : `${state.failure.step} failed: ${detail}`)
    return
  }
  if (job) await report(job, state)
}

async function report(
  job: Job,
  run: Run,
  logs?: { name: string; id?: number; error?: string }
): Promise<void> {
  try {
    await writeSummary({
      plan: job.plan,
      timings: run.timings,
      cacheHits: run.hits,
      ccache: run.ccache,
      artifacts: run.uploaded.length > 0 ? run.uploaded : undefined,
      uploadSkipped: !job.inputs.upload,
      smoke: run.smoke,
      failure: run.failure,
      logsArtifact: logs
    })
  } catch (error) {
    core.warning(
      `Could not write the job summary: ${error instanceof Error ? error.message : String(error)}`
    )
  }
}
