/** wasmtime releases: a .tar.xz with the wasmtime binary in wasmtime-v<X.Y.Z>-<arch>-linux/. */
import * as core from '@actions/core'
import * as path from 'node:path'
import type { ToolchainEnv } from '../index.js'
import { wasmtimeAsset } from '../../catalog/downloads.js'
import { namesVersion, runProbe, ToolInstaller } from './base.js'

export class WasmtimeInstaller extends ToolInstaller {
  protected readonly tarFlags = 'xJ'

  protected topDir(): string {
    return wasmtimeAsset(this.plan.version, this.context.arch).topDir
  }

  protected checkLayout(dir: string): void {
    this.requireFile(dir, 'wasmtime')
  }

  /** `wasmtime --version` runs and names the planned version. */
  protected async probe(dir: string): Promise<string | undefined> {
    const { output, problem } = await runProbe(path.join(dir, 'wasmtime'), ['--version'])
    if (problem) return problem
    const version = this.plan.version.replace(/^v/, '')
    if (!namesVersion(output, version))
      return `\`wasmtime --version\` says "${output.split('\n')[0]}", not ${version}`
    return undefined
  }

  async environment(dir: string): Promise<ToolchainEnv> {
    core.addPath(dir)
    return { path: [dir], vars: {} }
  }
}
