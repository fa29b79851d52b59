/**
 * CPython 3.13.5 for wasi through the branch's own Tools/wasm/wasi.py, inside
 * the trixie root (clang-19 and wasi-libc arranged as WASI SDK 24, installed
 * by the action from a loopback mirror), with node:wasi as the host runner.
 * Then a pull request's job against the first one's caches: the script's
 * build trees come back, its configure steps are skipped and make-build-python
 * and make-host rebuild what one C file and one module changed.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { FakeResultsService } from '../support/fake-results-service.js'
import { runtimeToken } from '../support/harness.js'
import {
  checkSuiteResult,
  freshCheckout,
  pullRequestChange,
  PR_COMMENT,
  PR_COPYRIGHT,
  provisioned,
  runCollectedWasi,
  runInTrixie,
  serveDirectory,
  sha256File,
  SUITE_SELECTION,
  TRIXIE
} from './support.js'

test('CPython 3.13.5: wasi builds with wasi.py, runs and is collected', async () => {
  provisioned()
  const mirrorRoot = path.join(TRIXIE, 'opt', 'mirror', 'wasi-sdk')
  const archive = path.join(
    mirrorRoot,
    'releases/download/wasi-sdk-24/wasi-sdk-24.0-x86_64-linux.tar.gz'
  )
  const mirror = await serveDirectory(mirrorRoot)
  const guest = (p: string): string => p.slice(TRIXIE.length)
  const serviceDir = path.join(TRIXIE, 'work', '313-wasi', 'cache-service')
  fs.rmSync(serviceDir, { recursive: true, force: true })
  const service = await new FakeResultsService(runtimeToken(), serviceDir).start()
  let runId = 300
  const job = (extra: Record<string, string>, change?: (source: string) => void) => {
    const source = freshCheckout('3.13', path.join(TRIXIE, 'work', '313-wasi', 'cpython'))
    change?.(source)
    return runInTrixie({
      name: '313-wasi',
      inputs: {
        source: guest(source),
        targets: 'wasi',
        'wasi-sdk-mirror': mirror.url,
        'wasi-sdk-sha256': sha256File(archive),
        'wasmtime-version': 'none',
        upload: 'false',
        'cache-save': 'always',
        ...extra
      },
      rootEnv: { ...service.env(), GITHUB_RUN_ID: String(++runId) },
      withPost: true
    })
  }
  try {
    const result = await job({ test: 'suite', 'test-args': SUITE_SELECTION.join(' ') })
    expect(result.errors).toEqual([])
    expect(result.exitCode).toBe(0)
    expect(result.outputs['python-version']).toMatch(/^3\.13\.\d+$/)
    expect(JSON.parse(result.outputs.recipe)).toEqual({ wasi: 'wasi-py' })
    expect(result.outputs['wasi-sdk-version']).toBe('24')
    expect(JSON.parse(result.outputs['smoke-results'])).toEqual({ wasi: 'passed' })
    const results = JSON.parse(result.outputs['test-results'])
    expect(results.wasi).toMatchObject({ passed: true, failed: 0, failedModules: [] })
    checkSuiteResult(
      results.wasi,
      path.join(result.dirs.temp, 'cpython-wasm', 'logs'),
      SUITE_SELECTION
    )

    const dir = path.join(TRIXIE, result.outputs['wasi-dir'])
    expect(fs.existsSync(path.join(dir, 'python.wasm'))).toBe(true)
    expect(runCollectedWasi(dir, 'import os, sys; print(sys.platform, os.uname().machine)')).toBe(
      'wasi wasm32'
    )

    // a pull request: wasi.py's configure steps are skipped, its make steps
    // rebuild the change (the script's build Python is not compiled through ccache)
    const pr = await job({ 'cache-save': 'never' }, pullRequestChange)
    expect(pr.errors).toEqual([])
    expect(pr.exitCode).toBe(0)
    // the new build Python compiles the frozen modules as the old one did: they are not regenerated
    expect(pr.stdout).toContain(
      'compiles the frozen modules to the same code as the one that built build-tree-wasi'
    )
    expect(JSON.parse(pr.outputs['cache-hits'])).toMatchObject({
      'build-python': 'partial',
      'build-tree-wasi': 'partial',
      'build-result': 'miss'
    })
    for (const step of ['Configure the build Python', 'Configure wasi'])
      expect(pr.summary).toMatch(new RegExp(`\\| ${step} \\([^|]*\\) \\| ⏭️ cached \\|`))
    expect(JSON.parse(pr.outputs['ccache-stats']).wasi.misses).toBeLessThan(10)
    expect(
      runCollectedWasi(
        path.join(TRIXIE, pr.outputs['wasi-dir']),
        'import sys, colorsys, inspect; print(sys.copyright.splitlines()[-1]); print(inspect.getsource(colorsys).splitlines()[-1])'
      )
    ).toBe(`${PR_COPYRIGHT}\n${PR_COMMENT}`)
  } finally {
    await mirror.close()
    await service.stop()
  }
})
