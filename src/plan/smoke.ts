/** Smoke tests: run each collected artifact and check what it reports. */
import * as path from 'node:path'
import type { CheckoutFacts } from '../checkout/detect.js'
import type { ArtifactPlan, SmokeTest } from './types.js'
import type { RunnerFacts } from '../runner/types.js'

/** Printed as one JSON line so the check does not depend on formatting. */
export const SMOKE_CODE = [
  'import json, os, sys',
  'r = {"platform": sys.platform, "machine": os.uname().machine, "version": sys.version.split()[0], "imports": []}',
  'for m in ("zlib", "bz2", "json", "_sqlite3"):',
  '    try:',
  '        __import__(m)',
  '        r["imports"].append(m)',
  '    except ImportError:',
  '        pass',
  'if hasattr(sys, "_emscripten_info"):',
  '    r["emscripten"] = str(sys._emscripten_info)',
  'print("SMOKE-REPORT " + json.dumps(r))'
].join('\n')

export const wasiRunnerScript = (workDir: string): string => path.join(workDir, 'wasi-run.mjs')

/** The stdlib layout of a collected WASI artifact: python.wasm next to lib/python3.X. */
export const wasiStdlib = (facts: CheckoutFacts): string =>
  `lib/python${facts.version.major}.${facts.version.minor}`

export function smokeTest(
  artifact: ArtifactPlan,
  facts: CheckoutFacts,
  runner: RunnerFacts,
  wasiRunner: string[],
  wasiRunnerKind: 'wasmtime' | 'node-wasi'
): SmokeTest {
  const version = facts.version.text.replace(/\+$/, '')
  if (artifact.target === 'wasi') {
    return {
      target: 'wasi',
      runner: wasiRunnerKind,
      argv: [
        ...wasiRunner,
        '--dir',
        `${artifact.dir}::/`,
        '--env',
        'PYTHONHOME=/',
        path.join(artifact.dir, 'python.wasm'),
        '-c',
        SMOKE_CODE
      ],
      cwd: artifact.dir,
      env: {},
      expect: { platform: 'wasi', machine: 'wasm32', version, imports: ['json'] }
    }
  }
  if (artifact.target === 'emscripten-browser') {
    // the REPL page served with cross-origin isolation, driven in headless Chromium:
    // python.html up to 3.13, the web example's index.html from 3.14
    // (Platforms/emscripten/web_example/index.html, python/cpython dc36c46b)
    return {
      target: artifact.target,
      runner: 'browser',
      argv: [],
      cwd: artifact.dir,
      env: {},
      page: artifact.recipe === 'manual' ? 'python.html' : 'index.html',
      expect: { platform: 'emscripten', machine: 'wasm32', version, imports: ['json'] }
    }
  }
  const expect = {
    platform: 'emscripten',
    machine: 'wasm32',
    version,
    imports: ['json', 'zlib', 'bz2']
  }
  if (artifact.recipe !== 'manual') {
    // 3.14+: node_entry.mjs reads the program's path from --this-program= (it
    // slices the value; without it, it throws before Python starts), as the
    // branch's generated python.sh passes it; Python then finds lib/python3.X
    // next to that path. Node 24 needs JSPI switched on, as python.sh does.
    // Platforms/emscripten/node_entry.mjs and the python.sh template in
    // Platforms/emscripten/__main__.py (python/cpython 7d00411f, ed232a2e).
    const copy = path.join(runner.tempDir, 'cpython-wasm', 'smoke', artifact.target)
    return {
      target: artifact.target,
      runner: 'node',
      argv: [
        runner.nodePath,
        ...(Number(runner.nodeVersion.replace(/^v/, '').split('.')[0]) === 24
          ? ['--experimental-wasm-jspi']
          : []),
        path.join(copy, 'node_entry.mjs'),
        `--this-program=${path.join(copy, 'python.sh')}`,
        '-c',
        SMOKE_CODE
      ],
      cwd: copy,
      env: {},
      copy: { from: artifact.dir, to: copy },
      expect
    }
  }
  return {
    target: artifact.target,
    runner: 'node',
    argv: [runner.nodePath, path.join(artifact.dir, 'python.js'), '-c', SMOKE_CODE],
    cwd: artifact.dir,
    // the manual recipe's node build reads the stdlib collected next to it
    env: { PYTHONHOME: artifact.dir },
    expect
  }
}
