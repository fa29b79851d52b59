/**
 * The fixture of the cache tests that run the bundled action (cache-action
 * and its slow companion): a small CPython checkout (3.11 layout, manual
 * recipe, wasi only) whose configure writes a Makefile and a config.cache and
 * whose make writes the files the recipe collects; both log to FAKE_BUILD_LOG,
 * so a test sees what ran and which config.cache configure loaded. The WASI
 * SDK is downloaded from a loopback mirror (so it is a cached toolchain);
 * wasmtime is none.
 *
 * Every job runs in the same folders, emptied first, with a fresh copy of the
 * checkout: a new job on the same kind of runner. useCacheJobs() starts the
 * loopback results service and mirror for the test file that calls it; the
 * exported bindings below are set once its beforeAll has run.
 */
import { afterAll, beforeAll, beforeEach, expect } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { checkoutWithLayout } from './checkout-layouts.js'
import { startDownloadServer, type DownloadServer } from './download-server.js'
import { FakeResultsService } from './fake-results-service.js'
import { makeRunnerDirs, runMainAndPost, runtimeToken, type ActionResult } from './harness.js'
import { wasiSdkArchive, type Archive } from './toolchain-archives.js'

export const ARCH = os.arch() === 'arm64' ? 'arm64' : 'x64'
const TAB = '\t'

const FAKE_CONFIGURE = [
  '#!/bin/sh',
  '# enable_test_modules enable_wasm_pthreads enable_wasm_dynamic_linking',
  '# variant: base',
  'set -e',
  'log="${FAKE_BUILD_LOG:-/dev/null}"',
  'dir=$(basename "$PWD")',
  'host=native',
  'usecache=',
  'for a in "$@"; do',
  '  case "$a" in',
  '    -C|--config-cache) usecache=1 ;;',
  '    --host=*) host="${a#--host=}" ;;',
  '  esac',
  'done',
  'loaded=none',
  'if [ -n "$usecache" ] && [ -f config.cache ]; then loaded=$(head -n 1 config.cache); fi',
  'echo "configure $dir cache=$loaded" >> "$log"',
  'if [ "$FAKE_FAIL" = "configure-$dir" ]; then echo "fake configure failure" >&2; exit 1; fi',
  'if [ -n "$usecache" ] && [ ! -f config.cache ]; then echo "ac_cv_fake_run=${FAKE_RUN_ID:-unknown}" > config.cache; fi',
  'if [ "$host" = native ]; then',
  "cat > Makefile <<'MK'",
  'all:',
  `${TAB}@echo "make $$(basename $$PWD)" >> "$\${FAKE_BUILD_LOG:-/dev/null}"`,
  `${TAB}@if [ "$$FAKE_FAIL" = make-build ]; then echo "fake make failure" >&2; exit 1; fi`,
  `${TAB}@printf '#!/bin/sh\\nif [ -n "$$FAKE_PYTHON_BROKEN" ]; then exit 1; fi\\nexit 0\\n' > python`,
  `${TAB}@chmod +x python`,
  `${TAB}@echo build/lib.linux-x86_64-3.11 > pybuilddir.txt`,
  // what python is linked from: the build-python entry keeps it (a build tree)
  `${TAB}@mkdir -p Objects && echo object > Objects/floatobject.o && echo archive > libpython3.11.a`,
  'MK',
  'else',
  "cat > Makefile <<'MK'",
  'all:',
  `${TAB}@echo "make $$(basename $$PWD)" >> "$\${FAKE_BUILD_LOG:-/dev/null}"`,
  `${TAB}@if [ "$$FAKE_FAIL" = make-wasi ]; then echo "fake make failure" >&2; exit 1; fi`,
  // what an incremental build could meet in a tree another source tree left
  `${TAB}@if [ "$$FAKE_FAIL" = make-wasi-restored ] && [ -f python.wasm ]; then echo "fake failure on a restored tree" >&2; exit 1; fi`,
  `${TAB}@printf 'not really wasm' > python.wasm`,
  `${TAB}@mkdir -p build/lib.wasi-wasm32-3.11`,
  `${TAB}@echo '# sysconfig' > build/lib.wasi-wasm32-3.11/_sysconfigdata__wasi_wasm32-wasi.py`,
  'MK',
  'fi',
  ''
].join('\n')

let work: string
let template: string
export let service: FakeResultsService
export let mirror: DownloadServer
export let sdk: Archive

function git(cwd: string, ...args: string[]): void {
  execFileSync(
    'git',
    ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', ...args],
    { cwd, stdio: 'ignore' }
  )
}

/** Registers the hooks that start the service and the mirror for this test file. */
export function useCacheJobs(): void {
  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'cwa-cache-'))
    template = checkoutWithLayout('manual', {
      dir: path.join(work, 'template'),
      configure: FAKE_CONFIGURE
    })
    fs.writeFileSync(path.join(template, '.gitignore'), '/builddir/\nModules/Setup.local\n')
    git(template, 'init', '-q')
    git(template, 'add', '-A')
    git(template, 'commit', '-q', '-m', 'fake CPython')
    service = await new FakeResultsService(runtimeToken(), path.join(work, 'cache-store')).start()
    mirror = await startDownloadServer()
    sdk = wasiSdkArchive(work, 24, ARCH)
    mirror.serve(sdk.urlPath, sdk.file)
  })

  afterAll(async () => {
    await service.stop()
    await mirror.close()
    fs.rmSync(work, { recursive: true, force: true })
  })

  beforeEach(() => {
    service.fault = undefined
  })
}

export interface Job {
  main: ActionResult
  post: ActionResult
  /** what configure and make logged, in order */
  log: string[]
  hits: Record<string, string>
  checkout: string
  /** Twirp calls made during this job */
  calls: typeof service.calls
}

/**
 * A new job: the same runner folders, emptied; a fresh clone of the checkout,
 * changed by `edit`; the action's main and post steps.
 */
export async function job(
  id: string,
  options: {
    edit?: (checkout: string) => void
    env?: Record<string, string>
    inputs?: Record<string, string>
    service?: Record<string, string>
  } = {}
): Promise<Job> {
  const base = path.join(work, 'job')
  fs.rmSync(base, { recursive: true, force: true })
  const dirs = makeRunnerDirs(base)
  const checkout = path.join(dirs.workspace, 'cpython')
  execFileSync('git', ['clone', '-q', template, checkout])
  options.edit?.(checkout)
  const log = path.join(work, `${id}.log`)
  fs.writeFileSync(log, '')
  const before = service.calls.length
  const { main, post } = await runMainAndPost({
    dirs,
    inputs: {
      source: checkout,
      targets: 'wasi',
      'wasi-sdk-version': '24',
      'wasi-sdk-mirror': mirror.url,
      'wasi-sdk-sha256': sdk.sha256,
      'wasmtime-version': 'none',
      test: 'none',
      upload: 'false',
      // the fake build compiles nothing; ccache is proven by the end-to-end builds
      ccache: 'false',
      ...options.inputs
    },
    env: {
      ...(options.service ?? service.env()),
      FAKE_BUILD_LOG: log,
      FAKE_RUN_ID: id,
      ...options.env
    },
    timeoutMs: 170_000
  })
  return {
    main,
    post,
    log: fs.readFileSync(log, 'utf8').split('\n').filter(Boolean),
    hits: main.outputs['cache-hits']
      ? (JSON.parse(main.outputs['cache-hits']) as Record<string, string>)
      : {},
    checkout,
    calls: service.calls.slice(before).filter(c => c.method !== 'BLOB')
  }
}

export const ALL = [
  'toolchain-wasi-sdk',
  'build-python',
  'build-tree-wasi',
  'config-cache-build-python',
  'config-cache-wasi',
  'build-result'
]
export const hitsOf = (value: string): Record<string, string> =>
  Object.fromEntries(ALL.map(id => [id, value]))
export const created = (j: Job): string[] =>
  j.calls.filter(c => c.method === 'CreateCacheEntry').map(c => String(c.body?.key))
export const finalizedKeys = (j: Job): string[] =>
  j.calls
    .filter(c => c.method === 'FinalizeCacheEntryUpload' && c.response?.ok === true)
    .map(c => String(c.body?.key))

/** The job succeeded and collected its artifact. */
export function expectBuilt(j: Job): void {
  expect(j.main.errors).toEqual([])
  expect(j.main.exitCode).toBe(0)
  expect(j.post.exitCode).toBe(0)
  expect(j.post.errors).toEqual([])
  expect(fs.existsSync(path.join(j.main.outputs['wasi-dir'], 'python.wasm'))).toBe(true)
}

export const editConfigure = (variant: string) => (checkout: string) => {
  const file = path.join(checkout, 'configure')
  fs.writeFileSync(
    file,
    fs.readFileSync(file, 'utf8').replace('# variant: base', `# variant: ${variant}`)
  )
}
export const editSource = (name: string) => (checkout: string) => {
  fs.mkdirSync(path.join(checkout, 'Python'), { recursive: true })
  fs.writeFileSync(path.join(checkout, 'Python', `${name}.c`), `int ${name};\n`)
}
