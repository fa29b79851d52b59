/**
 * Toolchain versions for each CPython branch, used when the checkout's own
 * files pin nothing (see checkout/pins.ts, which reads config.toml and script
 * constants first). Each row says where its numbers come from.
 */
export interface BranchPins {
  emsdk: string
  wasiSdk: number
  wasmtime: string
  from: string
}

export const BRANCH_PINS: Record<string, BranchPins> = {
  // Tools/wasm/wasm_build.py: EMSDK_MIN_VERSION = (3, 1, 19); README: "WASI SDK 16.0+".
  // No wasmtime pin; 22.0.0 takes the `--dir HOST::GUEST` syntax the branch's
  // HOSTRUNNER uses since gh-116384 (wasmtime 18+).
  '3.11': {
    emsdk: '3.1.19',
    wasiSdk: 16,
    wasmtime: '22.0.0',
    from: 'Tools/wasm/wasm_build.py and README.md'
  },
  // As 3.11 (gh-116373 backported the same HOSTRUNNER); WASI SDK 20 (LLVM 16) is of 3.12's era.
  '3.12': {
    emsdk: '3.1.19',
    wasiSdk: 20,
    wasmtime: '22.0.0',
    from: 'Tools/wasm/wasm_build.py and README.md'
  },
  // .github/workflows/reusable-wasi.yml: WASMTIME_VERSION 22.0.0, WASI_SDK_VERSION 24;
  // Emscripten still goes through wasm_build.py's floor.
  '3.13': {
    emsdk: '3.1.19',
    wasiSdk: 24,
    wasmtime: '22.0.0',
    from: '.github/workflows/reusable-wasi.yml'
  },
  // Read from the checkout first: Tools/wasm/wasi/__main__.py `WASI_SDK_VERSION = 24`
  // (python/cpython b994bc7, 3.14) and Emscripten "4.0.12" (Platforms/emscripten/config.toml
  // 6e595983, backported to 3.14.4). wasmtime: no 3.14 workflow pin was found; 22.0.0
  // takes the `--dir HOST::GUEST` syntax the branch's runner uses.
  '3.14': {
    emsdk: '4.0.12',
    wasiSdk: 24,
    wasmtime: '22.0.0',
    from: 'Tools/wasm/wasi/__main__.py and Platforms/emscripten/config.toml'
  },
  // Platforms/WASI/config.toml [targets] wasi-sdk = 33 (gh-149253, 2026-05-01); Emscripten:
  // the 4.0.x line main had when 3.15 branched (read from config.toml where present);
  // .github/workflows/reusable-wasi.yml pins wasmtime 38.0.3.
  '3.15': {
    emsdk: '4.0.12',
    wasiSdk: 33,
    wasmtime: '38.0.3',
    from: 'Platforms/WASI/config.toml and reusable-wasi.yml'
  },
  // main: Platforms/WASI/config.toml wasi-sdk = 34 (gh-157924, 2026-09-21, python/cpython
  // 0bcfbf25), Platforms/emscripten/config.toml emscripten-version = "6.0.10" (gh-157935,
  // 2026-09-21); reusable-wasi.yml (00a67432) pins wasmtime 38.0.3.
  '3.16': {
    emsdk: '6.0.10',
    wasiSdk: 34,
    wasmtime: '38.0.3',
    from: 'Platforms/*/config.toml and reusable-wasi.yml (main)'
  }
}

/** The pins of a branch, or of the newest known branch for a newer one. */
export function pinsFor(major: number, minor: number): BranchPins | undefined {
  const exact = BRANCH_PINS[`${major}.${minor}`]
  if (exact) return exact
  const newest = Object.keys(BRANCH_PINS)
    .map(k => k.split('.').map(Number))
    .sort((a, b) => a[0] - b[0] || a[1] - b[1])
    .at(-1)
  if (newest && (major > newest[0] || (major === newest[0] && minor > newest[1])))
    return BRANCH_PINS[newest.join('.')]
  return undefined
}
