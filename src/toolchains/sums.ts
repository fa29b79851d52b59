/**
 * Settles the sum of every download before anything is installed: the plan
 * already holds the user's sums and the table's; what is left is asked of
 * GitHub's REST API, which publishes a `digest` ("sha256:<hex>") for each
 * release asset (GET /repos/{owner}/{repo}/releases/tags/{tag}, assets[].digest;
 * https://docs.github.com/en/rest/releases/releases#get-a-release-by-tag-name).
 * The token goes to the API host only (GITHUB_API_URL, as on GitHub
 * Enterprise Server). With `verify: strict` a download with no sum fails the
 * run here, naming each one and the ways out; with `verify: warn` it is
 * reported and installed unverified.
 */
import * as core from '@actions/core'
import { ToolchainError } from '../catalog/errors.js'
import type { ReleaseAsset } from '../catalog/downloads.js'
import { emsdkBinariesRange } from '../catalog/emsdk-binaries.js'
import type { ToolchainPlan } from '../plan/types.js'
import { get, shownUrl } from './download.js'

const API_TIMEOUT_MS = 30_000

const apiUrl = (env: NodeJS.ProcessEnv = process.env): string =>
  (env.GITHUB_API_URL || 'https://api.github.com').replace(/\/+$/, '')

/** The asset's sha256 from the API, or why there is none (a status, no digest, no such asset). */
export async function releaseDigest(
  asset: ReleaseAsset,
  token: string | undefined,
  api = apiUrl()
): Promise<{ sha256: string } | { problem: string }> {
  const url = `${api}/repos/${asset.repo}/releases/tags/${encodeURIComponent(asset.tag)}`
  const headers: Record<string, string> = {
    'user-agent': 'cpython-wasm-action',
    accept: 'application/vnd.github+json',
    'x-github-api-version': '2022-11-28'
  }
  if (token) headers.authorization = `Bearer ${token}`
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(), API_TIMEOUT_MS)
  try {
    const response = await get(new URL(url), headers, controller.signal)
    const chunks: Buffer[] = []
    for await (const chunk of response) chunks.push(chunk as Buffer)
    const status = response.statusCode ?? 0
    if (status !== 200) return { problem: `${shownUrl(url)} answered HTTP ${status}` }
    const release = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
      assets?: { name?: string; digest?: string | null }[]
    }
    const found = release.assets?.find(a => a.name === asset.file)
    if (!found) return { problem: `the release ${asset.tag} has no asset ${asset.file}` }
    const digest = /^sha256:([0-9a-f]{64})$/i.exec(found.digest ?? '')
    if (!digest) return { problem: `GitHub publishes no digest for ${asset.file}` }
    return { sha256: digest[1].toLowerCase() }
  } catch (error) {
    return {
      problem: `asking ${shownUrl(url)} failed: ${controller.signal.aborted ? `no answer within ${API_TIMEOUT_MS / 1000} s` : error instanceof Error ? error.message : String(error)}`
    }
  } finally {
    clearTimeout(timer)
  }
}

/** A download without a sum, as a message line. */
interface Unverified {
  tool: ToolchainPlan['tool']
  line: string
}

/**
 * Fills in release digests and returns the toolchains that would install
 * something unverified (warn mode); throws in strict mode when there is any.
 */
export async function settleSums(
  toolchains: ToolchainPlan[],
  verify: 'strict' | 'warn',
  token: string | undefined
): Promise<Set<ToolchainPlan['tool']>> {
  const missing: Unverified[] = []
  for (const t of toolchains) {
    if (t.source !== 'download') continue
    const release = `${t.tool} ${t.version}`
    if (!t.sha256) {
      let why = 'the action has no sum for it'
      if (t.asset) {
        const digest = await releaseDigest(t.asset, token)
        if ('sha256' in digest) {
          t.sha256 = digest.sha256
          t.sha256From = 'digest'
          core.info(`${release}: sha256 ${digest.sha256} from GitHub's digest of ${t.asset.file}`)
        } else why += `, and no digest: ${digest.problem}`
      }
      if (!t.sha256)
        missing.push({
          tool: t.tool,
          line: `${release} (${t.url}): ${why}; set ${t.tool}-sha256`
        })
    }
    if (t.tool !== 'emsdk') continue
    if (!t.nested) {
      const [oldest, newest] = emsdkBinariesRange()
      missing.push({
        tool: t.tool,
        line:
          `${release}: \`emsdk install\` would download its wasm-binaries archive and Node unverified; ` +
          `the action knows them for emsdk ${oldest} to ${newest}. Use one of those, or emsdk-path`
      })
      continue
    }
    for (const d of t.nested)
      if (!d.sha256)
        missing.push({
          tool: t.tool,
          line: `${d.what} (${d.url}): the action has no sum for it; add it to the checksums input`
        })
  }
  if (missing.length === 0) return new Set()
  const list = missing.map(m => `  - ${m.line}`).join('\n')
  if (verify === 'strict')
    throw new ToolchainError(
      `No known sha256 for ${missing.length === 1 ? 'this download' : 'these downloads'}, so nothing was installed (verify: strict):\n${list}\n` +
        'Give the sum as the input named, or set verify: warn to install unverified downloads ' +
        '(with a warning, outside the tool cache, and with no cache saved).'
    )
  core.warning(
    `Installing unverified downloads (verify: warn); they stay out of the tool cache and no cache is saved:\n${list}`
  )
  return new Set(missing.map(m => m.tool))
}
