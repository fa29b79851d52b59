/**
 * Makes the collected emscripten-browser folder deployable: the REPL needs
 * SharedArrayBuffer, which browsers only give cross-origin isolated pages, so
 * the server must send COOP/COEP headers and the right MIME types. The folder
 * gets the seed README's .htaccess (Apache), a _headers file (static hosts
 * that read one) and serve.mjs, a dependency-free Node server for trying it.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'

/** Asset files (bundled by ncc next to dist/index.js) and the names they get in the folder. */
const ASSETS = {
  // the seed README's .htaccess, as given there
  '.htaccess': new URL('./assets/browser.htaccess', import.meta.url),
  // the same headers for static hosts that read a _headers file
  _headers: new URL('./assets/browser.headers', import.meta.url),
  // a server that stands alone: plain Node, nothing shared with the action's code
  'serve.mjs': new URL('./assets/serve.mjs', import.meta.url)
} as const

export const BROWSER_BUNDLE_FILES = Object.keys(ASSETS) as (keyof typeof ASSETS)[]

/** The text of a bundle file, as the action writes it. */
export const bundleFile = (name: keyof typeof ASSETS): string =>
  fs.readFileSync(ASSETS[name], 'utf8')

/** Writes .htaccess, _headers and serve.mjs into the browser target's folder. */
export function writeBrowserBundle(dir: string): string[] {
  for (const name of BROWSER_BUNDLE_FILES) fs.copyFileSync(ASSETS[name], path.join(dir, name))
  fs.chmodSync(path.join(dir, 'serve.mjs'), 0o755)
  return [...BROWSER_BUNDLE_FILES]
}
