#!/usr/bin/env node
// Writes the inputs and outputs tables of README.md from action.yml, between
// the <!-- inputs --> / <!-- outputs --> markers. With --check, fails instead
// of writing when README.md is out of date (a test runs it that way).
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as prettier from 'prettier'
import { parse } from 'yaml'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const oneLine = text =>
  String(text ?? '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/\|/g, '\\|')

export function tables(actionYaml) {
  const action = parse(actionYaml)
  const inputs = Object.entries(action.inputs).map(
    ([name, spec]) =>
      `| \`${name}\` | ${oneLine(spec.description)} | \`${oneLine(spec.default) || '""'}\` |`
  )
  const outputs = Object.entries(action.outputs).map(
    ([name, spec]) => `| \`${name}\` | ${oneLine(spec.description)} |`
  )
  return {
    inputs: ['| input | description | default |', '| --- | --- | --- |', ...inputs].join('\n'),
    outputs: ['| output | description |', '| --- | --- |', ...outputs].join('\n')
  }
}

/** README.md with fresh tables, formatted as prettier would (npm run format). */
export async function updateReadme(readme, actionYaml) {
  let text = readme
  for (const [name, table] of Object.entries(tables(actionYaml))) {
    const pattern = new RegExp(`(<!-- ${name} -->)[\\s\\S]*?(<!-- /${name} -->)`)
    if (!pattern.test(text))
      throw new Error(`README.md has no <!-- ${name} --> ... <!-- /${name} --> markers`)
    text = text.replace(pattern, (_, open, close) => `${open}\n${table}\n${close}`)
  }
  const options = (await prettier.resolveConfig(join(root, 'README.md'))) ?? {}
  return prettier.format(text, { ...options, parser: 'markdown' })
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const readmePath = join(root, 'README.md')
  const readme = readFileSync(readmePath, 'utf8')
  const updated = await updateReadme(readme, readFileSync(join(root, 'action.yml'), 'utf8'))
  if (process.argv.includes('--check')) {
    if (updated !== readme) {
      console.error('README.md tables are out of date: run node scripts/release/readme-tables.mjs')
      process.exit(1)
    }
  } else writeFileSync(readmePath, updated)
}
