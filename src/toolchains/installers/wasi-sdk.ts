/** WASI SDK releases: a .tar.gz whose top folder names the version (and, from 23 on, the arch). */
import * as core from '@actions/core'
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { ToolchainEnv } from '../index.js'
import { wasiSdkAsset } from '../../catalog/downloads.js'
import { runProbe, ToolInstaller } from './base.js'

export class WasiSdkInstaller extends ToolInstaller {
  protected readonly tarFlags = 'xz'

  protected topDir(): string {
    return wasiSdkAsset(Number(this.plan.version), this.context.arch).topDir
  }

  protected checkLayout(dir: string): void {
    this.requireFile(dir, 'bin/clang')
    this.requireFile(dir, 'share/wasi-sysroot')
  }

  /** The compiler runs, and the sysroot has the C headers (include/ or, from 22 on, include/wasm32-wasi*\/). */
  protected async probe(dir: string): Promise<string | undefined> {
    const clang = await runProbe(path.join(dir, 'bin', 'clang'), ['--version'])
    if (clang.problem) return clang.problem
    const include = path.join(dir, 'share', 'wasi-sysroot', 'include')
    let triples: string[] = []
    try {
      triples = fs.readdirSync(include).filter(name => name.startsWith('wasm32-wasi'))
    } catch {
      return 'share/wasi-sysroot/include is missing'
    }
    const headers = ['stdio.h', ...triples.map(t => path.join(t, 'stdio.h'))]
    if (!headers.some(h => fs.existsSync(path.join(include, h))))
      return 'share/wasi-sysroot/include has no stdio.h (nor include/wasm32-wasi*/stdio.h)'
    return undefined
  }

  async environment(dir: string): Promise<ToolchainEnv> {
    core.exportVariable('WASI_SDK_PATH', dir)
    return { path: [], vars: { WASI_SDK_PATH: dir } }
  }
}
