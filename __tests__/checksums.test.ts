/** The checksum table (src/catalog/checksums.json): what it covers, and that it says where each sum comes from. */
import { describe, expect, test } from '@jest/globals'
import { KNOWN_SHA256, knownSum } from '../src/catalog/checksums.js'
import { BRANCH_PINS } from '../src/catalog/pins.js'

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
})
