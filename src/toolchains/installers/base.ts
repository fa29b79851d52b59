/**
 * The steps every toolchain download shares: look in the tool cache, else
 * download, verify, extract and cache at $RUNNER_TOOL_CACHE/<tool>/<version>/<arch>.
 * An install that fails leaves nothing there that tc.find would return.
 */
import * as core from '@actions/core'
import * as io from '@actions/io'
import * as tc from '@actions/tool-cache'
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { ToolchainPlan } from '../../plan/types.js'
import { downloadVerified } from '../download.js'
import { ToolchainError } from '../../catalog/errors.js'
import type { ToolchainEnv } from '../index.js'
import { toolCacheVersion, type Arch } from '../../catalog/downloads.js'

export interface InstallContext {
  arch: Arch
  /** the action's own folder for this job: downloads and extractions go under it */
  workDir: string
  /** github-token; sent to github.com only */
  token?: string
}

export abstract class ToolInstaller {
  constructor(
    protected readonly plan: ToolchainPlan,
    protected readonly context: InstallContext
  ) {}

  /** The folder the archive unpacks into. */
  protected abstract topDir(): string
  /** The tar flags that extract the archive. */
  protected abstract readonly tarFlags: string
  /** Throws when an unpacked tree is not the toolchain (a wrong mirror or archive). */
  protected abstract checkLayout(dir: string): void
  /** The environment the installed toolchain gives to the commands that use it. */
  abstract environment(dir: string): Promise<ToolchainEnv>

  protected get release(): string {
    return `${this.plan.tool} ${this.plan.version}`
  }

  protected get cacheVersion(): string {
    return toolCacheVersion(this.plan.tool, this.plan.version)
  }

  /** Where tc.cacheDir puts this release; tc.find returns it once `<dir>.complete` exists. */
  protected get cachePath(): string {
    const root = process.env.RUNNER_TOOL_CACHE
    if (!root) throw new ToolchainError('RUNNER_TOOL_CACHE is not set; is this a GitHub runner?')
    return path.join(root, this.plan.tool, this.cacheVersion, this.context.arch)
  }

  protected group<T>(step: string, fn: () => Promise<T>): Promise<T> {
    return core.group(`${this.release}: ${step}`, fn)
  }

  /** The installed toolchain's directory, from the tool cache or a new install. */
  async install(): Promise<string> {
    const cached = tc.find(this.plan.tool, this.cacheVersion, this.context.arch)
    if (cached) {
      core.info(`${this.release}: found in the tool cache at ${cached}`)
      this.checkLayout(cached)
      return cached
    }
    const scratch = fs.mkdtempSync(
      path.join(this.context.workDir, `${this.plan.tool}-${this.cacheVersion}-`)
    )
    try {
      const archive = await this.group('download', () =>
        downloadVerified(
          {
            release: this.release,
            url: this.plan.url as string,
            sha256: this.plan.sha256,
            sha256From: this.plan.sha256From,
            sha256Input: `${this.plan.tool}-sha256`,
            token: this.context.token
          },
          scratch
        )
      )
      const dir = await this.installArchive(archive)
      core.info(`${this.release}: installed at ${dir}`)
      return dir
    } catch (error) {
      await this.forget()
      throw error
    } finally {
      await io.rmRF(scratch)
    }
  }

  /** Extracts, checks and caches the archive; returns the cached directory. */
  protected async installArchive(archive: string): Promise<string> {
    const top = await this.group('extract', () => this.extract(archive, path.dirname(archive)))
    return this.group('cache', async () => {
      const dir = await tc.cacheDir(top, this.plan.tool, this.cacheVersion, this.context.arch)
      core.info(`Cached ${top} as ${dir}`)
      return dir
    })
  }

  /** Unpacks the archive into `into` and returns its checked top folder. */
  protected async extract(archive: string, into: string): Promise<string> {
    const dest = path.join(into, 'unpacked')
    try {
      await tc.extractTar(archive, dest, this.tarFlags)
    } catch (error) {
      throw new ToolchainError(
        `${this.release}: ${this.plan.url} is not a complete ${this.tarFlags === 'xJ' ? '.tar.xz' : '.tar.gz'} archive ` +
          `(${error instanceof Error ? error.message : String(error)}); nothing was installed.`
      )
    }
    const entries = fs.readdirSync(dest)
    let top = path.join(dest, this.topDir())
    // a mirror may repack the release under another top folder; one folder is unambiguous
    if (!fs.existsSync(top) && entries.length === 1) top = path.join(dest, entries[0])
    if (!fs.existsSync(top) || !fs.statSync(top).isDirectory())
      throw new ToolchainError(
        `${this.release}: ${this.plan.url} has no ${this.topDir()}/ folder; it holds ${entries.join(', ') || 'nothing'}`
      )
    this.checkLayout(top)
    return top
  }

  /** Removes what a failed install may have left in the tool cache. */
  protected async forget(): Promise<void> {
    const dir = this.cachePath
    await io.rmRF(`${dir}.complete`)
    await io.rmRF(dir)
    // leave no empty <tool>/<version> folders behind either
    for (const parent of [path.dirname(dir), path.dirname(path.dirname(dir))]) {
      try {
        fs.rmdirSync(parent)
      } catch {
        break // not empty, or gone
      }
    }
  }

  protected requireFile(dir: string, relative: string): void {
    if (!fs.existsSync(path.join(dir, relative)))
      throw new ToolchainError(
        `${this.release}: ${dir} is not a ${this.plan.tool} tree (no ${relative}); check the mirror and the archive`
      )
  }
}
