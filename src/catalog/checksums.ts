/**
 * Known sha256 sums of the archives the action downloads, as data
 * (checksums.json, which says where each value comes from), keyed by tool,
 * version and runner architecture: a mirror serves the same files under
 * other URLs, so the file name is not the key. emsdk's tag archives hold
 * sources only, so one sum serves every architecture ('any').
 */
import table from './checksums.json' with { type: 'json' }
import type { Arch, ToolName } from './downloads.js'

export interface KnownSum {
  sha256: string
  /** where the value was published */
  from: string
}

type Table = Record<ToolName, Record<string, Partial<Record<Arch | 'any', KnownSum>>>>

export const KNOWN_SHA256: Table = {
  emsdk: table.emsdk,
  'wasi-sdk': table['wasi-sdk'],
  wasmtime: table.wasmtime
}

/** The table's entry for a release, if any. Versions are written as the inputs take them. */
export function knownSum(tool: ToolName, version: string, arch: Arch): KnownSum | undefined {
  const key = tool === 'wasmtime' ? version.replace(/^v/, '') : version.replace(/\.0$/, '')
  const entry = KNOWN_SHA256[tool][key]
  return entry?.[arch] ?? entry?.any
}

/** The table's sum for a release, if any. */
export const knownSha256For = (tool: ToolName, version: string, arch: Arch): string | undefined =>
  knownSum(tool, version, arch)?.sha256
