#!/usr/bin/env node
// Run a WASI (preview1) module under Node's built-in `node:wasi`.
// Stands in for `wasmtime run` where no wasmtime is available, so it accepts
// the wasmtime flags CPython's build scripts pass:
//
//   node wasi-run.mjs [run] [options] [--] module.wasm [args...]
//
//   --dir HOST::GUEST   preopen HOST as GUEST (wasmtime >= 14 syntax)
//   --dir DIR           preopen DIR under the same name
//   --mapdir GUEST::HOST  old wasmtime syntax (CPython 3.11's HOSTRUNNER uses it)
//   --env K=V           set K in the guest environment; `--env K` copies the host value
//   --wasm X / -W X, --wasi X / -S X  accepted and ignored (engine tuning;
//                       CPython 3.13's wasi.py passes --wasm max-wasm-stack=...)
//
// Like wasmtime, the guest sees only the environment given with --env and only
// the preopened directories. The guest's exit code becomes ours; a trap exits
// with 134 (what wasmtime reports for a trap on Unix).

// node:wasi prints an ExperimentalWarning on stderr; that would pollute the
// output of configure checks run through this script, so drop just that one.
const emitWarning = process.emitWarning
process.emitWarning = function (warning, ...rest) {
  const type = typeof rest[0] === 'string' ? rest[0] : rest[0]?.type
  if (type === 'ExperimentalWarning' && String(warning).includes('WASI')) return
  return emitWarning.call(process, warning, ...rest)
}

const { WASI } = await import('node:wasi')
const { readFile } = await import('node:fs/promises')

function usage(message) {
  if (message) process.stderr.write(`wasi-run: ${message}\n`)
  process.stderr.write(
    'usage: wasi-run.mjs [run] [--dir HOST::GUEST]... [--env K=V]... [--] module.wasm [args...]\n'
  )
  process.exit(2)
}

const argv = process.argv.slice(2)
const env = {}
const preopens = {}
const ignoredWithValue = new Set(['--wasm', '-W', '--wasi', '-S', '--profile', '--fuel'])
let i = 0
if (argv[0] === 'run' && argv.length > 1) i++

// Options take their value either as the next word or after '='.
function optionValue(arg) {
  const eq = arg.indexOf('=')
  if (arg.startsWith('--') && eq > 0) return [arg.slice(0, eq), arg.slice(eq + 1)]
  if (i + 1 >= argv.length) usage(`${arg} needs a value`)
  return [arg, argv[++i]]
}

for (; i < argv.length; i++) {
  const arg = argv[i]
  if (arg === '--') {
    i++
    break
  }
  if (!arg.startsWith('-')) break
  if (arg === '-h' || arg === '--help') usage()
  const [name, value] = optionValue(arg)
  if (name === '--dir') {
    const sep = value.indexOf('::')
    if (sep >= 0) preopens[value.slice(sep + 2)] = value.slice(0, sep)
    else preopens[value] = value
  } else if (name === '--mapdir') {
    const sep = value.indexOf('::')
    if (sep < 0) usage(`${name} expects GUEST::HOST`)
    preopens[value.slice(0, sep)] = value.slice(sep + 2)
  } else if (name === '--env') {
    const eq = value.indexOf('=')
    if (eq >= 0) env[value.slice(0, eq)] = value.slice(eq + 1)
    else if (process.env[value] !== undefined) env[value] = process.env[value]
  } else if (!ignoredWithValue.has(name)) {
    usage(`unknown option ${name}`)
  }
}

const modulePath = argv[i]
if (!modulePath) usage('no module given')
const args = [modulePath, ...argv.slice(i + 1)]

const wasi = new WASI({ version: 'preview1', args, env, preopens, returnOnExit: true })
let code
try {
  const module = await WebAssembly.compile(await readFile(modulePath))
  const instance = await WebAssembly.instantiate(module, wasi.getImportObject())
  code = wasi.start(instance)
} catch (err) {
  process.stderr.write(`wasi-run: ${modulePath}: ${err && err.stack ? err.stack : err}\n`)
  code = err instanceof WebAssembly.RuntimeError ? 134 : 1
}
process.exit(code ?? 0)
