/**
 * A toolchain saved in the Actions cache by a run with a mirror and that
 * mirror's sum is never restored by a run that expects another URL or sum:
 * the key carries both. Through the bundled action's main and post steps,
 * against the loopback results service (support/cache-jobs.ts); each job
 * starts with an empty tool cache, as a new job on a hosted runner would.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { startDownloadServer, type DownloadServer } from './support/download-server.js'
import {
  ARCH,
  editSource,
  expectBuilt,
  finalizedKeys,
  job,
  mirror,
  sdk,
  useCacheJobs
} from './support/cache-jobs.js'
import { wasiSdkArchive, type Archive } from './support/toolchain-archives.js'

useCacheJobs()

let other: DownloadServer
let modified: Archive
let work: string

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(path.dirname(sdk.file), 'identity-'))
  other = await startDownloadServer()
  modified = wasiSdkArchive(work, 24, ARCH, { marker: 'modified' })
  other.serve(modified.urlPath, modified.file)
})

afterAll(async () => {
  await other.close()
})

const toolchainKey = (keys: string[]): string | undefined =>
  keys.find(k => k.startsWith('cwa1-toolchain-wasi-sdk-'))

describe('toolchain cache entries are keyed on what they were verified as', () => {
  test('an SDK saved by a run with a mirror and its sum is not restored by a run that expects the release', async () => {
    const withMirror = await job('with-mirror', {
      inputs: {
        'wasi-sdk-mirror': other.url,
        'wasi-sdk-sha256': modified.sha256,
        'cache-save': 'always'
      }
    })
    expectBuilt(withMirror)
    const savedByMirror = toolchainKey(finalizedKeys(withMirror))

    // the release's URL and sum: a miss, so a download from its own mirror
    const release = await job('release')
    expectBuilt(release)
    expect(release.hits['toolchain-wasi-sdk']).toBe('miss')
    expect(mirror.requests.get(sdk.urlPath)).toBe(1)
    const sdkDir = release.main.exportedEnv.WASI_SDK_PATH
    expect(fs.existsSync(path.join(sdkDir, 'MARKER'))).toBe(false)
    const savedByRelease = toolchainKey(finalizedKeys(release))
    expect(savedByRelease).toBeDefined()
    expect(savedByRelease).not.toBe(savedByMirror)
    for (const key of [savedByMirror, savedByRelease])
      expect(key).toMatch(new RegExp(`^cwa1-toolchain-wasi-sdk-24-Linux-${ARCH}-[0-9a-f]{20}$`))

    // the next such run (of another commit) restores the release's own entry, record included, and trusts it
    const again = await job('again', { edit: editSource('again') })
    expectBuilt(again)
    expect(again.hits['toolchain-wasi-sdk']).toBe('exact')
    expect(mirror.requests.get(sdk.urlPath)).toBe(1)
    expect(again.main.stdout).toContain(`wasi-sdk 24: found in the tool cache at ${sdkDir}`)
    expect(again.main.warnings).toEqual([])
    expect(JSON.parse(fs.readFileSync(`${sdkDir}.verified.json`, 'utf8'))).toMatchObject({
      url: `${mirror.url}${sdk.urlPath}`,
      sha256: sdk.sha256
    })
  }, 180_000)
})
