import * as core from '@actions/core'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { EMSDK_BROKEN, isEmscripten, TARGETS, type Target } from '../catalog/targets.js'
import { checkToolVersion } from '../catalog/version.js'
import { splitWords, WordsError } from './words.js'
import { ActionError } from '../catalog/errors.js'

export interface Inputs {
  source: string
  targets: Target[]
  emsdk: { version: string | 'auto'; path: string; sha256: string; mirror: string }
  wasiSdk: { version: number | 'auto'; path: string; sha256: string; mirror: string }
  wasmtime: { version: string | 'auto' | 'none'; sha256: string; mirror: string }
  wasiRuntime: 'auto' | 'wasmtime' | 'node'
  /**
   * strict: a download with no known sum (table, *-sha256 or checksums input,
   * release digest) fails before anything is installed; warn: it is installed
   * with a warning, outside the tool cache, and no cache is saved
   */
  verify: 'strict' | 'warn'
  /** base URL serving every download host's files as <mirror>/<host>/<path> ('' for none) */
  mirror: string
  /** extra sums by file name (the checksums input, sha256sum's format; sha512sum's for Emscripten ports) */
  checksums: Record<string, string>
  githubToken: string
  buildType: 'release' | 'debug'
  pthreads: boolean
  dynamicLinking: boolean
  testModules: boolean
  configureArgs: string[]
  /** smoke (run each artifact), suite (then CPython's test suite on it) or none */
  test: 'smoke' | 'suite' | 'none'
  /** regrtest arguments for test: suite (test names and options), split like configure-args */
  testArgs: string[]
  /** a failed test fails the step, or is only reported */
  testFailures: 'fail' | 'report'
  /** minutes one target's test suite may run before it is stopped */
  testTimeout: number
  /** add what embedders link against to the WASI artifact (embed/) */
  embed: boolean
  cache: boolean
  /** compile through ccache: auto (when ccache is on PATH), true (required) or false */
  ccache: boolean | 'auto'
  cacheSave: 'auto' | 'always' | 'never'
  upload: boolean
  artifactName: string
  retentionDays: number
  compressionLevel: number
  dryRun: boolean
  /** all, or build-python: build and cache only the build Python (a workflow's shared job) */
  only: 'all' | 'build-python'
}

/** All the problems with the inputs, reported together so one run shows every fix. */
export class InputError extends ActionError {
  constructor(readonly problems: string[]) {
    super(
      problems.length === 1
        ? `Invalid input: ${problems[0]}`
        : `Invalid inputs:\n${problems.map(p => `  - ${p}`).join('\n')}`
    )
  }
}

/**
 * regrtest options the suite cannot take: the interpreter runs the tests in
 * its own process (a wasm build starts no workers), and the action writes the
 * JUnit file itself (Lib/test/libregrtest/cmdline.py).
 */
const RESERVED_TEST_ARGS: Record<string, string> = {
  '-j': 'the suite runs in the wasm interpreter itself, which cannot start worker processes',
  '--multiprocess':
    'the suite runs in the wasm interpreter itself, which cannot start worker processes',
  '-p': 'the action runs the suite with each built interpreter',
  '--python': 'the action runs the suite with each built interpreter',
  '--junit-xml': 'the action writes the JUnit file itself (in the logs artifact)'
}

/** Arguments the action sets itself; a user value would contradict the recipe. */
const RESERVED_CONFIGURE_ARGS: Record<string, string> = {
  '--host': 'the action sets the host triple for each target',
  '--build': 'the action sets the build triple',
  '--cache-file': "the action manages configure's cache (-C, kept in the action's caches)",
  '--with-build-python': 'the action builds and passes the build Python',
  '--with-emscripten-target': 'choose the targets input instead',
  '--with-pydebug': 'use build-type: debug instead',
  '--enable-wasm-pthreads': 'use pthreads: true instead',
  '--enable-wasm-dynamic-linking': 'use dynamic-linking: true instead',
  '--disable-test-modules': 'use test-modules: false instead',
  '--enable-test-modules': 'use test-modules instead'
}

/**
 * Reserved options the generated configure also takes abbreviated: autoconf's
 * option loop (_AC_INIT_PARSE_ARGS in lib/autoconf/general.m4) matches --ho
 * and --hos as --host, --bu to --buil as --build and --c to --cache-fil as
 * --cache-file (autoconf 2.1x took --b for --build too). So any prefix of
 * three characters or more counts; --h, which is --help to configure, is
 * refused with them at no cost. --with-* and --enable-* options are matched
 * by their whole name (a shorter one names another package or feature).
 */
const ABBREVIATED_BY_CONFIGURE = ['--host', '--build', '--cache-file']

/** The reserved option a configure argument sets, if any. */
function reservedOption(arg: string): string | undefined {
  const option = arg.split('=')[0]
  if (RESERVED_CONFIGURE_ARGS[option]) return option
  if (option.length < 3 || !option.startsWith('--')) return undefined
  return ABBREVIATED_BY_CONFIGURE.find(full => full.startsWith(option))
}

/** What a version input accepts: the check's problem, or the other words it takes too. */
function accepted(checked: { problem: string; expected?: string }, others: string): string {
  return checked.expected ? `expected ${others} ${checked.expected}` : checked.problem
}

const ARTIFACT_PLACEHOLDERS = ['target', 'version', 'minor', 'build-type', 'suffix']
/** Characters the artifact service refuses in a name (@actions/artifact's name check). */
export const ARTIFACT_FORBIDDEN = /["\\/:<>|*?\r\n]/

/**
 * Where the inputs come from, by action.yml name: the runner's INPUT_*
 * variables (the action) or command-line flags (the command). One reader,
 * so both get the same defaults, validation and messages.
 */
export type InputSource = (name: string) => string

/** The action's inputs, as the runner passes them. */
export const actionInputs: InputSource = name => core.getInput(name)

export function loadInputs(
  read: InputSource = actionInputs,
  workspace = defaultWorkspace()
): Inputs {
  const problems: string[] = []
  const bad = (name: string, value: string, accepted: string): void => {
    problems.push(`${name}: ${JSON.stringify(value)} is not valid; ${accepted}`)
  }
  const get = (name: string): string => read(name).trim()

  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const value = get(name) || fallback
    if ((allowed as readonly string[]).includes(value)) return value as T
    bad(name, value, `expected one of: ${allowed.join(', ')}`)
    return fallback
  }
  const bool = (name: string, fallback: boolean): boolean => {
    const value = get(name)
    if (value === '') return fallback
    if (['true', 'True', 'TRUE'].includes(value)) return true
    if (['false', 'False', 'FALSE'].includes(value)) return false
    bad(name, value, 'expected true or false')
    return fallback
  }
  const integer = (name: string, min: number, max: number, fallback: number): number => {
    const value = get(name)
    if (value === '') return fallback
    if (/^\d+$/.test(value) && Number(value) >= min && Number(value) <= max) return Number(value)
    bad(name, value, `expected a whole number from ${min} to ${max}`)
    return fallback
  }
  const sha256 = (name: string): string => {
    const value = get(name).toLowerCase()
    if (value !== '' && !/^[0-9a-f]{64}$/.test(value))
      bad(name, value, 'expected 64 hexadecimal digits (a sha256 sum)')
    return value
  }
  const mirror = (name: string): string => {
    const value = get(name).replace(/\/+$/, '')
    if (value === '') return ''
    let url: URL | undefined
    try {
      url = new URL(value)
    } catch {
      // reported below
    }
    // The downloads never send a URL's user:password, and every message would
    // print it; name the input and show the URL without them.
    if (withoutUserinfo(value) !== value || url?.username || url?.password) {
      problems.push(
        `${name}: credentials in a mirror URL are not supported; use a mirror that allows anonymous downloads (${withoutUserinfo(value)})`
      )
      return ''
    }
    if (url?.protocol === 'http:' || url?.protocol === 'https:') return value
    bad(name, value, 'expected an http:// or https:// base URL')
    return ''
  }
  const existingDir = (name: string): string => {
    const value = get(name)
    if (value === '') return ''
    const resolved = path.resolve(workspace, value)
    if (!isDirectory(resolved)) bad(name, value, `no directory at ${resolved}`)
    return resolved
  }

  // source: a CPython checkout
  const sourceInput = get('source') || '.'
  const source = path.resolve(workspace, sourceInput)
  if (!isDirectory(source)) {
    bad(
      'source',
      sourceInput,
      `no directory at ${source}; check out CPython first (actions/checkout with repository: python/cpython)`
    )
  } else if (
    !fs.existsSync(path.join(source, 'Include', 'patchlevel.h')) ||
    !fs.existsSync(path.join(source, 'configure'))
  ) {
    bad(
      'source',
      sourceInput,
      `${source} is not a CPython checkout (no Include/patchlevel.h and configure)`
    )
  }

  // targets
  const targetWords = (get('targets') || TARGETS.join(' ')).split(/[\s,]+/).filter(Boolean)
  const targets: Target[] = []
  if (targetWords.length === 0)
    bad('targets', get('targets'), `name at least one of: ${TARGETS.join(', ')}`)
  for (const word of targetWords) {
    if (!(TARGETS as readonly string[]).includes(word))
      bad('targets', word, `expected any of: ${TARGETS.join(', ')}`)
    else if (!targets.includes(word as Target)) targets.push(word as Target)
  }

  // emsdk
  const emsdkVersion = get('emsdk-version') || 'auto'
  if (emsdkVersion !== 'auto') {
    const checked = checkToolVersion('emsdk', emsdkVersion)
    if ('problem' in checked) bad('emsdk-version', emsdkVersion, accepted(checked, '"auto" or'))
    else if (EMSDK_BROKEN.includes(emsdkVersion))
      core.warning(
        `emsdk-version ${emsdkVersion} is known to miscompile CPython; its wasm_build.py refuses it`
      )
  }
  const emsdkPath = existingDir('emsdk-path')
  if (emsdkPath && emsdkVersion !== 'auto')
    bad(
      'emsdk-version',
      emsdkVersion,
      'leave it at "auto" when emsdk-path names an installed Emscripten (its version is read from there)'
    )

  // WASI SDK
  const wasiSdkText = get('wasi-sdk-version') || 'auto'
  let wasiSdkVersion: number | 'auto' = 'auto'
  if (wasiSdkText !== 'auto') {
    const checked = checkToolVersion('wasi-sdk', wasiSdkText)
    if ('problem' in checked) bad('wasi-sdk-version', wasiSdkText, accepted(checked, '"auto" or'))
    else wasiSdkVersion = checked.version[0]
  }
  const wasiSdkPath = existingDir('wasi-sdk-path')
  if (wasiSdkPath && wasiSdkVersion !== 'auto')
    bad(
      'wasi-sdk-version',
      wasiSdkText,
      'leave it at "auto" when wasi-sdk-path names an installed WASI SDK'
    )

  // wasmtime
  const wasmtimeVersion = get('wasmtime-version') || 'auto'
  if (!['auto', 'none'].includes(wasmtimeVersion)) {
    const checked = checkToolVersion('wasmtime', wasmtimeVersion)
    if ('problem' in checked)
      bad('wasmtime-version', wasmtimeVersion, accepted(checked, '"auto", "none" or'))
  }
  const wasiRuntime = oneOf('wasi-runtime', ['auto', 'wasmtime', 'node'] as const, 'auto')
  if (wasiRuntime === 'wasmtime' && wasmtimeVersion === 'none')
    bad('wasi-runtime', wasiRuntime, 'wasmtime-version is "none", so use "auto" or "node"')

  const verify = oneOf('verify', ['strict', 'warn'] as const, 'strict')
  const checksums = parseChecksums(read('checksums'), problem =>
    problems.push(`checksums: ${problem}`)
  )
  const buildType = oneOf('build-type', ['release', 'debug'] as const, 'release')
  const pthreads = bool('pthreads', false)
  const dynamicLinking = bool('dynamic-linking', false)
  const testModules = bool('test-modules', true)
  const test = oneOf('test', ['smoke', 'suite', 'none'] as const, 'smoke')
  const testFailures = oneOf('test-failures', ['fail', 'report'] as const, 'fail')
  const embed = bool('embed', false)
  const testTimeout = integer('test-timeout', 1, 360, 60)
  if (embed && targets.length > 0 && !targets.includes('wasi'))
    bad('embed', 'true', 'it adds to the wasi artifact; add the wasi target or set it to false')
  const cache = bool('cache', true)
  const ccache = oneOf('ccache', ['auto', 'true', 'false'] as const, 'auto')
  const cacheSave = oneOf('cache-save', ['auto', 'always', 'never'] as const, 'auto')
  const upload = bool('upload', true)
  const dryRun = bool('dry-run', false)
  const only = oneOf('only', ['all', 'build-python'] as const, 'all')
  const retentionDays = integer('retention-days', 0, 90, 0)
  const compressionLevel = integer('compression-level', 0, 9, 6)

  if (targets.length > 0 && !targets.some(isEmscripten)) {
    if (pthreads)
      bad(
        'pthreads',
        'true',
        'pthreads applies to the Emscripten targets only; add one or set it to false'
      )
    if (dynamicLinking)
      bad(
        'dynamic-linking',
        'true',
        'dynamic-linking applies to the Emscripten targets only; add one or set it to false'
      )
  }

  /** An input of words, split like a shell would split them (never run through one). */
  const wordsOf = (name: string): string[] => {
    const text = read(name)
    try {
      return splitWords(text)
    } catch (e) {
      if (!(e instanceof WordsError)) throw e
      bad(name, text.trim(), e.message)
      return []
    }
  }

  // configure-args
  const configureArgs = wordsOf('configure-args')
  for (const arg of configureArgs) {
    const option = reservedOption(arg)
    if (option)
      bad(
        'configure-args',
        arg,
        `${option === arg.split('=')[0] ? '' : `configure reads it as ${option}: `}${RESERVED_CONFIGURE_ARGS[option]}`
      )
    else if (!arg.startsWith('--') && !/^[A-Za-z_][A-Za-z0-9_]*=/.test(arg))
      bad('configure-args', arg, 'expected --option, --option=value or VARIABLE=value')
  }

  // test-args
  const testArgs = wordsOf('test-args')
  if (testArgs.length > 0 && test !== 'suite')
    bad('test-args', read('test-args').trim(), 'it applies to test: suite only; set test: suite')
  for (const arg of testArgs) {
    const option = arg.split('=')[0]
    const why =
      RESERVED_TEST_ARGS[option] ?? (/^-j\d*$/.test(option) ? RESERVED_TEST_ARGS['-j'] : undefined)
    if (why) bad('test-args', arg, why)
  }

  // artifact-name
  const artifactName = get('artifact-name') || 'python-{version}-{target}{suffix}'
  for (const [, name] of artifactName.matchAll(/\{([^}]*)\}/g)) {
    if (!ARTIFACT_PLACEHOLDERS.includes(name))
      bad(
        'artifact-name',
        artifactName,
        `unknown placeholder {${name}}; known: ${ARTIFACT_PLACEHOLDERS.map(p => `{${p}}`).join(' ')}`
      )
  }
  if (ARTIFACT_FORBIDDEN.test(artifactName.replace(/\{[^}]*\}/g, '')))
    bad(
      'artifact-name',
      artifactName,
      'artifact names cannot contain " \\ / : < > | * ? or line breaks'
    )
  if (targets.length > 1 && !artifactName.includes('{target}'))
    bad(
      'artifact-name',
      artifactName,
      'with more than one target it must contain {target}, or the artifacts would collide'
    )

  const inputs: Inputs = {
    source,
    targets,
    emsdk: {
      version: emsdkVersion,
      path: emsdkPath,
      sha256: sha256('emsdk-sha256'),
      mirror: mirror('emsdk-mirror')
    },
    wasiSdk: {
      version: wasiSdkVersion,
      path: wasiSdkPath,
      sha256: sha256('wasi-sdk-sha256'),
      mirror: mirror('wasi-sdk-mirror')
    },
    wasmtime: {
      version: wasmtimeVersion.replace(/^v/, ''),
      sha256: sha256('wasmtime-sha256'),
      mirror: mirror('wasmtime-mirror')
    },
    wasiRuntime,
    verify,
    mirror: mirror('mirror'),
    checksums,
    githubToken: read('github-token'),
    buildType,
    pthreads,
    dynamicLinking,
    testModules,
    configureArgs,
    test,
    testArgs,
    testFailures,
    testTimeout,
    embed,
    cache,
    ccache: ccache === 'auto' ? 'auto' : ccache === 'true',
    cacheSave,
    upload,
    artifactName,
    retentionDays,
    compressionLevel,
    dryRun,
    only
  }
  if (problems.length > 0) throw new InputError(problems)
  return inputs
}

/**
 * The checksums input: lines of `<sha256>  <file name>` (sha256sum's output;
 * one space or a `*` before the name is taken too), or `<sha512>  <file name>`
 * for an Emscripten port (Emscripten checks ports by sha512), blank lines and
 * # comments ignored. A file name is a download URL's last segment, or the
 * name emsdk keeps it under (`<hash>-wasm-binaries.tar.xz`).
 */
function parseChecksums(text: string, problem: (message: string) => void): Record<string, string> {
  const sums: Record<string, string> = {}
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    const m = /^([0-9A-Fa-f]{64}|[0-9A-Fa-f]{128}) [ *]?(\S+)$/.exec(line)
    if (!m) {
      problem(
        `${JSON.stringify(line)} is not "<sha256>  <file name>" (64 hexadecimal digits, then the file name; 128 for a port's sha512)`
      )
      continue
    }
    const [, sum, name] = m
    if (name.includes('/')) problem(`${JSON.stringify(name)}: name the file, not a path or URL`)
    else if (sums[name] && sums[name] !== sum.toLowerCase())
      problem(`${name} is listed twice with different sums`)
    else sums[name] = sum.toLowerCase()
  }
  return sums
}

/**
 * Text without the user:password@ a URL parser would find in it: the
 * authority runs to the first /, ? or # (RFC 3986 3.2; the WHATWG URL
 * standard also ends it at a backslash and lets "http:" go without the
 * slashes), its userinfo to the last @ in it.
 */
export function withoutUserinfo(text: string): string {
  return text.replace(/^([A-Za-z][A-Za-z0-9+.-]*:[/\\]*)[^/\\?#]*@/, '$1')
}

function defaultWorkspace(): string {
  return process.env.GITHUB_WORKSPACE || process.cwd()
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory()
  } catch {
    return false
  }
}
