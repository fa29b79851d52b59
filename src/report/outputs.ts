/** Every output of the action, set in one place from the plan and the run record. */
import * as core from '@actions/core'
import { artifactOutputs } from '../artifacts/index.js'
import type { Plan } from '../plan/types.js'
import type { RunRecord } from './record.js'
import { suitePassed } from '../smoke/suite.js'

/** The plan's outputs: known before anything runs, so a dry run sets them too. */
export function setPlanOutputs(plan: Plan): void {
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

/** What the run did, as far as it got. */
export function setRunOutputs(plan: Plan, record: RunRecord): void {
  const reached = record.completed
  if (reached.has('cache-restore'))
    core.setOutput('cache-hits', JSON.stringify(Object.fromEntries(record.hits)))
  if (plan.ccache.length > 0 && reached.has('build'))
    core.setOutput('ccache-stats', JSON.stringify(Object.fromEntries(record.ccache)))
  if (reached.has('collect'))
    for (const artifact of plan.artifacts) core.setOutput(`${artifact.target}-dir`, artifact.dir)
  if (record.screenshot) core.setOutput('browser-screenshot', record.screenshot)
  if (reached.has('smoke'))
    core.setOutput(
      'smoke-results',
      JSON.stringify(
        Object.fromEntries(
          plan.artifacts.map(a => {
            const r = record.smoke.find(s => s.target === a.target)
            return [a.target, !r || r.skipped ? 'skipped' : r.passed ? 'passed' : 'failed']
          })
        )
      )
    )
  if (record.suite.length > 0)
    core.setOutput(
      'test-results',
      JSON.stringify(
        Object.fromEntries(
          record.suite.map(r => [
            r.target,
            {
              passed: suitePassed(r),
              run: r.run,
              failed: r.failed,
              skipped: r.skipped,
              seconds: Math.round(r.seconds * 10) / 10,
              failedModules: r.failedModules,
              ...(r.junit ? { junit: r.junit } : {}),
              ...(r.problem ? { problem: r.problem } : {})
            }
          ])
        )
      )
    )
  if (record.uploaded.length > 0)
    for (const [name, value] of Object.entries(artifactOutputs(record.uploaded)))
      core.setOutput(name, value)
}
