/** ccache statistics per target: zeroed before the build, read after it. */
import * as core from '@actions/core'
import * as exec from '@actions/exec'
import * as fs from 'node:fs'
import type { CompilerCachePlan } from '../plan/types.js'

export interface CompilerCacheStats {
  /** compiles answered from the cache (direct and preprocessed mode) */
  hits: number
  /** compiles that ran and were stored */
  misses: number
}

async function ccache(ccachePath: string, dir: string, args: string[]): Promise<string> {
  const out = await exec.getExecOutput(ccachePath, args, {
    env: { ...(process.env as Record<string, string>), CCACHE_DIR: dir },
    silent: true,
    ignoreReturnCode: true
  })
  if (out.exitCode !== 0) throw new Error(out.stderr.trim() || `exit code ${out.exitCode}`)
  return out.stdout
}

/** Parses `ccache --print-stats` (one "name<TAB>value" per line, ccache 4.7+). */
export function parseStats(text: string): CompilerCacheStats {
  const values = new Map<string, number>()
  for (const line of text.split('\n')) {
    const [name, value] = line.split('\t')
    if (name && value !== undefined) values.set(name.trim(), Number(value))
  }
  const get = (name: string): number => values.get(name) ?? 0
  return {
    hits: get('direct_cache_hit') + get('preprocessed_cache_hit'),
    misses: get('cache_miss')
  }
}

/** Zeroes the counters, so that what is read after the build is this build's. */
export async function zeroStats(ccachePath: string, caches: CompilerCachePlan[]): Promise<void> {
  for (const { part, dir } of caches) {
    fs.mkdirSync(dir, { recursive: true })
    try {
      await ccache(ccachePath, dir, ['--zero-stats'])
    } catch (e) {
      core.info(`ccache of ${part}: could not zero its statistics (${(e as Error).message})`)
    }
  }
}

/** This build's hits and misses per target; a target whose statistics cannot be read is left out. */
export async function readStats(
  ccachePath: string,
  caches: CompilerCachePlan[]
): Promise<Map<string, CompilerCacheStats>> {
  const stats = new Map<string, CompilerCacheStats>()
  for (const { part, dir } of caches) {
    try {
      const s = parseStats(await ccache(ccachePath, dir, ['--print-stats']))
      stats.set(part, s)
      core.info(`ccache of ${part}: ${s.hits} hits, ${s.misses} misses`)
    } catch (e) {
      core.info(`ccache of ${part}: no statistics (${(e as Error).message})`)
    }
  }
  return stats
}
