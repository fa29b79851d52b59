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
  '# where the interpreter found itself and its standard library, for the log',
  'r["prefix"] = sys.prefix',
  'r["path"] = sys.path',
  'if hasattr(sys, "_emscripten_info"):',
  '    r["emscripten"] = str(sys._emscripten_info)',
  'print("SMOKE-REPORT " + json.dumps(r))'
].join('\n')

export const wasiRunnerScript = (workDir: string): string => path.join(workDir, 'wasi-run.mjs')

/** The stdlib layout of a collected WASI artifact: python.wasm next to lib/python3.X. */
export const wasiStdlib = (facts: CheckoutFacts): string =>
  `lib/python${facts.version.major}.${facts.version.minor}`

/**
 * How a user starts a collected artifact: the argv before Python's own
 * arguments, run from a copy of the artifact (so nothing is written into it,
 * and it cannot lean on the build tree). WASI: the artifact folder mapped to
 * the guest's /, and python.wasm named relatively, so getpath finds
 * lib/python3.X next to it with no PYTHONHOME (the way published WASI builds
 * of CPython are run). Node: the artifact's python.sh, from another folder.
 */
export interface Launch {
  argv: string[]
  cwd: string
  copy: { from: string; to: string }
}

export function launch(
  artifact: ArtifactPlan,
  copyTo: string,
  wasiRunner: string[],
  extraWasiFlags: string[] = []
): Launch {
  const copy = { from: artifact.dir, to: copyTo }
  if (artifact.target === 'wasi')
    return {
      argv: [...wasiRunner, ...extraWasiFlags, '--dir', '.::/', 'python.wasm'],
      cwd: copyTo,
      copy
    }
  return { argv: [path.join(copyTo, 'python.sh')], cwd: path.dirname(copyTo), copy }
}

/** Where a stage runs its copy of an artifact. */
export const artifactCopy = (
  runner: RunnerFacts,
  stage: 'smoke' | 'suite',
  artifact: ArtifactPlan
): string => path.join(runner.tempDir, 'cpython-wasm', stage, artifact.target)

export function smokeTest(
  artifact: ArtifactPlan,
  facts: CheckoutFacts,
  runner: RunnerFacts,
  wasiRunner: string[],
  wasiRunnerKind: 'wasmtime' | 'node-wasi'
): SmokeTest {
  const version = facts.version.text.replace(/\+$/, '')
  const expect = { platform: 'emscripten', machine: 'wasm32', version, imports: ['json'] }
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
      expect
    }
  }
  const started = launch(artifact, artifactCopy(runner, 'smoke', artifact), wasiRunner)
  if (artifact.target === 'wasi')
    return {
      target: 'wasi',
      runner: wasiRunnerKind,
      argv: [...started.argv, '-c', SMOKE_CODE],
      cwd: started.cwd,
      env: {},
      copy: started.copy,
      expect: { ...expect, platform: 'wasi' }
    }
  // the node build: python.sh in the artifact starts it under Node from any
  // folder (ours for every branch; see artifacts/assets)
  return {
    target: artifact.target,
    runner: 'node',
    argv: [...started.argv, '-c', SMOKE_CODE],
    cwd: started.cwd,
    // the Node the action runs on, as a user picks theirs (python.sh reads NODE)
    env: { NODE: runner.nodePath },
    copy: started.copy,
    expect: { ...expect, imports: ['json', 'zlib', 'bz2'] }
  }
}
