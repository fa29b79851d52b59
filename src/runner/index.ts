/** Facts about the runner, gathered once before planning. */
import * as exec from '@actions/exec'
import * as io from '@actions/io'
import * as os from 'node:os'
import * as path from 'node:path'
import type { Inputs } from '../inputs/index.js'
import { ActionError } from '../catalog/errors.js'
import type { RunnerFacts } from './types.js'
import { findPreinstalled } from './preinstalled.js'

/** The runner cannot run the action at all. */
export class RunnerError extends ActionError {}

export async function probeRunner(inputs: Inputs, env = process.env): Promise<RunnerFacts> {
  if (process.platform !== 'linux')
    throw new RunnerError(
      `runs-on: cpython-wasm-action runs on Linux runners; this one is ${process.platform}`
    )
  const arch = os.arch() === 'arm64' ? 'arm64' : 'x64'
  const guess = await exec.getExecOutput('sh', [path.join(inputs.source, 'config.guess')], {
    silent: true
  })
  return {
    os: 'Linux',
    arch,
    cores: os.availableParallelism(),
    toolCacheDir: env.RUNNER_TOOL_CACHE || path.join(os.tmpdir(), 'tool-cache'),
    tempDir: env.RUNNER_TEMP || os.tmpdir(),
    nodePath: process.execPath,
    nodeVersion: process.version,
    hostPython: 'python3',
    buildTriple: guess.stdout.trim(),
    eventName: env.GITHUB_EVENT_NAME || '',
    // a pull request's head branch, else the pushed branch or tag
    ref: env.GITHUB_HEAD_REF || env.GITHUB_REF_NAME || env.GITHUB_REF || '',
    runId: env.GITHUB_RUN_ID
      ? `${env.GITHUB_RUN_ID}-${env.GITHUB_RUN_ATTEMPT || '1'}`
      : `local-${Date.now()}`,
    emCache: env.EM_CACHE || '',
    ccache: await io.which('ccache', false),
    preinstalled: findPreinstalled(inputs, env)
  }
}
