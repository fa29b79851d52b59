#!/usr/bin/env node
/**
 * Keeps every reference to this action in one version: the major version of
 * package.json. Called workflows cannot say `uses: ./` for this repository, so
 * the reusable workflow and the examples name it in full
 * (cpython-wasm/cpython-wasm-action@v1, .../.github/workflows/build.yml@v1),
 * and build.yml checks out this repository's scripts at a ref marked
 * `# cpython-wasm-action ref`.
 *
 *   node scripts/release/action-ref.mjs check [--tag vX.Y.Z]   fail on any other ref
 *   node scripts/release/action-ref.mjs set vN                 rewrite every reference
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

export const ACTION_REPO = 'cpython-wasm/cpython-wasm-action'
export const REF_MARKER = '# cpython-wasm-action ref'
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')

const escape = s => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
/** `uses: owner/name@ref` or `owner/name/path@ref` in YAML or Markdown. */
const USES = new RegExp(`(${escape(ACTION_REPO)}(?:/[^@\\s'"]*)?)@([\\w.-]*\\w)`, 'g')
/** `ref: v1 # cpython-wasm-action ref` */
const MARKED_REF = new RegExp(`(ref:\\s*)([\\w.-]*\\w)(\\s*${escape(REF_MARKER)})`, 'g')

/** The files that may reference the action. */
export function referenceFiles(root = ROOT) {
  const files = [path.join(root, '.github', 'workflows', 'build.yml'), path.join(root, 'README.md')]
  const examples = path.join(root, 'examples')
  if (fs.existsSync(examples))
    for (const f of fs.readdirSync(examples).sort())
      if (/\.ya?ml$/.test(f)) files.push(path.join(examples, f))
  return files.filter(f => fs.existsSync(f))
}

export function majorOf(version) {
  const m = /^v?(\d+)\.\d+\.\d+$/.exec(version)
  if (!m) throw new Error(`not a release version: ${version} (expected X.Y.Z or vX.Y.Z)`)
  return `v${m[1]}`
}

export function packageMajor(root = ROOT) {
  return majorOf(JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version)
}

/** Every reference in a text: { line, ref, what }. */
export function findReferences(text) {
  const found = []
  text.split('\n').forEach((line, i) => {
    for (const m of line.matchAll(USES)) found.push({ line: i + 1, ref: m[2], what: m[1] })
    for (const m of line.matchAll(MARKED_REF))
      found.push({ line: i + 1, ref: m[2], what: 'scripts checkout' })
  })
  return found
}

/** Problems: references whose ref is not `expected`. */
export function checkReferences(files, expected) {
  const problems = []
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8')
    for (const r of findReferences(text))
      if (r.ref !== expected)
        problems.push(
          `${path.relative(ROOT, file)}:${r.line}: ${r.what}@${r.ref}, expected @${expected}`
        )
  }
  return problems
}

export function rewriteReferences(text, ref) {
  return text
    .replace(USES, (_, what) => `${what}@${ref}`)
    .replace(MARKED_REF, (_, head, _old, tail) => `${head}${ref}${tail}`)
}

export function main(argv = process.argv.slice(2), root = ROOT) {
  const [command, ...rest] = argv
  const files = referenceFiles(root)
  if (command === 'check') {
    let expected = packageMajor(root)
    if (rest[0] === '--tag') {
      const tagMajor = majorOf(rest[1] ?? '')
      if (tagMajor !== expected)
        return [`tag ${rest[1]} is ${tagMajor} but package.json's version is ${expected}`]
      expected = tagMajor
    } else if (rest.length > 0) throw new Error(`unknown arguments: ${rest.join(' ')}`)
    return checkReferences(files, expected)
  }
  if (command === 'set') {
    const ref = rest[0]
    if (!/^v\d+$/.test(ref ?? '')) throw new Error('usage: action-ref.mjs set vN')
    for (const f of files) fs.writeFileSync(f, rewriteReferences(fs.readFileSync(f, 'utf8'), ref))
    return []
  }
  throw new Error('usage: action-ref.mjs check [--tag vX.Y.Z] | set vN')
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const problems = main()
  for (const p of problems) process.stdout.write(`::error::${p}\n`)
  if (problems.length > 0) process.exitCode = 1
}
