/**
 * What `emsdk install <version>` downloads on Linux besides the tag archive:
 * the emscripten-releases build (LLVM, binaryen, Emscripten) and the Node
 * its SDK depends on. The action downloads and verifies both itself and puts
 * them where emsdk.py looks before downloading (`get_download_target`: the
 * folder joined with download_prefix + the URL's last segment), so that with
 * EMSDK_KEEP_DOWNLOADS set `emsdk install` downloads nothing. Data in
 * emsdk-binaries.json, each release's values with their source
 * (emscripten-core/emsdk bazel/revisions.bzl, emsdk_manifest.json and emsdk.py
 * at the release's tag). Pure.
 */
import data from './emsdk-binaries.json' with { type: 'json' }
import type { Arch } from './downloads.js'
import type { KnownSum } from './checksums.js'

interface EmsdkRelease {
  /** the emscripten-releases build the tag names */
  hash: string
  /** tbz2 before 3.1.47, tar.xz after (emsdk d42c740) */
  archive: string
  /** where emsdk.py keeps downloads: zips/ up to 3.1.43, downloads/ from 3.1.44 */
  folder: string
  node: string | null
  x64?: string
  arm64?: string
  from: string
}

const RELEASES = data.releases as Record<string, EmsdkRelease>
const NODE = data.node as Record<string, Partial<Record<Arch, KnownSum>>>

/** emsdk's storage host for release builds (emsdk.py emscripten_releases_download_url_template). */
const EMSDK_STORAGE = 'https://storage.googleapis.com/webassembly/emscripten-releases-builds'
/** Node's own distribution, whose SHASUMS256.txt the table's Node sums are. */
const NODE_DIST = 'https://nodejs.org/dist'

/** One file the action downloads into a toolchain's tree before its own installer runs. */
export interface NestedDownload {
  /** what messages call it: "wasm-binaries of emsdk 4.0.12" */
  what: string
  /** where it is published (before any mirror) */
  url: string
  /** where it goes, relative to the toolchain's top folder */
  into: string
  sha256?: string
  /** the table's source of the sum, or 'input' (the checksums input) */
  from?: string
}

/** The oldest and newest emsdk releases the data covers, for messages. */
export function emsdkBinariesRange(): [string, string] {
  const versions = Object.keys(RELEASES)
  return [versions[0], versions[versions.length - 1]]
}

/**
 * The wasm-binaries archive and the Node tarball `emsdk install <version>`
 * fetches on a Linux runner of `arch`, or undefined for a release the data
 * does not cover.
 */
export function emsdkNestedDownloads(version: string, arch: Arch): NestedDownload[] | undefined {
  const release = RELEASES[version]
  if (!release) return undefined
  const binaries = `wasm-binaries${arch === 'arm64' ? '-arm64' : ''}.${release.archive}`
  const downloads: NestedDownload[] = [
    {
      what: `wasm-binaries of emsdk ${version}`,
      url: `${EMSDK_STORAGE}/linux/${release.hash}/${binaries}`,
      // the manifest's download_prefix (zipfile_prefix before) is "%releases-tag%-"
      into: `${release.folder}/${release.hash}-${binaries}`,
      sha256: release[arch],
      from: release[arch] ? release.from : undefined
    }
  ]
  if (release.node) {
    const file = `node-v${release.node}-linux-${arch}.tar.xz`
    const known = NODE[release.node]?.[arch]
    downloads.push({
      what: `Node ${release.node} of emsdk ${version}`,
      url: `${NODE_DIST}/v${release.node}/${file}`,
      // the manifest names Node by its bare file name, with no prefix
      into: `${release.folder}/${file}`,
      sha256: known?.sha256,
      from: known?.from
    })
  }
  return downloads
}
