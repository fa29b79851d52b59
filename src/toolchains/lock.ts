/**
 * A lock file for publishing into a tool cache that several jobs share (the
 * runners of one self-hosted machine): created with O_EXCL, it holds who
 * took it, and its holder refreshes its time while it works. A lock whose
 * process on this host is gone, or that has not been refreshed within the
 * stale timeout (a job on another host that died), is taken over, so a
 * killed job never blocks the next one for good.
 */
import * as core from '@actions/core'
import { randomUUID } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

const STALE_MS = 10 * 60_000
const REFRESH_MS = 30_000
const POLL_MS = 200

interface Holder {
  pid: number
  host: string
  since: string
  token: string
}

function readHolder(file: string): { text: string; holder?: Holder } | undefined {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch {
    return undefined // released meanwhile
  }
  try {
    return { text, holder: JSON.parse(text) as Holder }
  } catch {
    return { text } // being written
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Why the lock may be taken over, or undefined while its holder may still be at work. */
function staleReason(
  file: string,
  holder: Holder | undefined,
  staleMs: number
): string | undefined {
  let age: number
  try {
    age = Date.now() - fs.statSync(file).mtimeMs
  } catch {
    return undefined
  }
  if (age > staleMs) return `it is ${Math.round(age / 1000)} s old`
  if (holder && holder.host === os.hostname() && !alive(holder.pid))
    return `its process ${holder.pid} is gone`
  return undefined
}

/**
 * Removes a stale lock. Renamed first, then compared with what was judged
 * stale: a waiter that lost the race to another one puts back the fresh lock
 * it moved rather than deleting it.
 */
function breakLock(file: string, staleText: string): void {
  const moved = `${file}.stale-${randomUUID()}`
  try {
    fs.renameSync(file, moved)
  } catch {
    return // someone else removed it
  }
  try {
    if (fs.readFileSync(moved, 'utf8') !== staleText) fs.linkSync(moved, file)
  } catch {
    // a newer lock is in place already
  }
  fs.rmSync(moved, { force: true })
}

/** Takes the lock `file`, waiting for its holder; returns the token that releases it. */
async function acquire(file: string, what: string, staleMs: number): Promise<string> {
  const token = randomUUID()
  const holder: Holder = {
    pid: process.pid,
    host: os.hostname(),
    since: new Date().toISOString(),
    token
  }
  let announced = false
  for (;;) {
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true })
      const fd = fs.openSync(file, 'wx', 0o644)
      try {
        fs.writeSync(fd, JSON.stringify(holder))
      } finally {
        fs.closeSync(fd)
      }
      return token
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      // ENOENT: another job's clean-up removed the empty folder between mkdir and open
      if (code !== 'EEXIST' && code !== 'ENOENT') throw error
    }
    const current = readHolder(file)
    if (!current) continue
    const stale = staleReason(file, current.holder, staleMs)
    if (stale) {
      core.info(`${what}: taking over the lock ${file} (${stale})`)
      breakLock(file, current.text)
      continue
    }
    if (!announced) {
      const by = current.holder
        ? `process ${current.holder.pid} on ${current.holder.host} since ${current.holder.since}`
        : 'another job'
      core.info(`${what}: waiting for ${file}, held by ${by}`)
      announced = true
    }
    await sleep(POLL_MS)
  }
}

function release(file: string, token: string): void {
  // a lock taken over as stale belongs to its new holder now
  if (readHolder(file)?.holder?.token === token) fs.rmSync(file, { force: true })
}

/** Runs `fn` holding the lock `file`. */
export async function withLock<T>(
  file: string,
  what: string,
  fn: () => Promise<T>,
  staleMs = STALE_MS
): Promise<T> {
  const token = await acquire(file, what, staleMs)
  const refresh = setInterval(
    () => {
      if (readHolder(file)?.holder?.token !== token) return
      const now = new Date()
      try {
        fs.utimesSync(file, now, now)
      } catch {
        // released meanwhile
      }
    },
    Math.min(REFRESH_MS, staleMs / 3)
  )
  try {
    return await fn()
  } finally {
    clearInterval(refresh)
    release(file, token)
  }
}
