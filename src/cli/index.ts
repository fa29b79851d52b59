#!/usr/bin/env node
/**
 * The command: the action's pipeline (main.ts) on a developer's machine,
 * with local backends: inputs from flags, toolchains in a user cache folder
 * (RUNNER_TOOL_CACHE), cache entries in a folder store with the same keys,
 * artifacts copied to --output, the summary printed, and the caches the post
 * step would save saved at the end.
 */
import { secretValues } from '../catalog/secrets.js'
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { copyArtifacts, gatherLogs } from '../artifacts/index.js'
import { DirectoryStore, saveCaches, savedCachesMarkdown } from '../cache/index.js'
import { wasiRunnerAsset } from '../execute/wasi-runner.js'
import { terminalText } from '../report/index.js'
import { run, type Backends, type RunResult } from '../main.js'
import { helpText, inputSource, parseArgs, UsageError, type Parsed } from './args.js'
import { plainStdout } from './terminal.js'

/** $XDG_CACHE_HOME/cpython-wasm, else ~/.cache/cpython-wasm (XDG Base Directory spec). */
export function defaultCacheDir(env = process.env): string {
  const base = env.XDG_CACHE_HOME?.startsWith('/')
    ? env.XDG_CACHE_HOME
    : path.join(os.homedir(), '.cache')
  return path.join(base, 'cpython-wasm')
}

/**
 * The job folder for a checkout: the same for every run on it, as the cache
 * keys name paths under it (a runner's RUNNER_TEMP is the same path in every
 * job too), and emptied at each start as a new job's would be.
 */
function workFor(cacheDir: string, source: string): string {
  const real = fs.existsSync(source) ? fs.realpathSync(source) : source
  const id = createHash('sha256').update(real).digest('hex').slice(0, 12)
  return path.join(cacheDir, 'work', `${path.basename(real) || 'root'}-${id}`)
}

/** The runner's environment as far as the stages read it, pointing at this machine's folders. */
function setUpEnvironment(work: string, tools: string, commandFiles: string): void {
  process.env.RUNNER_TEMP = work
  process.env.RUNNER_TOOL_CACHE = tools
  // the runner's command files: the stages write outputs and state there, unread
  for (const name of ['GITHUB_OUTPUT', 'GITHUB_STATE', 'GITHUB_ENV', 'GITHUB_PATH']) {
    const file = path.join(commandFiles, name.toLowerCase().slice('github_'.length))
    fs.writeFileSync(file, '')
    process.env[name] = file
  }
  // the summary is printed; a run id of its own keeps each run's ccache entry
  // apart, also inside a workflow's step
  for (const name of ['GITHUB_STEP_SUMMARY', 'GITHUB_RUN_ID', 'GITHUB_RUN_ATTEMPT'])
    delete process.env[name]
}

/** How to run each copied artifact, as the smoke tests do. */
function howToRun(result: RunResult): string[] {
  const lines: string[] = []
  const wasmtime = result.job?.plan.toolchains.find(t => t.tool === 'wasmtime')
  for (const a of result.record.uploaded) {
    const dir = a.copiedTo as string
    lines.push(`  ${a.target}: ${dir}`)
    if (a.target === 'wasi') {
      const args = `--dir ${dir}::/ --env PYTHONHOME=/ ${path.join(dir, 'python.wasm')}`
      if (wasmtime) lines.push(`    ${path.join(wasmtime.dir, 'wasmtime')} run ${args}`)
      lines.push(`    node ${wasiRunnerAsset()} ${args}`)
    } else if (a.target === 'emscripten-node') {
      if (fs.existsSync(path.join(dir, 'python.sh')))
        lines.push(`    ${path.join(dir, 'python.sh')}`)
      else lines.push(`    PYTHONHOME=${dir} node ${path.join(dir, 'python.js')}`)
    } else {
      const page = fs.existsSync(path.join(dir, 'index.html')) ? 'index.html' : 'python.html'
      lines.push(
        `    node ${path.join(dir, 'serve.mjs')}   (then open ${page} at the address it prints)`
      )
    }
  }
  return lines
}

async function build(parsed: Parsed): Promise<number> {
  const cacheDir = path.resolve(parsed.flags['cache-dir'] ?? defaultCacheDir())
  const output = path.resolve(parsed.flags.output ?? 'cpython-wasm-out')
  const read = inputSource(parsed.inputs)
  const work = workFor(cacheDir, path.resolve(read('source') || '.'))
  const store = new DirectoryStore(path.join(cacheDir, 'store'))
  const commandFiles = fs.mkdtempSync(path.join(os.tmpdir(), 'cpython-wasm-'))
  const dryRun = ['true', 'True', 'TRUE'].includes(read('dry-run').trim())
  setUpEnvironment(work, path.join(cacheDir, 'tools'), commandFiles)
  if (!dryRun) fs.rmSync(work, { recursive: true, force: true })

  const stdout = plainStdout(process.env.CPYTHON_WASM_DEBUG === '1')
  let summary = ''
  let logs: string[] = []
  const logsDir = path.join(output, 'logs')
  const backends: Backends = {
    inputs: read,
    workspace: process.cwd(),
    cache: store,
    deliver: plan => copyArtifacts(plan, output),
    deliverTitle: 'Copy artifacts',
    // a failed build's logs next to where its artifacts would be; said below, not in the summary
    // (once: a suite that failed hands its files over before the failure does)
    keepLogs: async (plan, inputs, _work, extra) => {
      if (logs.length === 0)
        logs = gatherLogs(
          plan,
          logsDir,
          extra,
          secretValues(process.env, inputs.githubToken ? [inputs.githubToken] : [])
        )
      return undefined
    },
    summary: async markdown => {
      summary = markdown
    },
    // progress lines instead, unless asked: a make prints thousands of lines
    echoSteps: parsed.flags.verbose === 'true'
  }
  try {
    const result = await run(backends)
    if (result.job && !dryRun) {
      // what the action's post step does, at the end of the run
      const sizes = new Map<string, number>()
      const outcomes = await saveCaches(result.toSave, sizes, store)
      const saved = result.toSave.filter(e => outcomes.get(e.id) === 'saved')
      // an entry saved under a new key each run (ccache) replaces the older ones of its ref
      for (const entry of saved.filter(e => e.id.startsWith('ccache-'))) {
        const prefix = result.job.plan.caches.find(c => c.id === entry.id)?.restoreKeys[0]
        if (prefix && entry.key.startsWith(prefix)) store.supersede(prefix, entry.key)
      }
      if (saved.length > 0) summary += savedCachesMarkdown(saved, sizes)
    }
    if (summary) process.stdout.write(`\n${terminalText(summary)}`)
    if (result.record.uploaded.length > 0)
      process.stdout.write(`\nArtifacts (run each with):\n${howToRun(result).join('\n')}\n`)
    if (logs.length > 0)
      process.stdout.write(
        result.record.failure
          ? `\nThe failed build's logs and config.log files are in ${logsDir}\n`
          : `\nThe test suite's JUnit files and output are in ${logsDir}\n`
      )
    if (result.job && !dryRun)
      process.stdout.write(`\nCaches: ${cacheDir} (toolchains in tools/, entries in store/)\n`)
  } finally {
    stdout.flush()
    fs.rmSync(commandFiles, { recursive: true, force: true })
  }
  return process.exitCode === undefined ? 0 : Number(process.exitCode)
}

export async function main(argv: string[]): Promise<number> {
  let parsed: Parsed
  try {
    parsed = parseArgs(argv)
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    process.stderr.write(`cpython-wasm: ${error.message}\nSee cpython-wasm --help.\n`)
    return 2
  }
  if (parsed.command === 'help') {
    process.stdout.write(helpText())
    return 0
  }
  return build(parsed)
}
