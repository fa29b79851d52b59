/** wasmtime releases: a .tar.xz with the wasmtime binary in wasmtime-v<X.Y.Z>-<arch>-linux/. */
import * as core from '@actions/core'
import type { ToolchainEnv } from '../index.js'
import { wasmtimeAsset } from '../../catalog/downloads.js'
import { ToolInstaller } from './base.js'

export class WasmtimeInstaller extends ToolInstaller {
  protected readonly tarFlags = 'xJ'

  protected topDir(): string {
    return wasmtimeAsset(this.plan.version, this.context.arch).topDir
  }

  protected checkLayout(dir: string): void {
    this.requireFile(dir, 'wasmtime')
  }

  async environment(dir: string): Promise<ToolchainEnv> {
    core.addPath(dir)
    return { path: [dir], vars: {} }
  }
}
