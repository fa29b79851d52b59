/** Dotted numeric versions (3.1.69, 24, 36.0.2) with ordering. */
import { EMSDK_FLOOR, WASI_SDK_FLOOR } from './targets.js'

export type Version = readonly number[]

export function parseVersion(text: string): Version | undefined {
  const m = /^v?(\d+(?:\.\d+)*)$/.exec(text.trim())
  return m ? m[1].split('.').map(Number) : undefined
}

export function compareVersions(a: Version, b: Version): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0)
    if (d !== 0) return d
  }
  return 0
}

export const formatVersion = (v: Version): string => v.join('.')

export const atLeast = (v: Version, floor: Version): boolean => compareVersions(v, floor) >= 0

/**
 * How each toolchain's versions are written, and the bounds a real one stays
 * in. The same rules check the inputs and the versions a checkout pins in its
 * own files: a version becomes a folder of the tool cache, a download URL and
 * a cache key, so anything else (a path, 1e+21) must never get that far.
 */
const TOOL_VERSIONS = {
  emsdk: {
    pattern: /^(\d+)\.(\d+)\.(\d+)$/,
    example: 'a version like 3.1.69',
    maxMajor: 99,
    floor: { version: EMSDK_FLOOR, name: 'Emscripten' }
  },
  // the SDK is released by major version; "24.0" names the same release
  'wasi-sdk': {
    pattern: /^(\d+)(?:\.(0))?$/,
    example: 'a major version like 24',
    maxMajor: 999,
    floor: { version: [WASI_SDK_FLOOR], name: 'WASI SDK' }
  },
  wasmtime: {
    pattern: /^v?(\d+)\.(\d+)\.(\d+)$/,
    example: 'a version like 36.0.2',
    maxMajor: 999,
    floor: undefined
  }
} as const

export type VersionedTool = keyof typeof TOOL_VERSIONS

/** Parts after the major: no toolchain has come near four digits there. */
const MAX_MINOR = 9999

/**
 * Checks a toolchain version as written. `expected` is set when the text is
 * not shaped like a version at all (it says what one looks like); the parts
 * are compared as text first, so a huge number is never printed as 1e+21.
 */
export function checkToolVersion(
  tool: VersionedTool,
  text: string
): { version: Version } | { problem: string; expected?: string } {
  const rule = TOOL_VERSIONS[tool]
  const m = rule.pattern.exec(text)
  if (!m) return { problem: `expected ${rule.example}`, expected: rule.example }
  const parts = m.slice(1).filter((p): p is string => p !== undefined)
  for (const [i, part] of parts.entries()) {
    const max = i === 0 ? rule.maxMajor : MAX_MINOR
    if (part.length > 1 && part.startsWith('0'))
      return { problem: `version numbers have no leading zeros (${part})` }
    if (part.length > String(max).length || Number(part) > max)
      return {
        problem: `${i === 0 ? 'the major version' : 'a version number'} ${part} is out of range (at most ${max})`
      }
  }
  const version = parts.map(Number)
  if (rule.floor && compareVersions(version, rule.floor.version) < 0)
    return {
      problem: `${rule.floor.name} ${formatVersion(rule.floor.version)} or newer is needed to build CPython`
    }
  return { version }
}
