/**
 * The setting of the tests that drive the real @actions/cache in this process
 * against the fake results service (cache-fake-service and its slow
 * companion): the runner variables it reads, a fresh workspace, and what
 * @actions/core prints. useFakeCacheService() registers the hooks; the
 * exported bindings below are set once its beforeAll has run.
 */
import { afterAll, beforeAll, beforeEach } from '@jest/globals'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { FakeResultsService } from './fake-results-service.js'
import { runtimeToken } from './harness.js'

const VARS = [
  'ACTIONS_RESULTS_URL',
  'ACTIONS_RUNTIME_TOKEN',
  'ACTIONS_CACHE_SERVICE_V2',
  'ACTIONS_CACHE_URL',
  'GITHUB_WORKSPACE',
  'RUNNER_TEMP',
  'GITHUB_SERVER_URL'
]
const saved = Object.fromEntries(VARS.map(v => [v, process.env[v]]))

export let service: FakeResultsService
let base: string
let workspace: string
/** what @actions/core prints (warnings are ::warning:: lines) */
export let printed: string[] = []
const realWrite = process.stdout.write.bind(process.stdout)

export function useService(env: Record<string, string>): void {
  for (const v of ['ACTIONS_RESULTS_URL', 'ACTIONS_RUNTIME_TOKEN', 'ACTIONS_CACHE_SERVICE_V2'])
    delete process.env[v]
  Object.assign(process.env, env)
}

/** A folder with one file, under the workspace (paths are archived relative to it). */
export function content(name: string, text: string): string {
  const dir = path.join(workspace, name)
  fs.rmSync(dir, { recursive: true, force: true })
  fs.mkdirSync(dir, { recursive: true })
  fs.writeFileSync(path.join(dir, 'file.txt'), text)
  return dir
}

export const read = (dir: string): string => fs.readFileSync(path.join(dir, 'file.txt'), 'utf8')
export const warnings = (): string[] => printed.filter(l => l.startsWith('::warning'))

/** Registers the hooks that set the variables and start the service for this test file. */
export function useFakeCacheService(): void {
  beforeAll(async () => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'cache-fake-'))
    workspace = path.join(base, 'workspace')
    fs.mkdirSync(workspace)
    fs.mkdirSync(path.join(base, 'temp'))
    process.env.GITHUB_WORKSPACE = workspace
    process.env.RUNNER_TEMP = path.join(base, 'temp')
    delete process.env.GITHUB_SERVER_URL
    delete process.env.ACTIONS_CACHE_URL
    service = await new FakeResultsService(runtimeToken(), path.join(base, 'store')).start()
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      printed.push(...String(chunk).split('\n').filter(Boolean))
      return (realWrite as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest)
    }) as typeof process.stdout.write
  })

  afterAll(async () => {
    process.stdout.write = realWrite
    await service.stop()
    fs.rmSync(base, { recursive: true, force: true })
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
  })

  beforeEach(() => {
    service.fault = undefined
    printed = []
    useService(service.env())
  })
}
