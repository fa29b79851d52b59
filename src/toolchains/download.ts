/**
 * Downloads a release archive and verifies it. The transfer is our own
 * (node:http/https) rather than tc.downloadTool's, which has no overall
 * deadline, prints nothing while a server drips bytes, fails on a relative
 * Location and reports a redirect loop as a bare status. What it did is
 * kept: up to three attempts, 10 to 20 seconds apart (the same test globals
 * shorten the wait), for 5xx, 408, 429, connection errors, bodies cut short
 * and sockets idle for 3 minutes; any other status fails at once; the token
 * goes to github.com hosts only (checked at every hop of a redirect); and
 * https_proxy/http_proxy/no_proxy are honoured as the Actions toolkit reads them.
 *
 * Environment variables (for tests and slow self-hosted networks):
 * - CPYTHON_WASM_DOWNLOAD_TIMEOUT_SECONDS: the deadline of one download,
 *   every attempt and wait included (default 1200, 20 minutes);
 * - CPYTHON_WASM_DOWNLOAD_PROGRESS_SECONDS: seconds between progress lines
 *   (default 10).
 */
import * as core from '@actions/core'
import * as io from '@actions/io'
import * as crypto from 'node:crypto'
import * as fs from 'node:fs'
import * as http from 'node:http'
import * as https from 'node:https'
import type * as net from 'node:net'
import * as path from 'node:path'
import { pipeline } from 'node:stream/promises'
import { setTimeout as sleep } from 'node:timers/promises'
import * as tls from 'node:tls'
import { ToolchainError } from '../catalog/errors.js'
import { fileName, isGitHubUrl } from '../catalog/downloads.js'
import type { SumSource } from '../plan/types.js'

export interface Download {
  /** "wasi-sdk 24": what the messages call the release */
  release: string
  url: string
  /** expected sum: from the *-sha256 or checksums input, the table, or the release's digest */
  sha256?: string
  sha256From?: SumSource
  /** the input that supplies a sum, named in messages */
  sha256Input: string
  token?: string
}

/** A downloaded archive and the sum it was checked with (its actual sum). */
export interface Downloaded {
  file: string
  sha256: string
}

const TIMEOUT_VARIABLE = 'CPYTHON_WASM_DOWNLOAD_TIMEOUT_SECONDS'
export const PROGRESS_VARIABLE = 'CPYTHON_WASM_DOWNLOAD_PROGRESS_SECONDS'
const DEFAULT_TIMEOUT_SECONDS = 20 * 60
const DEFAULT_PROGRESS_SECONDS = 10
const MAX_ATTEMPTS = 3
const MAX_REDIRECTS = 10
/** as tc.downloadTool's HTTP client: a socket silent this long is a failed attempt */
const IDLE_MS = 3 * 60_000
const REDIRECTS = new Set([301, 302, 303, 307, 308])

/** A file's digest in hex, read as a stream (archives are hundreds of megabytes). */
export async function hashFile(file: string, algorithm: 'sha256' | 'sha512'): Promise<string> {
  const hash = crypto.createHash(algorithm)
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/** An answer other than 200 or a redirect; the text is tc.downloadTool's. */
class StatusError extends Error {
  constructor(readonly status: number) {
    super(`Unexpected HTTP response: ${status}`)
  }
}

/** A failure another attempt would repeat (a redirect loop, a refused redirect). */
class FinalError extends Error {}

function secondsFrom(variable: string, fallback: number): number {
  const value = Number(process.env[variable])
  return Number.isFinite(value) && value > 0 ? value : fallback
}

/** The wait between attempts: tc.downloadTool's 10 to 20 s, or what the test globals say. */
function retryWaitSeconds(): number {
  const globals = globalThis as Record<string, unknown>
  const read = (name: string, fallback: number): number =>
    typeof globals[name] === 'number' ? Math.floor(globals[name] as number) : fallback
  const min = read('TEST_DOWNLOAD_TOOL_RETRY_MIN_SECONDS', 10)
  const max = Math.max(min, read('TEST_DOWNLOAD_TOOL_RETRY_MAX_SECONDS', 20))
  return Math.floor(Math.random() * (max - min + 1)) + min
}

function retryable(error: unknown): boolean {
  if (error instanceof FinalError) return false
  if (error instanceof StatusError)
    return error.status >= 500 || error.status === 408 || error.status === 429
  return true
}

/** A URL as messages show it: a signed query (GitHub's asset redirects) is not printed. */
export function shownUrl(url: string): string {
  try {
    const u = new URL(url)
    return u.search ? `${u.origin}${u.pathname}?…` : u.href
  } catch {
    return url
  }
}

function size(bytes: number): string {
  if (bytes < 1024 * 1024) return `${bytes} bytes`
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`
}

/**
 * The proxy for a URL, as @actions/http-client chooses it: https_proxy or
 * http_proxy by scheme, none for loopback hosts or a no_proxy match.
 */
export function proxyFor(url: URL, env: NodeJS.ProcessEnv = process.env): URL | undefined {
  const host = url.hostname.toLowerCase()
  if (host === 'localhost' || host.startsWith('127.') || host === '[::1]') return undefined
  const noProxy = (env.no_proxy || env.NO_PROXY || '')
    .split(',')
    .map(x => x.trim().toUpperCase())
    .filter(Boolean)
  const port = url.port || (url.protocol === 'https:' ? '443' : '80')
  const names = [host.toUpperCase(), `${host.toUpperCase()}:${port}`]
  for (const item of noProxy)
    if (
      item === '*' ||
      names.some(
        n => n === item || n.endsWith(`.${item}`) || (item.startsWith('.') && n.endsWith(item))
      )
    )
      return undefined
  const value =
    url.protocol === 'https:'
      ? env.https_proxy || env.HTTPS_PROXY
      : env.http_proxy || env.HTTP_PROXY
  if (!value) return undefined
  try {
    return new URL(/^https?:\/\//.test(value) ? value : `http://${value}`)
  } catch {
    return undefined
  }
}

function proxyAuthorization(proxy: URL): Record<string, string> {
  if (!proxy.username) return {}
  const user = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`
  return { 'proxy-authorization': `Basic ${Buffer.from(user).toString('base64')}` }
}

const bare = (hostname: string): string => hostname.replace(/^\[|\]$/g, '')

/** A CONNECT tunnel through the proxy to the target's host and port. */
function tunnel(proxy: URL, target: URL, signal: AbortSignal): Promise<net.Socket> {
  const port = target.port || '443'
  return new Promise((resolve, reject) => {
    const request = (proxy.protocol === 'https:' ? https : http).request({
      host: bare(proxy.hostname),
      port: proxy.port || (proxy.protocol === 'https:' ? 443 : 80),
      method: 'CONNECT',
      path: `${target.hostname}:${port}`,
      headers: { host: `${target.hostname}:${port}`, ...proxyAuthorization(proxy) },
      signal
    })
    request.setTimeout(IDLE_MS, () => request.destroy(new Error('the proxy did not answer')))
    request.on('connect', (response, socket) => {
      if (response.statusCode === 200) resolve(socket)
      else {
        socket.destroy()
        reject(
          new Error(`the proxy ${proxy.host} refused the tunnel (HTTP ${response.statusCode})`)
        )
      }
    })
    request.on('error', reject)
    request.end()
  })
}

/** One GET, through the proxy when there is one; resolves with the response's head. */
export async function get(
  url: URL,
  headers: Record<string, string>,
  signal: AbortSignal
): Promise<http.IncomingMessage> {
  const proxy = proxyFor(url)
  let request: http.ClientRequest
  if (!proxy) {
    request = (url.protocol === 'https:' ? https : http).request(url, { headers, signal })
  } else if (url.protocol === 'http:') {
    request = (proxy.protocol === 'https:' ? https : http).request({
      host: bare(proxy.hostname),
      port: proxy.port || (proxy.protocol === 'https:' ? 443 : 80),
      path: url.href,
      headers: { ...headers, host: url.host, ...proxyAuthorization(proxy) },
      signal
    })
  } else {
    const socket = await tunnel(proxy, url, signal)
    request = https.request(url, {
      headers,
      signal,
      createConnection: () => tls.connect({ socket, servername: bare(url.hostname) })
    })
  }
  return new Promise((resolve, reject) => {
    request.setTimeout(IDLE_MS, () => request.destroy(new Error(`no data for ${IDLE_MS / 1000} s`)))
    request.on('response', resolve)
    request.on('error', reject)
    request.end()
  })
}

/** Where a redirect leads: a relative Location resolves against the URL that sent it. */
function redirectTarget(from: string, location: string): string {
  let next: URL
  try {
    next = new URL(location, from)
  } catch {
    throw new FinalError(`${shownUrl(from)} redirects to an invalid Location "${location}"`)
  }
  if (next.protocol !== 'http:' && next.protocol !== 'https:')
    throw new FinalError(
      `${shownUrl(from)} redirects to ${next.protocol} URL, which is not followed`
    )
  if (new URL(from).protocol === 'https:' && next.protocol === 'http:')
    throw new FinalError(
      `${shownUrl(from)} redirects from https to plain http (${shownUrl(next.href)}), which is not followed`
    )
  return next.href
}

interface Progress {
  received: number
  total?: number
}

/** One attempt: follows redirects, then writes the body to `file`. */
async function attempt(
  download: Pick<Download, 'release' | 'url' | 'token'>,
  file: string,
  signal: AbortSignal,
  progress: Progress
): Promise<void> {
  const chain = [download.url]
  let current = download.url
  for (;;) {
    // the token is for GitHub; a redirect to another host (its asset storage, a mirror) never sees it
    const headers: Record<string, string> = { 'user-agent': 'cpython-wasm-action' }
    if (download.token && isGitHubUrl(current)) headers.authorization = `token ${download.token}`
    const response = await get(new URL(current), headers, signal)
    const status = response.statusCode ?? 0
    if (REDIRECTS.has(status) && response.headers.location) {
      response.resume()
      const next = redirectTarget(current, response.headers.location)
      const loop = chain.includes(next)
      chain.push(next)
      if (loop || chain.length - 1 > MAX_REDIRECTS)
        throw new FinalError(
          `it redirects ${loop ? 'in a loop' : `more than ${MAX_REDIRECTS} times`}: ${chain.map(shownUrl).join(' -> ')}`
        )
      core.info(`Redirected to ${shownUrl(next)}`)
      current = next
      continue
    }
    if (status !== 200) {
      response.resume()
      throw new StatusError(status)
    }
    const length = Number(response.headers['content-length'])
    progress.received = 0
    progress.total = Number.isFinite(length) && length >= 0 ? length : undefined
    response.on('data', (chunk: Buffer) => {
      progress.received += chunk.length
    })
    await pipeline(response, fs.createWriteStream(file), { signal })
    if (progress.total !== undefined && progress.received < progress.total)
      throw new Error(`the connection closed after ${progress.received} of ${progress.total} bytes`)
    return
  }
}

/** Fetches `download.url` into `file` within the deadline; throws a ToolchainError. */
export async function fetchFile(
  download: Pick<Download, 'release' | 'url' | 'token'>,
  file: string
): Promise<void> {
  const { release, url } = download
  const deadline = secondsFrom(TIMEOUT_VARIABLE, DEFAULT_TIMEOUT_SECONDS)
  const every = secondsFrom(PROGRESS_VARIABLE, DEFAULT_PROGRESS_SECONDS)
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(), deadline * 1000)
  const started = Date.now()
  const progress: Progress = { received: 0 }
  // a slow or stalled transfer shows in the log as it happens, not only at the deadline
  const ticker = setInterval(() => {
    const { received, total } = progress
    const of = total ? ` of ${size(total)} (${Math.floor((received / total) * 100)}%)` : ''
    core.info(
      `${release}: ${size(received)}${of} so far, ${Math.round((Date.now() - started) / 1000)} s`
    )
  }, every * 1000)
  try {
    for (let n = 1; ; n++) {
      try {
        await attempt(download, file, controller.signal, progress)
        return
      } catch (error) {
        await io.rmRF(file)
        if (controller.signal.aborted) break
        if (n >= MAX_ATTEMPTS || !retryable(error)) throw downloadError(release, url, error)
        core.info(error instanceof Error ? error.message : String(error))
      }
      const seconds = retryWaitSeconds()
      core.info(`Waiting ${seconds} seconds before trying again`)
      try {
        await sleep(seconds * 1000, undefined, { signal: controller.signal })
      } catch {
        break // the deadline passed while waiting
      }
    }
    throw new ToolchainError(
      `${release}: downloading ${url} did not finish within ${deadline} s (${size(progress.received)} of the file received); ` +
        'gave up. The server or mirror is too slow or stalled; nothing was installed.'
    )
  } finally {
    clearTimeout(timer)
    clearInterval(ticker)
  }
}

/** Downloads `download.url` into `dir` and checks its sum; throws a ToolchainError. */
export async function downloadVerified(download: Download, dir: string): Promise<Downloaded> {
  const { release, url } = download
  const file = path.join(dir, fileName(url) || 'archive')
  // a file left here is from an interrupted run
  await io.rmRF(file)
  fs.mkdirSync(dir, { recursive: true })
  core.info(`Downloading ${release} from ${url}`)
  const started = Date.now()
  await fetchFile(download, file)
  const bytes = fs.statSync(file).size
  core.info(`Downloaded ${bytes} bytes in ${((Date.now() - started) / 1000).toFixed(1)} s`)

  const actual = await hashFile(file, 'sha256')
  if (!download.sha256) {
    core.warning(
      `${release}: no known sha256 for ${url}, so the download is not verified (verify: warn). ` +
        `Its sha256 is ${actual}; once you have checked it, set ${
          download.sha256Input === 'checksums'
            ? `checksums to a line "${actual}  ${fileName(url)}"`
            : `${download.sha256Input}: ${actual}`
        }.`
    )
  } else if (actual !== download.sha256.toLowerCase()) {
    await io.rmRF(file)
    const from = sumSourceText(download)
    throw new ToolchainError(
      `${release}: checksum mismatch for ${url}\n` +
        `  expected sha256 ${download.sha256} (from ${from})\n` +
        `  actual sha256   ${actual}\n` +
        'The download is not what was expected (a changed release, a wrong mirror or a corrupted transfer); nothing was installed.'
    )
  } else {
    core.info(`sha256 ${actual} matches ${sumSourceText(download)}`)
  }
  return { file, sha256: actual }
}

function sumSourceText(download: Download): string {
  switch (download.sha256From) {
    case 'input':
      return download.sha256Input
    case 'digest':
      return "the release asset's digest in GitHub's API"
    default:
      return "the action's table"
  }
}

function downloadError(release: string, url: string, error: unknown): ToolchainError {
  if (error instanceof StatusError) {
    const status = error.status
    if (status === 404)
      return new ToolchainError(
        `${release} not found at ${url} (HTTP 404). Check the version, and the mirror if one is set.`
      )
    if (status === 401 || status === 403)
      return new ToolchainError(
        `${release}: ${url} refused the download (HTTP ${status}). ` +
          (isGitHubUrl(url)
            ? 'Check github-token, or wait if the rate limit is exhausted.'
            : 'Check that the mirror allows anonymous downloads.')
      )
    return new ToolchainError(
      `${release}: downloading ${url} failed (HTTP ${status}${retryable(error) ? `, after ${MAX_ATTEMPTS} attempts` : ''}).`
    )
  }
  const message = error instanceof Error ? error.message : String(error)
  if (error instanceof FinalError)
    return new ToolchainError(`${release}: downloading ${url} failed: ${message}`)
  return new ToolchainError(
    `${release}: downloading ${url} failed after ${MAX_ATTEMPTS} attempts: ${message || 'connection error'}`
  )
}
