/**
 * What a pull request's job runs, on every recipe: the base tree's job saved
 * its build trees (with their records), the pull request changed one C file
 * and one module, and every tree came back from the base tree's entry. The
 * 3.14+ layouts are fixtures (support/checkout-layouts.ts): these branches
 * cannot be built here, so this is the plan's side of their incremental
 * build, measured as the steps that would run.
 */
import { afterAll, describe, expect, test } from '@jest/globals'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {
  cacheInputFiles,
  planCaches,
  reviveBuildTrees,
  type CacheHit,
  type BuildTrees
} from '../src/cache/index.js'
import { listSources, recordTree } from '../src/cache/build-tree.js'
import { buildOutputDirs, hashFiles } from '../src/cache/fingerprint.js'
import { inspectCheckout } from '../src/checkout/detect.js'
import { loadInputs } from '../src/inputs/index.js'
import { makePlan, type Plan } from '../src/plan/index.js'
import { checkoutWithLayout, type Layout } from './support/checkout-layouts.js'
import { runnerFacts } from './support/runner-facts.js'

const made: string[] = []
afterAll(() => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true })
})

// the 3.14+ Emscripten scripts want Python 3.12 on the host
const runner = runnerFacts({ hostPythons: [{ path: 'python3', version: '3.13' }] })

function planOf(source: string, tree: string): Plan {
  const plan = makePlan(
    loadInputs(name => ({ source, 'wasmtime-version': 'none' })[name] ?? ''),
    inspectCheckout(source),
    runner
  )
  plan.caches = planCaches(plan, runner, {
    sourceTree: tree,
    sourceTreeFrom: 'files',
    files: hashFiles(cacheInputFiles(plan)),
    image: ''
  })
  return plan
}

/** The base tree's job: every build tree saved with the record of the sources it read. */
function baseJob(plan: Plan): void {
  const sources = listSources(plan.source, buildOutputDirs(plan))
  for (const c of plan.caches)
    if (c.tree) {
      fs.mkdirSync(c.tree.dir, { recursive: true })
      recordTree(c.tree, sources)
    }
}

/**
 * The pull request's job: every tree and ccache restored from the base
 * tree's entries (partial), the finished build new (miss), everything else
 * (toolchains, Emscripten cache and dependencies) exact; the steps that run.
 */
function pullRequestJob(plan: Plan): { run: string[]; trees: BuildTrees } {
  const hit = (c: Plan['caches'][number]): CacheHit =>
    c.tree || c.id.startsWith('ccache-') ? 'partial' : c.id === 'build-result' ? 'miss' : 'exact'
  const hits = new Map<string, CacheHit>(plan.caches.map(c => [c.id, hit(c)]))
  const trees = reviveBuildTrees(plan, hits)
  const run = plan.steps
    .filter(s => !trees.skip.has(s.id))
    .filter(s => !(s.skipIfCached && hits.get(s.skipIfCached) === 'exact'))
    .map(s => s.id)
  return { run, trees }
}

function change(source: string): void {
  fs.mkdirSync(path.join(source, 'Objects'), { recursive: true })
  fs.writeFileSync(path.join(source, 'Objects', 'floatobject.c'), 'int changed;\n')
  fs.mkdirSync(path.join(source, 'Lib'), { recursive: true })
  fs.appendFileSync(path.join(source, 'Lib', 'colorsys.py'), '# a pull request was here\n')
}

// 3.11 to 3.13: the README's commands (3.13: wasi.py for WASI); embuilder's ports came back
const MAKE_ONLY = [
  'build-python-make',
  'build-python-zlib',
  'wasi-make',
  'emscripten-node-make',
  'emscripten-browser-make'
]

describe("a pull request's job on build trees of the base tree", () => {
  test.each([
    ['3.11/3.12 (manual)', 'manual', MAKE_ONLY],
    ['3.13 (wasi.py for WASI)', 'wasi-py', MAKE_ONLY],
    [
      '3.14.4+',
      'tools-wasm-platforms-emscripten',
      [
        'build-python-make',
        'emscripten-link-build-python',
        'emscripten-make-dependencies',
        'wasi-make',
        'emscripten-make'
      ]
    ],
    [
      '3.15',
      'platforms',
      [
        'build-python-make',
        'emscripten-link-build-python',
        'emscripten-make-dependencies',
        'wasi-make',
        'emscripten-make'
      ]
    ],
    [
      'main',
      'platforms-main',
      [
        'build-python-make',
        'emscripten-link-build-python',
        'emscripten-make-dependencies',
        'wasi-make',
        'emscripten-pythoninfo-build',
        'emscripten-make',
        'emscripten-pythoninfo-host'
      ]
    ]
  ] as [string, Layout, string[]][])(
    '%s: no configure, one native build, make in each tree',
    (_branch, layout, expected) => {
      const source = checkoutWithLayout(layout)
      made.push(source)
      const base = planOf(source, 'base-tree')
      baseJob(base)
      change(source)
      const pr = planOf(source, 'pull-request-tree')
      const { run, trees } = pullRequestJob(pr)
      expect(run).toEqual(expected)
      // (make-dependencies runs as --check-up-to-date of the restored prefix)
      const deps = pr.steps.find(s => s.id === 'emscripten-make-dependencies')
      if (deps) expect(deps.onCacheHit?.argv).toContain('--check-up-to-date')
      // one build Python per job, and no step configures anything
      expect(run.filter(id => id.endsWith('build-python-make'))).toHaveLength(1)
      expect(run.some(id => /configure/.test(id))).toBe(false)
      // the source files the change touched are the newest; the others are older than any build
      const mtime = (rel: string): number => fs.statSync(path.join(source, rel)).mtimeMs
      expect(mtime('Objects/floatobject.c')).toBeGreaterThan(Date.now() - 60_000)
      expect(mtime('configure')).toBeLessThan(Date.parse('2001-01-01'))
      expect(trees.sources.size).toBeGreaterThan(3)
    }
  )
})
