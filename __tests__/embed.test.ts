/**
 * embed: true — the WASI artifact's embed/ folder with what embedders link
 * against, collected from a stand-in build folder (the real one is built in
 * the end-to-end 3.11.2 debug job).
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { collectArtifact } from '../src/artifacts/collect.js'
import { inspectCheckout } from '../src/checkout/detect.js'
import { loadInputs } from '../src/inputs/index.js'
import { makePlan } from '../src/plan/index.js'
import { checkoutWithLayout, writeTree } from './support/checkout-layouts.js'
import { runnerFacts } from './support/runner-facts.js'

function planned(inputs: Record<string, string>) {
  const root = checkoutWithLayout('manual')
  const values: Record<string, string> = { source: root, targets: 'wasi', ...inputs }
  const facts = inspectCheckout(root)
  return {
    root,
    facts,
    plan: makePlan(
      loadInputs(n => values[n] ?? ''),
      facts,
      runnerFacts()
    )
  }
}

test('embed/ holds libpython, the bundled static libraries, the headers with pyconfig.h and the Setup files', () => {
  const { root, facts, plan } = planned({ embed: 'true' })
  const [artifact] = plan.artifacts
  expect(artifact.embed).toBe(true)
  artifact.dir = path.join(root, 'collected')
  writeTree(root, {
    'Include/Python.h': '/* stand-in */',
    'Include/cpython/object.h': '/* stand-in */',
    'Modules/Setup': '# stand-in',
    'Lib/os.py': ''
  })
  writeTree(artifact.buildDir, {
    'python.wasm': 'wasm',
    'pyconfig.h': '#define STAND_IN 1',
    'libpython3.11.a': 'a',
    'Modules/expat/libexpat.a': 'a',
    'Modules/_decimal/libmpdec/libmpdec.a': 'a',
    'Modules/Setup.stdlib': '# stand-in',
    'Modules/Setup.local': '# stand-in',
    'build/lib.wasi-wasm32-3.11/_sysconfigdata__wasi_wasm32-wasi.py': ''
  })
  collectArtifact(artifact, facts)
  const files = (dir: string): string[] =>
    fs
      .readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter(e => e.isFile())
      .map(e => path.relative(dir, path.join(e.parentPath, e.name)))
      .sort()
  expect(files(path.join(artifact.dir, 'embed'))).toEqual([
    'Modules/Setup',
    'Modules/Setup.local',
    'Modules/Setup.stdlib',
    'include/python3.11/Python.h',
    'include/python3.11/cpython/object.h',
    'include/python3.11/patchlevel.h',
    'include/python3.11/pyconfig.h',
    'lib/libexpat.a',
    'lib/libmpdec.a',
    'lib/libpython3.11.a'
  ])
})

test('embed marks the wasi artifact only when asked', () => {
  const withEmbed = planned({ embed: 'true' }).plan.artifacts[0]
  const without = planned({}).plan.artifacts[0]
  expect(withEmbed.embed).toBe(true)
  expect(without.embed).toBeUndefined()
})

test('embed without the wasi target is refused', () => {
  expect(() => planned({ targets: 'emscripten-node', embed: 'true' })).toThrow(
    /embed: "true" is not valid; it adds to the wasi artifact/
  )
})
