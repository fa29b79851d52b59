/** The deploy files of the browser folder, and its serve.mjs run as users run it. */
import { describe, expect, test } from '@jest/globals'
import * as fs from 'node:fs'
import * as http from 'node:http'
import * as path from 'node:path'
import { bundleFile, writeBrowserBundle } from '../src/artifacts/browser-bundle.js'
import { spawnServeScript } from '../src/smoke/browser.js'
import { browserFixture } from './support/browser-fixture.js'

function bundle(): string {
  const dir = browserFixture(false)
  expect(writeBrowserBundle(dir)).toEqual(['.htaccess', '_headers', 'serve.mjs'])
  return dir
}

/** A raw GET, so paths like /../ reach the server unnormalised. */
function get(
  url: string,
  rawPath: string
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  const u = new URL(url)
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: u.hostname, port: u.port, path: rawPath, method: 'GET' },
      res => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks)
          })
        )
      }
    )
    req.on('error', reject)
    req.end()
  })
}

describe('browser bundle', () => {
  test('.htaccess is the seed README text; _headers sends the same headers', () => {
    const dir = bundle()
    const htaccess = fs.readFileSync(path.join(dir, '.htaccess'), 'utf8')
    expect(htaccess).toBe(bundleFile('.htaccess'))
    for (const line of [
      'Header set Cross-Origin-Opener-Policy same-origin',
      'Header set Cross-Origin-Embedder-Policy require-corp',
      'AddType application/javascript js',
      'AddType application/wasm wasm',
      '<IfModule mod_deflate.c>',
      '    AddOutputFilterByType DEFLATE text/html application/javascript application/wasm',
      '</IfModule>'
    ])
      expect(htaccess.split('\n')).toContain(line)
    const headers = fs.readFileSync(path.join(dir, '_headers'), 'utf8')
    expect(headers).toBe(bundleFile('_headers'))
    expect(headers.split('\n').slice(0, 3)).toEqual([
      '/*',
      '  Cross-Origin-Opener-Policy: same-origin',
      '  Cross-Origin-Embedder-Policy: require-corp'
    ])
    expect(fs.statSync(path.join(dir, 'serve.mjs')).mode & 0o111).not.toBe(0)
  })

  test('serve.mjs imports only node: modules', () => {
    const source = fs.readFileSync(path.join(bundle(), 'serve.mjs'), 'utf8')
    const imports = [...source.matchAll(/from '([^']+)'/g)].map(m => m[1])
    expect(imports.length).toBeGreaterThan(0)
    for (const i of imports) expect(i).toMatch(/^node:/)
  })

  test('serve.mjs serves the folder with COOP/COEP and the right types, and nothing else', async () => {
    const dir = bundle()
    const server = await spawnServeScript(dir)
    try {
      expect(server.log()).toMatch(/^Serving .* at http:\/\/127\.0\.0\.1:\d+\/python\.html\n/)
      const types: Record<string, string> = {
        '/python.html': 'text/html; charset=utf-8',
        '/': 'text/html; charset=utf-8',
        '/python.js': 'application/javascript',
        '/python.worker.js': 'application/javascript',
        '/serve.mjs': 'application/javascript',
        '/python.wasm': 'application/wasm',
        '/python.data': 'application/octet-stream'
      }
      for (const [p, type] of Object.entries(types)) {
        const r = await get(server.url, p)
        expect([p, r.status, r.headers['content-type']]).toEqual([p, 200, type])
        expect(r.headers['cross-origin-opener-policy']).toBe('same-origin')
        expect(r.headers['cross-origin-embedder-policy']).toBe('require-corp')
      }
      const wasm = await get(server.url, '/python.wasm')
      expect(wasm.body.equals(fs.readFileSync(path.join(dir, 'python.wasm')))).toBe(true)
      // outside the folder, dotfiles, encoded traversal, missing files
      fs.writeFileSync(path.join(path.dirname(dir), 'cwa-secret.txt'), 'secret')
      for (const p of [
        '/../cwa-secret.txt',
        '/%2e%2e/cwa-secret.txt',
        '/..%2fcwa-secret.txt',
        '/%2e%2e%2fcwa-secret.txt',
        '/.htaccess',
        '/%00python.html'
      ]) {
        const r = await get(server.url, p)
        expect([p, r.status]).toEqual([p, 403])
        expect(r.body.toString()).not.toContain('secret')
      }
      expect((await get(server.url, '/nope.js')).status).toBe(404)
      // a symlink out of the folder is refused too
      fs.symlinkSync(path.join(path.dirname(dir), 'cwa-secret.txt'), path.join(dir, 'link.txt'))
      expect((await get(server.url, '/link.txt')).status).toBe(403)
    } finally {
      await server.stop()
    }
  })

  test('serve.mjs takes the port from its argument or PORT, and rejects junk', async () => {
    const { spawnSync } = await import('node:child_process')
    const dir = bundle()
    const r = spawnSync(process.execPath, [path.join(dir, 'serve.mjs'), 'eighty'], {
      encoding: 'utf8'
    })
    expect(r.status).toBe(2)
    expect(r.stderr).toMatch(/not a port number: eighty/)
  })
})
