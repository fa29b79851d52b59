/** WASI SDK releases: a .tar.gz whose top folder names the version (and, from 23 on, the arch). */
import * as core from '@actions/core'
import type { ToolchainEnv } from '../index.js'
import { wasiSdkAsset } from '../../catalog/downloads.js'
import { ToolInstaller } from './base.js'

export class WasiSdkInstaller extends ToolInstaller {
  protected readonly tarFlags = 'xz'

  protected topDir(): string {
    return wasiSdkAsset(Number(this.plan.version), this.context.arch).topDir
  }

  protected checkLayout(dir: string): void {
    this.requireFile(dir, 'bin/clang')
    this.requireFile(dir, 'share/wasi-sysroot')
  }

  async environment(dir: string): Promise<ToolchainEnv> {
    core.exportVariable('WASI_SDK_PATH', dir)
    return { path: [], vars: { WASI_SDK_PATH: dir } }
  }
}
