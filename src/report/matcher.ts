/**
 * A problem matcher for compiler and linker diagnostics (clang, emcc, gcc,
 * wasm-ld) so errors and warnings in the build's output show as annotations.
 * The matcher is assets/matcher.json (ncc inlines it); the runner reads
 * matchers from a file, so it is written into RUNNER_TEMP and registered there.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import matcher from './assets/matcher.json' with { type: 'json' }

/**
 * Two owners: `file:line:col: [fatal ]error|warning: message` (clang, emcc,
 * gcc, wasm-ld with a location), and a tool's own complaint without one
 * (`emcc: error: message`). The JSON is the matcher file the runner reads.
 */
export const MATCHER = matcher
export const COMPILER_OWNER = MATCHER.problemMatcher[0].owner
export const TOOL_OWNER = MATCHER.problemMatcher[1].owner
export const COMPILER_REGEXP = MATCHER.problemMatcher[0].pattern[0].regexp
export const TOOL_REGEXP = MATCHER.problemMatcher[1].pattern[0].regexp

export const MATCHER_JSON = `${JSON.stringify(MATCHER, null, 2)}\n`

export interface Diagnostic {
  owner: string
  file?: string
  line?: number
  column?: number
  severity: 'error' | 'warning'
  message: string
  code?: string
}

/** What the runner would make of one line of output (for tests and for the summary). */
export function matchLine(line: string): Diagnostic | undefined {
  const c = new RegExp(COMPILER_REGEXP).exec(line)
  if (c)
    return {
      owner: COMPILER_OWNER,
      file: c[1],
      line: Number(c[2]),
      column: Number(c[3]),
      severity: c[4] as Diagnostic['severity'],
      message: c[5],
      ...(c[6] ? { code: c[6] } : {})
    }
  const t = new RegExp(TOOL_REGEXP).exec(line)
  if (t) return { owner: TOOL_OWNER, severity: t[1] as Diagnostic['severity'], message: t[2] }
  return undefined
}

/** Writes the matcher file into dir (RUNNER_TEMP) and registers it; returns its path. */
export function addMatcher(
  dir = process.env.RUNNER_TEMP || os.tmpdir(),
  write: (s: string) => void = s => process.stdout.write(s)
): string {
  fs.mkdirSync(dir, { recursive: true })
  const file = path.join(dir, 'cpython-wasm-matcher.json')
  fs.writeFileSync(file, MATCHER_JSON)
  write(`::add-matcher::${file}${os.EOL}`)
  return file
}

/** Unregisters both owners, so later steps of the job are not matched. */
export function removeMatcher(write: (s: string) => void = s => process.stdout.write(s)): void {
  for (const owner of [COMPILER_OWNER, TOOL_OWNER])
    write(`::remove-matcher owner=${owner}::${os.EOL}`)
}
