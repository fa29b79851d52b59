/**
 * The command's cache store (src/cache/directory-store.ts) has
 * @actions/cache's semantics: the key, else the newest entry a restore key
 * prefixes; the paths are part of an entry; a key is written once. Restored
 * files keep their modification times and links.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { DirectoryStore } from '../src/cache/directory-store.js'
import { restoreCaches, saveCaches } from '../src/cache/index.js'

const tmp = (prefix: string): string => fs.mkdtempSync(path.join(os.tmpdir(), prefix))

function job(): { dir: string; file: string; paths: string[] } {
  const dir = tmp('cwa-store-job-')
  const file = path.join(dir, 'config.cache')
  return { dir, file, paths: [path.join(dir, 'tree'), file] }
}

function fill(paths: string[], text: string): void {
  fs.mkdirSync(path.join(paths[0], 'sub'), { recursive: true })
  fs.writeFileSync(path.join(paths[0], 'sub', 'a.o'), text)
  fs.symlinkSync('sub/a.o', path.join(paths[0], 'link'))
  fs.writeFileSync(paths[1], `cache ${text}`)
}

test('exact key, newest prefix match, other paths, written once', async () => {
  const store = new DirectoryStore(tmp('cwa-store-'))
  const a = job()
  fill(a.paths, 'one')
  const old = new Date('2020-01-02T03:04:05Z')
  fs.utimesSync(path.join(a.paths[0], 'sub', 'a.o'), old, old)
  expect(await store.save(a.paths, 'k-main-1')).toEqual({ outcome: 'saved' })
  expect((await store.save(a.paths, 'k-main-1')).outcome).toBe('exists')
  await new Promise(resolve => setTimeout(resolve, 5))
  fs.writeFileSync(path.join(a.paths[0], 'sub', 'a.o'), 'two')
  expect((await store.save(a.paths, 'k-main-2')).outcome).toBe('saved')

  // a fresh job at the same paths
  fs.rmSync(a.dir, { recursive: true })
  expect(await store.restore(a.paths, 'k-main-1', ['k-'])).toEqual({
    matched: 'k-main-1',
    problems: []
  })
  expect(fs.readFileSync(path.join(a.paths[0], 'sub', 'a.o'), 'utf8')).toBe('one')
  expect(fs.statSync(path.join(a.paths[0], 'sub', 'a.o')).mtime).toEqual(old)
  expect(fs.readlinkSync(path.join(a.paths[0], 'link'))).toBe('sub/a.o')
  expect(fs.readFileSync(a.file, 'utf8')).toBe('cache one')

  // a restore key takes the newest entry it prefixes; restoring replaces what is there
  fs.writeFileSync(path.join(a.paths[0], 'stray'), 'x')
  expect((await store.restore(a.paths, 'k-main-3', ['k-other-', 'k-main-'])).matched).toBe(
    'k-main-2'
  )
  expect(fs.readFileSync(path.join(a.paths[0], 'sub', 'a.o'), 'utf8')).toBe('two')
  expect(fs.existsSync(path.join(a.paths[0], 'stray'))).toBe(false)

  // other paths are another entry, as in @actions/cache's version
  const b = job()
  expect(await store.restore(b.paths, 'k-main-1', ['k-'])).toEqual({ problems: [] })

  // a newer entry of a prefix supersedes the older ones
  expect(store.supersede('k-main-', 'k-main-2')).toEqual(['k-main-1'])
  expect(store.entries().map(e => e.key)).toEqual(['k-main-2'])
})

test('restoreCaches and saveCaches report through the store the same way', async () => {
  const store = new DirectoryStore(tmp('cwa-store-'))
  const a = job()
  fill(a.paths, 'one')
  const entry = { id: 'config-cache-wasi', title: 'config.cache of wasi', paths: a.paths }
  const saved = await saveCaches(
    [{ ...entry, key: 'cfg-abc-1', hit: 'miss' }],
    new Map<string, number>(),
    store
  )
  expect(saved.get('config-cache-wasi')).toBe('saved')
  fs.rmSync(a.dir, { recursive: true })
  const plan = { ...entry, restoreKeys: ['cfg-abc-'], producedBy: [] }
  const exact = await restoreCaches([{ ...plan, key: 'cfg-abc-1' }], { store })
  expect(exact.get('config-cache-wasi')).toBe('exact')
  const partial = await restoreCaches([{ ...plan, key: 'cfg-abc-2' }], { store })
  expect(partial.get('config-cache-wasi')).toBe('partial')
  const miss = await restoreCaches([{ ...plan, key: 'cfg-xyz', restoreKeys: [] }], { store })
  expect(miss.get('config-cache-wasi')).toBe('miss')
})
