/**
 * Runs the bundled action (dist/index.js) in a child process the way the
 * GitHub runner does: INPUT_* variables with action.yml defaults, fresh
 * GITHUB_OUTPUT/ENV/PATH/STATE/STEP_SUMMARY files, RUNNER_* variables, then
 * the post step with STATE_* variables. Spawned asynchronously so in-process
 * test servers keep answering.
 */
import { spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
/** The bundle under test; CWA_ENTRY points at another bundle (e.g. a private build). */
export const ENTRY = process.env.CWA_ENTRY || path.join(REPO_ROOT, 'dist', 'index.js')

/** Sets @actions/tool-cache's retry-wait globals to 0 before the bundle starts. */
const FAST_RETRIES = new URL('./fast-retries.mjs', import.meta.url).href

interface ActionYaml {
  inputs: Record<string, { default?: string }>
  outputs: Record<string, unknown>
}

export function actionYaml(): ActionYaml {
  return parse(fs.readFileSync(path.join(REPO_ROOT, 'action.yml'), 'utf8')) as ActionYaml
}

/** The runner's name for an input variable: upper case, spaces to underscores, hyphens kept. */
export const inputVariable = (name: string): string =>
  `INPUT_${name.replace(/ /g, '_').toUpperCase()}`

/**
 * Every input's value as the runner passes it: the test's, else the
 * action.yml default (an expression default such as github.token reads as
 * empty here). In-process tests read inputs through this too, so both kinds
 * of test see the same values.
 */
export function inputValues(inputs: Record<string, string> = {}): Record<string, string> {
  const defaults = actionYaml().inputs
  const values: Record<string, string> = {}
  for (const [name, spec] of Object.entries(defaults)) {
    const value = spec.default ?? ''
    values[name] = value.includes('${{') ? '' : value
  }
  for (const [name, value] of Object.entries(inputs)) {
    if (!(name in defaults)) throw new Error(`test error: action.yml has no input ${name}`)
    values[name] = value
  }
  return values
}

/** Parses a runner file command file: `name=value` lines and `name<<DELIM` heredocs. */
export function parseCommandFile(text: string): Record<string, string> {
  const result: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]
    if (line === '') continue
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line)
    if (heredoc) {
      const [, name, delimiter] = heredoc
      const value: string[] = []
      for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i])
      if (i >= lines.length) throw new Error(`unterminated heredoc for ${name}`)
      result[name] = value.join('\n')
    } else {
      const eq = line.indexOf('=')
      if (eq < 0) throw new Error(`malformed command file line: ${line}`)
      result[line.slice(0, eq)] = line.slice(eq + 1)
    }
  }
  return result
}

export interface RunnerDirs {
  /** the job's folder: temp, tool cache and workspace live under it unless given */
  base: string
  temp: string
  toolCache: string
  workspace: string
}

export function makeRunnerDirs(
  base = fs.mkdtempSync(path.join(os.tmpdir(), 'cwa-job-'))
): RunnerDirs {
  const dirs = {
    base,
    temp: path.join(base, 'temp'),
    toolCache: path.join(base, 'tool-cache'),
    workspace: path.join(base, 'workspace')
  }
  for (const d of [dirs.temp, dirs.toolCache, dirs.workspace]) fs.mkdirSync(d, { recursive: true })
  return dirs
}

export interface RunOptions {
  inputs?: Record<string, string>
  env?: Record<string, string>
  dirs?: RunnerDirs
  /** state saved by the main step; given, the post step runs */
  state?: Record<string, string>
  entry?: string
  /**
   * Turns (entry, env) into the command to run; the default runs this Node.
   * The end-to-end tests use it to run the action inside a chroot.
   */
  launch?: (entry: string, env: Record<string, string>) => { command: string; args: string[] }
  /** maps a host path to the path the action sees (for chroots); identity by default */
  guestPath?: (hostPath: string) => string
  timeoutMs?: number
  /** print the action's output as it runs (long end-to-end builds) */
  echo?: boolean
  /**
   * no wait between @actions/tool-cache download attempts (the attempts and
   * their messages are unchanged); only with the default launch
   */
  fastRetries?: boolean
}

export interface ActionResult {
  exitCode: number
  stdout: string
  stderr: string
  outputs: Record<string, string>
  exportedEnv: Record<string, string>
  addedPath: string[]
  state: Record<string, string>
  summary: string
  dirs: RunnerDirs
  /** the ::error:: / ::warning:: lines the action printed */
  errors: string[]
  warnings: string[]
}

/** A tiny JWT whose scp claim the artifact client accepts. */
export function runtimeToken(): string {
  const b64 = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url')
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ scp: 'Actions.ExampleScope Actions.Results:run-1:job-1' })}.sig`
}

function commandMessages(stdout: string, kind: 'error' | 'warning'): string[] {
  return stdout
    .split('\n')
    .filter(l => l.startsWith(`::${kind}`))
    .map(l =>
      l
        .slice(l.indexOf('::', 2) + 2)
        .replace(/%0A/g, '\n')
        .replace(/%0D/g, '\r')
        .replace(/%25/g, '%')
    )
}

export async function runAction(options: RunOptions = {}): Promise<ActionResult> {
  const dirs = options.dirs ?? makeRunnerDirs()
  const guest = options.guestPath ?? ((p: string) => p)
  const files = fs.mkdtempSync(path.join(dirs.base, 'files-'))
  const file = (name: string): string => {
    const p = path.join(files, name)
    fs.writeFileSync(p, '')
    return p
  }
  const commandFiles = {
    GITHUB_OUTPUT: file('output'),
    GITHUB_ENV: file('env'),
    GITHUB_PATH: file('path'),
    GITHUB_STATE: file('state'),
    GITHUB_STEP_SUMMARY: file('summary')
  }

  const env: Record<string, string> = {}
  for (const key of ['PATH', 'HOME', 'LANG', 'TMPDIR', 'NODE_PATH'])
    if (process.env[key]) env[key] = process.env[key] as string
  Object.assign(env, {
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_WORKSPACE: guest(dirs.workspace),
    GITHUB_REPOSITORY: 'example/cpython',
    GITHUB_EVENT_NAME: 'push',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_REF_NAME: 'main',
    GITHUB_SHA: '0000000000000000000000000000000000000000',
    GITHUB_RUN_ID: '1',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_JOB: 'build',
    GITHUB_ACTION: 'cpython-wasm',
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: os.arch() === 'arm64' ? 'ARM64' : 'X64',
    RUNNER_TEMP: guest(dirs.temp),
    RUNNER_TOOL_CACHE: guest(dirs.toolCache),
    // no test reaches the real API: a closed loopback port unless a test serves one
    GITHUB_API_URL: 'http://127.0.0.1:9'
  })
  for (const [k, v] of Object.entries(commandFiles)) env[k] = guest(v)
  for (const [name, value] of Object.entries(inputValues(options.inputs)))
    env[inputVariable(name)] = value
  for (const [k, v] of Object.entries(options.state ?? {})) env[`STATE_${k}`] = v
  Object.assign(env, options.env ?? {})

  const entry = guest(options.entry ?? ENTRY)
  if (options.fastRetries && options.launch)
    throw new Error('test error: fastRetries preloads into this Node, not into a custom launch')
  const preload = options.fastRetries ? ['--import', FAST_RETRIES] : []
  const launch =
    options.launch ?? ((e: string) => ({ command: process.execPath, args: [...preload, e] }))
  const { command, args } = launch(entry, env)
  const child = spawn(command, args, {
    cwd: dirs.workspace,
    env,
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString()
    if (options.echo) process.stdout.write(d)
  })
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString()
    if (options.echo) process.stderr.write(d)
  })
  const timer = options.timeoutMs
    ? setTimeout(() => child.kill('SIGTERM'), options.timeoutMs)
    : undefined
  const exitCode = await new Promise<number>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', code => resolve(code ?? 1))
  })
  if (timer) clearTimeout(timer)

  const read = (p: string): string => fs.readFileSync(p, 'utf8')
  return {
    exitCode,
    stdout,
    stderr,
    outputs: parseCommandFile(read(commandFiles.GITHUB_OUTPUT)),
    exportedEnv: parseCommandFile(read(commandFiles.GITHUB_ENV)),
    addedPath: read(commandFiles.GITHUB_PATH).split('\n').filter(Boolean),
    state: parseCommandFile(read(commandFiles.GITHUB_STATE)),
    summary: read(commandFiles.GITHUB_STEP_SUMMARY),
    dirs,
    errors: commandMessages(stdout, 'error'),
    warnings: commandMessages(stdout, 'warning')
  }
}

/** The main step, then the post step with the state the main step saved, as the runner does. */
export async function runMainAndPost(
  options: RunOptions = {}
): Promise<{ main: ActionResult; post: ActionResult }> {
  const dirs = options.dirs ?? makeRunnerDirs()
  const main = await runAction({ ...options, dirs })
  const post = await runAction({ ...options, dirs, state: main.state })
  return { main, post }
}
