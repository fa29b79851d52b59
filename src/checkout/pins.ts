/**
 * Toolchain versions a branch writes in its own files. Newer branches keep
 * them in config.toml (Platforms/*, Tools/wasm/emscripten) or as a constant
 * in the script (Tools/wasm/wasi/__main__.py on 3.14).
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { parse } from 'smol-toml'
import type { CheckoutFacts } from './detect.js'
import { CheckoutError } from './errors.js'
import { checkToolVersion, type VersionedTool } from '../catalog/version.js'

type Pins = CheckoutFacts['pins']

/**
 * A pin as the inputs would take it: a version becomes a tool-cache folder,
 * a download URL and a cache key, so a checkout's file is held to the same
 * rules as the emsdk-version and wasi-sdk-version inputs.
 */
function checked(
  root: string,
  tool: VersionedTool,
  version: string,
  from: string
): { version: string; from: string } {
  const result = checkToolVersion(tool, version)
  if ('problem' in result)
    throw new CheckoutError(
      `${path.join(root, from)}: the ${tool} version ${JSON.stringify(version)} is not valid; ${result.problem}`
    )
  return { version, from }
}

function read(root: string, relative: string): string | undefined {
  const file = path.join(root, relative)
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined
}

function tomlValue(root: string, relative: string, keys: string[][]): string | undefined {
  const text = read(root, relative)
  if (text === undefined) return undefined
  let doc: Record<string, unknown>
  try {
    doc = parse(text) as Record<string, unknown>
  } catch {
    return undefined
  }
  for (const keyPath of keys) {
    let node: unknown = doc
    for (const key of keyPath) node = (node as Record<string, unknown> | undefined)?.[key]
    if (typeof node === 'string' || typeof node === 'number') return String(node)
  }
  return undefined
}

export function readCheckoutPins(
  root: string,
  wasiScript?: string,
  emscriptenScript?: string
): Pins {
  const pins: Pins = {}
  // WASI SDK: Platforms/WASI/config.toml [targets] wasi-sdk (main); WASI_SDK_VERSION = N (3.14)
  if (wasiScript && !wasiScript.endsWith('.py')) {
    const config = `${wasiScript}/config.toml`
    const fromToml = tomlValue(root, config, [['targets', 'wasi-sdk'], ['wasi-sdk']])
    if (fromToml) pins.wasiSdk = checked(root, 'wasi-sdk', fromToml, config)
    else {
      const main = `${wasiScript}/__main__.py`
      const m = /^WASI_SDK_VERSION\s*=\s*(\d+)/m.exec(read(root, main) ?? '')
      if (m)
        pins.wasiSdk = {
          ...checked(root, 'wasi-sdk', m[1], main),
          from: `${main} WASI_SDK_VERSION`
        }
    }
  }
  // Emscripten: config.toml emscripten-version, or emscripten_version.txt (3.14)
  if (emscriptenScript) {
    const config = `${emscriptenScript}/config.toml`
    const fromToml = tomlValue(root, config, [['emscripten-version']])
    if (fromToml) pins.emsdk = checked(root, 'emsdk', fromToml, config)
    else {
      const txt = `${emscriptenScript}/emscripten_version.txt`
      const value = read(root, txt)?.trim().replace(/^"|"$/g, '')
      if (value) pins.emsdk = checked(root, 'emsdk', value, txt)
    }
  }
  return pins
}

/**
 * The host triple a Platforms/WASI config.toml names, if any. It names a
 * folder under cross-build/ and goes to the script's argv, so like the pins
 * it must be what it says: a triple (wasm32-wasip1), one path component.
 */
export function configuredWasiHostTriple(root: string, wasiScript?: string): string | undefined {
  if (!wasiScript || wasiScript.endsWith('.py')) return undefined
  const config = `${wasiScript}/config.toml`
  const triple = tomlValue(root, config, [['targets', 'host-triple']])
  if (triple !== undefined && !/^[A-Za-z0-9_]+(-[A-Za-z0-9_.]+){1,3}$/.test(triple))
    throw new CheckoutError(
      `${path.join(root, config)}: the host-triple ${JSON.stringify(triple)} is not a target triple (like wasm32-wasip1)`
    )
  return triple
}
