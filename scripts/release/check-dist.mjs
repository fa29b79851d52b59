#!/usr/bin/env node
/**
 * After `npm run bundle`: fails when dist/ differs from the committed one
 * (changed, deleted or new files), listing the files.
 *
 *   node scripts/release/check-dist.mjs [DIR]      (default: dist)
 */
import { execFileSync } from 'node:child_process'
import { pathToFileURL } from 'node:url'

/** Paths `git status --porcelain` reports under dir, with their status. */
export function parseStatus(porcelain) {
  return porcelain
    .split('\n')
    .filter(line => line.length > 3)
    .map(line => ({ status: line.slice(0, 2).trim(), path: line.slice(3) }))
}

export function distChanges(
  dir = 'dist',
  git = args => execFileSync('git', args, { encoding: 'utf8' })
) {
  return parseStatus(git(['status', '--porcelain', '--untracked-files=all', '--', dir]))
}

export function main(argv = process.argv.slice(2), git = undefined) {
  const dir = argv[0] ?? 'dist'
  const run = git ?? (args => execFileSync('git', args, { encoding: 'utf8' }))
  if (run(['ls-files', '--', dir]).trim() === '') {
    process.stdout.write(`::error::${dir}/ is not committed; run npm run bundle and commit it.\n`)
    return 1
  }
  const changes = distChanges(dir, run)
  if (changes.length === 0) {
    process.stdout.write(`${dir}/ matches the sources.\n`)
    return 0
  }
  process.stdout.write(
    `::error::${dir}/ does not match the sources; run npm run bundle and commit ${dir}/ ` +
      `(or download the expected ${dir}/ from this run's artifacts).\n` +
      changes.map(c => `  ${c.status} ${c.path}\n`).join('')
  )
  return 1
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href)
  process.exitCode = main()
