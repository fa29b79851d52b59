/** The WebAssembly targets the action builds, and the version floors of their toolchains. */
export const TARGETS = ['wasi', 'emscripten-node', 'emscripten-browser'] as const
export type Target = (typeof TARGETS)[number]
export const isEmscripten = (t: Target): boolean => t !== 'wasi'

/** The seed README's floor: Emscripten 3.1.8 is the oldest that builds CPython. */
export const EMSDK_FLOOR = [3, 1, 8]
/** Versions CPython's wasm_build.py refuses (broken for CPython). */
export const EMSDK_BROKEN = ['3.1.14', '3.1.16', '3.1.20']
/** The oldest WASI SDK any CPython branch builds with (3.11 pins 16). */
export const WASI_SDK_FLOOR = 16
