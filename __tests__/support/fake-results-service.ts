/**
 * A loopback fake of the Actions results service's CacheService, as
 * @actions/cache 6 speaks it (cache service v2): Twirp JSON calls under
 * /twirp/github.actions.results.api.v1.CacheService/ with the runtime token as
 * a bearer token, proto field names and int64 values as strings; and an
 * Azure-style blob endpoint for the signed URLs it hands out (Azurite layout:
 * /devstoreaccount1/<container>/<blob>?sig=...).
 *
 * Uploads come from @azure/storage-blob's uploadFile: one PUT with
 * x-ms-blob-type: BlockBlob up to 128 MiB, staged blocks (PUT ?comp=block)
 * plus a block list (PUT ?comp=blocklist) above. Downloads to a host that is
 * not *.blob.core.windows.net are plain GETs through @actions/http-client;
 * Range and HEAD are answered too.
 *
 * Lookups work like the real service: entries are scoped by `version` (a hash
 * of the paths and the compression), the exact key wins, then each of the key
 * and the restore keys in order as a prefix, newest entry first. Only
 * finalized entries are found; a key+version that exists (or is being
 * uploaded) cannot be created again.
 *
 * Archives are kept in files, so the benchmark can push real toolchains
 * through it.
 *
 * Faults: `fault = 'unavailable'` answers every request 500 (the client
 * retries Twirp calls 5 times over about 25 s); `'reserve-conflict'` answers
 * CreateCacheEntry with ok: false; `'corrupt-download'` serves a truncated
 * archive with a matching Content-Length. For "no service at all", leave
 * ACTIONS_RESULTS_URL unset, or give `closedUrl()`.
 */
import { createHash, randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import * as net from 'node:net'
import * as os from 'node:os'
import * as path from 'node:path'

export const CACHE_SERVICE = '/twirp/github.actions.results.api.v1.CacheService/'
const ACCOUNT = 'devstoreaccount1'
const CONTAINER = 'actions-cache'
const X_MS_VERSION = '2025-11-05'

export type CacheFault = 'unavailable' | 'reserve-conflict' | 'corrupt-download'

export interface StoredCacheEntry {
  id: number
  key: string
  version: string
  /** creation order: a larger number is newer */
  created: number
  finalized: boolean
  /** the committed blob, once uploaded */
  file?: string
  size?: number
  /** what FinalizeCacheEntryUpload said */
  sizeBytes?: string
  /** how the blob arrived */
  blocks: number
  singlePut: boolean
  /** the blob's signature in the URLs handed out */
  sig: string
}

export interface RecordedCall {
  /** the Twirp method, or BLOB for the storage endpoint */
  method: string
  httpMethod: string
  path: string
  query: Record<string, string>
  /** the Twirp request body */
  body?: Record<string, unknown>
  status: number
  /** the Twirp response body */
  response?: Record<string, unknown>
}

export class FakeResultsService {
  readonly entries: StoredCacheEntry[] = []
  readonly calls: RecordedCall[] = []
  fault?: CacheFault
  private server?: http.Server
  private port = 0
  private nextId = 1
  private clock = 0
  private readonly staged = new Map<number, Map<string, string>>()
  readonly dir: string

  /**
   * @param token the ACTIONS_RUNTIME_TOKEN the client must send
   * @param dir where archives are kept; a new temporary folder by default
   */
  constructor(
    readonly token: string,
    dir?: string
  ) {
    this.dir = dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'fake-cache-'))
    fs.mkdirSync(this.dir, { recursive: true })
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`
  }

  /** The variables the runner gives an action so @actions/cache uses this service (v2). */
  env(): Record<string, string> {
    return {
      ACTIONS_RESULTS_URL: `${this.url}/`,
      ACTIONS_RUNTIME_TOKEN: this.token,
      ACTIONS_CACHE_SERVICE_V2: 'true'
    }
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' })
        res.end(JSON.stringify({ code: 'internal', msg: String(e) }))
      })
    })
    await new Promise<void>(resolve => this.server?.listen(0, '127.0.0.1', resolve))
    this.port = (this.server.address() as AddressInfo).port
    return this
  }

  async stop(): Promise<void> {
    const server = this.server
    if (!server) return
    server.closeAllConnections()
    await new Promise<void>(resolve => server.close(() => resolve()))
  }

  /** Deletes the stored archives (when the folder was ours to make). */
  async dispose(): Promise<void> {
    await this.stop()
    fs.rmSync(this.dir, { recursive: true, force: true })
  }

  /** Twirp calls of one method, in order. */
  twirpCalls(method: string): RecordedCall[] {
    return this.calls.filter(c => c.method === method)
  }

  finalized(): StoredCacheEntry[] {
    return this.entries.filter(e => e.finalized)
  }

  /** Drops the entries whose key starts with the prefix, as eviction (LRU, 10 GB) would. */
  evict(prefix: string): void {
    for (let i = this.entries.length - 1; i >= 0; i--)
      if (this.entries[i].key.startsWith(prefix)) this.entries.splice(i, 1)
  }

  byKey(key: string): StoredCacheEntry | undefined {
    return this.entries.find(e => e.key === key && e.finalized)
  }

  /** The archive of an entry, as uploaded. */
  archive(entry: StoredCacheEntry): Buffer {
    if (!entry.file) throw new Error(`test error: entry ${entry.key} has no blob`)
    return fs.readFileSync(entry.file)
  }

  /** Adds a finalized entry directly (e.g. a copy of another entry's archive under a new key). */
  seed(key: string, version: string, archive: Buffer): StoredCacheEntry {
    const entry = this.newEntry(key, version)
    entry.file = path.join(this.dir, `${entry.id}.blob`)
    fs.writeFileSync(entry.file, archive)
    entry.size = archive.length
    entry.sizeBytes = String(archive.length)
    entry.finalized = true
    return entry
  }

  /** What GetCacheEntryDownloadURL finds: exact key, then key and restore keys as prefixes, newest first. */
  lookup(key: string, restoreKeys: string[], version: string): StoredCacheEntry | undefined {
    const candidates = this.entries
      .filter(e => e.finalized && e.version === version)
      .sort((a, b) => b.created - a.created)
    const exact = candidates.find(e => e.key === key)
    if (exact) return exact
    for (const prefix of [key, ...restoreKeys]) {
      const hit = candidates.find(e => e.key.startsWith(prefix))
      if (hit) return hit
    }
    return undefined
  }

  private newEntry(key: string, version: string): StoredCacheEntry {
    const entry: StoredCacheEntry = {
      id: this.nextId++,
      key,
      version,
      created: ++this.clock,
      finalized: false,
      blocks: 0,
      singlePut: false,
      sig: randomBytes(12).toString('hex')
    }
    this.entries.push(entry)
    return entry
  }

  private blobPath(e: StoredCacheEntry): string {
    return `/${ACCOUNT}/${CONTAINER}/${e.id}`
  }

  private signedUrl(e: StoredCacheEntry, permission: 'r' | 'cw'): string {
    const expiry = new Date(Date.now() + 3600_000).toISOString().replace(/\.\d+Z$/, 'Z')
    return `${this.url}${this.blobPath(e)}?sv=${X_MS_VERSION}&se=${encodeURIComponent(expiry)}&sr=b&sp=${permission}&sig=${e.sig}`
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url)
    const record: RecordedCall = {
      method: url.pathname.startsWith(CACHE_SERVICE)
        ? url.pathname.slice(CACHE_SERVICE.length)
        : 'BLOB',
      httpMethod: req.method ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      status: 0
    }
    this.calls.push(record)
    res.on('finish', () => (record.status = res.statusCode))

    if (this.fault === 'unavailable') {
      await drain(req)
      return twirpError(res, 500, 'internal', 'the cache service is unavailable (injected)')
    }
    if (url.pathname.startsWith(CACHE_SERVICE)) {
      const text = (await drain(req)).toString()
      let body: Record<string, unknown>
      try {
        body = JSON.parse(text || '{}') as Record<string, unknown>
      } catch {
        return twirpError(res, 400, 'malformed', 'the body is not JSON')
      }
      record.body = body
      return this.twirp(record, req, res, body)
    }
    if (url.pathname.startsWith(`/${ACCOUNT}/${CONTAINER}/`)) return this.blob(req, res, url)
    await drain(req)
    res.writeHead(404)
    res.end()
  }

  private twirp(
    record: RecordedCall,
    req: http.IncomingMessage,
    res: http.ServerResponse,
    body: Record<string, unknown>
  ): void {
    if (req.method !== 'POST') return twirpError(res, 405, 'bad_route', 'POST only')
    if (!String(req.headers['content-type']).startsWith('application/json'))
      return twirpError(res, 415, 'bad_route', 'JSON only')
    if (req.headers.authorization !== `Bearer ${this.token}`)
      return twirpError(res, 401, 'unauthenticated', 'the runtime token is missing or wrong')
    const reply = (o: Record<string, unknown>): void => {
      record.response = o
      res.writeHead(200, { 'Content-Type': 'application/json' })
      res.end(JSON.stringify(o))
    }
    const key = typeof body.key === 'string' ? body.key : ''
    const version = typeof body.version === 'string' ? body.version : ''
    if (!key || !version) return twirpError(res, 400, 'invalid_argument', 'key and version')
    switch (record.method) {
      case 'GetCacheEntryDownloadURL': {
        const restoreKeys = Array.isArray(body.restore_keys) ? (body.restore_keys as string[]) : []
        const hit = this.lookup(key, restoreKeys, version)
        if (!hit) return reply({ ok: false, signed_download_url: '', matched_key: '' })
        return reply({
          ok: true,
          signed_download_url: this.signedUrl(hit, 'r'),
          matched_key: hit.key
        })
      }
      case 'CreateCacheEntry': {
        const taken = this.entries.some(e => e.key === key && e.version === version)
        if (this.fault === 'reserve-conflict' || taken)
          return reply({
            ok: false,
            signed_upload_url: '',
            message: 'cache entry with the same key, version, and scope already exists'
          })
        const entry = this.newEntry(key, version)
        return reply({ ok: true, signed_upload_url: this.signedUrl(entry, 'cw') })
      }
      case 'FinalizeCacheEntryUpload': {
        const entry = this.entries.find(e => e.key === key && e.version === version && !e.finalized)
        if (!entry) return twirpError(res, 404, 'not_found', `no pending cache entry ${key}`)
        if (!entry.file) return reply({ ok: false, entry_id: '0', message: 'no blob uploaded' })
        const sizeBytes = String(body.size_bytes ?? '')
        if (sizeBytes !== String(entry.size))
          return reply({
            ok: false,
            entry_id: '0',
            message: `size_bytes ${sizeBytes} is not the uploaded size ${entry.size}`
          })
        entry.sizeBytes = sizeBytes
        entry.finalized = true
        return reply({ ok: true, entry_id: String(entry.id) })
      }
      default:
        return twirpError(res, 404, 'bad_route', `no method ${record.method}`)
    }
  }

  private async blob(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const headers: Record<string, string> = {
      'x-ms-request-id': randomBytes(8).toString('hex'),
      'x-ms-version': X_MS_VERSION,
      Date: new Date().toUTCString()
    }
    const fail = async (status: number, code: string): Promise<void> => {
      await drain(req)
      res.writeHead(status, {
        ...headers,
        'x-ms-error-code': code,
        'Content-Type': 'application/xml'
      })
      res.end(
        `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${code}</Message></Error>`
      )
    }
    const entry = this.entries.find(e => this.blobPath(e) === url.pathname)
    if (!entry) return fail(404, 'BlobNotFound')
    if (url.searchParams.get('sig') !== entry.sig) return fail(403, 'AuthenticationFailed')
    const permission = url.searchParams.get('sp') ?? ''
    const comp = url.searchParams.get('comp')
    const etag = `"0x${randomBytes(8).toString('hex').toUpperCase()}"`
    const written = (extra: Record<string, string> = {}): void => {
      res.writeHead(201, {
        ...headers,
        ETag: etag,
        'Last-Modified': new Date().toUTCString(),
        'x-ms-request-server-encrypted': 'true',
        'Content-Length': '0',
        ...extra
      })
      res.end()
    }

    if (req.method === 'PUT') {
      if (!permission.includes('w') || entry.finalized)
        return fail(403, 'AuthorizationPermissionMismatch')
      if (comp === 'block') {
        const blockId = url.searchParams.get('blockid')
        if (!blockId) return fail(400, 'InvalidQueryParameterValue')
        const file = path.join(
          this.dir,
          `${entry.id}.block-${this.staged.get(entry.id)?.size ?? 0}`
        )
        const md5 = await receive(req, file)
        const blocks = this.staged.get(entry.id) ?? new Map<string, string>()
        blocks.set(blockId, file)
        this.staged.set(entry.id, blocks)
        return written({ 'Content-MD5': md5 })
      }
      if (comp === 'blocklist') {
        const list = (await drain(req)).toString()
        const staged = this.staged.get(entry.id) ?? new Map<string, string>()
        const ids = [...list.matchAll(/<(Latest|Uncommitted|Committed)>([^<]*)<\/\1>/g)].map(
          m => m[2]
        )
        if (ids.some(id => !staged.has(id))) return fail(400, 'InvalidBlockList')
        const file = path.join(this.dir, `${entry.id}.blob`)
        fs.writeFileSync(file, '')
        for (const id of ids) fs.appendFileSync(file, fs.readFileSync(staged.get(id) as string))
        for (const f of staged.values()) fs.rmSync(f, { force: true })
        this.staged.delete(entry.id)
        entry.file = file
        entry.size = fs.statSync(file).size
        entry.blocks = ids.length
        return written()
      }
      if (!comp && req.headers['x-ms-blob-type'] === 'BlockBlob') {
        const file = path.join(this.dir, `${entry.id}.blob`)
        const md5 = await receive(req, file)
        entry.file = file
        entry.size = fs.statSync(file).size
        entry.singlePut = true
        return written({ 'Content-MD5': md5 })
      }
      return fail(400, 'UnsupportedQueryParameter')
    }

    if (req.method === 'GET' || req.method === 'HEAD') {
      await drain(req)
      if (!permission.includes('r')) return fail(403, 'AuthorizationPermissionMismatch')
      if (!entry.file || !entry.finalized || entry.size === undefined)
        return fail(404, 'BlobNotFound')
      // a corrupt archive: the first half of it, with a length that matches what is sent
      const size = this.fault === 'corrupt-download' ? Math.floor(entry.size / 2) : entry.size
      let start = 0
      let end = size - 1
      let status = 200
      const range = /^bytes=(\d+)-(\d*)$/.exec(
        String(req.headers['x-ms-range'] ?? req.headers.range ?? '')
      )
      if (range) {
        start = Number(range[1])
        end = range[2] ? Math.min(Number(range[2]), size - 1) : size - 1
        if (start >= size) {
          res.writeHead(416, { ...headers, 'Content-Range': `bytes */${size}` })
          return void res.end()
        }
        status = 206
      }
      res.writeHead(status, {
        ...headers,
        'Content-Type': 'application/octet-stream',
        'Content-Length': String(end - start + 1),
        'Accept-Ranges': 'bytes',
        ...(status === 206 ? { 'Content-Range': `bytes ${start}-${end}/${size}` } : {}),
        'x-ms-blob-type': 'BlockBlob',
        ETag: etag,
        'Last-Modified': new Date().toUTCString()
      })
      if (req.method === 'HEAD' || size === 0) return void res.end()
      await new Promise<void>((resolve, reject) => {
        const stream = fs.createReadStream(entry.file as string, { start, end })
        stream.on('error', reject)
        res.on('finish', resolve)
        res.on('close', resolve)
        stream.pipe(res)
      })
      return
    }
    return fail(405, 'UnsupportedHttpVerb')
  }
}

/** A loopback URL nothing listens on: the service is absent (connections are refused). */
export async function closedUrl(): Promise<string> {
  const server = net.createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  await new Promise<void>(resolve => server.close(() => resolve()))
  return `http://127.0.0.1:${port}/`
}

function drain(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

/** Streams a request body into a file; returns its MD5 (base64) as Azure reports it. */
function receive(req: http.IncomingMessage, file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const md5 = createHash('md5')
    const out = fs.createWriteStream(file)
    req.on('data', (c: Buffer) => md5.update(c))
    req.on('error', reject)
    out.on('error', reject)
    out.on('finish', () => resolve(md5.digest('base64')))
    req.pipe(out)
  })
}

function twirpError(res: http.ServerResponse, status: number, code: string, msg: string): void {
  res.writeHead(status, { 'Content-Type': 'application/json' })
  res.end(JSON.stringify({ code, msg }))
}
