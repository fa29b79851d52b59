/**
 * Finds toolchains that are already on the machine, as in a container image:
 * emsdk-path / wasi-sdk-path, then EMSDK, emcc on PATH, WASI_SDK_PATH, /opt/wasi-sdk.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { Inputs } from '../inputs/index.js'
import type { RunnerFacts } from './types.js'
import { checkEmscriptenVersion } from './emscripten-version.js'
import { ToolchainError } from '../catalog/errors.js'

type Found = { path: string; version: string; how: string }

/** The Emscripten directory (with emcc and emscripten-version.txt) under an emsdk or emscripten path. */
export function emscriptenDir(root: string): string | undefined {
  for (const candidate of [root, path.join(root, 'upstream', 'emscripten')]) {
    if (fs.existsSync(path.join(candidate, 'emscripten-version.txt'))) return candidate
  }
  return undefined
}

export function emscriptenVersion(dir: string): string {
  return fs
    .readFileSync(path.join(dir, 'emscripten-version.txt'), 'utf8')
    .trim()
    .replace(/^"|"$/g, '')
}

function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    const file = path.join(dir, name)
    try {
      fs.accessSync(file, fs.constants.X_OK)
      return fs.realpathSync(file)
    } catch {
      // not here
    }
  }
  return undefined
}

/**
 * The first Emscripten of: emsdk-path, EMSDK, emcc on PATH. A distribution's
 * emcc is a symlink (Debian: /usr/bin/emcc -> /usr/share/emscripten/emcc),
 * so the directory is the one the link resolves to. An Emscripten below the
 * floor fails here, before any work, rather than deep in a build.
 */
export function findEmscripten(inputs: Inputs, env: NodeJS.ProcessEnv): Found | undefined {
  const emcc = onPath('emcc', env)
  const candidates: [string | undefined, string][] = [
    [inputs.emsdk.path || undefined, 'emsdk-path'],
    [env.EMSDK, 'EMSDK'],
    [emcc && path.dirname(emcc), 'emcc on PATH']
  ]
  for (const [root, how] of candidates) {
    if (!root) continue
    const dir = emscriptenDir(root)
    if (dir) {
      const found = { path: root, version: emscriptenVersion(dir), how: `${how} (${root})` }
      checkEmscriptenVersion(found.version, found.how, env)
      return found
    }
    if (how === 'emsdk-path')
      throw new ToolchainError(
        `emsdk-path: ${root} holds no Emscripten (no emscripten-version.txt in it or in upstream/emscripten); run \`emsdk install\` and \`emsdk activate\` there, or leave emsdk-path empty to install one`
      )
  }
  return undefined
}

export function wasiSdkVersion(root: string): string {
  const file = path.join(root, 'VERSION')
  if (fs.existsSync(file)) {
    const m = /^(\d+)/.exec(fs.readFileSync(file, 'utf8').trim())
    if (m) return m[1]
  }
  // an /opt/wasi-sdk symlink often points at the release's own folder name
  const m = /wasi-sdk-(\d+)/.exec(path.basename(fs.realpathSync(root)))
  return m ? m[1] : 'unknown'
}

/**
 * The SDK the branch pins, as CPython's own scripts look for it: an image with
 * several SDKs side by side (CPython's WASI dev container has 21, 24 and 33,
 * with /opt/wasi-sdk -> 24) keeps each in /opt/wasi-sdk-<pin>.0*, used when
 * exactly one folder matches (Platforms/WASI, python/cpython 02870c27;
 * Tools/wasm/wasi/__main__.py b994bc7 on 3.14).
 */
function pinnedOptSdk(pin: string | undefined, opt: string): string | undefined {
  if (!pin || !/^\d+$/.test(pin)) return undefined
  let names: string[]
  try {
    names = fs.readdirSync(opt)
  } catch {
    return undefined
  }
  const matches = names.filter(n => n.startsWith(`wasi-sdk-${pin}.0`))
  return matches.length === 1 ? path.join(opt, matches[0]) : undefined
}

export function findWasiSdk(
  inputs: Inputs,
  env: NodeJS.ProcessEnv,
  pin?: string,
  opt = '/opt'
): Found | undefined {
  const pinned = pinnedOptSdk(pin, opt)
  const candidates: [string | undefined, string][] = [
    [inputs.wasiSdk.path || undefined, 'wasi-sdk-path'],
    [env.WASI_SDK_PATH, 'WASI_SDK_PATH'],
    [pinned, `the pinned WASI SDK ${pin} in ${opt}`],
    [path.join(opt, 'wasi-sdk'), path.join(opt, 'wasi-sdk')]
  ]
  for (const [root, how] of candidates) {
    if (!root || !fs.existsSync(path.join(root, 'bin', 'clang'))) {
      if (how === 'wasi-sdk-path' && root)
        throw new ToolchainError(`wasi-sdk-path: ${root} is not a WASI SDK (no bin/clang)`)
      continue
    }
    return { path: root, version: wasiSdkVersion(root), how: `${how} (${root})` }
  }
  return undefined
}

export function findPreinstalled(
  inputs: Inputs,
  env: NodeJS.ProcessEnv,
  /** the WASI SDK major the branch pins, if any */
  wasiSdkPin?: string
): RunnerFacts['preinstalled'] {
  const found: RunnerFacts['preinstalled'] = {}
  if (
    inputs.targets.some(t => t !== 'wasi') &&
    (inputs.emsdk.path || inputs.emsdk.version === 'auto')
  ) {
    const em = findEmscripten(inputs, env)
    if (em) found.emsdk = em
  }
  if (
    inputs.targets.includes('wasi') &&
    (inputs.wasiSdk.path || inputs.wasiSdk.version === 'auto')
  ) {
    const sdk = findWasiSdk(inputs, env, wasiSdkPin)
    if (sdk) found['wasi-sdk'] = sdk
  }
  return found
}
