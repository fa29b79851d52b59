/**
 * Caching through the bundled action, the way a runner runs it (main step,
 * then the post step with its state), against the loopback results service
 * and the real @actions/cache, with the fake build of support/cache-jobs.ts.
 *
 * A service that answers 500 is in cache-action.slow.test.ts: @actions/cache
 * waits out its own retries there, about a minute.
 */
import { beforeAll, describe, expect, test } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { closedUrl } from './support/fake-results-service.js'
import {
  ALL,
  ARCH,
  created,
  editConfigure,
  editSource,
  expectBuilt,
  finalizedKeys,
  hitsOf,
  job,
  mirror,
  sdk,
  service,
  useCacheJobs,
  type Job
} from './support/cache-jobs.js'

useCacheJobs()

describe('caching through the action', () => {
  let first: Job
  test('a first job misses everything, builds, and saves every entry in the post step', async () => {
    first = await job('first')
    expectBuilt(first)
    expect(first.hits).toEqual(hitsOf('miss'))
    expect(first.log).toEqual([
      'configure build cache=none',
      'make build',
      'configure wasi cache=none',
      'make wasi'
    ])
    expect(first.main.warnings).toEqual([])
    expect(first.post.warnings).toEqual([])
    expect(first.main.state.cachesToSave).toBeDefined()
    const saved = finalizedKeys(first)
    expect(saved).toHaveLength(6)
    expect(saved.map(k => k.replace(/-[0-9a-f]{20}.*$/, ''))).toEqual([
      `cwa1-toolchain-wasi-sdk-24-Linux-${ARCH}`,
      `cwa1-build-python-3.11.2-Linux-${ARCH}`,
      `cwa1-build-tree-wasi-3.11.2-Linux-${ARCH}`,
      `cwa1-config-cache-build-python-Linux-${ARCH}`,
      `cwa1-config-cache-wasi-Linux-${ARCH}`,
      `cwa1-build-result-3.11.2-Linux-${ARCH}`
    ])
    for (const key of saved) expect(service.byKey(key)?.finalized).toBe(true)
    // the post step adds what it saved, with sizes, to the job summary
    expect(first.post.summary).toMatch(/Caches saved/)
    for (const id of ALL)
      expect(first.post.summary).toMatch(new RegExp(`\\| ${id} \\| [0-9.]+ MB \\|`))
    expect(mirror.requests.get(sdk.urlPath)).toBe(1)
    // the build Python's entry is a build tree: object files and the record of its sources
    const pythonKey = saved.find(k => k.includes('-build-python-3.11.2-')) as string
    const archive = service.byKey(pythonKey)
    const listing = execFileSync('tar', ['--zstd', '-tf', '-'], {
      input: service.archive(archive as NonNullable<typeof archive>),
      encoding: 'utf8'
    })
    expect(listing).toMatch(/builddir\/build\/pybuilddir\.txt$/m)
    expect(listing).toMatch(/builddir\/build\/Objects\/floatobject\.o$/m)
    expect(listing).toMatch(/builddir\/build\/\.cpython-wasm-tree\.json$/m)
  }, 180_000)

  test('a second job whose finished build was evicted restores the build trees exactly: no download, nothing configured or made; only the finished build is saved', async () => {
    service.evict('cwa1-build-result-')
    const second = await job('second')
    expectBuilt(second)
    // the config.cache files are not even fetched: their configure steps are skipped
    expect(second.hits).toEqual({
      ...hitsOf('exact'),
      'config-cache-build-python': 'miss',
      'config-cache-wasi': 'miss',
      'build-result': 'miss'
    })
    expect(second.log).toEqual([])
    expect(second.main.stdout).toContain(
      'Skipping "Configure the build Python": restored from the cache (build-python)'
    )
    expect(second.main.stdout).toContain(
      'Skipping "Make wasi": restored from the cache (build-tree-wasi)'
    )
    for (const id of ['config-cache-build-python', 'config-cache-wasi'])
      expect(second.main.stdout).toContain(
        `Cache ${id}: not restored, the steps that use it are skipped`
      )
    expect(second.main.stdout).toContain('found in the tool cache')
    expect(mirror.requests.get(sdk.urlPath)).toBe(1)
    expect(second.calls.filter(c => c.method === 'GetCacheEntryDownloadURL')).toHaveLength(4)
    expect(created(second).map(k => k.replace(/-[0-9a-f]{20}.*$/, ''))).toEqual([
      `cwa1-build-result-3.11.2-Linux-${ARCH}`
    ])
    expect(second.main.warnings).toEqual([])
    expect(second.post.warnings).toEqual([])
  }, 180_000)

  test('a rerun of the same tree restores the finished build: no toolchain, no build step, nothing saved; the artifact is there', async () => {
    const rerun = await job('rerun')
    expectBuilt(rerun)
    expect(rerun.hits['build-result']).toBe('exact')
    // nothing else was even fetched: the build needs none of it
    expect(rerun.calls.filter(c => c.method === 'GetCacheEntryDownloadURL')).toHaveLength(1)
    expect(rerun.log).toEqual([])
    expect(rerun.main.stdout).toContain('The finished build was restored from the cache')
    expect(mirror.requests.get(sdk.urlPath)).toBe(1)
    expect(created(rerun)).toEqual([])
    expect(JSON.parse(rerun.main.state.cachesToSave)).toEqual([])
  }, 180_000)

  test("a new tree (a pull request's change) makes the base tree's build trees, configured alike, without configure", async () => {
    const j = await job('new-tree', { edit: editSource('new-tree') })
    expectBuilt(j)
    expect(j.hits).toMatchObject({
      'build-python': 'partial',
      'build-tree-wasi': 'partial',
      // they came back inside the trees
      'config-cache-build-python': 'miss',
      'config-cache-wasi': 'miss'
    })
    expect(j.log).toEqual(['make build', 'make wasi'])
    expect(j.main.stdout).toContain(
      'Cache build-python: 1 source file changed since the restored tree was built; configured alike, so configure is skipped'
    )
    expect(j.main.stdout).toContain(
      'Cache build-tree-wasi: 1 source file changed since the restored tree was built, and the build Python: what it generated is checked once it is built; configured alike, so configure is skipped'
    )
    expect(j.main.stdout).toContain(
      'Cache config-cache-wasi: not restored, it came back with the build-tree-wasi entry'
    )
    // the fake build Python cannot compile anything: the frozen modules are regenerated
    expect(j.main.stdout).toContain(
      'The new build Python compiles the frozen modules otherwise than the one that built build-tree-wasi (or it cannot tell): they are regenerated'
    )
    expect(created(j).map(k => k.replace(/-[0-9a-f]{20}.*$/, ''))).toEqual([
      `cwa1-build-python-3.11.2-Linux-${ARCH}`,
      `cwa1-build-tree-wasi-3.11.2-Linux-${ARCH}`,
      `cwa1-build-result-3.11.2-Linux-${ARCH}`
    ])
    expect([...j.main.warnings, ...j.post.warnings]).toEqual([])
  }, 180_000)

  test('a tree configured from another configure is configured again, from its own config.cache', async () => {
    const j = await job('reconfigure', { edit: editConfigure('reconfigure') })
    expectBuilt(j)
    expect(j.hits).toMatchObject({ 'build-python': 'partial', 'build-tree-wasi': 'partial' })
    expect(j.main.stdout).toContain('configure runs again')
    expect(j.log).toEqual([
      'configure build cache=ac_cv_fake_run=first',
      'make build',
      'configure wasi cache=ac_cv_fake_run=first',
      'make wasi'
    ])
  }, 180_000)

  test('restore keys: without build trees, a changed configure restores the newest config.cache of the same setup (partial) and saves its own', async () => {
    const withoutTrees = (id: string, variant: string) => {
      service.evict('cwa1-build-python-')
      service.evict('cwa1-build-tree-')
      return job(id, { edit: editConfigure(variant) })
    }
    const a = await withoutTrees('variant-a', 'a')
    expectBuilt(a)
    expect(a.hits['config-cache-wasi']).toBe('partial')
    expect(a.log).toContain('configure wasi cache=ac_cv_fake_run=first')
    const b = await withoutTrees('variant-b', 'b')
    expectBuilt(b)
    // the newest entry under the restore key is variant-a's, saved by a's post step
    expect(b.log).toContain('configure wasi cache=ac_cv_fake_run=first')
    const c = await withoutTrees('variant-c', 'c')
    expectBuilt(c)
    expect(c.hits['config-cache-wasi']).toBe('partial')
    const restored = c.calls.find(
      call =>
        call.method === 'GetCacheEntryDownloadURL' &&
        String(call.body?.key).includes('config-cache')
    )
    const bKey = finalizedKeys(b).find(k => k.includes('config-cache'))
    expect(restored?.response?.matched_key).toBe(bKey)
    expect(c.hits['build-python']).toBe('miss')
    expect(finalizedKeys(c).some(k => k.includes('config-cache'))).toBe(true)
    for (const j of [a, b, c]) expect([...j.main.warnings, ...j.post.warnings]).toEqual([])
  }, 180_000)

  test('a restored build Python that does not run is deleted and rebuilt, with one warning', async () => {
    // a tree whose build Python is saved under its exact key
    expectBuilt(await job('broken-python-seed', { edit: editSource('broken') }))
    service.evict('cwa1-build-result-')
    const j = await job('broken-python', {
      edit: editSource('broken'),
      env: { FAKE_PYTHON_BROKEN: '1' }
    })
    expectBuilt(j)
    expect(j.hits['build-python']).toBe('miss')
    expect(j.log).toContain('make build')
    expect(j.main.warnings).toEqual([expect.stringMatching(/build-python.*does not work/)])
    // saving it again is refused (the key exists): one warning, not a failure
    expect(j.post.warnings).toEqual([expect.stringMatching(/build-python: not saved, another job/)])
  }, 180_000)

  test('a failed step saves nothing it produces; entries of steps that succeeded are saved', async () => {
    const j = await job('failing', {
      edit: editSource('failing'),
      env: { FAKE_FAIL: 'make-build' }
    })
    expect(j.main.exitCode).not.toBe(0)
    expect(j.main.errors).toEqual([expect.stringContaining('Make the build Python')])
    expect(j.post.exitCode).toBe(0)
    const pending = JSON.parse(j.main.state.cachesToSave) as { id: string }[]
    // the toolchain was an exact hit; build-python's make failed; wasi never configured
    expect(pending).toEqual([])
    expect(created(j)).toEqual([])

    const wasi = await job('failing-wasi', {
      edit: editSource('failing-wasi'),
      env: { FAKE_FAIL: 'make-wasi' }
    })
    expect(wasi.main.exitCode).not.toBe(0)
    // the build Python's steps succeeded: it is saved although the job failed
    expect((JSON.parse(wasi.main.state.cachesToSave) as { id: string }[]).map(e => e.id)).toEqual([
      'build-python'
    ])
    expect(finalizedKeys(wasi)).toEqual([expect.stringContaining('cwa1-build-python-')])
  }, 180_000)

  test('cache-save auto on a pull_request restores but saves nothing', async () => {
    const j = await job('pull-request', {
      edit: editSource('pr'),
      env: { GITHUB_EVENT_NAME: 'pull_request', GITHUB_REF: 'refs/pull/1/merge' }
    })
    expectBuilt(j)
    expect(j.hits['toolchain-wasi-sdk']).toBe('exact')
    expect(j.hits['build-python']).toBe('partial')
    expect(j.main.stdout).toContain(
      'Caches will not be saved: cache-save is auto and the event is pull_request, which only restores'
    )
    expect(created(j)).toEqual([])
    const always = await job('pull-request-always', {
      edit: editSource('pr'),
      env: { GITHUB_EVENT_NAME: 'pull_request' },
      inputs: { 'cache-save': 'always' }
    })
    expect(created(always).map(k => k.replace(/-[0-9a-f]{20}.*$/, ''))).toEqual([
      `cwa1-build-python-3.11.2-Linux-${ARCH}`,
      `cwa1-build-tree-wasi-3.11.2-Linux-${ARCH}`,
      `cwa1-build-result-3.11.2-Linux-${ARCH}`
    ])
  }, 180_000)

  test('a dry run plans the caches (in the plan output) and calls no service', async () => {
    const j = await job('dry-run', { inputs: { 'dry-run': 'true' } })
    expect(j.main.exitCode).toBe(0)
    const plan = JSON.parse(j.main.outputs.plan) as { caches: { id: string; key: string }[] }
    expect(plan.caches.map(c => c.id)).toEqual(ALL)
    expect(j.calls).toEqual([])
    expect(j.log).toEqual([])
  }, 180_000)

  test('cache: false restores and saves nothing', async () => {
    const j = await job('no-cache', { inputs: { cache: 'false' } })
    expectBuilt(j)
    expect(j.hits).toEqual({})
    expect(j.calls).toEqual([])
    expect(j.log).toContain('make build')
  }, 180_000)

  test('a make that fails on a tree restored from another source tree builds that tree from scratch, once', async () => {
    const j = await job('retry', {
      edit: editSource('retry'),
      env: { FAKE_FAIL: 'make-wasi-restored' }
    })
    expectBuilt(j)
    expect(j.main.warnings).toEqual([
      '"Make wasi" failed in the build folder restored from another version of the sources (cache build-tree-wasi); emptying the folder (config.cache kept) and building it again'
    ])
    // (configure starts from the tree's config.cache)
    expect(j.log).toEqual([
      'make build',
      'make wasi',
      'configure wasi cache=ac_cv_fake_run=first',
      'make wasi'
    ])
    expect(j.hits['build-tree-wasi']).toBe('partial')
    expect(j.main.summary).toContain('| Make wasi | ✅ ran |')
    // the tree built from scratch is saved, with its record
    expect(created(j).some(k => k.startsWith('cwa1-build-tree-wasi-'))).toBe(true)
  }, 180_000)
})

describe('a cache never fails a job', () => {
  // the faults on restore need saved entries (when run alone, e.g. with -t)
  beforeAll(async () => {
    if (service.finalized().length === 0) expectBuilt(await job('seed'))
  }, 180_000)

  test('no cache service (ACTIONS_RESULTS_URL unset): one warning, the build goes on', async () => {
    const { ACTIONS_RESULTS_URL, ...rest } = service.env()
    void ACTIONS_RESULTS_URL
    const j = await job('absent', { service: rest })
    expectBuilt(j)
    expect(j.hits).toEqual(hitsOf('miss'))
    expect(j.main.warnings).toEqual([expect.stringContaining('cache service is not available')])
    expect(j.post.warnings).toEqual([])
  }, 180_000)

  test('a service nobody answers at (connection refused): one warning per step, the other entries not tried', async () => {
    const j = await job('refused', {
      service: { ...service.env(), ACTIONS_RESULTS_URL: await closedUrl() }
    })
    expectBuilt(j)
    expect(j.hits).toEqual(hitsOf('miss'))
    expect(j.main.warnings).toEqual([
      expect.stringMatching(/restore failed.*ECONNREFUSED.*not restoring the other caches/)
    ])
    expect(j.post.warnings).toEqual([
      expect.stringMatching(/not saved.*ECONNREFUSED.*not saving the other caches/)
    ])
  }, 180_000)

  test('a reserve conflict (another job saving the same key): one warning, the job succeeds', async () => {
    service.fault = 'reserve-conflict'
    const j = await job('conflict', { edit: editSource('conflict') })
    expectBuilt(j)
    expect(j.hits['build-python']).toBe('partial')
    expect(j.main.warnings).toEqual([])
    expect(j.post.warnings).toEqual([
      expect.stringMatching(
        /build-python: not saved, another job saved or is saving cwa1-build-python/
      ),
      expect.stringMatching(/build-tree-wasi: not saved, another job saved or is saving/),
      expect.stringMatching(/build-result: not saved, another job saved or is saving/)
    ])
    expect(finalizedKeys(j)).toEqual([])
  }, 180_000)

  test('a corrupt archive: a warning for each entry, nothing half-restored is left, the build starts from scratch', async () => {
    service.fault = 'corrupt-download'
    const downloads = mirror.requests.get(sdk.urlPath) ?? 0
    // (with a finished build there would be nothing else to restore)
    service.evict('cwa1-build-result-')
    const j = await job('corrupt')
    expectBuilt(j)
    expect(j.hits).toEqual(hitsOf('miss'))
    expect(j.main.warnings.map(w => /^Cache ([\w-]+):/.exec(w)?.[1])).toEqual(
      ALL.filter(id => id !== 'build-result')
    )
    for (const w of j.main.warnings) expect(w).toMatch(/restore failed, building it instead/)
    // the WASI SDK was downloaded again rather than taken from a half-restored tool cache
    expect(mirror.requests.get(sdk.urlPath)).toBe(downloads + 1)
    expect(j.log).toEqual([
      'configure build cache=none',
      'make build',
      'configure wasi cache=none',
      'make wasi'
    ])
  }, 180_000)
})
