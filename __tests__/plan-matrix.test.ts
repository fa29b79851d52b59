/**
 * scripts/workflow/plan-matrix.mjs, the run step of the reusable workflow's plan job:
 * unit tests, then the whole path of .github/workflows/build.yml on real
 * CPython 3.11.2 and 3.13.5 trees: the plan job's dry run (with the `with:`
 * of build.yml), the matrix, and a dry run with the `with:` of the
 * build-python job and of each matrix job, proving the action accepts them.
 */
import { describe, expect, it } from '@jest/globals'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { parse } from 'yaml'
import { fingerprint } from '../src/cache/fingerprint.js'
import { planCaches } from '../src/cache/keys.js'
import { inspectCheckout } from '../src/checkout/detect.js'
import { loadInputs } from '../src/inputs/index.js'
import { makePlan, type Plan } from '../src/plan/index.js'
import { checkoutWithLayout, type Layout } from './support/checkout-layouts.js'
import { inputValues, makeRunnerDirs, REPO_ROOT, runAction } from './support/harness.js'
import { runnerFacts } from './support/runner-facts.js'
import {
  labelArch,
  main,
  outputFileText,
  parseArgs,
  planMatrix,
  planOutputs,
  readPlan,
  readRunners,
  runnerSuffixes,
  type MatrixEntry,
  type PlanOutputs
} from '../scripts/workflow/plan-matrix.mjs'

const E2E_HOME = process.env.E2E_HOME ?? path.join(REPO_ROOT, '.e2e')

/** The smallest plan the script reads, shaped like src/plan/types.ts's Plan. */
const PLAN = {
  python: { major: 3, minor: 13, micro: 5, text: '3.13.5' },
  targets: [
    { target: 'wasi', recipe: 'wasi-py', hostTriple: 'wasm32-wasip1', notes: [] },
    {
      target: 'emscripten-node',
      recipe: 'manual',
      hostTriple: 'wasm32-unknown-emscripten',
      notes: []
    }
  ],
  toolchains: [
    { tool: 'emsdk', version: '3.1.19' },
    { tool: 'wasi-sdk', version: '24' },
    { tool: 'wasmtime', version: '22.0.0' }
  ],
  artifacts: [
    { target: 'wasi', name: 'python-3.13.5-wasi' },
    { target: 'emscripten-node', name: 'python-3.13.5-emscripten-node' }
  ]
}

describe('plan-matrix.mjs', () => {
  it('makes one entry per target with the toolchains that target uses', () => {
    expect(planMatrix(PLAN)).toEqual({
      include: [
        {
          target: 'wasi',
          recipe: 'wasi-py',
          'python-version': '3.13.5',
          'host-triple': 'wasm32-wasip1',
          'artifact-name': 'python-3.13.5-wasi',
          'artifact-name-template': 'python-{version}-{target}{suffix}',
          runner: 'ubuntu-24.04',
          'shares-build-with': '',
          targets: 'wasi',
          'emsdk-version': '',
          'wasi-sdk-version': '24',
          'wasmtime-version': '22.0.0'
        },
        {
          target: 'emscripten-node',
          recipe: 'manual',
          'python-version': '3.13.5',
          'host-triple': 'wasm32-unknown-emscripten',
          'artifact-name': 'python-3.13.5-emscripten-node',
          'artifact-name-template': 'python-{version}-{target}{suffix}',
          runner: 'ubuntu-24.04',
          'shares-build-with': '',
          targets: 'emscripten-node',
          'emsdk-version': '3.1.19',
          'wasi-sdk-version': '',
          'wasmtime-version': ''
        }
      ]
    })
  })

  it('crosses the builds with the runners and names the artifacts of each runner apart', () => {
    const runners = ['ubuntu-24.04', 'ubuntu-24.04-arm']
    const { include } = planMatrix(PLAN, { runners, artifactName: 'py-{version}-{target}' })
    expect(
      include.map(e => [e.runner, e.target, e['artifact-name'], e['artifact-name-template']])
    ).toEqual([
      ['ubuntu-24.04', 'wasi', 'python-3.13.5-wasi-x64', 'py-{version}-{target}-x64'],
      [
        'ubuntu-24.04',
        'emscripten-node',
        'python-3.13.5-emscripten-node-x64',
        'py-{version}-{target}-x64'
      ],
      ['ubuntu-24.04-arm', 'wasi', 'python-3.13.5-wasi-arm64', 'py-{version}-{target}-arm64'],
      [
        'ubuntu-24.04-arm',
        'emscripten-node',
        'python-3.13.5-emscripten-node-arm64',
        'py-{version}-{target}-arm64'
      ]
    ])
    const outputs = planOutputs(PLAN, { runners })
    expect(JSON.parse(outputs.runners)).toEqual(runners)
    expect(JSON.parse(outputs['artifact-names'])).toEqual({
      'wasi-x64': 'python-3.13.5-wasi-x64',
      'emscripten-node-x64': 'python-3.13.5-emscripten-node-x64',
      'wasi-arm64': 'python-3.13.5-wasi-arm64',
      'emscripten-node-arm64': 'python-3.13.5-emscripten-node-arm64'
    })
    expect(outputs['build-python-target']).toBe('wasi')
    // every artifact name is different
    const names = Object.values(JSON.parse(outputs['artifact-names']) as Record<string, string>)
    expect(new Set(names).size).toBe(names.length)
  })

  it('names artifacts by architecture when the labels say it, else by label', () => {
    expect(labelArch('ubuntu-24.04')).toBe('x64')
    expect(labelArch('ubuntu-latest')).toBe('x64')
    expect(labelArch('ubuntu-24.04-arm')).toBe('arm64')
    expect(labelArch('ubuntu-22.04-arm')).toBe('arm64')
    expect(labelArch('linux-aarch64-large')).toBe('arm64')
    expect(labelArch('big-x64-box')).toBe('x64')
    expect(labelArch('self-hosted')).toBeUndefined()
    expect(labelArch('charming')).toBeUndefined()
    expect(runnerSuffixes(['ubuntu-24.04-arm'])).toEqual({ 'ubuntu-24.04-arm': '' })
    expect(runnerSuffixes(['ubuntu-24.04', 'ubuntu-24.04-arm'])).toEqual({
      'ubuntu-24.04': '-x64',
      'ubuntu-24.04-arm': '-arm64'
    })
    // two x64 labels, or one label that does not say: the labels
    expect(runnerSuffixes(['ubuntu-22.04', 'ubuntu-24.04'])).toEqual({
      'ubuntu-22.04': '-ubuntu-22.04',
      'ubuntu-24.04': '-ubuntu-24.04'
    })
    expect(runnerSuffixes(['ubuntu-24.04', 'my runner/1'])).toEqual({
      'ubuntu-24.04': '-ubuntu-24.04',
      'my runner/1': '-my-runner-1'
    })
    expect(() => runnerSuffixes(['a b', 'a/b'])).toThrow(/same suffix -a-b/)
  })

  it('reads the runners from RUNNERS, or RUNS_ON when set', () => {
    expect(readRunners(undefined, undefined)).toEqual(['ubuntu-24.04'])
    expect(readRunners('', '')).toEqual(['ubuntu-24.04'])
    expect(readRunners('["ubuntu-24.04", "ubuntu-24.04-arm"]', '')).toEqual([
      'ubuntu-24.04',
      'ubuntu-24.04-arm'
    ])
    expect(readRunners('["ubuntu-24.04"]', 'ubuntu-24.04-arm')).toEqual(['ubuntu-24.04-arm'])
    for (const bad of ['ubuntu-24.04', '[]', '[1]', '{"a": 1}', '[""]'])
      expect(() => readRunners(bad, '')).toThrow(/runners must be a JSON list of runner labels/)
    expect(() => readRunners('["a", "a"]', '')).toThrow(/names a twice/)
    const outputs = main(
      [],
      {
        PLAN: JSON.stringify(PLAN),
        RUNNERS: '["ubuntu-24.04", "ubuntu-24.04-arm"]',
        ARTIFACT_NAME: 'cpython-{minor}-{target}'
      },
      { write: () => true }
    )
    const matrix = JSON.parse(outputs.matrix) as { include: MatrixEntry[] }
    expect(matrix.include.map(e => e['artifact-name-template'])).toEqual([
      'cpython-{minor}-{target}-x64',
      'cpython-{minor}-{target}-x64',
      'cpython-{minor}-{target}-arm64',
      'cpython-{minor}-{target}-arm64'
    ])
  })

  it('writes the job outputs as heredocs to GITHUB_OUTPUT and the matrix to stdout', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-matrix-'))
    const output = path.join(dir, 'output')
    fs.writeFileSync(output, '')
    let stdout = ''
    const outputs = main(
      [],
      { PLAN: JSON.stringify(PLAN), GITHUB_OUTPUT: output },
      {
        write: (s: string) => (stdout += s)
      }
    )
    expect(JSON.parse(stdout)).toEqual(planMatrix(PLAN))
    expect(outputs['build-python-target']).toBe('wasi')
    expect(JSON.parse(outputs['artifact-names'])).toEqual({
      wasi: 'python-3.13.5-wasi',
      'emscripten-node': 'python-3.13.5-emscripten-node'
    })
    const text = fs.readFileSync(output, 'utf8')
    for (const name of Object.keys(outputs)) expect(text).toMatch(new RegExp(`^${name}<<`, 'm'))
    expect(outputFileText({ a: 'x' }, 'EOF')).toBe('a<<EOF\nx\nEOF\n')
  })

  it('reads the plan from a file', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'plan-matrix-')), 'plan.json')
    fs.writeFileSync(file, JSON.stringify(PLAN))
    expect(parseArgs(['--plan-file', file])).toEqual({ planFile: file })
    expect(main(['--plan-file', file], {}, { write: () => true }).targets).toBe(
      '["wasi","emscripten-node"]'
    )
    expect(() => parseArgs(['--bogus'])).toThrow(/unknown argument/)
  })

  it('explains a missing or malformed plan', () => {
    expect(() => readPlan(undefined)).toThrow(/no plan/)
    expect(() => readPlan('')).toThrow(/no plan/)
    expect(() => readPlan('{')).toThrow(/not JSON/)
    expect(() => readPlan('{}')).toThrow(/python.text/)
    expect(() => readPlan(JSON.stringify({ ...PLAN, schemaVersion: 2 }))).toThrow(
      /schemaVersion 2; this workflow reads version 1/
    )
    expect(() => readPlan(JSON.stringify({ ...PLAN, targets: [] }))).toThrow(/no targets/)
    expect(() =>
      readPlan(JSON.stringify({ ...PLAN, targets: [{ target: 'wasm64', recipe: 'x' }] }))
    ).toThrow(/unknown target/)
    expect(() => planMatrix({ ...PLAN, artifacts: [] })).toThrow(/no artifact for wasi/)
  })
})

// ------------------------------------------------ build.yml, job by job

interface Job {
  with: Record<string, unknown>
}
const BUILD_YML = parse(
  fs.readFileSync(path.join(REPO_ROOT, '.github', 'workflows', 'build.yml'), 'utf8')
) as {
  on: { workflow_call: { inputs: Record<string, { default: unknown }> } }
  jobs: Record<string, { steps: { uses?: string; with?: Record<string, unknown> }[] }>
}
/** The `with:` of the step of `job` that runs this action. */
function actionStep(job: string): Job {
  const step = BUILD_YML.jobs[job].steps.find(s => s.uses?.startsWith('cpython-wasm/'))
  if (!step) throw new Error(`build.yml: job ${job} has no step using the action`)
  return { with: step.with ?? {} }
}
const DEFAULT_INPUTS = Object.fromEntries(
  Object.entries(BUILD_YML.on.workflow_call.inputs).map(([k, v]) => [k, v.default])
)

interface Contexts {
  inputs: Record<string, unknown>
  matrix?: Record<string, unknown>
  needs?: Record<string, { outputs: Record<string, string> }>
}
/** Evaluates the few expression forms build.yml gives the action; anything else fails the test. */
function evaluate(expr: string, ctx: Contexts): unknown {
  const lookup = (ref: string): unknown => {
    const parts = ref.split('.')
    let value: unknown = ctx
    for (const p of parts) {
      if (typeof value !== 'object' || value === null || !(p in value))
        throw new Error(`build.yml: cannot evaluate ${ref}`)
      value = (value as Record<string, unknown>)[p]
    }
    return value
  }
  // cond && 'a' || 'b' on the event, as build.yml picks cache-save (a push here)
  const pick = /^github\.event_name == '([^']*)' && '([^']*)' \|\| '([^']*)'$/.exec(expr)
  if (pick) return pick[1] === 'push' ? pick[2] : pick[3]
  const join = /^join\(fromJSON\(([\w.-]+)\), '([^']*)'\)$/.exec(expr)
  if (join) return (JSON.parse(String(lookup(join[1]))) as string[]).join(join[2])
  if (/^[\w.-]+$/.test(expr)) return lookup(expr)
  throw new Error(`build.yml: unsupported expression ${expr}`)
}
/** A job's `with:` as the runner would pass it: expressions evaluated, values as strings. */
function withInputs(job: Job, ctx: Contexts, sourceDir: string): Record<string, string> {
  const result: Record<string, string> = {}
  for (const [key, raw] of Object.entries(job.with)) {
    const text = String(raw)
    const whole = /^\$\{\{\s*(.+?)\s*\}\}$/.exec(text)
    result[key] = whole
      ? String(evaluate(whole[1], ctx))
      : text.replace(/\$\{\{\s*(.+?)\s*\}\}/g, (_, e: string) => String(evaluate(e, ctx)))
  }
  expect(result.source).toBe('cpython')
  result.source = sourceDir
  return result
}

const TREES: { version: string; recipes: Record<string, string>; tools: Record<string, string> }[] =
  [
    {
      version: '3.11.2',
      recipes: { wasi: 'manual', 'emscripten-node': 'manual', 'emscripten-browser': 'manual' },
      tools: { emsdk: '3.1.19', 'wasi-sdk': '16', wasmtime: '22.0.0' }
    },
    {
      version: '3.13.5',
      recipes: { wasi: 'wasi-py', 'emscripten-node': 'manual', 'emscripten-browser': 'manual' },
      tools: { emsdk: '3.1.19', 'wasi-sdk': '24', wasmtime: '22.0.0' }
    }
  ]

describe.each(TREES)('build.yml on CPython $version', ({ version, recipes, tools }) => {
  const tree = path.join(E2E_HOME, 'src', `cpython-${version}`)
  const present = fs.existsSync(path.join(tree, 'Include', 'patchlevel.h'))
  if (!present)
    // The fast suite may run before scripts/e2e/provision-e2e.sh (or CI's checkout of the tags).
    console.warn(`Skipping build.yml on CPython ${version}: no CPython tree at ${tree}`)
  const maybe = present ? it : it.skip

  maybe('plans, makes the matrix, and every job dry-runs with the inputs it gets', async () => {
    const ctx: Contexts = { inputs: DEFAULT_INPUTS }
    const plan = await runAction({
      inputs: withInputs(actionStep('plan'), ctx, tree),
      dirs: makeRunnerDirs()
    })
    expect({ exitCode: plan.exitCode, errors: plan.errors, stderr: plan.stderr }).toEqual({
      exitCode: 0,
      errors: [],
      stderr: ''
    })
    expect(plan.outputs['python-version']).toBe(version)

    let stdout = ''
    const outputs: PlanOutputs = main(
      [],
      { PLAN: plan.outputs.plan },
      {
        write: (s: string) => (stdout += s)
      }
    )
    const matrix = JSON.parse(stdout) as { include: MatrixEntry[] }
    const targets = ['wasi', 'emscripten-node', 'emscripten-browser']
    const toolsOf = (t: string): Record<string, string> =>
      t === 'wasi'
        ? {
            'emsdk-version': '',
            'wasi-sdk-version': tools['wasi-sdk'],
            'wasmtime-version': tools.wasmtime
          }
        : { 'emsdk-version': tools.emsdk, 'wasi-sdk-version': '', 'wasmtime-version': '' }
    expect(matrix).toEqual({
      include: targets.map(target => ({
        target,
        recipe: recipes[target],
        'python-version': version,
        'host-triple':
          target === 'wasi'
            ? recipes.wasi === 'manual'
              ? 'wasm32-unknown-wasi'
              : 'wasm32-wasip1'
            : 'wasm32-unknown-emscripten',
        'artifact-name': `python-${version}-${target}`,
        'artifact-name-template': 'python-{version}-{target}{suffix}',
        runner: 'ubuntu-24.04',
        'shares-build-with': '',
        targets: target,
        ...toolsOf(target)
      }))
    })
    expect(JSON.parse(outputs['artifact-names'])).toEqual(
      JSON.parse(plan.outputs['artifact-names'])
    )
    expect(outputs['build-python-target']).toBe('wasi')

    const needs = { plan: { outputs: outputs as unknown as Record<string, string> } }
    const buildPython = await runAction({
      inputs: {
        ...withInputs(actionStep('build-python'), { ...ctx, needs }, tree),
        'dry-run': 'true'
      },
      dirs: makeRunnerDirs()
    })
    expect({ exitCode: buildPython.exitCode, errors: buildPython.errors }).toEqual({
      exitCode: 0,
      errors: []
    })
    expect(buildPython.outputs['build-python']).toBe(plan.outputs['build-python'])

    for (const entry of matrix.include) {
      const inputs = withInputs(actionStep('build'), { ...ctx, matrix: { ...entry } }, tree)
      expect(inputs.targets).toBe(entry.targets)
      const job = await runAction({
        inputs: { ...inputs, 'dry-run': 'true' },
        dirs: makeRunnerDirs()
      })
      expect({ target: entry.target, exitCode: job.exitCode, errors: job.errors }).toEqual({
        target: entry.target,
        exitCode: 0,
        errors: []
      })
      expect(JSON.parse(job.outputs['artifact-names'])).toEqual({
        [entry.target]: entry['artifact-name']
      })
      expect(JSON.parse(job.outputs.recipe)).toEqual({ [entry.target]: entry.recipe })
      expect(job.outputs['python-version']).toBe(entry['python-version'])
      const toolVersion = (tool: string): string => job.outputs[`${tool}-version`]
      expect(toolVersion('emsdk')).toBe(entry['emsdk-version'])
      expect(toolVersion('wasi-sdk')).toBe(entry['wasi-sdk-version'])
      expect(toolVersion('wasmtime')).toBe(entry['wasmtime-version'])
    }
  })
})

// ------------------------------------------------ build.yml's cache keys, every branch

/** A job of build.yml planned in process: inputs as the runner gives them, then the cache keys. */
async function plannedJob(job: string, ctx: Contexts, tree: string, arch: 'x64' | 'arm64' = 'x64') {
  const values = inputValues(withInputs(actionStep(job), ctx, tree))
  const inputs = loadInputs(name => values[name] ?? '')
  const runner = runnerFacts({
    arch,
    buildTriple: arch === 'arm64' ? 'aarch64-unknown-linux-gnu' : 'x86_64-pc-linux-gnu'
  })
  const plan = makePlan(inputs, inspectCheckout(tree), runner)
  plan.caches = planCaches(plan, runner, await fingerprint(plan))
  return plan
}

describe.each([
  ['3.11', 'manual'],
  ['3.13', 'wasi-py'],
  ['3.14.0', 'tools-wasm'],
  ['3.14.4', 'tools-wasm-platforms-emscripten'],
  ['3.15', 'platforms'],
  ['main', 'platforms-main']
] as [string, Layout][])('build.yml on a %s fixture', (branch, layout) => {
  it('every matrix job restores the build Python the shared job saves, under one key', async () => {
    const tree = checkoutWithLayout(layout)
    const ctx: Contexts = { inputs: DEFAULT_INPUTS }
    const planned = await plannedJob('plan', ctx, tree)
    const outputs = planOutputs(planned) as unknown as Record<string, string>
    const matrix = planMatrix(planned)
    const needs = { plan: { outputs } }
    const shared = await plannedJob('build-python', { ...ctx, needs }, tree)
    const key = (plan: Plan): string | undefined =>
      plan.caches.find(c => c.id === 'build-python')?.key
    expect(key(shared)).toMatch(/^cwa1-build-python-/)
    expect(shared.caches.find(c => c.id === 'build-python')?.paths).toEqual([
      path.dirname(shared.buildPython)
    ])
    for (const entry of matrix.include) {
      const job = await plannedJob('build', { ...ctx, needs, matrix: { ...entry } }, tree)
      // the job builds no other native Python than the one the shared job cached
      expect({ targets: entry.targets, key: key(job), buildPython: job.buildPython }).toEqual({
        targets: entry.targets,
        key: key(shared),
        buildPython: shared.buildPython
      })
      expect(job.steps.filter(s => /build-python-configure$/.test(s.id))).toHaveLength(1)
    }
    // with two runners, each job's artifacts are the names the plan job publishes;
    // before 3.14 the branches pin toolchains with no arm64 build, which the arm64 jobs refuse
    const runners = ['ubuntu-24.04', 'ubuntu-24.04-arm']
    const crossed = planOutputs(planned, {
      runners,
      artifactName: ctx.inputs['artifact-name'] as string
    })
    const published = JSON.parse(crossed['artifact-names']) as Record<string, string>
    const made: string[] = []
    for (const entry of (JSON.parse(crossed.matrix) as { include: MatrixEntry[] }).include) {
      const arch = entry.runner.endsWith('-arm') ? 'arm64' : 'x64'
      let job: Plan
      let runnerShared: Plan
      try {
        job = await plannedJob('build', { ...ctx, needs, matrix: { ...entry } }, tree, arch)
        runnerShared = await plannedJob('build-python', { ...ctx, needs }, tree, arch)
      } catch (e) {
        // Emscripten 3.1.19 and WASI SDK 16 have no arm64 build: only these branches' arm64 jobs refuse
        expect({ branch, arch, error: String(e) }).toEqual({
          branch: expect.stringMatching(/^3\.1[13]$/),
          arch: 'arm64',
          error: expect.stringMatching(/no (linux-)?arm64/)
        })
        made.push(...entry.targets.split(' ').map(t => published[`${t}-arm64`]))
        continue
      }
      made.push(...job.artifacts.map(a => a.name))
      expect(job.artifacts.find(a => a.target === entry.target)?.name).toBe(entry['artifact-name'])
      // the build Python is per architecture: each runner's build-python job saves what its builds restore
      expect(key(job)).toBe(key(runnerShared))
      expect(key(job)).toContain(`-Linux-${arch}-`)
    }
    expect(made.sort()).toEqual(Object.values(published).sort())
    expect(new Set(made).size).toBe(made.length)

    // 3.14+: one Emscripten job builds node and browser; older branches build each
    const emscriptenJobs = matrix.include.filter(e => e.target !== 'wasi')
    expect(emscriptenJobs.map(e => e.targets)).toEqual(
      planned.targets.some(t => t.sharesBuildWith)
        ? ['emscripten-node emscripten-browser']
        : ['emscripten-node', 'emscripten-browser']
    )
  })
})
