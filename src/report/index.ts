/** The report stage: the job summary and the one place a failure becomes the step's error. */
import * as core from '@actions/core'
import { ActionError } from '../catalog/errors.js'
import type { Plan } from '../plan/types.js'
import { messageOf, type RunRecord } from './record.js'
import { summaryMarkdown } from './summary.js'

export { setPlanOutputs, setRunOutputs } from './outputs.js'
export { planText } from './plan-text.js'
export { addMatcher, removeMatcher } from './matcher.js'
export { RunRecord } from './record.js'
export { writeStepSummary } from './summary.js'
export { terminalText } from './terminal.js'

/** Writes the job summary; a summary that cannot be written is a warning, never the failure. */
export async function writeReport(
  plan: Plan,
  upload: boolean,
  record: RunRecord,
  write: (markdown: string) => Promise<void>
): Promise<void> {
  try {
    await write(
      summaryMarkdown({
        plan,
        timings: record.timings,
        cacheHits: record.hits,
        ccache: record.ccache,
        artifacts: record.uploaded.length > 0 ? record.uploaded : undefined,
        uploadSkipped: !upload,
        smoke: record.smoke,
        suite: record.suite,
        failure: record.failure,
        logsArtifact: record.logs
      })
    )
  } catch (error) {
    core.warning(`Could not write the job summary: ${messageOf(error)}`)
  }
}

/**
 * Fails the step. An ActionError's message says everything (input, plan, step
 * and toolchain errors name what failed themselves); anything else is a bug and
 * keeps its stack, prefixed with the phase it broke in once the build started.
 */
export function reportFailure(error: unknown, record: RunRecord, started: boolean): void {
  const message = messageOf(error)
  record.failure ??= { step: started ? 'Build' : 'Inputs and plan', message }
  if (error instanceof ActionError) return core.setFailed(message)
  const detail = error instanceof Error ? (error.stack ?? message) : message
  core.setFailed(started ? `${record.failure.step} failed: ${detail}` : detail)
}
