/**
 * The stages talk to the runner through @actions/core, whose workflow
 * commands (::group::, ::warning::, ::set-output::, ...) go to stdout. In a
 * terminal they become plain lines: a group's title, "warning: ...",
 * "error: ..."; the commands only the runner reads are left out.
 */
import { EOL } from 'node:os'
import { rewriteStdoutLines } from '../catalog/stdout-lines.js'

const ESCAPES: [RegExp, string][] = [
  [/%0A/g, '\n'],
  [/%0D/g, '\r'],
  [/%3A/g, ':'],
  [/%2C/g, ','],
  [/%25/g, '%']
]
const unescape = (text: string): string => ESCAPES.reduce((t, [re, s]) => t.replace(re, s), text)

/** One line of the stages' output as a terminal shows it; undefined leaves it out. */
export function terminalLine(line: string, debug = false): string | undefined {
  const m = /^::([a-z-]+)( [^:]*)?::([\s\S]*)$/.exec(line)
  if (!m) return line
  const [, command, , message] = m
  switch (command) {
    case 'group':
      return `\n==> ${unescape(message)}`
    case 'warning':
    case 'error':
    case 'notice':
      return `${command}: ${unescape(message)}`
    case 'debug':
      return debug ? `debug: ${unescape(message)}` : undefined
    default:
      // endgroup, set-output, save-state, add-matcher, add-mask, ...: the runner's business
      return undefined
  }
}

/** Rewrites everything written to stdout, line by line, until flush() (at the end). */
export function plainStdout(debug = false): { flush: () => void } {
  const stdout = rewriteStdoutLines(line => terminalLine(line.replace(/\r$/, ''), debug))
  return {
    flush: () => {
      const rest = stdout.stop()
      const line = rest && terminalLine(rest, debug)
      if (line) stdout.write(line + EOL)
    }
  }
}
