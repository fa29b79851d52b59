/**
 * A loopback download mirror: serves files by URL path from 127.0.0.1 on a
 * random port, counts requests per path, and injects faults per path, one
 * per request, so a test can script "two 500s, then the file"; a path can
 * also redirect, always, to a Location given as the test writes it.
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
  /** headers promise the whole file, then one byte is sent every `drip` milliseconds */
  | { drip: number }
  /** the answer waits until `until()` is true (polled), then the request is served normally */
  | { until: () => boolean }

export interface DownloadServer {
  url: string
  /** serves `file` (a path on disk) at `urlPath` */
  serve(urlPath: string, file: string): void
  /** the faults the next requests for `urlPath` get, in order; then it is served normally */
  fail(urlPath: string, ...faults: Fault[]): void
  /** every request for `urlPath` is answered 302 with this Location, sent as given (relative or not) */
  redirect(urlPath: string, location: string): void
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
  const redirects = new Map<string, string>()

  const server = http.createServer((req, res) => {
    const urlPath = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname)
    requests.set(urlPath, (requests.get(urlPath) ?? 0) + 1)
    headers.set(urlPath, req.headers)
    const location = redirects.get(urlPath)
    if (location !== undefined) {
      res.writeHead(302, { location, 'content-type': 'text/plain' }).end('moved\n')
      return
    }
    const fault = faults.get(urlPath)?.shift()
    if (fault && typeof fault === 'object' && 'until' in fault) {
      const poll = setInterval(() => {
        if (!fault.until()) return
        clearInterval(poll)
        answer(req, res, urlPath, undefined)
      }, 50)
      res.on('close', () => clearInterval(poll))
      return
    }
    answer(req, res, urlPath, fault)
  })

  function answer(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    urlPath: string,
    fault: Fault | undefined
  ): void {
    const file = files.get(urlPath)
    if (fault === 'hang') return
    if (fault === 'close') {
      req.socket.destroy()
      return
    }
    if (fault && typeof fault === 'object' && 'status' in fault) {
      res.writeHead(fault.status, { 'content-type': 'text/plain' }).end(`fault ${fault.status}\n`)
      return
    }
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n')
      return
    }
    const body = fs.readFileSync(file)
    res.on('error', () => undefined)
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': body.length
    })
    if (fault === 'truncate') {
      res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.destroy())
      return
    }
    if (fault && typeof fault === 'object' && 'drip' in fault) {
      let sent = 0
      const drip = setInterval(() => {
        if (sent < body.length) res.write(body.subarray(sent, ++sent))
        else {
          clearInterval(drip)
          res.end()
        }
      }, fault.drip)
      res.on('close', () => clearInterval(drip))
      return
    }
    res.end(body)
  }
  const sockets = new Set<import('node:net').Socket>()
  server.on('connection', socket => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    // a client that gives up half way (the timeouts under test) ends the socket
    // while a slow answer still writes: expected, not a crash of the test file
    socket.on('error', () => undefined)
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    serve: (urlPath, file) => void files.set(urlPath, file),
    fail: (urlPath, ...list) => void faults.set(urlPath, [...(faults.get(urlPath) ?? []), ...list]),
    redirect: (urlPath, location) => void redirects.set(urlPath, location),
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
