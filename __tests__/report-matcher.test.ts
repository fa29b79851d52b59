/** The problem matcher against real clang/emcc/gcc/wasm-ld diagnostics. */
import { describe, expect, test } from '@jest/globals'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import {
  addMatcher,
  COMPILER_OWNER,
  matchLine,
  MATCHER,
  MATCHER_JSON,
  removeMatcher,
  TOOL_OWNER
} from '../src/report/matcher.js'

describe('problem matcher', () => {
  test('the file it registers is the asset, as JSON', () => {
    expect(JSON.parse(MATCHER_JSON)).toEqual(MATCHER)
    expect(MATCHER.problemMatcher.map(m => m.owner)).toEqual([COMPILER_OWNER, TOOL_OWNER])
  })

  test.each([
    // emcc (clang) building CPython 3.11 without libffi
    [
      "../../Modules/_ctypes/ctypes.h:5:10: fatal error: 'ffi.h' file not found",
      {
        file: '../../Modules/_ctypes/ctypes.h',
        line: 5,
        column: 10,
        severity: 'error',
        message: "'ffi.h' file not found"
      }
    ],
    // clang with a warning flag
    [
      "../../Python/ceval.c:1234:9: warning: variable 'x' set but not used [-Wunused-but-set-variable]",
      {
        file: '../../Python/ceval.c',
        line: 1234,
        column: 9,
        severity: 'warning',
        message: "variable 'x' set but not used",
        code: '-Wunused-but-set-variable'
      }
    ],
    // clang 16+ turns implicit declarations into errors
    [
      "Modules/timemodule.c:1450:16: error: call to undeclared function 'clock_getcpuclockid'; ISO C99 and later do not support implicit function declarations [-Wimplicit-function-declaration]",
      {
        file: 'Modules/timemodule.c',
        line: 1450,
        column: 16,
        severity: 'error',
        code: '-Wimplicit-function-declaration'
      }
    ],
    [
      "/src/Modules/x.c:3:1: error: unknown type name 'foo'; did you mean 'float'? [-Werror,-Wimplicit-int]",
      {
        file: '/src/Modules/x.c',
        line: 3,
        column: 1,
        severity: 'error',
        code: '-Werror,-Wimplicit-int'
      }
    ],
    // gcc (the native build Python)
    [
      "Objects/obmalloc.c:12:5: warning: unused variable 'y' [-Wunused-variable]",
      {
        file: 'Objects/obmalloc.c',
        line: 12,
        severity: 'warning',
        message: "unused variable 'y'",
        code: '-Wunused-variable'
      }
    ],
    [
      "Parser/parser.c:7:3: error: expected ';' before '}' token",
      { file: 'Parser/parser.c', severity: 'error', message: "expected ';' before '}' token" }
    ],
    // the tools' own errors
    [
      'emcc: error: invalid export name: _Py_foo',
      { owner: TOOL_OWNER, severity: 'error', message: 'invalid export name: _Py_foo' }
    ],
    [
      'wasm-ld: error: Modules/_decimal/libmpdec/libmpdec.a(io.o): undefined symbol: __ctype_b_loc',
      { owner: TOOL_OWNER, severity: 'error' }
    ],
    [
      '/opt/emsdk/upstream/emscripten/emcc.py: warning: linker setting ignored: ALLOW_MEMORY_GROWTH',
      { owner: TOOL_OWNER, severity: 'warning' }
    ],
    [
      "clang: error: unsupported option '-fno-plt' for target 'wasm32-unknown-emscripten'",
      { owner: TOOL_OWNER, severity: 'error' }
    ],
    ['cache:INFO: generating system asset: symbol_lists/abc.json', undefined],
    ["../../Modules/_ctypes/ctypes.h:5:10: note: in expansion of macro 'X'", undefined],
    ['make: *** [Makefile:1234: Programs/python.o] Error 1', undefined],
    ['checking for pthread.h... yes', undefined],
    ['In file included from ../../Modules/main.c:3:', undefined]
  ])('%s', (line, expected) => {
    const d = matchLine(line)
    if (expected === undefined) expect(d).toBeUndefined()
    else expect(d).toMatchObject({ owner: COMPILER_OWNER, ...expected })
  })

  test('registered from RUNNER_TEMP and removed by owner', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cwa-matcher-'))
    const printed: string[] = []
    const file = addMatcher(dir, s => printed.push(s))
    expect(file).toBe(path.join(dir, 'cpython-wasm-matcher.json'))
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).problemMatcher).toHaveLength(2)
    removeMatcher(s => printed.push(s))
    expect(printed.join('')).toBe(
      `::add-matcher::${file}\n::remove-matcher owner=${COMPILER_OWNER}::\n::remove-matcher owner=${TOOL_OWNER}::\n`
    )
  })
})
