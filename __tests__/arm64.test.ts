/** Planning for arm64 (and refusing what has no arm64 build) from RUNNER_ARCH, on any machine. */
import { describe, expect, test } from '@jest/globals'
import { inspectCheckout } from '../src/checkout/detect.js'
import { loadInputs } from '../src/inputs/index.js'
import { makePlan, PlanError } from '../src/plan/index.js'
import { RunnerError, runnerArch } from '../src/runner/index.js'
import { checkoutWithLayout, type Layout } from './support/checkout-layouts.js'
import { runnerFacts } from './support/runner-facts.js'

function plan(layout: Layout, inputs: Record<string, string>) {
  const root = checkoutWithLayout(layout)
  const values: Record<string, string> = { source: root, ...inputs }
  return () =>
    makePlan(
      loadInputs(name => values[name] ?? ''),
      inspectCheckout(root),
      runnerFacts({ arch: 'arm64' })
    )
}

describe('the runner architecture', () => {
  test.each([
    [{ RUNNER_ARCH: 'X64' }, 'arm64', 'x64'],
    [{ RUNNER_ARCH: 'ARM64' }, 'x64', 'arm64'],
    [{}, 'arm64', 'arm64'],
    [{}, 'x64', 'x64']
  ])('RUNNER_ARCH %j on a %s machine plans for %s', (env, cpu, arch) => {
    expect(runnerArch(env, cpu)).toBe(arch)
  })

  test.each([
    [{ RUNNER_ARCH: 'X86' }, 'x64'],
    [{ RUNNER_ARCH: 'ARM' }, 'x64'],
    [{}, 'riscv64']
  ])('any other CPU is refused instead of getting x86_64 binaries (%j, %s)', (env, cpu) => {
    expect(() => runnerArch(env, cpu)).toThrow(RunnerError)
    expect(() => runnerArch(env, cpu)).toThrow(/x64 and arm64 Linux runners/)
  })
})

describe('arm64 plans', () => {
  test('Emscripten before 3.1.58 (3.11-3.13 pin 3.1.19) is refused at plan time, naming the way out', () => {
    const make = plan('manual', { targets: 'emscripten-node' })
    expect(make).toThrow(PlanError)
    expect(make).toThrow(/Emscripten 3\.1\.19 .* has no linux-arm64 build/)
    expect(make).toThrow(/emsdk-version to 3\.1\.58 or newer, point emsdk-path/)
  })

  test('a newer Emscripten, and the 3.14+ pins, plan arm64 downloads', () => {
    expect(
      plan('manual', { targets: 'emscripten-node', 'emsdk-version': '3.1.69' })().toolchains[0]
    ).toMatchObject({
      tool: 'emsdk',
      version: '3.1.69'
    })
    const main = plan('platforms-main', { 'wasi-runtime': 'wasmtime' })()
    expect(main.toolchains.map(t => t.url)).toEqual([
      'https://github.com/emscripten-core/emsdk/archive/refs/tags/6.0.10.tar.gz',
      'https://github.com/WebAssembly/wasi-sdk/releases/download/wasi-sdk-34/wasi-sdk-34.0-arm64-linux.tar.gz',
      'https://github.com/bytecodealliance/wasmtime/releases/download/v38.0.3/wasmtime-v38.0.3-aarch64-linux.tar.xz'
    ])
    expect(main.toolchains.every(t => t.dir.endsWith('/arm64'))).toBe(true)
  })

  test('WASI SDK 16 (3.11) has no arm64 build: refused at plan time', () => {
    expect(plan('manual', { targets: 'wasi' })).toThrow(/WASI SDK 16 has no arm64 Linux build/)
  })
})
