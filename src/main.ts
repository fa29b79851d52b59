/** The action's main step: inputs, plan, toolchains, build, smoke tests, artifacts, report. */
import * as core from '@actions/core'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { collectArtifact } from './build/collect.js'
import { runSteps, StepError, type StepTiming } from './build/executor.js'
import { runSmokeTest, type SmokeResult } from './build/smoke.js'
import { WASI_RUNNER_SOURCE } from './build/wasi-runner.js'
import { CheckoutError, inspectCheckout } from './checkout/detect.js'
import { InputError, loadInputs } from './inputs/index.js'
import { makePlan, PlanError, workDir, type Plan } from './plan/index.js'
import { wasiRunnerScript } from './plan/smoke.js'
import { planText } from './report/plan-text.js'
import { probeRunner } from './runner.js'
import { State } from './state.js'
import { installToolchains, ToolchainError } from './toolchains/index.js'

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

export async function run(): Promise<void> {
  core.saveState(State.IsPost, 'true')
  try {
    const inputs = loadInputs()
    const facts = inspectCheckout(inputs.source)
    const runner = await probeRunner(inputs)
    const plan = makePlan(inputs, facts, runner)
    setPlanOutputs(plan)
    for (const w of plan.warnings) core.warning(w)

    if (inputs.dryRun) {
      core.info(planText(plan))
      core.info('\nDry run: nothing was installed or built.')
      return
    }

    const work = workDir(runner)
    fs.mkdirSync(work, { recursive: true })
    fs.writeFileSync(wasiRunnerScript(work), WASI_RUNNER_SOURCE)
    core.startGroup('Plan')
    core.info(planText(plan))
    core.endGroup()

    const envs = await installToolchains(plan, runner, work)
    // For tests of the installers: stop once the toolchains are in place.
    if (process.env.CPYTHON_WASM_STOP_AFTER === 'toolchains') {
      core.info('CPYTHON_WASM_STOP_AFTER=toolchains: stopping before the build')
      return
    }
    const timings: StepTiming[] = await runSteps(plan.steps, envs, () => false)

    for (const artifact of plan.artifacts) {
      collectArtifact(artifact, facts)
      core.setOutput(`${artifact.target}-dir`, artifact.dir)
    }

    const smoke: SmokeResult[] = []
    for (const test of plan.smoke) {
      const result = await core.group(`Smoke test: ${test.target} (${test.runner})`, () =>
        runSmokeTest(test)
      )
      smoke.push(result)
    }
    core.setOutput(
      'smoke-results',
      JSON.stringify(
        Object.fromEntries(
          plan.artifacts.map(a => {
            const r = smoke.find(s => s.target === a.target)
            return [a.target, r ? (r.passed ? 'passed' : 'failed') : 'skipped']
          })
        )
      )
    )
    void timings
    const failed = smoke.filter(s => !s.passed)
    if (failed.length > 0)
      throw new Error(
        `Smoke test failed:\n${failed.map(f => `  ${f.target} (${f.runner}): ${f.problems.join('; ')}`).join('\n')}`
      )
  } catch (error) {
    if (
      error instanceof InputError ||
      error instanceof PlanError ||
      error instanceof CheckoutError ||
      error instanceof StepError ||
      error instanceof ToolchainError
    )
      core.setFailed(error.message)
    else core.setFailed(error instanceof Error ? (error.stack ?? error.message) : String(error))
  }
}

void path
