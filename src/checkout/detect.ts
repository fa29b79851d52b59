import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { parse } from 'smol-toml'
import { configuredWasiHostTriple, readCheckoutPins } from './pins.js'
import { CheckoutError } from './errors.js'
import { CPYTHON_FLOOR } from '../catalog/targets.js'
import { compareVersions } from '../catalog/version.js'

export { CheckoutError }

/**
 * How a branch builds for WebAssembly, from newest to oldest layout:
 * - platforms:  Platforms/WASI, Platforms/emscripten (main/3.15; emscripten from 3.14.4)
 * - tools-wasm: Tools/wasm/wasi/ and Tools/wasm/emscripten/ packages (3.14)
 * - wasi-py:    Tools/wasm/wasi.py (3.13 WASI)
 * - manual:     the 3.11 README's configure/make commands with config.site-wasm32-*
 *               and wasi-env (3.11, 3.12, and Emscripten on 3.13)
 */
export type Recipe = 'platforms' | 'tools-wasm' | 'wasi-py' | 'manual'

export interface PythonVersion {
  major: number
  minor: number
  micro: number
  /** PY_VERSION as written, e.g. "3.13.5" or "3.15.0a1+" */
  text: string
}

export interface CheckoutFacts {
  root: string
  version: PythonVersion
  /** undefined when the branch has no recipe for that platform */
  wasiRecipe?: Recipe
  emscriptenRecipe?: Recipe
  /** the script the recipe runs, relative to root (undefined for manual) */
  wasiScript?: string
  emscriptenScript?: string
  /** The WASI host triple the branch uses (wasm32-wasi until 3.13.0, wasm32-wasip1 after). */
  wasiHostTriple: string
  /** configure options this checkout's configure script knows */
  configure: { testModules: boolean; wasmPthreads: boolean; wasmDynamicLinking: boolean }
  /** what the plan needs to know of each build script, read once here */
  scripts: Partial<Record<'wasi' | 'emscripten', ScriptFacts>>
  /** toolchain versions written in the checkout's own files, with the file they came from */
  pins: Partial<Record<'emsdk' | 'wasiSdk' | 'wasmtime', { version: string; from: string }>>
}

/** What a branch's build script does that the plan depends on, read from its source. */
export interface ScriptFacts {
  /** the script, relative to the checkout: a file or a package folder */
  path: string
  /**
   * The folder under cross-build/ it builds the native build Python in:
   * `CROSS_BUILD_DIR / "build"` up to 3.14, the build triple (BUILD_GNU_TYPE) on main.
   */
  buildPythonDir: 'build' | 'build-triple'
  /** the subcommands that build its dependencies, in order (Emscripten 3.14+); [] for none */
  dependencySubcommands: string[]
  /**
   * Where the dependencies it builds stay and what decides them: the prefix
   * under cross-build/ (Platforms/emscripten get_build_paths, python/cpython
   * 0d44afb0: host_triple_dir / "prefix") and a hash of what CPython's own CI
   * keys its cache of it on (the config's dependency tables and
   * make_libffi.sh; the 3.14.0-3.14.3 script pins them in its own source).
   * `checkUpToDate`: make-dependencies takes --check-up-to-date.
   */
  dependencies?: { prefix: string; inputs: string; checkUpToDate: boolean }
  /** it takes --host-triple (WASI) */
  hostTripleOption: boolean
  /** it has the pythoninfo-build and pythoninfo-host subcommands */
  pythoninfo: boolean
  /**
   * The placeholders its --host-runner template fills: scripts up to 3.14 map
   * the checkout with {HOST_DIR}::{GUEST_DIR} and pass PYTHONPATH; main passes
   * {ARGV0} and {CHECKOUT}.
   */
  hostRunnerStyle: 'host-dir' | 'argv0'
}

/**
 * How CPython writes PY_VERSION ("3.13.5", "3.15.0a1+", "3.14.0rc2"): the text
 * goes into artifact names, cache keys and paths, so nothing else gets through.
 */
const PY_VERSION_PATTERN = /^\d{1,4}\.\d{1,4}\.\d{1,4}((a|b|rc)\d{1,4})?\+?$/

export function readVersion(root: string): PythonVersion {
  const file = path.join(root, 'Include', 'patchlevel.h')
  const text = fs.readFileSync(file, 'utf8')
  const define = (name: string): string | undefined =>
    new RegExp(`^#define\\s+${name}\\s+(.+?)\\s*$`, 'm').exec(text)?.[1]
  const number = (name: string): number => {
    const value = define(name)
    if (value === undefined || !/^\d{1,4}$/.test(value))
      throw new CheckoutError(`${file} has no numeric ${name}; is this a CPython checkout?`)
    return Number(value)
  }
  const major = number('PY_MAJOR_VERSION')
  const minor = number('PY_MINOR_VERSION')
  const micro = number('PY_MICRO_VERSION')
  const quoted = define('PY_VERSION')
  const versionText = quoted ? quoted.replace(/^"|"$/g, '') : `${major}.${minor}.${micro}`
  if (!PY_VERSION_PATTERN.test(versionText))
    throw new CheckoutError(
      `${file}: PY_VERSION ${JSON.stringify(versionText)} is not a CPython version (like 3.13.5 or 3.15.0a1+)`
    )
  return { major, minor, micro, text: versionText }
}

/** The oldest branch with a WebAssembly recipe; refused before anything else is read or run. */
function checkFloor(root: string, version: PythonVersion): void {
  if (compareVersions([version.major, version.minor], CPYTHON_FLOOR) >= 0) return
  throw new CheckoutError(
    `CPython ${version.text} is not supported; ${CPYTHON_FLOOR.join('.')} or newer is needed ` +
      `(the oldest branch that builds for WebAssembly; ${path.join(root, 'Include', 'patchlevel.h')})`
  )
}

/** A forwarding shim left where a script used to be: short, and pointing at Platforms/. */
export function isForwardingShim(source: string): boolean {
  // Shims hand over with runpy.run_path; real scripts parse their own subcommands.
  return source.includes('runpy.run_path(') && !/argparse|add_subparsers/.test(source)
}

function realScript(root: string, relative: string): boolean {
  const file = path.join(root, relative)
  if (!fs.existsSync(file)) return false
  return !isForwardingShim(fs.readFileSync(file, 'utf8'))
}

export function detectWasiRecipe(root: string): { recipe?: Recipe; script?: string } {
  if (fs.existsSync(path.join(root, 'Platforms/WASI/__main__.py')))
    return { recipe: 'platforms', script: 'Platforms/WASI' }
  if (realScript(root, 'Tools/wasm/wasi/__main__.py'))
    return { recipe: 'tools-wasm', script: 'Tools/wasm/wasi' }
  if (realScript(root, 'Tools/wasm/wasi.py'))
    return { recipe: 'wasi-py', script: 'Tools/wasm/wasi.py' }
  if (
    fs.existsSync(path.join(root, 'Tools/wasm/config.site-wasm32-wasi')) &&
    fs.existsSync(path.join(root, 'Tools/wasm/wasi-env'))
  )
    return { recipe: 'manual' }
  return {}
}

export function detectEmscriptenRecipe(root: string): { recipe?: Recipe; script?: string } {
  if (fs.existsSync(path.join(root, 'Platforms/emscripten/__main__.py')))
    return { recipe: 'platforms', script: 'Platforms/emscripten' }
  if (realScript(root, 'Tools/wasm/emscripten/__main__.py'))
    return { recipe: 'tools-wasm', script: 'Tools/wasm/emscripten' }
  if (fs.existsSync(path.join(root, 'Tools/wasm/config.site-wasm32-emscripten')))
    return { recipe: 'manual' }
  return {}
}

/** All Python source of a recipe's script (a file, or a package of several modules). */
export function scriptSource(root: string, script: string): string {
  const target = path.join(root, script)
  if (!fs.statSync(target).isDirectory()) return fs.readFileSync(target, 'utf8')
  return fs
    .readdirSync(target)
    .filter(name => name.endsWith('.py'))
    .sort()
    .map(name => fs.readFileSync(path.join(target, name), 'utf8'))
    .join('\n')
}

/** A hash of what the Emscripten dependencies are built from. */
function dependencyInputs(root: string, script: string, source: string): string {
  const read = (name: string): string => {
    const file = path.join(root, script, name)
    return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : ''
  }
  let config: Record<string, unknown> = {}
  try {
    config = parse(read('config.toml')) as Record<string, unknown>
  } catch {
    // a broken config.toml fails the script itself; hash what there is
  }
  // [dependencies.*] on main; [libffi]/[mpdec] in the first config.toml; the
  // script's own constants before there was one
  const tables = config.dependencies ?? { libffi: config.libffi, mpdec: config.mpdec }
  const pinned = config.dependencies || config.libffi ? JSON.stringify(tables) : source
  return createHash('sha256')
    .update(pinned)
    .update('\0')
    .update(read('make_libffi.sh'))
    .digest('hex')
}

export function readScriptFacts(root: string, script: string): ScriptFacts {
  const source = scriptSource(root, script)
  return {
    path: script,
    buildPythonDir:
      /cross_build_dir\s*\/\s*["']build["']/i.test(source) || !/BUILD_GNU_TYPE/.test(source)
        ? 'build'
        : 'build-triple',
    dependencySubcommands: /['"]make-dependencies['"]/.test(source)
      ? ['make-dependencies']
      : /['"]make-libffi['"]/.test(source)
        ? ['make-libffi', 'make-mpdec']
        : [],
    hostTripleOption: /--host-triple/.test(source),
    pythoninfo: /['"]pythoninfo-host['"]/.test(source),
    ...(/make-(dependencies|libffi)/.test(source)
      ? {
          dependencies: {
            prefix: 'cross-build/wasm32-emscripten/prefix',
            inputs: dependencyInputs(root, script, source),
            checkUpToDate: /--check-up-to-date|check_up_to_date/.test(source)
          }
        }
      : {}),
    hostRunnerStyle: source.includes('{HOST_DIR}') ? 'host-dir' : 'argv0'
  }
}

function detectWasiHostTriple(
  root: string,
  recipe: Recipe | undefined,
  script: string | undefined
): string {
  if (recipe === 'manual' || !script) return 'wasm32-unknown-wasi'
  const configured = configuredWasiHostTriple(root, script)
  if (configured) return configured
  // 3.13.0 defaults to wasm32-wasi; 3.13.1 and later to wasm32-wasip1
  return /wasm32-wasip1/.test(scriptSource(root, script)) ? 'wasm32-wasip1' : 'wasm32-wasi'
}

function readConfigureOptions(root: string): CheckoutFacts['configure'] {
  const configure = fs.readFileSync(path.join(root, 'configure'), 'utf8')
  return {
    testModules: /enable_test_modules/.test(configure),
    wasmPthreads: /enable_wasm_pthreads/.test(configure),
    wasmDynamicLinking: /enable_wasm_dynamic_linking/.test(configure)
  }
}

export function inspectCheckout(root: string): CheckoutFacts {
  const version = readVersion(root)
  checkFloor(root, version)
  const wasi = detectWasiRecipe(root)
  const emscripten = detectEmscriptenRecipe(root)
  return {
    root,
    version,
    wasiRecipe: wasi.recipe,
    emscriptenRecipe: emscripten.recipe,
    wasiScript: wasi.script,
    emscriptenScript: emscripten.script,
    wasiHostTriple: detectWasiHostTriple(root, wasi.recipe, wasi.script),
    configure: readConfigureOptions(root),
    scripts: {
      ...(wasi.script ? { wasi: readScriptFacts(root, wasi.script) } : {}),
      ...(emscripten.script ? { emscripten: readScriptFacts(root, emscripten.script) } : {})
    },
    pins: readCheckoutPins(root, wasi.script, emscripten.script)
  }
}
