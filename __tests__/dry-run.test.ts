/**
 * Dry runs of the real bundle on Debian's real CPython trees (provisioned by
 * scripts/e2e/provision-e2e.sh): the right recipe and version for every target,
 * and for 3.11 the commands of the seed README, with nothing installed.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { Plan } from '../src/plan/types.js'
import { REPO_ROOT, runAction } from './support/harness.js'

const E2E_HOME = process.env.E2E_HOME ?? path.join(REPO_ROOT, '.e2e')
const tree = (minor: string): string => path.join(E2E_HOME, 'src', `cpython-${minor}`)
const provisioned = fs.existsSync(tree('3.11')) && fs.existsSync(tree('3.13'))
if (!provisioned)
  console.warn(
    `No CPython trees in ${E2E_HOME}/src: run scripts/e2e/provision-e2e.sh; skipping the dry runs`
  )
const maybe = provisioned ? test : test.skip

async function dryRun(source: string, inputs: Record<string, string> = {}) {
  const result = await runAction({ inputs: { source, 'dry-run': 'true', ...inputs } })
  expect(result.errors).toEqual([])
  expect(result.exitCode).toBe(0)
  const plan = JSON.parse(result.outputs.plan) as Plan
  expect(plan.schemaVersion).toBe(1)
  const rel = (p: string): string => p.split(source).join('<src>')
  return {
    result,
    plan,
    commands: plan.steps.map(s => `${rel(s.cwd)}$ ${s.argv.map(rel).join(' ')}`)
  }
}

describe('dry run on real CPython trees', () => {
  maybe('3.11.2: the seed README recipe for every target', async () => {
    const source = fs.realpathSync(tree('3.11'))
    const { result, plan, commands } = await dryRun(source)
    expect(result.outputs['python-version']).toBe('3.11.2')
    expect(JSON.parse(result.outputs.recipe)).toEqual({
      wasi: 'manual',
      'emscripten-node': 'manual',
      'emscripten-browser': 'manual'
    })
    const jobs = `-j${plan.steps[1].argv[1].slice(2)}`
    const build = `--build=${plan.steps
      .find(s => s.id === 'wasi-configure')
      ?.argv.find(a => a.startsWith('--build='))
      ?.slice(8)}`
    expect(build).toMatch(/^--build=\w+-\w+-linux-gnu$/)
    expect(commands).toEqual([
      '<src>/builddir/build$ ../../configure -C',
      `<src>/builddir/build$ make ${jobs}`,
      '<src>/builddir/build$ <src>/builddir/build/python -c import zlib',
      '<src>$ embuilder build zlib bzip2',
      `<src>/builddir/wasi$ <src>/Tools/wasm/wasi-env ../../configure -C --host=wasm32-unknown-wasi ${build} --with-build-python=<src>/builddir/build/python`,
      `<src>/builddir/wasi$ make ${jobs}`,
      `<src>/builddir/emscripten-node$ emconfigure ../../configure -C --host=wasm32-unknown-emscripten ${build} --with-build-python=<src>/builddir/build/python --with-emscripten-target=node`,
      `<src>/builddir/emscripten-node$ emmake make ${jobs}`,
      '<src>/builddir/emscripten-browser$ cp <src>/builddir/emscripten-node/config.cache <src>/builddir/emscripten-browser/config.cache',
      `<src>/builddir/emscripten-browser$ emconfigure ../../configure -C --host=wasm32-unknown-emscripten ${build} --with-build-python=<src>/builddir/build/python --with-emscripten-target=browser`,
      `<src>/builddir/emscripten-browser$ emmake make ${jobs}`
    ])
    expect(result.stdout).toMatch(/Dry run: nothing was installed or built/)
    expect(fs.readdirSync(result.dirs.toolCache)).toEqual([])
    expect(fs.existsSync(path.join(source, 'builddir'))).toBe(false)
  })

  maybe('3.13.5: wasi.py for WASI, the manual recipe for Emscripten', async () => {
    const source = fs.realpathSync(tree('3.13'))
    const { result, plan, commands } = await dryRun(source, {
      'wasmtime-version': 'none',
      ccache: 'false'
    })
    expect(result.outputs['python-version']).toBe('3.13.5')
    expect(JSON.parse(result.outputs.recipe)).toEqual({
      wasi: 'wasi-py',
      'emscripten-node': 'manual',
      'emscripten-browser': 'manual'
    })
    expect(result.outputs['wasi-sdk-version']).toBe('24')
    expect(plan.buildPython).toBe(`${source}/cross-build/build/python`)
    expect(plan.targets[0].hostTriple).toBe('wasm32-wasip1')
    // the newest Python on PATH that runs, by its path
    expect(commands[0]).toMatch(
      /^<src>\$ \S*python3[.\d]* <src>\/Tools\/wasm\/wasi\.py configure-build-python --$/
    )
    expect(commands.find(c => c.includes('configure-host'))).toMatch(
      /--host-triple wasm32-wasip1 -- --config-cache$/
    )
  })
})
