/**
 * Where cache entries live. The action keeps them in GitHub's cache service
 * (actionsCacheStore, through @actions/cache); the command keeps them in a
 * folder on the developer's machine (directory-store.ts). restoreCaches and
 * saveCaches decide what to restore and save and report it the same way for
 * both; a store only moves files, with @actions/cache's semantics: an entry's
 * key is written once, and a restore takes the key itself, else the newest
 * entry whose key starts with one of the restore keys, tried in order.
 */
import { rewriteStdoutLines } from '../catalog/stdout-lines.js'
import * as cache from '@actions/cache'

export interface StoreRestore {
  /** the key that was restored, undefined on a miss */
  matched?: string
  /** what went wrong (the entry then counts as a miss) */
  problems: string[]
}

export type StoreSave =
  | { outcome: 'saved' }
  /** the store would not take it (nothing to save, a size limit); not a failure */
  | { outcome: 'skipped'; message?: string }
  /** an entry with this key exists (another job's, or an earlier run's) */
  | { outcome: 'exists'; message?: string }
  | { outcome: 'failed'; message: string }

export interface CacheStore {
  /** why the store cannot be used in this run, undefined when it can */
  unavailable(): string | undefined
  /**
   * Whether cache-save: auto may save on any event: a store that only this
   * machine's own runs read (the command's) cannot be poisoned by an
   * untrusted event's build.
   */
  readonly private: boolean
  restore(paths: string[], key: string, restoreKeys: string[]): Promise<StoreRestore>
  save(paths: string[], key: string): Promise<StoreSave>
}

/**
 * zstd's level for the archives (the zstd CLI reads ZSTD_CLEVEL when no
 * level is given, and @actions/cache gives none: zstd(1), "Environment
 * Variables"). Level 1 instead of the default 3: build trees and ccache
 * directories (already compressed by ccache) gain little from 3, and every
 * save of every run pays its CPU time.
 */
const ZSTD_LEVEL = '1'

/** What a capture saw of the library's workflow commands. */
interface Captured<T> {
  result: T
  lines: string[]
}

/**
 * Runs fn with stdout captured line by line: everything is passed through
 * except ::warning:: and ::error:: lines, which are kept for us to judge.
 * (@actions/cache reports its own failures by printing, and returns
 * undefined or -1.)
 */
async function captured<T>(fn: () => Promise<T>): Promise<Captured<T>> {
  const lines: string[] = []
  const isProblem = (line: string): boolean => /^::(warning|error)/.test(line)
  const stdout = rewriteStdoutLines(line => {
    lines.push(line)
    return isProblem(line) ? undefined : line
  })
  try {
    return { result: await fn(), lines }
  } finally {
    const rest = stdout.stop()
    if (rest) {
      lines.push(rest)
      if (!isProblem(rest)) stdout.write(rest)
    }
  }
}

/** The message of a workflow command line (::warning::text), unescaped. */
function commandText(line: string): string {
  return line
    .slice(line.indexOf('::', 2) + 2)
    .replace(/%0A/g, ' ')
    .replace(/%0D/g, '')
    .replace(/%25/g, '%')
}

function problems(lines: string[]): string[] {
  return lines.filter(l => /^::(warning|error)/.test(l)).map(commandText)
}

/** A failure of the cache service itself (rather than of one entry's archive). */
export function isServiceFailure(message: string): boolean {
  return /Failed to (GetCacheEntryDownloadURL|CreateCacheEntry|FinalizeCacheEntryUpload)|Rate limited|ECONNREFUSED|ENOTFOUND|ETIMEDOUT|ECONNRESET/.test(
    message
  )
}

/** GitHub's cache service, through @actions/cache. */
export const actionsCacheStore: CacheStore = {
  private: false,
  unavailable: () =>
    cache.isFeatureAvailable()
      ? undefined
      : 'The Actions cache service is not available on this runner (ACTIONS_RESULTS_URL or ACTIONS_CACHE_URL is not set)',

  async restore(paths, key, restoreKeys) {
    const outcome = await captured(() => cache.restoreCache(paths, key, restoreKeys))
    return { matched: outcome.result, problems: problems(outcome.lines) }
  },

  async save(paths, key) {
    process.env.ZSTD_CLEVEL ??= ZSTD_LEVEL
    // the paths as planned: they are part of the entry's version
    const outcome = await captured(() => cache.saveCache(paths, key))
    if (outcome.result > 0) return { outcome: 'saved' }
    const lines = outcome.lines
    if (lines.some(l => l.startsWith('Cache save skipped'))) return { outcome: 'skipped' }
    // @actions/cache turns every failed CreateCacheEntry into a "reserve" failure;
    // its debug line tells a service error from another job's entry
    const reserveDebug = lines.find(l => l.startsWith('::debug::Failed to reserve cache:'))
    const reserveError = reserveDebug ? commandText(reserveDebug) : ''
    const failed = problems(lines)
    if (reserveDebug && !isServiceFailure(reserveError))
      return {
        outcome: 'exists',
        message: `another job saved or is saving ${key}${failed.length > 0 ? ` (${failed.join('; ')})` : ''}`
      }
    return {
      outcome: 'failed',
      message: [reserveError, ...failed].filter(Boolean).join('; ') || 'unknown error'
    }
  }
}
