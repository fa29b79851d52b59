/**
 * test: suite — the plan of CPython's test suite per artifact, the JUnit
 * reader, the outputs and summary it feeds, and the logs artifact that
 * carries the JUnit files. The suite itself runs for real in the end-to-end
 * tests (3.11.2 and 3.13.5 wasi, 3.11.2 emscripten-node).
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { gatherLogs } from '../src/artifacts/index.js'
import { inspectCheckout } from '../src/checkout/detect.js'
import { loadInputs } from '../src/inputs/index.js'
import { makePlan } from '../src/plan/index.js'
import { summaryMarkdown } from '../src/report/summary.js'
import { failedModules, moduleOf, readJunit } from '../src/smoke/junit.js'
import { runSuite, SuiteFailedError, suitePassed } from '../src/smoke/suite.js'
import { checkoutWithLayout } from './support/checkout-layouts.js'
import { runnerFacts } from './support/runner-facts.js'

function planFor(
  inputs: Record<string, string>,
  layout: 'manual' | 'platforms' = 'manual',
  runner = runnerFacts()
) {
  const root = checkoutWithLayout(layout)
  const values: Record<string, string> = { source: root, ...inputs }
  return makePlan(
    loadInputs(name => values[name] ?? ''),
    inspectCheckout(root),
    runner
  )
}

describe('the plan of test: suite', () => {
  test('WASI: the artifact mapped to /, python.wasm by its relative name, the tests copied in', () => {
    const plan = planFor({
      targets: 'wasi',
      test: 'suite',
      'test-args': 'test_json "test_re" -x test_zipfile'
    })
    expect(plan.suite).toHaveLength(1)
    const [run] = plan.suite
    const copy = '/runner/temp/cpython-wasm/suite/wasi'
    expect(run.copy).toEqual({ from: `${plan.artifactsDir}/wasi`, to: copy })
    expect(run.cwd).toBe(copy)
    expect(run.tests).toEqual({
      from: `${plan.source}/Lib/test`,
      to: `${copy}/lib/python3.11/test`
    })
    const at = run.argv.indexOf('python.wasm')
    expect(run.argv.slice(at - 2, at)).toEqual(['--dir', '.::/'])
    // no PYTHONHOME, no PYTHONPATH: the interpreter finds its own stdlib
    expect(run.argv.join(' ')).not.toMatch(/PYTHON(HOME|PATH)/)
    expect(run.env).toEqual({})
    expect(run.argv.slice(at + 1)).toEqual([
      '-m',
      'test',
      '-uall',
      '-W',
      '--junit-xml',
      '/test-results.xml',
      'test_json',
      'test_re',
      '-x',
      'test_zipfile'
    ])
    expect(run.junit).toBe(`${copy}/test-results.xml`)
    expect(run.junitLog).toMatch(/\/logs\/test-results-wasi\.xml$/)
    // the smoke test runs the same way, without PYTHONHOME
    const smoke = plan.smoke[0]
    expect(smoke.argv.join(' ')).not.toMatch(/PYTHONHOME/)
    expect(smoke.copy?.to).toBe('/runner/temp/cpython-wasm/smoke/wasi')
    expect(smoke.cwd).toBe(smoke.copy?.to)
  })

  test('wasmtime gets the stack CPython runs its tests with; a -u in test-args replaces -uall', () => {
    const plan = planFor({
      targets: 'wasi',
      test: 'suite',
      'wasmtime-version': '38.0.3',
      'test-args': '-u none test_math'
    })
    const argv = plan.suite[0].argv
    expect(argv.slice(1, 4)).toEqual(['run', '--wasm', 'max-wasm-stack=16777216'])
    expect(argv).not.toContain('-uall')
    expect(argv.slice(-3)).toEqual(['-u', 'none', 'test_math'])
  })

  test("node builds run through the artifact's python.sh; the browser build gets only its smoke test", () => {
    const plan = planFor({ targets: 'emscripten-node emscripten-browser', test: 'suite' })
    expect(plan.suite.map(s => s.target)).toEqual(['emscripten-node'])
    const [run] = plan.suite
    expect(run.argv[0]).toBe('/runner/temp/cpython-wasm/suite/emscripten-node/python.sh')
    expect(run.argv).toContain(`${run.copy.to}/test-results.xml`)
    expect(run.env.NODE).toMatch(/node$/)
    expect(plan.targets.find(t => t.target === 'emscripten-browser')?.notes.join(' ')).toMatch(
      /browser build gets its smoke test/
    )
    expect(plan.smoke.map(s => s.target)).toEqual(['emscripten-node', 'emscripten-browser'])
  })

  test('3.14+: the same, with lib/python3.X from the branch', () => {
    const plan = planFor({ targets: 'wasi emscripten-node', test: 'suite' }, 'platforms')
    expect(plan.suite.map(s => s.tests.to.replace(/.*\/suite\//, ''))).toEqual([
      'wasi/lib/python3.15/test',
      'emscripten-node/lib/python3.15/test'
    ])
  })

  test('test: smoke and none plan no suite', () => {
    expect(planFor({ targets: 'wasi' }).suite).toEqual([])
    expect(planFor({ targets: 'wasi', test: 'none' })).toMatchObject({ suite: [], smoke: [] })
  })
})

/** What regrtest writes (Lib/test/support/testresult.py): one testsuite per module. */
const JUNIT = [
  '<testsuites tests="5" errors="1" failures="1">',
  '<testsuite start="x" tests="3" errors="0" failures="1">',
  '<testcase name="test.test_json.test_dump.TestDump.test_dump" status="run" result="completed" time="0.001" />',
  '<testcase name="test.test_json.test_dump.TestDump.test_bad" status="run" result="completed" time="0.001">',
  '<failure type="AssertionError" message="AssertionError: 1 != 2 : &quot;on&quot; purpose&#10;">Traceback ...</failure>',
  '<system-out /></testcase>',
  '<testcase name="test.test_json.test_dump.TestDump.test_skip" status="run" result="completed"><skipped>needs zlib</skipped></testcase>',
  '</testsuite>',
  '<testsuite start="y" tests="2" errors="1" failures="0">',
  '<testcase name="test.test_re.ReTests.test_x" status="run" result="completed"><error type="ValueError" message="ValueError: bad &lt;x&gt;&#10;" /></testcase>',
  '<testcase name="test.test_re.ReTests.test_y" status="run" result="completed" time="0.2" />',
  '</testsuite></testsuites>'
].join('')

describe('the JUnit file', () => {
  test('counts run, failed and skipped test cases and names each failure', () => {
    const read = readJunit(JUNIT)
    expect(read).toMatchObject({ run: 5, failed: 2, skipped: 1 })
    expect(read.failures).toEqual([
      {
        module: 'test_json',
        name: 'test.test_json.test_dump.TestDump.test_bad',
        kind: 'failure',
        message: 'AssertionError: 1 != 2 : "on" purpose'
      },
      {
        module: 'test_re',
        name: 'test.test_re.ReTests.test_x',
        kind: 'error',
        message: 'ValueError: bad <x>'
      }
    ])
    expect(moduleOf('json.encoder.JSONEncoder.encode')).toBe('json')
  })

  test("regrtest's summary names modules that failed before any test case ran", () => {
    const output = [
      '== Tests result: FAILURE ==',
      '',
      '23 tests OK.',
      '',
      '2 tests failed:',
      '    test_broken_import test_json',
      '',
      '1 test skipped:',
      '    test_zlib',
      '',
      '1 test failed again:',
      '    test_json'
    ].join('\n')
    expect(failedModules(output).sort()).toEqual(['test_broken_import', 'test_json'])
    expect(failedModules('== Tests result: SUCCESS ==\n\n25 tests OK.')).toEqual([])
  })
})

describe('results', () => {
  const passed = {
    target: 'wasi' as const,
    run: 2433,
    failed: 0,
    skipped: 40,
    seconds: 9.5,
    failedModules: [],
    junit: 'test-results-wasi.xml'
  }
  const failed = {
    ...passed,
    target: 'emscripten-node' as const,
    failed: 1,
    failedModules: ['test_json'],
    junit: 'test-results-emscripten-node.xml'
  }

  test('a failed test case, a failed module or a crash fails the suite, and the error names them', () => {
    expect(suitePassed(passed)).toBe(true)
    expect(suitePassed(failed)).toBe(false)
    expect(suitePassed({ ...passed, problem: 'the test run wrote no JUnit file' })).toBe(false)
    expect(new SuiteFailedError([passed, failed]).message).toBe(
      "CPython's test suite failed: emscripten-node: 1 of 2433 test cases failed (test_json)"
    )
  })

  test('the job summary has a table of the counts and points at the JUnit files', () => {
    const plan = planFor({ targets: 'wasi emscripten-node', test: 'suite' })
    const text = summaryMarkdown({
      plan,
      timings: [],
      suite: [passed, failed],
      logsArtifact: { name: 'python-3.11.2-logs', id: 7 }
    })
    expect(text).toContain("### CPython's test suite")
    expect(text).toContain('| wasi | ✅ passed | 2433 | 0 | 40 | 9.5 s | - |')
    expect(text).toContain('| emscripten-node | ❌ failed | 2433 | 1 | 40 | 9.5 s | test_json |')
    expect(text).toContain(
      'JUnit files (`test-results-wasi.xml`, `test-results-emscripten-node.xml`) and the full test output are in the logs artifact **python-3.11.2-logs**.'
    )
  })

  test('the logs artifact carries the JUnit files and the full output beside the step logs', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cwa-suite-logs-'))
    const plan = planFor(
      { targets: 'wasi', test: 'suite' },
      'manual',
      runnerFacts({ tempDir: dir })
    )
    const junit = path.join(dir, 'test-results-wasi.xml')
    const log = path.join(dir, 'test-suite-wasi.log')
    fs.writeFileSync(junit, JUNIT)
    fs.writeFileSync(log, 'ran with token s3cr3t\n')
    const stepLog = plan.steps[0].log
    fs.mkdirSync(path.dirname(stepLog), { recursive: true })
    fs.writeFileSync(stepLog, 'configure output\n')
    const staging = path.join(dir, 'staging')
    const files = gatherLogs(plan, staging, [junit, log], ['s3cr3t'])
    expect(files).toEqual([
      `steps/${path.basename(stepLog)}`,
      'test-results-wasi.xml',
      'test-suite-wasi.log'
    ])
    expect(fs.readFileSync(path.join(staging, 'test-results-wasi.xml'), 'utf8')).toBe(JUNIT)
    expect(fs.readFileSync(path.join(staging, 'test-suite-wasi.log'), 'utf8')).toBe(
      'ran with token ***\n'
    )
  })
})

describe('running the suite', () => {
  /** A stand-in interpreter (a unit test of the runner, not of CPython): prints and writes what it is told. */
  function standIn(script: string, timeoutMinutes = 1) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cwa-suite-run-'))
    const artifact = path.join(dir, 'artifact')
    const tests = path.join(dir, 'Lib', 'test')
    fs.mkdirSync(artifact, { recursive: true })
    fs.mkdirSync(tests, { recursive: true })
    fs.writeFileSync(path.join(tests, 'test_x.py'), '')
    fs.writeFileSync(path.join(dir, 'interpreter.mjs'), script)
    const copy = path.join(dir, 'copy')
    return {
      target: 'wasi' as const,
      runner: 'node-wasi' as const,
      argv: [process.execPath, path.join(dir, 'interpreter.mjs'), path.join(copy, 'junit.xml')],
      cwd: dir,
      env: {},
      copy: { from: artifact, to: copy },
      tests: { from: tests, to: path.join(copy, 'lib', 'python3.11', 'test') },
      junit: path.join(copy, 'junit.xml'),
      junitLog: path.join(dir, 'logs', 'test-results-wasi.xml'),
      log: path.join(dir, 'logs', 'test-suite-wasi.log'),
      timeoutMinutes
    }
  }

  test('counts from the JUnit file, the tests copied in, the file kept for the logs artifact', async () => {
    const suite = standIn(
      [
        "import * as fs from 'node:fs'",
        `fs.writeFileSync(process.argv[2], ${JSON.stringify(JUNIT)})`,
        "console.log('0:00:00 [1/2] test_json')",
        "console.log('2 tests failed:\\n    test_json test_re\\n')",
        'process.exitCode = 2'
      ].join('\n')
    )
    const result = await runSuite(suite)
    expect(result).toMatchObject({
      exitCode: 2,
      run: 5,
      failed: 2,
      skipped: 1,
      failedModules: ['test_json', 'test_re'],
      junit: 'test-results-wasi.xml'
    })
    expect(result.problem).toBeUndefined()
    expect(fs.existsSync(path.join(suite.tests.to, 'test_x.py'))).toBe(true)
    expect(fs.readFileSync(suite.junitLog, 'utf8')).toBe(JUNIT)
    expect(fs.readFileSync(suite.log, 'utf8')).toContain('2 tests failed:')
  })

  test('a crash with no JUnit file is a problem, not a pass', async () => {
    const result = await runSuite(standIn("process.kill(process.pid, 'SIGSEGV')"))
    expect(result.problem).toMatch(
      /wrote no JUnit file \(exit code 139, killed by a signal: the interpreter crashed\)/
    )
    expect(suitePassed(result)).toBe(false)
  })

  test('a run past test-timeout is stopped, naming the test it was in', async () => {
    const suite = standIn(
      "console.log('0:00:00 [ 1/26] test_json\\n0:00:01 [ 2/26] test_functools'); setInterval(() => {}, 1000)",
      0.02
    )
    const result = await runSuite(suite)
    expect(result.problem).toMatch(
      /^the test run was stopped after 0.02 min \(test-timeout\) while running test_functools; see test-suite-wasi.log/
    )
    expect(result.failedModules).toEqual(['test_functools'])
  })
})
