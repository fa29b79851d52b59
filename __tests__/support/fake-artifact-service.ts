/**
 * A loopback fake of the Actions results service's ArtifactService, as
 * @actions/artifact 6 speaks it: Twirp JSON calls under
 * /twirp/github.actions.results.api.v1.ArtifactService/, and an Azure-style
 * blob endpoint for the signed upload and download URLs it hands out
 * (Azurite layout: /devstoreaccount1/<container>/<blob>?sig=...).
 *
 * Uploads arrive as staged blocks (PUT ?comp=block&blockid=...) and a block
 * list (PUT ?comp=blocklist), the way @azure/storage-blob's uploadStream sends
 * them; a single PUT of the whole blob is accepted too.
 */
import { randomBytes, createHash } from 'node:crypto'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'

const SERVICE = '/twirp/github.actions.results.api.v1.ArtifactService/'
const ACCOUNT = 'devstoreaccount1'
const CONTAINER = 'actions-results'

export interface StoredArtifact {
  id: number
  name: string
  runBackendId: string
  jobBackendId: string
  mimeType?: string
  expiresAt?: string
  version?: number
  finalized: boolean
  /** the blob as committed */
  content?: Buffer
  contentType?: string
  /** what FinalizeArtifact said */
  size?: string
  hash?: string
  createdAt: string
  /** how the blob arrived */
  blocks: number
  singlePut: boolean
}

export interface RecordedRequest {
  method: string
  path: string
  query: Record<string, string>
  body?: unknown
}

/** A canned failure for the next call of one Twirp method. */
export interface InjectedFailure {
  method: 'CreateArtifact' | 'FinalizeArtifact' | 'ListArtifacts' | 'GetSignedArtifactURL'
  status: number
  code: string
  msg: string
  /** how many calls fail; 1 by default */
  times?: number
}

function decodeJwtPayload(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.')
  if (parts.length !== 3) return undefined
  try {
    return JSON.parse(Buffer.from(parts[1], 'base64url').toString()) as Record<string, unknown>
  } catch {
    return undefined
  }
}

/** Backend ids from a runtime token's `scp` claim, as the real service reads them. */
export function backendIdsOf(token: string): { run: string; job: string } | undefined {
  const scp = decodeJwtPayload(token)?.scp
  if (typeof scp !== 'string') return undefined
  for (const scope of scp.split(' ')) {
    const parts = scope.split(':')
    if (parts[0] === 'Actions.Results' && parts.length === 3)
      return { run: parts[1], job: parts[2] }
  }
  return undefined
}

export class FakeArtifactService {
  readonly artifacts: StoredArtifact[] = []
  readonly requests: RecordedRequest[] = []
  readonly failures: InjectedFailure[] = []
  private server?: http.Server
  private port = 0
  private nextId = 1000
  private readonly signature = randomBytes(12).toString('hex')
  private readonly staged = new Map<string, Map<string, Buffer>>()

  /** @param token the ACTIONS_RUNTIME_TOKEN the client must send */
  constructor(readonly token: string) {
    if (!backendIdsOf(token)) throw new Error('test error: the token has no Actions.Results scope')
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`
  }

  /** The variables the runner gives an action so the artifact client finds the service. */
  env(): Record<string, string> {
    return { ACTIONS_RESULTS_URL: `${this.url}/`, ACTIONS_RUNTIME_TOKEN: this.token }
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        try {
          this.handle(req, res, Buffer.concat(chunks))
        } catch (e) {
          res.writeHead(500, { 'Content-Type': 'application/json' })
          res.end(JSON.stringify({ code: 'internal', msg: String(e) }))
        }
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

  byName(name: string): StoredArtifact | undefined {
    return this.artifacts.find(a => a.name === name)
  }

  private blobPath(a: StoredArtifact): string {
    return `/${ACCOUNT}/${CONTAINER}/${a.runBackendId}/${a.id}/${encodeURIComponent(a.name)}.zip`
  }

  private signedUrl(a: StoredArtifact, permission: 'w' | 'r'): string {
    return `${this.url}${this.blobPath(a)}?sv=2021-08-06&sp=${permission}&sig=${this.signature}`
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): void {
    const url = new URL(req.url ?? '/', this.url)
    const query = Object.fromEntries(url.searchParams)
    const record: RecordedRequest = { method: req.method ?? '', path: url.pathname, query }
    this.requests.push(record)
    if (url.pathname.startsWith(SERVICE)) {
      let parsed: Record<string, unknown> = {}
      try {
        parsed = JSON.parse(body.toString() || '{}') as Record<string, unknown>
      } catch {
        return twirpError(res, 400, 'malformed', 'the body is not JSON')
      }
      record.body = parsed
      return this.twirp(url.pathname.slice(SERVICE.length), req, res, parsed)
    }
    if (url.pathname.startsWith(`/${ACCOUNT}/`)) return this.blob(req, res, url, body)
    res.writeHead(404)
    res.end()
  }

  private twirp(
    method: string,
    req: http.IncomingMessage,
    res: http.ServerResponse,
    body: Record<string, unknown>
  ): void {
    if (req.method !== 'POST') return twirpError(res, 405, 'bad_route', 'POST only')
    if (!String(req.headers['content-type']).startsWith('application/json'))
      return twirpError(res, 415, 'bad_route', 'JSON only')
    if (req.headers.authorization !== `Bearer ${this.token}`)
      return twirpError(res, 401, 'unauthenticated', 'the runtime token is missing or wrong')
    const ids = backendIdsOf(this.token) as { run: string; job: string }
    if (body.workflow_run_backend_id !== ids?.run || body.workflow_job_run_backend_id !== ids?.job)
      return twirpError(res, 403, 'permission_denied', 'the backend ids do not match the token')
    const failure = this.failures.find(f => f.method === method)
    if (failure) {
      failure.times = (failure.times ?? 1) - 1
      if (failure.times <= 0) this.failures.splice(this.failures.indexOf(failure), 1)
      return twirpError(res, failure.status, failure.code, failure.msg)
    }
    const reply = (o: object): void => {
      res.writeHead(200, { 'Content-Type': 'application/json' })
      res.end(JSON.stringify(o))
    }
    const name = typeof body.name === 'string' ? body.name : ''
    switch (method) {
      case 'CreateArtifact': {
        if (!name) return twirpError(res, 400, 'invalid_argument', 'name is required')
        if (this.artifacts.some(a => a.name === name && a.finalized))
          return twirpError(
            res,
            409,
            'already_exists',
            'an artifact with this name already exists on the workflow run'
          )
        const artifact: StoredArtifact = {
          id: this.nextId++,
          name,
          runBackendId: ids.run,
          jobBackendId: ids.job,
          mimeType: (body.mime_type as string | undefined) ?? undefined,
          expiresAt: body.expires_at as string | undefined,
          version: body.version as number | undefined,
          finalized: false,
          createdAt: new Date().toISOString(),
          blocks: 0,
          singlePut: false
        }
        this.artifacts.push(artifact)
        return reply({ ok: true, signed_upload_url: this.signedUrl(artifact, 'w') })
      }
      case 'FinalizeArtifact': {
        const artifact = this.artifacts.find(a => a.name === name && !a.finalized)
        if (!artifact) return twirpError(res, 404, 'not_found', `no pending artifact ${name}`)
        if (!artifact.content)
          return twirpError(res, 400, 'failed_precondition', 'the blob was never committed')
        artifact.size = String(body.size)
        artifact.hash = (body.hash as string | undefined) ?? undefined
        const sha = `sha256:${createHash('sha256').update(artifact.content).digest('hex')}`
        if (artifact.hash && artifact.hash !== sha)
          return twirpError(res, 400, 'invalid_argument', `hash ${artifact.hash} != ${sha}`)
        artifact.finalized = true
        return reply({ ok: true, artifact_id: String(artifact.id) })
      }
      case 'ListArtifacts': {
        const nameFilter = body.name_filter as string | undefined
        const idFilter = body.id_filter as string | undefined
        const found = this.artifacts.filter(
          a =>
            a.finalized &&
            (nameFilter === undefined || a.name === nameFilter) &&
            (idFilter === undefined || String(a.id) === String(idFilter))
        )
        return reply({
          artifacts: found.map(a => ({
            workflow_run_backend_id: a.runBackendId,
            workflow_job_run_backend_id: a.jobBackendId,
            database_id: String(a.id),
            name: a.name,
            size: a.size ?? '0',
            created_at: a.createdAt,
            ...(a.hash ? { digest: a.hash } : {})
          }))
        })
      }
      case 'GetSignedArtifactURL': {
        const artifact = this.artifacts.find(a => a.name === name && a.finalized)
        if (!artifact) return twirpError(res, 404, 'not_found', `no artifact ${name}`)
        return reply({ signed_url: this.signedUrl(artifact, 'r') })
      }
      default:
        return twirpError(res, 404, 'bad_route', `no method ${method}`)
    }
  }

  private blob(req: http.IncomingMessage, res: http.ServerResponse, url: URL, body: Buffer): void {
    const headers = {
      'x-ms-request-id': randomBytes(8).toString('hex'),
      'x-ms-version': '2021-08-06',
      Date: new Date().toUTCString()
    }
    const fail = (status: number, code: string): void => {
      res.writeHead(status, {
        ...headers,
        'x-ms-error-code': code,
        'Content-Type': 'application/xml'
      })
      res.end(`<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code></Error>`)
    }
    if (url.searchParams.get('sig') !== this.signature) return fail(403, 'AuthenticationFailed')
    const artifact = this.artifacts.find(a => this.blobPath(a) === url.pathname)
    if (!artifact) return fail(404, 'BlobNotFound')
    const permission = url.searchParams.get('sp')
    const comp = url.searchParams.get('comp')
    const etag = `"0x${randomBytes(8).toString('hex').toUpperCase()}"`
    if (req.method === 'PUT') {
      if (permission !== 'w' || artifact.finalized)
        return fail(403, 'AuthorizationPermissionMismatch')
      if (comp === 'block') {
        const blockId = url.searchParams.get('blockid')
        if (!blockId) return fail(400, 'InvalidQueryParameterValue')
        const blocks = this.staged.get(url.pathname) ?? new Map<string, Buffer>()
        blocks.set(blockId, body)
        this.staged.set(url.pathname, blocks)
        res.writeHead(201, {
          ...headers,
          'Content-MD5': createHash('md5').update(body).digest('base64'),
          'x-ms-request-server-encrypted': 'true'
        })
        return void res.end()
      }
      if (comp === 'blocklist') {
        const staged = this.staged.get(url.pathname) ?? new Map<string, Buffer>()
        const ids = [...body.toString().matchAll(/<(Latest|Uncommitted|Committed)>([^<]*)<\/\1>/g)]
        const parts: Buffer[] = []
        for (const [, , id] of ids) {
          const block = staged.get(id)
          if (!block) return fail(400, 'InvalidBlockList')
          parts.push(block)
        }
        artifact.content = Buffer.concat(parts)
        artifact.blocks = ids.length
        artifact.contentType = req.headers['x-ms-blob-content-type'] as string | undefined
        this.staged.delete(url.pathname)
        res.writeHead(201, {
          ...headers,
          ETag: etag,
          'Last-Modified': new Date().toUTCString(),
          'x-ms-request-server-encrypted': 'true'
        })
        return void res.end()
      }
      if (!comp && req.headers['x-ms-blob-type'] === 'BlockBlob') {
        artifact.content = body
        artifact.singlePut = true
        artifact.contentType = req.headers['x-ms-blob-content-type'] as string | undefined
        res.writeHead(201, {
          ...headers,
          ETag: etag,
          'Last-Modified': new Date().toUTCString(),
          'Content-MD5': createHash('md5').update(body).digest('base64'),
          'x-ms-request-server-encrypted': 'true'
        })
        return void res.end()
      }
      return fail(400, 'UnsupportedQueryParameter')
    }
    if (req.method === 'GET') {
      if (!artifact.content || !artifact.finalized) return fail(404, 'BlobNotFound')
      res.writeHead(200, {
        ...headers,
        'Content-Type': artifact.contentType ?? 'application/zip',
        'Content-Length': String(artifact.content.length),
        'Content-Disposition': `attachment; filename="${artifact.name}.zip"`,
        ETag: etag
      })
      return void res.end(artifact.content)
    }
    fail(405, 'UnsupportedHttpVerb')
  }
}

function twirpError(res: http.ServerResponse, status: number, code: string, msg: string): void {
  res.writeHead(status, { 'Content-Type': 'application/json' })
  res.end(JSON.stringify({ code, msg }))
}
