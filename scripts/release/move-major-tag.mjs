#!/usr/bin/env node
/**
 * Moves the major tag (v1) to the commit of a release tag (v1.2.3) and pushes
 * it, authenticating with GITHUB_TOKEN through an http.extraheader passed in
 * the environment (never on the command line or in .git/config).
 *
 *   node scripts/release/move-major-tag.mjs v1.2.3 [--dry-run]
 */
import { execFileSync } from 'node:child_process'
import { pathToFileURL } from 'node:url'

/** v1.2.3 -> v1; anything else (pre-releases included) is refused. */
export function majorTag(tag) {
  const m = /^v(\d+)\.(\d+)\.(\d+)$/.exec(tag ?? '')
  if (!m) throw new Error(`${JSON.stringify(tag)} is not a release tag like v1.2.3`)
  return `v${m[1]}`
}

/** The git commands, as argv arrays, that move and push the major tag. */
export function moveCommands(tag) {
  const major = majorTag(tag)
  return [
    [
      'git',
      'tag',
      '--force',
      '--annotate',
      major,
      '--message',
      `${major} -> ${tag}`,
      `${tag}^{commit}`
    ],
    ['git', 'push', '--force', 'origin', `refs/tags/${major}`]
  ]
}

export function gitAuthEnv(env) {
  if (!env.GITHUB_TOKEN) throw new Error('GITHUB_TOKEN is not set')
  const basic = Buffer.from(`x-access-token:${env.GITHUB_TOKEN}`).toString('base64')
  const server = env.GITHUB_SERVER_URL || 'https://github.com'
  return {
    GIT_CONFIG_COUNT: '3',
    GIT_CONFIG_KEY_0: `http.${server}/.extraheader`,
    GIT_CONFIG_VALUE_0: `AUTHORIZATION: basic ${basic}`,
    GIT_CONFIG_KEY_1: 'user.name',
    GIT_CONFIG_VALUE_1: 'github-actions[bot]',
    GIT_CONFIG_KEY_2: 'user.email',
    GIT_CONFIG_VALUE_2: '41898282+github-actions[bot]@users.noreply.github.com'
  }
}

export function main(argv = process.argv.slice(2), env = process.env) {
  const dryRun = argv.includes('--dry-run')
  const tag = argv.find(a => a !== '--dry-run')
  const commands = moveCommands(tag)
  for (const [cmd, ...args] of commands) {
    process.stdout.write(`$ ${[cmd, ...args].join(' ')}\n`)
    if (!dryRun) execFileSync(cmd, args, { stdio: 'inherit', env: { ...env, ...gitAuthEnv(env) } })
  }
  return commands
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main()
