#!/usr/bin/env node
// Writes dist/cli.js, the command's entry next to the action's dist/index.js
// (package.json's bin): it marks the run as the command's and loads the one
// bundle, which then runs src/cli/ instead of the action's steps.
import { chmodSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const file = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'cli.js')
writeFileSync(
  file,
  "#!/usr/bin/env node\n// cpython-wasm: the action's pipeline as a command (src/cli/)\nglobalThis.cpythonWasmCommand = true\nawait import('./index.js')\n"
)
chmodSync(file, 0o755)
