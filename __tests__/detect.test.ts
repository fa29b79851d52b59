import * as fs from 'node:fs'
import {
  CheckoutError,
  inspectCheckout,
  isForwardingShim,
  readVersion
} from '../src/checkout/detect.js'
import { checkoutWithLayout as fakeCheckout, writeTree } from './support/checkout-layouts.js'

describe('recipe detection from the checkout', () => {
  test.each([
    ['manual', '3.11.2', 'manual', 'manual', undefined, 'wasm32-unknown-wasi'],
    ['wasi-py-3.13.0', '3.13.0', 'wasi-py', 'manual', 'Tools/wasm/wasi.py', 'wasm32-wasi'],
    ['wasi-py', '3.13.5', 'wasi-py', 'manual', 'Tools/wasm/wasi.py', 'wasm32-wasip1'],
    ['tools-wasm', '3.14.0', 'tools-wasm', 'tools-wasm', 'Tools/wasm/wasi', 'wasm32-wasip1'],
    [
      'tools-wasm-platforms-emscripten',
      '3.14.4',
      'tools-wasm',
      'platforms',
      'Tools/wasm/wasi',
      'wasm32-wasip1'
    ],
    ['platforms', '3.15.0', 'platforms', 'platforms', 'Platforms/WASI', 'wasm32-wasip1']
  ] as const)('%s', (layout, version, wasi, emscripten, wasiScript, triple) => {
    const facts = inspectCheckout(fakeCheckout(layout))
    expect(facts.version.text).toBe(version)
    expect(facts.wasiRecipe).toBe(wasi)
    expect(facts.emscriptenRecipe).toBe(emscripten)
    expect(facts.wasiScript).toBe(wasiScript)
    expect(facts.wasiHostTriple).toBe(triple)
  })

  test('a branch older than 3.11 is refused, with its version and the floor', () => {
    const root = fakeCheckout('none')
    expect(() => inspectCheckout(root)).toThrow(CheckoutError)
    expect(() => inspectCheckout(root)).toThrow(
      /^CPython 3\.10\.13 is not supported; 3\.11 or newer is needed/
    )
  })

  test('pins written in the checkout are read with the file they came from', () => {
    expect(inspectCheckout(fakeCheckout('platforms')).pins).toEqual({
      wasiSdk: { version: '33', from: 'Platforms/WASI/config.toml' },
      emsdk: { version: '4.0.12', from: 'Platforms/emscripten/config.toml' }
    })
    expect(inspectCheckout(fakeCheckout('platforms-main')).pins).toEqual({
      wasiSdk: { version: '34', from: 'Platforms/WASI/config.toml' },
      emsdk: { version: '6.0.10', from: 'Platforms/emscripten/config.toml' }
    })
    expect(inspectCheckout(fakeCheckout('tools-wasm')).pins).toEqual({
      wasiSdk: { version: '24', from: 'Tools/wasm/wasi/__main__.py WASI_SDK_VERSION' },
      emsdk: { version: '4.0.12', from: 'Tools/wasm/emscripten/config.toml' }
    })
    expect(inspectCheckout(fakeCheckout('manual')).pins).toEqual({})
  })

  test('configure options are read from the configure script', () => {
    const old = inspectCheckout(fakeCheckout('manual', { configure: '#!/bin/sh\n' }))
    expect(old.configure).toEqual({
      testModules: false,
      wasmPthreads: false,
      wasmDynamicLinking: false
    })
  })

  test('forwarding shims are told apart from real scripts', () => {
    expect(
      isForwardingShim('import runpy\nrunpy.run_path(p / "wasi", run_name="__main__")\n')
    ).toBe(true)
    expect(isForwardingShim('import argparse\nparser.add_subparsers()\nrunpy.run_path(x)\n')).toBe(
      false
    )
    expect(isForwardingShim('import argparse\n')).toBe(false)
  })

  test.each(['3.13.5', '3.15.0a1+', '3.14.0rc2', '3.12.0b4'])(
    'PY_VERSION %s is read as written',
    version => {
      expect(readVersion(fakeCheckout('manual', { version })).text).toBe(version)
    }
  )

  test.each([
    '3.13.5/../../x',
    '3.13.5,x',
    '3.13.5 x',
    '3.13',
    '3.13.5-dev',
    '3.13.5"x',
    `3.13.${'9'.repeat(30)}`
  ])('PY_VERSION %j is refused, naming the file', version => {
    const root = fakeCheckout('manual')
    const file = `${root}/Include/patchlevel.h`
    fs.writeFileSync(
      file,
      fs
        .readFileSync(file, 'utf8')
        .replace(/^#define PY_VERSION .*$/m, `#define PY_VERSION "${version}"`)
    )
    expect(() => readVersion(root)).toThrow(CheckoutError)
    expect(() => readVersion(root)).toThrow(
      `${file}: PY_VERSION ${JSON.stringify(version)} is not a CPython version`
    )
  })

  test.each([
    ['platforms', 'Platforms/emscripten/config.toml', 'emscripten-version = "4.0.12/../../x"\n'],
    ['platforms', 'Platforms/emscripten/config.toml', 'emscripten-version = "99999.0.0"\n'],
    ['platforms', 'Platforms/WASI/config.toml', '[targets]\nwasi-sdk = "../33"\n'],
    ['platforms', 'Platforms/WASI/config.toml', '[targets]\nwasi-sdk = 1e21\n'],
    ['tools-wasm', 'Tools/wasm/wasi/__main__.py', 'WASI_SDK_VERSION = 0024\n']
  ] as const)('%s: a pin in %s that is no version (%j) is refused', (layout, file, text) => {
    const root = fakeCheckout(layout)
    writeTree(root, { [file]: text })
    expect(() => inspectCheckout(root)).toThrow(CheckoutError)
    expect(() => inspectCheckout(root)).toThrow(
      new RegExp(
        `^${root}/${file.replace(/\./g, '\\.')}: the (emsdk|wasi-sdk) version ".*" is not valid`
      )
    )
  })

  test.each(['../../outside', 'wasm32-wasip1/../x', 'wasm32 wasip1', ''])(
    'a host-triple %j in Platforms/WASI/config.toml is refused',
    triple => {
      const root = fakeCheckout('platforms')
      writeTree(root, {
        'Platforms/WASI/config.toml': `[targets]\nwasi-sdk = 33\nhost-triple = ${JSON.stringify(triple)}\n`
      })
      expect(() => inspectCheckout(root)).toThrow(
        `${root}/Platforms/WASI/config.toml: the host-triple ${JSON.stringify(triple)} is not a target triple`
      )
    }
  )

  test('patchlevel.h without a version is reported', () => {
    const root = fakeCheckout('manual')
    fs.writeFileSync(`${root}/Include/patchlevel.h`, '/* nothing */\n')
    expect(() => readVersion(root)).toThrow(/no numeric PY_MAJOR_VERSION/)
  })
})
