import * as fs from 'node:fs'
import { inspectCheckout, isForwardingShim, readVersion } from '../src/checkout/detect.js'
import { checkoutWithLayout as fakeCheckout } from './support/checkout-layouts.js'

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

  test('a branch older than 3.11 has no recipe', () => {
    const facts = inspectCheckout(fakeCheckout('none'))
    expect(facts.wasiRecipe).toBeUndefined()
    expect(facts.emscriptenRecipe).toBeUndefined()
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

  test('patchlevel.h without a version is reported', () => {
    const root = fakeCheckout('manual')
    fs.writeFileSync(`${root}/Include/patchlevel.h`, '/* nothing */\n')
    expect(() => readVersion(root)).toThrow(/no numeric PY_MAJOR_VERSION/)
  })
})
