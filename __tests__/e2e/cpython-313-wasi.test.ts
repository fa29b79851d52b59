/**
 * CPython 3.13.5 for wasi through the branch's own Tools/wasm/wasi.py, inside
 * the trixie root (clang-19 and wasi-libc arranged as WASI SDK 24, installed
 * by the action from a loopback mirror), with node:wasi as the host runner.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import {
  checkSuiteResult,
  freshCheckout,
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
  try {
    const source = freshCheckout('3.13', path.join(TRIXIE, 'work', '313-wasi', 'cpython'))
    const result = await runInTrixie({
      name: '313-wasi',
      inputs: {
        source: guest(source),
        targets: 'wasi',
        'wasi-sdk-mirror': mirror.url,
        'wasi-sdk-sha256': sha256File(archive),
        'wasmtime-version': 'none',
        upload: 'false',
        cache: 'false',
        test: 'suite',
        'test-args': SUITE_SELECTION.join(' ')
      }
    })
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
  } finally {
    await mirror.close()
  }
})
