/** Pure parts of the toolchain installers: URLs, checksums, emsdk's environment, installed toolchains. */
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import type { Inputs } from '../src/inputs/index.js'
import { KNOWN_SHA256, knownSha256For } from '../src/catalog/checksums.js'
import { checkEmscriptenVersion } from '../src/runner/emscripten-version.js'
import { ToolchainError } from '../src/catalog/errors.js'
import { emscriptenConfig } from '../src/toolchains/index.js'
import { parseEmsdkEnvironment } from '../src/toolchains/installers/emsdk.js'
import { findEmscripten, findWasiSdk } from '../src/runner/preinstalled.js'
import {
  emsdkUrl,
  isGitHubUrl,
  toolCacheVersion,
  UnsupportedToolchainError,
  wasiSdkAsset,
  wasiSdkUrl,
  wasmtimeAsset,
  wasmtimeUrl
} from '../src/catalog/downloads.js'

const WASI = 'https://github.com/WebAssembly/wasi-sdk/releases/download'
const WASMTIME = 'https://github.com/bytecodealliance/wasmtime/releases/download'

describe('WASI SDK URLs', () => {
  test.each([16, 20, 21, 22])('%i: one x86_64 build, top folder wasi-sdk-N.0', major => {
    expect(wasiSdkAsset(major, 'x64')).toEqual({
      file: `wasi-sdk-${major}.0-linux.tar.gz`,
      topDir: `wasi-sdk-${major}.0`
    })
    expect(wasiSdkUrl(major, 'x64')).toBe(
      `${WASI}/wasi-sdk-${major}/wasi-sdk-${major}.0-linux.tar.gz`
    )
    expect(() => wasiSdkAsset(major, 'arm64')).toThrow(UnsupportedToolchainError)
    expect(() => wasiSdkAsset(major, 'arm64')).toThrow(/Arm builds start at 23/)
  })

  test.each([24, 25])('%i: per-arch builds, the top folder names the arch', major => {
    expect(wasiSdkAsset(major, 'x64')).toEqual({
      file: `wasi-sdk-${major}.0-x86_64-linux.tar.gz`,
      topDir: `wasi-sdk-${major}.0-x86_64-linux`
    })
    expect(wasiSdkAsset(major, 'arm64')).toEqual({
      file: `wasi-sdk-${major}.0-arm64-linux.tar.gz`,
      topDir: `wasi-sdk-${major}.0-arm64-linux`
    })
    expect(wasiSdkUrl(major, 'arm64')).toBe(
      `${WASI}/wasi-sdk-${major}/wasi-sdk-${major}.0-arm64-linux.tar.gz`
    )
  })

  test('a mirror replaces the base only', () => {
    expect(wasiSdkUrl(24, 'x64', 'http://127.0.0.1:8080/wasi')).toBe(
      'http://127.0.0.1:8080/wasi/releases/download/wasi-sdk-24/wasi-sdk-24.0-x86_64-linux.tar.gz'
    )
  })
})

describe('wasmtime URLs', () => {
  test.each([
    ['22.0.0', 'x64', 'wasmtime-v22.0.0-x86_64-linux'],
    ['22.0.0', 'arm64', 'wasmtime-v22.0.0-aarch64-linux'],
    ['38.0.3', 'x64', 'wasmtime-v38.0.3-x86_64-linux'],
    ['v38.0.3', 'arm64', 'wasmtime-v38.0.3-aarch64-linux']
  ] as const)('%s on %s', (version, arch, name) => {
    expect(wasmtimeAsset(version, arch)).toEqual({ file: `${name}.tar.xz`, topDir: name })
    expect(wasmtimeUrl(version, arch)).toBe(
      `${WASMTIME}/v${version.replace(/^v/, '')}/${name}.tar.xz`
    )
  })
})

describe('emsdk URLs and tool cache versions', () => {
  test('tag archives', () => {
    expect(emsdkUrl('3.1.58')).toBe(
      'https://github.com/emscripten-core/emsdk/archive/refs/tags/3.1.58.tar.gz'
    )
    expect(emsdkUrl('4.0.12', 'https://mirror.example/emsdk')).toBe(
      'https://mirror.example/emsdk/archive/refs/tags/4.0.12.tar.gz'
    )
  })

  test('versions are semver, as tc.cacheDir writes them', () => {
    expect(toolCacheVersion('wasi-sdk', '24')).toBe('24.0.0')
    expect(toolCacheVersion('wasi-sdk', '24.0')).toBe('24.0.0')
    expect(toolCacheVersion('wasmtime', 'v22.0.0')).toBe('22.0.0')
    expect(toolCacheVersion('emsdk', '3.1.58')).toBe('3.1.58')
  })

  test('the token goes to github.com over https only', () => {
    expect(isGitHubUrl(wasiSdkUrl(24, 'x64'))).toBe(true)
    expect(isGitHubUrl('http://github.com/x')).toBe(false)
    expect(isGitHubUrl('https://github.com.evil.example/x')).toBe(false)
    expect(isGitHubUrl('http://127.0.0.1:8080/releases/x')).toBe(false)
  })
})

describe('checksum table', () => {
  test('keyed by tool, version and arch', () => {
    expect(knownSha256For('wasi-sdk', '24', 'x64')).toBe(
      'c6c38aab56e5de88adf6c1ebc9c3ae8da72f88ec2b656fb024eda8d4167a0bc5'
    )
    expect(knownSha256For('wasi-sdk', '24', 'arm64')).toMatch(/^ae6c1417ea16/)
    expect(knownSha256For('wasi-sdk', '25.0', 'arm64')).toBe(
      '47fccad8b2498f2239e05e1115c3ffc652bf37e7de2f88fb64b2d663c976ce2d'
    )
    expect(knownSha256For('wasi-sdk', '27', 'x64')).toBe(
      'b7d4d944c88503e4f21d84af07ac293e3440b1b6210bfd7fe78e0afd92c23bc2'
    )
    expect(knownSha256For('wasmtime', 'v38.0.3', 'arm64')).toBe(
      '10f8dd0f4789075321a439a1fb4a3d1888e3a45c0620dc9c562e198095120120'
    )
    expect(knownSha256For('wasmtime', '22.0.0', 'x64')).toBeUndefined()
    expect(knownSha256For('emsdk', '3.1.58', 'x64')).toBeUndefined()
  })

  test('every sum is 64 lowercase hex digits', () => {
    for (const versions of Object.values(KNOWN_SHA256))
      for (const arches of Object.values(versions))
        for (const known of Object.values(arches)) expect(known?.sha256).toMatch(/^[0-9a-f]{64}$/)
  })
})

describe('emsdk construct_env', () => {
  const emsdk = '/opt/hostedtoolcache/emsdk/3.1.58/x64'
  test('exports: new PATH entries in order, variables unquoted', () => {
    const output = [
      `export PATH="${emsdk}:${emsdk}/upstream/emscripten:${emsdk}/node/18.20.3_64bit/bin:/usr/local/bin:/usr/bin";`,
      `export EMSDK="${emsdk}";`,
      `export EMSDK_NODE="${emsdk}/node/18.20.3_64bit/bin/node";`,
      'unset EMSDK_PYTHON;',
      ''
    ].join('\n')
    expect(parseEmsdkEnvironment(output, '/usr/local/bin:/usr/bin')).toEqual({
      path: [emsdk, `${emsdk}/upstream/emscripten`, `${emsdk}/node/18.20.3_64bit/bin`],
      vars: { EMSDK: emsdk, EMSDK_NODE: `${emsdk}/node/18.20.3_64bit/bin/node` },
      unset: ['EMSDK_PYTHON']
    })
  })

  test('Emscripten 6.x: export lines with quotes and semicolons, EM_CACHE cleared, Node 24', () => {
    // the sh output of construct_env_with_vars in emsdk.py (emscripten-core/emsdk e5bd3d08,
    // 6.0.8): `export K="V";` per variable, `unset K;` for EMSDK_*/EM_CACHE/EM_CONFIG
    // left in the environment by another tool, and its messages on stderr only
    const six = '/opt/hostedtoolcache/emsdk/6.0.10/x64'
    const output = [
      `export PATH="${six}:${six}/upstream/emscripten:${six}/node/24.19.0_64bit/bin:/usr/bin";`,
      `export EMSDK="${six}";`,
      `export EMSDK_NODE="${six}/node/24.19.0_64bit/bin/node";`,
      'unset EM_CACHE;',
      ''
    ].join('\n')
    expect(parseEmsdkEnvironment(output, '/usr/bin')).toEqual({
      path: [six, `${six}/upstream/emscripten`, `${six}/node/24.19.0_64bit/bin`],
      vars: { EMSDK: six, EMSDK_NODE: `${six}/node/24.19.0_64bit/bin/node` },
      unset: ['EM_CACHE']
    })
  })

  test('plain K=V lines, single quotes, and chatter that is not an assignment', () => {
    const output = [
      'Setting up EMSDK environment (suppress these messages with EMSDK_QUIET=1)',
      'Adding directories to PATH:',
      `PATH=${emsdk}:/usr/bin`,
      `EM_CONFIG='${emsdk}/.emscripten'`,
      'EMSDK=/e'
    ].join('\n')
    expect(parseEmsdkEnvironment(output, '/usr/bin')).toEqual({
      path: [emsdk],
      vars: { EM_CONFIG: `${emsdk}/.emscripten`, EMSDK: '/e' },
      unset: []
    })
  })
})

describe('Emscripten versions', () => {
  let written: string[]
  beforeAll(() => {
    jest.spyOn(process.stdout, 'write').mockImplementation(chunk => {
      written.push(String(chunk))
      return true
    })
  })
  afterAll(() => {
    jest.restoreAllMocks()
  })
  const check = (version: string, env: NodeJS.ProcessEnv = {}): string => {
    written = []
    checkEmscriptenVersion(version, 'test', env)
    return written.join('')
  }

  test('below 3.1.8 fails', () => {
    expect(() => check('3.1.6')).toThrow(ToolchainError)
    expect(() => check('3.1.6')).toThrow(/Emscripten 3.1.6 \(test\) is too old.*3\.1\.8 or newer/)
    expect(check('3.1.8')).toBe('')
  })

  test('the versions CPython refuses warn', () => {
    for (const v of ['3.1.14', '3.1.16', '3.1.20'])
      expect(check(v)).toContain(`::warning::Emscripten ${v} (test) has known bugs`)
    expect(check('"3.1.69"')).toBe('')
    expect(check('3.1.69-git')).toBe('')
  })

  test('a bare EM_COMPILER_WRAPPER warns from 3.1.51 until 3.1.70', () => {
    expect(check('3.1.51', { EM_COMPILER_WRAPPER: 'ccache' })).toContain(
      'does not search PATH for EM_COMPILER_WRAPPER'
    )
    // ccache on PATH alone is no problem: the action's own wrapper is an absolute path
    expect(check('3.1.69', {})).toBe('')
    expect(check('3.1.60', { EM_COMPILER_WRAPPER: '/usr/bin/ccache' })).toBe('')
    expect(check('3.1.50', { EM_COMPILER_WRAPPER: 'ccache' })).toBe('')
    expect(check('3.1.70', { EM_COMPILER_WRAPPER: 'ccache' })).toBe('')
  })
})

describe('installed toolchains', () => {
  let root: string
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'cwa-installed-'))
  })
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }))

  const inputs = (emsdkPath = '', wasiSdkPath = ''): Inputs =>
    ({ emsdk: { path: emsdkPath }, wasiSdk: { path: wasiSdkPath } }) as unknown as Inputs

  /** A Debian-style Emscripten: /usr/bin/emcc -> ../share/emscripten/emcc, frozen cache. */
  function distribution(name: string, version: string): string {
    const usr = path.join(root, name, 'usr')
    const share = path.join(usr, 'share', 'emscripten')
    fs.mkdirSync(share, { recursive: true })
    fs.mkdirSync(path.join(usr, 'bin'), { recursive: true })
    fs.writeFileSync(path.join(share, 'emcc'), '#!/bin/sh\n', { mode: 0o755 })
    fs.writeFileSync(path.join(share, 'emscripten-version.txt'), `"${version}"\n`)
    fs.writeFileSync(
      path.join(share, '.emscripten'),
      "LLVM_ROOT = '/usr/lib/llvm-19/bin'\nFROZEN_CACHE = True # never clears the cache\n"
    )
    fs.symlinkSync('../share/emscripten/emcc', path.join(usr, 'bin', 'emcc'))
    return usr
  }

  test("a distribution's emcc on PATH: found by its link, and its frozen cache unfrozen in a copy", () => {
    const usr = distribution('trixie', '3.1.69')
    const found = findEmscripten(inputs(), { PATH: path.join(usr, 'bin') })
    const share = fs.realpathSync(path.join(usr, 'share', 'emscripten'))
    expect(found).toEqual({ path: share, version: '3.1.69', how: `emcc on PATH (${share})` })
    const work = path.join(root, 'work')
    const config = emscriptenConfig(share, work) as string
    expect(config).toBe(path.join(work, 'emscripten-config.py'))
    expect(fs.readFileSync(config, 'utf8')).toMatch(/^FROZEN_CACHE = False/m)
    expect(fs.readFileSync(path.join(share, '.emscripten'), 'utf8')).toMatch(/FROZEN_CACHE = True/)
  })

  test('an Emscripten below 3.1.8 on PATH fails clearly', () => {
    const usr = distribution('bullseye', '2.0.12')
    expect(() => findEmscripten(inputs(), { PATH: path.join(usr, 'bin') })).toThrow(
      /Emscripten 2\.0\.12 \(emcc on PATH .*\) is too old/
    )
  })

  test('EMSDK names an emsdk checkout; emsdk-path comes first', () => {
    const emsdk = path.join(root, 'emsdk')
    fs.mkdirSync(path.join(emsdk, 'upstream', 'emscripten'), { recursive: true })
    fs.writeFileSync(
      path.join(emsdk, 'upstream', 'emscripten', 'emscripten-version.txt'),
      '3.1.58\n'
    )
    expect(findEmscripten(inputs(), { EMSDK: emsdk, PATH: '' })?.how).toBe(`EMSDK (${emsdk})`)
    const usr = distribution('sid', '4.0.12')
    expect(
      findEmscripten(inputs(path.join(usr, 'share', 'emscripten')), { EMSDK: emsdk, PATH: '' })
        ?.version
    ).toBe('4.0.12')
    expect(() => findEmscripten(inputs(root), { PATH: '' })).toThrow(
      /emsdk-path: .* holds no Emscripten/
    )
  })

  test('WASI SDK: its version from VERSION or from the folder a link points at', () => {
    const sdk = path.join(root, 'wasi-sdk-24.0-x86_64-linux')
    fs.mkdirSync(path.join(sdk, 'bin'), { recursive: true })
    fs.writeFileSync(path.join(sdk, 'bin', 'clang'), '')
    const link = path.join(root, 'wasi-sdk')
    fs.symlinkSync(sdk, link)
    expect(findWasiSdk(inputs(), { WASI_SDK_PATH: link })).toEqual({
      path: link,
      version: '24',
      how: `WASI_SDK_PATH (${link})`
    })
    fs.writeFileSync(path.join(sdk, 'VERSION'), '25.0\nwasi-libc: abc\n')
    expect(findWasiSdk(inputs('', link), {})?.version).toBe('25')
    expect(() => findWasiSdk(inputs('', root), {})).toThrow(/wasi-sdk-path: .* is not a WASI SDK/)
  })

  test('WASI SDK: an image with several SDKs gives the pinned /opt/wasi-sdk-<pin>.0*, as CPython scripts look', () => {
    const opt = fs.mkdtempSync(path.join(root, 'opt-'))
    for (const v of ['21', '24', '33']) {
      const sdk = path.join(opt, `wasi-sdk-${v}.0-x86_64-linux`)
      fs.mkdirSync(path.join(sdk, 'bin'), { recursive: true })
      fs.writeFileSync(path.join(sdk, 'bin', 'clang'), '')
    }
    fs.symlinkSync(path.join(opt, 'wasi-sdk-24.0-x86_64-linux'), path.join(opt, 'wasi-sdk'))
    expect(findWasiSdk(inputs(), {}, '33', opt)).toEqual({
      path: path.join(opt, 'wasi-sdk-33.0-x86_64-linux'),
      version: '33',
      how: `the pinned WASI SDK 33 in ${opt} (${path.join(opt, 'wasi-sdk-33.0-x86_64-linux')})`
    })
    // no folder for the pin, or no pin: /opt/wasi-sdk, as before
    expect(findWasiSdk(inputs(), {}, '34', opt)?.path).toBe(path.join(opt, 'wasi-sdk'))
    expect(findWasiSdk(inputs(), {}, undefined, opt)?.version).toBe('24')
    // WASI_SDK_PATH still comes first
    expect(
      findWasiSdk(
        inputs(),
        { WASI_SDK_PATH: path.join(opt, 'wasi-sdk-21.0-x86_64-linux') },
        '33',
        opt
      )?.version
    ).toBe('21')
  })
})
