/**
 * Incremental builds from a restored build directory (a "build tree"):
 * make decides what to rebuild from modification times, and a fresh
 * checkout's files are all newer than anything restored, so make would
 * rebuild everything. Each saved tree carries a record of the content of
 * the source files it was built from. After a restore, every source file
 * whose content is unchanged gets a time older than anything a build wrote
 * (UNCHANGED_TIME), every other one the present time; make then rebuilds
 * exactly what a developer's `make` after editing those files would. One
 * time for all unchanged files holds for every tree at once, whichever job
 * built it; a file changed for any restored tree counts as changed for all.
 *
 * A tree built by another build Python regenerates what the build Python
 * generated, where that could differ: the Makefile names the scripts that
 * generate it, not the interpreter that runs them, so those scripts count
 * as changed. The zipped standard library (STDLIB_SCRIPTS) always; the
 * frozen modules and deepfreeze (FROZEN_SCRIPTS) only when the new build
 * Python compiles the frozen modules' sources to other bytes than the one
 * that built the tree (frozenOutput: they are the marshalled code objects,
 * and deepfreeze is made from them), checked once it is built.
 */
import * as exec from '@actions/exec'
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { BuildTreePlan } from '../plan/types.js'
import { sha256File, walkTree } from './fingerprint.js'
import { buildEnvironment } from '../catalog/secrets.js'

/** The record's file name inside the build directory. */
export const TREE_RECORD = '.cpython-wasm-tree.json'

/**
 * Scripts of the checkout that cross builds run with the build Python, as
 * the Makefile names them among the prerequisites of what they generate
 * (Makefile.pre.in of 3.11.2, 3.12, 3.13 and 3.14.7; the cross build's
 * PYTHON_FOR_BUILD_DEPS is empty): the frozen modules
 * (FREEZE_MODULE_DEPS) and deepfreeze (3.11: Tools/scripts, 3.12:
 * Tools/build; made from the frozen modules)...
 */
export const FROZEN_SCRIPTS = [
  'Programs/_freeze_module.py',
  'Tools/scripts/deepfreeze.py',
  'Tools/build/deepfreeze.py'
]

/**
 * ...and the Emscripten builds' zipped standard library of .pyc files
 * (wasm_assets.py: Tools/wasm to 3.13, Tools/wasm/emscripten in early 3.14,
 * Platforms/emscripten from 3.14.4).
 */
export const STDLIB_SCRIPTS = [
  'Tools/wasm/wasm_assets.py',
  'Tools/wasm/emscripten/wasm_assets.py',
  'Platforms/emscripten/wasm_assets.py'
]

interface TreeRecord {
  version: 2
  /** relative path → sha256 of the content */
  sources: Record<string, string>
  /** BuildTreePlan.configured of the build that saved it */
  configured: string
  /** BuildTreePlan.buildPython of the build that saved it */
  buildPython: string
  /** frozenOutput() of the build Python that built it ('' when unknown) */
  frozen?: string
}

/** Older than any build output: 2000-01-01. */
export const UNCHANGED_TIME = new Date(Date.UTC(2000, 0, 1))

/** The checkout's source files: relative path → sha256 of the content. */
export type SourceListing = Map<string, string>

/**
 * Every regular file of the checkout outside version control and the build
 * directories (`skip`, relative folders), with a hash of its content; not
 * the bytecode the build Python writes next to the modules it imports.
 */
export function listSources(root: string, skip: string[]): SourceListing {
  const listing: SourceListing = new Map()
  walkTree(root, ['.git', ...skip], (relative, full, entry) => {
    if (entry.isFile() && !relative.includes('__pycache__/'))
      listing.set(relative, sha256File(full))
  })
  return listing
}

function readRecord(dir: string): TreeRecord | undefined {
  try {
    const record = JSON.parse(fs.readFileSync(path.join(dir, TREE_RECORD), 'utf8')) as TreeRecord
    return record.version === 2 && typeof record.sources === 'object' ? record : undefined
  } catch {
    return undefined
  }
}

export interface RevivedTree {
  /** source files whose content differs from what the tree was built from, or that are new */
  changed: number
  /** configured by the same commands from the same inputs: configure can be skipped */
  configuredAlike: boolean
  /** built by another build Python: its zipped stdlib is regenerated, its frozen modules checked */
  newBuildPython: boolean
  /** frozenOutput() of the build Python that built it ('' when unknown) */
  frozen: string
}

/**
 * Sets the checkout's modification times for make to bring the restored
 * trees up to date. A tree without a readable record (an entry of another
 * layout) maps to undefined: the caller deletes it.
 */
export function reviveTrees(
  trees: BuildTreePlan[],
  root: string,
  sources: SourceListing,
  now = new Date()
): Map<string, RevivedTree | undefined> {
  const revived = new Map<string, RevivedTree | undefined>()
  const changed = new Set<string>()
  for (const tree of trees) {
    const record = readRecord(tree.dir)
    if (!record) {
      revived.set(tree.dir, undefined)
      continue
    }
    const newBuildPython = tree.buildPython !== '' && record.buildPython !== tree.buildPython
    let count = 0
    for (const [rel, hash] of sources) {
      if (record.sources[rel] !== hash) count++
      else if (!newBuildPython || !STDLIB_SCRIPTS.includes(rel)) continue
      changed.add(rel)
    }
    revived.set(tree.dir, {
      changed: count,
      configuredAlike: tree.configured !== '' && record.configured === tree.configured,
      newBuildPython,
      frozen: record.frozen ?? ''
    })
  }
  if ([...revived.values()].some(r => r !== undefined))
    for (const rel of sources.keys()) {
      const time = changed.has(rel) ? now : UNCHANGED_TIME
      fs.utimesSync(path.join(root, rel), time, time)
    }
  return revived
}

/** The frozen modules' sources a build folder's Makefile lists (FROZEN_FILES_IN), relative. */
export function frozenSources(dir: string): string[] | undefined {
  let text: string
  try {
    text = fs.readFileSync(path.join(dir, 'Makefile'), 'utf8')
  } catch {
    return undefined
  }
  const m = /^FROZEN_FILES_IN\s*=((?:.*\\\n)*.*)$/m.exec(text)
  if (!m) return undefined
  const files = m[1]
    .split(/[\s\\]+/)
    .filter(f => f.endsWith('.py'))
    .map(f => f.replace(/^\$\(srcdir\)\//, ''))
  return files.length > 0 ? files : undefined
}

/**
 * What the build Python makes of the frozen modules' sources: a hash of
 * their code objects as Programs/_freeze_module.py marshals them (compile
 * with optimize=0, dont_inherit=True; 3.11.2 to 3.13.5). Undefined when it
 * cannot tell (no python, a source missing).
 */
export async function frozenOutput(
  python: string,
  root: string,
  files: string[]
): Promise<string | undefined> {
  const code = [
    'import marshal, sys',
    'for name in sys.argv[1:]:',
    '    with open(name, "rb") as f: text = f.read()',
    '    sys.stdout.write(marshal.dumps(compile(text, name, "exec", optimize=0, dont_inherit=True)).hex())'
  ].join('\n')
  try {
    const out = await exec.getExecOutput(python, ['-E', '-c', code, ...files], {
      cwd: root,
      // a build of the checkout: it runs without the job's credentials
      env: buildEnvironment(process.env),
      silent: true,
      ignoreReturnCode: true
    })
    if (out.exitCode !== 0 || out.stdout === '') return undefined
    return createHash('sha256').update(out.stdout).digest('hex')
  } catch {
    return undefined
  }
}

/** The frozen modules (and deepfreeze) are regenerated: their scripts count as changed. */
export function regenerateFrozen(root: string, sources: SourceListing, now = new Date()): void {
  for (const rel of FROZEN_SCRIPTS)
    if (sources.has(rel)) fs.utimesSync(path.join(root, rel), now, now)
}

/** Writes the record a later build restores the tree by: the content this build read. */
export function recordTree(tree: BuildTreePlan, sources: SourceListing, frozen = ''): void {
  const record: TreeRecord = {
    version: 2,
    sources: Object.fromEntries(sources),
    configured: tree.configured,
    buildPython: tree.buildPython,
    frozen
  }
  fs.writeFileSync(path.join(tree.dir, TREE_RECORD), JSON.stringify(record))
}
