/**
 * A loopback download mirror: serves files by URL path from 127.0.0.1 on a
 * random port, counts requests per path, and injects faults per path, one
 * per request, so a test can script "two 500s, then the file".
 */
import * as fs from 'node:fs'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'

export type Fault =
  /** an HTTP error status with a short body */
  | { status: number }
  /** headers promise the whole file, half of it is sent, then the connection is destroyed */
  | 'truncate'
  /** the connection is closed before any response */
  | 'close'
  /** the request is never answered (the client's time-out must end it) */
  | 'hang'

export interface DownloadServer {
  url: string
  /** serves `file` (a path on disk) at `urlPath` */
  serve(urlPath: string, file: string): void
  /** the faults the next requests for `urlPath` get, in order; then it is served normally */
  fail(urlPath: string, ...faults: Fault[]): void
  /** requests per URL path, counted whatever the answer */
  requests: Map<string, number>
  totalRequests(): number
  /** request headers seen per URL path (the last request) */
  headers: Map<string, http.IncomingHttpHeaders>
  close(): Promise<void>
}

export async function startDownloadServer(): Promise<DownloadServer> {
  const files = new Map<string, string>()
  const faults = new Map<string, Fault[]>()
  const requests = new Map<string, number>()
  const headers = new Map<string, http.IncomingHttpHeaders>()

  const server = http.createServer((req, res) => {
    const urlPath = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname)
    requests.set(urlPath, (requests.get(urlPath) ?? 0) + 1)
    headers.set(urlPath, req.headers)
    const fault = faults.get(urlPath)?.shift()
    const file = files.get(urlPath)
    if (fault === 'hang') return
    if (fault === 'close') {
      req.socket.destroy()
      return
    }
    if (fault && typeof fault === 'object') {
      res.writeHead(fault.status, { 'content-type': 'text/plain' }).end(`fault ${fault.status}\n`)
      return
    }
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n')
      return
    }
    const body = fs.readFileSync(file)
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': body.length
    })
    if (fault === 'truncate') {
      res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.destroy())
      return
    }
    res.end(body)
  })
  const sockets = new Set<import('node:net').Socket>()
  server.on('connection', socket => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    serve: (urlPath, file) => void files.set(urlPath, file),
    fail: (urlPath, ...list) => void faults.set(urlPath, [...(faults.get(urlPath) ?? []), ...list]),
    requests,
    totalRequests: () => [...requests.values()].reduce((a, b) => a + b, 0),
    headers,
    close: () =>
      new Promise<void>(resolve => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      })
  }
}
