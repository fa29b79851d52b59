/** A copy of the stand-in emscripten-browser build in __tests__/fixtures/browser-repl. */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { writeBrowserBundle } from '../../src/artifacts/browser-bundle.js'
import { REPO_ROOT } from './harness.js'

export const BROWSER_FIXTURE = path.join(REPO_ROOT, '__tests__', 'fixtures', 'browser-repl')

/** Copies the fixture into a fresh folder (dropping .upstream suffixes), with the deploy files unless told not to. */
export function browserFixture(bundle = true): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cwa-browser-'))
  for (const f of fs.readdirSync(BROWSER_FIXTURE))
    fs.copyFileSync(path.join(BROWSER_FIXTURE, f), path.join(dir, f.replace(/\.upstream$/, '')))
  if (bundle) writeBrowserBundle(dir)
  return dir
}
