/** Facts about the runner, gathered once before planning. */
import * as exec from '@actions/exec'
import * as io from '@actions/io'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import type { CheckoutFacts } from '../checkout/detect.js'
import { pinsFor } from '../catalog/pins.js'
import type { Inputs } from '../inputs/index.js'
import { ActionError } from '../catalog/errors.js'
import type { RunnerFacts } from './types.js'
import { findPreinstalled } from './preinstalled.js'

/** The runner cannot run the action at all. */
export class RunnerError extends ActionError {}

/**
 * The CPU the toolchains are for: RUNNER_ARCH as the runner names it (X64,
 * ARM64, X86, ARM; docs.github.com "Variables reference"), so a plan job can
 * plan for another runner's matrix, else the CPU this runs on. Only x64 and
 * arm64 Linux builds of the toolchains exist; anything else would be handed
 * x86_64 binaries, so it is refused.
 */
export function runnerArch(
  env: NodeJS.ProcessEnv = process.env,
  cpu: string = os.arch()
): 'x64' | 'arm64' {
  const arch = env.RUNNER_ARCH ? env.RUNNER_ARCH.toLowerCase() : cpu
  if (arch === 'x64' || arch === 'arm64') return arch
  throw new RunnerError(
    `runs-on: the toolchains exist for x64 and arm64 Linux runners; this one is ${env.RUNNER_ARCH || cpu}`
  )
}

/**
 * The GNU triple of the machine that builds, as the checkout's config.guess
 * prints it on Linux: x86_64-pc-linux-<libc>, aarch64-unknown-linux-<libc>
 * (config.guess's x86_64:Linux and aarch64:Linux cases; libc gnu or musl).
 * Worked out here rather than by running config.guess, which is the
 * checkout's code: a dry run promises to run none of it, and a real build
 * needs no more than this, since configure canonicalizes --build through
 * config.sub itself. One way for both keeps a dry run's plan the real one's.
 */
export function buildTriple(
  arch: 'x64' | 'arm64',
  glibc = Boolean(
    (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)
      ?.header?.glibcVersionRuntime
  )
): string {
  const libc = glibc ? 'gnu' : 'musl'
  return arch === 'arm64' ? `aarch64-unknown-linux-${libc}` : `x86_64-pc-linux-${libc}`
}

/** Names a branch's scripts may want, newest first; `python3` last, whatever it is. */
const PYTHON_NAMES = [16, 15, 14, 13, 12, 11].map(minor => `python3.${minor}`).concat('python3')

/**
 * The Pythons on PATH that run (a pyenv shim for a version that is not
 * installed fails, and is left out), once per interpreter, newest first.
 */
export async function findHostPythons(env = process.env): Promise<RunnerFacts['hostPythons']> {
  const found: RunnerFacts['hostPythons'] = []
  const seen = new Set<string>()
  for (const name of PYTHON_NAMES) {
    for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
      const file = path.join(dir, name)
      if (!fs.existsSync(file)) continue
      const run = await exec.getExecOutput(
        file,
        [
          // isolated: -c would import a sysconfig.py from the working directory
          // (the checkout, with source: .) before the standard library's
          '-I',
          '-c',
          'import sys, sysconfig; print("%d.%d %s" % (*sys.version_info[:2], sys.executable)); ' +
            'print(sysconfig.get_config_var("BUILD_GNU_TYPE") or "")'
        ],
        { silent: true, ignoreReturnCode: true, env: env as Record<string, string> }
      )
      const [first = '', buildType = ''] = run.stdout.trim().split('\n')
      const m = /^(\d+\.\d+) (.*)$/.exec(first)
      if (run.exitCode === 0 && m && !seen.has(m[2])) {
        seen.add(m[2])
        found.push({ path: file, version: m[1], ...(buildType ? { buildType } : {}) })
      }
      break // the first on PATH is the one a command by that name runs
    }
  }
  return found.sort((a, b) => Number(b.version.split('.')[1]) - Number(a.version.split('.')[1]))
}

export async function probeRunner(
  inputs: Inputs,
  facts?: Pick<CheckoutFacts, 'pins' | 'version'>,
  env = process.env
): Promise<RunnerFacts> {
  if (process.platform !== 'linux')
    throw new RunnerError(
      `runs-on: cpython-wasm-action runs on Linux runners; this one is ${process.platform}`
    )
  const arch = runnerArch(env)
  return {
    os: 'Linux',
    arch,
    cores: os.availableParallelism(),
    toolCacheDir: env.RUNNER_TOOL_CACHE || path.join(os.tmpdir(), 'tool-cache'),
    tempDir: env.RUNNER_TEMP || os.tmpdir(),
    nodePath: process.execPath,
    nodeVersion: process.version,
    hostPython: 'python3',
    hostPythons: await findHostPythons(env),
    buildTriple: buildTriple(arch),
    eventName: env.GITHUB_EVENT_NAME || '',
    // a pull request's head branch, else the pushed branch or tag
    ref: env.GITHUB_HEAD_REF || env.GITHUB_REF_NAME || env.GITHUB_REF || '',
    baseRef: env.GITHUB_BASE_REF || '',
    runId: env.GITHUB_RUN_ID
      ? `${env.GITHUB_RUN_ID}-${env.GITHUB_RUN_ATTEMPT || '1'}`
      : `local-${Date.now()}`,
    emCache: env.EM_CACHE || '',
    ccache: await io.which('ccache', false),
    preinstalled: findPreinstalled(
      inputs,
      env,
      facts &&
        String(
          facts.pins.wasiSdk?.version ??
            pinsFor(facts.version.major, facts.version.minor)?.wasiSdk ??
            ''
        )
    )
  }
}
