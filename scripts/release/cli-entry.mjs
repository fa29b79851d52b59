#!/usr/bin/env node
// Writes dist/cli.js, the command's entry next to the action's dist/index.js
// (package.json's bin): ncc bundles src/cli/ into dist/cli/, with chunks and
// assets of its own that must not mix with the action's.
import { chmodSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const file = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'cli.js')
writeFileSync(
  file,
  "#!/usr/bin/env node\n// cpython-wasm: the action's pipeline as a command (src/cli/)\nimport './cli/index.js'\n"
)
chmodSync(file, 0o755)
