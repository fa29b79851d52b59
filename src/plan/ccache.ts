/**
 * ccache for the targets' compiles. Each target gets its own cache directory
 * (cached per target, see cache/keys.ts), and its steps the environment that
 * makes a hit independent of where the checkout and the job's folders are:
 *
 * - CCACHE_BASEDIR: paths under the checkout are hashed relative to it;
 * - CCACHE_NOHASHDIR: with -g the working directory would be hashed too;
 * - CCACHE_COMPILERCHECK=content: a restored toolchain has new mtimes;
 * - CCACHE_MAXSIZE: a cap for each target's entry (ccache evicts the oldest).
 *
 * How the compiler is wrapped depends on the recipe:
 * - the manual recipe's build Python: CC="ccache gcc -MD" given to its
 *   configure (gcc: what configure's AC_PROG_CC picks first), which writes
 *   it into the Makefile and the sysconfig data its make and setup.py
 *   compile with; a pull request's new tree rebuilds the build Python from
 *   this cache. With -MD, ccache's depend mode (CCACHE_DEPEND) reads the
 *   compiler's dependency file instead of running the preprocessor on a
 *   miss: a cold build pays about 4 % more compile time instead of about
 *   10 % (ccache manual, "The depend mode"; measured on 3.11's Objects/);
 * - Emscripten: EM_COMPILER_WRAPPER, which emcc puts in front of clang (the
 *   3.11 README's own advice), as an absolute path: emcc 3.1.51 to 3.1.69
 *   do not look a bare name up on PATH;
 * - the 3.11/3.12 wasi-env: wraps CC with ccache by itself when ccache is on
 *   PATH (and CCACHE_DISABLE turns that off when ccache is false);
 * - the 3.13 Tools/wasm/wasi.py: CC given to configure after "--", exactly
 *   what the script would set with ccache in front;
 * - the 3.14+ scripts: not wrapped (their compiler environment is theirs).
 */
import * as path from 'node:path'
import { type Inputs } from '../inputs/index.js'
import { TARGETS, type Target } from '../catalog/targets.js'
import type { CheckoutFacts } from '../checkout/detect.js'
import { PlanError, type CommandStep, type CompilerCachePlan } from './types.js'
import { type RunnerFacts } from '../runner/types.js'
import { CCACHE_MAX_SIZE } from '../catalog/targets.js'

/** A step that compiles a target's code (not the build Python's, not the ports'). */
const compilesTarget = (step: CommandStep): boolean =>
  (TARGETS as readonly string[]).includes(step.part) && step.toolEnv !== undefined

/** A step that compiles the build Python with the system compiler (the manual recipe). */
const compilesBuildPython = (step: CommandStep): boolean =>
  step.part === 'build-python' && step.compilesNative === true

function ccacheDir(work: string, part: Target | 'build-python'): string {
  return path.join(work, 'ccache', part)
}

/** The CC that Tools/wasm/wasi.py (3.13) sets, with ccache in front. */
function wasiPyCompiler(ccache: string, wasiSdk: string): string {
  const clang = path.join(wasiSdk, 'bin', 'clang')
  const sysroot =
    wasiSdk === '/opt/wasi-sdk' ? '' : ` --sysroot=${path.join(wasiSdk, 'share', 'wasi-sysroot')}`
  return `CC=${ccache} ${clang}${sysroot}`
}

export interface CompilerCacheResult {
  steps: CommandStep[]
  ccache: CompilerCachePlan[]
  notes: Partial<Record<Target, string[]>>
}

export function applyCompilerCache(
  steps: CommandStep[],
  inputs: Inputs,
  facts: CheckoutFacts,
  runner: RunnerFacts,
  work: string,
  wasiSdk: string | undefined
): CompilerCacheResult {
  if (inputs.ccache === true && !runner.ccache)
    throw new PlanError([
      'ccache: true, but there is no ccache on PATH; install it first (sudo apt-get install -y ccache) or set ccache: auto'
    ])
  const wanted = inputs.ccache === true || (inputs.ccache === 'auto' && runner.ccache !== '')
  if (!wanted) {
    // the 3.11 wasi-env would use a ccache on PATH by itself
    const off = runner.ccache
      ? steps.map(s => (compilesTarget(s) ? { ...s, env: { ...s.env, CCACHE_DISABLE: '1' } } : s))
      : steps
    return { steps: off, ccache: [], notes: {} }
  }

  const parts = new Map<Target | 'build-python', CompilerCachePlan>()
  const notes: Partial<Record<Target, string[]>> = {}
  const result = steps.map(step => {
    if (compilesBuildPython(step)) {
      const dir = ccacheDir(work, 'build-python')
      parts.set('build-python', { part: 'build-python', dir })
      const env: Record<string, string> = {
        ...step.env,
        CCACHE_DIR: dir,
        CCACHE_BASEDIR: facts.root,
        CCACHE_NOHASHDIR: 'true',
        CCACHE_MAXSIZE: CCACHE_MAX_SIZE,
        CCACHE_DEPEND: 'true'
      }
      if (/-configure$/.test(step.id)) env.CC = `${runner.ccache} gcc -MD`
      return { ...step, env }
    }
    if (!compilesTarget(step)) return step
    const part = step.part as Target
    const emscripten = step.toolEnv === 'emscripten'
    const recipe = emscripten ? facts.emscriptenRecipe : facts.wasiRecipe
    if (recipe === 'tools-wasm' || recipe === 'platforms') {
      notes[part] = [`ccache: not used, the ${recipe} recipe sets its own compiler environment`]
      return step
    }
    const dir = ccacheDir(work, part)
    if (!parts.has(part)) notes[part] = [`compiled through ccache, cache in ${dir}`]
    parts.set(part, { part, dir })
    const env: Record<string, string> = {
      ...step.env,
      CCACHE_DIR: dir,
      CCACHE_BASEDIR: facts.root,
      CCACHE_NOHASHDIR: 'true',
      CCACHE_COMPILERCHECK: 'content',
      // each run saves this directory as a new cache entry: a cap keeps the
      // repository's 10 GB for the toolchains and build Pythons (catalog/targets.ts)
      CCACHE_MAXSIZE: CCACHE_MAX_SIZE
    }
    if (emscripten) env.EM_COMPILER_WRAPPER = runner.ccache
    let argv = step.argv
    if (recipe === 'wasi-py' && /-configure$/.test(step.id) && wasiSdk) {
      const dashes = argv.indexOf('--')
      const cc = wasiPyCompiler(runner.ccache, wasiSdk)
      argv =
        dashes < 0
          ? [...argv, '--', cc]
          : [...argv.slice(0, dashes + 1), cc, ...argv.slice(dashes + 1)]
    }
    return { ...step, argv, env }
  })
  return { steps: result, ccache: [...parts.values()], notes }
}
