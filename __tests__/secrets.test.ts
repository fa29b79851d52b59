/**
 * Build code and the built interpreters never see the job's credentials, and
 * the logs artifact carries none of their values: in process for each place
 * the action starts such code, and through the bundle with a checkout whose
 * configure prints its environment, against the loopback artifact service.
 */
import { DefaultArtifactClient } from '@actions/artifact'
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { gatherLogs, listFiles } from '../src/artifacts/index.js'
import { pythonRuns } from '../src/cache/index.js'
import {
  buildEnvironment,
  CREDENTIAL_VARIABLES,
  redact,
  secretValues
} from '../src/catalog/secrets.js'
import { stepEnvironment } from '../src/execute/executor.js'
import type { CommandStep, SmokeTest } from '../src/plan/types.js'
import { spawnServeScript } from '../src/smoke/browser.js'
import { runSmokeTest } from '../src/smoke/run.js'
import { writeTree } from './support/checkout-layouts.js'
import { FakeArtifactService } from './support/fake-artifact-service.js'
import { makeFakeCheckout } from './support/fake-checkout.js'
import { makeRunnerDirs, runAction, runtimeToken } from './support/harness.js'

jest.setTimeout(60000)

const tmp = (prefix: string): string => fs.mkdtempSync(path.join(os.tmpdir(), prefix))

/** The action's github-token input, as the runner passes it. */
const INPUT_TOKEN = 'ghs_inputTokenOfTheAction0123456789abcdef'

/** What the runner gives an action's step besides the artifact service's pair, and what a workflow may export. */
const CREDENTIALS: Record<string, string> = {
  ACTIONS_CACHE_URL: 'https://cache.example/secret-cache-scope/',
  ACTIONS_RUNTIME_URL: 'https://pipelines.example/secret-runtime/',
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'oidc-request-token-0123456789',
  ACTIONS_ID_TOKEN_REQUEST_URL: 'https://oidc.example/token?audience=secret-audience',
  GITHUB_TOKEN: 'ghs_exportedByTheWorkflow0123456789abcdef',
  GH_TOKEN: 'ghs_exportedForTheCli0123456789abcdef',
  'INPUT_GITHUB-TOKEN': INPUT_TOKEN
}

let service: FakeArtifactService
const savedEnv = { ...process.env }

beforeAll(async () => {
  service = await new FakeArtifactService(runtimeToken()).start()
})

afterAll(async () => {
  process.env = savedEnv
  await service.stop()
})

/** Every credential of a step, with the artifact service's token and URL. */
const jobCredentials = (): Record<string, string> => ({ ...service.env(), ...CREDENTIALS })

/**
 * Runs fn with the job's credentials in this process's environment, and one
 * more variable that build code must still see: a child that gets neither
 * was not given this environment at all (under jest, one started without an
 * env sees the worker's own, not the test's process.env).
 */
async function withCredentials<T>(fn: () => Promise<T>): Promise<T> {
  const saved = { ...process.env }
  Object.assign(process.env, jobCredentials(), { CWA_VISIBLE: 'not-a-secret' })
  try {
    return await fn()
  } finally {
    process.env = saved
  }
}

function expectNoCredentials(text: string): void {
  for (const [name, value] of Object.entries(jobCredentials())) {
    expect([name, text.includes(`${name}=`)]).toEqual([name, false])
    expect([name, text.includes(value)]).toEqual([name, false])
  }
}

describe('the credentials', () => {
  test('are every variable the runner hands an action for a service, and the token input', () => {
    expect([...CREDENTIAL_VARIABLES].sort()).toEqual(Object.keys(jobCredentials()).sort())
  })

  test('buildEnvironment drops them and keeps the rest', () => {
    const env = buildEnvironment({
      ...jobCredentials(),
      PATH: '/bin',
      HOME: '/h',
      UNSET: undefined,
      // the runner's command files: build code must not set env, PATH, outputs or state
      GITHUB_ENV: '/r/env',
      GITHUB_PATH: '/r/path',
      GITHUB_OUTPUT: '/r/out',
      GITHUB_STATE: '/r/state',
      GITHUB_STEP_SUMMARY: '/r/summary',
      GITHUB_WORKSPACE: '/w'
    })
    expect(env).toEqual({ PATH: '/bin', HOME: '/h', GITHUB_WORKSPACE: '/w' })
  })

  test('secretValues lists the set ones, longest first, and leaves out short ones', () => {
    expect(
      secretValues({ GITHUB_TOKEN: 'abcdef', GH_TOKEN: 'abcdefgh', ACTIONS_CACHE_URL: 'x' })
    ).toEqual(['abcdefgh', 'abcdef'])
    expect(secretValues({}, ['token-from-the-input', ''])).toEqual(['token-from-the-input'])
    expect(redact('a abcdefgh b abcdef', ['abcdefgh', 'abcdef'])).toBe('a *** b ***')
  })
})

describe('build code runs without them', () => {
  test('a plan step', () => {
    const step: CommandStep = {
      id: 'configure',
      title: 'Configure',
      part: 'wasi',
      argv: ['../../configure'],
      cwd: '/src/builddir/wasi',
      env: { CONFIG_SITE: 'x' },
      toolEnv: 'wasi-sdk',
      log: '/logs/configure.log'
    }
    const env = stepEnvironment(
      step,
      { 'wasi-sdk': { vars: { WASI_SDK_PATH: '/sdk' }, path: ['/sdk/bin'] } },
      { ...jobCredentials(), PATH: '/usr/bin', HOME: '/home/runner' }
    )
    expect(env).toEqual({
      PATH: `/sdk/bin${path.delimiter}/usr/bin`,
      HOME: '/home/runner',
      WASI_SDK_PATH: '/sdk',
      CONFIG_SITE: 'x'
    })
  })

  test('a smoke test', async () => {
    const test: SmokeTest = {
      target: 'wasi',
      runner: 'node-wasi',
      argv: ['sh', '-c', 'env'],
      cwd: tmp('cwa-smoke-env-'),
      env: { PYTHONHOME: '/' },
      expect: { platform: 'wasi', machine: 'wasm32', version: '3.13.5', imports: [] }
    }
    const result = await withCredentials(() => runSmokeTest(test))
    expect(result.output).toMatch(/^PYTHONHOME=\/$/m)
    expect(result.output).toMatch(/^CWA_VISIBLE=not-a-secret$/m)
    expectNoCredentials(result.output)
  })

  test("the browser bundle's serve.mjs", async () => {
    const dir = tmp('cwa-serve-env-')
    fs.writeFileSync(
      path.join(dir, 'serve.mjs'),
      [
        'for (const [k, v] of Object.entries(process.env)) console.log(`${k}=${v}`)',
        "console.log('Serving at http://127.0.0.1:9/')",
        'setInterval(() => {}, 1000)',
        ''
      ].join('\n')
    )
    const served = await withCredentials(() => spawnServeScript(dir))
    try {
      expect(served.log()).toMatch(/^CWA_VISIBLE=not-a-secret$/m)
      expectNoCredentials(served.log())
    } finally {
      await served.stop()
    }
  })

  test('a restored build Python, checked before it is trusted', async () => {
    const dir = tmp('cwa-python-env-')
    const python = path.join(dir, 'python')
    fs.writeFileSync(python, `#!/bin/sh\nenv > "${dir}/env.txt"\n`, { mode: 0o755 })
    expect(await withCredentials(() => pythonRuns(python))).toBe(true)
    const seen = fs.readFileSync(path.join(dir, 'env.txt'), 'utf8')
    expect(seen).toMatch(/^CWA_VISIBLE=not-a-secret$/m)
    expectNoCredentials(seen)
  })
})

describe('the logs artifact', () => {
  test('has every secret value replaced by ***, bytes that are not UTF-8 kept', () => {
    const root = tmp('cwa-logs-secrets-')
    const build = path.join(root, 'builddir', 'wasi')
    fs.mkdirSync(build, { recursive: true })
    const log = path.join(root, 'configure.log')
    fs.writeFileSync(log, `token ${INPUT_TOKEN} and ${CREDENTIALS.GH_TOKEN}\n`)
    fs.writeFileSync(
      path.join(build, 'config.log'),
      Buffer.concat([
        Buffer.from([0xff, 0xfe, 0x00]),
        Buffer.from(` ${CREDENTIALS.ACTIONS_ID_TOKEN_REQUEST_TOKEN} é\n`)
      ])
    )
    const staging = tmp('cwa-logs-staging-')
    const files = gatherLogs(
      {
        steps: [
          {
            id: 'c',
            title: 'c',
            part: 'wasi',
            argv: ['true'],
            cwd: build,
            env: {},
            log
          }
        ],
        artifacts: [],
        buildPython: ''
      },
      staging,
      [],
      secretValues(CREDENTIALS)
    )
    expect(files).toEqual(['config/wasi/config.log', 'steps/configure.log'])
    expect(fs.readFileSync(path.join(staging, 'steps/configure.log'), 'utf8')).toBe(
      'token *** and ***\n'
    )
    expect(fs.readFileSync(path.join(staging, 'config/wasi/config.log'))).toEqual(
      Buffer.concat([Buffer.from([0xff, 0xfe, 0x00]), Buffer.from(' *** é\n')])
    )
  })
})

describe('through the bundle', () => {
  test('a configure that prints its environment shows no credential, in the log or the logs artifact', async () => {
    const dirs = makeRunnerDirs()
    const source = makeFakeCheckout(path.join(dirs.workspace, 'cpython'))
    // configure prints its environment, and writes the token (which it found
    // some other way) into config.log, which the logs artifact takes
    writeTree(source, {
      configure: [
        '#!/bin/sh',
        'echo "environment of configure:"',
        'env',
        'echo "end of the environment"',
        `echo "configure: a token found elsewhere: ${INPUT_TOKEN}" > config.log`,
        'exit 1',
        ''
      ].join('\n')
    })
    fs.chmodSync(path.join(source, 'configure'), 0o755)
    const sdk = path.join(dirs.workspace, 'wasi-sdk')
    writeTree(sdk, { 'bin/clang': '#!/bin/sh\n' })

    const result = await runAction({
      dirs,
      inputs: {
        source,
        targets: 'wasi',
        'wasi-sdk-path': sdk,
        'wasmtime-version': 'none',
        cache: 'false',
        'github-token': INPUT_TOKEN
      },
      env: { ...jobCredentials(), CWA_VISIBLE: 'not-a-secret' }
    })
    expect(result.exitCode).toBe(1)

    // the step's group in the log: the environment was printed, without them
    const group = /::group::Configure the build Python\n([\s\S]*?)::endgroup::/.exec(
      result.stdout
    )?.[1]
    expect(group).toMatch(/environment of configure:[\s\S]*end of the environment/)
    expect(group).toMatch(/^CWA_VISIBLE=not-a-secret$/m)
    expectNoCredentials(group as string)

    // the logs artifact: the step log and config.log, with no credential value
    const name = 'python-3.11.9-wasi-logs'
    expect(service.byName(name)?.finalized).toBe(true)
    const into = tmp('cwa-logs-download-')
    const id = service.byName(name)?.id as number
    await withCredentials(() => new DefaultArtifactClient().downloadArtifact(id, { path: into }))
    const files = listFiles(into).map(f => path.relative(into, f))
    expect(files).toEqual(expect.arrayContaining(['config/build/config.log']))
    const stepLog = files.find(f => f.startsWith('steps/')) as string
    const text = (f: string): string => fs.readFileSync(path.join(into, f), 'utf8')
    expect(text(stepLog)).toMatch(/^CWA_VISIBLE=not-a-secret$/m)
    expect(text('config/build/config.log')).toBe('configure: a token found elsewhere: ***\n')
    for (const f of files) expectNoCredentials(text(f))
  })
})
