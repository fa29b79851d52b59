/**
 * A CPython checkout with just enough for the action to plan a build (the
 * manual WASI and Emscripten recipes): its configure fails at once, so a run
 * goes as far as installing the toolchains and stops at the first build step.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'

export const FAKE_CONFIGURE_MESSAGE = 'fake CPython checkout: there is nothing to build here'

export function makeFakeCheckout(dir: string): string {
  const write = (relative: string, text: string, mode = 0o644): void => {
    const file = path.join(dir, relative)
    fs.mkdirSync(path.dirname(file), { recursive: true })
    fs.writeFileSync(file, text, { mode })
  }
  write(
    'Include/patchlevel.h',
    [
      '#define PY_MAJOR_VERSION 3',
      '#define PY_MINOR_VERSION 11',
      '#define PY_MICRO_VERSION 9',
      '#define PY_VERSION "3.11.9"',
      ''
    ].join('\n')
  )
  write('configure', `#!/bin/sh\necho "${FAKE_CONFIGURE_MESSAGE}" >&2\nexit 1\n`, 0o755)
  const machine = os.arch() === 'arm64' ? 'aarch64' : 'x86_64'
  write('config.guess', `#!/bin/sh\necho ${machine}-pc-linux-gnu\n`, 0o755)
  write('Tools/wasm/config.site-wasm32-wasi', '# stand-in\n')
  write('Tools/wasm/config.site-wasm32-emscripten', '# stand-in\n')
  write('Tools/wasm/wasi-env', '#!/bin/sh\nexec "$@"\n', 0o755)
  return dir
}
