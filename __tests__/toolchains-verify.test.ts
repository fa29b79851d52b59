/**
 * Every byte the bundled action installs is checked, and a mirrored run asks
 * no other host:
 *
 * - a release asset the table has no sum for is checked against the digest
 *   GitHub's API publishes (a loopback API here); the token goes to the API
 *   and to no mirror;
 * - an asset without digest, or an API answering 403 or 500, fails before
 *   anything is downloaded (verify: strict), or installs outside the tool
 *   cache with a warning (verify: warn);
 * - emsdk's wasm-binaries archive and Node are downloaded through the mirror
 *   input and verified by the action, so the stand-in emsdk (which fetches
 *   what its downloads/ folder lacks from a storage host of its own) fetches
 *   nothing; a wrong sum on one of them fails with nothing installed.
 *
 * As in the other toolchain tests, the fake checkout's configure fails at
 * once: a run that got past the toolchains fails with FAKE_CONFIGURE_MESSAGE.
 */
import { describe, expect, test } from '@jest/globals'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {
  ARCH,
  checkout,
  expectFailure,
  expectToolchainsInstalled,
  installedSdk,
  nestedInputs,
  server,
  SLOW,
  toolCacheEntries,
  useToolchainJobs,
  work
} from './support/toolchain-jobs.js'
import { makeRunnerDirs, runAction, type ActionResult } from './support/harness.js'
import { emsdkArchive, wasmtimeArchive } from './support/toolchain-archives.js'
import { State } from '../src/catalog/state.js'

useToolchainJobs('cwa-verify-')

const TOKEN = 'secret-token-for-the-api-only'

async function run(
  inputs: Record<string, string>,
  env: Record<string, string> = {}
): Promise<ActionResult> {
  return runAction({
    dirs: makeRunnerDirs(fs.mkdtempSync(path.join(work, 'job-'))),
    env: { GITHUB_API_URL: `${server.url}/api`, ...env },
    inputs: {
      source: checkout,
      test: 'none',
      upload: 'false',
      cache: 'false',
      'github-token': TOKEN,
      ...inputs
    },
    fastRetries: true,
    timeoutMs: SLOW - 10_000
  })
}

/** The API's answer for a wasmtime release: its asset with this digest (or none). */
function serveRelease(version: string, file: string, digest: string | null): string {
  const apiPath = `/api/repos/bytecodealliance/wasmtime/releases/tags/v${version}`
  const json = path.join(fs.mkdtempSync(path.join(work, 'api-')), 'release.json')
  fs.writeFileSync(
    json,
    JSON.stringify({ tag_name: `v${version}`, assets: [{ name: file, digest }] })
  )
  server.serve(apiPath, json)
  return apiPath
}

/** wasmtime `version` (no sum in the table) from the mirror, with the SDK already installed. */
function wasmtimeRelease(version: string): {
  inputs: Record<string, string>
  urlPath: string
  sha256: string
  file: string
} {
  const archive = wasmtimeArchive(work, version, ARCH)
  server.serve(archive.urlPath, archive.file)
  return {
    inputs: {
      targets: 'wasi',
      'wasi-sdk-path': installedSdk,
      'wasmtime-version': version,
      'wasmtime-mirror': server.url
    },
    urlPath: archive.urlPath,
    sha256: archive.sha256,
    file: path.basename(archive.urlPath)
  }
}

describe("a release asset's digest from GitHub's API", () => {
  test.concurrent(
    'checks a download the table has no sum for; the token goes to the API, not to the mirror',
    async () => {
      const release = wasmtimeRelease('31.0.1')
      const apiPath = serveRelease('31.0.1', release.file, `sha256:${release.sha256}`)
      const result = await run(release.inputs)
      expectToolchainsInstalled(result)
      expect(result.stdout).toContain(
        `sha256 ${release.sha256} matches the release asset's digest in GitHub's API`
      )
      expect(server.headers.get(apiPath)?.authorization).toBe(`Bearer ${TOKEN}`)
      expect(server.headers.get(release.urlPath)?.authorization).toBeUndefined()
      const record = JSON.parse(
        fs.readFileSync(
          path.join(result.dirs.toolCache, 'wasmtime', '31.0.1', `${ARCH}.verified.json`),
          'utf8'
        )
      ) as Record<string, string>
      expect(record.checkedAgainst).toBe('digest')
    },
    SLOW
  )

  test.concurrent(
    'a digest that does not match fails with nothing installed',
    async () => {
      const release = wasmtimeRelease('31.0.2')
      serveRelease('31.0.2', release.file, `sha256:${'0'.repeat(64)}`)
      const result = await run(release.inputs)
      expectFailure(
        result,
        `wasmtime 31.0.2: checksum mismatch for ${server.url}${release.urlPath}`,
        "from the release asset's digest in GitHub's API"
      )
      expect(toolCacheEntries(result.dirs)).toEqual([])
    },
    SLOW
  )

  test.concurrent(
    'an asset without digest and no table entry: strict fails before the download, naming the ways out',
    async () => {
      const release = wasmtimeRelease('31.0.3')
      serveRelease('31.0.3', release.file, null)
      const result = await run(release.inputs)
      expectFailure(
        result,
        'No known sha256',
        `wasmtime 31.0.3 (${server.url}${release.urlPath})`,
        `GitHub publishes no digest for ${release.file}`,
        'set wasmtime-sha256',
        'verify: warn'
      )
      expect(server.requests.get(release.urlPath)).toBeUndefined()
      expect(toolCacheEntries(result.dirs)).toEqual([])
    },
    SLOW
  )

  for (const status of [403, 500])
    test.concurrent(
      `an API answering ${status}: strict fails naming the status; warn installs outside the tool cache and saves no cache`,
      async () => {
        const release = wasmtimeRelease(`31.1.${status}`)
        const apiPath = `/api/repos/bytecodealliance/wasmtime/releases/tags/v31.1.${status}`
        server.fail(apiPath, { status }, { status })
        const strict = await run(release.inputs)
        expectFailure(strict, `${apiPath} answered HTTP ${status}`, 'verify: warn')
        expect(server.requests.get(release.urlPath)).toBeUndefined()
        expect(toolCacheEntries(strict.dirs)).toEqual([])

        const warn = await run({ ...release.inputs, verify: 'warn', cache: 'true' })
        expectToolchainsInstalled(warn)
        const warnings = warn.warnings.join('\n')
        expect(warnings).toContain(`answered HTTP ${status}`)
        expect(warnings).toContain(`set wasmtime-sha256: ${release.sha256}`)
        expect(warnings).toContain('No cache is saved')
        expect(toolCacheEntries(warn.dirs)).toEqual([])
        // nothing is handed to the post step to save
        expect(Object.keys(warn.state)).not.toContain(State.CachesToSave)
      },
      SLOW
    )
})

describe("emsdk's own downloads", () => {
  test(
    'with the mirror input alone every file comes from the mirror, verified, and emsdk install fetches nothing',
    async () => {
      const version = '4.0.12'
      const prefix = '/air-gap'
      const archive = emsdkArchive(work, version, {
        storage: `${server.url}/emsdk-storage`,
        arch: ARCH
      })
      server.serve(
        `${prefix}/github.com/emscripten-core/emsdk/archive/refs/tags/${version}.tar.gz`,
        archive.file
      )
      const nested = nestedInputs(version, prefix)
      const before = new Map(server.requests)
      const result = await run({
        targets: 'emscripten-node',
        'emsdk-version': version,
        'emsdk-sha256': archive.sha256,
        ...nested.inputs
      })
      expectToolchainsInstalled(result)
      const asked = [...server.requests]
        .filter(([p, n]) => n !== (before.get(p) ?? 0))
        .map(([p]) => p)
        .sort()
      // the tag archive, the wasm-binaries archive, Node and the ports, all under the
      // mirror; no API, no storage host
      expect(asked).toEqual(
        [
          `${prefix}/github.com/emscripten-core/emsdk/archive/refs/tags/${version}.tar.gz`,
          ...nested.files.map(f => `${prefix}${f.urlPath}`),
          ...nested.ports.map(p => `${prefix}${p.urlPath}`)
        ].sort()
      )
      expect(nested.ports.map(p => p.name)).toEqual(['zlib', 'bzip2', 'sqlite3'])
      expect(nested.files.map(f => f.urlPath)).toEqual([
        expect.stringMatching(
          /^\/storage\.googleapis\.com\/webassembly\/emscripten-releases-builds\/linux\/209b886304498eff50dd835850dc5715803401ed\/wasm-binaries(-arm64)?\.tar\.xz$/
        ),
        expect.stringMatching(
          /^\/nodejs\.org\/dist\/v22\.16\.0\/node-v22\.16\.0-linux-(x64|arm64)\.tar\.xz$/
        )
      ])
      for (const f of nested.files) {
        expect(result.stdout).toContain(`sha256 ${f.sha256} matches checksums`)
        expect(result.stdout).toContain(`Skipping download of ${path.basename(f.into)}: it exists`)
      }
      // the seeded archives are not kept in the installed SDK
      const dir = path.join(result.dirs.toolCache, 'emsdk', version, ARCH)
      for (const f of nested.files) expect(fs.existsSync(path.join(dir, f.into))).toBe(false)
    },
    SLOW
  )

  test(
    'a wrong sum on the wasm-binaries archive fails before emsdk install, with nothing installed',
    async () => {
      const version = '3.1.58'
      const archive = emsdkArchive(work, version, {
        storage: `${server.url}/emsdk-storage`,
        arch: ARCH
      })
      server.serve(archive.urlPath, archive.file)
      const nested = nestedInputs(version, '/wrong-binaries')
      const binaries = path.basename(nested.files[0].into)
      const checksums = nested.inputs.checksums
        .split('\n')
        .map(line => (line.endsWith(binaries) ? `${'e'.repeat(64)}  ${binaries}` : line))
        .join('\n')
      const result = await run({
        targets: 'emscripten-node',
        'emsdk-version': version,
        'emsdk-mirror': server.url,
        'emsdk-sha256': archive.sha256,
        ...nested.inputs,
        checksums
      })
      expectFailure(
        result,
        `wasm-binaries of emsdk ${version}: checksum mismatch for ${server.url}/wrong-binaries${nested.files[0].urlPath}`,
        /from checksums/
      )
      expect(result.stdout).not.toContain(`::group::emsdk ${version}: emsdk install`)
      expect(toolCacheEntries(result.dirs)).toEqual([])
      expect(server.requests.get(`/emsdk-storage/${binaries}`)).toBeUndefined()
    },
    SLOW
  )

  test(
    'an emsdk the action knows no wasm-binaries for: strict refuses before downloading anything',
    async () => {
      const result = await run({
        targets: 'emscripten-node',
        'emsdk-version': '3.1.18',
        'emsdk-mirror': `${server.url}/never`,
        'emsdk-sha256': 'a'.repeat(64)
      })
      expectFailure(
        result,
        'emsdk 3.1.18: `emsdk install` would download its wasm-binaries archive and Node unverified',
        'verify: warn'
      )
      expect(server.requests.get('/never/archive/refs/tags/3.1.18.tar.gz')).toBeUndefined()
    },
    SLOW
  )
})
