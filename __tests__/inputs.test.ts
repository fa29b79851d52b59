import * as path from 'node:path'
import { loadInputs } from '../src/inputs/index.js'
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

  test('a relative source is resolved against the workspace', () => {
    const workspace = path.dirname(source)
    const relative = path.basename(source)
    expect(loadInputs(name => ({ source: relative })[name] ?? '', workspace).source).toBe(source)
  })
})
