/**
 * The command's cache store: one folder per entry under a root folder on the
 * developer's machine, with @actions/cache's semantics (store.ts) so the
 * same keys restore the same way as on a runner:
 *
 *   <root>/<key>/entry.json   the key, the paths and when it was saved
 *   <root>/<key>/<n>          a copy of the n-th path (file or folder)
 *
 * A key with characters a file name should not hold is stored under its
 * hash. An entry is written into a private folder and renamed into place, so
 * a reader never sees half of one and the first of two writers wins. Copies
 * keep modification times (make decides from them what to rebuild) and
 * links as they are. Restoring replaces what is at the paths, as extracting
 * an entry's archive over a fresh job's folders would leave them.
 */
import { createHash, randomUUID } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { CacheStore, StoreRestore, StoreSave } from './store.js'

interface EntryRecord {
  key: string
  /** the paths as planned: part of what an entry is, as in @actions/cache's version */
  paths: string[]
  /** which of them existed when it was saved */
  saved: boolean[]
  /** milliseconds since the epoch; the newest of several matches wins */
  created: number
}

const RECORD = 'entry.json'

const folderName = (key: string): string =>
  /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/.test(key)
    ? key
    : `key-${createHash('sha256').update(key).digest('hex').slice(0, 40)}`

const samePaths = (a: string[], b: string[]): boolean =>
  a.length === b.length && a.every((p, i) => p === b[i])

function copy(from: string, to: string): void {
  fs.rmSync(to, { recursive: true, force: true })
  fs.mkdirSync(path.dirname(to), { recursive: true })
  fs.cpSync(from, to, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true })
}

export class DirectoryStore implements CacheStore {
  readonly private = true

  constructor(readonly root: string) {}

  unavailable(): string | undefined {
    return undefined
  }

  /** Every complete entry, newest first. */
  entries(): EntryRecord[] {
    if (!fs.existsSync(this.root)) return []
    const found: EntryRecord[] = []
    for (const name of fs.readdirSync(this.root)) {
      if (name.startsWith('.')) continue
      try {
        found.push(JSON.parse(fs.readFileSync(path.join(this.root, name, RECORD), 'utf8')))
      } catch {
        // not an entry (or a damaged one): never restored
      }
    }
    return found.sort((a, b) => b.created - a.created)
  }

  /**
   * Removes the entries a restore key would find but for the newest (keep):
   * an entry saved under a new key by each run (ccache) supersedes the older
   * ones, which GitHub would evict in time. Returns the keys removed.
   */
  supersede(prefix: string, keep: string): string[] {
    const removed: string[] = []
    for (const entry of this.entries())
      if (entry.key !== keep && entry.key.startsWith(prefix)) {
        fs.rmSync(path.join(this.root, folderName(entry.key)), { recursive: true, force: true })
        removed.push(entry.key)
      }
    return removed
  }

  async restore(paths: string[], key: string, restoreKeys: string[]): Promise<StoreRestore> {
    const candidates = this.entries().filter(e => samePaths(e.paths, paths))
    const entry =
      candidates.find(e => e.key === key) ??
      restoreKeys.map(prefix => candidates.find(e => e.key.startsWith(prefix))).find(Boolean)
    if (!entry) return { problems: [] }
    const dir = path.join(this.root, folderName(entry.key))
    try {
      paths.forEach((p, i) => {
        if (entry.saved[i]) copy(path.join(dir, String(i)), p)
      })
    } catch (error) {
      return { problems: [`copying ${entry.key} out of ${dir} failed: ${messageOf(error)}`] }
    }
    return { matched: entry.key, problems: [] }
  }

  async save(paths: string[], key: string): Promise<StoreSave> {
    const dir = path.join(this.root, folderName(key))
    if (fs.existsSync(dir)) return { outcome: 'exists', message: `${key} is in ${this.root}` }
    const staging = path.join(this.root, `.saving-${randomUUID()}`)
    try {
      fs.mkdirSync(staging, { recursive: true })
      const saved = paths.map((p, i) => {
        if (!fs.existsSync(p)) return false
        copy(p, path.join(staging, String(i)))
        return true
      })
      const record: EntryRecord = { key, paths, saved, created: Date.now() }
      fs.writeFileSync(path.join(staging, RECORD), `${JSON.stringify(record, null, 2)}\n`)
      try {
        fs.renameSync(staging, dir)
      } catch (error) {
        if (fs.existsSync(dir)) return { outcome: 'exists', message: `${key} is in ${this.root}` }
        throw error
      }
      return { outcome: 'saved' }
    } catch (error) {
      return { outcome: 'failed', message: `writing ${dir} failed: ${messageOf(error)}` }
    } finally {
      fs.rmSync(staging, { recursive: true, force: true })
    }
  }
}

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error)
