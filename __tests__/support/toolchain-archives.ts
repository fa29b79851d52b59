/**
 * Builds toolchain release archives with the layouts the real releases have
 * (top folder, bin/clang, share/wasi-sysroot, the wasmtime binary, an emsdk
 * tree whose `emsdk` script answers install, activate and construct_env),
 * with stand-in programs instead of compilers. Paths are the URL paths under
 * a mirror base, as the projects publish them.
 */
import { execFileSync } from 'node:child_process'
import * as crypto from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { emsdkNestedDownloads } from '../../src/catalog/emsdk-binaries.js'
import { emscriptenPorts } from '../../src/catalog/emscripten-ports.js'
import { mirrored } from '../../src/catalog/downloads.js'

export interface Archive {
  /** URL path under the mirror base */
  urlPath: string
  file: string
  sha256: string
  /** the archive's top folder */
  topDir: string
}

type Arch = 'x64' | 'arm64'

function write(file: string, text: string, mode = 0o644): void {
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, text, { mode })
}

function pack(root: string, topDir: string, file: string, compress: 'z' | 'J'): Archive {
  fs.mkdirSync(path.dirname(file), { recursive: true })
  execFileSync('tar', [`-c${compress}f`, file, '-C', root, topDir])
  const sha256 = crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex')
  return { urlPath: '', file, sha256, topDir }
}

export interface WasiSdkOptions {
  /** written to MARKER at the top, to tell two builds of one release apart */
  marker?: string
  /** the headers under include/wasm32-wasip1/ (as newer releases have them) */
  tripleInclude?: boolean
  /** bin/clang exits with 1 (a damaged compiler) */
  brokenClang?: boolean
  /** the sysroot has no stdio.h */
  noStdio?: boolean
}

/**
 * wasi-sdk-<N>.0/ up to 22, wasi-sdk-<N>.0-<x86_64|arm64>-linux/ from 23 on;
 * VERSION from 25 on. bin/clang++ is a relative symbolic link to clang, as in
 * the releases.
 */
export function wasiSdkArchive(
  work: string,
  major: number,
  arch: Arch = 'x64',
  options: WasiSdkOptions = {}
): Archive {
  const suffix = major <= 22 ? 'linux' : `${arch === 'x64' ? 'x86_64' : 'arm64'}-linux`
  const topDir = major <= 22 ? `wasi-sdk-${major}.0` : `wasi-sdk-${major}.0-${suffix}`
  const root = fs.mkdtempSync(path.join(work, `wasi-sdk-${major}-`))
  const sdk = path.join(root, topDir)
  write(
    path.join(sdk, 'bin', 'clang'),
    options.brokenClang
      ? '#!/bin/sh\necho "clang: error while loading shared libraries: libLLVM.so.18" >&2\nexit 1\n'
      : `#!/bin/sh\necho "clang version 18.1.2 (wasi-sdk ${major})"\necho "Target: wasm32-unknown-wasi"\n`,
    0o755
  )
  fs.symlinkSync('clang', path.join(sdk, 'bin', 'clang++'))
  const include = path.join(sdk, 'share', 'wasi-sysroot', 'include')
  if (!options.noStdio)
    write(
      path.join(include, ...(options.tripleInclude ? ['wasm32-wasip1'] : []), 'stdio.h'),
      '/* stand-in */\n'
    )
  else write(path.join(include, 'stdlib.h'), '/* stand-in */\n')
  if (options.marker) write(path.join(sdk, 'MARKER'), `${options.marker}\n`)
  write(path.join(sdk, 'share', 'wasi-sysroot', 'lib', 'wasm32-wasi', 'libc.a'), '!<arch>\n')
  if (major >= 25) write(path.join(sdk, 'VERSION'), `${major}.0\nwasi-libc: stand-in\n`)
  const file = major <= 22 ? `wasi-sdk-${major}.0-linux.tar.gz` : `${topDir}.tar.gz`
  const archive = pack(root, topDir, path.join(root, file), 'z')
  return { ...archive, urlPath: `/releases/download/wasi-sdk-${major}/${file}` }
}

/**
 * wasmtime-v<X>-<x86_64|aarch64>-linux/wasmtime, as a .tar.xz; its
 * --version says `reports` (another version: a mislabelled build).
 */
export function wasmtimeArchive(
  work: string,
  version: string,
  arch: Arch = 'x64',
  reports = version
): Archive {
  const topDir = `wasmtime-v${version}-${arch === 'x64' ? 'x86_64' : 'aarch64'}-linux`
  const root = fs.mkdtempSync(path.join(work, `wasmtime-${version}-`))
  write(
    path.join(root, topDir, 'wasmtime'),
    `#!/bin/sh\necho "wasmtime ${reports} (0000000 2024-01-01)"\n`,
    0o755
  )
  write(path.join(root, topDir, 'LICENSE'), 'stand-in\n')
  const archive = pack(root, topDir, path.join(root, `${topDir}.tar.xz`), 'J')
  return { ...archive, urlPath: `/releases/download/v${version}/${topDir}.tar.xz` }
}

/** A stand-in of a file `emsdk install` downloads, as a mirror serves it. */
export interface NestedStandIn {
  /** URL path under the mirror base: /<host>/<path> */
  urlPath: string
  file: string
  sha256: string
  /** where emsdk looks for it, relative to its folder */
  into: string
}

/**
 * Stand-ins of the wasm-binaries archive and the Node tarball emsdk
 * `version` downloads (names and places from the action's catalog), and the
 * checksums input line for each.
 */
export function emsdkNestedStandIns(
  work: string,
  version: string,
  arch: Arch = 'x64',
  options: { marker?: string } = {}
): { files: NestedStandIn[]; checksums: string } {
  const root = fs.mkdtempSync(path.join(work, `emsdk-nested-${version}-`))
  const files = (emsdkNestedDownloads(version, arch) ?? []).map(d => {
    const file = path.join(root, path.basename(d.into))
    write(file, `stand-in for ${d.url} ${options.marker ?? ''}\n`)
    const sha256 = crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex')
    return {
      urlPath: new URL(mirrored(d.url, 'http://mirror')).pathname,
      file,
      sha256,
      into: d.into
    }
  })
  return {
    files,
    checksums: files.map(f => `${f.sha256}  ${path.basename(f.into)}`).join('\n')
  }
}

export interface PortStandIn {
  name: string
  /** the URL Emscripten fetches (and writes to the port's marker) */
  url: string
  /** URL path under the mirror base: /<host>/<path> */
  urlPath: string
  file: string
  sha512: string
  /** the archive's top folder */
  topDir: string
}

const portStandIns = new Map<string, { files: PortStandIn[]; checksums: string }>()

/**
 * Stand-ins of the port archives Emscripten `version` fetches (a top folder
 * with one header, .tar.gz or .zip as the real ones), and the checksums
 * input line (sha512) for each. Made once per folder and release: jobs that
 * share a mirror path get the same files, hence the same sums.
 */
export function emscriptenPortStandIns(
  work: string,
  version: string
): { files: PortStandIn[]; checksums: string } {
  const made = portStandIns.get(`${work}\0${version}`)
  if (made) return made
  const root = fs.mkdtempSync(path.join(work, `emscripten-ports-${version}-`))
  const files = (emscriptenPorts(version) ?? []).map(port => {
    const name = port.url.slice(port.url.lastIndexOf('/') + 1)
    const file = path.join(root, name)
    const topDir = `${port.name}-stand-in`
    write(path.join(root, topDir, `${port.name}.h`), `/* stand-in for ${port.url} */\n`)
    if (name.endsWith('.zip'))
      execFileSync('python3', ['-m', 'zipfile', '-c', file, topDir], { cwd: root })
    else execFileSync('tar', ['-czf', file, '-C', root, topDir])
    const sha512 = crypto.createHash('sha512').update(fs.readFileSync(file)).digest('hex')
    const urlPath = new URL(mirrored(port.url, 'http://mirror')).pathname
    return { name: port.name, url: port.url, urlPath, file, sha512, topDir }
  })
  const standIns = {
    files,
    checksums: files.map(f => `${f.sha512}  ${path.basename(f.file)}`).join('\n')
  }
  portStandIns.set(`${work}\0${version}`, standIns)
  return standIns
}

/**
 * GitHub's tag archive of emsdk: emsdk-<tag>/emsdk. The stand-in script
 * installs an Emscripten whose emcc prints its version, writes .emscripten on
 * activate, and prints the environment on construct_env as emsdk does (exports
 * on stdout, chatter on stderr). With failInstall, install leaves half a tree
 * and fails, as an interrupted SDK download would; with installs, it installs
 * that version of Emscripten instead (a tag that does not match its SDK).
 */
export function emsdkArchive(
  work: string,
  version: string,
  options: {
    failInstall?: boolean
    installs?: string
    /** the base emsdk's storage host stands at: install fetches what downloads/ lacks from there */
    storage?: string
    arch?: Arch
  } = {}
): Archive {
  const installs = options.installs ?? version
  const topDir = `emsdk-${version}`
  const root = fs.mkdtempSync(path.join(work, `emsdk-${version}-`))
  // as emsdk.py's download_file: a file already at its place is taken when
  // EMSDK_KEEP_DOWNLOADS is set, anything else is downloaded
  const nested = (emsdkNestedDownloads(version, options.arch ?? 'x64') ?? [])
    .map(
      d => `    if [ -n "$EMSDK_KEEP_DOWNLOADS" ] && [ -f "$here/${d.into}" ]; then
      echo "Skipping download of ${path.basename(d.into)}: it exists"
    else
      echo "Downloading: $here/${d.into} from ${d.url}"
      node -e 'fetch(process.argv[1]).then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "${options.storage ?? 'http://127.0.0.1:9'}/${path.basename(d.into)}" ||
        { echo "Error: Downloading URL '${d.url}' failed" >&2; exit 1; }
    fi`
    )
    .join('\n')
  const script = `#!/bin/sh
# stand-in for emsdk ${version}
here=$(cd "$(dirname "$0")" && pwd)
case "$1" in
  install)
    [ "$2" = "${version}" ] || { echo "error: tool or SDK not found: '$2'" >&2; exit 1; }
${nested}
    mkdir -p "$here/upstream/emscripten" "$here/upstream/bin" "$here/node/20.18.0_64bit/bin"
    ${options.failInstall ? `echo "Error: Downloading URL 'https://storage.googleapis.com/...': HTTP Error 503" >&2; exit 1` : ''}
    printf '#!/bin/sh\\necho "emcc (Emscripten gcc/clang-like replacement + linker emulating GNU ld) ${installs}"\\n' >"$here/upstream/emscripten/emcc"
    chmod +x "$here/upstream/emscripten/emcc"
    echo '"${installs}"' >"$here/upstream/emscripten/emscripten-version.txt"
    echo "Done installing tool 'releases-stand-in-64bit'."
    ;;
  activate)
    [ -d "$here/upstream/emscripten" ] || { echo "error: not installed: $2" >&2; exit 1; }
    printf "NODE_JS = '%s'\\nLLVM_ROOT = '%s'\\n" "$here/node/20.18.0_64bit/bin/node" "$here/upstream/bin" >"$here/.emscripten"
    echo "The Emscripten configuration file $here/.emscripten has been rewritten."
    ;;
  construct_env)
    [ -f "$here/.emscripten" ] || { echo "error: no active SDK" >&2; exit 1; }
    echo "Setting up EMSDK environment (suppress these messages with EMSDK_QUIET=1)" >&2
    echo "export PATH=\\"$here:$here/upstream/emscripten:$here/node/20.18.0_64bit/bin:$PATH\\";"
    echo "export EMSDK=\\"$here\\";"
    echo "export EMSDK_NODE=\\"$here/node/20.18.0_64bit/bin/node\\";"
    ;;
  *) echo "usage: emsdk install|activate|construct_env" >&2; exit 1 ;;
esac
`
  write(path.join(root, topDir, 'emsdk'), script, 0o755)
  write(path.join(root, topDir, 'emsdk.py'), '# stand-in\n')
  const archive = pack(root, topDir, path.join(root, `${version}.tar.gz`), 'z')
  return { ...archive, urlPath: `/archive/refs/tags/${version}.tar.gz` }
}

/** A copy of `archive` cut to half its size (a truncated download that still ends cleanly). */
export function truncatedCopy(archive: Archive, work: string): Archive {
  const bytes = fs.readFileSync(archive.file)
  const file = path.join(fs.mkdtempSync(path.join(work, 'truncated-')), path.basename(archive.file))
  fs.writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length / 2)))
  const sha256 = crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex')
  return { ...archive, file, sha256 }
}
