/**
 * Artifact uploads with the real @actions/artifact client against a loopback
 * fake of the results service; what was uploaded is downloaded again with the
 * same client and compared file by file with the folder it came from.
 */
import { DefaultArtifactClient } from '@actions/artifact'
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals'
import * as crypto from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import {
  artifactOutputs,
  gatherLogs,
  listFiles,
  logsArtifactName,
  uploadArtifacts,
  uploadLogs
} from '../src/artifacts/index.js'
import type { ArtifactPlan, CommandStep, Plan } from '../src/plan/types.js'
import { FakeArtifactService } from './support/fake-artifact-service.js'
import { browserFixture } from './support/browser-fixture.js'
import { runtimeToken } from './support/harness.js'

jest.setTimeout(60000)

const tmp = (prefix: string): string => fs.mkdtempSync(path.join(os.tmpdir(), prefix))

let service: FakeArtifactService
const savedEnv = { ...process.env }

beforeAll(async () => {
  service = await new FakeArtifactService(runtimeToken()).start()
  Object.assign(process.env, service.env(), {
    GITHUB_WORKSPACE: tmp('cwa-ws-'),
    ACTIONS_ARTIFACT_UPLOAD_CONCURRENCY: '2'
  })
})

afterAll(async () => {
  process.env = savedEnv
  await service.stop()
})

function sha(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex')
}

/** relative path -> sha256 of every file under dir */
function tree(dir: string): Record<string, string> {
  return Object.fromEntries(listFiles(dir).map(f => [path.relative(dir, f), sha(f)]))
}

function wasiLikeDir(): string {
  const dir = tmp('cwa-wasi-')
  // a wasm header and incompressible bytes, more than one 8 MiB block
  fs.writeFileSync(
    path.join(dir, 'python.wasm'),
    Buffer.concat([Buffer.from('\0asm\x01\0\0\0', 'binary'), crypto.randomBytes(9 * 1024 * 1024)])
  )
  const lib = path.join(dir, 'lib', 'python3.13', 'encodings')
  fs.mkdirSync(lib, { recursive: true })
  fs.writeFileSync(path.join(lib, '__init__.py'), '# encodings\n'.repeat(500))
  fs.writeFileSync(path.join(dir, 'lib', 'python3.13', 'os.py'), 'import sys\n')
  fs.writeFileSync(path.join(dir, 'lib', 'python3.13', 'empty.txt'), '')
  return dir
}

const browserDir = (): string => browserFixture()

const artifact = (target: ArtifactPlan['target'], dir: string, name: string): ArtifactPlan => ({
  target,
  recipe: 'manual',
  buildDir: dir,
  dir,
  name
})

async function download(id: number): Promise<string> {
  const into = tmp('cwa-download-')
  const r = await new DefaultArtifactClient().downloadArtifact(id, { path: into })
  expect(r.downloadPath).toBe(into)
  return into
}

describe('uploadArtifacts', () => {
  test('one artifact per target; downloaded again, every file is identical', async () => {
    const wasi = wasiLikeDir()
    const browser = browserDir()
    const plan = {
      artifacts: [
        artifact('wasi', wasi, 'python-3.13.5-wasi'),
        artifact('emscripten-browser', browser, 'python-3.13.5-emscripten-browser')
      ]
    }
    const started = Date.now()
    const uploaded = await uploadArtifacts(plan, { retentionDays: 5, compressionLevel: 9 })
    const seconds = (Date.now() - started) / 1000
    expect(uploaded.map(u => [u.target, u.name])).toEqual([
      ['wasi', 'python-3.13.5-wasi'],
      ['emscripten-browser', 'python-3.13.5-emscripten-browser']
    ])
    expect(artifactOutputs(uploaded)).toEqual({
      'artifact-names': JSON.stringify({
        wasi: 'python-3.13.5-wasi',
        'emscripten-browser': 'python-3.13.5-emscripten-browser'
      }),
      'artifact-ids': JSON.stringify({
        wasi: uploaded[0].id,
        'emscripten-browser': uploaded[1].id
      }),
      // each zip's sha256 as the service recorded it, for attestations
      'artifact-digests': JSON.stringify({
        wasi: service.byName('python-3.13.5-wasi')?.hash?.replace(/^sha256:/, ''),
        'emscripten-browser': service
          .byName('python-3.13.5-emscripten-browser')
          ?.hash?.replace(/^sha256:/, '')
      })
    })
    expect(uploaded[0].digest).toMatch(/^[0-9a-f]{64}$/)

    const stored = service.byName('python-3.13.5-wasi')
    expect(stored?.finalized).toBe(true)
    // uploaded in blocks and a block list, as the Azure SDK does against the real service
    expect(stored?.blocks).toBeGreaterThanOrEqual(2)
    expect(stored?.content?.length).toBe(uploaded[0].size)
    expect(stored?.hash).toMatch(/^sha256:[0-9a-f]{64}$/)
    // retention-days became an expiry about five days out
    const expires = Date.parse(String(stored?.expiresAt))
    expect(Math.round((expires - Date.now()) / 86400000)).toBe(5)

    for (const [u, dir] of [
      [uploaded[0], wasi],
      [uploaded[1], browser]
    ] as const) {
      const back = await download(u.id as number)
      expect(tree(back)).toEqual(tree(dir))
      expect(u.files).toBe(listFiles(dir).length)
    }
    // the browser folder keeps its dotfile and deploy files
    const names = Object.keys(tree(browser))
    expect(names).toEqual(
      expect.arrayContaining([
        '.htaccess',
        '_headers',
        'serve.mjs',
        'python.html',
        'python.worker.js'
      ])
    )
    console.log(
      `uploaded ${uploaded.map(u => `${u.name}: ${u.files} files, ${u.contentSize} -> ${u.size} bytes`).join('; ')} in ${seconds.toFixed(1)} s`
    )
  })

  test('retention-days 0 sends no expiry; compression-level 0 stores', async () => {
    const dir = tmp('cwa-text-')
    fs.writeFileSync(path.join(dir, 'a.txt'), 'x'.repeat(100000))
    const [u] = await uploadArtifacts(
      { artifacts: [artifact('emscripten-node', dir, 'stored-level-0')] },
      { retentionDays: 0, compressionLevel: 0 }
    )
    expect(service.byName('stored-level-0')?.expiresAt).toBeUndefined()
    expect(u.size).toBeGreaterThan(100000)
    const [z] = await uploadArtifacts(
      { artifacts: [artifact('emscripten-node', dir, 'deflated-level-9')] },
      { retentionDays: 0, compressionLevel: 9 }
    )
    expect(z.size).toBeLessThan(2000)
    expect(tree(await download(z.id as number))).toEqual(tree(dir))
  })

  test('a name already used in the run fails with a hint about artifact-name', async () => {
    const dir = tmp('cwa-dup-')
    fs.writeFileSync(path.join(dir, 'python.wasm'), 'x')
    const plan = { artifacts: [artifact('wasi', dir, 'python-dup-wasi')] }
    await uploadArtifacts(plan, { retentionDays: 0, compressionLevel: 6 })
    await expect(uploadArtifacts(plan, { retentionDays: 0, compressionLevel: 6 })).rejects.toThrow(
      /Uploading the wasi build as artifact "python-dup-wasi" failed: .*already exists[\s\S]*unique within a workflow run[\s\S]*artifact-name/
    )
  })

  test('a refused FinalizeArtifact is reported with the artifact and the service message', async () => {
    const dir = tmp('cwa-fin-')
    fs.writeFileSync(path.join(dir, 'python.wasm'), 'x')
    service.failures.push({
      method: 'FinalizeArtifact',
      status: 400,
      code: 'invalid_argument',
      msg: 'artifact too large'
    })
    await expect(
      uploadArtifacts(
        { artifacts: [artifact('wasi', dir, 'python-fin-wasi')] },
        { retentionDays: 0, compressionLevel: 6 }
      )
    ).rejects.toThrow(/artifact "python-fin-wasi" failed: .*FinalizeArtifact.*artifact too large/)
  })

  test('outside a runner (no ACTIONS_RUNTIME_TOKEN) the error says what is missing', async () => {
    const token = process.env.ACTIONS_RUNTIME_TOKEN
    delete process.env.ACTIONS_RUNTIME_TOKEN
    try {
      await expect(
        uploadArtifacts(
          { artifacts: [artifact('wasi', tmp('x-'), 'n')] },
          { retentionDays: 0, compressionLevel: 6 }
        )
      ).rejects.toThrow(/ACTIONS_RUNTIME_TOKEN is not set.*upload: false/)
    } finally {
      process.env.ACTIONS_RUNTIME_TOKEN = token
    }
  })

  test('an empty target folder is an error, not an empty artifact', async () => {
    await expect(
      uploadArtifacts(
        { artifacts: [artifact('wasi', tmp('cwa-empty-'), 'python-empty-wasi')] },
        { retentionDays: 0, compressionLevel: 6 }
      )
    ).rejects.toThrow(/Nothing to upload for the wasi build: .* is empty/)
  })
})

describe('uploadLogs', () => {
  function failedBuild(): Pick<Plan, 'steps' | 'artifacts' | 'buildPython' | 'python'> {
    const root = tmp('cwa-failed-')
    const logs = path.join(root, 'logs')
    const build = path.join(root, 'cpython', 'builddir', 'emscripten-browser')
    const native = path.join(root, 'cpython', 'builddir', 'build')
    for (const d of [logs, build, native]) fs.mkdirSync(d, { recursive: true })
    fs.writeFileSync(path.join(native, 'config.log'), 'native configure log\n')
    fs.writeFileSync(path.join(native, 'python'), '')
    fs.writeFileSync(path.join(build, 'config.log'), 'configure: error: emcc not found\n')
    fs.writeFileSync(path.join(logs, '01-build-python.log'), 'make ok\n')
    fs.writeFileSync(path.join(logs, '02-configure-browser.log'), 'configure: error\n')
    const step = (id: string, cwd: string, log: string): CommandStep => ({
      id,
      title: id,
      part: 'build-python',
      argv: ['true'],
      cwd,
      env: {},
      log: path.join(logs, log)
    })
    return {
      python: { major: 3, minor: 11, micro: 2, text: '3.11.2' } as Plan['python'],
      buildPython: path.join(native, 'python'),
      steps: [
        step('build-python', native, '01-build-python.log'),
        step('configure-browser', build, '02-configure-browser.log'),
        step('make-browser', build, '03-make-browser.log') // never ran: no log
      ],
      artifacts: [
        {
          target: 'emscripten-browser',
          recipe: 'manual',
          buildDir: build,
          dir: path.join(root, 'out'),
          name: 'python-3.11.2-emscripten-browser'
        }
      ]
    }
  }

  test('the step logs and config.log files go up as <name>-logs', async () => {
    const plan = failedBuild()
    expect(logsArtifactName(plan)).toBe('python-3.11.2-emscripten-browser-logs')
    const staging = tmp('cwa-logs-')
    const r = await uploadLogs(plan, { retentionDays: 0, compressionLevel: 6 }, staging)
    expect(r.error).toBeUndefined()
    expect(r.files).toEqual([
      'config/build/config.log',
      'config/emscripten-browser/config.log',
      'steps/01-build-python.log',
      'steps/02-configure-browser.log'
    ])
    const back = await download(r.id as number)
    expect(tree(back)).toEqual(tree(staging))
    expect(fs.readFileSync(path.join(back, 'config/emscripten-browser/config.log'), 'utf8')).toBe(
      'configure: error: emcc not found\n'
    )
  })

  test('a logs upload that fails only warns: the build failure stays the error', async () => {
    const plan = failedBuild()
    plan.artifacts[0].name = 'python-logs-fail'
    service.failures.push({
      method: 'CreateArtifact',
      status: 403,
      code: 'permission_denied',
      msg: 'no'
    })
    const r = await uploadLogs(plan, { retentionDays: 0, compressionLevel: 6 }, tmp('cwa-logs-'))
    expect(r.id).toBeUndefined()
    expect(r.error).toMatch(/Uploading the build logs as artifact "python-logs-fail-logs" failed/)
  })

  test('nothing to gather: nothing uploaded', async () => {
    const plan = failedBuild()
    for (const s of plan.steps) s.log = path.join(tmp('cwa-none-'), 'missing.log')
    plan.artifacts[0].buildDir = tmp('cwa-nobuild-')
    plan.buildPython = ''
    plan.steps.forEach(s => (s.cwd = plan.artifacts[0].buildDir))
    const staging = tmp('cwa-logs-')
    expect(gatherLogs(plan, staging)).toEqual([])
    const r = await uploadLogs(plan, { retentionDays: 0, compressionLevel: 6 }, staging)
    expect(r).toEqual({ name: 'python-3.11.2-emscripten-browser-logs', files: [] })
  })
})
