/**
 * CPython 3.11.2 (Debian's upstream tarball) for wasi on this machine: the
 * action installs a WASI SDK (bookworm's clang-14 in the SDK 16 layout) from
 * a loopback mirror, builds with the 3.11 README's recipe, smoke-tests the
 * artifact under node:wasi, and collects it.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import {
  E2E_HOME,
  freshCheckout,
  provisioned,
  runCollectedWasi,
  runOnHost,
  serveDirectory,
  sha256File,
  WORK
} from './support.js'

test('CPython 3.11.2: wasi builds, runs and is collected', async () => {
  provisioned()
  const mirrorRoot = path.join(E2E_HOME, 'mirror', 'wasi-sdk')
  const archive = path.join(mirrorRoot, 'releases/download/wasi-sdk-16/wasi-sdk-16.0-linux.tar.gz')
  const mirror = await serveDirectory(mirrorRoot)
  try {
    const source = freshCheckout('3.11', path.join(WORK, '311-wasi', 'cpython'))
    const result = await runOnHost({
      name: '311-wasi',
      inputs: {
        source,
        targets: 'wasi',
        'wasi-sdk-mirror': mirror.url,
        'wasi-sdk-sha256': sha256File(archive),
        'wasmtime-version': 'none',
        upload: 'false',
        cache: 'false'
      }
    })
    expect(result.errors).toEqual([])
    expect(result.exitCode).toBe(0)
    expect(result.outputs['python-version']).toBe('3.11.2')
    expect(JSON.parse(result.outputs.recipe)).toEqual({ wasi: 'manual' })
    expect(result.outputs['wasi-sdk-version']).toBe('16')
    expect(JSON.parse(result.outputs['smoke-results'])).toEqual({ wasi: 'passed' })
    expect(mirror.requests).toEqual(['/releases/download/wasi-sdk-16/wasi-sdk-16.0-linux.tar.gz'])

    const dir = result.outputs['wasi-dir']
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
  } finally {
    await mirror.close()
  }
})
