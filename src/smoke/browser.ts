/**
 * The browser smoke test: serves the emscripten-browser folder, opens its
 * REPL page (python.html up to 3.13; index.html of 3.14's web_example, which
 * has the same page/worker contract) in headless Chromium, starts the REPL with the page's own
 * button, types the smoke code into its terminal and checks the report it
 * prints. A second load from a server without the COOP/COEP headers must
 * fail (no SharedArrayBuffer, no REPL), which shows the check can fail.
 *
 * CPython's page (Tools/wasm/python.html, Platforms/emscripten/web_example/
 * index.html) loads xterm.js (and the web example the ace editor) from a CDN. The
 * test never leaves 127.0.0.1: no host name resolves in the browser, and a
 * small terminal stands in for xterm with the API the page uses (open,
 * onData, onKey, write, clear, buffer.active.cursorX). Everything else is
 * the page's own code: its worker, python.js, python.wasm and python.data.
 * Chromium is driven with puppeteer-core over --remote-debugging-pipe, with
 * the browser that is installed; nothing is downloaded.
 */
import * as core from '@actions/core'
import { spawn, type ChildProcess } from 'node:child_process'
import * as fs from 'node:fs'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import * as path from 'node:path'
import type { SmokeTest } from '../plan/types.js'
import { buildEnvironment } from '../catalog/secrets.js'
import { SMOKE_CODE } from '../plan/smoke.js'
import type { Browser, Page } from 'puppeteer-core'
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
export async function serveFolder(
  dir: string,
  isolation: boolean,
  page = 'python.html'
): Promise<Served> {
  const root = fs.realpathSync(dir)
  const server = http.createServer((req, res) => {
    const name = decodeURIComponent((req.url ?? '/').split('?')[0])
    // joined, not resolved from '.': the bundler would take '.' for a folder to ship
    const file = path.join(root, path.normalize(name.endsWith('/') ? `${name}${page}` : name))
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
    // the artifact's script runs without the job's credentials
    env: buildEnvironment(process.env),
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

/** Runs in each page before the page's own scripts, as window.__smoke. */
const PAGE_SCRIPT = new URL('./assets/browser-smoke-page.js', import.meta.url)

/** The browser, and puppeteer's TimeoutError from the module loaded on demand. */
interface Driver {
  browser: Browser
  isTimeout: (error: unknown) => boolean
  pageScript: string
}

const START_MS = 60000

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error))

/** Starts the installed browser over --remote-debugging-pipe with a fresh temporary profile. */
async function launchBrowser(executablePath: string, timeoutMs: number): Promise<Driver> {
  const pageScript = fs.readFileSync(PAGE_SCRIPT, 'utf8')
  // loaded here so the action loads it only when a browser test runs
  const puppeteer = await import('puppeteer-core')
  // launch's own timeout does not cover a browser that never answers on the pipe
  const abort = new AbortController()
  const timer = setTimeout(() => abort.abort(), START_MS)
  try {
    const browser = await puppeteer.launch({
      executablePath,
      // the browser runs the artifact's page; it needs none of the job's credentials
      env: buildEnvironment(process.env),
      pipe: true,
      headless: true,
      // no name resolves: the page can reach 127.0.0.1 and nothing else (not the xterm.js CDN)
      args: [
        ...CHROMIUM_ARGS,
        '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
        '--no-default-browser-check'
      ],
      defaultViewport: { width: 900, height: 760, deviceScaleFactor: 1 },
      timeout: START_MS,
      signal: abort.signal,
      // waiting for the REPL is one protocol call, which must not run out before timeoutMs
      protocolTimeout: Math.max(180000, timeoutMs + 60000),
      // the action handles its own signals; the browser is still killed when Node exits
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false
    })
    return { browser, isTimeout: e => e instanceof puppeteer.TimeoutError, pageScript }
  } catch (error) {
    const why = abort.signal.aborted ? `no answer in ${START_MS / 1000} s` : message(error)
    throw new Error(`${executablePath} did not start: ${why}`)
  } finally {
    clearTimeout(timer)
  }
}

/** Browser.close, then a kill if the browser has not gone after 5 s. */
async function closeBrowser(browser: Browser): Promise<void> {
  const closed = browser.close().then(
    () => true,
    () => true
  )
  const timer = new Promise<false>(resolve => setTimeout(() => resolve(false), 5000).unref())
  if (await Promise.race([closed, timer])) return
  browser.process()?.kill('SIGKILL')
  await closed
}

const pageState = async (page: Page): Promise<PageState> =>
  (await page.evaluate('window.__smoke.state()')) as PageState

/** Polls the page until the expression is truthy; false when the time ran out. */
async function waitFor(
  driver: Driver,
  page: Page,
  expression: string,
  timeoutMs: number
): Promise<boolean> {
  try {
    await page.waitForFunction(expression, { polling: 100, timeout: timeoutMs })
    return true
  } catch (error) {
    if (driver.isTimeout(error)) return false
    throw error
  }
}

/** A real mouse click in the middle of the element. */
async function click(page: Page, selector: string): Promise<void> {
  const element = await page.$(selector)
  if (!element) throw new Error(`no element ${selector} on the page`)
  await element.click()
  await element.dispose()
}

async function saveScreenshot(page: Page, file: string): Promise<void> {
  const png = await page.screenshot({ type: 'png', captureBeyondViewport: true })
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, png)
}

/** A page in a fresh browser context (no cache or storage from the last load). */
async function openPage(
  driver: Driver,
  url: string,
  timeoutMs: number
): Promise<{ page: Page; close: () => Promise<void>; state: PageState; consoleLines: string[] }> {
  const context = await driver.browser.createBrowserContext()
  const close = (): Promise<void> => context.close().catch(() => undefined)
  try {
    const page = await context.newPage()
    await page.evaluateOnNewDocument(driver.pageScript)
    const consoleLines: string[] = []
    page.on('console', m => {
      // console calls only: browser log entries (blocked CDN loads) come without arguments
      if (m.args().length === 0) return
      const args = m.args().map(a => a.remoteObject())
      consoleLines.push(`[${m.type()}] ${args.map(a => a.value ?? a.description ?? '').join(' ')}`)
    })
    page.on('pageerror', (e: unknown) =>
      consoleLines.push(`[exception] ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`)
    )
    try {
      await page.goto(url, { waitUntil: 'load', timeout: timeoutMs })
    } catch (error) {
      throw new Error(
        driver.isTimeout(error)
          ? `${url} did not finish loading in ${timeoutMs / 1000} s`
          : `loading ${url} failed: ${message(error)}`
      )
    }
    // ready (the worker loaded python.js and the wasm module) or an error in the worker
    await waitFor(driver, page, 'window.__smoke.settled()', timeoutMs)
    return { page, close, state: await pageState(page), consoleLines }
  } catch (error) {
    await close()
    throw error
  }
}

const waitForText = (driver: Driver, page: Page, re: RegExp, timeoutMs: number): Promise<boolean> =>
  waitFor(
    driver,
    page,
    `window.__smoke.hasText(${JSON.stringify(re.source)}, ${JSON.stringify(re.flags)})`,
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
  const pageName = options.page ?? test.page ?? 'python.html'
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
  let driver: Driver | undefined
  try {
    driver = await launchBrowser(executablePath, timeoutMs)
    // 1. served as the artifact tells users to: its serve.mjs, else an isolating server
    const useScript = fs.existsSync(path.join(dir, 'serve.mjs'))
    const server = useScript ? await spawnServeScript(dir) : await serveFolder(dir, true, pageName)
    try {
      const url = new URL(pageName, server.url).href
      core.info(`Opening ${url} in ${executablePath}${useScript ? ' (served by serve.mjs)' : ''}`)
      const { page, close, state, consoleLines } = await openPage(driver, url, timeoutMs)
      output.push(`with headers: ${describe(state)}`)
      if (!state.isolated)
        problems.push('the page is not cross-origin isolated although the server sent COOP/COEP')
      if (!state.ready) problems.push(`the REPL did not start: ${describe(state)}`)
      else {
        await click(page, '#repl')
        if (!(await waitForText(driver, page, />>> $/, timeoutMs)))
          problems.push('the REPL printed no ">>> " prompt')
        else {
          await click(page, '#smoke-terminal-input')
          // pasted, as a person would (Input.insertText): the page feeds one line per prompt
          await page.keyboard.sendCharacter(replInput())
          if (!(await waitForText(driver, page, /\nSMOKE-REPORT [^\n]*\n/, timeoutMs)))
            problems.push('the REPL did not print the smoke report')
        }
      }
      const text = (await pageState(page)).text
      output.push(text)
      const checked = checkReport(test, text)
      report = checked.report
      if (state.ready) problems.push(...checked.problems.filter(p => !problems.includes(p)))
      if (options.screenshot) {
        await saveScreenshot(page, options.screenshot)
        screenshot = options.screenshot
      }
      if (problems.length > 0) output.push(...consoleLines)
      await close()
    } finally {
      await server.stop()
    }

    // 2. the same files without COOP/COEP: the REPL must not start
    if (!options.skipHeaderCheck) {
      const plain = await serveFolder(dir, false, pageName)
      try {
        const { close, state } = await openPage(
          driver,
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
        await close()
      } finally {
        await plain.stop()
      }
    }
  } catch (error) {
    problems.push(`the browser test broke off: ${message(error)}`)
  } finally {
    if (driver) await closeBrowser(driver.browser)
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
