/** Where the action keeps its own files for a job; decided from runner facts alone. */
import * as path from 'node:path'
import type { RunnerFacts } from '../runner/types.js'

/** The action's own folder for this job (logs, runner scripts, artifacts). */
export function workDir(runner: RunnerFacts): string {
  return path.join(runner.tempDir, 'cpython-wasm')
}

/** EM_CACHE: the job's own value when it sets one, else a folder of the action's. */
export function emscriptenCacheDir(runner: RunnerFacts): string {
  return runner.emCache || path.join(workDir(runner), 'emscripten-cache')
}

/**
 * EM_PORTS: where Emscripten keeps port sources, set explicitly (it takes
 * the EM_ variable over its config file's PORTS, tools/config.py) so that
 * the folder the action seeds is the one Emscripten reads.
 */
export function emscriptenPortsDir(runner: RunnerFacts): string {
  return path.join(emscriptenCacheDir(runner), 'ports')
}
