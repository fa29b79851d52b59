/** Uploads each target's folder as an artifact, and the logs of a failed build. */
import { DefaultArtifactClient } from '@actions/artifact'
import * as core from '@actions/core'
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { Inputs } from '../inputs/index.js'
import type { Target } from '../catalog/targets.js'
import type { Plan } from '../plan/types.js'
import { ActionError } from '../catalog/errors.js'
import { redact, secretValues } from '../catalog/secrets.js'

export type UploadInputs = Pick<Inputs, 'retentionDays' | 'compressionLevel'> &
  Partial<Pick<Inputs, 'githubToken'>>

/** A collected artifact as it was delivered: uploaded (the action) or copied to a folder (the command). */
export interface UploadedArtifact {
  target: Target
  name: string
  /** the artifact service's id; none for a copy */
  id?: number
  /** the folder the command copied it to */
  copiedTo?: string
  /** bytes of the uploaded zip (of the files, for a copy) */
  size: number
  /** bytes of the files before zipping */
  contentSize: number
  files: number
  /** sha256 of the uploaded zip in hex, as actions/upload-artifact's artifact-digest (for attestations) */
  digest?: string
}

/** An upload the artifact service refused; the message says what to change (e.g. artifact-name). */
export class ArtifactUploadError extends ActionError {}

/** Every file under dir, dotfiles (.htaccess, _headers) included. */
export function listFiles(dir: string): string[] {
  const files: string[] = []
  const walk = (d: string): void => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name)
      if (entry.isDirectory()) walk(p)
      else if (entry.isFile()) files.push(p)
    }
  }
  walk(dir)
  return files.sort()
}

/**
 * The artifact client only works inside a job step of an action: the runner
 * gives these variables to actions, not to `run:` steps or containers it did
 * not start.
 */
function checkRuntime(): void {
  const missing = ['ACTIONS_RUNTIME_TOKEN', 'ACTIONS_RESULTS_URL'].filter(v => !process.env[v])
  if (missing.length > 0)
    throw new ArtifactUploadError(
      `Cannot upload artifacts: ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set. ` +
        'The GitHub runner sets them for actions it runs; outside a runner set upload: false.'
    )
}

function explain(name: string, what: string, error: unknown): ArtifactUploadError {
  const message = error instanceof Error ? error.message : String(error)
  let hint = ''
  if (/already exists|\(409\)/i.test(message))
    hint =
      '\nArtifact names must be unique within a workflow run: when several jobs build the same' +
      ' targets (a matrix), put something that differs into the artifact-name input.'
  else if (/insufficient|quota|storage/i.test(message))
    hint = '\nThe repository or account ran out of artifact storage.'
  return new ArtifactUploadError(
    `Uploading ${what} as artifact "${name}" failed: ${message}${hint}`
  )
}

async function uploadDir(
  client: DefaultArtifactClient,
  name: string,
  dir: string,
  inputs: UploadInputs,
  what: string
): Promise<{ id: number; size: number; contentSize: number; files: number; digest?: string }> {
  const files = listFiles(dir)
  if (files.length === 0)
    throw new ArtifactUploadError(`Nothing to upload for ${what}: ${dir} is empty`)
  const contentSize = files.reduce((sum, f) => sum + fs.statSync(f).size, 0)
  let result
  try {
    result = await client.uploadArtifact(name, files, dir, {
      ...(inputs.retentionDays > 0 ? { retentionDays: inputs.retentionDays } : {}),
      compressionLevel: inputs.compressionLevel
    })
  } catch (error) {
    throw explain(name, what, error)
  }
  if (result.id === undefined)
    throw new ArtifactUploadError(`Uploading ${what} as artifact "${name}" returned no artifact id`)
  return {
    id: result.id,
    size: result.size ?? 0,
    contentSize,
    files: files.length,
    ...(result.digest ? { digest: result.digest.replace(/^sha256:/, '') } : {})
  }
}

/** One artifact per target folder (plan.artifacts[].dir), named by the plan. */
export async function uploadArtifacts(
  plan: Pick<Plan, 'artifacts'>,
  inputs: UploadInputs
): Promise<UploadedArtifact[]> {
  checkRuntime()
  const client = new DefaultArtifactClient()
  const uploaded: UploadedArtifact[] = []
  for (const artifact of plan.artifacts) {
    const what = `the ${artifact.target} build`
    const r = await core.group(`Upload artifact ${artifact.name}`, () =>
      uploadDir(client, artifact.name, artifact.dir, inputs, what)
    )
    core.info(
      `Uploaded ${artifact.target} as ${artifact.name} (id ${r.id}, ${r.files} files, ${formatBytes(r.size)} zipped${r.digest ? `, sha256 ${r.digest}` : ''})`
    )
    uploaded.push({ target: artifact.target, name: artifact.name, ...r })
  }
  return uploaded
}

/**
 * Copies each target's folder to <dir>/<artifact name> (the command's
 * delivery): what an upload would hold, where the developer can run it.
 */
export async function copyArtifacts(
  plan: Pick<Plan, 'artifacts'>,
  dir: string
): Promise<UploadedArtifact[]> {
  const copied: UploadedArtifact[] = []
  for (const artifact of plan.artifacts) {
    const to = path.join(dir, artifact.name)
    fs.rmSync(to, { recursive: true, force: true })
    fs.mkdirSync(dir, { recursive: true })
    fs.cpSync(artifact.dir, to, { recursive: true, verbatimSymlinks: true })
    const files = listFiles(to)
    const size = files.reduce((sum, f) => sum + fs.statSync(f).size, 0)
    core.info(`Copied ${artifact.target} to ${to} (${files.length} files, ${formatBytes(size)})`)
    copied.push({
      target: artifact.target,
      name: artifact.name,
      copiedTo: to,
      size,
      contentSize: size,
      files: files.length
    })
  }
  return copied
}

/** The outputs artifact-names, artifact-ids and artifact-digests: JSON objects keyed by target. */
export function artifactOutputs(uploaded: UploadedArtifact[]): {
  'artifact-names': string
  'artifact-ids': string
  'artifact-digests': string
} {
  const byTarget = (value: (u: UploadedArtifact) => unknown): string =>
    JSON.stringify(
      Object.fromEntries(
        uploaded.filter(u => value(u) !== undefined).map(u => [u.target, value(u)])
      )
    )
  return {
    'artifact-names': byTarget(u => u.name),
    'artifact-ids': byTarget(u => u.id),
    'artifact-digests': byTarget(u => u.digest)
  }
}

/** The name of the logs artifact: the first artifact's name, or the version's, plus -logs. */
export function logsArtifactName(plan: Pick<Plan, 'artifacts' | 'python'>): string {
  const base = plan.artifacts[0]?.name ?? `python-${plan.python.text.replace(/\+$/, '-dev')}`
  return `${base}-logs`
}

const CONFIG_LOG_DEPTH = 3

function findConfigLogs(dir: string, depth = 0): string[] {
  if (depth > CONFIG_LOG_DEPTH || !fs.existsSync(dir)) return []
  const found: string[] = []
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name)
    if (entry.isFile() && entry.name === 'config.log') found.push(p)
    else if (
      entry.isDirectory() &&
      !entry.isSymbolicLink() &&
      !/^(\.|__pycache__$)/.test(entry.name)
    )
      found.push(...findConfigLogs(p, depth + 1))
  }
  return found
}

/**
 * Copies what explains a failed build into stagingDir: every step log that
 * exists (steps/<log name>) and each config.log under the build directories
 * (config/<path below the directory's parent>, so build-python and target
 * builds stay apart), with every secret replaced by ***: build code never
 * gets the job's credentials, but a log is anyone's text and an artifact is
 * readable by everyone who can read the repository. Returns the relative
 * paths copied.
 */
export function gatherLogs(
  plan: Pick<Plan, 'steps' | 'artifacts' | 'buildPython'>,
  stagingDir: string,
  extra: string[] = [],
  secrets: readonly string[] = secretValues(process.env)
): string[] {
  fs.rmSync(stagingDir, { recursive: true, force: true })
  fs.mkdirSync(stagingDir, { recursive: true })
  // byte for byte (latin1 maps each byte to one character): logs need not be UTF-8
  const secretBytes = secrets.map(s => Buffer.from(s, 'utf8').toString('latin1'))
  const copied: string[] = []
  const copy = (from: string, rel: string): void => {
    const to = path.join(stagingDir, rel)
    if (fs.existsSync(to)) return
    fs.mkdirSync(path.dirname(to), { recursive: true })
    fs.writeFileSync(to, redact(fs.readFileSync(from, 'latin1'), secretBytes), 'latin1')
    copied.push(rel)
  }
  for (const step of plan.steps)
    if (fs.existsSync(step.log)) copy(step.log, path.join('steps', path.basename(step.log)))
  const buildDirs = new Set<string>(plan.artifacts.map(a => a.buildDir))
  // the build Python's configure runs in the directory that holds its executable
  if (plan.buildPython) buildDirs.add(path.dirname(plan.buildPython))
  for (const step of plan.steps) buildDirs.add(step.cwd)
  for (const dir of buildDirs) {
    for (const log of findConfigLogs(dir)) {
      const rel = path.relative(path.dirname(dir), log)
      copy(log, path.join('config', rel.startsWith('..') ? path.basename(log) : rel))
    }
  }
  for (const file of extra) if (fs.existsSync(file)) copy(file, path.basename(file))
  return copied.sort()
}

/**
 * After a failure: uploads the step logs and config.log files as a separate
 * artifact so a failed check can be diagnosed without running it again.
 * Never throws: the build already failed, and that is the error to report.
 */
export async function uploadLogs(
  plan: Pick<Plan, 'steps' | 'artifacts' | 'buildPython' | 'python'>,
  inputs: UploadInputs,
  stagingDir: string,
  extra: string[] = []
): Promise<{ name: string; id?: number; files: string[]; error?: string }> {
  const name = logsArtifactName(plan)
  let files: string[] = []
  try {
    files = gatherLogs(
      plan,
      stagingDir,
      extra,
      secretValues(process.env, inputs.githubToken ? [inputs.githubToken] : [])
    )
    if (files.length === 0) {
      core.info('No logs to upload: the build failed before any step wrote one.')
      return { name, files }
    }
    checkRuntime()
    const r = await uploadDir(
      new DefaultArtifactClient(),
      name,
      stagingDir,
      inputs,
      'the build logs'
    )
    core.info(`Uploaded the build logs as ${name} (id ${r.id}): ${files.join(', ')}`)
    return { name, id: r.id, files }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    core.warning(`Could not upload the build logs: ${message}`)
    return { name, files, error: message }
  }
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`
  const units = ['KiB', 'MiB', 'GiB']
  let v = n / 1024
  let i = 0
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024
    i++
  }
  return `${v.toFixed(v >= 100 ? 0 : 1)} ${units[i]}`
}
