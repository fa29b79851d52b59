/**
 * The command (dist/cli.js) builds CPython 3.11.2 for wasi on this machine,
 * as README's main job does, three times against one cache folder:
 *
 * - cold: a fresh copy of the tree; the WASI SDK stand-in is downloaded from
 *   a loopback mirror into the command's tool cache, everything is built,
 *   smoke-tested, copied to --output, and every entry saved to the store;
 * - warm: a fresh copy again, the same command: the finished build comes back
 *   from the store and only the smoke test runs;
 * - per entry: the finished build removed from the store, a fresh copy: the
 *   toolchain, build Python and config.cache come back exactly, ccache by its
 *   restore key, and the build compiles from it.
 */
import { spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { REPO_ROOT } from '../support/harness.js'
import {
  E2E_HOME,
  freshCheckout,
  provisioned,
  runCollectedWasi,
  serveDirectory,
  sha256File,
  WORK
} from './support.js'

function command(args: string[]): Promise<{ code: number; stdout: string }> {
  // spawned, not spawnSync: the mirror in this process must keep answering
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'dist', 'cli.js'), ...args], {
    stdio: ['ignore', 'pipe', 'inherit']
  })
  let stdout = ''
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString()
    if (process.env.E2E_QUIET !== '1') process.stdout.write(d)
  })
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', code => resolve({ code: code ?? 1, stdout }))
  })
}

/** The restore outcome of every entry, as the command prints it. */
const hits = (stdout: string): Record<string, string> =>
  Object.fromEntries(
    [...stdout.matchAll(/^Cache ([\w-]+): (exact hit|partial hit|miss)\b/gm)].map(m => [
      m[1],
      m[2].replace(' hit', '')
    ])
  )

test('CPython 3.11.2: the command builds wasi cold, then warm from its store', async () => {
  provisioned()
  const base = path.join(WORK, 'cli-311-wasi')
  fs.rmSync(base, { recursive: true, force: true })
  const mirrorRoot = path.join(E2E_HOME, 'mirror', 'wasi-sdk')
  const archive = path.join(mirrorRoot, 'releases/download/wasi-sdk-16/wasi-sdk-16.0-linux.tar.gz')
  const mirror = await serveDirectory(mirrorRoot)
  const cacheDir = path.join(base, 'cache')
  const output = path.join(base, 'out')
  const run = () => {
    const source = freshCheckout('3.11', path.join(base, 'cpython'))
    return command([
      'build',
      '--source',
      source,
      '--targets',
      'wasi',
      '--wasi-sdk-mirror',
      mirror.url,
      '--wasi-sdk-sha256',
      sha256File(archive),
      '--wasmtime-version',
      'none',
      '--output',
      output,
      '--cache-dir',
      cacheDir
    ])
  }
  try {
    const cold = await run()
    expect(cold.code).toBe(0)
    expect(cold.stdout).not.toMatch(/^(warning|error):/m)
    expect(hits(cold.stdout)).toEqual({
      'build-result': 'miss',
      'toolchain-wasi-sdk': 'miss',
      'build-python': 'miss',
      'build-tree-wasi': 'miss',
      'config-cache-build-python': 'miss',
      'config-cache-wasi': 'miss',
      'ccache-build-python': 'miss',
      'ccache-wasi': 'miss'
    })
    expect(mirror.requests).toHaveLength(1)
    for (const id of [
      'toolchain-wasi-sdk',
      'build-python',
      'build-tree-wasi',
      'config-cache-wasi',
      'ccache-wasi'
    ])
      expect(cold.stdout).toMatch(new RegExp(`^Cache ${id}: saved as `, 'm'))
    expect(cold.stdout).toMatch(/^Cache build-result: saved as /m)
    const dir = path.join(output, 'python-3.11.2-wasi')
    expect(cold.stdout).toContain(`  wasi: ${dir}\n`)
    expect(
      runCollectedWasi(
        dir,
        'import os, sys; print(sys.platform, os.uname().machine, sys.version.split()[0])'
      )
    ).toBe('wasi wasm32 3.11.2')

    const warm = await run()
    expect(warm.code).toBe(0)
    expect(hits(warm.stdout)).toEqual({ 'build-result': 'exact' })
    expect(warm.stdout).toContain('The finished build was restored from the cache')
    expect(mirror.requests).toHaveLength(1)
    expect(runCollectedWasi(dir, 'import sys; print(sys.version.split()[0])')).toBe('3.11.2')

    // the per-entry caches: as if the finished build had never been saved
    const store = path.join(cacheDir, 'store')
    for (const name of fs.readdirSync(store))
      if (name.startsWith('cwa1-build-result-'))
        fs.rmSync(path.join(store, name), { recursive: true })
    const entries = await run()
    expect(entries.code).toBe(0)
    expect(hits(entries.stdout)).toEqual({
      'build-result': 'miss',
      'toolchain-wasi-sdk': 'exact',
      'build-python': 'exact',
      'build-tree-wasi': 'exact'
    })
    expect(entries.stdout).toContain('Skipping "Make the build Python": restored from the cache')
    expect(entries.stdout).toContain(
      'Skipping "Make wasi": restored from the cache (build-tree-wasi)'
    )
    expect(mirror.requests).toHaveLength(1)
  } finally {
    await mirror.close()
  }
})
