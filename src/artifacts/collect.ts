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

/** The relocatable launchers of the emscripten-node artifact (bundled by ncc): 3.14+, and before. */
const NODE_LAUNCHER = new URL('./assets/emscripten-node-python.sh', import.meta.url)
const NODE_JS_LAUNCHER = new URL('./assets/emscripten-node-python-js.sh', import.meta.url)

function writeLauncher(dir: string, asset: URL): void {
  const launcher = path.join(dir, 'python.sh')
  fs.copyFileSync(asset, launcher)
  fs.chmodSync(launcher, 0o755)
}

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

/** Static libraries the build made (libpython3.X.a, and the bundled libmpdec, expat, HACL*). */
function staticLibraries(dir: string, depth = 0): string[] {
  if (depth > 3 || !fs.existsSync(dir)) return []
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(e => {
    const p = path.join(dir, e.name)
    if (e.isFile() && e.name.endsWith('.a')) return [p]
    return e.isDirectory() && !e.isSymbolicLink() && !/^(\.|build$|__pycache__$)/.test(e.name)
      ? staticLibraries(p, depth + 1)
      : []
  })
}

/**
 * What an embedder links against, in embed/ of the WASI artifact, as the
 * published WASI builds of CPython ship it: lib/ (libpython3.X.a and the
 * static libraries of the bundled dependencies), include/python3.X/ (the
 * checkout's Include/ and the build's pyconfig.h) and Modules/ (the Setup
 * files that say which modules are built in).
 */
function collectEmbed(artifact: ArtifactPlan, facts: CheckoutFacts): string[] {
  const embed = path.join(artifact.dir, 'embed')
  const minor = `${facts.version.major}.${facts.version.minor}`
  const libs = staticLibraries(artifact.buildDir)
  // libpython3.Xd.a for a debug build (LDLIBRARY carries ABIFLAGS)
  if (
    !libs.some(l =>
      new RegExp(`^libpython${minor.replace('.', '\\.')}d?\\.a$`).test(path.basename(l))
    )
  )
    throw new CollectError(
      `wasi: embed: the build did not produce libpython${minor}.a in ${artifact.buildDir}`
    )
  fs.mkdirSync(path.join(embed, 'lib'), { recursive: true })
  for (const lib of libs) fs.copyFileSync(lib, path.join(embed, 'lib', path.basename(lib)))
  const include = path.join(embed, 'include', `python${minor}`)
  copyTree(path.join(facts.root, 'Include'), include, name => name === '__pycache__')
  fs.copyFileSync(path.join(artifact.buildDir, 'pyconfig.h'), path.join(include, 'pyconfig.h'))
  fs.mkdirSync(path.join(embed, 'Modules'), { recursive: true })
  for (const dir of [path.join(facts.root, 'Modules'), path.join(artifact.buildDir, 'Modules')])
    for (const name of fs.existsSync(dir) ? fs.readdirSync(dir) : [])
      if (/^Setup(\.[a-z]+)?$/.test(name) && fs.statSync(path.join(dir, name)).isFile())
        fs.copyFileSync(path.join(dir, name), path.join(embed, 'Modules', name))
  return ['embed/']
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
  // --dir <dir>::/ and finds it from python.wasm's place; the node build
  // (NODERAWFS reads the real file system) through python.sh.
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
    if (artifact.embed) copied.push(...collectEmbed(artifact, facts))
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
    writeLauncher(artifact.dir, NODE_LAUNCHER)
    copied.push('python.sh')
  } else {
    const files = EMSCRIPTEN_FILES[artifact.target]
    for (const name of files.required) copy(name, true)
    for (const name of files.optional) copy(name, false)
    // the browser build preloads its stdlib into python.data; the node build reads it from disk
    if (artifact.target === 'emscripten-node') {
      copyStdlib('lib.emscripten-wasm32')
      writeLauncher(artifact.dir, NODE_JS_LAUNCHER)
      copied.push('python.sh')
    }
  }
  core.info(`Collected ${artifact.target} into ${artifact.dir}: ${copied.join(', ')}`)
  return copied
}
