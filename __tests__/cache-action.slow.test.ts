/**
 * The one cache-action case that waits: a service that answers 500. The
 * @actions/cache client retries each call five times, 3 to 15 s apart, and
 * takes that from no setting a test could change, so this job takes about a
 * minute; it runs in the slow suite (npm run test:slow).
 */
import { describe, expect, test } from '@jest/globals'
import {
  editSource,
  expectBuilt,
  hitsOf,
  job,
  service,
  useCacheJobs
} from './support/cache-jobs.js'

useCacheJobs()

describe('a cache never fails a job', () => {
  test('a service that answers 500: one warning in each step after the retries, no more calls', async () => {
    service.fault = 'unavailable'
    const j = await job('unavailable', { edit: editSource('unavailable') })
    expectBuilt(j)
    expect(j.hits).toEqual(hitsOf('miss'))
    expect(j.main.warnings).toEqual([
      expect.stringMatching(/restore failed.*500.*not restoring the other caches/)
    ])
    expect(j.post.warnings).toEqual([
      expect.stringMatching(/not saved.*500.*not saving the other caches/)
    ])
    // one entry's five attempts in each step, then no more
    expect(j.calls.filter(c => c.method === 'GetCacheEntryDownloadURL')).toHaveLength(5)
    expect(j.calls.filter(c => c.method === 'CreateCacheEntry')).toHaveLength(5)
  }, 240_000)
})
