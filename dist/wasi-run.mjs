// Written by cpython-wasm-action: runs a WASI module under node:wasi, taking
// wasmtime's `run` flags (--dir HOST::GUEST, --env K=V, --argv0; --wasm and
// --wasi are accepted and ignored).
//
// The module runs on a worker thread with a 64 MiB stack: V8's wasm frames
// are larger than wasmtime's, and on the main thread's default stack (about
// 1 MiB for V8) CPython's deepest tests (test_json's nesting, test_fstring)
// overflow it or crash Node itself. A worker's resourceLimits.stackSizeMb
// sizes the thread it runs on (Node's worker_threads documentation). node:wasi
// writes to the process's file descriptors directly, so output is not relayed.
import { readFile } from 'node:fs/promises'
import { WASI } from 'node:wasi'
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads'

const STACK_MB = 64

if (isMainThread) {
  const args = process.argv.slice(2)
  const preopens = {}
  const env = {}
  let argv0
  while (args.length > 0 && args[0].startsWith('--')) {
    const flag = args.shift()
    if (flag === '--') break
    const value = flag.includes('=') ? flag.slice(flag.indexOf('=') + 1) : args.shift()
    const name = flag.split('=')[0]
    if (name === '--dir') {
      const [host, guest] = value.includes('::') ? value.split('::') : [value, value]
      preopens[guest] = host
    } else if (name === '--env') {
      const i = value.indexOf('=')
      env[value.slice(0, i)] = value.slice(i + 1)
    } else if (name === '--argv0') {
      argv0 = value
    } else if (name !== '--wasm' && name !== '--wasi') {
      console.error('wasi-run: unknown option ' + name)
      process.exit(2)
    }
  }
  if (args.length === 0) {
    console.error('usage: wasi-run [--dir HOST::GUEST] [--env K=V] module.wasm [args]')
    process.exit(2)
  }
  const worker = new Worker(new URL(import.meta.url), {
    workerData: { args: argv0 === undefined ? args : [argv0, ...args.slice(1)], env, preopens },
    resourceLimits: { stackSizeMb: STACK_MB }
  })
  worker.on('message', code => (process.exitCode = code))
  worker.on('error', error => {
    console.error(`wasi-run: ${args[0]}: ${error?.stack ?? error}`)
    // what wasmtime reports for a trap on Unix
    process.exitCode = error?.name === 'RuntimeError' ? 134 : 1
  })
} else {
  const { args, env, preopens } = workerData
  const wasi = new WASI({ version: 'preview1', args, env, preopens, returnOnExit: true })
  const module = await WebAssembly.compile(await readFile(args[0]))
  const instance = await WebAssembly.instantiate(module, wasi.getImportObject())
  parentPort.postMessage(wasi.start(instance))
}
