/**
 * What the bundled action trusts in a tool cache and in an archive:
 *
 * - an installed toolchain is reused only when its record (<dir>.verified.json)
 *   names the URL and sum this run expects, and it works;
 * - jobs that share one tool cache (self-hosted runners) install side by
 *   side: a failing one leaves the other's toolchain alone;
 * - archives whose top folder is a symbolic link, or with links leading out
 *   of their folder, are refused;
 * - a toolchain that does not run is never published, and a damaged one in
 *   the tool cache is installed again.
 *
 * As in toolchains-install.test.ts, the fake checkout's configure fails at
 * once: a run that got past the toolchains fails with FAKE_CONFIGURE_MESSAGE.
 * The archive and probe tests run side by side; each has its own job folders.
 */
import { describe, expect, test } from '@jest/globals'
import { execFileSync } from 'node:child_process'
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
  useToolchainJobs,
  work
} from './support/toolchain-jobs.js'
import { makeRunnerDirs, runAction, type ActionResult, type RunnerDirs } from './support/harness.js'
import {
  emsdkArchive,
  wasiSdkArchive,
  wasmtimeArchive,
  type Archive,
  type WasiSdkOptions
} from './support/toolchain-archives.js'

const WRONG_SUM = 'f'.repeat(64)

useToolchainJobs('cwa-trust-')

/** Serves `archive` under `prefix` (a mirror of its own); returns that mirror's base URL. */
function mirror(prefix: string, archive: Archive): string {
  server.serve(`${prefix}${archive.urlPath}`, archive.file)
  return `${server.url}${prefix}`
}

/** Job folders of their own, with the tool cache `toolCache` (shared) or their own. */
function jobDirs(toolCache?: string): RunnerDirs {
  const dirs = makeRunnerDirs(fs.mkdtempSync(path.join(work, 'job-')))
  if (!toolCache) return dirs
  fs.rmSync(dirs.toolCache, { recursive: true })
  fs.mkdirSync(toolCache, { recursive: true })
  return { ...dirs, toolCache }
}

async function run(inputs: Record<string, string>, dirs = jobDirs()): Promise<ActionResult> {
  return runAction({
    dirs,
    inputs: {
      source: checkout,
      test: 'none',
      upload: 'false',
      cache: 'false',
      'wasmtime-version': 'none',
      ...inputs
    },
    fastRetries: true,
    timeoutMs: SLOW - 10_000
  })
}

const sdkInputs = (base: string, sha256: string): Record<string, string> => ({
  targets: 'wasi',
  'wasi-sdk-version': '24',
  'wasi-sdk-mirror': base,
  'wasi-sdk-sha256': sha256
})

const emsdkInputs = (version: string, base: string, sha256: string): Record<string, string> => ({
  ...nestedInputs(version, `/nested-${version}`).inputs,
  targets: 'emscripten-node',
  'emsdk-version': version,
  'emsdk-mirror': base,
  'emsdk-sha256': sha256
})

const sdkDir = (toolCache: string): string => path.join(toolCache, 'wasi-sdk', '24.0.0', ARCH)
const marker = (dir: string): string => fs.readFileSync(path.join(dir, 'MARKER'), 'utf8').trim()
const record = (dir: string): Record<string, string> =>
  JSON.parse(fs.readFileSync(`${dir}.verified.json`, 'utf8')) as Record<string, string>
/** What a release's folder in the tool cache holds: the install, its marker and its record, nothing else. */
const published = [ARCH, `${ARCH}.complete`, `${ARCH}.verified.json`]

describe('an installed toolchain is reused only as what it was verified as', () => {
  test(
    'one installed from another mirror, under another sum, is installed again; one expecting another sum never uses it',
    async () => {
      const toolCache = path.join(work, 'shared-identity')
      const modified = wasiSdkArchive(work, 24, ARCH, { marker: 'modified' })
      const release = wasiSdkArchive(work, 24, ARCH, { marker: 'release' })
      const mirrorA = mirror('/identity-a', modified)
      const mirrorB = mirror('/identity-b', release)
      const dir = sdkDir(toolCache)

      // a job with a mirror and its sum installs its SDK into the shared tool cache
      const a = await run(sdkInputs(mirrorA, modified.sha256), jobDirs(toolCache))
      expectToolchainsInstalled(a)
      expect(marker(dir)).toBe('modified')

      // the next job expects another URL and sum: it does not use that SDK
      const b = await run(sdkInputs(mirrorB, release.sha256), jobDirs(toolCache))
      expectToolchainsInstalled(b)
      expect(marker(dir)).toBe('release')
      expect(server.requests.get(`/identity-b${release.urlPath}`)).toBe(1)
      expect(b.warnings).toEqual([
        `wasi-sdk 24: not using the tool cache entry at ${dir}: it was installed from ${mirrorA}${modified.urlPath}, not from ${mirrorB}${release.urlPath}. Installing it again.`
      ])
      expect(record(dir)).toMatchObject({
        url: `${mirrorB}${release.urlPath}`,
        sha256: release.sha256
      })
      expect(b.exportedEnv.WASI_SDK_PATH).toBe(dir)

      // the same again: found, no request
      const c = await run(sdkInputs(mirrorB, release.sha256), jobDirs(toolCache))
      expectToolchainsInstalled(c)
      expect(c.warnings).toEqual([])
      expect(c.stdout).toContain(`wasi-sdk 24: found in the tool cache at ${dir}`)
      expect(server.requests.get(`/identity-b${release.urlPath}`)).toBe(1)

      // the same URL with another expected sum: not used, downloaded and refused;
      // the verified install stays for the jobs that expect it
      const d = await run(sdkInputs(mirrorB, modified.sha256), jobDirs(toolCache))
      expectFailure(d, 'wasi-sdk 24: checksum mismatch')
      expect(d.warnings.join('\n')).toContain(
        `its archive had sha256 ${release.sha256}, not the expected ${modified.sha256}`
      )
      expect(marker(dir)).toBe('release')
      expect(fs.readdirSync(path.dirname(dir)).sort()).toEqual(published)
    },
    SLOW
  )

  test(
    'one without a record (installed before records existed, or the record removed) is installed again',
    async () => {
      const sdk = wasiSdkArchive(work, 24, ARCH, { marker: 'norecord' })
      const base = mirror('/no-record', sdk)
      const first = await run(sdkInputs(base, sdk.sha256))
      expectToolchainsInstalled(first)
      const dir = sdkDir(first.dirs.toolCache)
      fs.rmSync(`${dir}.verified.json`)
      const second = await run(sdkInputs(base, sdk.sha256), first.dirs)
      expectToolchainsInstalled(second)
      expect(second.warnings).toEqual([
        expect.stringContaining(
          `not using the tool cache entry at ${dir}: it has no record of what it was verified as`
        )
      ])
      expect(server.requests.get(`/no-record${sdk.urlPath}`)).toBe(2)
      expect(record(dir)).toMatchObject({ sha256: sdk.sha256, checkedAgainst: 'input' })
    },
    SLOW
  )
})

describe('jobs sharing one tool cache', () => {
  test(
    'two WASI SDK installs at once, one with a wrong sum: the good one ends installed, the bad one fails cleanly',
    async () => {
      const toolCache = path.join(work, 'shared-wasi')
      const dir = sdkDir(toolCache)
      const sdk = wasiSdkArchive(work, 24, ARCH, { marker: 'good' })
      const good = mirror('/concurrent-good', sdk)
      const bad = mirror('/concurrent-bad', sdk)
      // the bad job's download arrives only once the good job has published
      server.fail(`/concurrent-bad${sdk.urlPath}`, {
        until: () => fs.existsSync(`${dir}.complete`)
      })
      const [g, b] = await Promise.all([
        run(sdkInputs(good, sdk.sha256), jobDirs(toolCache)),
        run(sdkInputs(bad, WRONG_SUM), jobDirs(toolCache))
      ])
      expectToolchainsInstalled(g)
      expectFailure(b, `wasi-sdk 24: checksum mismatch for ${bad}${sdk.urlPath}`)
      expect(marker(dir)).toBe('good')
      expect(fs.existsSync(path.join(dir, 'bin', 'clang'))).toBe(true)
      expect(record(dir)).toMatchObject({ url: `${good}${sdk.urlPath}` })
      // no staging folder, lock or retired copy is left
      expect(fs.readdirSync(path.dirname(dir)).sort()).toEqual(published)
    },
    SLOW
  )

  test(
    'two emsdk installs at once, one whose emsdk install fails: the good SDK stays installed and activated',
    async () => {
      const toolCache = path.join(work, 'shared-emsdk')
      const dir = path.join(toolCache, 'emsdk', '3.1.60', ARCH)
      const good = emsdkArchive(work, '3.1.60')
      const failing = emsdkArchive(work, '3.1.60', { failInstall: true })
      const goodBase = mirror('/emsdk-good', good)
      const badBase = mirror('/emsdk-bad', failing)
      server.fail(`/emsdk-bad${failing.urlPath}`, {
        until: () => fs.existsSync(`${dir}.complete`)
      })
      const [g, b] = await Promise.all([
        run(emsdkInputs('3.1.60', goodBase, good.sha256), jobDirs(toolCache)),
        run(emsdkInputs('3.1.60', badBase, failing.sha256), jobDirs(toolCache))
      ])
      expectToolchainsInstalled(g)
      expect(g.exportedEnv.EMSDK).toBe(dir)
      expectFailure(b, '`emsdk install 3.1.60` failed with exit code 1')
      expect(fs.readFileSync(path.join(dir, '.emscripten'), 'utf8')).toContain(dir)
      expect(fs.existsSync(path.join(dir, 'upstream', 'emscripten', 'emcc'))).toBe(true)
      expect(record(dir)).toMatchObject({ url: `${goodBase}${good.urlPath}` })
      expect(fs.readdirSync(path.dirname(dir)).sort()).toEqual(published)
    },
    SLOW
  )

  test(
    'what killed jobs left beside an install is removed once a day old; a live job’s staging folder is not',
    async () => {
      const toolCache = path.join(work, 'shared-leftovers')
      const dir = sdkDir(toolCache)
      fs.mkdirSync(path.dirname(dir), { recursive: true })
      const old = new Date(Date.now() - 2 * 24 * 3600_000)
      for (const name of [`${ARCH}.staging-killed`, `${ARCH}.retired-killed`]) {
        fs.mkdirSync(path.join(path.dirname(dir), name, 'unpacked'), { recursive: true })
        fs.utimesSync(path.join(path.dirname(dir), name), old, old)
      }
      fs.mkdirSync(path.join(path.dirname(dir), `${ARCH}.staging-live`))
      const sdk = wasiSdkArchive(work, 24, ARCH)
      const result = await run(sdkInputs(mirror('/leftovers', sdk), sdk.sha256), jobDirs(toolCache))
      expectToolchainsInstalled(result)
      expect(fs.readdirSync(path.dirname(dir)).sort()).toEqual(
        [...published, `${ARCH}.staging-live`].sort()
      )
    },
    SLOW
  )

  test(
    'two good emsdk installs at once: both end with the one SDK, activated where it stays',
    async () => {
      const toolCache = path.join(work, 'shared-emsdk-both')
      const dir = path.join(toolCache, 'emsdk', '3.1.63', ARCH)
      const emsdk = emsdkArchive(work, '3.1.63')
      const base = mirror('/emsdk-both', emsdk)
      const jobs = await Promise.all([
        run(emsdkInputs('3.1.63', base, emsdk.sha256), jobDirs(toolCache)),
        run(emsdkInputs('3.1.63', base, emsdk.sha256), jobDirs(toolCache))
      ])
      for (const j of jobs) {
        expectToolchainsInstalled(j)
        expect(j.exportedEnv.EMSDK).toBe(dir)
      }
      expect(fs.readFileSync(path.join(dir, '.emscripten'), 'utf8')).toContain(dir)
      expect(fs.readdirSync(path.dirname(dir)).sort()).toEqual(published)
    },
    SLOW
  )
})

/** A WASI SDK archive made by hand: `build` fills root/ and names what to pack. */
function customArchive(name: string, build: (root: string, topDir: string) => string[]): Archive {
  const topDir = `wasi-sdk-24.0-${ARCH === 'x64' ? 'x86_64' : 'arm64'}-linux`
  const root = fs.mkdtempSync(path.join(work, `${name}-`))
  const members = build(root, topDir)
  const file = path.join(root, `${topDir}.tar.gz`)
  execFileSync('tar', ['-czf', file, '-C', root, ...members])
  const sha256 = execFileSync('sha256sum', [file], { encoding: 'utf8' }).split(' ')[0]
  return { urlPath: `/releases/download/wasi-sdk-24/${topDir}.tar.gz`, file, sha256, topDir }
}

/** A complete stand-in SDK tree at `dir` (copied out of a packed one). */
function sdkTree(dir: string, options: WasiSdkOptions = {}): void {
  const packed = wasiSdkArchive(work, 24, ARCH, options)
  fs.mkdirSync(dir, { recursive: true })
  execFileSync('tar', ['-xzf', packed.file, '-C', dir, '--strip-components=1'])
}

describe('symbolic links in an archive', () => {
  test.concurrent(
    'a top folder that is a link to a folder elsewhere is refused, and nothing of that folder is cached',
    async () => {
      const elsewhere = path.join(work, 'machine-folder')
      sdkTree(elsewhere, { marker: 'from the machine' })
      const archive = customArchive('top-link', (root, topDir) => {
        fs.symlinkSync(elsewhere, path.join(root, topDir))
        return [topDir]
      })
      const result = await run(sdkInputs(mirror('/top-link', archive), archive.sha256))
      expectFailure(
        result,
        `is refused: its top folder ${archive.topDir} is a symbolic link (to ${elsewhere})`
      )
      expect(fs.readdirSync(result.dirs.toolCache)).toEqual([])
    },
    SLOW
  )

  test.concurrent(
    'a link inside that leads out of the archive folder is refused',
    async () => {
      const archive = customArchive('inner-link', (root, topDir) => {
        sdkTree(path.join(root, topDir))
        fs.symlinkSync(
          '../../../../outside',
          path.join(root, topDir, 'share', 'wasi-sysroot', 'include', 'escape')
        )
        return [topDir]
      })
      const result = await run(sdkInputs(mirror('/inner-link', archive), archive.sha256))
      expectFailure(
        result,
        'its symbolic link share/wasi-sysroot/include/escape -> ../../../../outside leads outside'
      )
      expect(fs.readdirSync(result.dirs.toolCache)).toEqual([])
    },
    SLOW
  )

  test.concurrent(
    'a link that climbs out through another link is refused too',
    async () => {
      const archive = customArchive('chained-link', (root, topDir) => {
        sdkTree(path.join(root, topDir))
        // "here" is the top folder itself; here/.. is its parent, though it reads as inside
        fs.symlinkSync('.', path.join(root, topDir, 'here'))
        fs.symlinkSync('here/../secrets', path.join(root, topDir, 'notes'))
        return [topDir]
      })
      const result = await run(sdkInputs(mirror('/chained-link', archive), archive.sha256))
      expectFailure(result, 'its symbolic link notes -> here/../secrets leads outside')
      expect(fs.readdirSync(result.dirs.toolCache)).toEqual([])
    },
    SLOW
  )
})

describe('a toolchain is probed before it is used', () => {
  test.concurrent(
    'a WASI SDK whose clang does not run is not installed; the error names it',
    async () => {
      const sdk = wasiSdkArchive(work, 24, ARCH, { brokenClang: true })
      const result = await run(sdkInputs(mirror('/broken-clang', sdk), sdk.sha256))
      expectFailure(
        result,
        'wasi-sdk 24: the toolchain from',
        'does not work: `clang --version` failed (exit code 1): clang: error while loading shared libraries'
      )
      expect(fs.readdirSync(result.dirs.toolCache)).toEqual([])
    },
    SLOW
  )

  test.concurrent(
    'a WASI SDK without stdio.h is not installed; one with include/wasm32-wasip1/stdio.h is',
    async () => {
      const missing = wasiSdkArchive(work, 24, ARCH, { noStdio: true })
      const result = await run(sdkInputs(mirror('/no-stdio', missing), missing.sha256))
      expectFailure(result, 'share/wasi-sysroot/include has no stdio.h')
      expect(fs.readdirSync(result.dirs.toolCache)).toEqual([])

      const triple = wasiSdkArchive(work, 24, ARCH, { tripleInclude: true })
      expectToolchainsInstalled(await run(sdkInputs(mirror('/triple', triple), triple.sha256)))
    },
    SLOW
  )

  test.concurrent(
    'a wasmtime that reports another version is not installed',
    async () => {
      const wasmtime = wasmtimeArchive(work, '30.1.0', ARCH, '9.9.9')
      const result = await run({
        targets: 'wasi',
        'wasi-sdk-path': installedSdk,
        'wasmtime-version': '30.1.0',
        'wasmtime-mirror': mirror('/wasmtime-mislabelled', wasmtime),
        'wasmtime-sha256': wasmtime.sha256
      })
      expectFailure(
        result,
        '`wasmtime --version` says "wasmtime 9.9.9 (0000000 2024-01-01)", not 30.1.0'
      )
      expect(fs.readdirSync(result.dirs.toolCache)).toEqual([])
    },
    SLOW
  )

  test.concurrent(
    'an emsdk tag that installs another Emscripten is not installed',
    async () => {
      const emsdk = emsdkArchive(work, '3.1.61', { installs: '3.1.62' })
      const result = await run(emsdkInputs('3.1.61', mirror('/emsdk-other', emsdk), emsdk.sha256))
      expectFailure(result, 'upstream/emscripten/emscripten-version.txt says 3.1.62, not 3.1.61')
      expect(fs.readdirSync(result.dirs.toolCache)).toEqual([])
    },
    SLOW
  )

  test.concurrent(
    'a damaged WASI SDK in the tool cache is installed again',
    async () => {
      const sdk = wasiSdkArchive(work, 24, ARCH)
      const base = mirror('/damaged', sdk)
      const first = await run(sdkInputs(base, sdk.sha256))
      expectToolchainsInstalled(first)
      const dir = sdkDir(first.dirs.toolCache)
      fs.rmSync(path.join(dir, 'share', 'wasi-sysroot', 'include', 'stdio.h'))
      const second = await run(sdkInputs(base, sdk.sha256), first.dirs)
      expectToolchainsInstalled(second)
      expect(second.warnings).toEqual([
        `wasi-sdk 24: not using the tool cache entry at ${dir}: it is broken: share/wasi-sysroot/include has no stdio.h (nor include/wasm32-wasi*/stdio.h). Installing it again.`
      ])
      expect(server.requests.get(`/damaged${sdk.urlPath}`)).toBe(2)
      expect(fs.existsSync(path.join(dir, 'share', 'wasi-sysroot', 'include', 'stdio.h'))).toBe(
        true
      )
      expect(fs.readdirSync(path.dirname(dir)).sort()).toEqual(published)
    },
    SLOW
  )

  test.concurrent(
    'a damaged emsdk in the tool cache (emcc gone) is installed again',
    async () => {
      const emsdk = emsdkArchive(work, '3.1.64')
      const base = mirror('/damaged-emsdk', emsdk)
      const first = await run(emsdkInputs('3.1.64', base, emsdk.sha256))
      expectToolchainsInstalled(first)
      const dir = path.join(first.dirs.toolCache, 'emsdk', '3.1.64', ARCH)
      fs.rmSync(path.join(dir, 'upstream', 'emscripten', 'emcc'))
      const second = await run(emsdkInputs('3.1.64', base, emsdk.sha256), first.dirs)
      expectToolchainsInstalled(second)
      expect(second.warnings).toEqual([
        expect.stringContaining(
          `emsdk 3.1.64: not using the tool cache entry at ${dir}: it is broken: \`emcc --version\` failed (it is missing)`
        )
      ])
      expect(fs.existsSync(path.join(dir, 'upstream', 'emscripten', 'emcc'))).toBe(true)
      expect(second.exportedEnv.EMSDK).toBe(dir)
    },
    SLOW
  )
})
