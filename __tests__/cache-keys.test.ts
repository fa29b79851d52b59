/**
 * The cache plan: which entries a plan has, and that each key changes
 * exactly when the entry's content would. Also the source tree fingerprint
 * (git and plain folders), the cache-save rule and which entries are saved.
 */
import { afterAll, describe, expect, test } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import {
  entriesToSave,
  planCaches,
  saveDecision,
  type CacheFingerprint,
  type CacheHit
} from '../src/cache/index.js'
import { cacheInputFiles } from '../src/cache/keys.js'
import { fingerprint, sourceTreeHash } from '../src/cache/fingerprint.js'
import { inspectCheckout } from '../src/checkout/detect.js'
import { loadInputs } from '../src/inputs/index.js'
import { makePlan, type Plan } from '../src/plan/index.js'
import { type RunnerFacts } from '../src/runner/types.js'
import { checkoutWithLayout } from './support/checkout-layouts.js'
import { runnerFacts } from './support/runner-facts.js'

const manualRoot = checkoutWithLayout('manual')
/** folders the tests made, removed at the end */
const made: string[] = [manualRoot]
afterAll(() => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true })
})

function planOf(
  inputs: Record<string, string> = {},
  runner: RunnerFacts = runnerFacts(),
  root = manualRoot
): Plan {
  const values: Record<string, string> = { source: root, ...inputs }
  return makePlan(
    loadInputs(name => values[name] ?? ''),
    inspectCheckout(root),
    runner
  )
}

/** A fingerprint with every key input file hashed as `h(<name>)`, overridable. */
function fp(plan: Plan, over: Partial<CacheFingerprint> & { file?: Record<string, string> } = {}) {
  const files: Record<string, string> = {}
  for (const f of cacheInputFiles(plan))
    files[f] = createHash('sha256').update(path.basename(f)).digest('hex')
  Object.assign(files, over.file ?? {})
  return {
    sourceTree: over.sourceTree ?? 'tree-1',
    sourceTreeFrom: 'git' as const,
    files,
    image: over.image ?? 'ubuntu24'
  }
}

const keysOf = (plan: Plan, f = fp(plan), runner = runnerFacts()): Record<string, string> =>
  Object.fromEntries(planCaches(plan, runner, f).map(c => [c.id, c.key]))

/** The ids whose key differs between two key maps. */
function changed(a: Record<string, string>, b: Record<string, string>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter(id => a[id] !== b[id]).sort()
}

describe('planCaches', () => {
  const plan = planOf()
  const caches = planCaches(plan, runnerFacts(), fp(plan))

  test('3.11 manual recipe, three targets: every entry, with paths and producers', () => {
    const rel = (p: string): string => p.split(manualRoot).join('<src>')
    expect(
      caches.map(c => ({
        id: c.id,
        paths: c.paths.map(rel),
        producedBy: c.producedBy,
        restoreKeys: c.restoreKeys.length,
        ...(c.tree
          ? {
              tree: {
                configureSteps: c.tree.configureSteps,
                buildSteps: c.tree.buildSteps,
                builtByThisBuildPython: c.tree.buildPython === keysOf(plan)['build-python']
              }
            }
          : {})
      }))
    ).toEqual([
      {
        id: 'toolchain-emsdk',
        paths: [
          '/runner/tool-cache/emsdk/3.1.19/x64',
          '/runner/tool-cache/emsdk/3.1.19/x64.complete',
          '/runner/tool-cache/emsdk/3.1.19/x64.verified.json'
        ],
        producedBy: ['install-emsdk'],
        restoreKeys: 0
      },
      {
        id: 'toolchain-wasi-sdk',
        paths: [
          '/runner/tool-cache/wasi-sdk/16.0.0/x64',
          '/runner/tool-cache/wasi-sdk/16.0.0/x64.complete',
          '/runner/tool-cache/wasi-sdk/16.0.0/x64.verified.json'
        ],
        producedBy: ['install-wasi-sdk'],
        restoreKeys: 0
      },
      {
        id: 'toolchain-wasmtime',
        paths: [
          '/runner/tool-cache/wasmtime/22.0.0/x64',
          '/runner/tool-cache/wasmtime/22.0.0/x64.complete',
          '/runner/tool-cache/wasmtime/22.0.0/x64.verified.json'
        ],
        producedBy: ['install-wasmtime'],
        restoreKeys: 0
      },
      {
        // a build tree: object files included, any tree of the same commands restores it
        id: 'build-python',
        paths: ['<src>/builddir/build'],
        producedBy: ['build-python-make'],
        restoreKeys: 1,
        tree: {
          configureSteps: ['build-python-configure'],
          buildSteps: ['build-python-make'],
          builtByThisBuildPython: false
        }
      },
      {
        id: 'build-tree-wasi',
        paths: ['<src>/builddir/wasi'],
        producedBy: ['wasi-make'],
        restoreKeys: 1,
        tree: {
          configureSteps: ['wasi-configure'],
          buildSteps: ['wasi-make'],
          builtByThisBuildPython: true
        }
      },
      {
        id: 'build-tree-emscripten-node',
        paths: ['<src>/builddir/emscripten-node'],
        producedBy: ['emscripten-node-make'],
        restoreKeys: 1,
        tree: {
          configureSteps: ['emscripten-node-configure'],
          buildSteps: ['emscripten-node-make'],
          builtByThisBuildPython: true
        }
      },
      {
        // its configure starts from emscripten-node's config.cache
        id: 'build-tree-emscripten-browser',
        paths: ['<src>/builddir/emscripten-browser'],
        producedBy: ['emscripten-browser-make'],
        restoreKeys: 1,
        tree: {
          configureSteps: ['emscripten-browser-seed-config-cache', 'emscripten-browser-configure'],
          buildSteps: ['emscripten-browser-make'],
          builtByThisBuildPython: true
        }
      },
      {
        id: 'emscripten-cache',
        paths: [process.env.EM_CACHE || '/runner/temp/cpython-wasm/emscripten-cache'],
        producedBy: [
          'emscripten-ports',
          'emscripten-node-configure',
          'emscripten-node-make',
          'emscripten-browser-configure',
          'emscripten-browser-make'
        ],
        restoreKeys: 1
      },
      {
        // a new tree rebuilds the build Python: its configure starts from the last config.cache
        id: 'config-cache-build-python',
        paths: ['<src>/builddir/build/config.cache'],
        producedBy: ['build-python-configure'],
        restoreKeys: 1
      },
      {
        id: 'config-cache-wasi',
        paths: ['<src>/builddir/wasi/config.cache'],
        producedBy: ['wasi-configure'],
        restoreKeys: 1
      },
      {
        id: 'config-cache-emscripten-node',
        paths: ['<src>/builddir/emscripten-node/config.cache'],
        producedBy: ['emscripten-node-configure'],
        restoreKeys: 1
      },
      {
        id: 'config-cache-emscripten-browser',
        paths: ['<src>/builddir/emscripten-browser/config.cache'],
        producedBy: ['emscripten-browser-configure'],
        restoreKeys: 1
      },
      {
        // the finished build: saved once collected and smoke-tested, restored exactly or not at all
        id: 'build-result',
        paths: [
          '/runner/temp/cpython-wasm/artifacts/wasi',
          '/runner/temp/cpython-wasm/artifacts/emscripten-node',
          '/runner/temp/cpython-wasm/artifacts/emscripten-browser'
        ],
        producedBy: ['collect', 'smoke-wasi', 'smoke-emscripten-node', 'smoke-emscripten-browser'],
        restoreKeys: 0
      }
    ])
  })

  test('keys say what they hold, carry the salt, and are valid @actions/cache keys', () => {
    const keys = keysOf(plan)
    // then a hash of the URL and the expected sum (toolchains-units.test.ts)
    expect(keys['toolchain-emsdk']).toMatch(
      /^cwa1-toolchain-emsdk-3\.1\.19-Linux-x64-[0-9a-f]{20}$/
    )
    expect(keys['toolchain-wasi-sdk']).toMatch(
      /^cwa1-toolchain-wasi-sdk-16-Linux-x64-[0-9a-f]{20}$/
    )
    // then a hash of the commands, then of the source tree (a restore key: any tree)
    expect(keys['build-python']).toMatch(
      /^cwa1-build-python-3\.11\.2-Linux-x64-[0-9a-f]{20}-tree-1$/
    )
    expect(keys['build-tree-wasi']).toMatch(
      /^cwa1-build-tree-wasi-3\.11\.2-Linux-x64-[0-9a-f]{20}-tree-1$/
    )
    expect(keys['emscripten-cache']).toMatch(
      /^cwa1-emscripten-cache-3\.1\.19-Linux-x64-[0-9a-f]{20}$/
    )
    expect(keys['config-cache-wasi']).toMatch(
      /^cwa1-config-cache-wasi-Linux-x64-[0-9a-f]{20}-[0-9a-f]{20}$/
    )
    for (const c of caches) {
      expect(c.key).not.toContain(',')
      expect(c.key.length).toBeLessThanOrEqual(512)
      expect(c.restoreKeys.length).toBeLessThan(10)
      for (const r of c.restoreKeys) expect(c.key.startsWith(r)).toBe(true)
    }
    // the restore key of config.cache is all but the configure script's hash
    const wasi = caches.find(c => c.id === 'config-cache-wasi')
    expect(wasi?.restoreKeys).toEqual([wasi?.key.replace(/[0-9a-f]{20}$/, '')])
  })

  test('the same plan and fingerprint give the same keys (no clock, no randomness)', () => {
    expect(keysOf(planOf())).toEqual(keysOf(plan))
  })

  test('the number of cores changes no key (-jN is not part of a command)', () => {
    const other = planOf({}, runnerFacts({ cores: 64 }))
    expect(changed(keysOf(plan), keysOf(other))).toEqual([])
  })

  test('a source change changes only the build trees (and the finished build), not their restore keys', () => {
    const other = fp(plan, { sourceTree: 'tree-2' })
    expect(changed(keysOf(plan), keysOf(plan, other))).toEqual([
      'build-python',
      'build-result',
      'build-tree-emscripten-browser',
      'build-tree-emscripten-node',
      'build-tree-wasi'
    ])
    expect(planCaches(plan, runnerFacts(), other).map(c => c.restoreKeys)).toEqual(
      caches.map(c => c.restoreKeys)
    )
  })

  test('a configure change changes the config.cache keys, not their restore keys', () => {
    const configure = path.join(manualRoot, 'configure')
    const before = planCaches(plan, runnerFacts(), fp(plan))
    const after = planCaches(
      plan,
      runnerFacts(),
      fp(plan, { file: { [configure]: 'f'.repeat(64) } })
    )
    expect(changed(keysOf(plan), Object.fromEntries(after.map(c => [c.id, c.key])))).toEqual([
      'config-cache-build-python',
      'config-cache-emscripten-browser',
      'config-cache-emscripten-node',
      'config-cache-wasi'
    ])
    expect(after.map(c => c.restoreKeys)).toEqual(before.map(c => c.restoreKeys))
  })

  test("a config.site change changes only its targets' config.cache", () => {
    const site = path.join(manualRoot, 'Tools/wasm/config.site-wasm32-wasi')
    expect(
      changed(keysOf(plan), keysOf(plan, fp(plan, { file: { [site]: 'e'.repeat(64) } })))
    ).toEqual(['config-cache-wasi'])
  })

  test('a new Emscripten changes its toolchain, its cache and its configure caches', () => {
    const other = planOf({ 'emsdk-version': '3.1.20', 'emsdk-sha256': 'a'.repeat(64) })
    expect(changed(keysOf(plan), keysOf(other))).toEqual([
      'build-result',
      'build-tree-emscripten-browser',
      'build-tree-emscripten-node',
      'config-cache-emscripten-browser',
      'config-cache-emscripten-node',
      'emscripten-cache',
      'toolchain-emsdk'
    ])
  })

  test('embed: only the finished build (a build without embed/ is not reused for one with it)', () => {
    expect(changed(keysOf(plan), keysOf(planOf({ embed: 'true' })))).toEqual(['build-result'])
  })

  test('test: suite and its arguments change no key: the same build is tested', () => {
    const suite = planOf({ test: 'suite', 'test-args': 'test_json', 'test-failures': 'report' })
    expect(changed(keysOf(plan), keysOf(suite))).toEqual([])
  })

  test('a new WASI SDK changes its toolchain and the wasi configure cache', () => {
    const other = planOf({ 'wasi-sdk-version': '20', 'wasi-sdk-sha256': 'a'.repeat(64) })
    expect(changed(keysOf(plan), keysOf(other))).toEqual([
      'build-result',
      'build-tree-wasi',
      'config-cache-wasi',
      'toolchain-wasi-sdk'
    ])
  })

  test('pthreads: the Emscripten cache (other libraries) and the configure caches, same restore key', () => {
    const other = planOf({ pthreads: 'true' })
    expect(changed(keysOf(plan), keysOf(other))).toEqual([
      'build-result',
      'build-tree-emscripten-browser',
      'build-tree-emscripten-node',
      'config-cache-emscripten-browser',
      'config-cache-emscripten-node',
      'emscripten-cache'
    ])
    const restore = (p: Plan): string[] | undefined =>
      planCaches(p, runnerFacts(), fp(p)).find(c => c.id === 'emscripten-cache')?.restoreKeys
    expect(restore(other)).toEqual(restore(plan))
  })

  test('dynamic linking adds the --pic ports to the Emscripten cache key', () => {
    const other = planOf({ 'dynamic-linking': 'true' })
    expect(changed(keysOf(plan), keysOf(other))).toContain('emscripten-cache')
    expect(other.steps.map(s => s.id)).toContain('emscripten-ports-pic')
    const cache = planCaches(other, runnerFacts(), fp(other)).find(c => c.id === 'emscripten-cache')
    expect(cache?.producedBy).toContain('emscripten-ports-pic')
  })

  test('another arch or runner image changes the native entries', () => {
    const arm = planOf(
      // Emscripten has arm64 builds from 3.1.58 (the 3.11 pin, 3.1.19, is refused there)
      { 'wasi-sdk-version': '24', 'emsdk-version': '3.1.69', 'emsdk-sha256': 'b'.repeat(64) },
      runnerFacts({ arch: 'arm64', buildTriple: 'aarch64-unknown-linux-gnu' })
    )
    const armKeys = keysOf(arm, fp(arm), runnerFacts({ arch: 'arm64' }))
    expect(Object.values(armKeys).every(k => k.includes('-Linux-arm64'))).toBe(true)
    const image = changed(keysOf(plan), keysOf(plan, fp(plan, { image: 'ubuntu22' })))
    expect(image).toEqual([
      'build-python',
      'build-result',
      'build-tree-emscripten-browser',
      'build-tree-emscripten-node',
      'build-tree-wasi',
      'config-cache-build-python',
      'config-cache-emscripten-browser',
      'config-cache-emscripten-node',
      'config-cache-wasi'
    ])
  })

  test('a preinstalled WASI SDK is not cached; wasmtime none is not cached', () => {
    const sdk = fs.mkdtempSync(path.join(os.tmpdir(), 'cwa-sdk-'))
    made.push(sdk)
    fs.mkdirSync(path.join(sdk, 'bin'))
    fs.writeFileSync(path.join(sdk, 'VERSION'), '24.0\n')
    const wasi = planOf(
      { targets: 'wasi', 'wasi-sdk-path': sdk, 'wasmtime-version': 'none' },
      runnerFacts({
        preinstalled: { 'wasi-sdk': { path: sdk, version: '24', how: 'wasi-sdk-path' } }
      })
    )
    expect(planCaches(wasi, runnerFacts(), fp(wasi)).map(c => c.id)).toEqual([
      'build-python',
      'build-tree-wasi',
      'config-cache-build-python',
      'config-cache-wasi',
      'build-result'
    ])
  })
})

describe('which entries are saved', () => {
  const plan = planOf()
  const caches = planCaches(plan, runnerFacts(), fp(plan))
  const all = new Set(
    plan.steps
      .map(s => s.id)
      .concat(['install-emsdk', 'install-wasi-sdk', 'install-wasmtime', 'collect'])
      .concat(plan.smoke.map(t => `smoke-${t.target}`))
  )

  test('exact hits are not saved again; partial hits and misses are', () => {
    const hits = new Map<string, CacheHit>(caches.map(c => [c.id, 'miss']))
    hits.set('build-python', 'exact')
    hits.set('emscripten-cache', 'partial')
    const ids = entriesToSave(caches, hits, all).map(e => e.id)
    expect(ids).not.toContain('build-python')
    // its config.cache is saved with it (the build tree), not on its own
    expect(ids).not.toContain('config-cache-build-python')
    expect(ids).toContain('emscripten-cache')
    expect(ids).toHaveLength(caches.length - 2)
  })

  test('an entry whose producing step failed (or never ran) is never saved', () => {
    const hits = new Map<string, CacheHit>()
    const upToWasiConfigure = new Set([
      'install-emsdk',
      'install-wasi-sdk',
      'install-wasmtime',
      'build-python-configure',
      'build-python-make',
      'emscripten-ports',
      'wasi-configure'
    ])
    expect(entriesToSave(caches, hits, upToWasiConfigure).map(e => e.id)).toEqual([
      'toolchain-emsdk',
      'toolchain-wasi-sdk',
      'toolchain-wasmtime',
      'build-python',
      'config-cache-build-python',
      'config-cache-wasi'
    ])
  })
})

describe('cache-save', () => {
  // auto saves only on events that build the repository's own code into their own ref's scope
  test.each([
    ['auto', 'push', true],
    ['auto', 'create', true],
    ['auto', 'schedule', true],
    ['auto', 'workflow_dispatch', true],
    ['auto', 'release', true],
    ['auto', 'pull_request', false],
    ['auto', 'pull_request_target', false],
    ['auto', 'pull_request_review', false],
    ['auto', 'pull_request_review_comment', false],
    ['auto', 'merge_group', false],
    ['auto', 'workflow_run', false],
    ['auto', 'issue_comment', false],
    ['auto', 'repository_dispatch', false],
    ['auto', 'issues', false],
    ['auto', 'discussion_comment', false],
    ['auto', 'check_run', false],
    ['auto', 'deployment', false],
    ['auto', 'workflow_call', false],
    ['auto', 'an_event_github_adds_later', false],
    ['auto', '', false],
    ['always', 'pull_request', true],
    ['always', 'workflow_run', true],
    ['never', 'push', false]
  ] as const)('%s on %j saves: %s', (mode, event, save) => {
    expect(saveDecision(mode, event).save).toBe(save)
  })

  test('a refusal names the event and the ones that save', () => {
    expect(saveDecision('auto', 'issue_comment').why).toBe(
      'cache-save is auto and the event is issue_comment, which only restores; auto saves on push, create, schedule, workflow_dispatch, release (set cache-save: always to save anyway)'
    )
  })
})

describe('a script that is a package (3.15 Platforms/WASI)', () => {
  test('a change in any of its files changes the configure stamp and the config.cache key', async () => {
    const root = checkoutWithLayout('platforms')
    made.push(root)
    const plan = planOf({ targets: 'wasi' }, runnerFacts(), root)
    const wasi = async () => {
      const caches = planCaches(plan, runnerFacts(), await fingerprint(plan))
      return {
        configured: caches.find(c => c.id === 'build-tree-wasi')?.tree?.configured,
        configCache: caches.find(c => c.id === 'config-cache-wasi')?.key
      }
    }
    const before = await wasi()
    const script = plan.steps.find(s => s.id === 'wasi-configure')?.argv[1] ?? ''
    expect(fs.statSync(script).isDirectory()).toBe(true)
    fs.appendFileSync(path.join(script, '__main__.py'), '# another configure argument\n')
    const after = await wasi()
    expect(after.configured).not.toBe(before.configured)
    expect(after.configCache).not.toBe(before.configCache)
  })
})

describe('the source tree fingerprint', () => {
  function tree(): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cwa-tree-'))
    made.push(root)
    const files: Record<string, string> = {
      configure: '#!/bin/sh\n',
      'Python/ceval.c': 'int x;\n',
      'Lib/os.py': '# os\n',
      'Lib/test/test_os.py': '# test\n',
      'Doc/index.rst': 'docs\n',
      'Misc/NEWS.d/next/a.rst': 'news\n',
      '.gitignore': '/builddir/\nModules/Setup.local\n'
    }
    for (const [name, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true })
      fs.writeFileSync(path.join(root, name), text)
    }
    return root
  }
  const git = (root: string, ...args: string[]): void => {
    execFileSync(
      'git',
      [
        '-c',
        'user.name=t',
        '-c',
        'user.email=t@example.com',
        '-c',
        'commit.gpgsign=false',
        ...args
      ],
      { cwd: root, stdio: 'ignore' }
    )
  }
  const write = (root: string, name: string, text: string): void => {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true })
    fs.writeFileSync(path.join(root, name), text)
  }

  test.each(['git', 'files'] as const)(
    '%s: changes with sources, not with docs, tests, NEWS or build output',
    async how => {
      const root = tree()
      if (how === 'git') {
        git(root, 'init', '-q')
        git(root, 'add', '-A')
        git(root, 'commit', '-q', '-m', 'one')
      }
      const hash = async (): Promise<string> => {
        const h = await sourceTreeHash(root)
        expect(h.from).toBe(how)
        return h.hash
      }
      const first = await hash()
      write(root, 'Doc/index.rst', 'more docs\n')
      write(root, 'Lib/test/test_new.py', '# new test\n')
      write(root, 'Misc/NEWS.d/next/b.rst', 'news\n')
      write(root, 'builddir/build/python', 'binary\n')
      write(root, 'cross-build/x/python', 'binary\n')
      expect(await hash()).toBe(first)

      write(root, 'Python/ceval.c', 'int y;\n')
      const edited = await hash()
      expect(edited).not.toBe(first)
      write(root, 'Python/new.c', 'int z;\n')
      const added = await hash()
      expect(added).not.toBe(edited)
      write(root, 'Modules/Setup.local', '*disabled*\n')
      expect(await hash()).not.toBe(added)
      fs.rmSync(path.join(root, 'Modules'), { recursive: true })
      fs.rmSync(path.join(root, 'Python/new.c'))
      write(root, 'Python/ceval.c', 'int x;\n')
      expect(await hash()).toBe(first)
      if (how === 'files') {
        fs.chmodSync(path.join(root, 'configure'), 0o755)
        expect(await hash()).not.toBe(first)
      }
    }
  )

  test('git: a committed change and the same change uncommitted are different trees but both differ from before', async () => {
    const root = tree()
    git(root, 'init', '-q')
    git(root, 'add', '-A')
    git(root, 'commit', '-q', '-m', 'one')
    const before = (await sourceTreeHash(root)).hash
    write(root, 'Python/ceval.c', 'int y;\n')
    const dirty = (await sourceTreeHash(root)).hash
    git(root, 'commit', '-q', '-am', 'two')
    const committed = (await sourceTreeHash(root)).hash
    expect(new Set([before, dirty, committed]).size).toBe(3)
    // a docs-only commit keeps the hash
    write(root, 'Doc/index.rst', 'more\n')
    git(root, 'commit', '-q', '-am', 'docs')
    expect((await sourceTreeHash(root)).hash).toBe(committed)
  })

  test('a checkout inside another repository is hashed as files', async () => {
    const outer = tree()
    git(outer, 'init', '-q')
    const inner = path.join(outer, 'cpython')
    fs.mkdirSync(inner)
    write(inner, 'configure', '#!/bin/sh\n')
    expect((await sourceTreeHash(inner)).from).toBe('files')
  })

  test('fingerprint hashes the key input files; missing ones hash to ""', async () => {
    const plan = planOf()
    const f = await fingerprint(plan, { ImageOS: 'ubuntu24' })
    expect(f.image).toBe('ubuntu24')
    expect(Object.keys(f.files).sort()).toEqual(cacheInputFiles(plan).sort())
    expect(f.files[path.join(manualRoot, 'configure')]).toMatch(/^[0-9a-f]{64}$/)
    expect(planCaches(plan, runnerFacts(), f).length).toBe(13)
  })
})
