/**
 * Dry runs of the real bundle on Debian's real CPython trees (provisioned by
 * scripts/e2e/provision-e2e.sh): the right recipe and version for every target,
 * and for 3.11 the commands of the seed README, with nothing installed.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import type { Plan } from '../src/plan/types.js'
import { execFileSync } from 'node:child_process'
import { checkoutWithLayout, writeTree, type Layout } from './support/checkout-layouts.js'
import { makeRunnerDirs, REPO_ROOT, runAction } from './support/harness.js'

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

describe('dry runs on 3.14+ fixtures (the branches this machine cannot download)', () => {
  // the machine's python3 is 3.11; the runner of these branches has a 3.12+ that the
  // probe finds on PATH (a dry run never starts it, so a stand-in answers the probe)
  const pythonDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cwa-python312-'))
  fs.writeFileSync(
    path.join(pythonDir, 'python3.12'),
    `#!/bin/sh\necho "3.12 ${pythonDir}/python3.12"\necho x86_64-pc-linux-gnu\n`,
    { mode: 0o755 }
  )
  const env = { PATH: `${pythonDir}:${process.env.PATH}` }

  test.each([
    ['3.14.0-3.14.3', 'tools-wasm', '4.0.12', 'build'],
    ['3.14.4+', 'tools-wasm-platforms-emscripten', '4.0.12', 'x86_64-pc-linux-gnu'],
    ['3.15', 'platforms', '4.0.12', 'x86_64-pc-linux-gnu'],
    ['main', 'platforms-main', '6.0.10', 'x86_64-pc-linux-gnu']
  ] as [string, Layout, string, string][])(
    '%s: one build Python, the dependency prefix cached, the script environment pinned, smoke tests as users run them',
    async (_branch, layout, emscripten, buildDir) => {
      const source = checkoutWithLayout(layout)
      const result = await runAction({ inputs: { source, 'dry-run': 'true' }, env })
      expect(result.errors).toEqual([])
      const plan = JSON.parse(result.outputs.plan) as Plan
      expect(plan.buildPython).toBe(`${source}/cross-build/${buildDir}/python`)
      expect(plan.steps.filter(s => s.id.endsWith('build-python-configure'))).toHaveLength(1)
      expect(plan.steps[0].argv[0]).toBe(`${pythonDir}/python3.12`)
      expect(plan.toolchains.find(t => t.tool === 'emsdk')?.version).toBe(emscripten)
      const ids = plan.caches.map(c => c.id)
      expect(ids).toEqual(expect.arrayContaining(['build-python', 'emscripten-dependencies']))
      for (const step of plan.steps.filter(s => s.toolEnv === 'emscripten'))
        expect(step.unset).toEqual([
          'EMSDK_CACHE',
          'CROSS_BUILD_DIR',
          'QUIET',
          'PYTHON_NODE_VERSION'
        ])
      const node = plan.smoke.find(s => s.target === 'emscripten-node')
      // the artifact's own launcher, from a copy in another folder, as README says
      expect(node?.argv[0]).toMatch(/\/smoke\/emscripten-node\/python\.sh$/)
      expect(node?.copy?.to).toBe(path.dirname(node?.argv[0] ?? ''))
      expect(plan.smoke.find(s => s.target === 'emscripten-browser')?.page).toBe('index.html')
      expect(result.stdout).toMatch(/Dry run: nothing was installed or built/)
    }
  )
})

describe('a dry run runs nothing of the checkout', () => {
  // what config.guess prints on a Linux glibc machine (its x86_64:Linux and aarch64:Linux cases)
  const triple = os.arch() === 'arm64' ? 'aarch64-unknown-linux-gnu' : 'x86_64-pc-linux-gnu'

  test('3.10 without config.guess: refused for its version, naming the floor, without a stack', async () => {
    const source = checkoutWithLayout('none')
    fs.rmSync(path.join(source, 'config.guess'))
    const result = await runAction({ inputs: { source, 'dry-run': 'true' } })
    expect(result.exitCode).toBe(1)
    const error = result.errors.join('\n')
    expect(error).toMatch(/^CPython 3\.10\.13 is not supported; 3\.11 or newer is needed/)
    expect(error).not.toMatch(/failed with exit code/)
    expect(error).not.toMatch(/\n\s+at .*(index\.js|\.ts):\d+/)
  })

  test('3.11 without config.guess: planned, the build triple worked out without it', async () => {
    const source = checkoutWithLayout('manual')
    fs.rmSync(path.join(source, 'config.guess'))
    const result = await runAction({ inputs: { source, 'dry-run': 'true' } })
    expect(result.errors).toEqual([])
    expect(result.exitCode).toBe(0)
    const plan = JSON.parse(result.outputs.plan) as Plan
    const configure = plan.steps.find(s => s.id === 'wasi-configure')
    expect(configure?.argv).toContain(`--build=${triple}`)
  })

  test('a checkout in the workspace (source: .): neither its config.guess nor a sysconfig.py of it runs', async () => {
    const dirs = makeRunnerDirs()
    const source = checkoutWithLayout('manual', { dir: dirs.workspace })
    writeTree(source, {
      'config.guess':
        '#!/bin/sh\ntouch "$(dirname "$0")/config.guess-ran"\necho evil-pc-linux-gnu\n',
      // python3 -c puts the working directory first on sys.path
      'sysconfig.py': 'import pathlib\npathlib.Path("sysconfig.py-ran").touch()\n'
    })
    const result = await runAction({ dirs, inputs: { source: '.', 'dry-run': 'true' } })
    expect(result.errors).toEqual([])
    expect(result.exitCode).toBe(0)
    expect(fs.existsSync(path.join(source, 'config.guess-ran'))).toBe(false)
    expect(fs.existsSync(path.join(source, 'sysconfig.py-ran'))).toBe(false)
    expect(result.outputs.plan).toContain(`--build=${triple}`)
    expect(result.outputs.plan).not.toContain('evil')
  })

  maybe("the triple is what CPython's own config.guess prints on this machine", () => {
    const guessed = execFileSync('sh', [path.join(tree('3.11'), 'config.guess')], {
      encoding: 'utf8'
    }).trim()
    expect(guessed).toBe(triple)
  })
})
