/**
 * The plan is a pure function of (inputs, checkout facts, runner facts): with
 * every file system call failing and the checkout gone, it plans exactly what
 * it plans with them. Everything it needs was read by the checkout stage.
 */
import { describe, expect, jest, test } from '@jest/globals'
import * as realFs from 'node:fs'
import { inspectCheckout } from '../src/checkout/detect.js'
import { loadInputs } from '../src/inputs/index.js'
import { makePlan } from '../src/plan/index.js'
import { checkoutWithLayout, type Layout } from './support/checkout-layouts.js'
import { runnerFacts } from './support/runner-facts.js'

const LAYOUTS: Layout[] = ['manual', 'wasi-py', 'tools-wasm', 'platforms']

function settled(layout: Layout) {
  const root = checkoutWithLayout(layout)
  const values: Record<string, string> = { source: root, 'wasi-runtime': 'node' }
  return { inputs: loadInputs(name => values[name] ?? ''), facts: inspectCheckout(root) }
}

describe('makePlan reads no file', () => {
  test.each(LAYOUTS)(
    '%s: the same plan with a file system that refuses every call',
    async layout => {
      const { inputs, facts } = settled(layout)
      const expected = makePlan(inputs, facts, runnerFacts())

      const refused: string[] = []
      const refuse = (name: string) => () => {
        refused.push(name)
        throw new Error(`node:fs.${name} called while planning`)
      }
      const fsView = Object.fromEntries(Object.keys(realFs).map(name => [name, refuse(name)]))
      jest.resetModules()
      jest.unstable_mockModule('node:fs', () => ({ ...fsView, default: fsView }))
      jest.unstable_mockModule('fs', () => ({ ...fsView, default: fsView }))
      const isolated =
        (await import('../src/plan/index.js')) as typeof import('../src/plan/index.js')
      expect(isolated.makePlan).not.toBe(makePlan)
      expect(isolated.makePlan(inputs, facts, runnerFacts())).toEqual(expected)
      expect(refused).toEqual([])
    }
  )
})

describe('the environment a step runs in', () => {
  test('the plan sets variables and unsets the ones the scripts would obey', async () => {
    const { stepEnvironment } = await import('../src/execute/executor.js')
    const env = stepEnvironment(
      {
        id: 'x',
        title: 'x',
        part: 'emscripten-node',
        argv: ['true'],
        cwd: '/',
        env: { A: '1' },
        unset: ['EMSDK_CACHE', 'QUIET'],
        log: '/dev/null'
      },
      {},
      { PATH: '/bin', EMSDK_CACHE: '/elsewhere', QUIET: '', KEEP: 'yes' }
    )
    expect(env).toEqual({ PATH: '/bin', KEEP: 'yes', A: '1' })
  })
})
