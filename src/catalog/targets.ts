/** The WebAssembly targets the action builds, and the version floors of their toolchains. */
export const TARGETS = ['wasi', 'emscripten-node', 'emscripten-browser'] as const
export type Target = (typeof TARGETS)[number]
export const isEmscripten = (t: Target): boolean => t !== 'wasi'

/** The oldest CPython that builds for WebAssembly: 3.11 added the WASI and Emscripten recipes. */
export const CPYTHON_FLOOR = [3, 11]

/** The seed README's floor: Emscripten 3.1.8 is the oldest that builds CPython. */
export const EMSDK_FLOOR = [3, 1, 8]
/**
 * The first emsdk release with linux-arm64 binaries for every release after it:
 * "arm64-linux binaries are now available for all releases" (emscripten-core/emsdk
 * 176dec48, #1369, first in tag 3.1.58); an older one fails inside `emsdk install`
 * with a 404 (emsdk issue 1089).
 */
export const EMSDK_ARM64_FLOOR = [3, 1, 58]
/** Versions CPython's wasm_build.py refuses (broken for CPython). */
export const EMSDK_BROKEN = ['3.1.14', '3.1.16', '3.1.20']
/** The oldest WASI SDK any CPython branch builds with (3.11 pins 16). */
export const WASI_SDK_FLOOR = 16

/**
 * The Python a branch's build scripts need to run on the host: the WASI
 * scripts use tomllib and contextlib.chdir (3.11; Platforms/WASI, python/cpython
 * 02870c27), the Emscripten scripts NamedTemporaryFile(delete_on_close=...)
 * (3.12; Platforms/emscripten/__main__.py ed232a2e, Tools/wasm/emscripten 1b885802).
 */
export const SCRIPT_PYTHON_FLOOR = { wasi: [3, 11], emscripten: [3, 12] } as const

/**
 * ccache's cap for one target's directory. Each run saves the directory as a
 * new cache entry, so without a cap (ccache's default is 5 GB) a busy
 * repository's 10 GB of Actions cache, evicted least recently used, would be
 * filled by ccache entries; this holds a few builds of a target (README's
 * cache budget has measured sizes) and leaves room for the toolchains and
 * build Pythons every run restores.
 */
export const CCACHE_MAX_SIZE = '250M'
