/**
 * A WASI runner on Node's node:wasi with wasmtime's `run` flags (--dir
 * HOST::GUEST, --env K=V, --argv0), for runners without wasmtime. The action
 * copies it next to its work files so CPython's scripts can use it as their
 * host runner too. ncc emits the asset beside the bundle (read through import.meta.url).
 */
import * as fs from 'node:fs'
import { fileURLToPath } from 'node:url'
import { wasiRunnerScript } from '../plan/smoke.js'

const ASSET = new URL('./assets/wasi-run.mjs', import.meta.url)

/**
 * The runner as shipped beside the bundle (the command names it for running
 * a wasi build). ncc turns the URL into a path string in the bundle.
 */
export function wasiRunnerAsset(): string {
  const asset: unknown = ASSET
  return asset instanceof URL ? fileURLToPath(asset) : String(asset)
}

/** Writes the runner where the plan's commands expect it. */
export function writeWasiRunner(workDir: string): string {
  const file = wasiRunnerScript(workDir)
  fs.mkdirSync(workDir, { recursive: true })
  fs.copyFileSync(ASSET, file)
  return file
}
