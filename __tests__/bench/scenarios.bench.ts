/**
 * What a user of the action waits for, measured side by side in one run on
 * CPython 3.11.2, one scenario after another against one cache service:
 *
 * - cold: a fresh checkout, an empty tool cache and an empty cache service;
 * - rerun: the same tree again (a re-run, or a push and a pull request of
 *   one commit): the finished build (build-result) comes back;
 * - warm: the same tree in a fresh job with the finished build evicted: the
 *   build trees come back exactly, nothing is configured or made;
 * - pr: a pull request's job: the same checkout with one C file and one
 *   standard library module changed, restoring what the base branch's jobs
 *   saved (the build trees of the base tree: make rebuilds the change) and
 *   saving nothing (cache-save auto on pull_request);
 * - raw: scripts/e2e/raw-build.sh (the 3.11 README's commands) with the same
 *   toolchains already in place, run right after each lane's cold job.
 *
 * Each job is a new job on the same kind of runner: empty job folders, an
 * empty tool cache and Emscripten cache at the same paths (paths are part of
 * the cache keys), a fresh copy of the checkout. wasi builds on this machine
 * (bookworm's clang-14 as WASI SDK 16), the Emscripten targets in one job
 * inside the trixie root, so "all targets" here is two jobs against the raw
 * commands' two builds. BENCH_TARGETS picks the targets (default: all three).
 *
 * Prints and writes (BENCH_REPORT, default <e2e work>/<BENCH_NAME>-report.md)
 * wall and CPU time per scenario, main and post step, the action's own step
 * times (its job summary) and each save, and the ratios on the last lines.
 * CPU time, summed over every process, holds up when the machine is busy
 * with other work; wall time does not. Asserts only that each run succeeded.
 */
import { execFileSync, spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { FakeResultsService } from '../support/fake-results-service.js'
import { makeRunnerDirs, REPO_ROOT, runtimeToken, type ActionResult } from '../support/harness.js'
import {
  E2E_HOME,
  freshCheckout,
  provisioned,
  runInTrixie,
  runOnHost,
  serveDirectory,
  sha256File,
  TRIXIE,
  WORK,
  type E2eOptions
} from '../e2e/support.js'

const targets = (process.env.BENCH_TARGETS ?? 'wasi emscripten-node emscripten-browser')
  .split(/[\s,]+/)
  .filter(Boolean)
/** folder names of this benchmark's jobs: two benchmarks on one machine need two names */
const NAME = process.env.BENCH_NAME ?? 'bench'
const REPORT = process.env.BENCH_REPORT ?? path.join(WORK, `${NAME}-report.md`)

interface Scenario {
  name: 'cold' | 'rerun' | 'warm' | 'pr'
  runId: string
  /** a pull request's job: restores the base branch's entries, saves nothing */
  pullRequest?: boolean
  /** drop the finished build first, so that the per-entry caches do the work */
  evictResult?: boolean
  /** one C file and one standard library module changed */
  change?: boolean
}

/** In this order: each restores what the ones before it saved. */
const SCENARIOS: Scenario[] = [
  { name: 'cold', runId: '201' },
  { name: 'rerun', runId: '202' },
  { name: 'warm', runId: '203', evictResult: true },
  { name: 'pr', runId: '204', pullRequest: true, change: true }
]

/**
 * The pull request's change: a new function in a C file (a comment alone
 * would be a ccache hit in preprocessor mode) and a line in a module the
 * build does not freeze.
 */
function applyChange(source: string): void {
  fs.appendFileSync(
    path.join(source, 'Objects', 'floatobject.c'),
    '\nint _PyFloat_BenchmarkChange(void);\nint _PyFloat_BenchmarkChange(void) { return 1; }\n'
  )
  fs.appendFileSync(path.join(source, 'Lib', 'colorsys.py'), '\n# a pull request was here\n')
}

/**
 * CPU seconds of this process's finished children and their descendants
 * (cutime + cstime of /proc/self/stat): unlike wall time, nearly unmoved by
 * whatever else the machine runs at the same time.
 */
function childCpuSeconds(): number {
  const stat = fs.readFileSync('/proc/self/stat', 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  // fields 16 and 17 of proc(5), counted from the state field (3)
  return (Number(fields[13]) + Number(fields[14])) / 100
}

interface Cost {
  wall: number
  cpu: number
}
const NONE: Cost = { wall: 0, cpu: 0 }
const add = (a: Cost, b: Cost): Cost => ({ wall: a.wall + b.wall, cpu: a.cpu + b.cpu })

async function timed<T>(work: () => Promise<T>): Promise<Cost & { value: T }> {
  const started = Date.now()
  const cpu = childCpuSeconds()
  const value = await work()
  return { wall: (Date.now() - started) / 1000, cpu: childCpuSeconds() - cpu, value }
}

function run(command: string, args: string[], env: Record<string, string> = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'inherit']
    })
    child.on('close', code =>
      code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}`))
    )
  })
}

/** "12.3 s", "4 min 5 s", "1 h 2 min" (report/summary.ts formatSeconds) back to seconds. */
function parseSeconds(text: string): number {
  const part = (unit: string): number =>
    Number(new RegExp(`([\\d.]+) ${unit}\\b`).exec(text)?.[1] ?? 0)
  return part('h') * 3600 + part('min') * 60 + part('s')
}

/** The action's own timings: its summary's step table, and each save of the post step. */
function stepTimes(main: ActionResult, post: ActionResult): Map<string, number> {
  const times = new Map<string, number>()
  const lines = main.summary.split('\n')
  const start = lines.findIndex(l => l.startsWith('### Steps'))
  for (const line of start < 0 ? [] : lines.slice(start + 4)) {
    const cells = line.split('|').map(c => c.trim())
    if (cells.length < 4 || cells[1].startsWith('**')) break
    if (!cells[2].includes('cached')) times.set(cells[1], parseSeconds(cells[3]))
  }
  for (const m of post.stdout.matchAll(/^Cache (\S+): saved as .* in ([\d.]+) s$/gm))
    times.set(`post: save ${m[1]}`, Number(m[2]))
  return times
}

interface JobCost extends Cost {
  main: Cost
  post: Cost
  steps: Map<string, number>
  results: ActionResult[]
}

/** A job runs the main step, then the post step with its state, each timed. */
async function job(
  runner: (options: E2eOptions) => Promise<ActionResult>,
  options: E2eOptions
): Promise<JobCost> {
  const main = await timed(() => runner(options))
  const post = await timed(() =>
    runner({ ...options, dirs: main.value.dirs, state: main.value.state })
  )
  for (const r of [main.value, post.value])
    expect({ job: options.name, exitCode: r.exitCode, errors: r.errors }).toEqual({
      job: options.name,
      exitCode: 0,
      errors: []
    })
  return {
    ...add(main, post),
    main,
    post,
    steps: stepTimes(main.value, post.value),
    results: [main.value]
  }
}

function sumJobs(jobs: JobCost[]): JobCost {
  const steps = new Map<string, number>()
  for (const j of jobs) for (const [k, v] of j.steps) steps.set(k, (steps.get(k) ?? 0) + v)
  return {
    ...jobs.reduce<Cost>((a, j) => add(a, j), NONE),
    main: jobs.reduce<Cost>((a, j) => add(a, j.main), NONE),
    post: jobs.reduce<Cost>((a, j) => add(a, j.post), NONE),
    steps,
    results: jobs.flatMap(j => j.results)
  }
}

/** One job of the action per scenario, and the raw commands, for some of the targets. */
interface Lane {
  label: string
  action(scenario: Scenario, env: Record<string, string>): Promise<JobCost>
  raw(): Promise<Cost>
}

function freshDir(dir: string): string {
  fs.rmSync(dir, { recursive: true, force: true })
  fs.mkdirSync(dir, { recursive: true })
  return dir
}

/** What every job of a scenario shares: its inputs and the runner's variables. */
function jobSettings(scenario: Scenario): {
  inputs: Record<string, string>
  env: Record<string, string>
} {
  return {
    inputs: {
      // a pull_request event saves nothing under auto; the base branch's jobs save everything
      'cache-save': scenario.pullRequest ? 'auto' : 'always',
      upload: 'false',
      'wasmtime-version': 'none'
    },
    env: {
      // each scenario is a new workflow run: ccache entries are saved under new keys
      GITHUB_RUN_ID: scenario.runId,
      ...(scenario.pullRequest
        ? {
            GITHUB_EVENT_NAME: 'pull_request',
            GITHUB_REF: 'refs/pull/7/merge',
            GITHUB_REF_NAME: '7/merge',
            GITHUB_BASE_REF: 'main'
          }
        : {})
    }
  }
}

async function wasiLane(): Promise<Lane & { close(): Promise<void> }> {
  const mirrorRoot = path.join(E2E_HOME, 'mirror', 'wasi-sdk')
  const archive = path.join(mirrorRoot, 'releases/download/wasi-sdk-16/wasi-sdk-16.0-linux.tar.gz')
  const mirror = await serveDirectory(mirrorRoot)
  const name = `${NAME}-wasi`
  return {
    label: 'wasi',
    async action(scenario, serviceEnv) {
      // the same paths in every job, as on a runner (they are part of the cache keys)
      const source = freshCheckout('3.11', path.join(WORK, name, 'cpython'))
      if (scenario.change) applyChange(source)
      const settings = jobSettings(scenario)
      return job(runOnHost, {
        name,
        dirs: makeRunnerDirs(freshDir(path.join(WORK, name, 'job'))),
        inputs: {
          ...settings.inputs,
          source,
          targets: 'wasi',
          'wasi-sdk-mirror': mirror.url,
          'wasi-sdk-sha256': sha256File(archive)
        },
        env: { ...serviceEnv, ...settings.env },
        echo: false
      })
    },
    async raw() {
      const source = freshCheckout('3.11', path.join(WORK, `${NAME}-raw-wasi`, 'cpython'))
      const sdk = freshDir(path.join(WORK, `${NAME}-raw-wasi`, 'sdk'))
      const ccache = freshDir(path.join(WORK, `${NAME}-raw-wasi`, 'ccache'))
      // unpacking the SDK is part of the manual way, as installing it is part of the action's cold run
      return timed(async () => {
        await run('tar', ['-xzf', archive, '-C', sdk])
        await run(
          'bash',
          [path.join(REPO_ROOT, 'scripts', 'e2e', 'raw-build.sh'), source, 'wasi'],
          {
            WASI_SDK_PATH: path.join(sdk, 'wasi-sdk-16.0'),
            // wasi-env compiles through a ccache on PATH: give it an empty one, as the cold run has
            CCACHE_DIR: ccache
          }
        )
      })
    },
    close: () => mirror.close()
  }
}

function emscriptenLane(emscripten: string[]): Lane {
  const name = `${NAME}-em`
  const emCache = path.join(TRIXIE, 'work', name, 'emscripten-cache')
  const guest = (p: string): string => p.slice(TRIXIE.length)
  const seedPorts = (): void => {
    freshDir(emCache)
    execFileSync(path.join(REPO_ROOT, 'scripts', 'e2e', 'seed-emscripten-ports.sh'), [emCache])
  }
  return {
    label: emscripten.join(' + '),
    async action(scenario, serviceEnv) {
      const source = freshCheckout('3.11', path.join(TRIXIE, 'work', name, 'cpython'))
      if (scenario.change) applyChange(source)
      // a new job's Emscripten cache is empty; only the cold one may fetch the ports (no network)
      if (scenario.name === 'cold') seedPorts()
      else freshDir(emCache)
      const settings = jobSettings(scenario)
      return job(runInTrixie, {
        name,
        dirs: makeRunnerDirs(freshDir(path.join(TRIXIE, 'work', name, 'job'))),
        inputs: { ...settings.inputs, source: guest(source), targets: emscripten.join(' ') },
        rootEnv: {
          NODE_PATH: '/usr/share/nodejs',
          EM_CACHE: guest(emCache),
          ...serviceEnv,
          ...settings.env
        },
        echo: false
      } as E2eOptions)
    },
    async raw() {
      const dir = path.join(TRIXIE, 'work', `${NAME}-raw-em`)
      const source = freshCheckout('3.11', path.join(dir, 'cpython'))
      seedPorts()
      const config = path.join(dir, 'emscripten-config.py')
      fs.writeFileSync(
        config,
        fs
          .readFileSync(path.join(TRIXIE, 'usr/share/emscripten/.emscripten'), 'utf8')
          .replace(/FROZEN_CACHE = True/, 'FROZEN_CACHE = False')
      )
      fs.copyFileSync(
        path.join(REPO_ROOT, 'scripts', 'e2e', 'raw-build.sh'),
        path.join(dir, 'raw-build.sh')
      )
      return timed(() =>
        run(path.join(REPO_ROOT, 'scripts', 'e2e', 'chroot-run.sh'), [
          TRIXIE,
          'NODE_PATH=/usr/share/nodejs',
          `EM_CACHE=${guest(emCache)}`,
          `EM_CONFIG=${guest(config)}`,
          'bash',
          guest(path.join(dir, 'raw-build.sh')),
          guest(source),
          ...emscripten
        ])
      )
    }
  }
}

const fixed = (n: number, digits = 0): string => n.toFixed(digits)
const ratio = (a: number, b: number): string => (b > 0 ? (a / b).toFixed(3) : 'n/a')
const mark = (value: number, goal: number): string => (value <= goal ? 'met' : 'NOT met')

function report(
  lanes: Lane[],
  byScenario: Map<string, JobCost>,
  byLane: Map<string, Map<string, JobCost>>,
  raw: Map<string, Cost>
): string {
  const rawAll = [...raw.values()].reduce(add, NONE)
  const cold = byScenario.get('cold') as JobCost
  const out: string[] = [
    `# Benchmark: CPython 3.11.2, ${targets.join(' ')}`,
    '',
    `Jobs: ${lanes.map(l => l.label).join('; ')} (one job each per scenario). Machine load at the end: ` +
      `${os
        .loadavg()
        .map(l => l.toFixed(1))
        .join(' ')} (1, 5, 15 min) on ${os.availableParallelism()} cores; wall times are ` +
      'only comparable on an otherwise idle machine, CPU times (every process) hold up under load.',
    '',
    '| scenario | wall s | CPU s | main wall | main CPU | post wall | post CPU |',
    '| --- | --- | --- | --- | --- | --- | --- |'
  ]
  for (const [name, c] of byScenario)
    out.push(
      `| ${name} | ${fixed(c.wall)} | ${fixed(c.cpu)} | ${fixed(c.main.wall)} | ${fixed(c.main.cpu)} | ${fixed(c.post.wall)} | ${fixed(c.post.cpu)} |`
    )
  out.push(`| raw | ${fixed(rawAll.wall)} | ${fixed(rawAll.cpu)} | | | | |`, '')

  const names = [...byScenario.keys()]
  out.push(
    'Per job and scenario (wall s / CPU s):',
    '',
    `| job | ${names.join(' | ')} | raw |`,
    `| --- | ${names.map(() => '---').join(' | ')} | --- |`
  )
  for (const lane of lanes) {
    const costs = byLane.get(lane.label) as Map<string, JobCost>
    const cell = (c?: Cost): string => (c ? `${fixed(c.wall)} / ${fixed(c.cpu)}` : '')
    out.push(
      `| ${lane.label} | ${names.map(n => cell(costs.get(n))).join(' | ')} | ${cell(raw.get(lane.label))} |`
    )
  }
  out.push('')

  const steps = new Set<string>()
  for (const c of byScenario.values()) for (const s of c.steps.keys()) steps.add(s)
  out.push(
    "The action's steps (wall s, its job summary; post: each save), all jobs of a scenario summed:",
    '',
    `| step | ${names.join(' | ')} |`,
    `| --- | ${names.map(() => '---').join(' | ')} |`
  )
  for (const s of steps)
    out.push(
      `| ${s} | ${names.map(n => (byScenario.get(n)?.steps.has(s) ? fixed(byScenario.get(n)?.steps.get(s) ?? 0, 1) : '')).join(' | ')} |`
    )
  out.push('')
  for (const [n, c] of byScenario) {
    out.push(`${n} cache hits: ${c.results.map(r => r.outputs['cache-hits'] ?? '').join(' ')}`)
    out.push(`${n} ccache: ${c.results.map(r => r.outputs['ccache-stats'] ?? '').join(' ')}`)
  }
  out.push('')

  // wall time is what a user waits for, CPU time what survives a busy machine: both are judged
  const line = (label: string, a?: Cost, b?: Cost, goal?: number): string =>
    !a || !b || a.cpu === 0 || b.cpu === 0
      ? `${label.padEnd(34)} not measured (a job failed or did not run)`
      : `${label.padEnd(34)} wall ${ratio(a.wall, b.wall).padEnd(7)} CPU ${ratio(a.cpu, b.cpu).padEnd(7)}` +
        (goal === undefined
          ? ''
          : `goal <= ${goal}: wall ${mark(a.wall / b.wall, goal)}, CPU ${mark(a.cpu / b.cpu, goal)}`)
  const pr = byScenario.get('pr')
  const rerun = byScenario.get('rerun')
  const warm = byScenario.get('warm')
  for (const lane of lanes) {
    const costs = byLane.get(lane.label) as Map<string, JobCost>
    out.push(line(`${lane.label}: pr / cold`, costs.get('pr'), costs.get('cold')))
    out.push(line(`${lane.label}: cold / raw`, costs.get('cold'), raw.get(lane.label)))
  }
  out.push(
    line('warm / cold', warm, cold),
    line('pr / cold', pr, cold, 0.06),
    line('rerun / cold', rerun, cold, 0.02),
    line('cold / raw', cold, rawAll, 1.03),
    line(`all targets (${targets.length}) cold / raw`, cold, rawAll, 1)
  )
  return `${out.join('\n')}\n`
}

test('cold, rerun, warm and pull request jobs against the raw commands', async () => {
  provisioned()
  const serviceDir = path.join(WORK, `${NAME}-cache-service`)
  fs.rmSync(serviceDir, { recursive: true, force: true })
  const service = await new FakeResultsService(runtimeToken(), serviceDir).start()
  const lanes: Lane[] = []
  const wasi = targets.includes('wasi') ? await wasiLane() : undefined
  if (wasi) lanes.push(wasi)
  const emscripten = targets.filter(t => t !== 'wasi')
  if (emscripten.length > 0) lanes.push(emscriptenLane(emscripten))
  try {
    const byLane = new Map(lanes.map(l => [l.label, new Map<string, JobCost>()]))
    const byScenario = new Map<string, JobCost>()
    // a failed job is reported at the end: the other scenarios' numbers are still worth having
    const failures: unknown[] = []
    const progress = (line: string): void => {
      process.stdout.write(`${line}\n`)
      fs.mkdirSync(path.dirname(REPORT), { recursive: true })
      fs.appendFileSync(`${REPORT}.progress`, `${line}\n`)
    }
    fs.rmSync(`${REPORT}.progress`, { force: true })
    const raw = new Map<string, Cost>()
    for (const scenario of SCENARIOS) {
      if (scenario.evictResult) service.evict('cwa1-build-result-')
      const jobs: JobCost[] = []
      for (const lane of lanes) {
        try {
          const cost = await lane.action(scenario, service.env())
          byLane.get(lane.label)?.set(scenario.name, cost)
          jobs.push(cost)
          progress(
            `${scenario.name} ${lane.label}: ${fixed(cost.wall)} s wall, ${fixed(cost.cpu)} s CPU ` +
              `(post ${fixed(cost.post.wall)} s wall, ${fixed(cost.post.cpu)} s CPU) ` +
              JSON.stringify(Object.fromEntries(cost.steps))
          )
        } catch (e) {
          failures.push(e)
          progress(`${scenario.name} ${lane.label}: failed: ${String(e)}`)
        }
        // the raw commands right after the cold job they are compared with: the
        // machine's load (which moves CPU time too) is then as alike as it gets
        if (scenario.name === 'cold') {
          const cost = await lane.raw()
          raw.set(lane.label, cost)
          progress(`raw ${lane.label}: ${fixed(cost.wall)} s wall, ${fixed(cost.cpu)} s CPU`)
        }
      }
      byScenario.set(scenario.name, sumJobs(jobs))
    }
    const text = report(lanes, byScenario, byLane, raw)
    fs.mkdirSync(path.dirname(REPORT), { recursive: true })
    fs.writeFileSync(REPORT, text)
    process.stdout.write(`\n${text}\nReport written to ${REPORT}\n`)
    expect(failures).toEqual([])
  } finally {
    await wasi?.close()
    await service.stop()
  }
})
