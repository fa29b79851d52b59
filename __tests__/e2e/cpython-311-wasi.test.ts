/**
 * CPython 3.11.2 (Debian's upstream tarball) for wasi on this machine, as two
 * jobs against one loopback Actions cache service:
 *
 * - cold: the action installs a WASI SDK (bookworm's clang-14 in the SDK 16
 *   layout) from a loopback mirror, builds with the 3.11 README's recipe
 *   through ccache, smoke-tests the artifact under node:wasi, collects it,
 *   and its post step saves every cache entry;
 * - warm: a fresh checkout, empty job folders and an empty tool cache at the
 *   same paths, as a new job on a runner would have, with the finished build
 *   evicted: the build trees come back exactly, nothing is downloaded,
 *   configured or made, and no exact hit is saved again;
 * - pull request: one C file and one module changed: the build trees come
 *   back from the base tree's build, configure is skipped, make recompiles
 *   the changed file, and the artifact has both changes;
 * - then a rerun with CPython's test suite, a failing test, and a debug build.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { Plan } from '../../src/plan/types.js'
import { runSmokeTest } from '../../src/smoke/run.js'
import { FakeResultsService } from '../support/fake-results-service.js'
import { runtimeToken } from '../support/harness.js'
import {
  E2E_HOME,
  freshCheckout,
  provisioned,
  runCollectedWasi,
  runOnHost,
  serveDirectory,
  sha256File,
  WORK,
  SUITE_SELECTION,
  addFailingTest,
  FAILING_TEST,
  checkSuiteResult,
  pullRequestChange,
  PR_COMMENT,
  PR_COPYRIGHT
} from './support.js'

test('CPython 3.11.2: wasi builds, runs and is collected; a second job builds from the caches', async () => {
  provisioned()
  const mirrorRoot = path.join(E2E_HOME, 'mirror', 'wasi-sdk')
  const archive = path.join(mirrorRoot, 'releases/download/wasi-sdk-16/wasi-sdk-16.0-linux.tar.gz')
  const mirror = await serveDirectory(mirrorRoot)
  const serviceDir = path.join(WORK, '311-wasi-cache-service')
  fs.rmSync(serviceDir, { recursive: true, force: true })
  const service = await new FakeResultsService(runtimeToken(), serviceDir).start()
  // each job is a new workflow run: the ccache entry is saved under a new key
  let runId = 100
  const job = (extra: Record<string, string> = {}, change?: (checkout: string) => void) => {
    const source = freshCheckout('3.11', path.join(WORK, '311-wasi', 'cpython'))
    change?.(source)
    return runOnHost({
      name: '311-wasi',
      inputs: {
        source,
        targets: 'wasi',
        'wasi-sdk-mirror': mirror.url,
        'wasi-sdk-sha256': sha256File(archive),
        'wasmtime-version': 'none',
        upload: 'false',
        'cache-save': 'always',
        ...extra
      },
      env: { ...service.env(), GITHUB_RUN_ID: String(++runId) },
      withPost: true
    })
  }
  try {
    const cold = await job()
    expect(cold.errors).toEqual([])
    expect(cold.exitCode).toBe(0)
    expect(cold.outputs['python-version']).toBe('3.11.2')
    expect(JSON.parse(cold.outputs.recipe)).toEqual({ wasi: 'manual' })
    expect(cold.outputs['wasi-sdk-version']).toBe('16')
    expect(JSON.parse(cold.outputs['smoke-results'])).toEqual({ wasi: 'passed' })
    expect(mirror.requests).toEqual(['/releases/download/wasi-sdk-16/wasi-sdk-16.0-linux.tar.gz'])
    expect(JSON.parse(cold.outputs['cache-hits'])).toEqual({
      'toolchain-wasi-sdk': 'miss',
      'build-python': 'miss',
      'build-tree-wasi': 'miss',
      'config-cache-build-python': 'miss',
      'config-cache-wasi': 'miss',
      'ccache-build-python': 'miss',
      'ccache-wasi': 'miss',
      'build-result': 'miss'
    })
    const coldCompiles = JSON.parse(cold.outputs['ccache-stats']).wasi
    expect(coldCompiles.misses).toBeGreaterThan(200)
    expect(cold.post?.warnings).toEqual([])
    expect(
      service
        .finalized()
        .map(e => e.key.split('-').slice(1, 3).join('-'))
        .sort()
    ).toEqual([
      'build-python',
      'build-result',
      'build-tree',
      'ccache-build',
      'ccache-wasi',
      'config-cache',
      'config-cache',
      'toolchain-wasi'
    ])

    const dir = cold.outputs['wasi-dir']
    expect(fs.existsSync(path.join(dir, 'python.wasm'))).toBe(true)
    expect(fs.existsSync(path.join(dir, 'lib/python3.11/os.py'))).toBe(true)
    expect(
      fs.readdirSync(path.join(dir, 'lib/python3.11')).some(f => f.startsWith('_sysconfigdata_'))
    ).toBe(true)
    expect(
      runCollectedWasi(
        dir,
        'import os, sys; print(sys.platform, os.uname().machine, sys.version.split()[0])'
      )
    ).toBe('wasi wasm32 3.11.2')

    // the smoke test, on a copy with the standard library moved away: it
    // fails, saying the interpreter did not find its standard library
    const [wasiSmoke] = (JSON.parse(cold.outputs.plan) as Plan).smoke
    const broken = path.join(WORK, '311-wasi', 'broken-layout')
    fs.rmSync(broken, { recursive: true, force: true })
    fs.cpSync(dir, broken, { recursive: true })
    fs.renameSync(path.join(broken, 'lib'), path.join(broken, 'lib-moved'))
    const brokenResult = await runSmokeTest({
      ...wasiSmoke,
      copy: { from: broken, to: `${broken}-copy` },
      cwd: `${broken}-copy`
    })
    expect(brokenResult.passed).toBe(false)
    expect(brokenResult.problems).toContain(
      'the interpreter did not find its standard library (lib/python3.X next to it)'
    )

    // the per-entry caches: as if the finished build had been evicted
    service.evict('cwa1-build-result-')
    const warm = await job()
    expect(warm.errors).toEqual([])
    expect(warm.exitCode).toBe(0)
    // (what only the skipped steps would read is not restored)
    expect(JSON.parse(warm.outputs['cache-hits'])).toEqual({
      'toolchain-wasi-sdk': 'exact',
      'build-python': 'exact',
      'build-tree-wasi': 'exact',
      'config-cache-build-python': 'miss',
      'config-cache-wasi': 'miss',
      'ccache-build-python': 'miss',
      'ccache-wasi': 'miss',
      'build-result': 'miss'
    })
    expect(mirror.requests).toHaveLength(1)
    expect(JSON.parse(warm.outputs['smoke-results'])).toEqual({ wasi: 'passed' })
    // the job summary says what was skipped
    for (const step of ['Configure the build Python', 'Make the build Python', 'Configure wasi'])
      expect(warm.summary).toContain(`| ${step} | ⏭️ cached |`)
    expect(warm.summary).toMatch(/\| Make wasi \| ⏭️ cached \|/)
    // exact hits are not saved again
    expect(warm.post?.stdout).not.toMatch(
      /Cache (toolchain|build-python|build-tree|config-cache)[\w-]*: saved/
    )
    expect(
      runCollectedWasi(warm.outputs['wasi-dir'], 'import sys; print(sys.version.split()[0])')
    ).toBe('3.11.2')

    // a pull request: one C file and one module changed; it restores the
    // base tree's build trees and saves nothing
    const pr = await job({ 'cache-save': 'never' }, pullRequestChange)
    expect(pr.errors).toEqual([])
    expect(pr.exitCode).toBe(0)
    // the new build Python compiles the frozen modules as the old one did: they are not regenerated
    expect(pr.stdout).toContain(
      'compiles the frozen modules to the same code as the one that built build-tree-wasi'
    )
    expect(JSON.parse(pr.outputs['cache-hits'])).toEqual({
      'toolchain-wasi-sdk': 'exact',
      'build-python': 'partial',
      'build-tree-wasi': 'partial',
      // (they came back inside the build trees)
      'config-cache-build-python': 'miss',
      'config-cache-wasi': 'miss',
      'ccache-build-python': 'partial',
      'ccache-wasi': 'partial',
      'build-result': 'miss'
    })
    // configured alike: configure is skipped; make recompiles what changed
    for (const step of ['Configure the build Python', 'Configure wasi'])
      expect(pr.summary).toContain(`| ${step} | ⏭️ cached |`)
    for (const step of ['Make the build Python', 'Make wasi'])
      expect(pr.summary).toContain(`| ${step} | ✅ ran |`)
    expect(pr.stdout).toMatch(
      /Cache build-tree-wasi: 2 source files changed since the restored tree was built, and the build Python/
    )
    const prCompiles = JSON.parse(pr.outputs['ccache-stats'])
    // getcopyright.c and getbuildinfo.c (__DATE__, always compiled)
    expect(prCompiles.wasi.hits + prCompiles.wasi.misses).toBeLessThan(10)
    expect(prCompiles['build-python'].hits + prCompiles['build-python'].misses).toBeLessThan(10)
    expect(
      runCollectedWasi(
        pr.outputs['wasi-dir'],
        'import sys, colorsys, inspect; print(sys.copyright.splitlines()[-1]); print(inspect.getsource(colorsys).splitlines()[-1])'
      )
    ).toBe(`${PR_COPYRIGHT}\n${PR_COMMENT}`)

    // a rerun of the same tree: the finished build comes back, only the smoke
    // test and CPython's test suite (a selection) run, on what was restored
    const rerun = await job({ test: 'suite', 'test-args': SUITE_SELECTION.join(' ') })
    expect(rerun.errors).toEqual([])
    expect(JSON.parse(rerun.outputs['cache-hits'])['build-result']).toBe('exact')
    expect(JSON.parse(rerun.outputs['smoke-results'])).toEqual({ wasi: 'passed' })
    expect(rerun.summary).toContain('The finished build was restored from the cache')
    expect(
      fs.existsSync(path.join(rerun.dirs.temp, 'cpython-wasm', 'logs', 'wasi-configure.log'))
    ).toBe(false)
    expect(mirror.requests).toHaveLength(1)
    const logs = path.join(rerun.dirs.temp, 'cpython-wasm', 'logs')
    const results = JSON.parse(rerun.outputs['test-results'])
    expect(results.wasi).toMatchObject({ passed: true, failed: 0, failedModules: [] })
    checkSuiteResult(results.wasi, logs, SUITE_SELECTION)
    expect(rerun.summary).toContain("### CPython's test suite")

    // a test module that fails on purpose (Lib/test is not part of the finished
    // build's key, so the build is restored again): named in an annotation
    // and counted, and the step fails
    const failing = FAILING_TEST
    const failed = await job({ test: 'suite', 'test-args': `test_json ${failing}` }, addFailingTest)
    expect(JSON.parse(failed.outputs['cache-hits'])['build-result']).toBe('exact')
    expect(failed.exitCode).toBe(1)
    const failedResults = JSON.parse(failed.outputs['test-results']).wasi
    expect(failedResults).toMatchObject({ passed: false, failed: 1, failedModules: [failing] })
    expect(failed.errors.join('\n')).toContain(
      `${failing}.FailsOnPurpose.test_fails: AssertionError: 1 != 2 : this test fails on purpose`
    )
    expect(failed.errors.join('\n')).toMatch(
      /CPython's test suite failed: wasi: 1 of \d+ test cases failed/
    )
    expect(
      fs.existsSync(path.join(failed.dirs.temp, 'cpython-wasm', 'logs', 'test-results-wasi.xml'))
    ).toBe(true)

    // the seed's debug variant, built for real on the same build Python
    const debug = await job({ 'build-type': 'debug', embed: 'true' })
    expect(debug.errors).toEqual([])
    expect(JSON.parse(debug.outputs['smoke-results'])).toEqual({ wasi: 'passed' })
    expect(JSON.parse(debug.outputs['cache-hits'])).toMatchObject({
      'build-python': 'exact',
      'build-result': 'miss'
    })
    expect(
      runCollectedWasi(
        debug.outputs['wasi-dir'],
        'import sys; print(hasattr(sys, "gettotalrefcount"), sys.flags.dev_mode)'
      )
    ).toBe('True False')
    // embed/: what an embedder links against
    const embed = path.join(debug.outputs['wasi-dir'], 'embed')
    for (const f of [
      'lib/libpython3.11d.a',
      'lib/libmpdec.a',
      'lib/libexpat.a',
      'include/python3.11/Python.h',
      'include/python3.11/pyconfig.h',
      'include/python3.11/cpython/object.h',
      'Modules/Setup',
      'Modules/Setup.stdlib'
    ])
      expect(fs.existsSync(path.join(embed, f))).toBe(true)
  } finally {
    await mirror.close()
    await service.stop()
  }
})
