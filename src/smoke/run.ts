/** Runs the plan's smoke tests and checks each report. */
import * as core from '@actions/core'
import * as exec from '@actions/exec'
import * as fs from 'node:fs'
import type { SmokeTest } from '../plan/types.js'
import { ActionError } from '../catalog/errors.js'
import { buildEnvironment } from '../catalog/secrets.js'
import { formatArgv } from '../execute/executor.js'

/** A built interpreter that did not run as expected; the message carries what it printed. */
export class SmokeTestError extends ActionError {
  constructor(
    test: Pick<SmokeTest, 'target' | 'runner'>,
    result: Pick<SmokeResult, 'problems' | 'output'>
  ) {
    super(
      `Smoke test ${test.target} (${test.runner}) failed: ${result.problems.join('; ')}\n` +
        `Last lines of its output:\n${result.output.trim().split('\n').slice(-20).join('\n')}`
    )
  }
}

/** What CPython's startup prints when getpath finds no stdlib (Modules/getpath.py, Python/pylifecycle.c). */
export const STDLIB_MISSING =
  /Could not find platform independent libraries|No module named 'encodings'/

export interface SmokeResult {
  target: SmokeTest['target']
  runner: SmokeTest['runner']
  passed: boolean
  report?: Record<string, unknown>
  problems: string[]
  output: string
}

export function checkReport(
  test: SmokeTest,
  output: string
): { report?: Record<string, unknown>; problems: string[] } {
  const line = output.split('\n').find(l => l.startsWith('SMOKE-REPORT '))
  if (!line)
    return {
      problems: [
        STDLIB_MISSING.test(output)
          ? 'the interpreter did not find its standard library (lib/python3.X next to it)'
          : 'the interpreter printed no report'
      ]
    }
  let report: Record<string, unknown>
  try {
    report = JSON.parse(line.slice('SMOKE-REPORT '.length)) as Record<string, unknown>
  } catch {
    return { problems: [`the report is not JSON: ${line.slice(0, 200)}`] }
  }
  const problems: string[] = []
  for (const key of ['platform', 'machine', 'version'] as const) {
    if (report[key] !== test.expect[key])
      problems.push(
        `${key} is ${JSON.stringify(report[key])}, expected ${JSON.stringify(test.expect[key])}`
      )
  }
  const imported = (report.imports as string[]) ?? []
  for (const m of test.expect.imports)
    if (!imported.includes(m)) problems.push(`import ${m} failed`)
  return { report, problems }
}

async function run(argv: string[], test: SmokeTest): Promise<{ code: number; output: string }> {
  const result = await exec.getExecOutput(argv[0], argv.slice(1), {
    cwd: test.cwd,
    // the built interpreter runs without the job's credentials
    env: { ...buildEnvironment(process.env), ...test.env },
    ignoreReturnCode: true,
    silent: true
  })
  return { code: result.exitCode, output: result.stdout + result.stderr }
}

export async function runSmokeTest(test: SmokeTest): Promise<SmokeResult> {
  if (test.copy) {
    // a copy in an unrelated folder: the artifact must not lean on the build tree
    fs.rmSync(test.copy.to, { recursive: true, force: true })
    fs.cpSync(test.copy.from, test.copy.to, { recursive: true })
    core.info(`Running a copy of ${test.copy.from} in ${test.copy.to}`)
  }
  let { code, output } = await run(test.argv, test)
  // Emscripten before about 3.1.2x calls fetch() on a file path, which Node
  // 18+ rejects; the artifact's python.sh takes Node options from NODEFLAGS
  if (test.runner === 'node' && code !== 0 && /ERR_INVALID_URL|fetch failed/.test(output)) {
    core.info(
      'This Emscripten build uses fetch() on file paths; running again with NODEFLAGS=--no-experimental-fetch'
    )
    test = { ...test, env: { ...test.env, NODEFLAGS: '--no-experimental-fetch' } }
    ;({ code, output } = await run(test.argv, test))
  }
  const shown = Object.entries(test.env).map(([k, v]) => `${k}=${v} `)
  core.info(
    `$ ${shown.join('')}${formatArgv(test.argv.map(a => (a.includes('\n') ? '<smoke test code>' : a)))}`
  )
  core.info(output.trim())
  const { report, problems } = checkReport(test, output)
  if (report)
    core.info(`sys.prefix: ${String(report.prefix)}\nsys.path: ${JSON.stringify(report.path)}`)
  if (code !== 0) problems.unshift(`exit code ${code}`)
  return {
    target: test.target,
    runner: test.runner,
    passed: problems.length === 0,
    report,
    problems,
    output
  }
}
