import * as core from '@actions/core'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {
  EMSDK_BROKEN,
  EMSDK_FLOOR,
  isEmscripten,
  TARGETS,
  WASI_SDK_FLOOR,
  type Target
} from '../catalog/targets.js'
import { compareVersions, formatVersion, parseVersion } from '../catalog/version.js'
import { splitWords, WordsError } from './words.js'
import { ActionError } from '../catalog/errors.js'

export interface Inputs {
  source: string
  targets: Target[]
  emsdk: { version: string | 'auto'; path: string; sha256: string; mirror: string }
  wasiSdk: { version: number | 'auto'; path: string; sha256: string; mirror: string }
  wasmtime: { version: string | 'auto' | 'none'; sha256: string; mirror: string }
  wasiRuntime: 'auto' | 'wasmtime' | 'node'
  githubToken: string
  buildType: 'release' | 'debug'
  pthreads: boolean
  dynamicLinking: boolean
  testModules: boolean
  configureArgs: string[]
  test: 'smoke' | 'none'
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

/** Arguments the action sets itself; a user value would contradict the recipe. */
const RESERVED_CONFIGURE_ARGS: Record<string, string> = {
  '--host': 'the action sets the host triple for each target',
  '--build': 'the action sets the build triple from config.guess',
  '--with-build-python': 'the action builds and passes the build Python',
  '--with-emscripten-target': 'choose the targets input instead',
  '--with-pydebug': 'use build-type: debug instead',
  '--enable-wasm-pthreads': 'use pthreads: true instead',
  '--enable-wasm-dynamic-linking': 'use dynamic-linking: true instead',
  '--disable-test-modules': 'use test-modules: false instead',
  '--enable-test-modules': 'use test-modules instead'
}

const ARTIFACT_PLACEHOLDERS = ['target', 'version', 'minor', 'build-type', 'suffix']
const ARTIFACT_FORBIDDEN = /["\\/:<>|*?\r\n]/

type Reader = (name: string) => string

/** core.getInput, but undefined-safe for tests that read a plain map. */
const fromActions: Reader = name => core.getInput(name)

export function loadInputs(read: Reader = fromActions, workspace = defaultWorkspace()): Inputs {
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
    try {
      const url = new URL(value)
      if (url.protocol === 'http:' || url.protocol === 'https:') return value
    } catch {
      // reported below
    }
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
    const v = /^\d+\.\d+\.\d+$/.test(emsdkVersion) ? parseVersion(emsdkVersion) : undefined
    if (!v) bad('emsdk-version', emsdkVersion, 'expected "auto" or a version like 3.1.69')
    else if (compareVersions(v, EMSDK_FLOOR) < 0)
      bad(
        'emsdk-version',
        emsdkVersion,
        `Emscripten ${formatVersion(EMSDK_FLOOR)} or newer is needed to build CPython`
      )
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
    const m = /^(\d+)(?:\.0)?$/.exec(wasiSdkText)
    if (!m) bad('wasi-sdk-version', wasiSdkText, 'expected "auto" or a major version like 24')
    else if (Number(m[1]) < WASI_SDK_FLOOR)
      bad(
        'wasi-sdk-version',
        wasiSdkText,
        `WASI SDK ${WASI_SDK_FLOOR} or newer is needed to build CPython`
      )
    else wasiSdkVersion = Number(m[1])
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
  if (!['auto', 'none'].includes(wasmtimeVersion) && !/^v?\d+\.\d+\.\d+$/.test(wasmtimeVersion))
    bad('wasmtime-version', wasmtimeVersion, 'expected "auto", "none" or a version like 36.0.2')
  const wasiRuntime = oneOf('wasi-runtime', ['auto', 'wasmtime', 'node'] as const, 'auto')
  if (wasiRuntime === 'wasmtime' && wasmtimeVersion === 'none')
    bad('wasi-runtime', wasiRuntime, 'wasmtime-version is "none", so use "auto" or "node"')

  const buildType = oneOf('build-type', ['release', 'debug'] as const, 'release')
  const pthreads = bool('pthreads', false)
  const dynamicLinking = bool('dynamic-linking', false)
  const testModules = bool('test-modules', true)
  const test = oneOf('test', ['smoke', 'none'] as const, 'smoke')
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

  // configure-args
  let configureArgs: string[] = []
  const configureText = read('configure-args')
  try {
    configureArgs = splitWords(configureText)
  } catch (e) {
    if (!(e instanceof WordsError)) throw e
    bad('configure-args', configureText.trim(), e.message)
  }
  for (const arg of configureArgs) {
    const option = arg.split('=')[0]
    if (RESERVED_CONFIGURE_ARGS[option]) bad('configure-args', arg, RESERVED_CONFIGURE_ARGS[option])
    else if (!arg.startsWith('--') && !/^[A-Za-z_][A-Za-z0-9_]*=/.test(arg))
      bad('configure-args', arg, 'expected --option, --option=value or VARIABLE=value')
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
    githubToken: read('github-token'),
    buildType,
    pthreads,
    dynamicLinking,
    testModules,
    configureArgs,
    test,
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
