/**
 * 3.14+: libffi and mpdecimal are built into a prefix once and cached
 * (emscripten-dependencies), keyed as CPython's CI keys it; a restored prefix
 * is checked with make-dependencies --check-up-to-date.
 */
import { describe, expect, test } from '@jest/globals'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { hashFiles } from '../src/cache/fingerprint.js'
import { cacheInputFiles, planCaches } from '../src/cache/keys.js'
import { inspectCheckout } from '../src/checkout/detect.js'
import { runSteps } from '../src/execute/executor.js'
import { loadInputs } from '../src/inputs/index.js'
import { makePlan } from '../src/plan/index.js'
import { checkoutWithLayout, type Layout } from './support/checkout-layouts.js'
import { runnerFacts } from './support/runner-facts.js'

function planFor(root: string, targets = 'emscripten-node') {
  const values: Record<string, string> = { source: root, targets }
  return makePlan(
    loadInputs(name => values[name] ?? ''),
    inspectCheckout(root),
    runnerFacts()
  )
}

function depsEntry(root: string, targets?: string) {
  const plan = planFor(root, targets)
  const fingerprint = {
    sourceTree: 't',
    sourceTreeFrom: 'git' as const,
    files: hashFiles(cacheInputFiles(plan)),
    image: ''
  }
  return {
    plan,
    entry: planCaches(plan, runnerFacts(), fingerprint).find(
      c => c.id === 'emscripten-dependencies'
    )
  }
}

describe('the Emscripten dependency prefix', () => {
  test('main: make-dependencies checks a restored prefix; the entry holds the prefix', () => {
    const root = checkoutWithLayout('platforms')
    const { plan, entry } = depsEntry(root)
    const step = plan.steps.find(s => s.id === 'emscripten-make-dependencies')
    expect(step?.onCacheHit).toEqual({
      entry: 'emscripten-dependencies',
      argv: [...(step?.argv ?? []), '--check-up-to-date']
    })
    expect(entry).toMatchObject({
      paths: [path.join(root, 'cross-build/wasm32-emscripten/prefix')],
      producedBy: ['emscripten-make-dependencies'],
      restoreKeys: ['cwa1-emscripten-dependencies-4.0.12-Linux-x64-']
    })
    expect(entry?.key).toMatch(/^cwa1-emscripten-dependencies-4\.0\.12-Linux-x64-[0-9a-f]{20}$/)
  })

  test('3.14.0-3.14.3: make-libffi and make-mpdec are skipped on an exact hit', () => {
    const { plan, entry } = depsEntry(checkoutWithLayout('tools-wasm'))
    for (const id of ['emscripten-make-libffi', 'emscripten-make-mpdec'])
      expect(plan.steps.find(s => s.id === id)?.skipIfCached).toBe('emscripten-dependencies')
    expect(entry?.producedBy).toEqual(['emscripten-make-libffi', 'emscripten-make-mpdec'])
  })

  test.each([
    [
      'a dependency version',
      'Platforms/emscripten/config.toml',
      (t: string) => t.replace('version = "3.4.6"', 'version = "3.5.0"')
    ],
    ['make_libffi.sh', 'Platforms/emscripten/make_libffi.sh', (t: string) => `${t}# changed\n`]
  ])('the key changes with %s, not with the node version', (_what, file, edit) => {
    const root = checkoutWithLayout('platforms')
    const before = depsEntry(root).entry?.key
    const node = path.join(root, 'Platforms/emscripten/config.toml')
    fs.writeFileSync(
      node,
      fs.readFileSync(node, 'utf8').replace('node-version = "24"', 'node-version = "22"')
    )
    expect(depsEntry(root).entry?.key).toBe(before)
    const changed = path.join(root, file)
    fs.writeFileSync(changed, edit(fs.readFileSync(changed, 'utf8')))
    expect(depsEntry(root).entry?.key).not.toBe(before)
  })

  test('no entry where nothing builds dependencies (3.13, a WASI job)', () => {
    expect(depsEntry(checkoutWithLayout('wasi-py' as Layout)).entry).toBeUndefined()
    expect(depsEntry(checkoutWithLayout('platforms'), 'wasi').entry).toBeUndefined()
  })

  test('the executor runs the check instead of the build when the entry was restored', async () => {
    const dir = fs.mkdtempSync(path.join(checkoutWithLayout('platforms'), 'x-'))
    const out = path.join(dir, 'ran')
    const step = {
      id: 'emscripten-make-dependencies',
      title: 'deps',
      part: 'dependencies' as const,
      argv: ['sh', '-c', `echo build >> ${out}`],
      onCacheHit: { entry: 'emscripten-dependencies', argv: ['sh', '-c', `echo check >> ${out}`] },
      cwd: dir,
      env: {},
      log: path.join(dir, 'log')
    }
    await runSteps([step], {}, () => false)
    await runSteps([step], {}, id => id === 'emscripten-dependencies')
    expect(fs.readFileSync(out, 'utf8')).toBe('build\ncheck\n')
  })
})
