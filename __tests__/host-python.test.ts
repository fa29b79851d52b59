/**
 * The branch's build scripts need a new enough Python on the runner: probed on
 * this machine (its python3 is 3.11), refused at plan time with the fix named.
 */
import { describe, expect, test } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { inspectCheckout } from '../src/checkout/detect.js'
import { loadInputs } from '../src/inputs/index.js'
import { makePlan, PlanError } from '../src/plan/index.js'
import { findHostPythons } from '../src/runner/index.js'
import { checkoutWithLayout, type Layout } from './support/checkout-layouts.js'
import { runnerFacts } from './support/runner-facts.js'

/** A PATH with only this machine's python3, whatever version it is. */
function pathWithPython3(): { dir: string; version: string } {
  const real = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], {
    encoding: 'utf8'
  }).trim()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cwa-python-'))
  fs.symlinkSync(real, path.join(dir, 'python3'))
  const version = execFileSync(real, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], {
    encoding: 'utf8'
  }).trim()
  return { dir, version }
}

function plan(layout: Layout, targets: string, hostPythons: { path: string; version: string }[]) {
  const root = checkoutWithLayout(layout)
  const values: Record<string, string> = { source: root, targets, 'wasi-runtime': 'node' }
  return () =>
    makePlan(
      loadInputs(name => values[name] ?? ''),
      inspectCheckout(root),
      runnerFacts({ hostPythons })
    )
}

describe('the host Python', () => {
  test('probing finds the python3 on PATH with its version, and skips names that do not run', async () => {
    const { dir, version } = pathWithPython3()
    // a pyenv-like shim for a version that is not installed
    fs.writeFileSync(
      path.join(dir, 'python3.14'),
      '#!/bin/sh\necho "not installed" >&2\nexit 127\n',
      {
        mode: 0o755
      }
    )
    const found = await findHostPythons({ PATH: dir })
    expect(found).toEqual([
      { path: path.join(dir, 'python3'), version, buildType: expect.stringMatching(/-linux-gnu$/) }
    ])
  })

  test.each(['tools-wasm', 'platforms'] as Layout[])(
    '%s: an Emscripten plan with only Python 3.11 refuses, naming 3.12 and the fix',
    async layout => {
      const { dir, version } = pathWithPython3()
      const found = await findHostPythons({ PATH: dir })
      if (version !== '3.11') found.splice(0, found.length, { path: 'python3', version: '3.11' })
      const make = plan(layout, 'emscripten-node', found)
      expect(make).toThrow(PlanError)
      expect(make).toThrow(/needs Python 3\.12 or newer on the runner/)
      expect(make).toThrow(/actions\/setup-python with python-version: '3\.12'/)
    }
  )

  test('WASI scripts run on 3.11; with 3.12 found the Emscripten plan uses it', () => {
    expect(
      plan('platforms', 'wasi', [{ path: '/usr/bin/python3', version: '3.11' }])().steps[0].argv[0]
    ).toBe('/usr/bin/python3')
    const steps = plan('platforms', 'emscripten-node', [
      { path: '/opt/py/bin/python3.12', version: '3.12' },
      { path: '/usr/bin/python3', version: '3.11' }
    ])().steps
    expect(
      steps.every(s => !s.argv[1]?.includes('Platforms/') || s.argv[0] === '/opt/py/bin/python3.12')
    ).toBe(true)
  })

  test('the 3.11 README recipe runs no script: no Python is required', () => {
    expect(plan('manual', 'wasi emscripten-node', [])().steps.length).toBeGreaterThan(0)
  })
})
