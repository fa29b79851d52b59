/**
 * Reads the JUnit file regrtest writes (--junit-xml; Lib/test/support/testresult.py):
 * <testsuites tests errors failures> holding one <testsuite> per test module,
 * each <testcase name="test.test_x.Class.method" time> with an optional
 * <failure>, <error> or <skipped> child. A small reader for that shape only.
 */

export interface FailedCase {
  /** the test module, e.g. test_json */
  module: string
  /** the test case, e.g. test.test_json.test_dump.TestDump.test_dump */
  name: string
  kind: 'failure' | 'error'
  message: string
}

export interface SuiteCounts {
  run: number
  failed: number
  skipped: number
}

const unescape = (text: string): string =>
  text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&#x([0-9a-fA-F]+);/g, (_, n: string) => String.fromCodePoint(parseInt(n, 16)))
    .replace(/&amp;/g, '&')

const attribute = (tag: string, name: string): string | undefined => {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag)
  return m ? unescape(m[1]) : undefined
}

/** test.test_json.test_dump.TestDump.test_dump → test_json */
export const moduleOf = (testCase: string): string => {
  const parts = testCase.split('.')
  return parts[0] === 'test' && parts.length > 1 ? parts[1] : parts[0]
}

export function readJunit(xml: string): SuiteCounts & { failures: FailedCase[] } {
  const failures: FailedCase[] = []
  let run = 0
  let skipped = 0
  const testCase = /<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g
  for (const m of xml.matchAll(testCase)) {
    run++
    const body = m[3] ?? ''
    const name = attribute(m[1], 'name') ?? '?'
    const failed = /<(failure|error)\b([^>]*?)(\/>|>)/.exec(body)
    if (failed) {
      const message = attribute(failed[2], 'message') ?? ''
      failures.push({
        module: moduleOf(name),
        name,
        kind: failed[1] as FailedCase['kind'],
        message: message.split('\n')[0].slice(0, 300)
      })
    } else if (/<skipped\b/.test(body)) skipped++
  }
  return { run, failed: failures.length, skipped, failures }
}

/**
 * The modules regrtest names as failed in its summary ("2 tests failed:" and
 * an indented list), which also covers a module that failed before any test
 * case ran (an import error) and so has no <testcase> in the file.
 */
export function failedModules(output: string): string[] {
  const found = new Set<string>()
  const heading = /^(\d+) tests? failed(?: again)?:\s*$/
  const lines = output.split('\n')
  for (let i = 0; i < lines.length; i++) {
    if (!heading.test(lines[i].trim())) continue
    for (let j = i + 1; j < lines.length && /^\s+\S/.test(lines[j]); j++)
      for (const name of lines[j].trim().split(/\s+/)) found.add(name)
  }
  return [...found]
}
