/**
 * CPython 3.11.2 for emscripten-node and emscripten-browser, run inside the
 * Debian trixie root with its Emscripten 3.1.69 found on PATH, as a job in a
 * container image with a preinstalled SDK would. The ports' sources are
 * seeded into the Emscripten cache (this machine cannot download them); the
 * action runs embuilder exactly as it does on GitHub.
 *
 * Then a pull request's job against the same loopback cache service, with a
 * fresh checkout changed in one C file and one module, and an empty
 * Emscripten cache (not even the port sources): it restores the build trees
 * of the build Python and both targets and the Emscripten cache (system
 * libraries and ports), runs no configure and no embuilder, and make
 * rebuilds what the change touched; both artifacts have the change.
 */
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { FakeResultsService } from '../support/fake-results-service.js'
import { REPO_ROOT, runtimeToken } from '../support/harness.js'
import {
  checkSuiteResult,
  E2E_HOME,
  freshCheckout,
  provisioned,
  pullRequestChange,
  PR_COMMENT,
  PR_COPYRIGHT,
  runInTrixie,
  SUITE_SELECTION,
  TRIXIE
} from './support.js'

test('CPython 3.11.2: emscripten-node and emscripten-browser build, run and are collected', async () => {
  provisioned()
  const work = path.join(TRIXIE, 'work', '311-emscripten')
  const emCache = path.join(work, 'emscripten-cache')
  const guest = (p: string): string => p.slice(TRIXIE.length)
  const serviceDir = path.join(work, 'cache-service')
  fs.rmSync(serviceDir, { recursive: true, force: true })
  const service = await new FakeResultsService(runtimeToken(), serviceDir).start()
  // each job is a new workflow run: the ccache entries are saved under new keys
  let runId = 100
  const job = async (
    seedPorts: boolean,
    extra: Record<string, string> = {},
    change?: (source: string) => void
  ) => {
    const source = freshCheckout('3.11', path.join(work, 'cpython'))
    change?.(source)
    fs.rmSync(emCache, { recursive: true, force: true })
    fs.mkdirSync(emCache, { recursive: true })
    if (seedPorts)
      execFileSync(path.join(REPO_ROOT, 'scripts', 'e2e', 'seed-emscripten-ports.sh'), [emCache])
    return runInTrixie({
      name: '311-emscripten',
      inputs: {
        source: guest(source),
        targets: 'emscripten-node, emscripten-browser',
        upload: 'false',
        'cache-save': 'always',
        ...extra
      },
      // Debian's Emscripten needs acorn from Debian's node modules; EM_CACHE holds the seeded ports.
      rootEnv: {
        NODE_PATH: '/usr/share/nodejs',
        EM_CACHE: guest(emCache),
        ...service.env(),
        GITHUB_RUN_ID: String(++runId)
      },
      withPost: true
    })
  }
  try {
    await coldThenPullRequest(job, guest)
    await threadsAndSideModules(job, guest, emCache)
  } finally {
    await service.stop()
  }
})

type Job = (
  seedPorts: boolean,
  extra?: Record<string, string>,
  change?: (source: string) => void
) => ReturnType<typeof runInTrixie>

async function coldThenPullRequest(job: Job, guest: (p: string) => string): Promise<void> {
  const result = await job(true)
  expect(result.errors).toEqual([])
  expect(result.exitCode).toBe(0)
  expect(result.outputs['python-version']).toBe('3.11.2')
  expect(result.outputs['emsdk-version']).toBe('3.1.69')
  expect(JSON.parse(result.outputs.recipe)).toEqual({
    'emscripten-node': 'manual',
    'emscripten-browser': 'manual'
  })
  expect(JSON.parse(result.outputs['smoke-results'])).toEqual({
    'emscripten-node': 'passed',
    'emscripten-browser': 'passed'
  })
  // The browser smoke test's screenshot of the working REPL, kept as a test output.
  const screenshot = path.join(TRIXIE, result.outputs['browser-screenshot'])
  expect(fs.statSync(screenshot).size).toBeGreaterThan(1000)
  const outputs = path.join(E2E_HOME, 'outputs')
  fs.mkdirSync(outputs, { recursive: true })
  fs.copyFileSync(screenshot, path.join(outputs, 'cpython-3.11.2-emscripten-browser.png'))

  const nodeDir = path.join(TRIXIE, result.outputs['emscripten-node-dir'])
  const browserDir = path.join(TRIXIE, result.outputs['emscripten-browser-dir'])
  for (const f of ['python.js', 'python.wasm', 'lib/python3.11/os.py'])
    expect(fs.existsSync(path.join(nodeDir, f))).toBe(true)
  for (const f of [
    'python.js',
    'python.wasm',
    'python.data',
    'python.html',
    'python.worker.js',
    '.htaccess',
    '_headers',
    'serve.mjs'
  ])
    expect(fs.existsSync(path.join(browserDir, f))).toBe(true)

  // Run the collected node build by hand with the root's Node, as README says
  const printed = runNodeArtifact(
    guest(nodeDir),
    'import os, sys; print(sys.platform, os.uname().machine, sys._emscripten_info.emscripten_version)'
  )
  expect(printed).toBe('emscripten wasm32 (3, 1, 69)')
  expect(JSON.parse(result.outputs['cache-hits'])).toEqual({
    'build-python': 'miss',
    'build-tree-emscripten-node': 'miss',
    'build-tree-emscripten-browser': 'miss',
    'config-cache-build-python': 'miss',
    'ccache-build-python': 'miss',
    'emscripten-cache': 'miss',
    'config-cache-emscripten-node': 'miss',
    'config-cache-emscripten-browser': 'miss',
    'ccache-emscripten-node': 'miss',
    'ccache-emscripten-browser': 'miss',
    'build-result': 'miss'
  })
  const cold = JSON.parse(result.outputs['ccache-stats'])
  expect(cold['emscripten-node'].misses).toBeGreaterThan(200)
  expect(result.post?.warnings).toEqual([])

  // a pull request: the build trees of the base tree come back and make
  // rebuilds what the change touched (the pull request saves nothing)
  const pr = await job(false, { 'cache-save': 'never' }, pullRequestChange)
  expect(pr.errors).toEqual([])
  expect(pr.exitCode).toBe(0)
  expect(pr.stdout).toContain(
    'compiles the frozen modules to the same code as the one that built build-tree-emscripten-node, build-tree-emscripten-browser'
  )
  expect(JSON.parse(pr.outputs['cache-hits'])).toEqual({
    'build-python': 'partial',
    'build-tree-emscripten-node': 'partial',
    'build-tree-emscripten-browser': 'partial',
    // (they came back inside the build trees)
    'config-cache-build-python': 'miss',
    'ccache-build-python': 'partial',
    'emscripten-cache': 'exact',
    'config-cache-emscripten-node': 'miss',
    'config-cache-emscripten-browser': 'miss',
    'ccache-emscripten-node': 'partial',
    'ccache-emscripten-browser': 'partial',
    'build-result': 'miss'
  })
  for (const step of [
    'Configure the build Python',
    'Build Emscripten ports (zlib, bzip2)',
    "Seed emscripten-browser's config.cache from emscripten-node's",
    'Configure emscripten-node',
    'Configure emscripten-browser'
  ])
    expect(pr.summary).toContain(`| ${step} | ⏭️ cached |`)
  const stats = JSON.parse(pr.outputs['ccache-stats'])
  for (const target of ['emscripten-node', 'emscripten-browser'])
    expect(stats[target].hits + stats[target].misses).toBeLessThan(10)
  expect(JSON.parse(pr.outputs['smoke-results'])).toEqual({
    'emscripten-node': 'passed',
    'emscripten-browser': 'passed'
  })
  expect(
    runNodeArtifact(
      guest(path.join(TRIXIE, pr.outputs['emscripten-node-dir'])),
      'import sys, colorsys, inspect; print(sys.copyright.splitlines()[-1]); print(inspect.getsource(colorsys).splitlines()[-1])'
    )
  ).toBe(`${PR_COPYRIGHT}\n${PR_COMMENT}`)

  // a rerun of the same tree: the finished build comes back; both smoke tests
  // run on it, and CPython's test suite (a selection) with the node build
  const rerun = await job(false, { test: 'suite', 'test-args': SUITE_SELECTION.join(' ') })
  expect(rerun.errors).toEqual([])
  expect(JSON.parse(rerun.outputs['cache-hits'])['build-result']).toBe('exact')
  expect(JSON.parse(rerun.outputs['smoke-results'])).toEqual({
    'emscripten-node': 'passed',
    'emscripten-browser': 'passed'
  })
  expect(rerun.summary).toContain('The finished build was restored from the cache')
  const results = JSON.parse(rerun.outputs['test-results'])
  expect(Object.keys(results)).toEqual(['emscripten-node'])
  expect(results['emscripten-node']).toMatchObject({ passed: true, failed: 0 })
  checkSuiteResult(
    results['emscripten-node'],
    path.join(rerun.dirs.temp, 'cpython-wasm', 'logs'),
    SUITE_SELECTION
  )
}

/** Runs Python code with a collected node build's python.sh in the root, as its users do. */
function runNodeArtifact(dir: string, code: string): string {
  return execFileSync(
    path.join(REPO_ROOT, 'scripts', 'e2e', 'chroot-run.sh'),
    [TRIXIE, path.join(dir, 'python.sh'), '-c', code],
    { encoding: 'utf8' }
  ).trim()
}

/**
 * The seed's node variant, built for real: threads (--enable-wasm-pthreads)
 * and dynamic linking (--enable-wasm-dynamic-linking) in one build, reusing
 * the build Python of the jobs before. A thread runs, and an extension module
 * compiled here as an Emscripten side module is imported from lib-dynload.
 */
async function threadsAndSideModules(
  job: Job,
  guest: (p: string) => string,
  emCache: string
): Promise<void> {
  // other flags, other ports (--pic): their sources are seeded again
  const variant = await job(true, {
    targets: 'emscripten-node',
    pthreads: 'true',
    'dynamic-linking': 'true'
  })
  expect(variant.errors).toEqual([])
  expect(JSON.parse(variant.outputs['smoke-results'])).toEqual({ 'emscripten-node': 'passed' })
  expect(JSON.parse(variant.outputs['cache-hits'])['build-python']).toBe('exact')
  const nodeDir: string = variant.outputs['emscripten-node-dir']
  const plan = JSON.parse(variant.outputs.plan)
  const buildDir: string = plan.artifacts[0].buildDir
  const suffix = runNodeArtifact(
    nodeDir,
    'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))'
  )
  const sideModule = path.join(TRIXIE, 'work', '311-emscripten', 'cwa_side.c')
  fs.writeFileSync(
    sideModule,
    [
      '#include <Python.h>',
      'static PyObject *hello(PyObject *self, PyObject *unused) {',
      '  return PyUnicode_FromString("side module loaded");',
      '}',
      'static PyMethodDef methods[] = {{"hello", hello, METH_NOARGS, NULL}, {NULL, NULL, 0, NULL}};',
      'static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "cwa_side", NULL, -1, methods};',
      'PyMODINIT_FUNC PyInit_cwa_side(void) { return PyModule_Create(&def); }',
      ''
    ].join('\n')
  )
  // compiled as CPython's configure compiles shared modules with dynamic linking:
  // BLDSHARED='$(CC) -shared -sSIDE_MODULE=1' and -fPIC (configure.ac, 3.11)
  execFileSync(
    path.join(REPO_ROOT, 'scripts', 'e2e', 'chroot-run.sh'),
    [
      TRIXIE,
      'NODE_PATH=/usr/share/nodejs',
      `EM_CACHE=${guest(emCache)}`,
      'emcc',
      '-fPIC',
      '-pthread',
      '-shared',
      '-sSIDE_MODULE=1',
      `-I${path.join(plan.source, 'Include')}`,
      `-I${buildDir}`,
      guest(sideModule),
      '-o',
      path.join(nodeDir, 'lib', 'python3.11', 'lib-dynload', `cwa_side${suffix}`)
    ],
    { encoding: 'utf8' }
  )
  const printed = runNodeArtifact(
    nodeDir,
    [
      'import sys, threading, cwa_side',
      'done = []',
      't = threading.Thread(target=lambda: done.append(threading.get_ident()))',
      't.start(); t.join()',
      'info = sys._emscripten_info',
      'print(info.pthreads, info.shared_memory, len(done), done[0] != threading.get_ident(), cwa_side.hello())'
    ].join('\n')
  )
  expect(printed).toBe('True True 1 True side module loaded')
}
