/**
 * CPython 3.11.2 for emscripten-node and emscripten-browser, run inside the
 * Debian trixie root with its Emscripten 3.1.69 found on PATH, as a job in a
 * container image with a preinstalled SDK would. The ports' sources are
 * seeded into the Emscripten cache (this machine cannot download them); the
 * action runs embuilder exactly as it does on GitHub.
 */
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { REPO_ROOT } from '../support/harness.js'
import { E2E_HOME, freshCheckout, provisioned, runInTrixie, TRIXIE } from './support.js'

test('CPython 3.11.2: emscripten-node and emscripten-browser build, run and are collected', async () => {
  provisioned()
  const work = path.join(TRIXIE, 'work', '311-emscripten')
  const source = freshCheckout('3.11', path.join(work, 'cpython'))
  const emCache = path.join(work, 'emscripten-cache')
  fs.rmSync(emCache, { recursive: true, force: true })
  execFileSync(path.join(REPO_ROOT, 'scripts', 'seed-emscripten-ports.sh'), [emCache])
  const guest = (p: string): string => p.slice(TRIXIE.length)

  const result = await runInTrixie({
    name: '311-emscripten',
    inputs: {
      source: guest(source),
      targets: 'emscripten-node, emscripten-browser',
      upload: 'false',
      cache: 'false'
    },
    // Debian's Emscripten needs acorn from Debian's node modules; EM_CACHE holds the seeded ports.
    rootEnv: { NODE_PATH: '/usr/share/nodejs', EM_CACHE: guest(emCache) }
  })
  expect(result.errors).toEqual([])
  expect(result.exitCode).toBe(0)
  expect(result.outputs['python-version']).toBe('3.11.2')
  expect(result.outputs['emsdk-version']).toBe('3.1.69')
  expect(JSON.parse(result.outputs.recipe)).toEqual({
    'emscripten-node': 'manual',
    'emscripten-browser': 'manual'
  })
  expect(JSON.parse(result.outputs['smoke-results'])).toEqual({
    'emscripten-node': 'passed',
    'emscripten-browser': 'passed'
  })
  // The browser smoke test's screenshot of the working REPL, kept as a test output.
  const screenshot = path.join(TRIXIE, result.outputs['browser-screenshot'])
  expect(fs.statSync(screenshot).size).toBeGreaterThan(1000)
  const outputs = path.join(E2E_HOME, 'outputs')
  fs.mkdirSync(outputs, { recursive: true })
  fs.copyFileSync(screenshot, path.join(outputs, 'cpython-3.11.2-emscripten-browser.png'))

  const nodeDir = path.join(TRIXIE, result.outputs['emscripten-node-dir'])
  const browserDir = path.join(TRIXIE, result.outputs['emscripten-browser-dir'])
  for (const f of ['python.js', 'python.wasm', 'lib/python3.11/os.py'])
    expect(fs.existsSync(path.join(nodeDir, f))).toBe(true)
  for (const f of [
    'python.js',
    'python.wasm',
    'python.data',
    'python.html',
    'python.worker.js',
    '.htaccess',
    '_headers',
    'serve.mjs'
  ])
    expect(fs.existsSync(path.join(browserDir, f))).toBe(true)

  // Run the collected node build by hand with the root's Node.
  const printed = execFileSync(
    path.join(REPO_ROOT, 'scripts', 'chroot-run.sh'),
    [
      TRIXIE,
      `PYTHONHOME=${guest(nodeDir)}`,
      'node',
      path.join(guest(nodeDir), 'python.js'),
      '-c',
      'import os, sys; print(sys.platform, os.uname().machine, sys._emscripten_info.emscripten_version)'
    ],
    { encoding: 'utf8' }
  )
  expect(printed.trim()).toBe('emscripten wasm32 (3, 1, 69)')
})
