/**
 * Cold versus warm, and the action versus the seed's raw commands, measured
 * side by side in one run on CPython 3.11.2:
 *
 * - cold: a fresh checkout, an empty tool cache and an empty cache service;
 * - warm: a fresh checkout and an empty tool cache again, as a new job would
 *   have, against the cache service the cold run filled;
 * - raw: scripts/raw-build.sh (the 3.11 README's commands) with the same
 *   toolchains already in place.
 *
 * wasi builds on this machine (bookworm's clang-14 as WASI SDK 16); the
 * Emscripten targets build inside the trixie root. BENCH_TARGETS picks the
 * targets (default: all three). Prints times and ratios; asserts only that
 * each run succeeded.
 */
import { execFileSync, spawn } from 'node:child_process'
import * as fs from 'node:fs'
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
  WORK
} from '../e2e/support.js'

const targets = (process.env.BENCH_TARGETS ?? 'wasi emscripten-node emscripten-browser')
  .split(/[\s,]+/)
  .filter(Boolean)
const wantWasi = targets.includes('wasi')
const emscripten = targets.filter(t => t !== 'wasi')

const seconds = (ms: number): string => `${(ms / 1000).toFixed(0)} s`

function stepTable(result: ActionResult): string {
  const lines = result.summary.split('\n')
  const start = lines.findIndex(l => /step/i.test(l) && l.startsWith('#'))
  return start < 0 ? '' : lines.slice(start, start + 30).join('\n')
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = Date.now()
  const value = await work()
  return { ms: Date.now() - started, value }
}

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
  const service = await new FakeResultsService(
    runtimeToken(),
    path.join(WORK, 'bench-cache-service')
  ).start()
  const mirrorRoot = path.join(E2E_HOME, 'mirror', 'wasi-sdk')
  const archive = path.join(mirrorRoot, 'releases/download/wasi-sdk-16/wasi-sdk-16.0-linux.tar.gz')
  const mirror = await serveDirectory(mirrorRoot)
  const emCache = path.join(TRIXIE, 'work', 'bench-emscripten', 'emscripten-cache')
  const guest = (p: string): string => p.slice(TRIXIE.length)

  /** One job of the action: wasi on the host, Emscripten in the root, as separate jobs of one run. */
  async function actionRun(label: string): Promise<{ ms: number; results: ActionResult[] }> {
    const results: ActionResult[] = []
    let ms = 0
    const common = { 'cache-save': 'always', upload: 'false', 'wasmtime-version': 'none' }
    if (wantWasi) {
      const source = freshCheckout('3.11', path.join(WORK, `bench-${label}-wasi`, 'cpython'))
      const r = await timed(() =>
        runOnHost({
          name: `bench-${label}-wasi`,
          dirs: makeRunnerDirs(fs.mkdtempSync(path.join(WORK, `bench-${label}-wasi-job-`))),
          inputs: {
            ...common,
            source,
            targets: 'wasi',
            'wasi-sdk-mirror': mirror.url,
            'wasi-sdk-sha256': sha256File(archive)
          },
          env: service.env(),
          withPost: true,
          echo: false
        })
      )
      results.push(r.value)
      ms += r.ms
    }
    if (emscripten.length > 0) {
      const source = freshCheckout(
        '3.11',
        path.join(TRIXIE, 'work', `bench-${label}-em`, 'cpython')
      )
      fs.rmSync(emCache, { recursive: true, force: true })
      execFileSync(path.join(REPO_ROOT, 'scripts', 'seed-emscripten-ports.sh'), [emCache])
      const r = await timed(() =>
        runInTrixie({
          name: `bench-${label}-em`,
          inputs: { ...common, source: guest(source), targets: emscripten.join(' ') },
          rootEnv: { NODE_PATH: '/usr/share/nodejs', EM_CACHE: guest(emCache), ...service.env() },
          withPost: true,
          echo: false
        })
      )
      results.push(r.value)
      ms += r.ms
    }
    for (const r of results)
      expect({ label, exitCode: r.exitCode, errors: r.errors }).toEqual({
        label,
        exitCode: 0,
        errors: []
      })
    return { ms, results }
  }

  try {
    const cold = await actionRun('cold')
    const warm = await actionRun('warm')

    // the raw commands, with toolchains already on hand
    let rawMs = 0
    if (wantWasi) {
      const source = freshCheckout('3.11', path.join(WORK, 'bench-raw-wasi', 'cpython'))
      const sdk = path.join(WORK, 'bench-raw-wasi', 'sdk')
      fs.mkdirSync(sdk, { recursive: true })
      execFileSync('tar', ['-xzf', archive, '-C', sdk])
      rawMs += (
        await timed(() =>
          run('bash', [path.join(REPO_ROOT, 'scripts', 'raw-build.sh'), source, 'wasi'], {
            WASI_SDK_PATH: path.join(sdk, 'wasi-sdk-16.0')
          })
        )
      ).ms
    }
    if (emscripten.length > 0) {
      const source = freshCheckout('3.11', path.join(TRIXIE, 'work', 'bench-raw-em', 'cpython'))
      fs.rmSync(emCache, { recursive: true, force: true })
      execFileSync(path.join(REPO_ROOT, 'scripts', 'seed-emscripten-ports.sh'), [emCache])
      const config = path.join(TRIXIE, 'work', 'bench-raw-em', 'emscripten-config.py')
      fs.writeFileSync(
        config,
        fs
          .readFileSync(path.join(TRIXIE, 'usr/share/emscripten/.emscripten'), 'utf8')
          .replace(/FROZEN_CACHE = True/, 'FROZEN_CACHE = False')
      )
      fs.copyFileSync(
        path.join(REPO_ROOT, 'scripts', 'raw-build.sh'),
        path.join(TRIXIE, 'work', 'bench-raw-em', 'raw-build.sh')
      )
      rawMs += (
        await timed(() =>
          run(
            path.join(REPO_ROOT, 'scripts', 'chroot-run.sh'),
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
      ).ms
    }

    const report = [
      '',
      `Benchmark: CPython 3.11.2, targets ${targets.join(' ')}`,
      `  cold action run:  ${seconds(cold.ms)}`,
      `  warm action run:  ${seconds(warm.ms)}`,
      `  raw commands:     ${seconds(rawMs)}`,
      `  warm / cold:      ${(warm.ms / cold.ms).toFixed(3)}   (goal <= 0.20)`,
      `  cold / raw:       ${(cold.ms / rawMs).toFixed(3)}   (goal <= 1.05)`,
      `  warm cache hits:  ${warm.results.map(r => r.outputs['cache-hits']).join(' ')}`,
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
