/**
 * Every bad value ends the run before anything is downloaded, with an error
 * naming the input.
 *
 * Every case runs in process through the stages that come before any
 * download (loadInputs → inspectCheckout → makePlan), reading the inputs the
 * way the runner passes them (action.yml defaults, trimmed). A few
 * representative cases, one per stage that refuses, also run through the real
 * bundle: exit code 1, the ::error:: line, an empty tool cache and no request
 * to the (loopback) mirror.
 */
import * as fs from 'node:fs'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import * as os from 'node:os'
import * as path from 'node:path'
import { inspectCheckout } from '../src/checkout/detect.js'
import { loadInputs } from '../src/inputs/index.js'
import { makePlan } from '../src/plan/index.js'
import {
  checkoutWithLayout as fakeCheckout,
  writeTree,
  type Layout
} from './support/checkout-layouts.js'
import { inputValues, makeRunnerDirs, runAction } from './support/harness.js'
import { runnerFacts } from './support/runner-facts.js'

let server: http.Server
let mirror: string
let requests = 0
const manual = fakeCheckout('manual')
const oldConfigure = fakeCheckout('manual', { configure: '#!/bin/sh\nexit 0\n' })
const notCpython = fs.mkdtempSync(path.join(manual, '..', 'not-cpython-'))
/** A checkout of the layout with some of its files rewritten. */
function checkoutWith(layout: Layout, files: Record<string, string>): string {
  const root = fakeCheckout(layout)
  writeTree(root, files)
  return root
}
/** A 3.11.2 checkout whose patchlevel.h says PY_VERSION is `text`. */
const withPyVersion = (text: string): string =>
  checkoutWith('manual', {
    'Include/patchlevel.h': [
      '#define PY_MAJOR_VERSION        3',
      '#define PY_MINOR_VERSION        11',
      '#define PY_MICRO_VERSION        2',
      `#define PY_VERSION              "${text}"`,
      ''
    ].join('\n')
  })
const MIRROR_PASSWORD = 'hunter2-mirror-password'

beforeAll(async () => {
  server = http.createServer((_req, res) => {
    requests++
    res.writeHead(500).end()
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>(resolve => server.close(() => resolve())))

const base = (): Record<string, string> => ({
  source: manual,
  'wasi-sdk-mirror': mirror,
  'emsdk-mirror': mirror,
  'wasmtime-mirror': mirror
})

// [what is wrong, the inputs, a pattern the error must contain]
const CASES: [string, Record<string, string>, RegExp][] = [
  [
    'unknown target',
    { targets: 'wasm64' },
    /targets: "wasm64" is not valid; expected any of: wasi, emscripten-node/
  ],
  ['empty targets', { targets: ' , ' }, /targets: .* name at least one of/],
  [
    'a target with a typo among good ones',
    { targets: 'wasi,emscripten-nod' },
    /targets: "emscripten-nod"/
  ],
  [
    'missing checkout',
    { source: '/nonexistent/cpython' },
    /source: "\/nonexistent\/cpython" is not valid; no directory/
  ],
  [
    'a directory that is not CPython',
    { source: notCpython },
    /source: .* is not a CPython checkout/
  ],
  [
    'malformed emsdk version',
    { 'emsdk-version': 'latest' },
    /emsdk-version: "latest" is not valid; expected "auto" or a version like 3.1.69/
  ],
  [
    'emsdk below the 3.1.8 floor',
    { 'emsdk-version': '3.1.6' },
    /emsdk-version: "3.1.6" .* 3.1.8 or newer/
  ],
  ['emsdk version with two parts', { 'emsdk-version': '3.1' }, /emsdk-version: "3.1"/],
  [
    'emsdk version with a leading zero',
    { 'emsdk-version': '3.1.08' },
    /emsdk-version: "3.1.08" is not valid; version numbers have no leading zeros \(08\)/
  ],
  [
    'emsdk version with an absurd major',
    { 'emsdk-version': '99999.0.0' },
    /emsdk-version: "99999.0.0" is not valid; the major version 99999 is out of range \(at most 99\)/
  ],
  [
    'WASI SDK version beyond any integer',
    { 'wasi-sdk-version': '1000000000000000000000' },
    /wasi-sdk-version: "1000000000000000000000" is not valid; the major version 1000000000000000000000 is out of range \(at most 999\)/
  ],
  [
    'WASI SDK version with a leading zero',
    { 'wasi-sdk-version': '024' },
    /wasi-sdk-version: "024" .* no leading zeros/
  ],
  [
    'wasmtime version with an absurd major',
    { 'wasmtime-version': '1000.0.0' },
    /wasmtime-version: "1000.0.0" .* the major version 1000 is out of range \(at most 999\)/
  ],
  ['malformed WASI SDK version', { 'wasi-sdk-version': 'twenty' }, /wasi-sdk-version: "twenty"/],
  [
    'WASI SDK below 16',
    { 'wasi-sdk-version': '12' },
    /wasi-sdk-version: "12" .* WASI SDK 16 or newer/
  ],
  [
    'malformed wasmtime version',
    { 'wasmtime-version': '22' },
    /wasmtime-version: "22" .* like 36.0.2/
  ],
  [
    'emsdk-path that does not exist',
    { 'emsdk-path': '/nonexistent/emsdk' },
    /emsdk-path: "\/nonexistent\/emsdk" .* no directory/
  ],
  [
    'wasi-sdk-path that does not exist',
    { 'wasi-sdk-path': '/nonexistent/sdk' },
    /wasi-sdk-path: .* no directory/
  ],
  [
    'emsdk-path with an explicit version',
    { 'emsdk-path': manual, 'emsdk-version': '3.1.69' },
    /emsdk-version: "3.1.69" .* leave it at "auto" when emsdk-path/
  ],
  [
    'bad build type',
    { 'build-type': 'Release' },
    /build-type: "Release" is not valid; expected one of: release, debug/
  ],
  [
    'pthreads not a boolean',
    { pthreads: 'yes' },
    /pthreads: "yes" is not valid; expected true or false/
  ],
  [
    'pthreads on wasi only',
    { targets: 'wasi', pthreads: 'true' },
    /pthreads: .* Emscripten targets only/
  ],
  [
    'dynamic-linking on wasi only',
    { targets: 'wasi', 'dynamic-linking': 'true' },
    /dynamic-linking: .* Emscripten targets only/
  ],
  [
    'test not smoke/suite/none',
    { test: 'full' },
    /test: "full" is not valid; expected one of: smoke, suite, none/
  ],
  [
    'test-args without test: suite',
    { 'test-args': 'test_json' },
    /test-args: "test_json" is not valid; it applies to test: suite only/
  ],
  [
    'test-args asking for worker processes',
    { test: 'suite', 'test-args': 'test_json -j4' },
    /test-args: "-j4" is not valid; the suite runs in the wasm interpreter itself/
  ],
  [
    'test-args with its own JUnit file',
    { test: 'suite', 'test-args': '--junit-xml=out.xml' },
    /test-args: "--junit-xml=out.xml" is not valid; the action writes the JUnit file itself/
  ],
  [
    'test-args with an open quote',
    { test: 'suite', 'test-args': "test_json 'test_re" },
    /test-args: .*unterminated single quote/
  ],
  ['test-failures not fail/report', { 'test-failures': 'ignore' }, /test-failures: "ignore"/],
  ['cache not a boolean', { cache: 'on' }, /cache: "on" is not valid/],
  [
    'cache-save unknown',
    { 'cache-save': 'sometimes' },
    /cache-save: "sometimes" .* auto, always, never/
  ],
  ['upload not a boolean', { upload: '1' }, /upload: "1" is not valid/],
  ['dry-run not a boolean', { 'dry-run': 'maybe' }, /dry-run: "maybe"/],
  [
    'unterminated quote in configure-args',
    { 'configure-args': '--with-foo="bar' },
    /configure-args: .* unterminated double quote/
  ],
  [
    'shell syntax in configure-args',
    { 'configure-args': '--with-lto; rm -rf /' },
    /configure-args: .* ";" .* never through a shell/
  ],
  [
    'a word that is not an option',
    { 'configure-args': 'lto' },
    /configure-args: "lto" .* --option, --option=value or VARIABLE=value/
  ],
  [
    'configure-args sets --host',
    { 'configure-args': '--host=wasm32-wasi' },
    /configure-args: "--host=wasm32-wasi" .* sets the host triple/
  ],
  [
    'configure-args sets --host abbreviated, as configure accepts it',
    { 'configure-args': '--ho=wasm32-wasi' },
    /configure-args: "--ho=wasm32-wasi" .* configure reads it as --host: the action sets the host triple/
  ],
  [
    'configure-args sets --host abbreviated, its value in the next word',
    { 'configure-args': '--hos wasm32-wasi' },
    /configure-args: "--hos" .* configure reads it as --host/
  ],
  [
    'configure-args sets --build abbreviated',
    { 'configure-args': '--bu=x86_64-pc-linux-gnu' },
    /configure-args: "--bu=x86_64-pc-linux-gnu" .* configure reads it as --build: the action sets the build triple/
  ],
  [
    'configure-args sets --build abbreviated to four letters',
    { 'configure-args': '--buil=x86_64-pc-linux-gnu' },
    /configure-args: "--buil=x86_64-pc-linux-gnu" .* reads it as --build/
  ],
  [
    'configure-args sets --cache-file',
    { 'configure-args': '--cache-file=/dev/null' },
    /configure-args: "--cache-file=\/dev\/null" .* the action manages configure's cache/
  ],
  [
    'configure-args sets --cache-file abbreviated',
    { 'configure-args': '--c=config.cache' },
    /configure-args: "--c=config.cache" .* configure reads it as --cache-file/
  ],
  [
    'configure-args sets --with-pydebug',
    { 'configure-args': '--with-pydebug' },
    /use build-type: debug instead/
  ],
  [
    'artifact-name without {target} for several targets',
    { 'artifact-name': 'python' },
    /artifact-name: "python" .* must contain \{target\}/
  ],
  [
    'artifact-name with an unknown placeholder',
    { 'artifact-name': 'py-{arch}-{target}' },
    /unknown placeholder \{arch\}/
  ],
  [
    'artifact-name with a slash',
    { 'artifact-name': 'py/{target}' },
    /artifact names cannot contain/
  ],
  [
    'artifact-name that fills in to nothing',
    { targets: 'wasi', 'artifact-name': '{suffix}' },
    /artifact-name: "\{suffix\}" gives "" for wasi, which is empty/
  ],
  [
    'artifact-name that fills in to ..',
    { targets: 'wasi', 'artifact-name': '..{suffix}' },
    /artifact-name: "\.\.\{suffix\}" gives "\.\." for wasi, which is not a name/
  ],
  [
    'artifact-name that fills in to .',
    { targets: 'emscripten-node', 'artifact-name': '.{suffix}' },
    /artifact-name: .* gives "\." for emscripten-node, which is not a name/
  ],
  [
    'artifact-name longer than 200 characters once filled in',
    { 'artifact-name': `${'x'.repeat(190)}-{version}-{target}` },
    /artifact-name: .* gives "x{190}-3\.11\.2-wasi" for wasi, which is 202 characters long; at most 200/
  ],
  [
    'retention-days out of range',
    { 'retention-days': '400' },
    /retention-days: "400" .* from 0 to 90/
  ],
  [
    'compression-level out of range',
    { 'compression-level': '10' },
    /compression-level: "10" .* from 0 to 9/
  ],
  [
    'sha256 that is not a sum',
    { 'wasi-sdk-sha256': 'abc' },
    /wasi-sdk-sha256: "abc" .* 64 hexadecimal digits/
  ],
  [
    'mirror that is not a URL',
    { 'wasmtime-mirror': 'ftp://example' },
    /wasmtime-mirror: "ftp:\/\/example" .* http/
  ],
  [
    'mirror with a user and password',
    { 'emsdk-mirror': `http://ci:${MIRROR_PASSWORD}@mirror.example/emsdk` },
    /emsdk-mirror: credentials in a mirror URL are not supported; use a mirror that allows anonymous downloads \(http:\/\/mirror\.example\/emsdk\)/
  ],
  [
    'mirror with a password and no slashes',
    { 'wasi-sdk-mirror': `https:ci:${MIRROR_PASSWORD}@mirror.example` },
    /wasi-sdk-mirror: credentials in a mirror URL are not supported.*\(https:mirror\.example\)/
  ],
  [
    'wasi-runtime unknown',
    { 'wasi-runtime': 'wasmer' },
    /wasi-runtime: "wasmer" .* auto, wasmtime, node/
  ],
  [
    'wasi-runtime wasmtime with no wasmtime',
    { 'wasi-runtime': 'wasmtime', 'wasmtime-version': 'none' },
    /wasi-runtime: "wasmtime" .* wasmtime-version is "none"/
  ],
  [
    'a branch too old for wasm',
    { source: fakeCheckout('none') },
    /CPython 3\.10\.13 is not supported; 3\.11 or newer is needed/
  ],
  [
    'PY_VERSION with a slash',
    { source: withPyVersion('3.11.2/../x') },
    /Include\/patchlevel\.h: PY_VERSION "3\.11\.2\/\.\.\/x" is not a CPython version/
  ],
  [
    'PY_VERSION with a comma and spaces',
    { source: withPyVersion('3.11.2, now with spaces') },
    /patchlevel\.h: PY_VERSION "3\.11\.2, now with spaces" is not a CPython version/
  ],
  [
    'an Emscripten pin that is a path',
    {
      source: checkoutWith('platforms', {
        'Platforms/emscripten/config.toml': 'emscripten-version = "4.0.12/../../x"\n'
      })
    },
    /Platforms\/emscripten\/config\.toml: the emsdk version "4\.0\.12\/\.\.\/\.\.\/x" is not valid; expected a version like 3\.1\.69/
  ],
  [
    'an Emscripten pin in emscripten_version.txt with a leading zero',
    {
      source: checkoutWith('tools-wasm', {
        'Tools/wasm/emscripten/config.toml': '',
        'Tools/wasm/emscripten/emscripten_version.txt': '"4.0.012"\n'
      })
    },
    /emscripten_version\.txt: the emsdk version "4\.0\.012" is not valid; version numbers have no leading zeros/
  ],
  [
    'a WASI SDK pin out of range',
    {
      source: checkoutWith('platforms', {
        'Platforms/WASI/config.toml':
          '[targets]\nwasi-sdk = 1000000\nhost-triple = "wasm32-wasip1"\n'
      })
    },
    /Platforms\/WASI\/config\.toml: the wasi-sdk version "1000000" is not valid; the major version 1000000 is out of range/
  ],
  [
    'a WASI host triple that is a path',
    {
      source: checkoutWith('platforms', {
        'Platforms/WASI/config.toml': '[targets]\nwasi-sdk = 33\nhost-triple = "../../x"\n'
      })
    },
    /Platforms\/WASI\/config\.toml: the host-triple "\.\.\/\.\.\/x" is not a target triple/
  ],
  [
    'test-modules false where configure lacks it',
    { source: oldConfigure, 'test-modules': 'false' },
    /test-modules: .* no --disable-test-modules/
  ],
  [
    'pthreads where configure lacks it',
    { source: oldConfigure, pthreads: 'true' },
    /pthreads: CPython 3.11.2's configure has no --enable-wasm-pthreads/
  ]
]

// One per stage that refuses: inputs, the checkout on disk, the plan (twice:
// the branch's recipes and its configure's options).
const THROUGH_THE_BUNDLE = CASES.filter(([what]) =>
  [
    'unknown target',
    'missing checkout',
    'a branch too old for wasm',
    'pthreads where configure lacks it'
  ].includes(what)
)
if (THROUGH_THE_BUNDLE.length !== 4) throw new Error('test error: a bundle case was renamed')

const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'cwa-bad-inputs-'))
afterAll(() => fs.rmSync(workspace, { recursive: true, force: true }))

/** What the main step does before anything is installed, with made-up runner facts. */
function prepare(inputs: Record<string, string>): void {
  const values = inputValues(inputs)
  // as core.getInput reads them: an unset input is empty, every value is trimmed
  const read = (name: string): string => (values[name] ?? '').trim()
  const loaded = loadInputs(read, workspace)
  makePlan(loaded, inspectCheckout(loaded.source), runnerFacts())
}

describe('bad inputs are refused before anything is installed', () => {
  test.each(CASES)('%s', (_what, inputs, message) => {
    expect(() => prepare({ ...base(), ...inputs })).toThrow(message)
  })

  test('several problems are reported together', () => {
    const several = (): void =>
      prepare({ ...base(), targets: 'wasm64', 'build-type': 'fast', test: 'all' })
    expect(several).toThrow(/Invalid inputs:/)
    for (const name of ['targets', 'build-type', 'test'])
      expect(several).toThrow(new RegExp(`- ${name}: `))
  })
})

describe('what a refusal never prints', () => {
  test('a mirror password, in any mirror input', () => {
    for (const name of ['emsdk-mirror', 'wasi-sdk-mirror', 'wasmtime-mirror']) {
      const refused = (): void =>
        prepare({ ...base(), [name]: `http://ci:${MIRROR_PASSWORD}@mirror.example/x` })
      expect(refused).toThrow(new RegExp(`${name}: credentials in a mirror URL are not supported`))
      expect(refused).not.toThrow(MIRROR_PASSWORD)
    }
  })

  test('a number too big for a double, as 1e+21', () => {
    const refused = (): void => prepare({ ...base(), 'wasi-sdk-version': '1000000000000000000000' })
    expect(refused).toThrow(/1000000000000000000000/)
    expect(refused).not.toThrow(/e\+/)
  })
})

describe('bad inputs fail the bundle before any download', () => {
  test.each(THROUGH_THE_BUNDLE)('%s', async (_what, inputs, message) => {
    const dirs = makeRunnerDirs()
    const before = requests
    const result = await runAction({ dirs, inputs: { ...base(), ...inputs } })
    expect(result.exitCode).toBe(1)
    expect(result.errors.join('\n')).toMatch(message)
    // an expected error says everything: no stack trace
    expect(result.errors.join('\n')).not.toMatch(/\n\s+at .*(index\.js|\.ts):\d+/)
    expect(requests).toBe(before)
    expect(fs.readdirSync(dirs.toolCache)).toEqual([])
  })

  test('several problems are reported together', async () => {
    const result = await runAction({
      inputs: { ...base(), targets: 'wasm64', 'build-type': 'fast', test: 'all' }
    })
    expect(result.exitCode).toBe(1)
    const error = result.errors.join('\n')
    expect(error).toMatch(/Invalid inputs:/)
    for (const name of ['targets', 'build-type', 'test'])
      expect(error).toMatch(new RegExp(`- ${name}: `))
  })

  test('a mirror password appears nowhere in the output', async () => {
    const result = await runAction({
      inputs: { ...base(), 'wasmtime-mirror': `http://ci:${MIRROR_PASSWORD}@mirror.example` }
    })
    expect(result.exitCode).toBe(1)
    expect(result.errors.join('\n')).toMatch(
      /wasmtime-mirror: credentials in a mirror URL are not supported; use a mirror that allows anonymous downloads \(http:\/\/mirror\.example\)/
    )
    expect(result.stdout + result.stderr).not.toContain(MIRROR_PASSWORD)
    expect(result.outputs.plan).toBeUndefined()
  })
})
