// Written by cpython-wasm-action: runs a WASI module under node:wasi.
import { readFile } from 'node:fs/promises'
import { WASI } from 'node:wasi'
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
const wasi = new WASI({
  version: 'preview1',
  args: argv0 === undefined ? args : [argv0, ...args.slice(1)],
  env,
  preopens,
  returnOnExit: true
})
const module = await WebAssembly.compile(await readFile(args[0]))
const instance = await WebAssembly.instantiate(module, wasi.getImportObject())
process.exitCode = wasi.start(instance)
