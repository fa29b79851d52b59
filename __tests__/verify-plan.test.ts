/**
 * Dry runs of the default pins show, for every download, its sum and where
 * the sum comes from (the table, an input, or GitHub's digest of a release
 * asset at run time); the ones without are listed so that a new sum (or a
 * new pin without one) is a visible change.
 */
import { describe, expect, test } from '@jest/globals'
import { inspectCheckout } from '../src/checkout/detect.js'
import { loadInputs } from '../src/inputs/index.js'
import { makePlan } from '../src/plan/index.js'
import { planText } from '../src/report/plan-text.js'
import { checkoutWithLayout, type Layout } from './support/checkout-layouts.js'
import { runnerFacts } from './support/runner-facts.js'

function plan(layout: Layout, arch: 'x64' | 'arm64', inputs: Record<string, string> = {}) {
  const root = checkoutWithLayout(layout)
  const values: Record<string, string> = { source: root, ...inputs }
  return makePlan(
    loadInputs(name => values[name] ?? ''),
    inspectCheckout(root),
    runnerFacts({ arch })
  )
}

/** Each download line of the plan text with the sum line that follows it. */
function downloads(text: string): { url: string; sum: string }[] {
  const lines = text.split('\n')
  const found: { url: string; sum: string }[] = []
  lines.forEach((line, i) => {
    const m = /^\s+download (\S+)/.exec(line)
    if (m) found.push({ url: m[1], sum: lines[i + 1].trim() })
  })
  return found
}

describe('dry runs of the default pins', () => {
  test.each([
    ['manual', 'x64', {}],
    // WASI SDK 16 has no arm64 build (refused at plan time, as is Emscripten 3.1.19)
    ['manual', 'arm64', { targets: 'wasi', 'wasi-sdk-version': '24' }],
    ['wasi-py', 'x64', {}],
    ['wasi-py', 'arm64', { targets: 'wasi' }]
  ] as const)('%s on %s: every download shows its sum or its source', (layout, arch, inputs) => {
    const text = planText(plan(layout, arch, inputs))
    const all = downloads(text)
    expect(all.length).toBeGreaterThanOrEqual(arch === 'x64' ? 5 : 2)
    const unknown = all.filter(
      d => !/sha256 [0-9a-f]{64}|the digest of .* from GitHub's API/.test(d.sum)
    )
    expect(unknown.map(d => d.url)).toEqual([])
  })

  test("wasmtime 22.0.0 (3.11-3.14's pin) is checked against GitHub's digest at run time", () => {
    const text = planText(plan('manual', 'x64', { targets: 'wasi' }))
    expect(text).toContain(
      "sha256 the digest of bytecodealliance/wasmtime v22.0.0 wasmtime-v22.0.0-x86_64-linux.tar.xz, from GitHub's API at run time"
    )
  })

  test('the mirror input maps every download to <mirror>/<host>/<path>', () => {
    const text = planText(plan('manual', 'x64', { mirror: 'https://mirror.example/m/' }))
    const urls = downloads(text).map(d => d.url)
    expect(urls).toEqual([
      'https://mirror.example/m/github.com/emscripten-core/emsdk/archive/refs/tags/3.1.19.tar.gz',
      'https://mirror.example/m/storage.googleapis.com/webassembly/emscripten-releases-builds/linux/4c3772879a04140298c3abde90962d5567b5e2fc/wasm-binaries.tbz2',
      'https://mirror.example/m/nodejs.org/dist/v14.18.2/node-v14.18.2-linux-x64.tar.xz',
      'https://mirror.example/m/github.com/WebAssembly/wasi-sdk/releases/download/wasi-sdk-16/wasi-sdk-16.0-linux.tar.gz',
      'https://mirror.example/m/github.com/bytecodealliance/wasmtime/releases/download/v22.0.0/wasmtime-v22.0.0-x86_64-linux.tar.xz'
    ])
  })

  test("Emscripten's ports: fetched through the mirror, checked against Emscripten's sha512", () => {
    const text = planText(
      plan('manual', 'x64', { targets: 'emscripten-node', mirror: 'https://mirror.example/m' })
    )
    const ports = text.split('\n').flatMap((line, i, lines) => {
      const m = /^\s+port (\S+) (\S+)$/.exec(line)
      return m ? [{ name: m[1], url: m[2], sum: lines[i + 1].trim() }] : []
    })
    expect(ports.map(p => [p.name, p.url])).toEqual([
      [
        'zlib',
        'https://mirror.example/m/storage.googleapis.com/webassembly/emscripten-ports/zlib-1.2.12.tar.gz'
      ],
      ['bzip2', 'https://mirror.example/m/github.com/emscripten-ports/bzip2/archive/1.0.6.zip'],
      ['sqlite3', 'https://mirror.example/m/www.sqlite.org/2022/sqlite-amalgamation-3390000.zip']
    ])
    for (const p of ports) expect(p.sum).toMatch(/\/ports\/\w+, sha512 [0-9a-f]{128} \(table\)$/)
  })

  test("main's Emscripten (newer than the ports table): the plan says Emscripten fetches its ports itself", () => {
    const text = planText(plan('platforms-main', 'x64', { targets: 'emscripten-node' }))
    expect(text).toContain('Emscripten fetches its ports itself: not known to the action')
    expect(text).not.toMatch(/^\s+port /m)
  })
})
