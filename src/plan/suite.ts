/**
 * CPython's own test suite (test: suite), run with each collected Node and
 * WASI build the way its users start it (see smoke.ts), in the interpreter's
 * own process: a wasm build starts no worker processes. The options follow
 * what CPython's CI runs on wasm: `-m test -v -uall --rerun --single-process
 * -W` for Emscripten (Platforms/emscripten/config.toml test-args, python/cpython
 * 6e595983), minus the verbose log and the re-run (which 3.11's regrtest names
 * -w), and with a JUnit file the action reads for its counts and annotations.
 */
import * as path from 'node:path'
import type { CheckoutFacts } from '../checkout/detect.js'
import type { Inputs } from '../inputs/index.js'
import type { RunnerFacts } from '../runner/types.js'
import { artifactCopy, launch, wasiStdlib } from './smoke.js'
import type { ArtifactPlan, SuiteRun } from './types.js'

/** The stack the test suite needs under wasmtime: CPython's 3.14 WASI host runner (Tools/wasm/wasi/__main__.py, python/cpython b994bc7a). */
const WASMTIME_STACK = ['--wasm', 'max-wasm-stack=16777216']

const JUNIT = 'test-results.xml'

/** The artifacts the suite runs with: the browser build gets its smoke test only. */
export const suiteTargets = (artifacts: ArtifactPlan[]): ArtifactPlan[] =>
  artifacts.filter(a => a.target !== 'emscripten-browser')

export function suiteRun(
  artifact: ArtifactPlan,
  facts: CheckoutFacts,
  runner: RunnerFacts,
  inputs: Pick<Inputs, 'testArgs' | 'testTimeout'>,
  wasiRunner: string[],
  wasiRunnerKind: 'wasmtime' | 'node-wasi',
  logDir: string
): SuiteRun {
  const copy = artifactCopy(runner, 'suite', artifact)
  const started = launch(
    artifact,
    copy,
    wasiRunner,
    wasiRunnerKind === 'wasmtime' ? WASMTIME_STACK : []
  )
  // the WASI guest sees the copy as /; the Node build reads the host's files
  const junitInGuest = artifact.target === 'wasi' ? `/${JUNIT}` : path.join(copy, JUNIT)
  const chooses = (flag: RegExp): boolean => inputs.testArgs.some(a => flag.test(a))
  return {
    target: artifact.target,
    runner: artifact.target === 'wasi' ? wasiRunnerKind : 'node',
    argv: [
      ...started.argv,
      '-m',
      'test',
      ...(chooses(/^(-u|--use\b)/) ? [] : ['-uall']),
      '-W',
      '--junit-xml',
      junitInGuest,
      ...inputs.testArgs
    ],
    cwd: started.cwd,
    env: artifact.target === 'wasi' ? {} : { NODE: runner.nodePath },
    copy: started.copy,
    // the artifact leaves the tests out; the suite takes them from the checkout
    tests: {
      from: path.join(facts.root, 'Lib', 'test'),
      to: path.join(copy, wasiStdlib(facts), 'test')
    },
    junit: path.join(copy, JUNIT),
    junitLog: path.join(logDir, `test-results-${artifact.target}.xml`),
    log: path.join(logDir, `test-suite-${artifact.target}.log`),
    timeoutMinutes: inputs.testTimeout
  }
}
