#!/usr/bin/env node
/**
 * Turns the action's `plan` output (a dry run) into the job matrix of the
 * reusable workflow (.github/workflows/build.yml): one entry per target.
 *
 *   node scripts/workflow/plan-matrix.mjs [--plan-file FILE]
 *
 * The plan is read from --plan-file, else from the PLAN environment variable.
 * Prints {"include":[...]} on stdout. When GITHUB_OUTPUT is set, also writes
 * the outputs the workflow reads: matrix, targets, build-python-target,
 * artifact-names and python-version.
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
 * One matrix entry per build, in the plan's order: a target whose build
 * another target's serves (3.14+: one Emscripten build for node and the
 * browser) joins that target's job instead of compiling the same build again.
 * `targets` is what the job passes to the action.
 */
export function planMatrix(plan) {
  const version = tool => plan.toolchains.find(t => t.tool === tool)?.version ?? ''
  const include = []
  for (const t of plan.targets) {
    const artifact = plan.artifacts.find(a => a.target === t.target)
    if (!artifact) throw new PlanMatrixError(`the plan has no artifact for ${t.target}`)
    const host = t.sharesBuildWith && include.find(e => e.target === t.sharesBuildWith)
    if (host) {
      host.targets = `${host.targets} ${t.target}`
      continue
    }
    const tools = TOOLS_BY_TARGET[t.target]
    const toolVersion = tool => (tools.includes(tool) ? version(tool) : '')
    include.push({
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
  return { include }
}

/** Everything the plan job publishes as outputs. */
export function planOutputs(plan) {
  const matrix = planMatrix(plan)
  return {
    matrix: JSON.stringify(matrix),
    targets: JSON.stringify(plan.targets.map(t => t.target)),
    // The first target's recipe builds the shared build Python (wasi first, see the plan's steps).
    'build-python-target': matrix.include[0].target,
    'artifact-names': JSON.stringify(
      Object.fromEntries(plan.artifacts.map(a => [a.target, a.name]))
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
  const outputs = planOutputs(readPlan(text))
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
