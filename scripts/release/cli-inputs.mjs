#!/usr/bin/env node
// Writes src/cli/action-inputs.json from action.yml: every input with its
// description and default, which the command's flags and --help are made
// from. `npm run bundle` runs it first; with --check it fails instead of
// writing when the file is out of date (a test runs it that way).
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parse } from 'yaml'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const TARGET = join(root, 'src', 'cli', 'action-inputs.json')

export function cliInputs(actionYaml) {
  const action = parse(actionYaml)
  const inputs = Object.entries(action.inputs).map(([name, spec]) => ({
    name,
    description: String(spec.description ?? '')
      .replace(/\s+/g, ' ')
      .trim(),
    default: String(spec.default ?? '')
  }))
  return `${JSON.stringify(inputs, null, 2)}\n`
}

export function main(argv = process.argv.slice(2)) {
  const text = cliInputs(readFileSync(join(root, 'action.yml'), 'utf8'))
  if (argv.includes('--check')) {
    if (readFileSync(TARGET, 'utf8') === text) return 0
    process.stderr.write(`${TARGET} is out of date: run node scripts/release/cli-inputs.mjs\n`)
    return 1
  }
  writeFileSync(TARGET, text)
  return 0
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exitCode = main()
