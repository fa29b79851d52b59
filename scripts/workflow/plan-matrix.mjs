#!/usr/bin/env node
/**
 * Turns the action's `plan` output (a dry run) into the job matrix of the
 * reusable workflow (.github/workflows/build.yml): one entry per build and
 * runner.
 *
 *   node scripts/workflow/plan-matrix.mjs [--plan-file FILE]
 *
 * The plan is read from --plan-file, else from the PLAN environment variable.
 * The runners come from RUNNERS (a JSON list of runner labels) or RUNS_ON (one
 * label, which wins when set), by default ["ubuntu-24.04"]; ARTIFACT_NAME is
 * the artifact-name template the plan was made with. Prints {"include":[...]}
 * on stdout. When GITHUB_OUTPUT is set, also writes the outputs the workflow
 * reads: matrix, runners, targets, build-python-target, artifact-names and
 * python-version.
 *
 * Plain Node (no dependencies, no build step): it runs in the called
 * workflow's plan job.
 */
import * as fs from 'node:fs'
import { randomUUID } from 'node:crypto'
import { pathToFileURL } from 'node:url'

export class PlanMatrixError extends Error {
  constructor(message) {
    super(message)
    this.name = 'PlanMatrixError'
  }
}

/** The reusable workflow's defaults: its `runners` input and the action's `artifact-name`. */
export const DEFAULT_RUNNERS = ['ubuntu-24.04']
export const DEFAULT_ARTIFACT_NAME = 'python-{version}-{target}{suffix}'

const TOOLS_BY_TARGET = {
  wasi: ['wasi-sdk', 'wasmtime'],
  'emscripten-node': ['emsdk'],
  'emscripten-browser': ['emsdk']
}

/** Parses and checks the parts of the plan the matrix uses. */
export function readPlan(text) {
  if (typeof text !== 'string' || text.trim() === '')
    throw new PlanMatrixError('no plan: pass the action output `plan` in PLAN or --plan-file')
  let plan
  try {
    plan = JSON.parse(text)
  } catch (e) {
    throw new PlanMatrixError(`the plan is not JSON: ${e.message}`)
  }
  if (!plan || typeof plan !== 'object') throw new PlanMatrixError('the plan is not a JSON object')
  // schema 1 is the first that says so; a plan without the field is of that shape too
  if (plan.schemaVersion !== undefined && plan.schemaVersion !== 1)
    throw new PlanMatrixError(
      `the plan has schemaVersion ${JSON.stringify(plan.schemaVersion)}; this workflow reads version 1 (use the workflow of the same release as the action)`
    )
  if (!plan.python || typeof plan.python.text !== 'string')
    throw new PlanMatrixError('the plan has no python.text (CPython version)')
  if (!Array.isArray(plan.targets) || plan.targets.length === 0)
    throw new PlanMatrixError('the plan has no targets')
  for (const t of plan.targets) {
    if (!t || !(t.target in TOOLS_BY_TARGET))
      throw new PlanMatrixError(`the plan has an unknown target: ${JSON.stringify(t?.target)}`)
    if (typeof t.recipe !== 'string')
      throw new PlanMatrixError(`the plan has no recipe for ${t.target}`)
  }
  if (!Array.isArray(plan.artifacts)) throw new PlanMatrixError('the plan has no artifacts')
  if (!Array.isArray(plan.toolchains)) throw new PlanMatrixError('the plan has no toolchains')
  return plan
}

/**
 * The runners the matrix crosses with the builds: RUNS_ON (one label) when
 * set, else RUNNERS (a JSON list of labels), else DEFAULT_RUNNERS.
 */
export function readRunners(runnersText, runsOn) {
  if (typeof runsOn === 'string' && runsOn.trim() !== '') return [runsOn.trim()]
  if (typeof runnersText !== 'string' || runnersText.trim() === '') return [...DEFAULT_RUNNERS]
  let runners
  try {
    runners = JSON.parse(runnersText)
  } catch {
    runners = undefined
  }
  if (
    !Array.isArray(runners) ||
    runners.length === 0 ||
    !runners.every(r => typeof r === 'string' && r.trim() !== '')
  )
    throw new PlanMatrixError(
      `runners must be a JSON list of runner labels, for example ["ubuntu-24.04", "ubuntu-24.04-arm"]; got ${runnersText}`
    )
  const labels = runners.map(r => r.trim())
  const twice = labels.find((r, i) => labels.indexOf(r) !== i)
  if (twice) throw new PlanMatrixError(`runners names ${twice} twice`)
  return labels
}

/** x64 or arm64 when a runner's label says which (GitHub's Ubuntu labels do), else undefined. */
export function labelArch(label) {
  if (/(^|[-_.])(arm|arm64|aarch64)([-_.]|$)/i.test(label)) return 'arm64'
  if (
    /^ubuntu-(latest|\d+\.\d+)$/.test(label) ||
    /(^|[-_.])(x64|amd64|x86_64)([-_.]|$)/i.test(label)
  )
    return 'x64'
  return undefined
}

/**
 * What each runner's artifact names end with, so that the builds of several
 * runners do not collide: nothing with one runner; with several, "-x64" and
 * "-arm64" when every label says its architecture and no two say the same,
 * else "-" and the label (characters an artifact name cannot hold made "-").
 */
export function runnerSuffixes(runners) {
  if (runners.length === 1) return { [runners[0]]: '' }
  const archs = runners.map(labelArch)
  const byArch = archs.every(Boolean) && new Set(archs).size === runners.length
  const suffixes = runners.map((r, i) => `-${byArch ? archs[i] : r.replace(/[^\w.-]+/g, '-')}`)
  const twice = suffixes.find((s, i) => suffixes.indexOf(s) !== i)
  if (twice)
    throw new PlanMatrixError(
      `two runners would give their artifacts the same suffix ${twice}; use labels that differ in letters, digits, ".", "-" or "_"`
    )
  return Object.fromEntries(runners.map((r, i) => [r, suffixes[i]]))
}

/**
 * One matrix entry per build and runner, runner by runner, builds in the
 * plan's order: a target whose build another target's serves (3.14+: one
 * Emscripten build for node and the browser) joins that target's job instead
 * of compiling the same build again. `targets` is what the job passes to the
 * action, `runner` where it runs, `artifact-name-template` the artifact-name
 * it passes (the plan's template and the runner's suffix) and `artifact-name`
 * the name of the entry's own target.
 */
export function planMatrix(plan, options = {}) {
  const runners = options.runners ?? DEFAULT_RUNNERS
  const template = options.artifactName || DEFAULT_ARTIFACT_NAME
  const suffixes = runnerSuffixes(runners)
  const version = tool => plan.toolchains.find(t => t.tool === tool)?.version ?? ''
  const builds = []
  for (const t of plan.targets) {
    const artifact = plan.artifacts.find(a => a.target === t.target)
    if (!artifact) throw new PlanMatrixError(`the plan has no artifact for ${t.target}`)
    const host = t.sharesBuildWith && builds.find(e => e.target === t.sharesBuildWith)
    if (host) {
      host.targets = `${host.targets} ${t.target}`
      continue
    }
    const tools = TOOLS_BY_TARGET[t.target]
    const toolVersion = tool => (tools.includes(tool) ? version(tool) : '')
    builds.push({
      target: t.target,
      targets: t.target,
      recipe: t.recipe,
      'python-version': plan.python.text,
      'host-triple': t.hostTriple ?? '',
      'artifact-name': artifact.name,
      'shares-build-with': t.sharesBuildWith ?? '',
      'emsdk-version': toolVersion('emsdk'),
      'wasi-sdk-version': toolVersion('wasi-sdk'),
      'wasmtime-version': toolVersion('wasmtime')
    })
  }
  const include = runners.flatMap(runner =>
    builds.map(build => ({
      ...build,
      runner,
      'artifact-name': `${build['artifact-name']}${suffixes[runner]}`,
      'artifact-name-template': `${template}${suffixes[runner]}`
    }))
  )
  return { include }
}

/**
 * Everything the plan job publishes as outputs. artifact-names maps each
 * target to its artifact name; with several runners, each target and runner
 * suffix ("wasi-arm64") to the name.
 */
export function planOutputs(plan, options = {}) {
  const runners = options.runners ?? DEFAULT_RUNNERS
  const suffixes = runnerSuffixes(runners)
  const matrix = planMatrix(plan, { ...options, runners })
  return {
    matrix: JSON.stringify(matrix),
    runners: JSON.stringify(runners),
    targets: JSON.stringify(plan.targets.map(t => t.target)),
    // The first target's recipe builds the shared build Python (wasi first, see the plan's steps).
    'build-python-target': matrix.include[0].target,
    'artifact-names': JSON.stringify(
      Object.fromEntries(
        runners.flatMap(r =>
          plan.artifacts.map(a => [`${a.target}${suffixes[r]}`, `${a.name}${suffixes[r]}`])
        )
      )
    ),
    'python-version': plan.python.text
  }
}

/** name<<DELIMITER lines for $GITHUB_OUTPUT. */
export function outputFileText(outputs, delimiter = `ghadelimiter_${randomUUID()}`) {
  return Object.entries(outputs)
    .map(([name, value]) => `${name}<<${delimiter}\n${value}\n${delimiter}\n`)
    .join('')
}

export function parseArgs(argv) {
  const args = { planFile: undefined }
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--plan-file' && i + 1 < argv.length) args.planFile = argv[++i]
    else if (argv[i].startsWith('--plan-file=')) args.planFile = argv[i].slice(12)
    else throw new PlanMatrixError(`unknown argument: ${argv[i]}`)
  }
  return args
}

export function main(argv = process.argv.slice(2), env = process.env, out = process.stdout) {
  const args = parseArgs(argv)
  const text = args.planFile ? fs.readFileSync(args.planFile, 'utf8') : env.PLAN
  const outputs = planOutputs(readPlan(text), {
    runners: readRunners(env.RUNNERS, env.RUNS_ON),
    artifactName: env.ARTIFACT_NAME
  })
  out.write(`${outputs.matrix}\n`)
  if (env.GITHUB_OUTPUT) fs.appendFileSync(env.GITHUB_OUTPUT, outputFileText(outputs))
  return outputs
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    main()
  } catch (e) {
    if (!(e instanceof PlanMatrixError)) throw e
    process.stdout.write(`::error::plan-matrix: ${e.message}\n`)
    process.exitCode = 1
  }
}
