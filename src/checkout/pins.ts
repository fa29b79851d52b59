/**
 * Toolchain versions a branch writes in its own files. Newer branches keep
 * them in config.toml (Platforms/*, Tools/wasm/emscripten) or as a constant
 * in the script (Tools/wasm/wasi/__main__.py on 3.14).
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { parse } from 'smol-toml'
import type { CheckoutFacts } from './detect.js'

type Pins = CheckoutFacts['pins']

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
    if (fromToml) pins.wasiSdk = { version: fromToml, from: config }
    else {
      const main = `${wasiScript}/__main__.py`
      const m = /^WASI_SDK_VERSION\s*=\s*(\d+)/m.exec(read(root, main) ?? '')
      if (m) pins.wasiSdk = { version: m[1], from: `${main} WASI_SDK_VERSION` }
    }
  }
  // Emscripten: config.toml emscripten-version, or emscripten_version.txt (3.14)
  if (emscriptenScript) {
    const config = `${emscriptenScript}/config.toml`
    const fromToml = tomlValue(root, config, [['emscripten-version']])
    if (fromToml) pins.emsdk = { version: fromToml, from: config }
    else {
      const txt = `${emscriptenScript}/emscripten_version.txt`
      const value = read(root, txt)?.trim().replace(/^"|"$/g, '')
      if (value) pins.emsdk = { version: value, from: txt }
    }
  }
  return pins
}

/** The host triple a Platforms/WASI config.toml names, if any. */
export function configuredWasiHostTriple(root: string, wasiScript?: string): string | undefined {
  if (!wasiScript || wasiScript.endsWith('.py')) return undefined
  return tomlValue(root, `${wasiScript}/config.toml`, [['targets', 'host-triple']])
}
