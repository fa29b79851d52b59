import * as fs from 'node:fs'
import * as path from 'node:path'
import { REPO_ROOT } from './support/harness.js'
// @ts-expect-error: a plain .mjs script without types
import { updateReadme } from '../scripts/release/readme-tables.mjs'

const read = (name: string): string => fs.readFileSync(path.join(REPO_ROOT, name), 'utf8')

describe('README.md', () => {
  test('its inputs and outputs tables match action.yml', async () => {
    expect(await updateReadme(read('README.md'), read('action.yml'))).toBe(read('README.md'))
  })

  test('the check notices a changed input', async () => {
    const changed = read('action.yml').replace(
      'Path to the CPython checkout to build.',
      'Something else.'
    )
    expect(await updateReadme(read('README.md'), changed)).not.toBe(read('README.md'))
  })

  test('names the two commands a newcomer runs', () => {
    expect(read('README.md')).toMatch(/scripts\/e2e\/build-example\.sh/)
    expect(read('README.md')).toMatch(/scripts\/test-all\.sh/)
  })
})
