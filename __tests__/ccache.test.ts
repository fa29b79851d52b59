/**
 * ccache: which steps compile through it and how (per recipe), its cache
 * entries (a new key per run, restore keys by ref), the statistics parser,
 * and that a build served wholly from the restored entry does not save it again.
 */
import { afterAll, describe, expect, jest, test } from '@jest/globals'
import * as fs from 'node:fs'
import { parseStats } from '../src/execute/ccache-stats.js'
import {
  cacheInputFiles,
  planCaches,
  recordCachesToSave,
  type CacheHit
} from '../src/cache/index.js'
import { inspectCheckout } from '../src/checkout/detect.js'
import { loadInputs } from '../src/inputs/index.js'
import { makePlan, PlanError, type Plan } from '../src/plan/index.js'
import { type RunnerFacts } from '../src/runner/types.js'
import { checkoutWithLayout, type Layout } from './support/checkout-layouts.js'
import { runnerFacts } from './support/runner-facts.js'

const roots = new Map<Layout, string>()
afterAll(() => {
  for (const d of roots.values()) fs.rmSync(d, { recursive: true, force: true })
})
function root(layout: Layout): string {
  if (!roots.has(layout)) roots.set(layout, checkoutWithLayout(layout))
  return roots.get(layout) as string
}

const withCcache = runnerFacts({ ccache: '/usr/bin/ccache' })

function planOf(
  inputs: Record<string, string> = {},
  runner: RunnerFacts = withCcache,
  layout: Layout = 'manual'
): Plan {
  const values: Record<string, string> = { source: root(layout), ...inputs }
  return makePlan(
    loadInputs(name => values[name] ?? ''),
    inspectCheckout(root(layout)),
    runner
  )
}

const stepById = (plan: Plan, id: string) => plan.steps.find(s => s.id === id)
const fingerprint = { sourceTree: 't', sourceTreeFrom: 'git' as const, files: {}, image: 'img' }
/** planCaches needs the hashes of the configure inputs; the tests hash every one as "h". */
function fp(plan: Plan) {
  return {
    ...fingerprint,
    files: Object.fromEntries(cacheInputFiles(plan).map(f => [f, 'h']))
  }
}

describe('which steps compile through ccache', () => {
  test('3.11: every target step and the build Python get their own cache directory; the ports do not', () => {
    const plan = planOf()
    expect(plan.ccache).toEqual([
      { part: 'build-python', dir: '/runner/temp/cpython-wasm/ccache/build-python' },
      { part: 'wasi', dir: '/runner/temp/cpython-wasm/ccache/wasi' },
      { part: 'emscripten-node', dir: '/runner/temp/cpython-wasm/ccache/emscripten-node' },
      { part: 'emscripten-browser', dir: '/runner/temp/cpython-wasm/ccache/emscripten-browser' }
    ])
    expect(stepById(plan, 'wasi-make')?.env).toEqual({
      CCACHE_DIR: '/runner/temp/cpython-wasm/ccache/wasi',
      CCACHE_BASEDIR: plan.source,
      CCACHE_NOHASHDIR: 'true',
      CCACHE_COMPILERCHECK: 'content',
      CCACHE_MAXSIZE: '250M'
    })
    // emcc puts the wrapper in front of clang
    expect(stepById(plan, 'emscripten-node-configure')?.env.EM_COMPILER_WRAPPER).toBe(
      '/usr/bin/ccache'
    )
    expect(stepById(plan, 'emscripten-browser-make')?.env.CCACHE_DIR).toBe(
      '/runner/temp/cpython-wasm/ccache/emscripten-browser'
    )
    expect(
      Object.keys(stepById(plan, 'emscripten-ports')?.env ?? {}).filter(k =>
        /CCACHE|EM_COMP/.test(k)
      )
    ).toEqual([])
    // the build Python: configure writes CC into its Makefile and sysconfig data; the system
    // compiler is not restored from a cache, so ccache's own check (mtime and size) is enough
    const python = {
      CCACHE_DIR: '/runner/temp/cpython-wasm/ccache/build-python',
      CCACHE_BASEDIR: plan.source,
      CCACHE_NOHASHDIR: 'true',
      CCACHE_MAXSIZE: '250M',
      // the compiler writes the dependencies, so a miss runs no preprocessor
      CCACHE_DEPEND: 'true'
    }
    expect(stepById(plan, 'build-python-configure')?.env).toEqual({
      ...python,
      CC: '/usr/bin/ccache gcc -MD'
    })
    expect(stepById(plan, 'build-python-make')?.env).toEqual(python)
    expect(stepById(plan, 'build-python-make')?.argv).toEqual(['make', '-j4'])
    // wasi-env wraps CC itself: the command line is the README's
    expect(stepById(plan, 'wasi-configure')?.argv.some(a => a.startsWith('CC='))).toBe(false)
    expect(plan.targets.find(t => t.target === 'wasi')?.notes).toEqual([
      'compiled through ccache, cache in /runner/temp/cpython-wasm/ccache/wasi'
    ])
  })

  test('3.13 wasi.py: CC with ccache in front, as the script would set it, after "--"', () => {
    const plan = planOf({ targets: 'wasi' }, withCcache, 'wasi-py')
    const argv = stepById(plan, 'wasi-configure')?.argv ?? []
    const dashes = argv.indexOf('--')
    expect(argv.slice(dashes + 1, dashes + 3)).toEqual([
      'CC=/usr/bin/ccache /runner/tool-cache/wasi-sdk/24.0.0/x64/bin/clang --sysroot=/runner/tool-cache/wasi-sdk/24.0.0/x64/share/wasi-sysroot',
      '--config-cache'
    ])
    expect(stepById(plan, 'wasi-make')?.argv.some(a => a.startsWith('CC='))).toBe(false)
  })

  test('3.14 scripts keep their own compiler environment: no ccache, and the plan says so', () => {
    const plan = planOf({ targets: 'wasi emscripten-node' }, withCcache, 'tools-wasm')
    expect(plan.ccache).toEqual([])
    expect(plan.targets.map(t => t.notes.filter(n => n.startsWith('ccache')))).toEqual([
      ['ccache: not used, the tools-wasm recipe sets its own compiler environment'],
      ['ccache: not used, the tools-wasm recipe sets its own compiler environment']
    ])
  })

  test('auto without ccache on PATH: nothing changes', () => {
    const plan = planOf({}, runnerFacts())
    expect(plan.ccache).toEqual([])
    expect(plan.steps.every(s => !('CCACHE_DIR' in s.env) && !('CCACHE_DISABLE' in s.env))).toBe(
      true
    )
  })

  test('false with ccache on PATH: the target steps get CCACHE_DISABLE (wasi-env would use it)', () => {
    const plan = planOf({ ccache: 'false' })
    expect(plan.ccache).toEqual([])
    expect(stepById(plan, 'wasi-configure')?.env.CCACHE_DISABLE).toBe('1')
    expect(stepById(plan, 'build-python-make')?.env.CCACHE_DISABLE).toBeUndefined()
  })

  test('true without ccache on PATH is a plan error naming the input', () => {
    expect(() => planOf({ ccache: 'true' }, runnerFacts())).toThrow(PlanError)
    expect(() => planOf({ ccache: 'true' }, runnerFacts())).toThrow(/^ccache: true, but/)
  })

  test('only: build-python compiles no target, only the build Python', () => {
    expect(planOf({ only: 'build-python' }).ccache).toEqual([
      { part: 'build-python', dir: '/runner/temp/cpython-wasm/ccache/build-python' }
    ])
  })

  test('3.13 wasi.py builds the build Python with its own commands: not wrapped', () => {
    const plan = planOf({ targets: 'wasi' }, withCcache, 'wasi-py')
    expect(plan.ccache.map(c => c.part)).toEqual(['wasi'])
    expect(stepById(plan, 'build-python-make')?.env).toEqual({})
  })
})

describe('ccache cache entries', () => {
  const plan = planOf()
  const caches = (runner: RunnerFacts = withCcache) =>
    planCaches(plan, runner, fp(plan)).filter(c => c.id.startsWith('ccache-'))

  test('one per target: a new key per run, restored from its ref first, then any ref', () => {
    const wasi = caches().find(c => c.id === 'ccache-wasi')
    expect(wasi?.key).toMatch(/^cwa1-ccache-wasi-Linux-x64-[0-9a-f]{20}-main-1234-1$/)
    const prefix = wasi?.key.replace(/main-1234-1$/, '')
    expect(wasi?.restoreKeys).toEqual([`${prefix}main-`, prefix])
    expect(wasi?.paths).toEqual(['/runner/temp/cpython-wasm/ccache/wasi'])
    expect(wasi?.producedBy).toEqual(['wasi-make'])
    expect(caches().find(c => c.id === 'ccache-build-python')?.producedBy).toEqual([
      'build-python-make'
    ])
    expect(caches().map(c => c.id)).toEqual([
      'ccache-build-python',
      'ccache-wasi',
      'ccache-emscripten-node',
      'ccache-emscripten-browser'
    ])
  })

  test('another run changes only the key; a pull request ref is a readable key segment', () => {
    const next = caches(runnerFacts({ ccache: '/usr/bin/ccache', runId: '1235-1' }))
    expect(next.map(c => c.restoreKeys)).toEqual(caches().map(c => c.restoreKeys))
    expect(next[0].key).not.toBe(caches()[0].key)
    const pr = caches(runnerFacts({ ccache: '/usr/bin/ccache', ref: 'feature/ccache x' }))
    expect(pr[0].restoreKeys[0]).toMatch(/-feature_ccache_x-$/)
  })

  test("a pull request (which cannot save) restores its base branch's newest entry before any ref's", () => {
    const pr = caches(
      runnerFacts({
        ccache: '/usr/bin/ccache',
        ref: 'fix-x',
        baseRef: '3.14',
        eventName: 'pull_request'
      })
    )
    const prefix = pr[0].key.replace(/fix-x-1234-1$/, '')
    expect(pr[0].restoreKeys).toEqual([`${prefix}fix-x-`, `${prefix}3.14-`, prefix])
  })

  test('a build served wholly from the restored entry does not save it again', () => {
    const all = planCaches(plan, withCcache, fp(plan))
    const hits = new Map<string, CacheHit>(all.map(c => [c.id, 'partial']))
    const succeeded = new Set(
      plan.steps.map(s => s.id).concat(['install-emsdk', 'install-wasi-sdk', 'install-wasmtime'])
    )
    const info = jest.spyOn(process.stdout, 'write').mockImplementation(() => true)
    try {
      const pending = recordCachesToSave(
        all,
        hits,
        succeeded,
        { save: true, why: '' },
        new Map([['ccache-wasi', 'every compile was a hit on the restored entry']])
      )
      expect(pending.map(p => p.id)).not.toContain('ccache-wasi')
      expect(pending.map(p => p.id)).toContain('ccache-emscripten-node')
    } finally {
      info.mockRestore()
    }
  })
})

test('parseStats reads hits and misses from ccache --print-stats', () => {
  const text = [
    'cache_miss\t3',
    'called_for_link\t40',
    'direct_cache_hit\t500',
    'direct_cache_miss\t5',
    'preprocessed_cache_hit\t12',
    'preprocessed_cache_miss\t3',
    ''
  ].join('\n')
  expect(parseStats(text)).toEqual({ hits: 512, misses: 3 })
  expect(parseStats('')).toEqual({ hits: 0, misses: 0 })
})
