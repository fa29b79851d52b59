/** Gathers each target's files into one folder per target. */
import * as core from '@actions/core'
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { CheckoutFacts } from '../checkout/detect.js'
import type { ArtifactPlan } from '../plan/types.js'
import { wasiStdlib } from '../plan/smoke.js'
import { ActionError } from '../catalog/errors.js'

/** The seed README's file sets; the first entries must exist. */
const EMSCRIPTEN_FILES = {
  'emscripten-node': {
    required: ['python.js', 'python.wasm'],
    optional: ['python.worker.js', 'python.data']
  },
  'emscripten-browser': {
    required: ['python.js', 'python.wasm', 'python.data', 'python.html'],
    optional: ['python.worker.js']
  }
} as const

export class CollectError extends ActionError {}

/** The relocatable launcher of a 3.14+ emscripten-node artifact (bundled by ncc). */
const NODE_LAUNCHER = new URL('./assets/emscripten-node-python.sh', import.meta.url)

function copyTree(from: string, to: string, skip: (name: string) => boolean): void {
  fs.mkdirSync(to, { recursive: true })
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    if (skip(entry.name)) continue
    const src = path.join(from, entry.name)
    const dst = path.join(to, entry.name)
    if (entry.isDirectory()) copyTree(src, dst, skip)
    else if (entry.isFile()) fs.copyFileSync(src, dst)
  }
}

export function collectArtifact(artifact: ArtifactPlan, facts: CheckoutFacts): string[] {
  fs.rmSync(artifact.dir, { recursive: true, force: true })
  fs.mkdirSync(artifact.dir, { recursive: true })
  const copied: string[] = []
  const copy = (name: string, required: boolean): void => {
    const src = path.join(artifact.buildDir, name)
    if (!fs.existsSync(src)) {
      if (required)
        throw new CollectError(
          `${artifact.target}: the build did not produce ${name} in ${artifact.buildDir}`
        )
      return
    }
    fs.copyFileSync(src, path.join(artifact.dir, name))
    copied.push(name)
  }
  // The standard library, and the build's sysconfig data next to it, where a
  // prefix of the artifact folder expects them: lib/python3.X. WASI runs with
  // --dir <dir>::/ and PYTHONHOME=/; the node build (NODERAWFS reads the real
  // file system) with PYTHONHOME=<dir>.
  const copyStdlib = (buildLibPrefix: string): void => {
    const stdlib = path.join(artifact.dir, wasiStdlib(facts))
    // without the test suite (Lib/test, a third of the stdlib): what runs the
    // artifact needs none of it, and the finished build's cache key leaves it out
    copyTree(path.join(facts.root, 'Lib'), stdlib, name => name === '__pycache__')
    fs.rmSync(path.join(stdlib, 'test'), { recursive: true, force: true })
    const buildLib = fs
      .readdirSync(path.join(artifact.buildDir, 'build'), { withFileTypes: true })
      .find(e => e.isDirectory() && e.name.startsWith(buildLibPrefix))
    if (!buildLib)
      throw new CollectError(
        `${artifact.target}: no build/${buildLibPrefix}-* in ${artifact.buildDir}`
      )
    copyTree(
      path.join(artifact.buildDir, 'build', buildLib.name),
      stdlib,
      name => name === '__pycache__'
    )
    // an empty lib-dynload keeps getpath from warning that exec_prefix is missing
    fs.mkdirSync(path.join(stdlib, 'lib-dynload'), { recursive: true })
    copied.push(wasiStdlib(facts))
  }
  if (artifact.target === 'wasi') {
    copy('python.wasm', true)
    copyStdlib('lib.wasi-wasm32')
  } else if (artifact.recipe !== 'manual' && artifact.target === 'emscripten-browser') {
    // 3.14+: the web example make builds next to the host build (Makefile.pre.in
    // web_example target, python/cpython dc36c46b): index.html, python.mjs,
    // python.wasm, python.worker.mjs, the stdlib zip and server.py
    const example = path.join(artifact.buildDir, 'web_example')
    for (const name of ['index.html', 'python.mjs', 'python.wasm'])
      if (!fs.existsSync(path.join(example, name)))
        throw new CollectError(
          `${artifact.target}: the build did not produce web_example/${name} in ${artifact.buildDir}`
        )
    copyTree(example, artifact.dir, name => name === '__pycache__')
    copied.push(...fs.readdirSync(artifact.dir).sort())
  } else if (artifact.recipe !== 'manual') {
    // 3.14+: node_entry.mjs starts python.mjs under Node; NODEFS reads the
    // stdlib from disk, so it ships in lib/python3.X, and python.sh (ours: the
    // branch's bakes in absolute build paths) starts it from wherever it lies.
    copy('python.mjs', true)
    copy('python.wasm', true)
    copy('node_entry.mjs', true)
    copy('streams.mjs', false)
    copyStdlib('lib.emscripten-wasm32')
    const launcher = path.join(artifact.dir, 'python.sh')
    fs.copyFileSync(NODE_LAUNCHER, launcher)
    fs.chmodSync(launcher, 0o755)
    copied.push('python.sh')
  } else {
    const files = EMSCRIPTEN_FILES[artifact.target]
    for (const name of files.required) copy(name, true)
    for (const name of files.optional) copy(name, false)
    // the browser build preloads its stdlib into python.data; the node build reads it from disk
    if (artifact.target === 'emscripten-node') copyStdlib('lib.emscripten-wasm32')
  }
  core.info(`Collected ${artifact.target} into ${artifact.dir}: ${copied.join(', ')}`)
  return copied
}
