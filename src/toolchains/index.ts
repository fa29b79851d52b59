/**
 * Installs (or adopts) the toolchains the plan names and returns the
 * environment each one gives to the commands that use it.
 */
import * as core from '@actions/core'
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { Plan, RunnerFacts, ToolchainPlan, ToolEnv } from '../plan/types.js'
import { emscriptenDir } from './preinstalled.js'

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

export function emscriptenCacheDir(runner: RunnerFacts): string {
  return process.env.EM_CACHE || path.join(runner.tempDir, 'cpython-wasm', 'emscripten-cache')
}

function environmentOf(t: ToolchainPlan, runner: RunnerFacts, workDir: string): ToolchainEnv {
  switch (t.tool) {
    case 'emsdk': {
      const emDir = emscriptenDir(t.dir)
      if (!emDir) throw new Error(`${t.dir} holds no Emscripten (no emscripten-version.txt)`)
      const vars: Record<string, string> = { EM_CACHE: emscriptenCacheDir(runner) }
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

export async function installToolchains(
  plan: Plan,
  runner: RunnerFacts,
  workDir: string
): Promise<Environments> {
  const envs: Environments = {}
  for (const t of plan.toolchains) {
    await core.group(`Toolchain: ${t.tool} ${t.version}`, async () => {
      if (t.source === 'download')
        throw new Error(`${t.tool}: downloading toolchains is not implemented yet`)
      core.info(`Using the ${t.tool} ${t.version} found by ${t.versionFrom}`)
      const env = environmentOf(t, runner, workDir)
      envs[t.tool === 'emsdk' ? 'emscripten' : t.tool] = env
    })
  }
  return envs
}
