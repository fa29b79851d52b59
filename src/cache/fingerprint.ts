/**
 * Measures what the cache keys depend on: a hash of the checkout's source
 * tree and of a few files. Reads only; runs git when the checkout is a git
 * work tree.
 *
 * The source tree hash leaves out what the native build does not read and
 * what changes with nearly every commit (Doc, Lib/test, Misc/NEWS.d, .github)
 * and the build's own output folders, so a docs or NEWS-only change keeps
 * the cached build Python.
 *
 * - git: the listing of HEAD's tree (`git ls-tree -r HEAD`: blob ids, so
 *   content), plus `git diff HEAD` (staged and unstaged changes, binary) and
 *   the content of untracked, not ignored files. About 50 ms on CPython.
 * - otherwise: every file's path, executable bit and content. About 0.3 s
 *   for 100 MB.
 */
import * as exec from '@actions/exec'
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { Plan } from '../plan/types.js'
import { cacheInputFiles, type CacheFingerprint } from './keys.js'

/** Paths under the checkout that never go into the source tree hash. */
export const EXCLUDED = [
  '.git',
  '.github',
  '.azure-pipelines',
  'Doc',
  'Lib/test',
  'Misc/NEWS.d',
  'builddir',
  'cross-build'
]

/** Files the build reads although git ignores them. */
const IGNORED_BUT_READ = ['Modules/Setup.local']

export function sha256File(file: string): string {
  const hash = createHash('sha256')
  const fd = fs.openSync(file, 'r')
  try {
    const buffer = Buffer.allocUnsafe(1 << 20)
    let n: number
    while ((n = fs.readSync(fd, buffer, 0, buffer.length, null)) > 0)
      hash.update(buffer.subarray(0, n))
  } finally {
    fs.closeSync(fd)
  }
  return hash.digest('hex')
}

/**
 * sha256 of each file; for a folder (a script that is a package, as
 * Platforms/WASI), of the names and content of the files in it; '' when it
 * does not exist.
 */
export function hashFiles(files: string[]): Record<string, string> {
  const result: Record<string, string> = {}
  for (const f of files) {
    try {
      const st = fs.statSync(f)
      if (st.isFile()) result[f] = sha256File(f)
      else if (st.isDirectory()) {
        const hash = createHash('sha256')
        for (const name of fs.readdirSync(f).sort()) {
          const file = path.join(f, name)
          if (fs.statSync(file).isFile()) hash.update(`${name}\0${sha256File(file)}\0`)
        }
        result[f] = hash.digest('hex')
      } else result[f] = ''
    } catch {
      result[f] = ''
    }
  }
  return result
}

function isExcluded(relative: string, excluded: string[]): boolean {
  return excluded.some(e => relative === e || relative.startsWith(`${e}/`))
}

/** The output folders of the plan inside the checkout (relative, top level), on top of EXCLUDED. */
export function buildOutputDirs(plan: Plan): string[] {
  const dirs = new Set<string>()
  const add = (p: string): void => {
    const relative = path.relative(plan.source, p)
    if (relative && !relative.startsWith('..') && !path.isAbsolute(relative))
      dirs.add(relative.split(path.sep)[0])
  }
  add(path.dirname(plan.buildPython))
  for (const a of plan.artifacts) add(a.buildDir)
  return [...dirs]
}

async function git(root: string, args: string[]): Promise<{ code: number; stdout: string }> {
  // an unset owner check: the checkout may belong to another user (containers)
  const out = await exec.getExecOutput('git', ['-c', 'safe.directory=*', ...args], {
    cwd: root,
    silent: true,
    ignoreReturnCode: true
  })
  return { code: out.exitCode, stdout: out.stdout }
}

/** The hash of a git work tree's content, or undefined when root is not the top of one. */
export async function gitTreeHash(root: string, excluded: string[]): Promise<string | undefined> {
  try {
    const top = await git(root, ['rev-parse', '--show-toplevel'])
    if (top.code !== 0) return undefined
    if (fs.realpathSync(top.stdout.trim()) !== fs.realpathSync(root)) return undefined
    const excludes = excluded.map(e => `:(exclude)${e}`)
    const tree = await git(root, ['ls-tree', '-r', '--full-tree', 'HEAD'])
    if (tree.code !== 0) return undefined
    const hash = createHash('sha256')
    for (const line of tree.stdout.split('\n')) {
      const name = line.slice(line.indexOf('\t') + 1)
      if (line && !isExcluded(name, excluded)) hash.update(`${line}\n`)
    }
    const diff = await git(root, ['diff', 'HEAD', '--binary', '--no-color', '--', '.', ...excludes])
    if (diff.code !== 0) return undefined
    hash.update('\0diff\0').update(diff.stdout)
    const others = await git(root, [
      'ls-files',
      '--others',
      '--exclude-standard',
      '-z',
      '--',
      '.',
      ...excludes
    ])
    if (others.code !== 0) return undefined
    const untracked = others.stdout.split('\0').filter(Boolean)
    for (const f of [
      ...untracked,
      ...IGNORED_BUT_READ.filter(f => !untracked.includes(f))
    ].sort()) {
      const file = path.join(root, f)
      if (!fs.existsSync(file) || !fs.lstatSync(file).isFile()) continue
      hash.update(`\0untracked\0${f}\0${sha256File(file)}`)
    }
    return hash.digest('hex')
  } catch {
    return undefined
  }
}

/**
 * Visits every file and link under root (not the excluded relative paths),
 * in name order, with its path relative to root ('/'-separated).
 */
export function walkTree(
  root: string,
  excluded: string[],
  visit: (relative: string, full: string, entry: fs.Dirent) => void
): void {
  const walk = (dir: string): void => {
    const entries = fs.readdirSync(dir, { withFileTypes: true })
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    for (const e of entries) {
      const full = path.join(dir, e.name)
      const relative = path.relative(root, full).split(path.sep).join('/')
      if (isExcluded(relative, excluded)) continue
      if (e.isDirectory()) walk(full)
      else visit(relative, full, e)
    }
  }
  walk(root)
}

/** The hash of a folder's files: relative path, executable bit and content. */
export function filesTreeHash(root: string, excluded: string[]): string {
  const hash = createHash('sha256')
  walkTree(root, excluded, (relative, full, e) => {
    if (e.isSymbolicLink()) hash.update(`l\0${relative}\0${fs.readlinkSync(full)}\0`)
    else if (e.isFile()) {
      const exe = fs.statSync(full).mode & 0o111 ? 'x' : '-'
      hash.update(`f\0${relative}\0${exe}\0${sha256File(full)}\0`)
    }
  })
  return hash.digest('hex')
}

export async function sourceTreeHash(
  root: string,
  excluded: string[] = EXCLUDED
): Promise<{ hash: string; from: 'git' | 'files' }> {
  const fromGit = await gitTreeHash(root, excluded)
  if (fromGit) return { hash: fromGit, from: 'git' }
  return { hash: filesTreeHash(root, excluded), from: 'files' }
}

/** Everything planCaches needs to know about the checkout and the runner. */
export async function fingerprint(plan: Plan, env = process.env): Promise<CacheFingerprint> {
  const tree = await sourceTreeHash(plan.source, [...EXCLUDED, ...buildOutputDirs(plan)])
  return {
    sourceTree: tree.hash,
    sourceTreeFrom: tree.from,
    files: hashFiles(cacheInputFiles(plan)),
    image: env.ImageOS ?? ''
  }
}
