/**
 * The branch's own build scripts: Tools/wasm/wasi.py (3.13), Tools/wasm/wasi
 * and Tools/wasm/emscripten (3.14), Platforms/WASI and Platforms/emscripten
 * (main). They share one command-line shape: configure-build-python,
 * make-build-python, [make-dependencies | make-libffi + make-mpdec],
 * configure-host, make-host, with extra configure arguments after "--".
 */
import * as path from 'node:path'
import type { ScriptFacts } from '../../checkout/detect.js'
import type { CommandStep } from '../types.js'
import type { Target } from '../../catalog/targets.js'
import { noSteps, optionArgs, step, type RecipeContext, type RecipeSteps } from './common.js'

export type Platform = 'wasi' | 'emscripten'

export interface ScriptedPaths {
  buildPython: string
  /** where the target's finished build lives */
  hostDir: string
}

export const EMSCRIPTEN_HOST = 'wasm32-emscripten'

/** Where the script builds the build Python and the target. */
export function scriptedPaths(
  ctx: RecipeContext,
  platform: Platform,
  script: ScriptFacts
): ScriptedPaths {
  const crossBuild = path.join(ctx.facts.root, 'cross-build')
  const buildDir = script.buildPythonDir === 'build' ? 'build' : ctx.buildTriple
  return {
    buildPython: path.join(crossBuild, buildDir, 'python'),
    hostDir:
      platform === 'wasi'
        ? path.join(crossBuild, ctx.facts.wasiHostTriple)
        : path.join(crossBuild, EMSCRIPTEN_HOST, 'build', 'python')
  }
}

/** A --host-runner for the node:wasi runner, in the placeholders this script fills in. */
export function nodeWasiHostRunner(script: ScriptFacts, runner: string[]): string {
  if (script.hostRunnerStyle === 'host-dir')
    return [
      ...runner,
      '--dir',
      '{HOST_DIR}::{GUEST_DIR}',
      '--env',
      '{ENV_VAR_NAME}={ENV_VAR_VALUE}'
    ].join(' ')
  return [...runner, '--argv0', '{ARGV0}', '--dir', '{CHECKOUT}::/'].join(' ')
}

/**
 * Variables the Emscripten scripts take defaults from (--emsdk-cache,
 * --cross-build-dir, --quiet) or obey (PYTHON_NODE_VERSION picks a Node
 * through nvm): Platforms/emscripten/__main__.py (python/cpython ed232a2e,
 * gh-146051). A job that sets one (CPython's own CI sets EMSDK_CACHE) would
 * move the build away from where the plan collects it, so they are unset.
 */
export const EMSCRIPTEN_SCRIPT_ENV = [
  'EMSDK_CACHE',
  'CROSS_BUILD_DIR',
  'QUIET',
  'PYTHON_NODE_VERSION'
]

export function scriptedSteps(
  ctx: RecipeContext,
  platform: Platform,
  script: ScriptFacts,
  options: { buildPython: boolean; hostRunner?: string }
): { buildPython: CommandStep[]; dependencies: CommandStep[]; target: CommandStep[] } {
  const root = ctx.facts.root
  const run = (sub: string, extra: string[] = []): string[] => [
    ctx.hostPython,
    path.join(root, script.path),
    sub,
    ...extra
  ]
  const id = platform === 'wasi' ? 'wasi' : 'emscripten'
  const part =
    platform === 'wasi' ? 'wasi' : (ctx.inputs.targets.find(t => t !== 'wasi') ?? 'emscripten-node')
  const toolEnv = platform === 'wasi' ? 'wasi-sdk' : 'emscripten'
  const name = path.basename(script.path)
  // Debug builds: the scripts infer --with-pydebug for the host from the build Python.
  const debug = ctx.inputs.buildType === 'debug' ? ['--with-pydebug'] : []
  const hostArgs = optionArgs(ctx, platform === 'wasi' ? 'wasi' : 'emscripten-node').filter(
    a => a !== '--with-pydebug'
  )

  const buildPython = options.buildPython
    ? [
        step(ctx, {
          id: 'build-python-configure',
          title: `Configure the build Python (${name} configure-build-python)`,
          part: 'build-python',
          argv: run('configure-build-python', ['--', ...debug]),
          cwd: root,
          skipIfCached: 'build-python'
        }),
        step(ctx, {
          id: 'build-python-make',
          title: `Make the build Python (${name} make-build-python)`,
          part: 'build-python',
          argv: run('make-build-python'),
          cwd: root,
          skipIfCached: 'build-python'
        })
      ]
    : []

  const dependencies: CommandStep[] = []
  if (platform === 'emscripten') {
    // libffi and mpdecimal in their prefix, cached as the emscripten-dependencies
    // entry (cache/keys.ts): a restored prefix is checked with --check-up-to-date
    // as CPython's CI does (.github/workflows/reusable-emscripten.yml, 040aa23a);
    // scripts without that check skip the step on an exact hit.
    const check = script.dependencies?.checkUpToDate === true
    for (const sub of script.dependencySubcommands)
      dependencies.push(
        step(ctx, {
          id: `emscripten-${sub}`,
          title: `Build Emscripten dependencies (${name} ${sub})`,
          part: 'dependencies',
          argv: run(sub),
          cwd: root,
          toolEnv,
          ...(check && sub === 'make-dependencies'
            ? {
                onCacheHit: {
                  entry: 'emscripten-dependencies',
                  argv: run(sub, ['--check-up-to-date'])
                }
              }
            : { skipIfCached: 'emscripten-dependencies' })
        })
      )
  }

  const hostTriple =
    platform === 'wasi' && script.hostTripleOption
      ? ['--host-triple', ctx.facts.wasiHostTriple]
      : []
  const configureExtra =
    platform === 'wasi'
      ? [
          ...(ctx.toolDirs.wasiSdk ? ['--wasi-sdk', ctx.toolDirs.wasiSdk] : []),
          ...(options.hostRunner ? ['--host-runner', options.hostRunner] : []),
          ...hostTriple
        ]
      : ['--host-runner', options.hostRunner ?? ctx.runner.nodePath]
  // pythoninfo-build / pythoninfo-host, where the branch has them (gh-152210,
  // backported to 3.14 and 3.15 in gh-152217/152218): the interpreters' facts
  // in the log, as CPython's own CI prints them around the host build
  const info = (which: 'build' | 'host'): CommandStep[] =>
    script.pythoninfo
      ? [
          step(ctx, {
            id: `${id}-pythoninfo-${which}`,
            title: `Python info of the ${which === 'build' ? 'build Python' : `${id} build`} (${name} pythoninfo-${which})`,
            part,
            argv: run(`pythoninfo-${which}`),
            cwd: root,
            toolEnv
          })
        ]
      : []
  const target = [
    ...info('build'),
    step(ctx, {
      id: `${id}-configure`,
      title: `Configure ${id} (${name} configure-host)`,
      part,
      // --config-cache as CPython's own CI passes it: cached per target (cache/keys.ts)
      argv: run('configure-host', [...configureExtra, '--', '--config-cache', ...hostArgs]),
      cwd: root,
      toolEnv
    }),
    step(ctx, {
      id: `${id}-make`,
      title: `Make ${id} (${name} make-host)`,
      part,
      argv: run('make-host', hostTriple),
      cwd: root,
      toolEnv
    }),
    ...info('host')
  ]
  if (platform === 'wasi') return { buildPython, dependencies, target }
  const pinned = (steps: CommandStep[]): CommandStep[] =>
    steps.map(s => ({ ...s, unset: [...EMSCRIPTEN_SCRIPT_ENV] }))
  return {
    buildPython: pinned(buildPython),
    dependencies: pinned(dependencies),
    target: pinned(target)
  }
}

/**
 * The script's steps for its targets. Without `sharedBuildPython` it builds its
 * own build Python. With one (the job's, built by another script), it builds
 * none; where the script looks for it elsewhere (Platforms/emscripten in
 * cross-build/build, Platforms/WASI in cross-build/<BUILD_GNU_TYPE>), a link
 * puts the shared one there, so a job compiles CPython natively once and one
 * cache entry restores all of it.
 */
export function scriptedRecipe(
  ctx: RecipeContext,
  platform: Platform,
  script: ScriptFacts,
  targets: Target[],
  options: { sharedBuildPython?: string; hostRunner?: string } = {}
): RecipeSteps {
  const paths = scriptedPaths(ctx, platform, script)
  const shared = options.sharedBuildPython
  const steps = scriptedSteps(ctx, platform, script, {
    buildPython: shared === undefined,
    hostRunner: options.hostRunner
  })
  const recipe = noSteps()
  if (shared === undefined) recipe.buildPython = paths.buildPython
  recipe.buildPythonSteps = steps.buildPython
  if (shared !== undefined && shared !== paths.buildPython) {
    const wanted = path.dirname(paths.buildPython)
    recipe.dependencySteps.push(
      step(ctx, {
        id: `${platform}-link-build-python`,
        title: `Link the job's build Python where ${path.basename(script.path)} looks for it`,
        part: 'dependencies',
        // relative, so the link survives a moved checkout; -T fails on a real folder there
        argv: ['ln', '-sfnT', path.relative(path.dirname(wanted), path.dirname(shared)), wanted],
        cwd: ctx.facts.root
      })
    )
  }
  recipe.dependencySteps.push(...steps.dependencies)
  recipe.targetSteps = steps.target
  const [first, ...rest] = targets
  for (const t of targets) {
    recipe.buildDirs[t] = paths.hostDir
    recipe.hostTriples[t] = platform === 'wasi' ? ctx.facts.wasiHostTriple : EMSCRIPTEN_HOST
  }
  for (const t of rest) {
    recipe.shared[t] = first
    recipe.notes[t] = [
      `one Emscripten build serves node and the browser on this branch; ${t} uses the ${first} build`
    ]
  }
  return recipe
}
