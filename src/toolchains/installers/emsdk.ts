/**
 * emsdk: the tag's source archive, then the SDK's wasm-binaries archive and
 * Node, downloaded and verified by the action and put where emsdk.py looks
 * for them, then `emsdk install` (which, with EMSDK_KEEP_DOWNLOADS set,
 * takes them instead of downloading) in the job's private staging folder, and `emsdk activate` once it is
 * moved to the tool cache path: activation writes absolute paths into the
 * config, so it runs where the SDK stays, and the SDK is marked complete
 * only once activated and probed.
 */
import * as core from '@actions/core'
import * as exec from '@actions/exec'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { checkEmscriptenVersion } from '../../runner/emscripten-version.js'
import { ToolchainError } from '../../catalog/errors.js'
import type { ToolchainEnv } from '../index.js'
import { emscriptenDir, emscriptenVersion } from '../../runner/preinstalled.js'
import { namesVersion, runProbe, ToolInstaller } from './base.js'
import { buildEnvironment } from '../../catalog/secrets.js'
import { downloadVerified } from '../download.js'

/** The environment `emsdk construct_env` reports: new PATH entries and variables. */
export interface EmsdkEnvironment {
  path: string[]
  vars: Record<string, string>
  unset: string[]
}

function unquote(value: string): string {
  const v = value.trim().replace(/;$/, '').trim()
  if (v.length >= 2 && (v[0] === '"' || v[0] === "'") && v.endsWith(v[0])) return v.slice(1, -1)
  return v
}

/**
 * Parses construct_env's sh output: `export K="V";`, `K=V`, `unset K;`.
 * PATH holds the whole search path; only entries not already in
 * `currentPath` are new, in the order emsdk gives them.
 */
export function parseEmsdkEnvironment(output: string, currentPath = ''): EmsdkEnvironment {
  const result: EmsdkEnvironment = { path: [], vars: {}, unset: [] }
  const existing = new Set(currentPath.split(path.delimiter).filter(Boolean))
  for (const raw of output.split('\n')) {
    const line = raw.trim()
    const unset = /^unset\s+([A-Za-z_][A-Za-z0-9_]*)\s*;?$/.exec(line)
    if (unset) {
      result.unset.push(unset[1])
      continue
    }
    const assignment = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line)
    if (!assignment) continue
    const [, name, value] = assignment
    if (name === 'PATH') {
      for (const entry of unquote(value).split(path.delimiter))
        if (entry && !existing.has(entry) && !result.path.includes(entry)) result.path.push(entry)
    } else result.vars[name] = unquote(value)
  }
  return result
}

export class EmsdkInstaller extends ToolInstaller {
  protected readonly tarFlags = 'xz'

  protected topDir(): string {
    // GitHub names a tag archive's folder <repository>-<tag>
    return `emsdk-${this.plan.version}`
  }

  protected checkLayout(dir: string): void {
    this.requireFile(dir, 'emsdk')
  }

  async install(): Promise<string> {
    checkEmscriptenVersion(this.plan.version, `emsdk-version ${this.plan.version}`)
    return super.install()
  }

  private async emsdk(
    command: string,
    dir: string,
    env: Record<string, string> = {}
  ): Promise<void> {
    await this.group(`emsdk ${command} ${this.plan.version}`, async () => {
      const code = await exec.exec(path.join(dir, 'emsdk'), [command, this.plan.version], {
        cwd: dir,
        env: childEnv(env),
        ignoreReturnCode: true
      })
      if (code !== 0)
        throw new ToolchainError(
          `${this.release}: \`emsdk ${command} ${this.plan.version}\` failed with exit code ${code} (its output is in the log group above); nothing was cached.`
        )
    })
  }

  /**
   * The SDK download (the slow part) happens in the job's own staging folder.
   * emsdk.py's download_file skips a file already at its target unless told
   * to download even if it exists, which it is not when EMSDK_KEEP_DOWNLOADS
   * is set (any non-empty value up to 5.0.5; from 5.0.6 get_env_boolean,
   * which takes 1). emsdk checks no sums itself, so only verified files are
   * put there; they are removed once installed (nothing else uses them).
   */
  protected async prepare(top: string): Promise<void> {
    const seeded: string[] = []
    for (const d of this.plan.nested ?? []) {
      const target = path.join(top, d.into)
      const into = fs.mkdtempSync(path.join(this.context.workDir, 'emsdk-download-'))
      try {
        const { file } = await this.group(`download ${d.what}`, () =>
          downloadVerified(
            {
              release: d.what,
              url: d.url,
              sha256: d.sha256,
              sha256From: d.from === 'input' ? 'input' : 'table',
              sha256Input: 'checksums',
              token: this.context.token
            },
            into
          )
        )
        fs.mkdirSync(path.dirname(target), { recursive: true })
        fs.copyFileSync(file, target)
        seeded.push(target)
      } finally {
        fs.rmSync(into, { recursive: true, force: true })
      }
    }
    await this.emsdk('install', top, seeded.length > 0 ? { EMSDK_KEEP_DOWNLOADS: '1' } : {})
    for (const file of seeded) fs.rmSync(file, { force: true })
  }

  /** Activation writes the config with the final path, so it runs there (holding the lock). */
  protected async finish(dir: string): Promise<void> {
    await this.emsdk('activate', dir)
  }

  /** Emscripten is the planned version, by its version file and by `emcc --version`. */
  protected async probe(dir: string): Promise<string | undefined> {
    const emDir = emscriptenDir(dir)
    if (!emDir) return 'it holds no upstream/emscripten/emscripten-version.txt'
    const installed = emscriptenVersion(emDir)
    const version = this.plan.version
    if (installed !== version && !installed.startsWith(`${version}-`))
      return `upstream/emscripten/emscripten-version.txt says ${installed}, not ${version}`
    const config = path.join(dir, '.emscripten')
    const { output, problem } = await runProbe(path.join(emDir, 'emcc'), ['--version'], {
      ...buildEnvironment(process.env),
      ...(fs.existsSync(config) ? { EM_CONFIG: config } : {})
    })
    if (problem) return problem
    if (!namesVersion(output, version))
      return `\`emcc --version\` says "${output.split('\n')[0]}", not ${version}`
    return undefined
  }

  async environment(dir: string): Promise<ToolchainEnv> {
    return this.group('environment', async () => {
      const { stdout, exitCode, stderr } = await exec.getExecOutput(
        path.join(dir, 'emsdk'),
        ['construct_env'],
        { cwd: dir, silent: true, ignoreReturnCode: true, env: childEnv({ EMSDK_QUIET: '1' }) }
      )
      if (exitCode !== 0)
        throw new ToolchainError(
          `${this.release}: \`emsdk construct_env\` failed with exit code ${exitCode}: ${stderr.trim()}`
        )
      const env = parseEmsdkEnvironment(stdout, process.env.PATH)
      // Later steps of the job get emsdk and emcc on PATH, not emsdk's own Node:
      // first on PATH it would shadow the runner's (emsdk 3.1.19 bundles Node 14).
      // The build steps get all of it (ToolchainEnv), emcc finds its Node by EMSDK_NODE.
      const nodeDir = path.join(dir, 'node') + path.sep
      const exported = env.path.filter(entry => !entry.startsWith(nodeDir))
      // addPath prepends, so the first entry goes in last
      for (const entry of [...exported].reverse()) core.addPath(entry)
      for (const [name, value] of Object.entries(env.vars)) core.exportVariable(name, value)
      for (const entry of env.path) core.info(`PATH += ${entry}`)
      for (const [name, value] of Object.entries(env.vars)) core.info(`${name}=${value}`)
      return { path: env.path, vars: env.vars }
    })
  }
}

/** emsdk is third-party code: it runs without the job's credentials, as build code does. */
function childEnv(extra: Record<string, string>): Record<string, string> {
  return { ...buildEnvironment(process.env), ...extra }
}
