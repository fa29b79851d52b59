/**
 * Installs (or adopts) the toolchains the plan names and returns the
 * environment each one gives to the commands that use it.
 */
import * as core from '@actions/core'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { emscriptenCacheDir, emscriptenPortsDir } from '../plan/paths.js'
import type { Plan, ToolchainPlan, ToolEnv } from '../plan/types.js'
import type { RunnerFacts } from '../runner/types.js'
import { ToolchainError } from '../catalog/errors.js'
import type { InstallContext, ToolInstaller } from './installers/base.js'
import { EmsdkInstaller } from './installers/emsdk.js'
import { WasiSdkInstaller } from './installers/wasi-sdk.js'
import { WasmtimeInstaller } from './installers/wasmtime.js'
import { emscriptenDir } from '../runner/preinstalled.js'
import type { ToolName } from '../catalog/downloads.js'
import { settleSums } from './sums.js'
import { seedEmscriptenPorts } from './ports.js'

export { ToolchainError } from '../catalog/errors.js'

export interface ToolchainEnv {
  /** prepended to PATH */
  path: string[]
  vars: Record<string, string>
}

export type Environments = Partial<Record<ToolEnv | 'wasmtime', ToolchainEnv>>

/**
 * A distribution's Emscripten ships a config that freezes its cache
 * (FROZEN_CACHE = True); the build needs a writable cache, so we use a copy.
 */
export function emscriptenConfig(emDir: string, workDir: string): string | undefined {
  const candidates = [process.env.EM_CONFIG, path.join(emDir, '.emscripten')].filter(
    Boolean
  ) as string[]
  const config = candidates.find(c => fs.existsSync(c))
  if (!config) return undefined
  const text = fs.readFileSync(config, 'utf8')
  if (!/^\s*FROZEN_CACHE\s*=\s*True/m.test(text)) return config
  const copy = path.join(workDir, 'emscripten-config.py')
  fs.mkdirSync(workDir, { recursive: true })
  fs.writeFileSync(copy, text.replace(/^(\s*FROZEN_CACHE\s*=\s*)True/m, '$1False'))
  core.info(
    `${config} freezes the Emscripten cache; using a copy with FROZEN_CACHE = False: ${copy}`
  )
  return copy
}

/** The environment of a toolchain found on the machine (emsdk-path, EMSDK, emcc on PATH, WASI SDK). */
function preinstalledEnvironment(t: ToolchainPlan, workDir: string): ToolchainEnv {
  switch (t.tool) {
    case 'emsdk': {
      const emDir = emscriptenDir(t.dir)
      if (!emDir)
        throw new ToolchainError(`${t.dir} holds no Emscripten (no emscripten-version.txt)`)
      const vars: Record<string, string> = {}
      const config = emscriptenConfig(emDir, workDir)
      if (config) vars.EM_CONFIG = config
      if (fs.existsSync(path.join(t.dir, 'emsdk'))) vars.EMSDK = t.dir
      return { path: [emDir], vars }
    }
    case 'wasi-sdk':
      return { path: [], vars: { WASI_SDK_PATH: t.dir } }
    case 'wasmtime':
      return { path: [t.dir], vars: {} }
  }
}

function installerFor(t: ToolchainPlan, context: InstallContext): ToolInstaller {
  switch (t.tool) {
    case 'emsdk':
      return new EmsdkInstaller(t, context)
    case 'wasi-sdk':
      return new WasiSdkInstaller(t, context)
    case 'wasmtime':
      return new WasmtimeInstaller(t, context)
  }
}

/**
 * Emscripten's ports for the build, from the mirror when one is set and
 * checked by the action; with no table entry for this Emscripten, Emscripten
 * fetches them itself (checking its own sha512) from their upstream hosts.
 */
async function seedPorts(t: ToolchainPlan, plan: Plan, token: string): Promise<void> {
  if (!plan.steps.some(s => s.toolEnv === 'emscripten')) return
  if (!t.ports) {
    core.info(
      `The action knows no port archives for Emscripten ${t.version}: Emscripten downloads zlib, bzip2 and sqlite3 itself ` +
        '(checking their sha512) from their upstream hosts, not through the mirror input.'
    )
    return
  }
  const ports = t.ports
  await core.group(`Emscripten ports: ${ports.downloads.map(p => p.name).join(', ')}`, () =>
    seedEmscriptenPorts(ports, token)
  )
}

export interface InstalledToolchains {
  envs: Environments
  /** toolchains installed with something unverified (verify: warn): nothing of the run may be cached */
  unverified: ToolName[]
}

/**
 * Settles every download's sum first (failing with verify: strict before
 * anything is installed when one has none), then installs what the plan
 * downloads (through the tool cache) and adopts what it found installed.
 * Downloaded toolchains are also exported to the job's later steps (PATH,
 * WASI_SDK_PATH, EMSDK and the rest of emsdk's environment).
 */
export async function installToolchains(
  plan: Plan,
  runner: RunnerFacts,
  workDir: string,
  verify: 'strict' | 'warn',
  token: string = core.getInput('github-token')
): Promise<InstalledToolchains> {
  // tc.find and tc.cacheDir read the tool cache from the environment; keep it the plan's
  process.env.RUNNER_TOOL_CACHE ??= runner.toolCacheDir
  fs.mkdirSync(workDir, { recursive: true })
  const unverified = await core.group('Checksums of the downloads', () =>
    settleSums(plan.toolchains, verify, token)
  )
  const envs: Environments = {}
  for (const t of plan.toolchains) {
    let env: ToolchainEnv
    if (t.source === 'preinstalled') {
      env = await core.group(`${t.tool} ${t.version}: installed`, async () => {
        core.info(`Using the ${t.tool} found by ${t.versionFrom}`)
        return preinstalledEnvironment(t, workDir)
      })
    } else {
      const installer = installerFor(t, {
        arch: runner.arch,
        workDir,
        token,
        unverified: unverified.has(t.tool)
      })
      const dir = await installer.install()
      if (!unverified.has(t.tool) && path.resolve(dir) !== path.resolve(t.dir))
        core.warning(`${t.tool} ${t.version} is installed at ${dir}, not at ${t.dir} as planned`)
      env = await installer.environment(dir)
    }
    if (t.tool === 'emsdk') {
      env.vars.EM_CACHE = emscriptenCacheDir(runner)
      env.vars.EM_PORTS = emscriptenPortsDir(runner)
      await seedPorts(t, plan, token)
    }
    envs[t.tool === 'emsdk' ? 'emscripten' : t.tool] = env
  }
  return { envs, unverified: [...unverified] }
}
