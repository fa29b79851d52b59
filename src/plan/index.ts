/**
 * The plan: a pure function from (inputs, checkout facts, runner facts) to
 * everything the action will do. Nothing runs that the plan does not name.
 */
import * as path from 'node:path'
import type { CheckoutFacts, Recipe } from '../checkout/detect.js'
import { type Inputs } from '../inputs/index.js'
import {
  EMSDK_ARM64_FLOOR,
  isEmscripten,
  SCRIPT_PYTHON_FLOOR,
  type Target
} from '../catalog/targets.js'
import { compareVersions, formatVersion, parseVersion } from '../catalog/version.js'
import { knownSha256For } from '../catalog/checksums.js'
import { emsdkNestedDownloads, type NestedDownload } from '../catalog/emsdk-binaries.js'
import { emscriptenPorts } from '../catalog/emscripten-ports.js'
import {
  emsdkUrl,
  mirrored,
  releaseAssetOf,
  toolCacheVersion,
  wasiSdkUrl,
  wasmtimeUrl,
  UnsupportedToolchainError
} from '../catalog/downloads.js'
import { artifactName, artifactNameProblem } from './artifact-name.js'
import { applyCompilerCache } from './ccache.js'
import { pinsFor } from '../catalog/pins.js'
import { mergeSteps, noSteps, type RecipeContext, type RecipeSteps } from './recipes/common.js'
import { manualBuildPython, manualRecipe } from './recipes/manual.js'
import { nodeWasiHostRunner, scriptedRecipe } from './recipes/scripted.js'
import { smokeTest, wasiRunnerScript } from './smoke.js'
import { suiteRun, suiteTargets } from './suite.js'
import {
  PLAN_SCHEMA_VERSION,
  PlanError,
  type ArtifactPlan,
  type CommandStep,
  type Plan,
  type TargetPlan,
  type ToolchainPlan
} from './types.js'
import { fileName, type ToolName } from '../catalog/downloads.js'
import { type RunnerFacts } from '../runner/types.js'

export * from './types.js'
export { emscriptenCacheDir, emscriptenPortsDir, workDir } from './paths.js'
import { emscriptenPortsDir, workDir } from './paths.js'

/** A URL's (or a relative path's) last segment. */

function recipeOf(facts: CheckoutFacts, target: Target): Recipe | undefined {
  return target === 'wasi' ? facts.wasiRecipe : facts.emscriptenRecipe
}

/** Options a checkout's recipe cannot do are input errors, found before any work. */
function checkOptions(inputs: Inputs, facts: CheckoutFacts): string[] {
  const problems: string[] = []
  const v = facts.version.text
  for (const target of inputs.targets) {
    if (!recipeOf(facts, target))
      problems.push(
        `targets: CPython ${v} has no ${target === 'wasi' ? 'WASI' : 'Emscripten'} build recipe (CPython 3.11 or newer is needed); remove ${target}`
      )
  }
  const emscripten = inputs.targets.filter(isEmscripten)
  if (inputs.pthreads && emscripten.length > 0 && !facts.configure.wasmPthreads)
    problems.push(`pthreads: CPython ${v}'s configure has no --enable-wasm-pthreads`)
  if (inputs.dynamicLinking && emscripten.length > 0 && !facts.configure.wasmDynamicLinking)
    problems.push(`dynamic-linking: CPython ${v}'s configure has no --enable-wasm-dynamic-linking`)
  if (!inputs.testModules && !facts.configure.testModules)
    problems.push(
      `test-modules: CPython ${v}'s configure has no --disable-test-modules; leave it at true`
    )
  // the template is checked in loadInputs; what it gives is known only with the version
  for (const target of inputs.targets) {
    const name = artifactName(inputs, facts.version, target)
    const problem = artifactNameProblem(name)
    if (problem)
      problems.push(
        `artifact-name: ${JSON.stringify(inputs.artifactName)} gives ${JSON.stringify(name)} for ${target}, which ${problem}`
      )
  }
  return problems
}

function planToolchains(
  inputs: Inputs,
  facts: CheckoutFacts,
  runner: RunnerFacts
): ToolchainPlan[] {
  const table = pinsFor(facts.version.major, facts.version.minor)
  const tableFrom = `CPython ${facts.version.major}.${facts.version.minor} pins (${table?.from ?? 'none'})`
  const resolve = (
    tool: 'emsdk' | 'wasiSdk' | 'wasmtime',
    input: string | number
  ): { version: string; from: string } => {
    if (input !== 'auto') return { version: String(input), from: 'input' }
    const pinned = facts.pins[tool]
    if (pinned) return { version: pinned.version, from: pinned.from }
    if (table) return { version: String(table[tool]), from: tableFrom }
    throw new PlanError([
      `${tool === 'wasiSdk' ? 'wasi-sdk' : tool}-version: no known pin for CPython ${facts.version.text}; set a version`
    ])
  }
  /** The checksums input's sha256 for a file (its sha512 lines are for ports). */
  const sha256Given = (name: string): string | undefined =>
    inputs.checksums[name]?.length === 64 ? inputs.checksums[name] : undefined
  /**
   * A download from `upstream` (its project's URL), through the tool's own
   * mirror input or else the mirror input. The user's sum (the tool's
   * *-sha256 input, or the checksums input by file name) is checked when
   * given; else the table's; else the release asset's digest at run time.
   */
  const download = (
    tool: ToolName,
    version: string,
    from: string,
    upstream: string,
    toolMirror: { base: string; url: string } | undefined,
    sha256Input: string
  ): ToolchainPlan => {
    const table = knownSha256For(tool, version, runner.arch)
    const byName = sha256Given(fileName(upstream))
    const given = sha256Input || byName
    return {
      tool,
      version,
      versionFrom: from,
      source: 'download',
      url: toolMirror?.base ? toolMirror.url : mirrored(upstream, inputs.mirror),
      sha256: given || table,
      sha256From: given ? 'input' : table ? 'table' : undefined,
      ...(given ? { sha256Input: sha256Input ? `${tool}-sha256` : 'checksums' } : {}),
      asset: releaseAssetOf(upstream),
      dir: path.join(runner.toolCacheDir, tool, toolCacheVersion(tool, version), runner.arch)
    }
  }
  /** emsdk's wasm-binaries and Node, from the mirror when one is set, with the user's or the table's sums. */
  const nested = (version: string): NestedDownload[] | undefined =>
    emsdkNestedDownloads(version, runner.arch)?.map(d => {
      const given = sha256Given(fileName(d.into)) ?? sha256Given(fileName(d.url))
      return {
        ...d,
        url: mirrored(d.url, inputs.mirror),
        ...(given ? { sha256: given, from: 'input' } : {})
      }
    })
  /**
   * Emscripten's ports, from the mirror when one is set, checked against the
   * sha512 Emscripten itself names (or one the checksums input gives).
   */
  const ports = (version: string): ToolchainPlan['ports'] => {
    const downloads = emscriptenPorts(version)
    if (!downloads) return undefined
    return {
      dir: emscriptenPortsDir(runner),
      downloads: downloads.map(p => {
        const given = inputs.checksums[fileName(p.url)]
        return {
          ...p,
          downloadUrl: mirrored(p.url, inputs.mirror),
          ...(given?.length === 128 ? { sha512: given, from: 'input' } : {})
        }
      })
    }
  }
  const preinstalled = (
    tool: ToolName,
    found: { path: string; version: string; how: string }
  ): ToolchainPlan => ({
    tool,
    version: found.version,
    versionFrom: found.how,
    source: 'preinstalled',
    dir: found.path
  })

  const plans: ToolchainPlan[] = []
  if (inputs.targets.some(isEmscripten)) {
    const found = runner.preinstalled.emsdk
    if (found && (inputs.emsdk.path || inputs.emsdk.version === 'auto'))
      // an Emscripten the runner brings fetches its own ports as before, unless
      // a mirror is asked for (a preinstalled one may be air-gapped on purpose,
      // with its ports already in its cache)
      plans.push({
        ...preinstalled('emsdk', found),
        ...(inputs.mirror ? { ports: ports(found.version) } : {})
      })
    else {
      const { version, from } = resolve('emsdk', inputs.emsdk.version)
      const numbers = parseVersion(version)
      if (runner.arch === 'arm64' && numbers && compareVersions(numbers, EMSDK_ARM64_FLOOR) < 0)
        throw new PlanError([
          `emsdk-version: Emscripten ${version} (${from}) has no linux-arm64 build; emsdk publishes arm64 binaries from ${formatVersion(EMSDK_ARM64_FLOOR)} on. ` +
            `Set emsdk-version to ${formatVersion(EMSDK_ARM64_FLOOR)} or newer, point emsdk-path at an Emscripten installed on the runner, or build on an x64 runner.`
        ])
      plans.push({
        ...download(
          'emsdk',
          version,
          from,
          emsdkUrl(version),
          { base: inputs.emsdk.mirror, url: emsdkUrl(version, inputs.emsdk.mirror) },
          inputs.emsdk.sha256
        ),
        nested: nested(version),
        ports: ports(version)
      })
    }
  }
  if (inputs.targets.includes('wasi')) {
    const found = runner.preinstalled['wasi-sdk']
    if (found && (inputs.wasiSdk.path || inputs.wasiSdk.version === 'auto'))
      plans.push(preinstalled('wasi-sdk', found))
    else {
      const { version, from } = resolve('wasiSdk', inputs.wasiSdk.version)
      const base = inputs.wasiSdk.mirror
      plans.push(
        download(
          'wasi-sdk',
          version,
          from,
          wasiSdkUrl(Number(version), runner.arch),
          { base, url: wasiSdkUrl(Number(version), runner.arch, base) },
          inputs.wasiSdk.sha256
        )
      )
    }
    const wantsWasmtime = inputs.wasmtime.version !== 'none' && inputs.wasiRuntime !== 'node'
    if (wantsWasmtime) {
      const { version, from } = resolve('wasmtime', inputs.wasmtime.version)
      const base = inputs.wasmtime.mirror
      plans.push(
        download(
          'wasmtime',
          version,
          from,
          wasmtimeUrl(version, runner.arch),
          { base, url: wasmtimeUrl(version, runner.arch, base) },
          inputs.wasmtime.sha256
        )
      )
    }
  }
  return plans
}

/**
 * The branch's scripts refuse to run on an older Python than they are written
 * for; say so now, with the fix, rather than minutes into a build.
 */
function checkHostPython(ctx: RecipeContext, steps: CommandStep[]): void {
  const { facts, runner } = ctx
  const chosen = runner.hostPythons[0]
  for (const platform of ['wasi', 'emscripten'] as const) {
    const script = facts.scripts[platform]
    if (!script || !steps.some(s => s.argv[1] === path.join(facts.root, script.path))) continue
    const floor = SCRIPT_PYTHON_FLOOR[platform]
    const version = chosen?.version.split('.').map(Number)
    if (version && compareVersions(version, floor) >= 0) continue
    const found = runner.hostPythons.map(p => `${p.path} (${p.version})`).join(', ')
    throw new PlanError([
      `CPython ${facts.version.text}'s ${script.path} needs Python ${floor.join('.')} or newer on the runner to run; ` +
        `found ${found || 'no working python3'} on PATH. Set one up before this step ` +
        `(actions/setup-python with python-version: '${floor.join('.')}' or newer), or install python${floor.join('.')}.`
    ])
  }
}

/**
 * The build Python of a job whose targets all use the manual recipe: where this
 * branch's WASI script builds it, so that one cache entry serves every target
 * of the branch whichever targets a job asks for (3.13), else the manual one.
 */
function sharedBuildPython(ctx: RecipeContext): RecipeSteps {
  const script = ctx.facts.wasiRecipe !== 'manual' ? ctx.facts.scripts.wasi : undefined
  if (script) {
    const recipe = scriptedRecipe(ctx, 'wasi', script, [])
    return {
      ...noSteps(),
      buildPython: recipe.buildPython,
      buildPythonSteps: recipe.buildPythonSteps
    }
  }
  const built = manualBuildPython(ctx)
  return { ...noSteps(), buildPython: built.python, buildPythonSteps: built.steps }
}

export function makePlan(inputs: Inputs, facts: CheckoutFacts, runner: RunnerFacts): Plan {
  const problems = checkOptions(inputs, facts)
  if (problems.length > 0) throw new PlanError(problems)

  // only: build-python (the reusable workflow's shared job) needs no wasm toolchain
  const onlyBuildPython = inputs.only === 'build-python'
  let toolchains: ToolchainPlan[]
  try {
    toolchains = onlyBuildPython ? [] : planToolchains(inputs, facts, runner)
  } catch (e) {
    if (e instanceof UnsupportedToolchainError)
      throw new PlanError([`wasi-sdk-version: ${e.message}`])
    throw e
  }
  const toolDir = (tool: ToolName): string | undefined => {
    const t = toolchains.find(p => p.tool === tool)
    return t?.dir
  }
  const work = workDir(runner)
  const ctx: RecipeContext = {
    inputs,
    facts,
    runner,
    logDir: path.join(work, 'logs'),
    hostPython: runner.hostPythons[0]?.path ?? runner.hostPython,
    buildTriple: runner.hostPythons[0]?.buildType ?? runner.buildTriple,
    toolDirs: {
      emsdk: toolDir('emsdk'),
      wasiSdk: toolDir('wasi-sdk'),
      wasmtime: toolDir('wasmtime')
    }
  }

  const wasmtime = toolchains.find(t => t.tool === 'wasmtime')
  const nodeWasi = [runner.nodePath, '--no-warnings', wasiRunnerScript(work)]
  const wasiRunner = wasmtime ? [path.join(wasmtime.dir, 'wasmtime'), 'run'] : nodeWasi

  const targets = inputs.targets
  const emscriptenTargets = targets.filter(isEmscripten)
  const scriptedWasi = targets.includes('wasi') && facts.wasiRecipe !== 'manual'
  const scriptedEmscripten = emscriptenTargets.length > 0 && facts.emscriptenRecipe !== 'manual'
  const manualTargets = targets.filter(t => (t === 'wasi' ? !scriptedWasi : !scriptedEmscripten))

  // One build Python per job, built where the branch's WASI script builds it
  // (whatever targets the job asks for, so every job of a branch builds and
  // caches the same one), else where its Emscripten script does, else by the
  // manual recipe; the other scripts get it through a link.
  const parts: RecipeSteps[] = []
  if (scriptedWasi && facts.scripts.wasi)
    parts.push(
      scriptedRecipe(ctx, 'wasi', facts.scripts.wasi, ['wasi'], {
        // with wasmtime the script's own runner arguments; without, node:wasi in its placeholders
        hostRunner: wasmtime ? undefined : nodeWasiHostRunner(facts.scripts.wasi, nodeWasi)
      })
    )
  else if (facts.wasiRecipe !== 'manual' && facts.scripts.wasi) parts.push(sharedBuildPython(ctx))
  if (scriptedEmscripten && facts.scripts.emscripten)
    parts.push(
      scriptedRecipe(ctx, 'emscripten', facts.scripts.emscripten, emscriptenTargets, {
        sharedBuildPython: mergeSteps(parts).buildPython
      })
    )
  if (manualTargets.length > 0) {
    let buildPython = mergeSteps(parts).buildPython
    if (buildPython === undefined) {
      const shared = sharedBuildPython(ctx)
      parts.push(shared)
      buildPython = shared.buildPython as string
    }
    parts.push(manualRecipe(ctx, manualTargets, buildPython))
  }
  const recipe = mergeSteps(parts)
  // the scripts this job runs (only: build-python runs the build Python's alone)
  checkHostPython(
    ctx,
    onlyBuildPython
      ? recipe.buildPythonSteps
      : [...recipe.buildPythonSteps, ...recipe.dependencySteps, ...recipe.targetSteps]
  )
  const { buildDirs, hostTriples, notes } = recipe
  const buildPython = recipe.buildPython as string
  const buildPythonSteps = recipe.buildPythonSteps
  const dependencySteps = recipe.dependencySteps
  const targetSteps = recipe.targetSteps

  // wasi first, then Emscripten, in the order the user listed the targets
  const order = (s: CommandStep): number => (s.part === 'wasi' ? 0 : 1)
  const compiled = applyCompilerCache(
    [...buildPythonSteps, ...targetSteps.sort((a, b) => order(a) - order(b))],
    inputs,
    facts,
    runner,
    work,
    ctx.toolDirs.wasiSdk
  )
  for (const [t, extra] of Object.entries(compiled.notes))
    notes[t as Target] = [...(notes[t as Target] ?? []), ...extra]
  const compiledPython = compiled.steps.filter(s => s.part === 'build-python')
  const steps = onlyBuildPython
    ? compiledPython
    : [
        ...compiledPython,
        ...dependencySteps,
        ...compiled.steps.filter(s => s.part !== 'build-python')
      ]

  const artifactsDir = path.join(work, 'artifacts')
  const artifacts: ArtifactPlan[] = (onlyBuildPython ? [] : targets).map(target => ({
    target,
    buildDir: buildDirs[target] as string,
    dir: path.join(artifactsDir, target),
    recipe: recipeOf(facts, target) as Recipe,
    name: artifactName(inputs, facts.version, target),
    ...(target === 'wasi' && inputs.embed ? { embed: true } : {})
  }))

  if (inputs.test === 'suite' && targets.includes('emscripten-browser'))
    notes['emscripten-browser'] = [
      ...(notes['emscripten-browser'] ?? []),
      "test: suite runs CPython's tests with the Node and WASI builds; the browser build gets its smoke test"
    ]

  const targetPlans: TargetPlan[] = targets.map(target => ({
    target,
    recipe: recipeOf(facts, target) as Recipe,
    sharesBuildWith: recipe.shared[target],
    hostTriple: hostTriples[target] as string,
    notes: notes[target] ?? []
  }))

  const wasiRunnerKind = wasmtime ? 'wasmtime' : 'node-wasi'
  const smoke =
    inputs.test !== 'none'
      ? artifacts.map(a => smokeTest(a, facts, runner, wasiRunner, wasiRunnerKind))
      : []
  const suite =
    inputs.test === 'suite'
      ? suiteTargets(artifacts).map(a =>
          suiteRun(a, facts, runner, inputs, wasiRunner, wasiRunnerKind, path.join(work, 'logs'))
        )
      : []

  return {
    schemaVersion: PLAN_SCHEMA_VERSION,
    python: facts.version,
    source: facts.root,
    targets: targetPlans,
    toolchains,
    buildPython,
    artifactsDir,
    steps,
    smoke,
    suite,
    artifacts,
    caches: [],
    ...(scriptedEmscripten && !onlyBuildPython && facts.scripts.emscripten?.dependencies
      ? {
          emscriptenDependencies: {
            prefix: path.join(facts.root, facts.scripts.emscripten.dependencies.prefix),
            inputs: facts.scripts.emscripten.dependencies.inputs
          }
        }
      : {}),
    ccache: onlyBuildPython
      ? compiled.ccache.filter(c => c.part === 'build-python')
      : compiled.ccache,
    options: {
      buildType: inputs.buildType,
      pthreads: inputs.pthreads,
      dynamicLinking: inputs.dynamicLinking,
      testModules: inputs.testModules,
      configureArgs: inputs.configureArgs,
      testArgs: inputs.testArgs,
      testFailures: inputs.testFailures
    }
  }
}
