/**
 * A stand-in emscripten-browser build of CPython 3.11: our own python.js
 * (a small stand-in for the Emscripten runtime), python.wasm and python.data
 * from __tests__/fixtures/browser-repl, with CPython 3.11.2's own page and
 * worker (Tools/wasm/python.html, python.worker.js) taken from the source tree
 * scripts/e2e/provision-e2e.sh unpacks from Debian, never copied into the repo.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { writeBrowserBundle } from '../../src/artifacts/browser-bundle.js'
import { REPO_ROOT } from './harness.js'

export const BROWSER_FIXTURE = path.join(REPO_ROOT, '__tests__', 'fixtures', 'browser-repl')

const E2E_HOME = process.env.E2E_HOME ?? path.join(REPO_ROOT, '.e2e')
/** CPython 3.11.2's Tools/wasm, from the provisioned Debian source. */
export const CPYTHON_311_WASM = path.join(E2E_HOME, 'src', 'cpython-3.11.2', 'Tools', 'wasm')
const PAGE_FILES = ['python.html', 'python.worker.js']

/** CPython's page is there (provisioning ran): tests that drive it run, else they are skipped. */
export const HAS_CPYTHON_PAGE = PAGE_FILES.every(f => fs.existsSync(path.join(CPYTHON_311_WASM, f)))
if (!HAS_CPYTHON_PAGE)
  console.warn(
    `No CPython 3.11.2 source at ${CPYTHON_311_WASM}: the tests that drive its REPL page are skipped (run scripts/e2e/provision-e2e.sh sources)`
  )

/**
 * Copies the stand-in build into a fresh folder, with the deploy files unless
 * told not to. Without the provisioned source the page is a placeholder: the
 * folder still serves, uploads and downloads, but no REPL starts.
 */
export function browserFixture(bundle = true): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cwa-browser-'))
  for (const f of fs.readdirSync(BROWSER_FIXTURE))
    if (f !== 'README.md') fs.copyFileSync(path.join(BROWSER_FIXTURE, f), path.join(dir, f))
  for (const f of PAGE_FILES) {
    const upstream = path.join(CPYTHON_311_WASM, f)
    if (HAS_CPYTHON_PAGE) fs.copyFileSync(upstream, path.join(dir, f))
    else fs.writeFileSync(path.join(dir, f), `<!-- ${f}: provision the CPython source -->\n`)
  }
  if (bundle) writeBrowserBundle(dir)
  return dir
}
