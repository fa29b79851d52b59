#!/usr/bin/env node
// cpython-wasm: the action's pipeline as a command (src/cli/)
globalThis.cpythonWasmCommand = true
await import('./index.js')
