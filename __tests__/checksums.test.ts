/** The checksum table (src/catalog/checksums.json): what it covers, and that it says where each sum comes from. */
import { describe, expect, test } from '@jest/globals'
import { KNOWN_SHA256, knownSum } from '../src/catalog/checksums.js'
import { BRANCH_PINS } from '../src/catalog/pins.js'
import { emsdkNestedDownloads } from '../src/catalog/emsdk-binaries.js'
import { emscriptenPorts } from '../src/catalog/emscripten-ports.js'
import { EMSDK_ARM64_FLOOR } from '../src/catalog/targets.js'
import { compareVersions, parseVersion } from '../src/catalog/version.js'

describe('the checksum table', () => {
  test('every entry is a sha256 with a source', () => {
    for (const versions of Object.values(KNOWN_SHA256))
      for (const arches of Object.values(versions))
        for (const known of Object.values(arches)) {
          expect(known?.sha256).toMatch(/^[0-9a-f]{64}$/)
          expect(known?.from.length).toBeGreaterThan(10)
        }
  })

  test("emsdk's tag archives hold sources: one sum for both architectures", () => {
    expect(knownSum('emsdk', '6.0.10', 'x64')).toEqual(knownSum('emsdk', '6.0.10', 'arm64'))
    expect(knownSum('emsdk', '6.0.10', 'x64')?.from).toMatch(/bazel-central-registry/)
  })

  // which default pins the table covers today; the ones it does not are listed
  // here so that a new sum (or a new pin without one) is a visible change
  test('the branch pins it covers, per architecture', () => {
    const uncovered: string[] = []
    for (const [branch, pins] of Object.entries(BRANCH_PINS))
      for (const arch of ['x64', 'arm64'] as const)
        for (const [tool, version] of [
          ['emsdk', pins.emsdk],
          ['wasi-sdk', String(pins.wasiSdk)],
          ['wasmtime', pins.wasmtime]
        ] as const)
          if (!knownSum(tool, version, arch)) uncovered.push(`${branch} ${tool} ${version} ${arch}`)
    expect(uncovered.sort()).toEqual(
      [
        '3.11 wasi-sdk 16 arm64',
        '3.11 wasmtime 22.0.0 x64',
        '3.11 wasmtime 22.0.0 arm64',
        '3.12 wasi-sdk 20 arm64',
        '3.12 wasmtime 22.0.0 x64',
        '3.12 wasmtime 22.0.0 arm64',
        '3.13 wasmtime 22.0.0 x64',
        '3.13 wasmtime 22.0.0 arm64',
        '3.14 emsdk 4.0.12 x64',
        '3.14 emsdk 4.0.12 arm64',
        '3.14 wasmtime 22.0.0 x64',
        '3.14 wasmtime 22.0.0 arm64',
        '3.15 emsdk 4.0.12 x64',
        '3.15 emsdk 4.0.12 arm64'
      ].sort()
    )
  })

  // what `emsdk install` downloads for the pinned versions; arm64 below the
  // floor is refused at plan time, so it has no entry to miss
  test("the pinned emsdk releases' wasm-binaries and Node: the sums it lacks", () => {
    const uncovered: string[] = []
    for (const [branch, pins] of Object.entries(BRANCH_PINS))
      for (const arch of ['x64', 'arm64'] as const) {
        const below = compareVersions(parseVersion(pins.emsdk) ?? [], EMSDK_ARM64_FLOOR) < 0
        if (arch === 'arm64' && below) continue
        const nested = emsdkNestedDownloads(pins.emsdk, arch)
        if (!nested) uncovered.push(`${branch} emsdk ${pins.emsdk} ${arch}: not in the data`)
        for (const d of nested ?? [])
          if (!d.sha256) uncovered.push(`${branch} ${d.what} ${arch}`)
          else expect(d.from).toMatch(/emsdk|nodejs\.org/)
      }
    expect(uncovered.sort()).toEqual(
      ['3.16 emsdk 6.0.10 x64: not in the data', '3.16 emsdk 6.0.10 arm64: not in the data'].sort()
    )
  })

  test('3.1.19 takes the .tbz2 archive into zips/, 4.0.12 the .tar.xz into downloads/', () => {
    expect(emsdkNestedDownloads('3.1.19', 'x64')?.map(d => d.into)).toEqual([
      'zips/4c3772879a04140298c3abde90962d5567b5e2fc-wasm-binaries.tbz2',
      'zips/node-v14.18.2-linux-x64.tar.xz'
    ])
    expect(emsdkNestedDownloads('4.0.12', 'arm64')?.map(d => d.url)).toEqual([
      'https://storage.googleapis.com/webassembly/emscripten-releases-builds/linux/209b886304498eff50dd835850dc5715803401ed/wasm-binaries-arm64.tar.xz',
      'https://nodejs.org/dist/v22.16.0/node-v22.16.0-linux-arm64.tar.xz'
    ])
  })
})

describe("the Emscripten ports table (what each release's tools/ports/<name>.py fetches)", () => {
  test('the pinned and the distributions’ Emscripten releases: URL and sha512 of each port', () => {
    const zlib = (version: string) => emscriptenPorts(version)?.find(p => p.name === 'zlib')
    expect(zlib('3.1.19')?.url).toBe(
      'https://storage.googleapis.com/webassembly/emscripten-ports/zlib-1.2.12.tar.gz'
    )
    expect(zlib('3.1.69')?.url).toBe(
      'https://github.com/madler/zlib/archive/refs/tags/v1.2.13.tar.gz'
    )
    expect(zlib('4.0.12')?.url).toBe(
      'https://github.com/madler/zlib/archive/refs/tags/v1.3.1.tar.gz'
    )
    expect(emscriptenPorts('4.0.12')?.map(p => [p.name, p.url])).toEqual([
      ['zlib', 'https://github.com/madler/zlib/archive/refs/tags/v1.3.1.tar.gz'],
      ['bzip2', 'https://github.com/emscripten-ports/bzip2/archive/1.0.6.zip'],
      ['sqlite3', 'https://www.sqlite.org/2022/sqlite-amalgamation-3390000.zip']
    ])
    for (const version of ['3.1.19', '3.1.58', '3.1.69', '4.0.12', '6.0.8'])
      for (const port of emscriptenPorts(version) ?? []) {
        expect(port.sha512).toMatch(/^[0-9a-f]{128}$/)
        expect(port.from).toMatch(/^emscripten-core\/emscripten tools\/ports\//)
      }
  })

  test('a release outside the table (older, or newer than its last tag) has no entry', () => {
    expect(emscriptenPorts('3.1.18')).toBeUndefined()
    // main's pin, released after the table's last tag
    expect(emscriptenPorts(BRANCH_PINS['3.16'].emsdk)).toBeUndefined()
    // a development build after a release may fetch other ports
    expect(emscriptenPorts('3.1.69-git')).toBeUndefined()
  })
})
