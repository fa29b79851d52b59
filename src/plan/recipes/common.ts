import * as path from 'node:path'
import type { CheckoutFacts } from '../../checkout/detect.js'
import type { Inputs } from '../../inputs/index.js'
import type { Target } from '../../catalog/targets.js'
import type { CommandStep } from '../types.js'
import type { RunnerFacts } from '../../runner/types.js'

/** What every recipe is given. */
export interface RecipeContext {
  inputs: Inputs
  facts: CheckoutFacts
  runner: RunnerFacts
  /** where step logs go */
  logDir: string
  /** the Python that runs the branch's build scripts */
  hostPython: string
  /**
   * The build triple the scripts name their native build folder after: the
   * BUILD_GNU_TYPE of the Python that runs them (Platforms/WASI/_shared.py,
   * python/cpython 02870c27: sysconfig.get_config_var("BUILD_GNU_TYPE")),
   * else the runner's (what config.guess would print, worked out without it).
   */
  buildTriple: string
  /** installed or preinstalled toolchain roots, known before anything runs */
  toolDirs: { emsdk?: string; wasiSdk?: string; wasmtime?: string }
}

/**
 * What a recipe contributes to the plan: the one contract of manual.ts (the
 * 3.11 README's commands) and scripted.ts (the branch's own scripts).
 */
export interface RecipeSteps {
  /** the build Python this recipe builds, if it builds one */
  buildPython?: string
  buildPythonSteps: CommandStep[]
  dependencySteps: CommandStep[]
  targetSteps: CommandStep[]
  /** where each target's finished build lives */
  buildDirs: Partial<Record<Target, string>>
  /** targets served by another target's build (one Emscripten build for node and browser) */
  shared: Partial<Record<Target, Target>>
  hostTriples: Partial<Record<Target, string>>
  notes: Partial<Record<Target, string[]>>
}

export const noSteps = (): RecipeSteps => ({
  buildPythonSteps: [],
  dependencySteps: [],
  targetSteps: [],
  buildDirs: {},
  shared: {},
  hostTriples: {},
  notes: {}
})

/** The recipes' contributions in order: steps appended, per-target facts merged. */
export function mergeSteps(parts: RecipeSteps[]): RecipeSteps {
  const merged = noSteps()
  for (const part of parts) {
    merged.buildPython ??= part.buildPython
    merged.buildPythonSteps.push(...part.buildPythonSteps)
    merged.dependencySteps.push(...part.dependencySteps)
    merged.targetSteps.push(...part.targetSteps)
    Object.assign(merged.buildDirs, part.buildDirs)
    Object.assign(merged.shared, part.shared)
    Object.assign(merged.hostTriples, part.hostTriples)
    for (const [t, notes] of Object.entries(part.notes) as [Target, string[]][])
      merged.notes[t] = [...(merged.notes[t] ?? []), ...notes]
  }
  return merged
}

export function step(
  ctx: RecipeContext,
  fields: Omit<CommandStep, 'log' | 'env'> & { env?: Record<string, string> }
): CommandStep {
  return { env: {}, ...fields, log: path.join(ctx.logDir, `${fields.id}.log`) }
}

/** configure options that follow from the inputs, in the order CPython documents them */
export function optionArgs(ctx: RecipeContext, target: Target): string[] {
  const { inputs } = ctx
  const args: string[] = []
  if (inputs.buildType === 'debug') args.push('--with-pydebug')
  if (target !== 'wasi') {
    if (inputs.pthreads) args.push('--enable-wasm-pthreads')
    if (inputs.dynamicLinking) args.push('--enable-wasm-dynamic-linking')
  }
  if (!inputs.testModules) args.push('--disable-test-modules')
  return [...args, ...inputs.configureArgs]
}

export const makeJobs = (ctx: RecipeContext): string[] => [`-j${ctx.runner.cores}`]
