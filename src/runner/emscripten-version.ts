/** What the action accepts of an Emscripten version, for installed and downloaded ones alike. */
import * as core from '@actions/core'
import { EMSDK_BROKEN, EMSDK_FLOOR } from '../catalog/targets.js'
import { atLeast, formatVersion, parseVersion } from '../catalog/version.js'
import { ToolchainError } from '../catalog/errors.js'

/** emcc stops looking up EM_COMPILER_WRAPPER on PATH in 3.1.51 (emscripten issue 22736) ... */
const WRAPPER_LOOKUP_BROKEN = [3, 1, 51]
/** ... until execvp came back in 3.1.70 (emscripten pull request 22737). */
const WRAPPER_LOOKUP_FIXED = [3, 1, 70]

/** "3.1.69", "3.1.69-git" or "\"3.1.69\"" as emscripten-version.txt may write it. */
export function emscriptenVersionNumbers(text: string): number[] | undefined {
  const m = /^"?(\d+\.\d+\.\d+)/.exec(text.trim())
  return m ? (parseVersion(m[1]) as number[]) : undefined
}

/**
 * Fails below the floor; warns about versions CPython's scripts refuse and
 * about a bare EM_COMPILER_WRAPPER=ccache in the versions that cannot find
 * it. (The action's own ccache wrapper is an absolute path, and it never
 * runs wasm_build.py, which sets a bare one when ccache is on PATH.)
 */
export function checkEmscriptenVersion(
  version: string,
  where: string,
  env: NodeJS.ProcessEnv = process.env
): void {
  const numbers = emscriptenVersionNumbers(version)
  if (!numbers) {
    core.warning(`Emscripten at ${where} reports version "${version}"; its version is not checked`)
    return
  }
  const text = formatVersion(numbers)
  if (!atLeast(numbers, EMSDK_FLOOR))
    throw new ToolchainError(
      `Emscripten ${text} (${where}) is too old: CPython needs Emscripten ${formatVersion(EMSDK_FLOOR)} or newer. ` +
        'Set emsdk-version to a newer version to install one, or point emsdk-path at a newer Emscripten.'
    )
  if (EMSDK_BROKEN.includes(text))
    core.warning(
      `Emscripten ${text} (${where}) has known bugs that break CPython; CPython's wasm_build.py refuses it. Choose another emsdk-version.`
    )
  const wrapper = env.EM_COMPILER_WRAPPER
  const bareWrapper = wrapper !== undefined && wrapper !== '' && !wrapper.includes('/')
  if (
    atLeast(numbers, WRAPPER_LOOKUP_BROKEN) &&
    !atLeast(numbers, WRAPPER_LOOKUP_FIXED) &&
    bareWrapper
  )
    core.warning(
      `Emscripten ${text} does not search PATH for EM_COMPILER_WRAPPER (fixed in ${formatVersion(WRAPPER_LOOKUP_FIXED)}): ` +
        `a bare EM_COMPILER_WRAPPER=${wrapper} makes every compile fail. ` +
        'Set it to an absolute path, or use Emscripten 3.1.50 or 3.1.70 and newer.'
    )
}
