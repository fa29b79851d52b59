/** Runs CPython's test suite with a collected artifact and reads its JUnit file. */
import * as core from '@actions/core'
import { spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import type { SuiteRun } from '../plan/types.js'
import { ActionError } from '../catalog/errors.js'
import { buildEnvironment } from '../catalog/secrets.js'
import { formatArgv } from '../execute/executor.js'
import { failedModules, readJunit, type FailedCase, type SuiteCounts } from './junit.js'

export interface SuiteResult extends SuiteCounts {
  target: SuiteRun['target']
  exitCode: number
  seconds: number
  /** test modules regrtest reported as failed */
  failedModules: string[]
  failures: FailedCase[]
  /** the JUnit file kept for the logs artifact (absent when the run wrote none) */
  junit?: string
  /** what went wrong besides failed tests: no JUnit file, a crash */
  problem?: string
}

type Outcome = Pick<SuiteResult, 'target' | 'run' | 'failed' | 'failedModules' | 'problem'>

export const suitePassed = (r: Outcome): boolean =>
  r.failed === 0 && r.failedModules.length === 0 && !r.problem

/** Failed tests with test-failures: fail; the counts and annotations say which. */
export class SuiteFailedError extends ActionError {
  constructor(results: Outcome[]) {
    super(
      `CPython's test suite failed: ${results
        .filter(r => !suitePassed(r))
        .map(
          r =>
            `${r.target}: ${r.problem ?? `${r.failed} of ${r.run} test cases failed (${r.failedModules.join(', ') || 'see the log'})`}`
        )
        .join('; ')}`
    )
  }
}

export async function runSuite(suite: SuiteRun): Promise<SuiteResult> {
  fs.rmSync(suite.copy.to, { recursive: true, force: true })
  fs.cpSync(suite.copy.from, suite.copy.to, { recursive: true })
  fs.cpSync(suite.tests.from, suite.tests.to, { recursive: true })
  fs.mkdirSync(path.dirname(suite.log), { recursive: true })
  core.info(`$ ${formatArgv(suite.argv)}  (in ${suite.cwd})`)
  const log = fs.openSync(suite.log, 'w')
  const started = Date.now()
  let output = ''
  let timedOut = false
  const exitCode = await new Promise<number>((resolve, reject) => {
    const child = spawn(suite.argv[0], suite.argv.slice(1), {
      cwd: suite.cwd,
      // the built interpreter runs without the job's credentials
      env: { ...buildEnvironment(process.env), ...suite.env },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    const take = (data: Buffer): void => {
      fs.writeSync(log, data)
      output += data.toString()
    }
    child.stdout.on('data', take)
    child.stderr.on('data', take)
    // regrtest's own --timeout needs threads, which most wasm builds lack
    const timer = setTimeout(
      () => {
        timedOut = true
        child.kill('SIGKILL')
      },
      suite.timeoutMinutes * 60 * 1000
    )
    child.on('error', error => {
      clearTimeout(timer)
      reject(error)
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve(code ?? (signal ? 128 + (os.constants.signals[signal] ?? 0) : 1))
    })
  }).finally(() => fs.closeSync(log))
  const seconds = (Date.now() - started) / 1000
  // regrtest prints a line per module, then the summary: the log keeps all of it
  const summaryAt = output.search(/^== Tests result|^Total duration/m)
  core.info(
    summaryAt >= 0 ? output.slice(Math.max(0, summaryAt - 2000)).trim() : output.slice(-4000)
  )
  const failed = failedModules(output)
  /** A run that left no counts to read: it stopped, or it crashed before writing them. */
  const noCounts = (failedModules: string[], problem: string): SuiteResult => ({
    target: suite.target,
    exitCode,
    seconds,
    run: 0,
    failed: 0,
    skipped: 0,
    failedModules,
    failures: [],
    problem: `${problem}; see ${path.basename(suite.log)} in the logs artifact`
  })
  if (timedOut) {
    // regrtest names each test module as it starts it: "0:01:02 [ 7/26] test_x"
    const running = [...output.matchAll(/\[\s*\d+\/\d+\]\s+(test_\w+)/g)].pop()?.[1]
    return noCounts(
      running ? [running] : [],
      `the test run was stopped after ${suite.timeoutMinutes} min (test-timeout)${
        running ? ` while running ${running}` : ''
      }`
    )
  }
  if (!fs.existsSync(suite.junit))
    return noCounts(
      failed,
      `the test run wrote no JUnit file (exit code ${exitCode}${
        exitCode > 128 ? ', killed by a signal: the interpreter crashed' : ''
      })`
    )
  fs.copyFileSync(suite.junit, suite.junitLog)
  const read = readJunit(fs.readFileSync(suite.junit, 'utf8'))
  const modules = [...new Set([...failed, ...read.failures.map(f => f.module)])].sort()
  // regrtest exits 0 when every test passed; anything else with no failed test is a crash
  const problem =
    exitCode !== 0 && modules.length === 0
      ? `the test run ended with exit code ${exitCode} although no test failed${
          exitCode > 128 ? ' (killed by a signal: the interpreter crashed)' : ''
        }`
      : undefined
  return {
    target: suite.target,
    exitCode,
    seconds,
    run: read.run,
    failed: read.failed,
    skipped: read.skipped,
    failedModules: modules,
    failures: read.failures,
    junit: path.basename(suite.junitLog),
    ...(problem ? { problem } : {})
  }
}

/** One error annotation per failed test case (and per failed module without one). */
export function annotateFailures(result: SuiteResult, asErrors: boolean): void {
  const say = asErrors ? core.error : core.warning
  const named = new Set<string>()
  for (const f of result.failures.slice(0, 50)) {
    named.add(f.module)
    say(`${f.name}: ${f.message || f.kind}`, {
      title: `${result.target}: ${f.module} failed`
    })
  }
  for (const module of result.failedModules)
    if (!named.has(module))
      say(`${module} failed on ${result.target} (see the test suite log)`, {
        title: `${result.target}: ${module} failed`
      })
  if (result.failures.length > 50)
    say(
      `${result.failures.length - 50} more failed test cases on ${result.target}: see the JUnit file`
    )
  if (result.problem)
    say(`${result.target}: ${result.problem}`, { title: `${result.target}: test suite` })
}
