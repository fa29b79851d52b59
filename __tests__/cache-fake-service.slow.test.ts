/**
 * The one cache-fake-service case that waits: a service that answers 500.
 * The @actions/cache client retries each call five times, 3 to 15 s apart,
 * and takes that from no setting a test could change, so this takes about
 * half a minute; it runs in the slow suite (npm run test:slow).
 */
import { describe, expect, it } from '@jest/globals'
import * as cache from '@actions/cache'
import { content, printed, service, useFakeCacheService, warnings } from './support/cache-client.js'

useFakeCacheService()

describe('the fake results service with the real @actions/cache', () => {
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
})
