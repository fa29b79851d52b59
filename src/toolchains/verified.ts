/**
 * What an installed toolchain was verified as, in `<dir>.verified.json` next
 * to it (in the tool cache and in its Actions cache entry): the release, the
 * URL it came from and the sha256 of that archive. A toolchain is reused only
 * when its record matches what this run would download: an SDK installed
 * from a mirror, or under another sum, is not the one the plan names.
 */
import { randomUUID } from 'node:crypto'
import * as fs from 'node:fs'
import type { Arch, ToolName } from '../catalog/downloads.js'

export interface VerifiedRecord {
  tool: ToolName
  version: string
  arch: Arch
  url: string
  /** sha256 of the downloaded archive */
  sha256: string
  /** what the sum was checked against: the table, an input, the release's digest, or nothing known */
  checkedAgainst: 'table' | 'input' | 'digest' | 'none'
}

/** What this run expects of an installed toolchain. */
export interface Expected {
  tool: ToolName
  version: string
  arch: Arch
  url: string
  /** the sum the run checks downloads against, if it knows one */
  sha256?: string
}

export const recordPath = (dir: string): string => `${dir}.verified.json`

/** Writes the record whole or not at all (a rename), so a reader never sees half of one. */
export function writeRecord(dir: string, record: VerifiedRecord): void {
  const file = recordPath(dir)
  const partial = `${file}.${randomUUID()}.partial`
  fs.writeFileSync(partial, `${JSON.stringify(record, null, 2)}\n`)
  fs.renameSync(partial, file)
}

/** Why the toolchain at `dir` is not the expected one, or undefined when its record matches. */
export function recordMismatch(dir: string, expected: Expected): string | undefined {
  const file = recordPath(dir)
  let record: Partial<VerifiedRecord>
  try {
    record = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<VerifiedRecord>
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT'
      ? `it has no record of what it was verified as (${file})`
      : `its record ${file} is unreadable`
  }
  // an unverified install never counts, whatever sum this run knows (earlier versions of the action wrote them)
  if (record.checkedAgainst === 'none' || !record.checkedAgainst)
    return `it was installed unverified (its record ${file} names no checked sum)`
  for (const field of ['tool', 'version', 'arch'] as const)
    if (record[field] !== expected[field])
      return `its record names ${field} ${String(record[field])}, not ${expected[field]}`
  if (record.url !== expected.url)
    return `it was installed from ${String(record.url)}, not from ${expected.url}`
  if (expected.sha256 && record.sha256 !== expected.sha256.toLowerCase())
    return `its archive had sha256 ${String(record.sha256)}, not the expected ${expected.sha256.toLowerCase()}`
  return undefined
}
