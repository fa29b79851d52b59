/**
 * Downloads a release archive and verifies it. tc.downloadTool makes up to
 * three attempts, 10 to 20 seconds apart, for 5xx, 408, 429, connection
 * errors, bodies cut short and socket time-outs (3 minutes without data); any
 * other status fails at once. Its errors name neither the URL nor the
 * release, so they are rewritten here into messages a user can act on.
 */
import * as core from '@actions/core'
import * as io from '@actions/io'
import * as tc from '@actions/tool-cache'
import * as crypto from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { ToolchainError } from '../catalog/errors.js'
import { isGitHubUrl } from '../catalog/downloads.js'

export interface Download {
  /** "wasi-sdk 24": what the messages call the release */
  release: string
  url: string
  /** expected sum, from the *-sha256 input or the table */
  sha256?: string
  sha256From?: 'table' | 'input'
  /** the input that supplies a sum, named in messages */
  sha256Input: string
  token?: string
}

export async function sha256Of(file: string): Promise<string> {
  const hash = crypto.createHash('sha256')
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/** Downloads `download.url` into `dir` and returns the file; throws a ToolchainError. */
export async function downloadVerified(download: Download, dir: string): Promise<string> {
  const { release, url } = download
  const file = path.join(dir, decodeURIComponent(url.slice(url.lastIndexOf('/') + 1)) || 'archive')
  // tc.downloadTool refuses to overwrite; a file left here is from an interrupted run
  await io.rmRF(file)
  fs.mkdirSync(dir, { recursive: true })
  core.info(`Downloading ${release} from ${url}`)
  const started = Date.now()
  try {
    const auth = download.token && isGitHubUrl(url) ? `token ${download.token}` : undefined
    await tc.downloadTool(url, file, auth)
  } catch (error) {
    await io.rmRF(file)
    throw downloadError(release, url, error)
  }
  const size = fs.statSync(file).size
  core.info(`Downloaded ${size} bytes in ${((Date.now() - started) / 1000).toFixed(1)} s`)

  const actual = await sha256Of(file)
  if (!download.sha256) {
    core.warning(
      `${release}: no known sha256 for ${url}, so the download is not verified. ` +
        `Its sha256 is ${actual}; set ${download.sha256Input}: ${actual} once you have checked it.`
    )
  } else if (actual !== download.sha256.toLowerCase()) {
    await io.rmRF(file)
    const from = download.sha256From === 'input' ? download.sha256Input : "the action's table"
    throw new ToolchainError(
      `${release}: checksum mismatch for ${url}\n` +
        `  expected sha256 ${download.sha256} (from ${from})\n` +
        `  actual sha256   ${actual}\n` +
        'The download is not what was expected (a changed release, a wrong mirror or a corrupted transfer); nothing was installed.'
    )
  } else {
    core.info(
      `sha256 ${actual} matches ${download.sha256From === 'input' ? download.sha256Input : 'the known sum'}`
    )
  }
  return file
}

function downloadError(release: string, url: string, error: unknown): ToolchainError {
  if (error instanceof tc.HTTPError) {
    const status = error.httpStatusCode
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
      `${release}: downloading ${url} failed (HTTP ${status ?? 'error'}${status && status >= 500 ? ', after 3 attempts' : ''}).`
    )
  }
  const message = error instanceof Error ? error.message : String(error)
  return new ToolchainError(
    `${release}: downloading ${url} failed after 3 attempts: ${message || 'connection error'}`
  )
}
