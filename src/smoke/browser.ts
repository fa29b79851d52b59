/**
 * The browser smoke test: serves the emscripten-browser folder, opens
 * python.html in headless Chromium, starts the REPL with the page's own
 * button, types the smoke code into its terminal and checks the report it
 * prints. A second load from a server without the COOP/COEP headers must
 * fail (no SharedArrayBuffer, no REPL), which shows the check can fail.
 *
 * CPython's page (Tools/wasm/python.html) loads xterm.js from a CDN. The
 * test never leaves 127.0.0.1: no host name resolves in the browser, and a
 * small terminal stands in for xterm with the API the page uses (open,
 * onData, onKey, write, clear, buffer.active.cursorX). Everything else is
 * the page's own code: its worker, python.js, python.wasm and python.data.
 * Chromium is driven over the DevTools protocol (./cdp.ts), with the browser
 * that is installed; nothing is downloaded.
 */
import * as core from '@actions/core'
import { spawn, type ChildProcess } from 'node:child_process'
import * as fs from 'node:fs'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import * as path from 'node:path'
import type { SmokeTest } from '../plan/types.js'
import { SMOKE_CODE } from '../plan/smoke.js'
import { launchBrowser, type Browser, type CdpPage } from './cdp.js'
import { checkReport, type SmokeResult } from './run.js'

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic'
]

export interface BrowserSmokeResult extends SmokeResult {
  /** why the test did not run (no browser found) */
  skipped?: string
  screenshot?: string
  browser?: string
  /** what the page did when served without the isolation headers */
  withoutHeaders?: { failed: boolean; detail: string }
  seconds: number
}

export interface BrowserSmokeOptions {
  /** the browser to use; found with findBrowser() when not given */
  executablePath?: string
  /** where to save a screenshot of the working REPL */
  screenshot?: string
  /** limit for each page load and for the REPL's answer; 120 s by default */
  timeoutMs?: number
  /** the page to open; python.html by default */
  page?: string
  /** skip the load without isolation headers */
  skipHeaderCheck?: boolean
  /** how to look for a browser when executablePath is not given; findBrowser by default */
  findBrowser?: () => string | undefined
}

function isExecutable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.X_OK)
    return fs.statSync(p).isFile()
  } catch {
    return false
  }
}

/**
 * Chrome or Chromium: CHROME_PATH or CHROMIUM_PATH, Debian's chromium,
 * Google Chrome (as on GitHub's runners), then the usual names on PATH.
 */
export function findBrowser(env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const v of ['CHROME_PATH', 'CHROMIUM_PATH']) {
    const p = env[v]
    if (p && isExecutable(p)) return p
  }
  for (const p of ['/usr/bin/chromium', '/usr/bin/google-chrome']) if (isExecutable(p)) return p
  const dirs = (env.PATH ?? '').split(path.delimiter).filter(Boolean)
  for (const name of ['google-chrome-stable', 'google-chrome', 'chromium-browser', 'chromium'])
    for (const d of dirs) if (isExecutable(path.join(d, name))) return path.join(d, name)
  return undefined
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'application/javascript',
  '.mjs': 'application/javascript',
  '.wasm': 'application/wasm',
  '.data': 'application/octet-stream',
  '.css': 'text/css'
}

interface Served {
  url: string
  stop: () => Promise<void>
  log: () => string
}

/**
 * A plain static server for the folder. With isolation false it sends no
 * COOP/COEP headers: the way a careless host would serve the build.
 */
export async function serveFolder(dir: string, isolation: boolean): Promise<Served> {
  const root = fs.realpathSync(dir)
  const server = http.createServer((req, res) => {
    const name = decodeURIComponent((req.url ?? '/').split('?')[0])
    // joined, not resolved from '.': the bundler would take '.' for a folder to ship
    const file = path.join(root, path.normalize(name.endsWith('/') ? `${name}python.html` : name))
    const headers: Record<string, string> = isolation
      ? {
          'Cross-Origin-Opener-Policy': 'same-origin',
          'Cross-Origin-Embedder-Policy': 'require-corp'
        }
      : {}
    if (!file.startsWith(root + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404, headers)
      return void res.end()
    }
    res.writeHead(200, {
      ...headers,
      'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream'
    })
    fs.createReadStream(file).pipe(res)
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/`,
    log: () => '',
    stop: async () => {
      server.closeAllConnections()
      await new Promise<void>(resolve => server.close(() => resolve()))
    }
  }
}

/** Runs the folder's own serve.mjs (the one users get in the artifact) on a free port. */
export async function spawnServeScript(dir: string, timeoutMs = 15000): Promise<Served> {
  const child: ChildProcess = spawn(process.execPath, [path.join(dir, 'serve.mjs'), '0'], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`serve.mjs printed no address:\n${output}`)),
      timeoutMs
    )
    const onData = (d: Buffer): void => {
      output += d.toString()
      const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(output)
      if (m) {
        clearTimeout(timer)
        resolve(m[0])
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()))
    child.on('exit', code => {
      clearTimeout(timer)
      reject(new Error(`serve.mjs exited with code ${code}:\n${output}`))
    })
  })
  return {
    url,
    log: () => output,
    stop: async () => {
      if (child.exitCode !== null) return
      const exited = new Promise(resolve => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
    }
  }
}

/**
 * Runs in the page before its own scripts: watches the worker, and defines
 * the stand-in terminal (a <pre> for output, a <textarea> for typing).
 */
const INIT_SCRIPT = `(() => {
  const smoke = (window.__smoke = { errors: [], workerErrors: [], ready: false, finished: null, terminal: null })
  window.addEventListener('error', e => smoke.errors.push(String(e.message || e)))
  window.addEventListener('unhandledrejection', e => smoke.errors.push(String(e.reason)))
  const NativeWorker = window.Worker
  window.Worker = class extends NativeWorker {
    constructor(url, options) {
      super(url, options)
      this.addEventListener('error', e => smoke.workerErrors.push(String(e.message || 'error in the worker')))
      this.addEventListener('message', e => {
        if (e.data && e.data.type === 'ready') smoke.ready = true
        if (e.data && e.data.type === 'finished') smoke.finished = e.data.returnCode
      })
    }
  }
  window.Terminal = class {
    constructor() {
      this.text = ''
      this.buffer = { active: { cursorX: 0 } }
      this.dataListeners = []
      this.decoder = new TextDecoder()
      smoke.terminal = this
    }
    open(container) {
      this.screen = document.createElement('pre')
      this.screen.id = 'smoke-terminal'
      this.screen.style.cssText = 'background:#1a1c1f;color:#e8e8e8;min-height:320px;margin:0;padding:8px;white-space:pre-wrap;word-break:break-all;font:13px monospace'
      this.input = document.createElement('textarea')
      this.input.id = 'smoke-terminal-input'
      this.input.setAttribute('aria-label', 'terminal input')
      this.input.style.cssText = 'width:100%;height:1.6em;font:13px monospace'
      this.input.addEventListener('keydown', e => {
        if (e.key === 'Enter') { e.preventDefault(); this.emit('\\r') }
        else if (e.key === 'Backspace') { e.preventDefault(); this.emit('\\x7f') }
      })
      this.input.addEventListener('input', () => {
        const v = this.input.value
        this.input.value = ''
        if (v) this.emit(v)
      })
      container.append(this.screen, this.input)
    }
    emit(data) { for (const l of this.dataListeners) l(data) }
    onData(listener) { this.dataListeners.push(listener); return { dispose() {} } }
    onKey() { return { dispose() {} } }
    focus() { if (this.input) this.input.focus() }
    clear() { this.text = ''; this.render() }
    write(data) {
      let s = typeof data === 'string' ? data : this.decoder.decode(data, { stream: true })
      s = s.replace(/\\x1b\\[D/g, '').replace(/\\x1b\\[P/g, '\\b').replace(/[\\r\\0]/g, '')
      for (const c of s) this.text = c === '\\b' ? this.text.slice(0, -1) : this.text + c
      this.buffer.active.cursorX = this.text.length - this.text.lastIndexOf('\\n') - 1
      this.render()
    }
    render() {
      if (!this.screen) return
      this.screen.textContent = this.text
      this.screen.scrollTop = this.screen.scrollHeight
    }
  }
})()`

/**
 * The smoke code as pasted into the REPL: the page's worker takes at most 127
 * characters per line through its SharedArrayBuffer, so the code goes in line
 * by line, with the empty line the interactive prompt needs after a block.
 */
export function replInput(code: string = SMOKE_CODE): string {
  const lines: string[] = []
  let inBlock = false
  for (const line of code.split('\n')) {
    const indented = /^\s/.test(line)
    if (inBlock && !indented) lines.push('')
    lines.push(line)
    inBlock = indented
  }
  if (inBlock) lines.push('')
  const long = lines.find(l => l.length > 120)
  if (long) throw new Error(`a smoke code line is too long for the REPL page: ${long}`)
  return lines.join('\n') + '\n'
}

interface PageState {
  ready: boolean
  isolated: boolean
  sharedArrayBuffer: boolean
  errors: string[]
  workerErrors: string[]
  text: string
}

const PAGE_STATE = `(() => {
  const s = window.__smoke
  return {
    ready: s.ready,
    isolated: window.crossOriginIsolated === true,
    sharedArrayBuffer: typeof SharedArrayBuffer === 'function',
    errors: s.errors,
    workerErrors: s.workerErrors,
    text: s.terminal ? s.terminal.text : ''
  }
})()`

const pageState = (page: CdpPage): Promise<PageState> => page.evaluate<PageState>(PAGE_STATE)

async function openPage(
  browser: Browser,
  url: string,
  timeoutMs: number
): Promise<{ page: CdpPage; state: PageState; consoleLines: string[] }> {
  const page = await browser.newPage(INIT_SCRIPT)
  const consoleLines: string[] = []
  page.on('Runtime.consoleAPICalled', p => {
    const args = (p.args as { value?: unknown; description?: string }[]) ?? []
    consoleLines.push(
      `[${String(p.type)}] ${args.map(a => a.value ?? a.description ?? '').join(' ')}`
    )
  })
  page.on('Runtime.exceptionThrown', p => {
    const d = p.exceptionDetails as { exception?: { description?: string }; text?: string }
    consoleLines.push(`[exception] ${d.exception?.description ?? d.text ?? ''}`)
  })
  await page.goto(url, timeoutMs)
  // ready (the worker loaded python.js and the wasm module) or an error in the worker
  await page.waitFor('window.__smoke.ready || window.__smoke.workerErrors.length > 0', timeoutMs)
  return { page, state: await pageState(page), consoleLines }
}

const waitForText = (page: CdpPage, re: RegExp, timeoutMs: number): Promise<boolean> =>
  page.waitFor(
    `window.__smoke.terminal && new RegExp(${JSON.stringify(re.source)}, ${JSON.stringify(re.flags)}).test(window.__smoke.terminal.text)`,
    timeoutMs
  )

function describe(state: PageState): string {
  return [
    `crossOriginIsolated ${state.isolated}`,
    `SharedArrayBuffer ${state.sharedArrayBuffer ? 'available' : 'unavailable'}`,
    state.ready ? 'the REPL worker started' : 'the REPL worker did not start',
    ...state.workerErrors.map(e => `worker error: ${e}`),
    ...state.errors.map(e => `page error: ${e}`)
  ].join('; ')
}

export async function runBrowserSmokeTest(
  test: SmokeTest,
  options: BrowserSmokeOptions = {}
): Promise<BrowserSmokeResult> {
  const started = Date.now()
  const dir = test.cwd
  const pageName = options.page ?? 'python.html'
  const timeoutMs = options.timeoutMs ?? 120000
  const base = {
    target: test.target,
    runner: test.runner
  }
  const seconds = (): number => (Date.now() - started) / 1000
  const executablePath = options.executablePath ?? (options.findBrowser ?? findBrowser)()
  if (!executablePath) {
    const why =
      'no Chrome or Chromium found (set CHROME_PATH, or install chromium); the browser smoke test was skipped'
    core.warning(`${test.target}: ${why}`)
    return { ...base, passed: true, skipped: why, problems: [], output: '', seconds: seconds() }
  }

  const problems: string[] = []
  const output: string[] = []
  let screenshot: string | undefined
  let withoutHeaders: BrowserSmokeResult['withoutHeaders']
  let report: Record<string, unknown> | undefined
  let browser: Browser | undefined
  try {
    // no name resolves: the page can reach 127.0.0.1 and nothing else (not the xterm.js CDN)
    browser = await launchBrowser(executablePath, [
      ...CHROMIUM_ARGS,
      '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
      '--no-default-browser-check'
    ])
    // 1. served as the artifact tells users to: its serve.mjs, else an isolating server
    const useScript = fs.existsSync(path.join(dir, 'serve.mjs'))
    const server = useScript ? await spawnServeScript(dir) : await serveFolder(dir, true)
    try {
      const url = new URL(pageName, server.url).href
      core.info(`Opening ${url} in ${executablePath}${useScript ? ' (served by serve.mjs)' : ''}`)
      const { page, state, consoleLines } = await openPage(browser, url, timeoutMs)
      output.push(`with headers: ${describe(state)}`)
      if (!state.isolated)
        problems.push('the page is not cross-origin isolated although the server sent COOP/COEP')
      if (!state.ready) problems.push(`the REPL did not start: ${describe(state)}`)
      else {
        await page.click('#repl')
        if (!(await waitForText(page, />>> $/, timeoutMs)))
          problems.push('the REPL printed no ">>> " prompt')
        else {
          await page.click('#smoke-terminal-input')
          // pasted, as a person would: the page queues the lines and feeds one per prompt
          await page.insertText(replInput())
          if (!(await waitForText(page, /\nSMOKE-REPORT [^\n]*\n/, timeoutMs)))
            problems.push('the REPL did not print the smoke report')
        }
      }
      const text = (await pageState(page)).text
      output.push(text)
      const checked = checkReport(test, text)
      report = checked.report
      if (state.ready) problems.push(...checked.problems.filter(p => !problems.includes(p)))
      if (options.screenshot) {
        await page.screenshot(options.screenshot)
        screenshot = options.screenshot
      }
      if (problems.length > 0) output.push(...consoleLines)
      await page.close()
    } finally {
      await server.stop()
    }

    // 2. the same files without COOP/COEP: the REPL must not start
    if (!options.skipHeaderCheck) {
      const plain = await serveFolder(dir, false)
      try {
        const { page, state } = await openPage(
          browser,
          new URL(pageName, plain.url).href,
          Math.min(timeoutMs, 30000)
        )
        const failed = !state.ready && !state.isolated
        withoutHeaders = { failed, detail: describe(state) }
        output.push(`without headers: ${describe(state)}`)
        if (!failed)
          problems.push(
            'the REPL started without cross-origin isolation headers, so this test cannot tell whether a server sends them'
          )
        await page.close()
      } finally {
        await plain.stop()
      }
    }
  } catch (error) {
    problems.push(
      `the browser test broke off: ${error instanceof Error ? error.message : String(error)}`
    )
  } finally {
    await browser?.close()
  }
  const result: BrowserSmokeResult = {
    ...base,
    passed: problems.length === 0,
    report,
    problems,
    output: output.join('\n'),
    screenshot,
    browser: executablePath,
    withoutHeaders,
    seconds: seconds()
  }
  core.info(result.output)
  core.info(
    result.passed
      ? `Browser smoke test passed in ${result.seconds.toFixed(1)} s`
      : `Browser smoke test failed: ${problems.join('; ')}`
  )
  return result
}
