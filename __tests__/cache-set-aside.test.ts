/**
 * An entry that leaves files out (the build Python's object files and static
 * libraries): they are moved beside the saved folder for the save and put
 * back after it, so the archive holds the rest and the job's folder is as
 * the build left it.
 */
import { describe, expect, test } from '@jest/globals'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { LEFT_OUT_OF_BUILD_PYTHON, setAside, sizeOf } from '../src/cache/index.js'
import { writeTree } from './support/checkout-layouts.js'

function buildFolder(): { root: string; build: string; files: Record<string, string> } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cwa-aside-'))
  const build = path.join(root, 'builddir', 'build')
  const files: Record<string, string> = {
    python: 'the linked interpreter',
    'pybuilddir.txt': 'build/lib.linux-x86_64-3.11\n',
    'Modules/Setup.local': '',
    'build/lib.linux-x86_64-3.11/_sysconfigdata__linux_x86_64-linux-gnu.py': 'build_time_vars = {}',
    'build/lib.linux-x86_64-3.11/zlib.cpython-311-x86_64-linux-gnu.so': 'shared module',
    'Objects/floatobject.o': 'object file',
    'Modules/_decimal/libmpdec/libmpdec.a': 'static library',
    'libpython3.11.a': 'static library',
    'Programs/python.o': 'object file',
    'Misc/python.pc': 'not an object: .o only as a suffix of the whole name'
  }
  writeTree(build, files)
  return { root, build, files }
}

function listing(dir: string): string[] {
  const found: string[] = []
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }))
      if (e.isDirectory()) walk(path.join(d, e.name))
      else found.push(path.relative(dir, path.join(d, e.name)))
  }
  walk(dir)
  return found.sort()
}

describe('files an entry leaves out', () => {
  test('are away during the save, beside the folder, and back after it with their content', () => {
    const { root, build, files } = buildFolder()
    const before = sizeOf([build])
    const putBack = setAside([build], LEFT_OUT_OF_BUILD_PYTHON)
    expect(listing(build)).toEqual(
      Object.keys(files)
        .filter(f => !/\.(o|a)$/.test(f))
        .sort()
    )
    expect(sizeOf([build])).toBeLessThan(before)
    // on the same file system as the folder (a rename), outside the saved path
    expect(listing(path.join(root, 'builddir', '.build.left-out'))).toEqual([
      'Modules/_decimal/libmpdec/libmpdec.a',
      'Objects/floatobject.o',
      'Programs/python.o',
      'libpython3.11.a'
    ])
    putBack()
    expect(listing(build)).toEqual(Object.keys(files).sort())
    expect(fs.readFileSync(path.join(build, 'Objects/floatobject.o'), 'utf8')).toBe('object file')
    expect(fs.existsSync(path.join(root, 'builddir', '.build.left-out'))).toBe(false)
  })

  test("a save that stopped half way leaves files beside the folder: they are dropped, the folder's kept", () => {
    const { root, build } = buildFolder()
    const stale = path.join(root, 'builddir', '.build.left-out', 'Objects', 'old.o')
    fs.mkdirSync(path.dirname(stale), { recursive: true })
    fs.writeFileSync(stale, 'from a job that stopped')
    const putBack = setAside([build], ['*.o'])
    putBack()
    expect(fs.existsSync(path.join(build, 'Objects', 'old.o'))).toBe(false)
    expect(fs.existsSync(path.join(build, 'Objects', 'floatobject.o'))).toBe(true)
  })

  test('paths that are files, links or missing are left alone', () => {
    const { root, build } = buildFolder()
    const link = path.join(root, 'link')
    fs.symlinkSync(build, link)
    const putBack = setAside(
      [path.join(build, 'libpython3.11.a'), link, path.join(root, 'missing')],
      ['*.a', '*.o']
    )
    expect(fs.existsSync(path.join(build, 'libpython3.11.a'))).toBe(true)
    expect(fs.existsSync(path.join(build, 'Objects', 'floatobject.o'))).toBe(true)
    putBack()
  })
})
