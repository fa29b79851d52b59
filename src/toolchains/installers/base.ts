/**
 * The steps every toolchain download shares: look in the tool cache, else
 * download, verify, extract and publish at $RUNNER_TOOL_CACHE/<tool>/<version>/<arch>.
 *
 * The tool cache may be shared by jobs running at once (self-hosted
 * runners), so a job works in folders of its own (the download under its
 * work folder, the extraction in a fresh staging folder beside the final
 * path) and publishes with one rename while holding `<dir>.lock`. It
 * removes only what it created: a failed job never deletes a toolchain
 * another job installed.
 *
 * An installed toolchain is reused only when its record (`<dir>.verified.json`,
 * see verified.ts) names the URL and sum this run expects and a probe shows it
 * works; otherwise it is installed again.
 */
import * as core from '@actions/core'
import * as io from '@actions/io'
import * as tc from '@actions/tool-cache'
import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { ToolchainPlan } from '../../plan/types.js'
import { downloadVerified, type Downloaded } from '../download.js'
import { ActionError, ToolchainError } from '../../catalog/errors.js'
import type { ToolchainEnv } from '../index.js'
import { toolCacheVersion, type Arch } from '../../catalog/downloads.js'
import { linkLeavingTree } from '../links.js'
import { withLock } from '../lock.js'
import { recordMismatch, recordPath, writeRecord } from '../verified.js'
import { buildEnvironment } from '../../catalog/secrets.js'

export interface InstallContext {
  arch: Arch
  /** the action's own folder for this job: downloads go under it */
  workDir: string
  /** github-token; sent to github.com only */
  token?: string
  /**
   * something of this toolchain has no known sum (verify: warn): it is
   * installed in the job's own folder, never in the tool cache, and an
   * installed copy is not looked for there
   */
  unverified?: boolean
}

const PROBE_TIMEOUT_MS = 2 * 60_000
const LEFTOVER_MS = 24 * 60 * 60_000

/** Runs a toolchain's program for a probe; resolves with its output or why it failed. */
export function runProbe(
  file: string,
  args: string[],
  env?: NodeJS.ProcessEnv
): Promise<{ output: string; problem?: string }> {
  const shown = [path.basename(file), ...args].join(' ')
  return new Promise(resolve => {
    execFile(
      file,
      args,
      // a restored binary is only as trusted as its cache entry: no credentials for it
      { timeout: PROBE_TIMEOUT_MS, env: env ?? buildEnvironment(process.env), maxBuffer: 1 << 20 },
      (error, stdout, stderr) => {
        const output = `${stdout}${stderr}`.trim()
        if (!error) return resolve({ output })
        const code = (error as NodeJS.ErrnoException).code
        const why =
          typeof code === 'string'
            ? code === 'ENOENT'
              ? 'it is missing'
              : code
            : error.killed
              ? `it did not finish within ${PROBE_TIMEOUT_MS / 1000} s`
              : `exit code ${code}`
        const tail = output.split('\n').slice(-3).join(' ').slice(0, 300)
        resolve({ output, problem: `\`${shown}\` failed (${why})${tail ? `: ${tail}` : ''}` })
      }
    )
  })
}

/** Whether `text` names `version` as a whole (3.1.5 is not named by 3.1.58; 3.1.58-git names 3.1.58). */
export function namesVersion(text: string, version: string): boolean {
  const escaped = version.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  return new RegExp(`(^|[^0-9.])${escaped}(?![0-9]|\\.[0-9])`).test(text)
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
  /**
   * What is broken in the toolchain at `dir`, checked by running what the
   * build runs, or undefined when it works.
   */
  protected abstract probe(dir: string): Promise<string | undefined>
  /** The environment the installed toolchain gives to the commands that use it. */
  abstract environment(dir: string): Promise<ToolchainEnv>

  /** Work on the extracted tree in its private staging folder, before it is published. */
  protected async prepare(_top: string): Promise<void> {}
  /** Work at the final path, holding the lock, before the toolchain is marked complete. */
  protected async finish(_dir: string): Promise<void> {}

  protected get release(): string {
    return `${this.plan.tool} ${this.plan.version}`
  }

  protected get cacheVersion(): string {
    return toolCacheVersion(this.plan.tool, this.plan.version)
  }

  /** Where this release is published; tc.find returns it once `<dir>.complete` exists. */
  protected get cachePath(): string {
    if (this.context.unverified)
      return path.join(
        this.context.workDir,
        'unverified-toolchains',
        this.plan.tool,
        this.cacheVersion,
        this.context.arch
      )
    const root = process.env.RUNNER_TOOL_CACHE
    if (!root) throw new ToolchainError('RUNNER_TOOL_CACHE is not set; is this a GitHub runner?')
    return path.join(root, this.plan.tool, this.cacheVersion, this.context.arch)
  }

  protected group<T>(step: string, fn: () => Promise<T>): Promise<T> {
    return core.group(`${this.release}: ${step}`, fn)
  }

  /** Why the installed toolchain at `dir` may not be used, or undefined when it may. */
  protected async unusable(dir: string): Promise<string | undefined> {
    const mismatch = recordMismatch(dir, {
      tool: this.plan.tool,
      version: this.plan.version,
      arch: this.context.arch,
      url: this.plan.url as string,
      sha256: this.plan.sha256
    })
    if (mismatch) return mismatch
    try {
      this.checkLayout(dir)
    } catch (error) {
      return error instanceof Error ? error.message : String(error)
    }
    const broken = await this.probe(dir)
    return broken && `it is broken: ${broken}`
  }

  /** A finished install in the tool cache, unless this one is unverified (it never goes there). */
  private findInstalled(): string | undefined {
    if (this.context.unverified) return undefined
    return tc.find(this.plan.tool, this.cacheVersion, this.context.arch) || undefined
  }

  /** The installed toolchain's directory, from the tool cache or a new install. */
  async install(): Promise<string> {
    const cached = this.findInstalled()
    if (cached) {
      const problem = await this.unusable(cached)
      if (!problem) {
        core.info(`${this.release}: found in the tool cache at ${cached}`)
        return cached
      }
      core.warning(
        `${this.release}: not using the tool cache entry at ${cached}: ${problem}. Installing it again.`
      )
    }
    let scratch: string | undefined
    try {
      const into = fs.mkdtempSync(
        path.join(this.context.workDir, `${this.plan.tool}-${this.cacheVersion}-`)
      )
      scratch = into
      const downloaded = await this.group('download', () =>
        downloadVerified(
          {
            release: this.release,
            url: this.plan.url as string,
            sha256: this.plan.sha256,
            sha256From: this.plan.sha256From,
            sha256Input: this.plan.sha256Input ?? `${this.plan.tool}-sha256`,
            token: this.context.token
          },
          into
        )
      )
      const dir = await this.installArchive(downloaded)
      core.info(`${this.release}: installed at ${dir}`)
      return dir
    } catch (error) {
      // a file system that refuses (permissions, a full disk) is the runner's problem, not a bug
      const code = (error as NodeJS.ErrnoException).code
      if (error instanceof ActionError || typeof code !== 'string') throw error
      throw new ToolchainError(`${this.release}: could not install: ${(error as Error).message}`)
    } finally {
      if (scratch) await io.rmRF(scratch)
      this.removeEmptyFolders()
    }
  }

  /** Extracts the archive into a private staging folder, prepares it and publishes it. */
  protected async installArchive(downloaded: Downloaded): Promise<string> {
    const staging = this.makeStaging()
    try {
      const top = await this.group('extract', () => this.extract(downloaded.file, staging))
      await this.prepare(top)
      return await this.publish(top, downloaded.sha256)
    } finally {
      await io.rmRF(staging)
    }
  }

  /**
   * A fresh folder beside the final path (so publishing is a rename on one
   * file system) that no other job uses.
   */
  protected makeStaging(): string {
    const dest = this.cachePath
    for (let tries = 0; ; tries++) {
      try {
        fs.mkdirSync(path.dirname(dest), { recursive: true })
        return fs.mkdtempSync(`${dest}.staging-`)
      } catch (error) {
        // another job's clean-up may remove the empty parent between the two calls
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || tries >= 5) throw error
      }
    }
  }

  /**
   * Moves the prepared tree to the final path, holding the lock: a valid
   * install another job published meanwhile is kept (and ours dropped); an
   * invalid one is replaced. The tree is probed there and marked complete
   * only once it works and its record is written.
   */
  protected async publish(top: string, sha256: string): Promise<string> {
    const dest = this.cachePath
    return withLock(`${dest}.lock`, this.release, async () => {
      if (this.findInstalled()) {
        const problem = await this.unusable(dest)
        if (!problem) {
          core.info(`${this.release}: another job installed it at ${dest} meanwhile; using that`)
          return dest
        }
        core.info(`${this.release}: replacing ${dest}: ${problem}`)
      }
      await this.retire(dest)
      await this.sweep(dest)
      fs.renameSync(top, dest)
      try {
        await this.finish(dest)
        const broken = await this.probe(dest)
        if (broken)
          throw new ToolchainError(
            `${this.release}: the toolchain from ${this.plan.url} does not work: ${broken}. Nothing was installed.`
          )
        writeRecord(dest, {
          tool: this.plan.tool,
          version: this.plan.version,
          arch: this.context.arch,
          url: this.plan.url as string,
          sha256,
          checkedAgainst: this.plan.sha256 ? (this.plan.sha256From ?? 'input') : 'none'
        })
        // tc.find treats <dir>.complete as the sign of a finished install (as tc.cacheDir writes it)
        fs.writeFileSync(`${dest}.complete`, '')
      } catch (error) {
        // ours alone: the lock is held and nothing marked it complete
        await io.rmRF(recordPath(dest))
        await io.rmRF(dest)
        throw error
      }
      core.info(`Cached ${this.release} as ${dest}`)
      return dest
    })
  }

  /** Takes an unusable install (or the remains of an interrupted one) out of the way; holding the lock. */
  private async retire(dest: string): Promise<void> {
    await io.rmRF(`${dest}.complete`)
    await io.rmRF(recordPath(dest))
    if (!fs.existsSync(dest)) return
    const aside = `${dest}.retired-${randomUUID()}`
    fs.renameSync(dest, aside)
    await io.rmRF(aside)
  }

  /**
   * Removes what killed jobs left beside the final path (staging folders,
   * retired copies, half-written records) once it is a day old: a live job's
   * staging folder is never that old. Holding the lock.
   */
  private async sweep(dest: string): Promise<void> {
    const parent = path.dirname(dest)
    const name = path.basename(dest)
    const leftover = new RegExp(
      `^${name}\\.(staging-|retired-|lock\\.stale-|verified\\.json\\..*\\.partial$)`
    )
    for (const entry of fs.readdirSync(parent)) {
      if (!leftover.test(entry)) continue
      const file = path.join(parent, entry)
      try {
        if (Date.now() - fs.lstatSync(file).mtimeMs > LEFTOVER_MS) await io.rmRF(file)
      } catch {
        // removed by its owner meanwhile
      }
    }
  }

  /** Leaves no empty <tool>/<version> folders behind after a failed install. */
  private removeEmptyFolders(): void {
    let dir: string
    try {
      dir = this.cachePath
    } catch {
      return
    }
    for (const parent of [path.dirname(dir), path.dirname(path.dirname(dir))]) {
      try {
        fs.rmdirSync(parent)
      } catch {
        break // not empty, or gone
      }
    }
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
    if (!exists(top) && entries.length === 1) top = path.join(dest, entries[0])
    const stat = exists(top) ? fs.lstatSync(top) : undefined
    if (stat?.isSymbolicLink())
      throw new ToolchainError(
        `${this.release}: ${this.plan.url} is refused: its top folder ${path.basename(top)} is a symbolic link ` +
          `(to ${fs.readlinkSync(top)}), not a folder of the archive; nothing was installed.`
      )
    if (!stat?.isDirectory())
      throw new ToolchainError(
        `${this.release}: ${this.plan.url} has no ${this.topDir()}/ folder; it holds ${entries.join(', ') || 'nothing'}`
      )
    const leaving = linkLeavingTree(top)
    if (leaving)
      throw new ToolchainError(
        `${this.release}: ${this.plan.url} is refused: its symbolic link ${leaving} leads outside the archive's folder; nothing was installed.`
      )
    this.checkLayout(top)
    return top
  }

  protected requireFile(dir: string, relative: string): void {
    if (!fs.existsSync(path.join(dir, relative)))
      throw new ToolchainError(
        `${this.release}: ${dir} is not a ${this.plan.tool} tree (no ${relative}); check the mirror and the archive`
      )
  }
}

/** Whether anything (a dangling link too) is at `p`. */
function exists(p: string): boolean {
  try {
    fs.lstatSync(p)
    return true
  } catch {
    return false
  }
}
