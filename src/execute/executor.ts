/** Runs the plan's command steps: argv arrays, one log group each, output kept in a log file. */
import * as core from '@actions/core'
import * as exec from '@actions/exec'
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { CommandStep } from '../plan/types.js'
import type { Environments } from '../toolchains/index.js'
import { ActionError } from '../catalog/errors.js'
import { buildEnvironment } from '../catalog/secrets.js'

const TAIL_LINES = 40
/** Seconds between a long step's progress lines; CPYTHON_WASM_STEP_PROGRESS_SECONDS overrides it. */
const PROGRESS_VARIABLE = 'CPYTHON_WASM_STEP_PROGRESS_SECONDS'
const DEFAULT_PROGRESS_SECONDS = 30

export class StepError extends ActionError {
  constructor(
    readonly step: CommandStep,
    readonly exitCode: number,
    readonly tail: string
  ) {
    super(
      `Step "${step.title}" failed with exit code ${exitCode}.\n` +
        `Command: ${formatArgv(step.argv)}\nDirectory: ${step.cwd}\nLog: ${step.log}\n` +
        `Last lines of its output:\n${tail}`
    )
  }
}

export function formatArgv(argv: string[]): string {
  return argv.map(a => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ')
}

export function stepEnvironment(
  step: CommandStep,
  envs: Environments,
  base = process.env
): Record<string, string> {
  // build code runs without the job's credentials
  const env = buildEnvironment(base)
  const tool = step.toolEnv ? envs[step.toolEnv] : undefined
  const extraPath = [...(tool?.path ?? []), ...(envs.wasmtime?.path ?? [])]
  Object.assign(env, tool?.vars ?? {}, step.env)
  for (const name of step.unset ?? []) delete env[name]
  if (extraPath.length > 0) env.PATH = [...extraPath, env.PATH ?? ''].join(path.delimiter)
  return env
}

/** Keeps the last lines of a stream without holding all of it. */
class Tail {
  private lines: string[] = []
  private partial = ''
  /** lines seen in all */
  count = 0
  push(chunk: Buffer): void {
    const parts = (this.partial + chunk.toString()).split('\n')
    this.partial = parts.pop() ?? ''
    this.count += parts.length
    this.lines.push(...parts)
    if (this.lines.length > TAIL_LINES * 4) this.lines = this.lines.slice(-TAIL_LINES)
  }
  text(): string {
    return [...this.lines, this.partial]
      .filter(l => l !== '')
      .slice(-TAIL_LINES)
      .join('\n')
  }
  last(): string {
    return [...this.lines, this.partial].filter(l => l.trim() !== '').pop() ?? ''
  }
}

function progressSeconds(): number {
  const value = Number(process.env[PROGRESS_VARIABLE])
  return Number.isFinite(value) && value > 0 ? value : DEFAULT_PROGRESS_SECONDS
}

export interface StepOutput {
  /** print the step's output as it comes (the runner's log group); it always goes to the step's log */
  echo?: boolean
  /** steps not to run, and why (a restored build tree made them unneeded) */
  skip?: ReadonlyMap<string, string>
  /** called before each step that runs */
  before?: (step: CommandStep) => Promise<void>
}

export async function runStep(
  step: CommandStep,
  envs: Environments,
  { echo = true }: StepOutput = {}
): Promise<void> {
  fs.mkdirSync(step.cwd, { recursive: true })
  fs.mkdirSync(path.dirname(step.log), { recursive: true })
  const log = fs.createWriteStream(step.log)
  const tail = new Tail()
  const record = (data: Buffer): void => {
    log.write(data)
    tail.push(data)
  }
  log.write(`$ ${formatArgv(step.argv)}\n# in ${step.cwd}\n`)
  // output that goes to the log file only: a long configure or make says it is alive
  const started = Date.now()
  const ticker = echo
    ? undefined
    : setInterval(() => {
        const last = tail.last().trim()
        core.info(
          `${step.title}: ${Math.round((Date.now() - started) / 1000)} s, ${tail.count} lines of output` +
            (last ? `; last: ${last.length > 120 ? `${last.slice(0, 117)}...` : last}` : '')
        )
      }, progressSeconds() * 1000)
  let code: number
  try {
    code = await exec.exec(step.argv[0], step.argv.slice(1), {
      cwd: step.cwd,
      env: stepEnvironment(step, envs),
      ignoreReturnCode: true,
      silent: !echo,
      listeners: { stdout: record, stderr: record }
    })
  } catch (e) {
    // exec throws when the program cannot be started at all
    record(Buffer.from(`${(e as Error).message}\n`))
    code = 127
  } finally {
    clearInterval(ticker)
    await new Promise(resolve => log.end(resolve))
  }
  if (code !== 0) throw new StepError(step, code, tail.text())
}

export interface StepTiming {
  id: string
  title: string
  seconds: number
  outcome: 'ran' | 'skipped' | 'failed'
}

export async function runSteps(
  steps: CommandStep[],
  envs: Environments,
  cached: (id: string) => boolean,
  output: StepOutput = {}
): Promise<StepTiming[]> {
  const timings: StepTiming[] = []
  for (let step of steps) {
    const skipped =
      step.skipIfCached && cached(step.skipIfCached)
        ? `restored from the cache (${step.skipIfCached})`
        : output.skip?.get(step.id)
    if (skipped) {
      core.info(`Skipping "${step.title}": ${skipped}`)
      timings.push({ id: step.id, title: step.title, seconds: 0, outcome: 'skipped' })
      continue
    }
    if (step.onCacheHit && cached(step.onCacheHit.entry)) {
      core.info(`"${step.title}": ${step.onCacheHit.entry} was restored; checking it instead`)
      step = { ...step, argv: step.onCacheHit.argv }
    }
    await output.before?.(step)
    const started = Date.now()
    try {
      await core.group(step.title, () => runStep(step, envs, output))
      timings.push({
        id: step.id,
        title: step.title,
        seconds: (Date.now() - started) / 1000,
        outcome: 'ran'
      })
    } catch (e) {
      timings.push({
        id: step.id,
        title: step.title,
        seconds: (Date.now() - started) / 1000,
        outcome: 'failed'
      })
      ;(e as { timings?: StepTiming[] }).timings = timings
      throw e
    }
  }
  return timings
}
