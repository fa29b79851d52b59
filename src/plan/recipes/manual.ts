/**
 * The 3.11 README's recipe (also 3.12, and Emscripten on 3.13): configure and
 * make in builddir/<target> with CONFIG_SITE, emconfigure/emmake or wasi-env.
 */
import * as path from 'node:path'
import type { Target } from '../../catalog/targets.js'
import type { CommandStep } from '../types.js'
import { isEmscripten } from '../../catalog/targets.js'
import {
  makeJobs,
  noSteps,
  optionArgs,
  step,
  type RecipeContext,
  type RecipeSteps
} from './common.js'

export const MANUAL_EMSCRIPTEN_HOST = 'wasm32-unknown-emscripten'
export const MANUAL_WASI_HOST = 'wasm32-unknown-wasi'

export function manualBuildPython(ctx: RecipeContext): { python: string; steps: CommandStep[] } {
  const dir = path.join(ctx.facts.root, 'builddir', 'build')
  return {
    python: path.join(dir, 'python'),
    steps: [
      step(ctx, {
        id: 'build-python-configure',
        title: 'Configure the build Python',
        part: 'build-python',
        argv: ['../../configure', '-C'],
        cwd: dir,
        compilesNative: true,
        skipIfCached: 'build-python'
      }),
      step(ctx, {
        id: 'build-python-make',
        title: 'Make the build Python',
        part: 'build-python',
        argv: ['make', ...makeJobs(ctx)],
        cwd: dir,
        compilesNative: true,
        skipIfCached: 'build-python'
      })
    ]
  }
}

export function manualEmscriptenPorts(ctx: RecipeContext): CommandStep[] {
  const steps = [
    step(ctx, {
      id: 'emscripten-ports',
      title: 'Build Emscripten ports (zlib, bzip2)',
      part: 'dependencies',
      argv: ['embuilder', 'build', 'zlib', 'bzip2'],
      cwd: ctx.facts.root,
      toolEnv: 'emscripten',
      skipIfCached: 'emscripten-cache'
    })
  ]
  // Dynamic linking: the ports again as position-independent code, as the
  // branch's own Tools/wasm/wasm_build.py does it (build_emports: `embuilder
  // --pic build bzip2 sqlite3 zlib`, CPython 3.11.2). Not the README's
  // MINIMAL_PIC: in later Emscripten releases that set also holds the sqlite3
  // and giflib ports (embuilder.py, 3.1.69), which CPython does not link;
  // emcc builds the PIC system libraries it needs on first use.
  if (ctx.inputs.dynamicLinking)
    steps.push(
      step(ctx, {
        id: 'emscripten-ports-pic',
        title: 'Build Emscripten ports for dynamic linking (zlib, bzip2)',
        part: 'dependencies',
        argv: ['embuilder', '--pic', 'build', 'zlib', 'bzip2'],
        cwd: ctx.facts.root,
        toolEnv: 'emscripten',
        skipIfCached: 'emscripten-cache'
      })
    )
  return steps
}

export function manualTarget(
  ctx: RecipeContext,
  target: Target,
  buildPython: string
): { dir: string; steps: CommandStep[] } {
  const { root } = ctx.facts
  const dir = path.join(root, 'builddir', target)
  const common = [`--build=${ctx.runner.buildTriple}`, `--with-build-python=${buildPython}`]
  if (target === 'wasi') {
    return {
      dir,
      steps: [
        step(ctx, {
          id: 'wasi-configure',
          title: 'Configure wasi',
          part: target,
          argv: [
            path.join(root, 'Tools/wasm/wasi-env'),
            '../../configure',
            '-C',
            `--host=${MANUAL_WASI_HOST}`,
            ...common,
            ...optionArgs(ctx, target)
          ],
          cwd: dir,
          env: { CONFIG_SITE: path.join(root, 'Tools/wasm/config.site-wasm32-wasi') },
          toolEnv: 'wasi-sdk'
        }),
        step(ctx, {
          id: 'wasi-make',
          title: 'Make wasi',
          part: target,
          argv: ['make', ...makeJobs(ctx)],
          cwd: dir,
          toolEnv: 'wasi-sdk'
        })
      ]
    }
  }
  const flavour = target === 'emscripten-browser' ? 'browser' : 'node'
  return {
    dir,
    steps: [
      step(ctx, {
        id: `${target}-configure`,
        title: `Configure ${target}`,
        part: target,
        argv: [
          'emconfigure',
          '../../configure',
          '-C',
          `--host=${MANUAL_EMSCRIPTEN_HOST}`,
          ...common,
          `--with-emscripten-target=${flavour}`,
          ...optionArgs(ctx, target)
        ],
        cwd: dir,
        env: { CONFIG_SITE: path.join(root, 'Tools/wasm/config.site-wasm32-emscripten') },
        toolEnv: 'emscripten'
      }),
      step(ctx, {
        id: `${target}-make`,
        title: `Make ${target}`,
        part: target,
        argv: ['emmake', 'make', ...makeJobs(ctx)],
        cwd: dir,
        toolEnv: 'emscripten'
      })
    ]
  }
}

/**
 * The second Emscripten target's configure starts from the first one's
 * config.cache: the same compiler and flags answer the same checks, and what
 * differs between node and browser configure sets outright, not from the
 * cache. It saves one Emscripten configure (about ten minutes on 2 cores).
 */
export function seedConfigCache(
  ctx: RecipeContext,
  from: Target,
  fromDir: string,
  to: Target,
  toDir: string
): CommandStep {
  return step(ctx, {
    id: `${to}-seed-config-cache`,
    title: `Seed ${to}'s config.cache from ${from}'s`,
    part: to,
    argv: ['cp', path.join(fromDir, 'config.cache'), path.join(toDir, 'config.cache')],
    cwd: toDir,
    skipIfCached: `config-cache-${to}`
  })
}

/**
 * The browser build zips the standard library with the build Python
 * (Tools/wasm/wasm_assets.py), so that Python needs zlib: check it before
 * the long configure rather than fail at the end of make.
 */
export function buildPythonZlibCheck(ctx: RecipeContext, buildPython: string): CommandStep {
  return step(ctx, {
    id: 'build-python-zlib',
    title:
      'Check that the build Python has zlib, which the browser build needs (install zlib1g-dev if it has not)',
    part: 'build-python',
    argv: [buildPython, '-c', 'import zlib'],
    cwd: path.dirname(buildPython)
  })
}

/** The manual recipe's steps for its targets, with the build Python built elsewhere. */
export function manualRecipe(
  ctx: RecipeContext,
  targets: Target[],
  buildPython: string
): RecipeSteps {
  const recipe = noSteps()
  if (targets.includes('emscripten-browser'))
    recipe.buildPythonSteps.push(buildPythonZlibCheck(ctx, buildPython))
  const emscripten = targets.filter(isEmscripten)
  if (emscripten.length > 0) recipe.dependencySteps.push(...manualEmscriptenPorts(ctx))
  for (const target of targets) {
    const built = manualTarget(ctx, target, buildPython)
    const first = emscripten[0]
    if (emscripten.length === 2 && target === emscripten[1])
      recipe.targetSteps.push(
        seedConfigCache(ctx, first, recipe.buildDirs[first] as string, target, built.dir)
      )
    recipe.targetSteps.push(...built.steps)
    recipe.buildDirs[target] = built.dir
    recipe.hostTriples[target] = target === 'wasi' ? MANUAL_WASI_HOST : MANUAL_EMSCRIPTEN_HOST
  }
  return recipe
}
