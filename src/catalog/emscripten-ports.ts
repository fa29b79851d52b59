/**
 * The Emscripten ports a CPython build fetches, per Emscripten release, as
 * data (emscripten-ports.json, each entry with the tags it was read at):
 * embuilder builds zlib and bzip2 on 3.11-3.13 (Tools/wasm/README.md), and
 * configure's PY_CHECK_EMSCRIPTEN_PORT checks compile with -sUSE_ZLIB,
 * -sUSE_BZIP2 and -sUSE_SQLITE3, which fetch those ports too.
 *
 * Emscripten's fetch_project (tools/ports/__init__.py, the same at 3.1.19,
 * 3.1.69, 4.0.12 and 6.0.8) downloads nothing when
 * <PORTS>/<name>/.emscripten_url holds the port's URL: the action downloads
 * each archive (through the mirror), checks Emscripten's own sha512, unpacks
 * it there and writes that marker. Pure.
 */
import data from './emscripten-ports.json' with { type: 'json' }
import { compareVersions, parseVersion } from './version.js'

interface PortRelease {
  url: string
  sha512: string
  /** the first and the last tagged Emscripten release whose port file names this archive */
  emscripten: [string, string]
  from: string
}

const PORTS = data.ports as unknown as Record<string, PortRelease[]>

/** The ports the action puts in place before a build. */
const SEEDED_PORTS = ['zlib', 'bzip2', 'sqlite3'] as const

/** One port archive Emscripten would fetch. */
export interface PortDownload {
  /** the port's name, its folder under <PORTS> */
  name: string
  /** what messages call it: "port zlib of Emscripten 3.1.19" */
  what: string
  /** the URL Emscripten fetches, and the marker it compares */
  url: string
  sha512: string
  /** where the sum comes from: the table's source, or 'input' (the checksums input) */
  from: string
}

/**
 * The port archives Emscripten `version` would fetch, or undefined when the
 * table does not cover that release (a newer or an untagged one).
 */
export function emscriptenPorts(version: string): PortDownload[] | undefined {
  // a development build (3.1.69-git) may fetch other ports than the release it follows
  const wanted = parseVersion(version)
  if (!wanted) return undefined
  const found: PortDownload[] = []
  for (const name of SEEDED_PORTS) {
    const release = PORTS[name]?.find(
      r =>
        compareVersions(wanted, parseVersion(r.emscripten[0]) ?? []) >= 0 &&
        compareVersions(wanted, parseVersion(r.emscripten[1]) ?? []) <= 0
    )
    if (!release) return undefined
    found.push({
      name,
      what: `port ${name} of Emscripten ${version}`,
      url: release.url,
      sha512: release.sha512,
      from: release.from
    })
  }
  return found
}
