/**
 * Injected into the page under test before its own scripts (see ../browser.ts).
 * It records what the REPL worker does, and stands in for xterm.js, which the
 * page would load from a CDN the test cannot reach: a <pre> shows the output,
 * a <textarea> takes the input. The runner reads the page through
 * window.__smoke: settled(), hasText(source, flags) and state().
 */
/* global window, document, TextDecoder */
;(() => {
  const smoke = (window.__smoke = {
    errors: [],
    workerErrors: [],
    ready: false,
    finished: null,
    terminal: null
  })
  window.addEventListener('error', e => smoke.errors.push(String(e.message || e)))
  window.addEventListener('unhandledrejection', e => smoke.errors.push(String(e.reason)))

  // the page's worker posts 'ready' once python.js and the wasm module loaded
  const NativeWorker = window.Worker
  window.Worker = class extends NativeWorker {
    constructor(url, options) {
      super(url, options)
      this.addEventListener('error', e =>
        smoke.workerErrors.push(String(e.message || 'error in the worker'))
      )
      this.addEventListener('message', e => {
        if (e.data && e.data.type === 'ready') smoke.ready = true
        if (e.data && e.data.type === 'finished') smoke.finished = e.data.returnCode
      })
    }
  }

  // 3.14's web example also has an ace editor (for its "Run code" button, which
  // the test does not use); enough of it that the page's setup does not throw
  window.ace = {
    edit: () => ({ session: { setMode() {} }, getValue: () => '' })
  }

  // the part of xterm's API the page uses: open, onData, onKey, write, clear, buffer.active.cursorX
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
      this.screen.style.cssText =
        'background:#1a1c1f;color:#e8e8e8;min-height:320px;margin:0;padding:8px;white-space:pre-wrap;word-break:break-all;font:13px monospace'
      this.input = document.createElement('textarea')
      this.input.id = 'smoke-terminal-input'
      this.input.setAttribute('aria-label', 'terminal input')
      this.input.style.cssText = 'width:100%;height:1.6em;font:13px monospace'
      this.input.addEventListener('keydown', e => {
        if (e.key === 'Enter') {
          e.preventDefault()
          this.emit('\r')
        } else if (e.key === 'Backspace') {
          e.preventDefault()
          this.emit('\x7f')
        }
      })
      // typed or pasted text arrives here, and goes to the page as one chunk
      this.input.addEventListener('input', () => {
        const v = this.input.value
        this.input.value = ''
        if (v) this.emit(v)
      })
      container.append(this.screen, this.input)
    }
    emit(data) {
      for (const l of this.dataListeners) l(data)
    }
    onData(listener) {
      this.dataListeners.push(listener)
      return { dispose() {} }
    }
    onKey() {
      return { dispose() {} }
    }
    focus() {
      if (this.input) this.input.focus()
    }
    clear() {
      this.text = ''
      this.render()
    }
    write(data) {
      let s = typeof data === 'string' ? data : this.decoder.decode(data, { stream: true })
      // the page erases a character with cursor-left then delete-character
      s = s
        .replaceAll('\x1b[D', '')
        .replaceAll('\x1b[P', '\b')
        .replace(/[\r\0]/g, '')
      for (const c of s) this.text = c === '\b' ? this.text.slice(0, -1) : this.text + c
      this.buffer.active.cursorX = this.text.length - this.text.lastIndexOf('\n') - 1
      this.render()
    }
    render() {
      if (!this.screen) return
      this.screen.textContent = this.text
      this.screen.scrollTop = this.screen.scrollHeight
    }
  }

  /** the worker is ready, or failed */
  smoke.settled = () => smoke.ready || smoke.workerErrors.length > 0
  /** the terminal shows text matching the pattern */
  smoke.hasText = (source, flags) =>
    smoke.terminal !== null && new RegExp(source, flags).test(smoke.terminal.text)
  smoke.state = () => ({
    ready: smoke.ready,
    isolated: window.crossOriginIsolated === true,
    sharedArrayBuffer: typeof SharedArrayBuffer === 'function',
    errors: smoke.errors,
    workerErrors: smoke.workerErrors,
    text: smoke.terminal ? smoke.terminal.text : ''
  })
})()
