/**
 * scripts/release/refresh-checksums.mjs against a loopback stand-in of
 * GitHub's REST API (release assets with `digest` fields): it adds what is
 * missing, never changes a known value, and fails on a disagreement.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import * as fs from 'node:fs'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import * as os from 'node:os'
import * as path from 'node:path'
import { main, TABLE } from '../scripts/release/refresh-checksums.mjs'

const sha = (c: string): string => c.repeat(64)
const RELEASES: Record<string, unknown[]> = {
  'WebAssembly/wasi-sdk': [
    {
      tag_name: 'wasi-sdk-35',
      assets: [
        { name: 'wasi-sdk-35.0-x86_64-linux.tar.gz', digest: `sha256:${sha('a')}` },
        { name: 'wasi-sdk-35.0-arm64-linux.tar.gz', digest: `sha256:${sha('b')}` },
        { name: 'wasi-sdk-35.0-x86_64-windows.tar.gz', digest: `sha256:${sha('c')}` }
      ]
    },
    // an old release: assets without a digest
    { tag_name: 'wasi-sdk-16', assets: [{ name: 'wasi-sdk-16.0-linux.tar.gz', digest: null }] },
    { tag_name: 'wasi-sdk-36', prerelease: true, assets: [] }
  ],
  'bytecodealliance/wasmtime': [
    {
      tag_name: 'v38.0.3',
      assets: [{ name: 'wasmtime-v38.0.3-x86_64-linux.tar.xz', digest: `sha256:${sha('d')}` }]
    },
    {
      tag_name: 'dev',
      assets: [{ name: 'wasmtime-dev-x86_64-linux.tar.xz', digest: `sha256:${sha('e')}` }]
    }
  ]
}

let server: http.Server
let api = ''
const seen: string[] = []
beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push(`${req.url} ${req.headers.authorization ?? ''}`)
    const repo = /^\/repos\/([^/]+\/[^/]+)\/releases/.exec(req.url ?? '')?.[1] ?? ''
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify(RELEASES[repo] ?? []))
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>(resolve => server.close(() => resolve())))

function tableCopy(): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cwa-table-')), 'checksums.json')
  fs.copyFileSync(TABLE, file)
  return file
}

describe('refresh-checksums.mjs', () => {
  test('adds the digests of new releases, skips what has none, and reports a conflict', async () => {
    const file = tableCopy()
    const lines: string[] = []
    const r = await main(['--table', file], { GITHUB_API_URL: api, GITHUB_TOKEN: 't0ken' }, l =>
      lines.push(l)
    )
    expect(r.added).toEqual(['wasi-sdk 35 x64', 'wasi-sdk 35 arm64'])
    // the table's wasmtime 38.0.3 x64 sum differs from this stand-in's digest: reported, not replaced
    expect(r.conflicts).toEqual([
      expect.stringMatching(/^wasmtime 38\.0\.3 x64: the table has 101d79/)
    ])
    expect(r.exitCode).toBe(1)
    expect(lines).toContain('added wasi-sdk 35 x64')
    const table = JSON.parse(fs.readFileSync(file, 'utf8'))
    expect(table['wasi-sdk']['35'].arm64).toEqual({
      sha256: sha('b'),
      from: "GitHub's digest of the release asset WebAssembly/wasi-sdk wasi-sdk-35/wasi-sdk-35.0-arm64-linux.tar.gz"
    })
    expect(table.wasmtime['38.0.3'].x64.sha256).toMatch(/^101d79/)
    expect(seen.some(s => s.endsWith('Bearer t0ken'))).toBe(true)
  })

  test('a second run adds nothing', async () => {
    const file = tableCopy()
    await main(['--table', file], { GITHUB_API_URL: api }, () => {})
    const before = fs.readFileSync(file, 'utf8')
    const r = await main(['--table', file], { GITHUB_API_URL: api }, () => {})
    expect(r.added).toEqual([])
    expect(fs.readFileSync(file, 'utf8')).toBe(before)
  })
})
