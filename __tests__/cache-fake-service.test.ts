/**
 * The fake results service against the real @actions/cache (no mocks): the
 * client code that the action bundles saves and restores through it exactly
 * as it would on a GitHub runner with cache service v2.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import * as cache from '@actions/cache'
import { randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { closedUrl, FakeResultsService } from './support/fake-results-service.js'
import { runtimeToken } from './support/harness.js'

const VARS = [
  'ACTIONS_RESULTS_URL',
  'ACTIONS_RUNTIME_TOKEN',
  'ACTIONS_CACHE_SERVICE_V2',
  'ACTIONS_CACHE_URL',
  'GITHUB_WORKSPACE',
  'RUNNER_TEMP',
  'GITHUB_SERVER_URL'
]
const saved = Object.fromEntries(VARS.map(v => [v, process.env[v]]))

let service: FakeResultsService
let base: string
let workspace: string
/** what @actions/core prints (warnings are ::warning:: lines) */
let printed: string[] = []
const realWrite = process.stdout.write.bind(process.stdout)

function useService(env: Record<string, string>): void {
  for (const v of ['ACTIONS_RESULTS_URL', 'ACTIONS_RUNTIME_TOKEN', 'ACTIONS_CACHE_SERVICE_V2'])
    delete process.env[v]
  Object.assign(process.env, env)
}

/** A folder with one file, under the workspace (paths are archived relative to it). */
function content(name: string, text: string): string {
  const dir = path.join(workspace, name)
  fs.rmSync(dir, { recursive: true, force: true })
  fs.mkdirSync(dir, { recursive: true })
  fs.writeFileSync(path.join(dir, 'file.txt'), text)
  return dir
}

const read = (dir: string): string => fs.readFileSync(path.join(dir, 'file.txt'), 'utf8')
const warnings = (): string[] => printed.filter(l => l.startsWith('::warning'))

beforeAll(async () => {
  base = fs.mkdtempSync(path.join(os.tmpdir(), 'cache-fake-'))
  workspace = path.join(base, 'workspace')
  fs.mkdirSync(workspace)
  fs.mkdirSync(path.join(base, 'temp'))
  process.env.GITHUB_WORKSPACE = workspace
  process.env.RUNNER_TEMP = path.join(base, 'temp')
  delete process.env.GITHUB_SERVER_URL
  delete process.env.ACTIONS_CACHE_URL
  service = await new FakeResultsService(runtimeToken(), path.join(base, 'store')).start()
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    printed.push(...String(chunk).split('\n').filter(Boolean))
    return (realWrite as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest)
  }) as typeof process.stdout.write
})

afterAll(async () => {
  process.stdout.write = realWrite
  await service.stop()
  fs.rmSync(base, { recursive: true, force: true })
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k]
    else process.env[k] = v
  }
})

beforeEach(() => {
  service.fault = undefined
  printed = []
  useService(service.env())
})

describe('the fake results service with the real @actions/cache', () => {
  it('is found through ACTIONS_RESULTS_URL with cache service v2', () => {
    expect(cache.isFeatureAvailable()).toBe(true)
    useService({ ACTIONS_RUNTIME_TOKEN: runtimeToken(), ACTIONS_CACHE_SERVICE_V2: 'true' })
    expect(cache.isFeatureAvailable()).toBe(false)
  })

  it('saves, then restores the exact key', async () => {
    const dir = content('exact', 'first')
    const id = await cache.saveCache([dir], 'exact-key-1')
    expect(id).toBeGreaterThan(0)
    const entry = service.byKey('exact-key-1')
    expect(entry).toMatchObject({ finalized: true, singlePut: true })
    expect(entry?.sizeBytes).toBe(String(entry?.size))

    const create = service.twirpCalls('CreateCacheEntry')[0]
    expect(create.body).toEqual({ key: 'exact-key-1', version: entry?.version })
    const finalize = service.twirpCalls('FinalizeCacheEntryUpload')[0]
    // int64 travels as a string, fields by their proto names
    expect(finalize.body).toMatchObject({ key: 'exact-key-1', size_bytes: String(entry?.size) })
    expect(finalize.response).toEqual({ ok: true, entry_id: String(entry?.id) })
    const put = service.calls.find(c => c.method === 'BLOB' && c.httpMethod === 'PUT')
    expect(put?.status).toBe(201)

    fs.rmSync(dir, { recursive: true })
    const hit = await cache.restoreCache([dir], 'exact-key-1', ['exact-'])
    expect(hit).toBe('exact-key-1')
    expect(read(dir)).toBe('first')
    const get = service.twirpCalls('GetCacheEntryDownloadURL').at(-1)
    expect(get?.body).toEqual({
      key: 'exact-key-1',
      restore_keys: ['exact-'],
      version: entry?.version
    })
    expect(get?.response).toMatchObject({ ok: true, matched_key: 'exact-key-1' })
    expect(warnings()).toEqual([])
  })

  it('restores by restore key, newest entry first, only for the same version (paths)', async () => {
    const dir = content('prefix', 'older')
    expect(await cache.saveCache([dir], 'prefix-linux-aaa')).toBeGreaterThan(0)
    fs.writeFileSync(path.join(dir, 'file.txt'), 'newer')
    expect(await cache.saveCache([dir], 'prefix-linux-bbb')).toBeGreaterThan(0)
    // the same key prefix with other paths is another version: never returned here
    const other = content('prefix-other', 'other paths')
    expect(await cache.saveCache([other], 'prefix-linux-ccc')).toBeGreaterThan(0)

    fs.rmSync(dir, { recursive: true })
    const hit = await cache.restoreCache([dir], 'prefix-linux-zzz', ['prefix-nothing-', 'prefix-'])
    expect(hit).toBe('prefix-linux-bbb')
    expect(read(dir)).toBe('newer')

    // a miss: nothing under the key or the restore keys
    expect(await cache.restoreCache([dir], 'none-1', ['none-'])).toBeUndefined()
    expect(warnings()).toEqual([])
  })

  it('a reserve conflict: saveCache returns -1 and does not throw', async () => {
    const dir = content('conflict', 'x')
    expect(await cache.saveCache([dir], 'conflict-1')).toBeGreaterThan(0)
    // the same key again is refused like on GitHub
    expect(await cache.saveCache([dir], 'conflict-1')).toBe(-1)
    service.fault = 'reserve-conflict'
    expect(await cache.saveCache([dir], 'conflict-2')).toBe(-1)
    const creates = service.twirpCalls('CreateCacheEntry')
    expect(creates.at(-1)?.response).toMatchObject({ ok: false })
    expect(service.byKey('conflict-2')).toBeUndefined()
    expect(printed.some(l => l.includes('Unable to reserve cache with key conflict-2'))).toBe(true)
  })

  it('a corrupt archive fails the restore with a warning', async () => {
    const dir = content('corrupt', 'x')
    // random bytes, so the compressed archive is large enough to cut in half
    fs.writeFileSync(path.join(dir, 'random.bin'), randomBytes(300_000))
    expect(await cache.saveCache([dir], 'corrupt-1')).toBeGreaterThan(0)
    fs.rmSync(dir, { recursive: true })
    service.fault = 'corrupt-download'
    expect(await cache.restoreCache([dir], 'corrupt-1')).toBeUndefined()
    expect(warnings().some(w => w.includes('Failed to restore'))).toBe(true)
  })

  it('a service that answers 500 fails restore and save with warnings after retries', async () => {
    const dir = content('down', 'x')
    service.fault = 'unavailable'
    const [restored, id] = await Promise.all([
      cache.restoreCache([dir], 'down-1'),
      cache.saveCache([dir], 'down-2')
    ])
    expect(restored).toBeUndefined()
    expect(id).toBe(-1)
    // five attempts each
    const failed = (method: string): number =>
      service.twirpCalls(method).filter(c => c.status === 500).length
    expect(failed('GetCacheEntryDownloadURL')).toBe(5)
    expect(failed('CreateCacheEntry')).toBe(5)
    expect(warnings().filter(w => w.includes('Failed to restore'))).toHaveLength(1)
    // @actions/cache reports a failed CreateCacheEntry as a reserve failure, on the info level
    expect(printed.some(l => l.startsWith('Failed to save: Unable to reserve cache'))).toBe(true)
  }, 120_000)

  it('an absent service (connection refused) fails with warnings', async () => {
    useService({ ...service.env(), ACTIONS_RESULTS_URL: await closedUrl() })
    const dir = content('absent', 'x')
    expect(await cache.restoreCache([dir], 'absent-1')).toBeUndefined()
    expect(await cache.saveCache([dir], 'absent-1')).toBe(-1)
    expect(warnings().filter(w => w.includes('Failed to restore'))).toHaveLength(1)
    expect(printed.some(l => l.includes('ECONNREFUSED') && l.startsWith('::debug::'))).toBe(true)
    expect(printed.some(l => l.startsWith('Failed to save: Unable to reserve cache'))).toBe(true)
  })

  it('rejects a wrong runtime token', async () => {
    useService({ ...service.env(), ACTIONS_RUNTIME_TOKEN: 'not-the-token' })
    const dir = content('token', 'x')
    expect(await cache.restoreCache([dir], 'token-1')).toBeUndefined()
    expect(service.twirpCalls('GetCacheEntryDownloadURL').at(-1)?.status).toBe(401)
  })
})
