/**
 * The fake results service against the real @actions/cache (no mocks): the
 * client code that the action bundles saves and restores through it exactly
 * as it would on a GitHub runner with cache service v2.
 *
 * A service that answers 500 is in cache-fake-service.slow.test.ts: the
 * client waits out its own retries there, about half a minute.
 */
import { describe, expect, it } from '@jest/globals'
import * as cache from '@actions/cache'
import { randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {
  content,
  printed,
  read,
  service,
  useFakeCacheService,
  useService,
  warnings
} from './support/cache-client.js'
import { closedUrl } from './support/fake-results-service.js'
import { runtimeToken } from './support/harness.js'

useFakeCacheService()

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
