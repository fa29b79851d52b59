/**
 * 3.14+ emscripten-node: the artifact carries its stdlib and a python.sh that
 * starts it from any folder; the smoke test runs a copy elsewhere, passing
 * --this-program= as CPython's python.sh does. Runs a stand-in build
 * (__tests__/fixtures/node-build) under this machine's Node.
 */
import { describe, expect, test } from '@jest/globals'
import { execFileSync, spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { collectArtifact } from '../src/artifacts/collect.js'
import { inspectCheckout } from '../src/checkout/detect.js'
import { loadInputs } from '../src/inputs/index.js'
import { makePlan } from '../src/plan/index.js'
import { runSmokeTest } from '../src/smoke/run.js'
import { checkoutWithLayout } from './support/checkout-layouts.js'
import { REPO_ROOT } from './support/harness.js'
import { runnerFacts } from './support/runner-facts.js'

const NODE_BUILD = path.join(REPO_ROOT, '__tests__', 'fixtures', 'node-build')

/** A 3.14.4 checkout whose host build is the stand-in, planned and collected. */
function builtAndCollected() {
  const root = checkoutWithLayout('tools-wasm-platforms-emscripten', { version: '3.14.0' })
  const values: Record<string, string> = { source: root, targets: 'emscripten-node' }
  const facts = inspectCheckout(root)
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'cwa-runner-'))
  const plan = makePlan(
    loadInputs(name => values[name] ?? ''),
    facts,
    runnerFacts({ nodePath: process.execPath, nodeVersion: process.version, tempDir: temp })
  )
  const artifact = plan.artifacts[0]
  fs.cpSync(NODE_BUILD, artifact.buildDir, { recursive: true })
  const sysconfig = path.join(artifact.buildDir, 'build', 'lib.emscripten-wasm32-3.14')
  fs.mkdirSync(sysconfig, { recursive: true })
  fs.writeFileSync(path.join(sysconfig, '_sysconfigdata__emscripten_wasm32-emscripten.py'), '')
  collectArtifact(artifact, facts)
  return { plan, artifact, test: plan.smoke[0] }
}

describe('the 3.14+ node artifact', () => {
  test('ships python.sh, node_entry.mjs, python.mjs/.wasm and lib/python3.14 with sysconfig data', () => {
    const { artifact } = builtAndCollected()
    const files = fs.readdirSync(artifact.dir).sort()
    expect(files).toEqual(['lib', 'node_entry.mjs', 'python.mjs', 'python.sh', 'python.wasm'])
    const lib = path.join(artifact.dir, 'lib', 'python3.14')
    expect(fs.existsSync(path.join(lib, 'os.py'))).toBe(true)
    expect(fs.existsSync(path.join(lib, '_sysconfigdata__emscripten_wasm32-emscripten.py'))).toBe(
      true
    )
    expect(fs.statSync(path.join(artifact.dir, 'python.sh')).mode & 0o111).not.toBe(0)
  })

  test('the smoke test runs a copy in another folder and finds the stdlib next to it', async () => {
    const { artifact, test: smoke } = builtAndCollected()
    expect(smoke.copy?.from).toBe(artifact.dir)
    const r = await runSmokeTest(smoke)
    expect(r.problems).toEqual([])
    expect(r.report?.prefix).toBe(smoke.copy?.to)
  })

  test('without --this-program= (the argv before this fix) it dies before Python starts', () => {
    const { artifact } = builtAndCollected()
    const run = spawnSync(process.execPath, [path.join(artifact.dir, 'node_entry.mjs'), 'python'], {
      encoding: 'utf8'
    })
    expect(run.status).not.toBe(0)
    expect(run.stderr).toMatch(/Cannot read properties of undefined \(reading 'slice'\)/)
  })

  test('a copy without its stdlib fails the smoke test with what the interpreter said', async () => {
    const { artifact, test: smoke } = builtAndCollected()
    fs.rmSync(path.join(artifact.dir, 'lib'), { recursive: true })
    const r = await runSmokeTest(smoke)
    expect(r.passed).toBe(false)
    expect(r.output).toMatch(/Could not find platform independent libraries/)
  })

  test('python.sh starts it from any folder, as README documents', () => {
    const { artifact } = builtAndCollected()
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'cwa-download-'))
    fs.cpSync(artifact.dir, elsewhere, { recursive: true })
    const out = execFileSync(path.join(elsewhere, 'python.sh'), ['-c', 'print("SMOKE-REPORT")'], {
      cwd: os.tmpdir(),
      encoding: 'utf8',
      env: { ...process.env, PATH: `${path.dirname(process.execPath)}:${process.env.PATH}` }
    })
    expect(JSON.parse(out.replace('SMOKE-REPORT ', ''))).toMatchObject({ prefix: elsewhere })
  })
})
