/**
 * Cold versus warm, and the action versus the seed's raw commands, measured
 * side by side in one run on CPython 3.11.2:
 *
 * - cold: a fresh checkout, an empty tool cache and an empty cache service;
 * - warm: a fresh checkout, empty job folders and an empty tool cache again,
 *   at the same paths (as a new job on a runner would have), against the
 *   cache service the cold run filled; the Emscripten cache starts empty,
 *   without even the port sources;
 * - raw: scripts/e2e/raw-build.sh (the 3.11 README's commands) with the same
 *   toolchains already in place.
 *
 * wasi builds on this machine (bookworm's clang-14 as WASI SDK 16); the
 * Emscripten targets build inside the trixie root. BENCH_TARGETS picks the
 * targets (default: all three). Prints wall and CPU times and their ratios
 * (CPU time, summed over every process, holds up when the machine is busy
 * with other work; wall time does not); asserts only that each run succeeded.
 */
import { execFileSync, spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { FakeResultsService } from '../support/fake-results-service.js'
import { REPO_ROOT, runtimeToken, type ActionResult } from '../support/harness.js'
import {
  E2E_HOME,
  freshCheckout,
  provisioned,
  runInTrixie,
  runOnHost,
  serveDirectory,
  sha256File,
  TRIXIE,
  WORK
} from '../e2e/support.js'

const targets = (process.env.BENCH_TARGETS ?? 'wasi emscripten-node emscripten-browser')
  .split(/[\s,]+/)
  .filter(Boolean)
const wantWasi = targets.includes('wasi')
const emscripten = targets.filter(t => t !== 'wasi')

function freshDir(dir: string): string {
  fs.rmSync(dir, { recursive: true, force: true })
  fs.mkdirSync(dir, { recursive: true })
  return dir
}

const ratio = (a: number, b: number): string => (a / b).toFixed(3)
const seconds = (ms: number): string => `${(ms / 1000).toFixed(0)} s`

function stepTable(result: ActionResult): string {
  const lines = result.summary.split('\n')
  const start = lines.findIndex(l => /step/i.test(l) && l.startsWith('#'))
  return start < 0 ? '' : lines.slice(start, start + 30).join('\n')
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
  ms: number
  cpu: number
}

async function timed<T>(work: () => Promise<T>): Promise<Cost & { value: T }> {
  const started = Date.now()
  const cpu = childCpuSeconds()
  const value = await work()
  return { ms: Date.now() - started, cpu: childCpuSeconds() - cpu, value }
}

const add = (a: Cost, b: Cost): Cost => ({ ms: a.ms + b.ms, cpu: a.cpu + b.cpu })

function run(command: string, args: string[], env: Record<string, string>): Promise<void> {
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

test('cold vs warm vs raw commands', async () => {
  provisioned()
  const serviceDir = path.join(WORK, 'bench-cache-service')
  fs.rmSync(serviceDir, { recursive: true, force: true })
  const service = await new FakeResultsService(runtimeToken(), serviceDir).start()
  const mirrorRoot = path.join(E2E_HOME, 'mirror', 'wasi-sdk')
  const archive = path.join(mirrorRoot, 'releases/download/wasi-sdk-16/wasi-sdk-16.0-linux.tar.gz')
  const mirror = await serveDirectory(mirrorRoot)
  const emCache = path.join(TRIXIE, 'work', 'bench-emscripten', 'emscripten-cache')
  const guest = (p: string): string => p.slice(TRIXIE.length)

  /** One job of the action: wasi on the host, Emscripten in the root, as separate jobs of one run. */
  async function actionRun(label: string): Promise<Cost & { results: ActionResult[] }> {
    const results: ActionResult[] = []
    let cost: Cost = { ms: 0, cpu: 0 }
    const common = { 'cache-save': 'always', upload: 'false', 'wasmtime-version': 'none' }
    // a new workflow run: the ccache entries are saved under new keys
    const runId = label === 'cold' ? '201' : '202'
    if (wantWasi) {
      // the same paths in both runs, as on a runner (they are part of the cache keys)
      const source = freshCheckout('3.11', path.join(WORK, 'bench-wasi', 'cpython'))
      const r = await timed(() =>
        runOnHost({
          name: 'bench-wasi',
          inputs: {
            ...common,
            source,
            targets: 'wasi',
            'wasi-sdk-mirror': mirror.url,
            'wasi-sdk-sha256': sha256File(archive)
          },
          env: { ...service.env(), GITHUB_RUN_ID: runId },
          withPost: true,
          echo: false
        })
      )
      results.push(r.value)
      cost = add(cost, r)
    }
    if (emscripten.length > 0) {
      const source = freshCheckout('3.11', path.join(TRIXIE, 'work', 'bench-em', 'cpython'))
      fs.rmSync(emCache, { recursive: true, force: true })
      fs.mkdirSync(emCache, { recursive: true })
      if (label === 'cold')
        execFileSync(path.join(REPO_ROOT, 'scripts', 'e2e', 'seed-emscripten-ports.sh'), [emCache])
      const r = await timed(() =>
        runInTrixie({
          name: 'bench-em',
          inputs: { ...common, source: guest(source), targets: emscripten.join(' ') },
          rootEnv: {
            NODE_PATH: '/usr/share/nodejs',
            EM_CACHE: guest(emCache),
            ...service.env(),
            GITHUB_RUN_ID: runId
          },
          withPost: true,
          echo: false
        })
      )
      results.push(r.value)
      cost = add(cost, r)
    }
    for (const r of results)
      expect({ label, exitCode: r.exitCode, errors: r.errors }).toEqual({
        label,
        exitCode: 0,
        errors: []
      })
    return { ...cost, results }
  }

  try {
    const cold = await actionRun('cold')
    const warm = await actionRun('warm')

    // the raw commands, with toolchains already on hand
    let raw: Cost = { ms: 0, cpu: 0 }
    if (wantWasi) {
      const source = freshCheckout('3.11', path.join(WORK, 'bench-raw-wasi', 'cpython'))
      const sdk = path.join(WORK, 'bench-raw-wasi', 'sdk')
      freshDir(sdk)
      const ccache = freshDir(path.join(WORK, 'bench-raw-wasi', 'ccache'))
      // unpacking the SDK is part of the manual way, as installing it is part of the action's cold run
      raw = add(
        raw,
        await timed(async () => {
          await run('tar', ['-xzf', archive, '-C', sdk], {})
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
      )
    }
    if (emscripten.length > 0) {
      const source = freshCheckout('3.11', path.join(TRIXIE, 'work', 'bench-raw-em', 'cpython'))
      fs.rmSync(emCache, { recursive: true, force: true })
      execFileSync(path.join(REPO_ROOT, 'scripts', 'e2e', 'seed-emscripten-ports.sh'), [emCache])
      const config = path.join(TRIXIE, 'work', 'bench-raw-em', 'emscripten-config.py')
      fs.writeFileSync(
        config,
        fs
          .readFileSync(path.join(TRIXIE, 'usr/share/emscripten/.emscripten'), 'utf8')
          .replace(/FROZEN_CACHE = True/, 'FROZEN_CACHE = False')
      )
      fs.copyFileSync(
        path.join(REPO_ROOT, 'scripts', 'e2e', 'raw-build.sh'),
        path.join(TRIXIE, 'work', 'bench-raw-em', 'raw-build.sh')
      )
      raw = add(
        raw,
        await timed(() =>
          run(
            path.join(REPO_ROOT, 'scripts', 'e2e', 'chroot-run.sh'),
            [
              TRIXIE,
              'NODE_PATH=/usr/share/nodejs',
              `EM_CACHE=${guest(emCache)}`,
              `EM_CONFIG=${guest(config)}`,
              'bash',
              '/work/bench-raw-em/raw-build.sh',
              guest(source),
              ...emscripten
            ],
            {}
          )
        )
      )
    }

    const report = [
      '',
      `Benchmark: CPython 3.11.2, targets ${targets.join(' ')}`,
      '                    wall time   CPU time (all processes)',
      `  cold action run:  ${seconds(cold.ms).padEnd(10)}  ${cold.cpu.toFixed(0)} s`,
      `  warm action run:  ${seconds(warm.ms).padEnd(10)}  ${warm.cpu.toFixed(0)} s`,
      `  raw commands:     ${seconds(raw.ms).padEnd(10)}  ${raw.cpu.toFixed(0)} s`,
      `  warm / cold:      ${ratio(warm.ms, cold.ms).padEnd(10)}  ${ratio(warm.cpu, cold.cpu)}   (goal <= 0.20)`,
      `  cold / raw:       ${ratio(cold.ms, raw.ms).padEnd(10)}  ${ratio(cold.cpu, raw.cpu)}   (goal <= 1.05)`,
      `  machine load:     ${os
        .loadavg()
        .map(l => l.toFixed(1))
        .join(' ')} (1, 5, 15 min) on ${os.availableParallelism()} cores at the end`,
      `  warm cache hits:  ${warm.results.map(r => r.outputs['cache-hits']).join(' ')}`,
      `  cold ccache:      ${cold.results.map(r => r.outputs['ccache-stats']).join(' ')}`,
      `  warm ccache:      ${warm.results.map(r => r.outputs['ccache-stats']).join(' ')}`,
      '',
      'Where the cold run spent its time:',
      ...cold.results.map(stepTable),
      '',
      'Where the warm run spent its time:',
      ...warm.results.map(stepTable)
    ].join('\n')
    fs.writeFileSync(path.join(WORK, 'benchmark.txt'), `${report}\n`)
    process.stdout.write(`${report}\n`)
  } finally {
    await mirror.close()
    await service.stop()
  }
})
