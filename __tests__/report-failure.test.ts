/** The one place a failure becomes the step's error: expected errors without a stack, bugs with one. */
import { afterEach, describe, expect, jest, test } from '@jest/globals'
import { ArtifactUploadError } from '../src/artifacts/index.js'
import { UnsupportedToolchainError } from '../src/catalog/downloads.js'
import { ActionError } from '../src/catalog/errors.js'
import { CheckoutError } from '../src/checkout/detect.js'
import { StepError } from '../src/execute/executor.js'
import { PlanError } from '../src/plan/types.js'
import { InputError } from '../src/inputs/index.js'
import { reportFailure, RunRecord } from '../src/report/index.js'
import { RunnerError } from '../src/runner/index.js'
import { SmokeTestError } from '../src/smoke/run.js'

function failWith(
  error: unknown,
  started: boolean,
  record = new RunRecord()
): { text: string; record: RunRecord } {
  const written: string[] = []
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation(chunk => {
    written.push(String(chunk))
    return true
  })
  try {
    reportFailure(error, record, started)
  } finally {
    spy.mockRestore()
  }
  return { text: written.filter(l => l.startsWith('::error::')).join(''), record }
}

afterEach(() => {
  process.exitCode = undefined
})

describe('reportFailure', () => {
  test.each([
    ['an upload conflict', new ArtifactUploadError('artifact name taken; set artifact-name')],
    ['bad inputs', new InputError(['targets: "x" is not valid'])],
    ['a runner that cannot run the action', new RunnerError('runs-on: Linux only')],
    ['a plan the checkout cannot do', new PlanError(['pthreads: no --enable-wasm-pthreads'])],
    ['a checkout that is not CPython', new CheckoutError('no numeric PY_MAJOR_VERSION')],
    ['a toolchain without a build for the CPU', new UnsupportedToolchainError('no arm64 build')],
    [
      'a failed build step',
      new StepError(
        {
          id: 'c',
          title: 'Configure',
          part: 'wasi',
          argv: ['configure'],
          cwd: '/',
          env: {},
          log: '/l'
        },
        77,
        'configure: error: no'
      )
    ],
    [
      'a failed smoke test',
      new SmokeTestError(
        { target: 'wasi', runner: 'wasmtime' },
        { problems: ['exit code 1'], output: 'boom' }
      )
    ]
  ])('%s: the message alone, no stack trace', (_what, error) => {
    expect(error).toBeInstanceOf(ActionError)
    const { text } = failWith(error, true)
    expect(text).toContain(error.message.split('\n')[0].replace(/\n/g, '%0A'))
    expect(text).not.toMatch(/\bat .*\.(ts|js):\d+/)
    expect(process.exitCode).toBe(1)
  })

  test('a bug keeps its stack and names the phase it broke in', () => {
    const record = new RunRecord()
    record.failure = { step: 'Collect the builds', message: 'x is undefined' }
    const { text } = failWith(new TypeError('x is undefined'), true, record)
    expect(text).toMatch(/::error::Collect the builds failed: TypeError: x is undefined%0A\s+at /)
  })

  test('before the build starts, the failure is recorded as the inputs and plan phase', () => {
    const { record } = failWith(new InputError(['only: "x" is not valid']), false)
    expect(record.failure?.step).toBe('Inputs and plan')
  })
})
