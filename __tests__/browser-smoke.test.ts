/**
 * The browser smoke test in real headless Chromium against real loopback
 * servers, with a fixture build: CPython 3.11.2's python.html and
 * python.worker.js and a stand-in python.js (see fixtures/browser-repl).
 * Skipped when no Chrome or Chromium is installed.
 */
import { describe, expect, jest, test } from '@jest/globals'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { findBrowser, runBrowserSmokeTest, serveFolder } from '../src/smoke/browser.js'
import type { SmokeTest } from '../src/plan/types.js'
import { writeBrowserBundle } from '../src/artifacts/browser-bundle.js'
import { collectArtifact } from '../src/artifacts/collect.js'
import type { CheckoutFacts } from '../src/checkout/detect.js'
import { browserFixture, HAS_CPYTHON_PAGE } from './support/browser-fixture.js'
import { REPO_ROOT } from './support/harness.js'

jest.setTimeout(180000)

const browser = findBrowser()
const withBrowser = browser && HAS_CPYTHON_PAGE ? test : test.skip
const fixtureCopy = browserFixture

function smokeTest(dir: string, expect: Partial<SmokeTest['expect']> = {}): SmokeTest {
  return {
    target: 'emscripten-browser',
    runner: 'browser',
    argv: [],
    cwd: dir,
    env: {},
    expect: {
      platform: 'emscripten',
      machine: 'wasm32',
      version: '3.11.2',
      imports: ['json'],
      ...expect
    }
  }
}

describe('findBrowser', () => {
  test('CHROME_PATH wins, then the usual places; nothing found is undefined', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cwa-bin-'))
    const fake = path.join(dir, 'google-chrome-stable')
    fs.writeFileSync(fake, '#!/bin/sh\n', { mode: 0o755 })
    expect(findBrowser({ CHROME_PATH: fake, PATH: '' })).toBe(fake)
    expect(findBrowser({ CHROMIUM_PATH: fake, PATH: '' })).toBe(fake)
    const onPath = findBrowser({ PATH: dir })
    // a system browser in /usr/bin comes first when there is one
    expect([fake, '/usr/bin/chromium', '/usr/bin/google-chrome']).toContain(onPath)
    fs.chmodSync(fake, 0o644)
    if (!fs.existsSync('/usr/bin/chromium') && !fs.existsSync('/usr/bin/google-chrome'))
      expect(findBrowser({ PATH: dir })).toBeUndefined()
  })

  test('no browser: the test is skipped with a warning, not failed', async () => {
    const dir = fixtureCopy()
    const r = await runBrowserSmokeTest(smokeTest(dir), { findBrowser: () => undefined })
    expect(r.passed).toBe(true)
    expect(r.skipped).toMatch(/no Chrome or Chromium found/)
  })
})

describe('browser smoke test in headless Chromium', () => {
  withBrowser(
    'the REPL starts under serve.mjs, evaluates the smoke code and reports emscripten; without COOP/COEP it fails',
    async () => {
      const dir = fixtureCopy()
      const shot = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cwa-shot-')), 'repl.png')
      const r = await runBrowserSmokeTest(smokeTest(dir), {
        executablePath: browser,
        screenshot: shot
      })
      expect(r.problems).toEqual([])
      expect(r.passed).toBe(true)
      expect(r.report).toMatchObject({
        platform: 'emscripten',
        machine: 'wasm32',
        version: '3.11.2'
      })
      expect(r.output).toMatch(
        /with headers: crossOriginIsolated true; SharedArrayBuffer available/
      )
      // the page's own REPL printed the prompt and the answer
      expect(r.output).toMatch(/>>> import json, os, sys\n/)
      expect(r.withoutHeaders?.failed).toBe(true)
      expect(r.withoutHeaders?.detail).toMatch(/crossOriginIsolated false/)
      expect(r.withoutHeaders?.detail).toMatch(/SharedArrayBuffer unavailable/)
      expect(r.withoutHeaders?.detail).toMatch(/worker error: .*SharedArrayBuffer/)
      expect(r.screenshot).toBe(shot)
      const png = fs.readFileSync(shot)
      expect(png.subarray(1, 4).toString()).toBe('PNG')
      expect(png.length).toBeGreaterThan(5000)
      console.log(`browser smoke: ${r.seconds.toFixed(1)} s, screenshot ${png.length} bytes`)
    }
  )

  test('a browser that does not start fails the test with the reason', async () => {
    const r = await runBrowserSmokeTest(smokeTest(fixtureCopy()), {
      executablePath: '/bin/false',
      timeoutMs: 5000
    })
    expect(r.passed).toBe(false)
    expect(r.problems.join('\n')).toMatch(
      /the browser test broke off: \/bin\/false did not start: \S/
    )
    expect(r.withoutHeaders).toBeUndefined()
  })

  withBrowser('a wrong answer fails the check', async () => {
    const dir = fixtureCopy()
    const r = await runBrowserSmokeTest(smokeTest(dir, { version: '3.12.0' }), {
      executablePath: browser,
      skipHeaderCheck: true
    })
    expect(r.passed).toBe(false)
    expect(r.problems).toEqual(['version is "3.11.2", expected "3.12.0"'])
  })

  withBrowser('a page whose worker cannot start fails with the reason', async () => {
    const dir = fixtureCopy()
    fs.writeFileSync(path.join(dir, 'python.js'), 'throw new Error("python.js is broken")\n')
    const r = await runBrowserSmokeTest(smokeTest(dir), {
      executablePath: browser,
      skipHeaderCheck: true,
      timeoutMs: 20000
    })
    expect(r.passed).toBe(false)
    expect(r.problems.join('\n')).toMatch(/the REPL did not start: .*python\.js is broken/)
  })

  withBrowser('a server with the wrong MIME type for .wasm breaks the page', async () => {
    // without serve.mjs the runner serves with its own isolating server; break the type
    const dir = fixtureCopy(false)
    fs.renameSync(path.join(dir, 'python.wasm'), path.join(dir, 'python.bin'))
    fs.writeFileSync(
      path.join(dir, 'python.js'),
      fs
        .readFileSync(path.join(dir, 'python.js'), 'utf8')
        .replace("fetch('python.wasm')", "fetch('python.bin')")
    )
    const r = await runBrowserSmokeTest(smokeTest(dir), {
      executablePath: browser,
      skipHeaderCheck: true,
      timeoutMs: 20000
    })
    expect(r.passed).toBe(false)
    expect(r.problems.join('\n')).toMatch(/MIME type/)
  })

  test('the plain server sends no isolation headers; the isolating one does', async () => {
    const dir = fixtureCopy(false)
    for (const isolation of [false, true]) {
      const s = await serveFolder(dir, isolation)
      try {
        const res = await fetch(new URL('python.wasm', s.url))
        expect(res.headers.get('content-type')).toBe('application/wasm')
        expect(res.headers.get('cross-origin-embedder-policy')).toBe(
          isolation ? 'require-corp' : null
        )
        expect((await fetch(new URL('../../etc/passwd', s.url))).status).toBe(404)
      } finally {
        await s.stop()
      }
    }
  })
})

describe('3.14+: the web example, collected from the build and served as shipped', () => {
  const WEB_EXAMPLE = path.join(REPO_ROOT, '__tests__', 'fixtures', 'web-example')
  const withChromium = browser ? test : test.skip

  /** A host build folder with its web_example/, collected as the action collects it. */
  function collected(): string {
    const build = fs.mkdtempSync(path.join(os.tmpdir(), 'cwa-host-build-'))
    fs.cpSync(WEB_EXAMPLE, path.join(build, 'web_example'), { recursive: true })
    const dir = path.join(
      fs.mkdtempSync(path.join(os.tmpdir(), 'cwa-artifact-')),
      'emscripten-browser'
    )
    collectArtifact(
      { target: 'emscripten-browser', recipe: 'platforms', buildDir: build, dir, name: 'x' },
      { version: { major: 3, minor: 14, micro: 0, text: '3.14.0' } } as CheckoutFacts
    )
    writeBrowserBundle(dir)
    return dir
  }

  test('the artifact is the web example plus the headers files and serve.mjs', () => {
    expect(fs.readdirSync(collected()).sort()).toEqual(
      [
        '.htaccess',
        '_headers',
        'README.md',
        'index.html',
        'python.mjs',
        'python.wasm',
        'python.worker.mjs',
        'python3.14.zip',
        'serve.mjs'
      ].sort()
    )
  })

  test('a build without web_example/index.html fails collection, naming the file', () => {
    const build = fs.mkdtempSync(path.join(os.tmpdir(), 'cwa-host-build-'))
    expect(() =>
      collectArtifact(
        {
          target: 'emscripten-browser',
          recipe: 'platforms',
          buildDir: build,
          dir: path.join(build, 'out'),
          name: 'x'
        },
        { version: { major: 3, minor: 14, micro: 0, text: '3.14.0' } } as CheckoutFacts
      )
    ).toThrow(/did not produce web_example\/index\.html/)
  })

  withChromium(
    'index.html under serve.mjs: the REPL answers; without COOP/COEP it cannot start',
    async () => {
      const r = await runBrowserSmokeTest(
        { ...smokeTest(collected(), { version: '3.14.0' }), page: 'index.html' },
        { executablePath: browser }
      )
      expect(r.problems).toEqual([])
      expect(r.report).toMatchObject({ platform: 'emscripten', version: '3.14.0' })
      expect(r.output).toMatch(/with headers: crossOriginIsolated true/)
      expect(r.withoutHeaders?.failed).toBe(true)
      expect(r.withoutHeaders?.detail).toMatch(/worker error: .*SharedArrayBuffer/)
    }
  )
})
