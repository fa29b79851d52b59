/**
 * Shared pieces of the end-to-end suite: the provisioned toolchains and
 * sources (scripts/e2e/provision-e2e.sh), fresh copies of a CPython tree, a
 * loopback mirror for toolchain downloads, and running the bundled action
 * inside the Debian trixie root as a job in a container image would.
 */
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import * as path from 'node:path'
import {
  ENTRY,
  makeRunnerDirs,
  REPO_ROOT,
  runAction,
  type ActionResult,
  type RunOptions,
  type RunnerDirs
} from '../support/harness.js'

export const E2E_HOME = process.env.E2E_HOME ?? path.join(REPO_ROOT, '.e2e')
export const TRIXIE = path.join(E2E_HOME, 'trixie')
export const WORK = path.join(E2E_HOME, 'work')

export function provisioned(): void {
  for (const p of [path.join(E2E_HOME, 'src', 'cpython-3.11'), path.join(TRIXIE, '.provisioned')])
    if (!fs.existsSync(p))
      throw new Error(`${p} is missing: run scripts/e2e/provision-e2e.sh first`)
}

/** A fresh copy of a provisioned CPython tree under `dir`, as a new checkout would be. */
export function freshCheckout(minor: '3.11' | '3.13', dir: string): string {
  const source = fs.realpathSync(path.join(E2E_HOME, 'src', `cpython-${minor}`))
  fs.rmSync(dir, { recursive: true, force: true })
  fs.mkdirSync(path.dirname(dir), { recursive: true })
  // written now, file by file, as a checkout leaves them (make compares these times)
  execFileSync('cp', ['-a', '--no-preserve=timestamps', source, dir])
  return dir
}

export const PR_COPYRIGHT = 'Changed by a pull request.'
export const PR_COMMENT = '# a pull request was here'

/**
 * A pull request's change to a 3.11 checkout: one C file (the copyright
 * line sys.copyright ends with) and one module of the standard library.
 */
export function pullRequestChange(source: string): void {
  const copyright = path.join(source, 'Python', 'getcopyright.c')
  const text = fs.readFileSync(copyright, 'utf8')
  const changed = text.replace('All Rights Reserved.";', `All Rights Reserved.\\n${PR_COPYRIGHT}";`)
  if (changed === text) throw new Error(`${copyright} does not have the line to change`)
  fs.writeFileSync(copyright, changed)
  fs.appendFileSync(path.join(source, 'Lib', 'colorsys.py'), `\n${PR_COMMENT}\n`)
}

/** Serves a directory on 127.0.0.1 (the toolchain mirror); counts requests. */
export async function serveDirectory(
  root: string
): Promise<{ url: string; requests: string[]; close: () => Promise<void> }> {
  const requests: string[] = []
  const server = http.createServer((req, res) => {
    const urlPath = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)
    requests.push(urlPath)
    const file = path.join(root, path.normalize(urlPath))
    if (!file.startsWith(root) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404).end('not found')
      return
    }
    res.writeHead(200, {
      'content-length': fs.statSync(file).size,
      'content-type': 'application/octet-stream'
    })
    fs.createReadStream(file).pipe(res)
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise(resolve => server.close(() => resolve()))
  }
}

export const sha256File = (file: string): string =>
  fs.readFileSync(`${file}.sha256`, 'utf8').trim().split(/\s+/)[0]

export interface E2eOptions extends RunOptions {
  name: string
  /** also run the post step (cache saves), as the runner does after the job's steps */
  withPost?: boolean
}

/** The main step, then the post step when asked, with the state the main step saved. */
async function mainAndPost(options: E2eOptions): Promise<ActionResult & { post?: ActionResult }> {
  const main = await runAction(options)
  if (!options.withPost) return main
  return { ...main, post: await runAction({ ...options, state: main.state }) }
}

/** Runs the bundle on the host, printing its log as it goes. */
export function runOnHost(options: E2eOptions): Promise<ActionResult & { post?: ActionResult }> {
  const dirs = options.dirs ?? makeRunnerDirs(freshDir(path.join(WORK, options.name, 'job')))
  return mainAndPost({ echo: process.env.E2E_QUIET !== '1', ...options, dirs })
}

function freshDir(dir: string): string {
  fs.rmSync(dir, { recursive: true, force: true })
  fs.mkdirSync(dir, { recursive: true })
  return dir
}

/** Variables of the host that mean nothing inside the root. */
const HOST_ONLY = new Set(['PATH', 'HOME', 'LANG', 'TMPDIR', 'NODE_PATH', 'NODE_OPTIONS'])

/**
 * Runs the bundle inside the trixie root, with its Node, Emscripten and
 * clang-19, as a job running in a container image would: the job's folders
 * and the checkout live under the root, and the action sees their paths there.
 */
export function runInTrixie(
  options: E2eOptions & { rootEnv?: Record<string, string> }
): Promise<ActionResult & { post?: ActionResult }> {
  const dirs: RunnerDirs =
    options.dirs ?? makeRunnerDirs(freshDir(path.join(TRIXIE, 'work', options.name, 'job')))
  // The bundle is copied in: what runs is exactly dist/ as committed (or CWA_ENTRY's folder),
  // one copy per job name, as jobs of other runs may share the root
  const bundle = path.join(TRIXIE, 'opt', `cpython-wasm-action-${options.name}`)
  fs.rmSync(bundle, { recursive: true, force: true })
  execFileSync('cp', ['-a', path.dirname(ENTRY), bundle])
  const guestPath = (p: string): string =>
    p.startsWith(TRIXIE) ? p.slice(TRIXIE.length) || '/' : p
  return mainAndPost({
    echo: process.env.E2E_QUIET !== '1',
    ...options,
    dirs,
    entry: path.join(bundle, 'index.js'),
    guestPath,
    launch: (entry, env) => {
      const pass = Object.entries({ ...env, ...(options.rootEnv ?? {}) })
        .filter(([k]) => !HOST_ONLY.has(k) || (options.rootEnv ?? {})[k] !== undefined)
        .map(([k, v]) => `${k}=${v}`)
      return {
        command: path.join(REPO_ROOT, 'scripts', 'e2e', 'chroot-run.sh'),
        args: [TRIXIE, ...pass, 'node', entry]
      }
    }
  })
}

export const inTrixie = (p: string): string => path.join(TRIXIE, p)

/**
 * Runs Python code in a collected WASI build by hand, outside the action, as
 * its users do: the folder mapped to the guest's /, python.wasm named from
 * there, nothing else set.
 */
export function runCollectedWasi(dir: string, code: string): string {
  return execFileSync(
    process.execPath,
    [
      '--no-warnings',
      path.join(REPO_ROOT, 'scripts', 'e2e', 'wasi-run.mjs'),
      '--dir',
      '.::/',
      'python.wasm',
      '-c',
      code
    ],
    { encoding: 'utf8', cwd: dir }
  ).trim()
}

/**
 * A selection of CPython's own test modules that exist from 3.11 to 3.13 and
 * run on every wasm target (test_json nests deeply: under node:wasi it needs
 * the runner's large worker stack). Left out: test_fstring, whose deepest
 * nesting test crashes Node 20's node:wasi itself with 3.13 (a trap, or a
 * segfault at exit), and test_functools, which spins for minutes on 3.11's
 * Emscripten node build.
 */
export const SUITE_SELECTION = [
  'test_json',
  'test_re',
  'test_math',
  'test_zlib',
  'test_bisect',
  'test_heapq',
  'test_string',
  'test_textwrap',
  'test_base64',
  'test_binascii',
  'test_csv',
  'test_enum',
  'test_dataclasses',
  'test_types',
  'test_sort',
  'test_operator',
  'test_struct',
  'test_fractions',
  'test_contextlib',
  'test_copy',
  'test_difflib',
  'test_pprint',
  'test_keyword',
  'test_html',
  'test_colorsys',
  'test_abc'
]

export const FAILING_TEST = 'test_cwa_fails_on_purpose'

/** A test module that fails on purpose, added to a copy of the checkout. */
export function addFailingTest(checkout: string): void {
  fs.writeFileSync(
    path.join(checkout, 'Lib', 'test', `${FAILING_TEST}.py`),
    [
      'import unittest',
      '',
      'class FailsOnPurpose(unittest.TestCase):',
      '    def test_fails(self):',
      '        self.assertEqual(1, 2, "this test fails on purpose")',
      '',
      '    def test_passes(self):',
      '        self.assertTrue(True)',
      ''
    ].join('\n')
  )
}

/**
 * The counts of a test-results output entry, checked against the JUnit file
 * it names, and every module of the selection accounted for: it left test
 * cases in the file, or regrtest's summary in the suite's log says it was
 * skipped whole (a module whose dependency the build lacks, as zlib on WASI).
 */
export function checkSuiteResult(
  result: { run: number; failed: number; skipped: number; junit?: string },
  logDir: string,
  selection: string[]
): void {
  if (!result.junit) throw new Error('no JUnit file named in test-results')
  const xml = fs.readFileSync(path.join(logDir, result.junit), 'utf8')
  const names = [...xml.matchAll(/<testcase\b[^>]*\sname="([^"]*)"/g)].map(m => m[1])
  if (names.length !== result.run)
    throw new Error(`test-results says ${result.run} ran, the JUnit file has ${names.length}`)
  const ran = new Set(names.map(n => n.split('.')[1]))
  const log = fs.readFileSync(
    path.join(logDir, result.junit.replace(/^test-results-(.*)\.xml$/, 'test-suite-$1.log')),
    'utf8'
  )
  const skippedWhole = new Set(
    /^\d+ tests? skipped:\n((?:\s+\S.*\n)+)/m.exec(log)?.[1].trim().split(/\s+/) ?? []
  )
  const missing = selection.filter(m => !ran.has(m) && !skippedWhole.has(m))
  if (missing.length > 0) throw new Error(`these modules left no test case: ${missing.join(' ')}`)
}
