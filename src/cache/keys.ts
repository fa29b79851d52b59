/**
 * What the action caches, as a pure function of the plan, the runner and a
 * fingerprint of the checkout (hashed beforehand by fingerprint.ts).
 *
 * Every key starts with a salt (SALT) that is bumped when what we store under
 * a key changes shape, then the kind of entry, then what a reader can check
 * by eye (tool, versions, OS, arch), then a hash of everything else the
 * content depends on. A key changes exactly when the content would:
 *
 * - toolchain-<tool>: one downloaded toolchain: its tool-cache directory, the
 *   `<dir>.complete` marker tc.find looks for and the `<dir>.verified.json`
 *   record of what it was verified as. Tool, version, OS, arch, then a hash
 *   of the download URL and the expected sum: a run with a mirror or another
 *   sum saves under a key no other run restores. No restore keys: another
 *   version is no help.
 * - build-python: the native build Python's build directory, object files
 *   included, keyed on its configure/make commands (without -jN), OS, arch,
 *   runner image and then the source tree (see fingerprint.ts). An exact hit
 *   skips its steps. Restore keys: the same commands with any tree (GitHub
 *   searches the ref's own entries, then a pull request's base branch's,
 *   then the default branch's): a build tree (build-tree.ts) that make
 *   brings up to date, recompiling only what the new tree changed.
 * - build-tree-<target>: the target's build directory the same way (one
 *   entry per directory: 3.14+ Emscripten builds node and browser in one),
 *   keyed on the target's commands, the toolchains' identities, OS, arch,
 *   image and then the source tree. An exact hit skips its configure and
 *   make; a partial one skips configure when the tree was configured alike.
 * - emscripten-cache: EM_CACHE (system libraries and ports), keyed on the
 *   Emscripten version and what decides which libraries get built (ports,
 *   --pic, pthreads, targets, configure arguments). Restore keys: the same
 *   version with any flags, as most libraries are shared.
 * - emscripten-dependencies: the 3.14+ scripts' install prefix of libffi
 *   and mpdecimal (cross-build/wasm32-emscripten/prefix), keyed on the
 *   Emscripten version and a hash of the dependency pins and make_libffi.sh,
 *   as CPython's own CI keys it. Restore keys: the same version; the script
 *   rebuilds only what is out of date (a marker JSON per library).
 * - config-cache-<target>, config-cache-build-python: the target's (and
 *   the manual recipe's build Python's) config.cache (configure -C), for a
 *   build directory that did not come back with its build tree; keyed
 *   on the configure script, config.site, the scripts in its command line,
 *   toolchain versions and the configure command. Restore keys: the same
 *   except the configure script, so a configure change starts from the last
 *   cache (as autoconf keys cached results by name).
 * - build-result: the collected artifacts of every target, keyed on the
 *   source tree, every command of the plan, the toolchains' identities and
 *   the runner image. An exact hit skips the toolchains the build needs,
 *   every build step and the collection; the smoke tests still run on what
 *   came back. Saved only after they passed. No restore keys.
 * - ccache-<target>, ccache-build-python: the target's (and the manual
 *   recipe's build Python's) ccache directory. Its content grows with
 *   every build, so each run saves under a new key (ending in the run id)
 *   and restores the newest entry of its ref, else of a pull request's base
 *   branch (GITHUB_BASE_REF), else of any ref. Keyed on the
 *   compiler toolchain's version and the build options; ccache checks the
 *   compiler itself.
 */
import { createHash } from 'node:crypto'
import * as path from 'node:path'
import type { CachePlan, CommandStep, Plan, ToolEnv } from '../plan/types.js'
import type { ToolName } from '../catalog/downloads.js'
import type { RunnerFacts } from '../runner/types.js'
import { emscriptenCacheDir } from '../plan/paths.js'

/**
 * Bump when what the collect step puts into an artifact changes (2: the
 * node build's python.sh launcher): an older finished build is then rebuilt.
 */
const ARTIFACT_LAYOUT = 2

/** Bump when the layout of any entry changes: old entries are then never restored. */
export const SALT = 'cwa1'

/** The ids of cache entries, as they appear in the cache-hits output. */
export const BUILD_PYTHON = 'build-python'
export const EMSCRIPTEN_CACHE = 'emscripten-cache'
export const BUILD_RESULT = 'build-result'
/** the plan names it in its dependency steps (skipIfCached / onCacheHit) */
export const EMSCRIPTEN_DEPENDENCIES = 'emscripten-dependencies'
export const toolchainCacheId = (tool: ToolName): string => `toolchain-${tool}`
export const configCacheId = (part: string): string => `config-cache-${part}`
export const ccacheId = (part: string): string => `ccache-${part}`

export const buildTreeId = (part: string): string => `build-tree-${part}`

/**
 * Files of the checkout that configure turns into a build directory's
 * Makefile, headers and Setup files (configure.ac's AC_CONFIG_HEADERS and
 * AC_CONFIG_FILES, the makesetup call after them, the platform triplet probe;
 * CPython 3.11.2 and 3.13.5): a restored build tree configured from the same
 * content by the same command needs no new configure.
 */
export const CONFIGURE_INPUTS = [
  'configure',
  'pyconfig.h.in',
  'Makefile.pre.in',
  'Misc/python.pc.in',
  'Misc/python-embed.pc.in',
  'Misc/python-config.sh.in',
  'Misc/python-config.in',
  'Misc/platform_triplet.c',
  'Modules/Setup',
  'Modules/Setup.bootstrap.in',
  'Modules/Setup.stdlib.in',
  'Modules/Setup.local',
  'Modules/makesetup',
  'Modules/config.c.in',
  'Modules/ld_so_aix.in',
  'config.guess',
  'config.sub',
  'install-sh'
]

/** A ref as a key segment: refs/pull/12/merge and feature/x stay readable and unambiguous. */
const keySegment = (text: string): string => text.replace(/[^A-Za-z0-9._-]+/g, '_') || 'none'

/**
 * The pseudo step that installs a downloaded toolchain: main marks it as
 * succeeded once installToolchains returns.
 */
export const toolchainStepId = (tool: ToolName): string => `install-${tool}`

/** What fingerprint.ts measures of the checkout and the runner before planning the caches. */
export interface CacheFingerprint {
  /** a hash of the source tree the build reads */
  sourceTree: string
  /** how it was taken: git (tree of HEAD plus changes) or files */
  sourceTreeFrom: 'git' | 'files'
  /** sha256 of the files cacheInputFiles names, by absolute path; '' for a missing file */
  files: Record<string, string>
  /** the runner image (ImageOS on GitHub-hosted runners), '' elsewhere */
  image: string
}

export function shortHash(value: unknown, length = 20): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, length)
}

/** A command as it bears on its output: -jN only changes how fast. */
function commandOf(step: CommandStep): unknown {
  return {
    argv: step.argv.filter(a => !/^-j\d*$/.test(a)),
    cwd: step.cwd,
    env: step.env,
    toolEnv: step.toolEnv ?? ''
  }
}

/**
 * The configure steps that keep a config.cache (-C / --config-cache): the
 * targets', and the manual recipe's build Python's (a new tree rebuilds it).
 */
function configureSteps(plan: Plan): CommandStep[] {
  return plan.steps.filter(
    s =>
      (s.part === 'build-python' ? s.compilesNative === true : s.part !== 'dependencies') &&
      /-configure$/.test(s.id) &&
      s.argv.some(a => a === '-C' || a === '--config-cache')
  )
}

/** config.site files a recipe may read: CONFIG_SITE, or where the branch's scripts keep them. */
function configSiteCandidates(plan: Plan, step: CommandStep): string[] {
  if (step.env.CONFIG_SITE) return [step.env.CONFIG_SITE]
  // the native build reads none of the wasm config.site files
  if (!step.toolEnv) return []
  const host = step.toolEnv === 'wasi-sdk' ? 'wasm32-wasi' : 'wasm32-emscripten'
  const dir = step.toolEnv === 'wasi-sdk' ? ['wasi', 'WASI'] : ['emscripten', 'emscripten']
  return [
    path.join(plan.source, 'Tools', 'wasm', `config.site-${host}`),
    path.join(plan.source, 'Tools', 'wasm', dir[0], `config.site-${host}`),
    path.join(plan.source, 'Platforms', dir[1], `config.site-${host}`)
  ]
}

/** Files of the checkout named on a command line (build scripts, wasi-env). */
function scriptsOf(plan: Plan, step: CommandStep): string[] {
  const root = plan.source + path.sep
  return step.argv.filter(a => path.isAbsolute(a) && a.startsWith(root))
}

/** The files whose content goes into the keys; fingerprint.ts hashes them. */
export function cacheInputFiles(plan: Plan): string[] {
  const files = new Set<string>()
  for (const step of configureSteps(plan)) {
    files.add(path.join(plan.source, 'configure'))
    for (const f of configSiteCandidates(plan, step)) files.add(f)
    for (const f of scriptsOf(plan, step)) files.add(f)
  }
  for (const step of plan.steps.filter(isConfigureStep))
    for (const f of configureInputs(plan, step)) files.add(f)
  return [...files]
}

function fileHash(fp: CacheFingerprint, file: string): string {
  const hash = fp.files[file]
  if (hash === undefined)
    throw new Error(`internal error: ${file} was not hashed for the cache keys`)
  return hash
}

/** A step that configures a build directory, or seeds its config.cache for configure. */
const isConfigureStep = (step: CommandStep): boolean =>
  /-(configure|seed-config-cache)$/.test(step.id)

/** The toolchain each environment compiles with. */
const COMPILER = { 'wasi-sdk': 'wasi-sdk', emscripten: 'emsdk' } as const

/** What identifies the toolchains a build used (those of some environments only). */
const toolchainIdentities = (plan: Plan, envs?: ReadonlySet<ToolEnv | undefined>): unknown[] =>
  plan.toolchains
    .filter(t => !envs || [...envs].some(e => e !== undefined && COMPILER[e] === t.tool))
    .map(t => [t.tool, t.version, t.url ?? t.dir, t.sha256 ?? ''])

/** Each target's build directory once (3.14+ Emscripten builds both targets in one). */
function targetTrees(plan: Plan): { part: string; dir: string }[] {
  const trees: { part: string; dir: string }[] = []
  for (const a of plan.artifacts)
    if (!trees.some(t => t.dir === a.buildDir)) {
      // the steps belong to the target that builds the shared directory
      const builder = plan.steps.find(
        s =>
          s.part !== 'build-python' &&
          s.part !== 'dependencies' &&
          /-make$/.test(s.id) &&
          plan.artifacts.some(b => b.target === s.part && b.buildDir === a.buildDir)
      )
      trees.push({ part: builder?.part ?? a.target, dir: a.buildDir })
    }
  return trees
}

/** The files of the checkout a configure step's outcome depends on. */
function configureInputs(plan: Plan, step: CommandStep): string[] {
  return [
    ...CONFIGURE_INPUTS.map(f => path.join(plan.source, f)),
    ...configSiteCandidates(plan, step),
    ...scriptsOf(plan, step)
  ]
}

/**
 * A hash of the configure commands and of the content of every file they
 * read from the checkout: equal for a restored tree configured alike.
 */
function configureStamp(plan: Plan, fp: CacheFingerprint, steps: CommandStep[]): string {
  if (steps.length === 0) return ''
  return shortHash({
    commands: steps.map(commandOf),
    inputs: steps.map(s => configureInputs(plan, s).map(f => fileHash(fp, f))),
    dependencies: plan.emscriptenDependencies?.inputs ?? ''
  })
}

/** Ports and flags of the embuilder steps, e.g. ["zlib", "bzip2", "--pic:zlib", ...]. */
function embuilderWork(plan: Plan): string[] {
  const work: string[] = []
  for (const step of plan.steps) {
    if (path.basename(step.argv[0] ?? '') !== 'embuilder') continue
    const flags = step.argv.slice(1).filter(a => a.startsWith('-'))
    const build = step.argv.indexOf('build')
    const names = build >= 0 ? step.argv.slice(build + 1).filter(a => !a.startsWith('-')) : []
    for (const n of names) work.push([...flags, n].join(':'))
  }
  return work
}

/** The caches of a plan, in the order they are restored. */
export function planCaches(plan: Plan, runner: RunnerFacts, fp: CacheFingerprint): CachePlan[] {
  const platform = `${runner.os}-${runner.arch}`
  const caches: CachePlan[] = []

  for (const t of plan.toolchains) {
    if (t.source !== 'download') continue
    caches.push({
      id: toolchainCacheId(t.tool),
      title: `${t.tool} ${t.version}`,
      key: `${SALT}-toolchain-${t.tool}-${t.version}-${platform}-${shortHash({
        url: t.url,
        sha256: t.sha256?.toLowerCase() ?? ''
      })}`,
      restoreKeys: [],
      paths: [t.dir, `${t.dir}.complete`, `${t.dir}.verified.json`],
      producedBy: [toolchainStepId(t.tool)]
    })
  }

  const pythonSteps = plan.steps.filter(s => s.skipIfCached === BUILD_PYTHON)
  let buildPythonKey = ''
  if (pythonSteps.length > 0) {
    const dir = path.dirname(plan.buildPython)
    const prefix = `${SALT}-build-python-${plan.python.text}-${platform}-${shortHash({
      commands: pythonSteps.map(commandOf),
      image: fp.image,
      dir
    })}-`
    buildPythonKey = prefix + fp.sourceTree.slice(0, 20)
    caches.push({
      id: BUILD_PYTHON,
      title: `build Python ${plan.python.text}`,
      key: buildPythonKey,
      restoreKeys: [prefix],
      paths: [dir],
      // configure may be skipped (a restored tree configured alike): make is what builds it
      producedBy: pythonSteps.filter(s => !isConfigureStep(s)).map(s => s.id),
      tree: {
        dir,
        configureSteps: pythonSteps.filter(isConfigureStep).map(s => s.id),
        buildSteps: pythonSteps.filter(s => !isConfigureStep(s)).map(s => s.id),
        configured: configureStamp(plan, fp, pythonSteps.filter(isConfigureStep)),
        buildPython: ''
      }
    })
  }

  for (const tree of targetTrees(plan)) {
    const steps = plan.steps.filter(s => s.part === tree.part)
    const configure = steps.filter(isConfigureStep)
    const build = steps.filter(s => /-make$/.test(s.id))
    if (build.length === 0) continue
    const prefix = `${SALT}-build-tree-${tree.part}-${plan.python.text}-${platform}-${shortHash({
      commands: steps.map(commandOf),
      toolchains: toolchainIdentities(plan, new Set(steps.map(s => s.toolEnv))),
      dependencies: plan.emscriptenDependencies?.inputs ?? '',
      image: fp.image,
      dir: tree.dir
    })}-`
    caches.push({
      id: buildTreeId(tree.part),
      title: `build tree of ${tree.part}`,
      key: prefix + fp.sourceTree.slice(0, 20),
      restoreKeys: [prefix],
      paths: [tree.dir],
      producedBy: build.map(s => s.id),
      tree: {
        dir: tree.dir,
        configureSteps: configure.map(s => s.id),
        buildSteps: build.map(s => s.id),
        configured: configureStamp(plan, fp, configure),
        buildPython: buildPythonKey
      }
    })
  }

  const emsdk = plan.toolchains.find(t => t.tool === 'emsdk')
  const emscriptenSteps = plan.steps.filter(s => s.toolEnv === 'emscripten')
  if (emsdk && emscriptenSteps.length > 0) {
    const prefix = `${SALT}-emscripten-cache-${emsdk.version}-${platform}-`
    const variant = shortHash({
      ports: embuilderWork(plan),
      pthreads: plan.options.pthreads,
      dynamicLinking: plan.options.dynamicLinking,
      buildType: plan.options.buildType,
      configureArgs: plan.options.configureArgs,
      targets: plan.targets.map(t => t.target).filter(t => t !== 'wasi'),
      emsdk: emsdk.source === 'download' ? emsdk.url : emsdk.dir
    })
    caches.push({
      id: EMSCRIPTEN_CACHE,
      title: `Emscripten ${emsdk.version} cache (system libraries and ports)`,
      key: prefix + variant,
      restoreKeys: [prefix],
      paths: [emscriptenCacheDir(runner)],
      producedBy: emscriptenSteps.map(s => s.id)
    })
  }

  const deps = plan.emscriptenDependencies
  const depSteps = plan.steps.filter(
    s =>
      s.part === 'dependencies' && s.argv[1]?.startsWith(plan.source) && s.toolEnv === 'emscripten'
  )
  if (emsdk && deps && depSteps.length > 0) {
    // as CPython's CI keys it: emsdk-<version>-<hash of the dependency pins and make_libffi.sh>,
    // restoring any prefix of the same Emscripten (the script rebuilds what is out of date)
    const prefix = `${SALT}-emscripten-dependencies-${emsdk.version}-${platform}-`
    caches.push({
      id: EMSCRIPTEN_DEPENDENCIES,
      title: `Emscripten ${emsdk.version} dependencies (libffi, mpdecimal)`,
      key:
        prefix +
        shortHash({
          inputs: deps.inputs,
          emsdk: emsdk.source === 'download' ? emsdk.url : emsdk.dir
        }),
      restoreKeys: [prefix],
      paths: [deps.prefix],
      producedBy: depSteps.map(s => s.id)
    })
  }

  for (const step of configureSteps(plan)) {
    // the toolchain a configure step compiles with (the build Python's own make needs none)
    const toolchains = plan.toolchains
      .filter(t => step.toolEnv && t.tool === COMPILER[step.toolEnv])
      .map(t => ({ tool: t.tool, version: t.version, dir: t.dir }))
    const artifact = plan.artifacts.find(a => a.target === step.part)
    const buildDir = step.cwd === plan.source && artifact ? artifact.buildDir : step.cwd
    const prefix = `${SALT}-config-cache-${step.part}-${platform}-${shortHash({
      toolchains,
      command: commandOf(step),
      configSite: configSiteCandidates(plan, step).map(f => fileHash(fp, f)),
      scripts: scriptsOf(plan, step).map(f => fileHash(fp, f)),
      buildDir,
      image: fp.image
    })}-`
    caches.push({
      id: configCacheId(step.part),
      title: `config.cache of ${step.part}`,
      key: prefix + fileHash(fp, path.join(plan.source, 'configure')).slice(0, 20),
      restoreKeys: [prefix],
      paths: [path.join(buildDir, 'config.cache')],
      producedBy: [step.id]
    })
  }

  for (const { part, dir } of plan.ccache) {
    const compilerSteps = plan.steps.filter(
      s => s.part === part && (s.toolEnv !== undefined || s.compilesNative === true)
    )
    const toolEnvs = new Set(compilerSteps.map(s => s.toolEnv))
    const toolchains = plan.toolchains
      .filter(
        t =>
          (t.tool === 'emsdk' && toolEnvs.has('emscripten')) ||
          (t.tool === 'wasi-sdk' && toolEnvs.has('wasi-sdk'))
      )
      .map(t => `${t.tool}-${t.version}`)
    // the options: two jobs of one run that build a target two ways keep two entries
    const prefix = `${SALT}-ccache-${part}-${platform}-${shortHash({ toolchains, options: plan.options, image: fp.image })}-`
    const ref = `${keySegment(runner.ref)}-`
    // a pull request cannot save, so its runs start from its base branch's newest entry
    const base =
      runner.baseRef && runner.baseRef !== runner.ref
        ? [`${prefix}${keySegment(runner.baseRef)}-`]
        : []
    caches.push({
      id: ccacheId(part),
      title: `ccache of ${part}`,
      key: prefix + ref + keySegment(runner.runId),
      restoreKeys: [prefix + ref, ...base, prefix],
      paths: [dir],
      producedBy: compilerSteps.filter(s => /-make$/.test(s.id)).map(s => s.id)
    })
  }
  // the finished build: every collected artifact, keyed on everything that
  // decides it; saved only once its smoke tests passed (or it was collected,
  // with test: none), restored exactly or not at all
  if (plan.artifacts.length > 0)
    caches.push({
      id: BUILD_RESULT,
      title: `finished build of ${plan.artifacts.map(a => a.target).join(', ')}`,
      key: `${SALT}-build-result-${plan.python.text}-${platform}-${shortHash(
        {
          tree: fp.sourceTree,
          image: fp.image,
          commands: plan.steps.map(commandOf),
          toolchains: toolchainIdentities(plan),
          artifacts: plan.artifacts.map(a => [
            a.target,
            a.recipe,
            a.buildDir,
            a.dir,
            a.embed ?? false
          ]),
          layout: ARTIFACT_LAYOUT
        },
        32
      )}`,
      restoreKeys: [],
      paths: plan.artifacts.map(a => a.dir),
      producedBy: ['collect', ...plan.smoke.map(t => `smoke-${t.target}`)]
    })
  return caches
}
