#!/usr/bin/env node
// Serves this folder on http://127.0.0.1:8000/ with the headers the Python
// REPL needs: without cross-origin isolation (the COOP and COEP headers below)
// browsers disable SharedArrayBuffer and the page cannot start Python.
//
//   node serve.mjs            port 8000
//   node serve.mjs 8080       or PORT=8080 node serve.mjs (0 picks a free port)
//
// Then open the printed address (the REPL page: index.html in CPython 3.14's
// web example, python.html before). It listens on 127.0.0.1 only.
import { createReadStream, realpathSync, statSync } from 'node:fs'
import { createServer } from 'node:http'
import { extname, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = realpathSync(fileURLToPath(new URL('.', import.meta.url)))
const page =
  ['index.html', 'python.html'].find(name => {
    try {
      return statSync(resolve(root, name)).isFile()
    } catch {
      return false
    }
  }) ?? 'index.html'
const host = '127.0.0.1'
const args = process.argv.slice(2)
const portArg = args[0] === '--port' ? args[1] : args[0]
const port = Number(portArg ?? process.env.PORT ?? 8000)
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`serve.mjs: not a port number: ${portArg ?? process.env.PORT}`)
  process.exit(2)
}

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'application/javascript',
  '.mjs': 'application/javascript',
  '.wasm': 'application/wasm',
  '.data': 'application/octet-stream',
  '.json': 'application/json',
  '.css': 'text/css',
  '.txt': 'text/plain; charset=utf-8',
  '.py': 'text/plain; charset=utf-8',
  '.zip': 'application/zip'
}

const ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin'
}

function send(res, status, text, extra = {}) {
  res.writeHead(status, { ...ISOLATION, 'Content-Type': 'text/plain; charset=utf-8', ...extra })
  res.end(text + '\n')
}

/** The file a URL path names inside root, or undefined when it points elsewhere. */
function fileFor(urlPath) {
  let name
  try {
    name = decodeURIComponent(urlPath)
  } catch {
    return undefined
  }
  if (name.includes('\0')) return undefined
  if (name.endsWith('/')) name += page
  // no dotfiles (.htaccess) and nothing outside this folder
  if (name.split(/[\\/]/).some(part => part.startsWith('.'))) return undefined
  const file = resolve(root, '.' + name)
  if (!file.startsWith(root + sep)) return undefined
  try {
    const real = realpathSync(file)
    return real.startsWith(root + sep) ? real : undefined
  } catch {
    return file
  }
}

const server = createServer((req, res) => {
  if (req.method !== 'GET' && req.method !== 'HEAD')
    return send(res, 405, 'Method not allowed', { Allow: 'GET, HEAD' })
  const urlPath = (req.url ?? '/').split('?')[0]
  const file = fileFor(urlPath)
  if (!file) return send(res, 403, 'Forbidden')
  let stat
  try {
    stat = statSync(file)
  } catch {
    return send(res, 404, 'Not found')
  }
  if (!stat.isFile()) return send(res, 404, 'Not found')
  res.writeHead(200, {
    ...ISOLATION,
    'Content-Type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': stat.size,
    'Cache-Control': 'no-cache'
  })
  if (req.method === 'HEAD') return res.end()
  createReadStream(file).pipe(res)
})

server.on('error', error => {
  console.error(`serve.mjs: ${error.message}`)
  process.exit(1)
})
server.listen(port, host, () => {
  console.log(`Serving ${root} at http://${host}:${server.address().port}/${page}`)
})
