/** Download locations of the toolchains, as their projects publish them. Pure. */
import { ActionError } from './errors.js'
/** The toolchains the action downloads. */
export type ToolName = 'emsdk' | 'wasi-sdk' | 'wasmtime'

export const DEFAULT_BASE: Record<ToolName, string> = {
  emsdk: 'https://github.com/emscripten-core/emsdk',
  'wasi-sdk': 'https://github.com/WebAssembly/wasi-sdk',
  wasmtime: 'https://github.com/bytecodealliance/wasmtime'
}

export type Arch = 'x64' | 'arm64'

export class UnsupportedToolchainError extends ActionError {}

export function emsdkUrl(version: string, base = DEFAULT_BASE.emsdk): string {
  return `${base}/archive/refs/tags/${version}.tar.gz`
}

/** The archive's top folder and file name. Arm builds exist from WASI SDK 23 on. */
export function wasiSdkAsset(major: number, arch: Arch): { file: string; topDir: string } {
  if (major <= 22) {
    if (arch !== 'x64')
      throw new UnsupportedToolchainError(
        `WASI SDK ${major} has no ${arch} Linux build (Arm builds start at 23); choose wasi-sdk-version 23 or newer, or wasi-sdk-path`
      )
    return { file: `wasi-sdk-${major}.0-linux.tar.gz`, topDir: `wasi-sdk-${major}.0` }
  }
  const name = `wasi-sdk-${major}.0-${arch === 'x64' ? 'x86_64' : 'arm64'}-linux`
  return { file: `${name}.tar.gz`, topDir: name }
}

export function wasiSdkUrl(major: number, arch: Arch, base = DEFAULT_BASE['wasi-sdk']): string {
  return `${base}/releases/download/wasi-sdk-${major}/${wasiSdkAsset(major, arch).file}`
}

export function wasmtimeAsset(version: string, arch: Arch): { file: string; topDir: string } {
  const name = `wasmtime-v${version.replace(/^v/, '')}-${arch === 'x64' ? 'x86_64' : 'aarch64'}-linux`
  return { file: `${name}.tar.xz`, topDir: name }
}

export function wasmtimeUrl(version: string, arch: Arch, base = DEFAULT_BASE.wasmtime): string {
  return `${base}/releases/download/v${version.replace(/^v/, '')}/${wasmtimeAsset(version, arch).file}`
}

/**
 * The version string used in the tool cache: valid semver, written the way
 * tc.cacheDir writes it (no leading v), so tc.find finds what the plan names.
 */
export function toolCacheVersion(tool: ToolName, version: string): string {
  if (tool === 'wasi-sdk') return `${/^\d+/.exec(version)?.[0] ?? version}.0.0`
  return version.replace(/^v/, '')
}

/**
 * A URL under the `mirror` input: <mirror>/<host>/<path>, one rule for every
 * host a run downloads from (github.com, storage.googleapis.com, nodejs.org),
 * so a mirror is a copy of those hosts' files under one base.
 */
export function mirrored(url: string, mirror: string): string {
  if (!mirror) return url
  const u = new URL(url)
  return `${mirror.replace(/\/+$/, '')}/${u.host}${u.pathname}`
}

/** A GitHub release asset: the REST API publishes its sha256 as `digest`. */
export interface ReleaseAsset {
  /** owner/name */
  repo: string
  tag: string
  file: string
}

/** The release asset a download is, when it is one (tag archives are not: GitHub makes them on request). */
export function releaseAssetOf(url: string): ReleaseAsset | undefined {
  const m = /^https:\/\/github\.com\/([^/]+\/[^/]+)\/releases\/download\/([^/]+)\/([^/]+)$/.exec(
    url
  )
  return m
    ? { repo: m[1], tag: decodeURIComponent(m[2]), file: decodeURIComponent(m[3]) }
    : undefined
}

/** The token is sent to github.com only; other hosts (mirrors) never see it. */
export function isGitHubUrl(url: string): boolean {
  try {
    const { protocol, hostname } = new URL(url)
    return protocol === 'https:' && (hostname === 'github.com' || hostname === 'api.github.com')
  } catch {
    return false
  }
}

/** The file a URL names: its last path segment, decoded (the checksums input names files so). */
export const fileName = (url: string): string =>
  decodeURIComponent(url.slice(url.lastIndexOf('/') + 1))
