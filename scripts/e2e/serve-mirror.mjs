#!/usr/bin/env node
// Serves a folder on 127.0.0.1 (a toolchain mirror for the *-mirror inputs,
// which take http(s) URLs) until it is stopped; prints its URL first. The
// download URL is part of the toolchain's cache key, so runs that should
// share the toolchain entry use the same PORT.
//
//   node scripts/e2e/serve-mirror.mjs DIR [PORT]   (PORT 0 or none: any free port)
import { createReadStream, existsSync, statSync } from 'node:fs'
import { createServer } from 'node:http'
import { join, normalize, resolve } from 'node:path'

const root = resolve(process.argv[2] ?? '.')
const server = createServer((req, res) => {
  const file = join(
    root,
    normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname))
  )
  if (!file.startsWith(root) || !existsSync(file) || !statSync(file).isFile()) {
    res.writeHead(404).end('not found')
    return
  }
  res.writeHead(200, { 'content-length': statSync(file).size })
  createReadStream(file).pipe(res)
})
server.listen(Number(process.argv[3] ?? 0), '127.0.0.1', () => {
  console.log(`http://127.0.0.1:${server.address().port}`)
})
