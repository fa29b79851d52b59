/**
 * Small CPython trees that copy only the layout: the file names and the
 * lines detection reads (patchlevel.h, configure's option names, the scripts'
 * markers, config.toml pins), one per recipe row, forwarding shims included.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'

export type Layout =
  | 'none'
  | 'manual'
  | 'wasi-py-3.13.0'
  | 'wasi-py'
  | 'tools-wasm'
  | 'tools-wasm-platforms-emscripten'
  | 'platforms'
  | 'platforms-main'

const REAL_SCRIPT = (marker: string): string =>
  [
    'import argparse',
    marker,
    'def main():',
    '    parser = argparse.ArgumentParser()',
    '    subcommands = parser.add_subparsers(dest="subcommand")',
    '    for name in ("build", "configure-build-python", "make-build-python", "configure-host", "make-host"):',
    '        subcommands.add_parser(name)',
    '    # --host-triple, --wasi-sdk, --host-runner',
    ''
  ].join('\n')

const EMSCRIPTEN_SCRIPT = (deps: string): string =>
  [
    'import argparse',
    'HOST_TRIPLE = "wasm32-emscripten"',
    // 3.14.0-3.14.3 pin libffi and mpdecimal in the script itself
    ...(deps.includes('make-libffi')
      ? ['LIBFFI_VERSION = "3.4.6"', 'MPDEC_VERSION = "4.0.1"']
      : []),
    'def main():',
    '    parser = argparse.ArgumentParser()',
    '    subcommands = parser.add_subparsers(dest="subcommand")',
    `    for name in ("configure-build-python", "make-build-python", ${deps}, "configure-host", "make-host"):`,
    '        subcommands.add_parser(name)',
    ...(deps.includes('make-dependencies')
      ? ['    # make-dependencies takes --check-up-to-date (exit 1 when a rebuild would be needed)']
      : []),
    ''
  ].join('\n')

/** Platforms/emscripten/config.toml's shape: pins, node, and the dependency tables. */
const EMSCRIPTEN_CONFIG = (emscripten: string, libffi = '3.4.6'): string =>
  [
    `emscripten-version = "${emscripten}"`,
    'node-version = "24"',
    '[dependencies.libffi]',
    'url = "https://example.invalid/libffi-{version}.tar.gz"',
    `version = "${libffi}"`,
    'shasum = "0000"',
    '[dependencies.mpdec]',
    'url = "https://example.invalid/mpdecimal-{version}.tar.gz"',
    'version = "4.0.1"',
    'shasum = "1111"',
    ''
  ].join('\n')

// The forwarding shims later branches leave behind (main and 3.14).
const SHIM_TOOLS_WASI = `if __name__ == "__main__":
    import pathlib
    import runpy
    import sys

    print("WARNING: This script is deprecated; execute the \`Platforms/WASI/\` directory instead", file=sys.stderr)
    checkout = pathlib.Path(__file__).parent.parent.parent.parent
    runpy.run_path(checkout / "Platforms" / "WASI", run_name="__main__")
`
const SHIM_TOOLS_EMSCRIPTEN = `if __name__ == "__main__":
    import pathlib
    import runpy

    checkout = pathlib.Path(__file__).parents[3]
    runpy.run_path(str((checkout / "Platforms/emscripten").absolute()), run_name="__main__")
`
const SHIM_WASI_PY = `if __name__ == "__main__":
    import pathlib
    import runpy

    runpy.run_path(pathlib.Path(__file__).parent / "wasi", run_name="__main__")
`

const DEFAULT_VERSION: Record<Layout, string> = {
  none: '3.10.13',
  manual: '3.11.2',
  'wasi-py-3.13.0': '3.13.0',
  'wasi-py': '3.13.5',
  'tools-wasm': '3.14.0',
  'tools-wasm-platforms-emscripten': '3.14.4',
  platforms: '3.15.0',
  'platforms-main': '3.16.0a2+'
}

export function writeTree(root: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(root, name)
    fs.mkdirSync(path.dirname(file), { recursive: true })
    fs.writeFileSync(file, text)
    if (/(^|\/)(configure|config\.guess|wasi-env)$/.test(name)) fs.chmodSync(file, 0o755)
  }
}

export function checkoutWithLayout(
  layout: Layout,
  options: { version?: string; dir?: string; configure?: string } = {}
): string {
  const root = options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), `cwa-checkout-${layout}-`))
  const version = options.version ?? DEFAULT_VERSION[layout]
  const [major, minor, micro] = version.split(/[.a-z+]/).map(Number)
  const files: Record<string, string> = {
    'Include/patchlevel.h': [
      `#define PY_MAJOR_VERSION        ${major}`,
      `#define PY_MINOR_VERSION        ${minor}`,
      `#define PY_MICRO_VERSION        ${micro}`,
      '#define PY_RELEASE_LEVEL        PY_RELEASE_LEVEL_FINAL',
      '#define PY_RELEASE_SERIAL       0',
      '',
      `#define PY_VERSION              "${version}"`,
      ''
    ].join('\n'),
    configure:
      options.configure ??
      '#!/bin/sh\n# enable_test_modules enable_wasm_pthreads enable_wasm_dynamic_linking\nexit 0\n',
    'config.guess': '#!/bin/sh\necho x86_64-pc-linux-gnu\n',
    'Lib/os.py': '# os\n'
  }
  const manualFiles = {
    'Tools/wasm/wasm_build.py': REAL_SCRIPT('EMSDK_MIN_VERSION = (3, 1, 19)'),
    'Tools/wasm/config.site-wasm32-emscripten': '# emscripten\n',
    'Tools/wasm/config.site-wasm32-wasi': '# wasi\n',
    'Tools/wasm/wasi-env': '#!/bin/sh\nexec "$@"\n'
  }
  const tenFour =
    'default_host_runner = "{WASMTIME} run --dir {HOST_DIR}::{GUEST_DIR} --env {ENV_VAR_NAME}={ENV_VAR_VALUE}"'
  switch (layout) {
    case 'none':
      break
    case 'manual':
      Object.assign(files, manualFiles)
      break
    case 'wasi-py-3.13.0':
      Object.assign(files, manualFiles, {
        'Tools/wasm/wasi.py': REAL_SCRIPT(
          'HOST_TRIPLE = "wasm32-wasi"\nCROSS_BUILD_DIR = "cross-build"'
        )
      })
      break
    case 'wasi-py':
      Object.assign(files, manualFiles, {
        'Tools/wasm/wasi.py': REAL_SCRIPT(`${tenFour}\n# default="wasm32-wasip1"`)
      })
      break
    case 'tools-wasm':
    case 'tools-wasm-platforms-emscripten':
      Object.assign(files, {
        'Tools/wasm/wasi.py': SHIM_WASI_PY,
        'Tools/wasm/wasi/__main__.py': REAL_SCRIPT(
          // 3.14.1+ build the build Python in cross-build/<BUILD_GNU_TYPE> (gh-137487)
          `WASI_SDK_VERSION = 24\n${tenFour}\n# "wasm32-wasip1"` +
            (layout === 'tools-wasm'
              ? ''
              : '\nBUILD_DIR = CROSS_BUILD_DIR / sysconfig.get_config_var("BUILD_GNU_TYPE")')
        ),
        'Tools/wasm/config.site-wasm32-wasi': '# wasi\n'
      })
      if (layout === 'tools-wasm')
        Object.assign(files, {
          'Tools/wasm/emscripten/__main__.py': EMSCRIPTEN_SCRIPT('"make-libffi", "make-mpdec"'),
          'Tools/wasm/emscripten/config.toml': 'emscripten-version = "4.0.12"\n',
          'Tools/wasm/emscripten/make_libffi.sh': '#!/bin/sh\nemconfigure ./configure\n'
        })
      else
        Object.assign(files, {
          'Tools/wasm/emscripten/__main__.py': SHIM_TOOLS_EMSCRIPTEN,
          'Platforms/emscripten/__main__.py': EMSCRIPTEN_SCRIPT('"make-dependencies"'),
          'Platforms/emscripten/config.toml': EMSCRIPTEN_CONFIG('4.0.12'),
          'Platforms/emscripten/make_libffi.sh': '#!/bin/sh\nemconfigure ./configure\n'
        })
      break
    case 'platforms':
    case 'platforms-main':
      Object.assign(files, {
        'Tools/wasm/wasi.py': SHIM_WASI_PY,
        'Tools/wasm/wasi/__main__.py': SHIM_TOOLS_WASI,
        'Tools/wasm/emscripten/__main__.py': SHIM_TOOLS_EMSCRIPTEN,
        'Platforms/WASI/__main__.py': REAL_SCRIPT(
          'default_host_runner = "{WASMTIME} run --argv0 {ARGV0} --dir {CHECKOUT}::/"'
        ),
        'Platforms/WASI/_build.py': 'BUILD_GNU_TYPE = sysconfig.get_config_var("BUILD_GNU_TYPE")\n',
        // 3.15 pins WASI SDK 33 (gh-149253), main 34 (gh-157924) and Emscripten 6.0.10 (gh-157935)
        'Platforms/WASI/config.toml': `[targets]\nwasi-sdk = ${layout === 'platforms' ? 33 : 34}\nhost-triple = "wasm32-wasip1"\n`,
        // main has pythoninfo-build and pythoninfo-host (gh-152210)
        'Platforms/emscripten/__main__.py': EMSCRIPTEN_SCRIPT(
          layout === 'platforms'
            ? '"make-dependencies"'
            : '"make-dependencies", "pythoninfo-build", "pythoninfo-host"'
        ),
        'Platforms/emscripten/config.toml': EMSCRIPTEN_CONFIG(
          layout === 'platforms' ? '4.0.12' : '6.0.10'
        ),
        'Platforms/emscripten/make_libffi.sh': '#!/bin/sh\nemconfigure ./configure\n'
      })
      break
  }
  writeTree(root, files)
  return root
}
