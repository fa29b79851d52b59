/**
 * The pieces the toolchain installers trust, in process: the cache key of a
 * toolchain, the record of what an install was verified as, the lock around
 * publishing into a shared tool cache, symbolic links leaving an archive,
 * version matching of probes, and the choice of a proxy (an https download
 * through a CONNECT tunnel is in toolchains-install.test.ts, through the
 * bundle, whose Node trusts the stand-in server's certificate).
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { planCaches } from '../src/cache/keys.js'
import { cacheInputFiles } from '../src/cache/keys.js'
import { inspectCheckout } from '../src/checkout/detect.js'
import { loadInputs } from '../src/inputs/index.js'
import { makePlan, type Plan } from '../src/plan/index.js'
import { downloadVerified, proxyFor } from '../src/toolchains/download.js'
import { namesVersion } from '../src/toolchains/installers/base.js'
import { linkLeavingTree } from '../src/toolchains/links.js'
import { withLock } from '../src/toolchains/lock.js'
import { recordMismatch, writeRecord, type VerifiedRecord } from '../src/toolchains/verified.js'
import { checkoutWithLayout } from './support/checkout-layouts.js'
import { startDownloadServer, type DownloadServer } from './support/download-server.js'
import { runnerFacts } from './support/runner-facts.js'

let work: string
beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'cwa-units-'))
})
afterAll(() => {
  fs.rmSync(work, { recursive: true, force: true })
})

describe('the cache key of a toolchain', () => {
  const root = checkoutWithLayout('manual')
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }))

  function toolchainKeys(inputs: Record<string, string> = {}): Record<string, string> {
    const values: Record<string, string> = { source: root, ...inputs }
    const plan: Plan = makePlan(
      loadInputs(name => values[name] ?? ''),
      inspectCheckout(root),
      runnerFacts()
    )
    const files = Object.fromEntries(cacheInputFiles(plan).map(f => [f, 'h']))
    const caches = planCaches(plan, runnerFacts(), {
      sourceTree: 't',
      sourceTreeFrom: 'git',
      files,
      image: 'i'
    })
    return Object.fromEntries(
      caches.filter(c => c.id.startsWith('toolchain-')).map(c => [c.id, c.key])
    )
  }

  test('a mirror or another sum changes that toolchain key alone; the case of a sum does not', () => {
    const base = toolchainKeys()
    const mirrored = toolchainKeys({ 'wasi-sdk-mirror': 'https://mirror.example/wasi-sdk' })
    expect(mirrored['toolchain-wasi-sdk']).not.toBe(base['toolchain-wasi-sdk'])
    expect(mirrored['toolchain-emsdk']).toBe(base['toolchain-emsdk'])
    expect(mirrored['toolchain-wasmtime']).toBe(base['toolchain-wasmtime'])

    const summed = toolchainKeys({ 'emsdk-sha256': 'a'.repeat(64) })
    expect(summed['toolchain-emsdk']).not.toBe(base['toolchain-emsdk'])
    expect(summed['toolchain-wasi-sdk']).toBe(base['toolchain-wasi-sdk'])
    expect(toolchainKeys({ 'emsdk-sha256': 'A'.repeat(64) })).toEqual(summed)
  })
})

describe('the record of what an install was verified as', () => {
  const expected = {
    tool: 'wasi-sdk' as const,
    version: '24',
    arch: 'x64' as const,
    url: 'https://github.com/WebAssembly/wasi-sdk/releases/download/wasi-sdk-24/wasi-sdk-24.0-x86_64-linux.tar.gz',
    sha256: 'C'.repeat(64)
  }
  const verified: VerifiedRecord = {
    ...expected,
    sha256: 'c'.repeat(64),
    checkedAgainst: 'table'
  }

  test('matches only the same release, URL and sum; is written whole', () => {
    const dir = path.join(work, 'record', 'x64')
    fs.mkdirSync(dir, { recursive: true })
    expect(recordMismatch(dir, expected)).toMatch(/^it has no record of what it was verified as/)
    writeRecord(dir, verified)
    expect(fs.readdirSync(path.dirname(dir)).sort()).toEqual(['x64', 'x64.verified.json'])
    expect(recordMismatch(dir, expected)).toBeUndefined()
    // no sum expected: the URL decides
    expect(recordMismatch(dir, { ...expected, sha256: undefined })).toBeUndefined()
    expect(recordMismatch(dir, { ...expected, sha256: 'd'.repeat(64) })).toBe(
      `its archive had sha256 ${'c'.repeat(64)}, not the expected ${'d'.repeat(64)}`
    )
    expect(recordMismatch(dir, { ...expected, url: 'https://mirror.example/x.tar.gz' })).toBe(
      `it was installed from ${expected.url}, not from https://mirror.example/x.tar.gz`
    )
    expect(recordMismatch(dir, { ...expected, version: '25' })).toBe(
      'its record names version 24, not 25'
    )
    fs.writeFileSync(`${dir}.verified.json`, '{"tool": ')
    expect(recordMismatch(dir, expected)).toMatch(/^its record .* is unreadable$/)
  })
})

describe('the lock around publishing', () => {
  const holder = (pid: number, host = os.hostname()): string =>
    JSON.stringify({ pid, host, since: new Date().toISOString(), token: 'someone-else' })

  test('holders take turns', async () => {
    const file = path.join(work, 'turns.lock')
    const events: string[] = []
    const hold = (name: string, ms: number) =>
      withLock(file, name, async () => {
        events.push(`${name} in`)
        await new Promise(resolve => setTimeout(resolve, ms))
        events.push(`${name} out`)
      })
    await Promise.all([hold('a', 300), hold('b', 10)])
    expect(events).toEqual(['a in', 'a out', 'b in', 'b out'])
    expect(fs.existsSync(file)).toBe(false)
  })

  test('a holder that works longer than the stale timeout keeps its lock: it refreshes it', async () => {
    const file = path.join(work, 'long.lock')
    const events: string[] = []
    const hold = (name: string, ms: number) =>
      withLock(
        file,
        name,
        async () => {
          events.push(`${name} in`)
          await new Promise(resolve => setTimeout(resolve, ms))
          events.push(`${name} out`)
        },
        600
      )
    await Promise.all([hold('a', 1500), hold('b', 10)])
    expect(events).toEqual(['a in', 'a out', 'b in', 'b out'])
  })

  test('a lock whose process on this host is gone is taken over at once', async () => {
    const file = path.join(work, 'dead.lock')
    const gone = spawnSync(process.execPath, ['-e', '0']).pid as number
    fs.writeFileSync(file, holder(gone))
    const started = Date.now()
    expect(await withLock(file, 'test', async () => 'ran')).toBe('ran')
    expect(Date.now() - started).toBeLessThan(2000)
    expect(fs.existsSync(file)).toBe(false)
  })

  test('a lock of another host is waited for while fresh, taken over once stale', async () => {
    const file = path.join(work, 'other-host.lock')
    fs.writeFileSync(file, holder(1, 'another-runner'))
    const started = Date.now()
    await withLock(file, 'test', async () => undefined, 700)
    expect(Date.now() - started).toBeGreaterThanOrEqual(600)

    // released by its holder: taken as soon as it is gone
    fs.writeFileSync(file, holder(1, 'another-runner'))
    setTimeout(() => fs.rmSync(file), 300)
    const second = Date.now()
    await withLock(file, 'test', async () => undefined)
    expect(Date.now() - second).toBeGreaterThanOrEqual(250)
  })

  test('a holder that was taken over does not remove its successor’s lock', async () => {
    const file = path.join(work, 'successor.lock')
    await withLock(file, 'test', async () => {
      fs.writeFileSync(file, holder(process.pid))
    })
    expect(fs.readFileSync(file, 'utf8')).toContain('someone-else')
    fs.rmSync(file)
  })
})

describe('symbolic links in an unpacked archive', () => {
  function tree(name: string, links: Record<string, string>): string {
    const top = path.join(work, 'links', name, 'top')
    fs.mkdirSync(path.join(top, 'bin'), { recursive: true })
    fs.mkdirSync(path.join(top, 'lib', 'deep'), { recursive: true })
    fs.writeFileSync(path.join(top, 'bin', 'clang-18'), '')
    for (const [link, target] of Object.entries(links)) fs.symlinkSync(target, path.join(top, link))
    return top
  }

  test.each([
    [
      'relative links inside, dangling ones too',
      { 'bin/clang': 'clang-18', 'lib/x': '../bin/none' }
    ],
    ['a link to the top folder itself', { 'lib/deep/up': '../..' }],
    ['a chain of links that stays inside', { 'lib/a': '../bin', 'lib/deep/b': '../a/clang-18' }]
  ])('accepted: %s', (_name, links) => {
    expect(linkLeavingTree(tree(`ok-${Object.keys(links)[0]}`, links))).toBeUndefined()
  })

  test.each([
    ['an absolute link', { 'bin/sh': '/bin/sh' }, 'bin/sh -> /bin/sh'],
    ['a relative link that climbs out', { 'lib/etc': '../../etc' }, 'lib/etc -> ../../etc'],
    [
      'a link that climbs out through a link to the top folder',
      { here: '.', 'lib/notes': '../here/../secrets' },
      'lib/notes -> ../here/../secrets'
    ],
    ['a link loop', { 'lib/a': 'b', 'lib/b': 'a' }, 'lib/a -> b']
  ])('refused: %s', (_name, links, shown) => {
    expect(linkLeavingTree(tree(`bad-${Object.keys(links).join('-')}`, links))).toBe(shown)
  })
})

describe('probes', () => {
  test.each([
    ['wasmtime 22.0.0 (f1d2e3 2024-06-20)', '22.0.0', true],
    ['emcc (Emscripten gcc/clang-like replacement) 3.1.58 (a4fd6f)', '3.1.58', true],
    ['emcc (...) 3.1.58-git', '3.1.58', true],
    ['emcc (...) 3.1.58', '3.1.5', false],
    ['wasmtime 122.0.0', '22.0.0', false],
    ['wasmtime 22.0.0.1', '22.0.0', false]
  ])('%j names %s: %s', (text, version, names) => {
    expect(namesVersion(text, version)).toBe(names)
  })
})

describe('downloads through a proxy', () => {
  test('https_proxy/http_proxy by scheme; loopback hosts and no_proxy bypass it', () => {
    const env = {
      https_proxy: 'http://user:p%40ss@proxy.example:3128',
      http_proxy: 'proxy.example:8080',
      no_proxy: 'internal.example, .corp.example'
    }
    expect(proxyFor(new URL('https://github.com/x'), env)?.href).toBe(
      'http://user:p%40ss@proxy.example:3128/'
    )
    expect(proxyFor(new URL('http://mirror.example/x'), env)?.host).toBe('proxy.example:8080')
    expect(proxyFor(new URL('http://127.0.0.1:8080/x'), env)).toBeUndefined()
    expect(proxyFor(new URL('http://localhost/x'), env)).toBeUndefined()
    expect(proxyFor(new URL('https://internal.example/x'), env)).toBeUndefined()
    expect(proxyFor(new URL('https://a.corp.example/x'), env)).toBeUndefined()
    expect(proxyFor(new URL('https://github.com/x'), { ...env, no_proxy: '*' })).toBeUndefined()
  })

  let mirror: DownloadServer
  const file = (): string => {
    const f = path.join(work, 'payload.tar.gz')
    fs.writeFileSync(f, 'payload of the archive\n')
    return f
  }
  const sha256 = createHash('sha256').update('payload of the archive\n').digest('hex')
  beforeAll(async () => {
    mirror = await startDownloadServer()
  })
  afterAll(async () => {
    await mirror.close()
  })

  test('plain http goes to the proxy with the absolute URL', async () => {
    mirror.serve('/plain/payload.tar.gz', file())
    process.env.http_proxy = mirror.url
    try {
      const got = await downloadVerified(
        {
          release: 'test 1',
          url: 'http://downloads.example/plain/payload.tar.gz',
          sha256,
          sha256From: 'input',
          sha256Input: 'test-sha256'
        },
        path.join(work, 'via-http-proxy')
      )
      expect(got.sha256).toBe(sha256)
      expect(mirror.headers.get('/plain/payload.tar.gz')?.host).toBe('downloads.example')
    } finally {
      delete process.env.http_proxy
    }
  })
})
