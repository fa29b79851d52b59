import * as path from 'node:path'
import { checkToolVersion } from '../src/catalog/version.js'
import { loadInputs, withoutUserinfo } from '../src/inputs/index.js'
import { splitWords } from '../src/inputs/words.js'
import { checkoutWithLayout } from './support/checkout-layouts.js'

describe('configure-args are split like a shell would, never run through one', () => {
  test.each([
    ['--with-lto --enable-optimizations', ['--with-lto', '--enable-optimizations']],
    ['  --a\n--b\t--c  ', ['--a', '--b', '--c']],
    [`"CFLAGS=-O2 -g" 'LDFLAGS=-s x'`, ['CFLAGS=-O2 -g', 'LDFLAGS=-s x']],
    [`CFLAGS="-DX=\\"y\\""`, ['CFLAGS=-DX="y"']],
    ['--a\\ b', ['--a b']],
    [`--x='$HOME'`, ['--x=$HOME']],
    ['--x=$HOME', ['--x=$HOME']],
    ["'a;b'", ['a;b']],
    ['', []]
  ])('%j', (text, words) => {
    expect(splitWords(text)).toEqual(words)
  })

  test.each([
    ['--a "b', /unterminated double quote/],
    ["--a 'b", /unterminated single quote/],
    ['--a\\', /trailing backslash/],
    ['--a | tee', /"\|" .* never through a shell/],
    ['--a $(id)', /"\$\(" .* never through a shell/],
    ['--a `id`', /"`"/],
    ['--a > out', /">"/]
  ])('%j is refused', (text, message) => {
    expect(() => splitWords(text)).toThrow(message)
  })
})

describe('loadInputs', () => {
  const source = checkoutWithLayout('manual')
  const load = (values: Record<string, string>) => loadInputs(name => values[name] ?? '', '/')

  test('empty inputs take the action.yml defaults', () => {
    expect(load({ source })).toMatchObject({
      source,
      targets: ['wasi', 'emscripten-node', 'emscripten-browser'],
      emsdk: { version: 'auto' },
      wasiSdk: { version: 'auto' },
      wasmtime: { version: 'auto' },
      buildType: 'release',
      test: 'smoke',
      cache: true,
      cacheSave: 'auto',
      upload: true,
      dryRun: false,
      only: 'all',
      retentionDays: 0,
      compressionLevel: 6
    })
  })

  test('targets are deduplicated and may be separated by spaces, commas or newlines', () => {
    expect(load({ source, targets: 'wasi,\nemscripten-node wasi' }).targets).toEqual([
      'wasi',
      'emscripten-node'
    ])
  })

  test('versions are normalised', () => {
    const inputs = load({
      source,
      'wasi-sdk-version': '24.0',
      'wasmtime-version': 'v22.0.0',
      'emsdk-version': '3.1.69'
    })
    expect(inputs.wasiSdk.version).toBe(24)
    expect(inputs.wasmtime.version).toBe('22.0.0')
    expect(inputs.emsdk.version).toBe('3.1.69')
  })

  test('configure options that only look like the reserved ones are passed on', () => {
    const args = [
      '--without-ensurepip',
      '--with-lto=full',
      '--config-cache',
      '--with-hash-algorithm=siphash13',
      '--enable-big-digits=30',
      'CFLAGS=-O1'
    ]
    expect(load({ source, 'configure-args': args.join(' ') }).configureArgs).toEqual(args)
  })

  test('a mirror without credentials is taken as written, trailing slashes dropped', () => {
    expect(load({ source, 'emsdk-mirror': 'https://mirror.example/a@b/emsdk/' }).emsdk.mirror).toBe(
      'https://mirror.example/a@b/emsdk'
    )
  })

  test('a relative source is resolved against the workspace', () => {
    const workspace = path.dirname(source)
    const relative = path.basename(source)
    expect(loadInputs(name => ({ source: relative })[name] ?? '', workspace).source).toBe(source)
  })
})

describe('withoutUserinfo', () => {
  test.each([
    ['http://user:pass@host/x', 'http://host/x'],
    ['https://u:p@ss@host:8080/a@b', 'https://host:8080/a@b'],
    ['http:u:p@host', 'http:host'],
    ['ftp://u:p@host', 'ftp://host'],
    ['https://host/a@b', 'https://host/a@b'],
    ['https://host?q=a@b', 'https://host?q=a@b']
  ])('%s -> %s', (url, shown) => {
    expect(withoutUserinfo(url)).toBe(shown)
  })
})

describe('toolchain versions, from the inputs or the checkout', () => {
  test.each([
    ['emsdk', '3.1.69', [3, 1, 69]],
    ['emsdk', '99.0.0', [99, 0, 0]],
    ['wasi-sdk', '24', [24]],
    ['wasi-sdk', '24.0', [24, 0]],
    ['wasi-sdk', '999', [999]],
    ['wasmtime', 'v36.0.2', [36, 0, 2]],
    ['wasmtime', '0.40.1', [0, 40, 1]]
  ] as const)('%s %s is taken', (tool, text, version) => {
    expect(checkToolVersion(tool, text)).toEqual({ version })
  })

  test.each([
    ['emsdk', '3.1.08', 'version numbers have no leading zeros (08)'],
    ['emsdk', '100.0.0', 'the major version 100 is out of range (at most 99)'],
    ['emsdk', '3.10000.0', 'a version number 10000 is out of range (at most 9999)'],
    ['emsdk', '4.0.12/../../x', 'expected a version like 3.1.69'],
    ['emsdk', '3.1.6', 'Emscripten 3.1.8 or newer is needed to build CPython'],
    ['wasi-sdk', '1000', 'the major version 1000 is out of range (at most 999)'],
    [
      'wasi-sdk',
      '1000000000000000000000',
      'the major version 1000000000000000000000 is out of range (at most 999)'
    ],
    ['wasi-sdk', '24.1', 'expected a major version like 24'],
    ['wasi-sdk', '12', 'WASI SDK 16 or newer is needed to build CPython'],
    ['wasmtime', '1000.0.0', 'the major version 1000 is out of range (at most 999)'],
    ['wasmtime', '36.0', 'expected a version like 36.0.2']
  ] as const)('%s %j is refused: %s', (tool, text, problem) => {
    expect(checkToolVersion(tool, text)).toMatchObject({ problem })
  })
})
