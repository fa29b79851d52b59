/**
 * A small Chrome DevTools Protocol client over --remote-debugging-pipe (file
 * descriptors 3 and 4, messages ended by NUL): enough to open a page in a
 * fresh browser context, run script in it, click, type and take a
 * screenshot. No WebSocket and no browser download: it drives the Chrome or
 * Chromium that is installed. (playwright-core cannot be bundled by ncc.)
 */
import { spawn, type ChildProcess } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import type { Readable, Writable } from 'node:stream'

type Json = Record<string, unknown>

interface Pending {
  resolve: (v: Json) => void
  reject: (e: Error) => void
  method: string
}

export class CdpError extends Error {}

export class Cdp {
  private nextId = 1
  private readonly pending = new Map<number, Pending>()
  private readonly listeners: { method: string; sessionId?: string; fn: (p: Json) => void }[] = []
  private chunks: Buffer[] = []
  private closed?: Error

  constructor(
    private readonly out: Writable,
    input: Readable
  ) {
    input.on('data', (data: Buffer) => this.receive(data))
    input.on('close', () => this.fail(new CdpError('the browser closed its DevTools pipe')))
    out.on('error', e => this.fail(e))
  }

  private receive(data: Buffer): void {
    let start = 0
    for (let i = data.indexOf(0); i !== -1; i = data.indexOf(0, start)) {
      this.chunks.push(data.subarray(start, i))
      const message = Buffer.concat(this.chunks).toString('utf8')
      this.chunks = []
      start = i + 1
      this.dispatch(JSON.parse(message) as Json)
    }
    if (start < data.length) this.chunks.push(data.subarray(start))
  }

  private dispatch(m: Json): void {
    if (typeof m.id === 'number') {
      const p = this.pending.get(m.id)
      if (!p) return
      this.pending.delete(m.id)
      const error = m.error as { message?: string } | undefined
      if (error) p.reject(new CdpError(`${p.method}: ${error.message ?? JSON.stringify(error)}`))
      else p.resolve((m.result as Json) ?? {})
      return
    }
    for (const l of this.listeners)
      if (l.method === m.method && (l.sessionId === undefined || l.sessionId === m.sessionId))
        l.fn((m.params as Json) ?? {})
  }

  private fail(e: Error): void {
    this.closed ??= e
    for (const p of this.pending.values()) p.reject(e)
    this.pending.clear()
  }

  send(method: string, params: Json = {}, sessionId?: string): Promise<Json> {
    if (this.closed) return Promise.reject(this.closed)
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, method })
      this.out.write(
        `${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`
      )
    })
  }

  on(method: string, fn: (p: Json) => void, sessionId?: string): () => void {
    const l = { method, sessionId, fn }
    this.listeners.push(l)
    return () => {
      const i = this.listeners.indexOf(l)
      if (i >= 0) this.listeners.splice(i, 1)
    }
  }
}

/** A timer that does not keep Node running on its own. */
const sleep = (ms: number): Promise<void> => new Promise(r => setTimeout(r, ms).unref())

export class CdpPage {
  constructor(
    private readonly cdp: Cdp,
    readonly sessionId: string,
    private readonly contextId: string
  ) {}

  send(method: string, params: Json = {}): Promise<Json> {
    return this.cdp.send(method, params, this.sessionId)
  }

  on(method: string, fn: (p: Json) => void): () => void {
    return this.cdp.on(method, fn, this.sessionId)
  }

  /** Navigates and waits for the load event. */
  async goto(url: string, timeoutMs: number): Promise<void> {
    let off = (): void => {}
    const loaded = new Promise<void>(
      resolve => (off = this.on('Page.loadEventFired', () => resolve()))
    )
    try {
      const r = await this.send('Page.navigate', { url })
      if (r.errorText) throw new CdpError(`loading ${url} failed: ${String(r.errorText)}`)
      const timedOut = await Promise.race([
        loaded.then(() => false),
        sleep(timeoutMs).then(() => true)
      ])
      if (timedOut) throw new CdpError(`${url} did not finish loading in ${timeoutMs / 1000} s`)
    } finally {
      off()
    }
  }

  /** Evaluates an expression in the page and returns its value (promises awaited). */
  async evaluate<T>(expression: string): Promise<T> {
    const r = await this.send('Runtime.evaluate', {
      expression,
      returnByValue: true,
      awaitPromise: true
    })
    const ex = r.exceptionDetails as
      { exception?: { description?: string }; text?: string } | undefined
    if (ex) throw new CdpError(`script failed: ${ex.exception?.description ?? ex.text ?? 'error'}`)
    return (r.result as { value?: T }).value as T
  }

  /** Polls until the expression is truthy; false when the time ran out. */
  async waitFor(expression: string, timeoutMs: number): Promise<boolean> {
    const end = Date.now() + timeoutMs
    for (;;) {
      if (await this.evaluate<boolean>(`!!(${expression})`)) return true
      if (Date.now() > end) return false
      await sleep(100)
    }
  }

  /** A real mouse click in the middle of the element. */
  async click(selector: string): Promise<void> {
    const box = await this.evaluate<{ x: number; y: number } | null>(
      `(() => { const e = document.querySelector(${JSON.stringify(selector)}); if (!e) return null;
        e.scrollIntoView({ block: 'center' }); const r = e.getBoundingClientRect();
        return { x: r.left + r.width / 2, y: r.top + r.height / 2 } })()`
    )
    if (!box) throw new CdpError(`no element ${selector} on the page`)
    const mouse = { x: box.x, y: box.y, button: 'left', clickCount: 1 }
    await this.send('Input.dispatchMouseEvent', { type: 'mouseMoved', x: box.x, y: box.y })
    await this.send('Input.dispatchMouseEvent', { type: 'mousePressed', ...mouse })
    await this.send('Input.dispatchMouseEvent', { type: 'mouseReleased', ...mouse })
  }

  /** Text as typed or pasted into the focused element. */
  async insertText(text: string): Promise<void> {
    await this.send('Input.insertText', { text })
  }

  async screenshot(file: string): Promise<void> {
    const r = await this.send('Page.captureScreenshot', {
      format: 'png',
      captureBeyondViewport: true
    })
    fs.mkdirSync(path.dirname(file), { recursive: true })
    fs.writeFileSync(file, Buffer.from(String(r.data), 'base64'))
  }

  async close(): Promise<void> {
    await this.cdp
      .send('Target.disposeBrowserContext', { browserContextId: this.contextId })
      .catch(() => undefined)
  }
}

export interface Browser {
  cdp: Cdp
  /** a new page in a fresh browser context, with a script that runs before the page's own */
  newPage: (initScript?: string, viewport?: { width: number; height: number }) => Promise<CdpPage>
  close: () => Promise<void>
  stderr: () => string
}

/** Starts the browser with a fresh profile and a DevTools pipe. */
export async function launchBrowser(
  executablePath: string,
  args: string[],
  timeoutMs = 60000
): Promise<Browser> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'cwa-chromium-'))
  const child: ChildProcess = spawn(
    executablePath,
    [...args, '--remote-debugging-pipe', `--user-data-dir=${profile}`, 'about:blank'],
    { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] }
  )
  let stderr = ''
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-20000)
  })
  const exited = new Promise<void>(resolve => child.once('exit', () => resolve()))
  const cdp = new Cdp(child.stdio[3] as Writable, child.stdio[4] as Readable)
  const started = await Promise.race([
    cdp.send('Browser.getVersion').then(() => true),
    exited.then(() => false),
    sleep(timeoutMs).then(() => false)
  ]).catch(() => false)
  const close = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      await cdp.send('Browser.close').catch(() => undefined)
      const done = await Promise.race([exited.then(() => true), sleep(5000).then(() => false)])
      if (!done) {
        child.kill('SIGKILL')
        await exited
      }
    }
    fs.rmSync(profile, { recursive: true, force: true })
  }
  if (!started) {
    await close()
    throw new CdpError(`${executablePath} did not start:\n${stderr.trim()}`)
  }
  return {
    cdp,
    stderr: () => stderr,
    close,
    newPage: async (initScript, viewport = { width: 900, height: 760 }) => {
      const { browserContextId } = (await cdp.send('Target.createBrowserContext')) as {
        browserContextId: string
      }
      const { targetId } = (await cdp.send('Target.createTarget', {
        url: 'about:blank',
        browserContextId
      })) as { targetId: string }
      const { sessionId } = (await cdp.send('Target.attachToTarget', {
        targetId,
        flatten: true
      })) as {
        sessionId: string
      }
      const page = new CdpPage(cdp, sessionId, browserContextId)
      await page.send('Page.enable')
      await page.send('Runtime.enable')
      await page.send('Emulation.setDeviceMetricsOverride', {
        ...viewport,
        deviceScaleFactor: 1,
        mobile: false
      })
      if (initScript)
        await page.send('Page.addScriptToEvaluateOnNewDocument', { source: initScript })
      return page
    }
  }
}
