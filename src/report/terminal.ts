/**
 * The job summary as plain text for a terminal (the command prints it where
 * the action writes GITHUB_STEP_SUMMARY): headings underlined, tables in
 * aligned columns, no markdown marks.
 */

/** Columns a string takes in a terminal: emoji take two, variation selectors none. */
export function displayWidth(text: string): number {
  let width = 0
  for (const ch of text.replace(/\uFE0F/g, '')) {
    const code = ch.codePointAt(0) ?? 0
    width += code >= 0x1f000 || (code >= 0x2300 && code <= 0x2bff) ? 2 : 1
  }
  return width
}

/** Inline markdown as text: bold, code spans and escaped pipes. */
const inline = (text: string): string =>
  text
    .replace(/\*\*(.*?)\*\*/g, '$1')
    .replace(/`+([^`]*)`+/g, '$1')
    .replace(/\\\|/g, '|')

/** A table row's cells; a pipe escaped as \| stays in its cell. */
function cells(row: string): string[] {
  return row
    .trim()
    .replace(/^\||\|$/g, '')
    .split(/(?<!\\)\|/)
    .map(c => inline(c.trim()))
}

function tableText(rows: string[]): string[] {
  const body = rows.filter(r => !/^\|(\s*:?-+:?\s*\|)+$/.test(r.trim())).map(cells)
  const widths: number[] = []
  for (const row of body)
    row.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, displayWidth(c))))
  const line = (row: string[]): string =>
    row
      .map((c, i) => (i === row.length - 1 ? c : c + ' '.repeat(widths[i] - displayWidth(c))))
      .join('  ')
      .trimEnd()
  const [head, ...rest] = body
  return [line(head), widths.map(w => '-'.repeat(w)).join('  '), ...rest.map(line)]
}

export function terminalText(markdown: string): string {
  const lines = markdown.split('\n')
  const out: string[] = []
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]
    const fence = /^(`{3,})/.exec(line)
    if (fence) {
      // a code block (a failure's message): indented, as it is
      for (i++; i < lines.length && lines[i] !== fence[1]; i++) out.push(`    ${lines[i]}`)
      continue
    }
    if (line.startsWith('|')) {
      const rows: string[] = []
      for (; i < lines.length && lines[i].startsWith('|'); i++) rows.push(lines[i])
      i--
      out.push(...tableText(rows))
      continue
    }
    const heading = /^(#+)\s+(.*)$/.exec(line)
    if (heading) {
      const text = inline(heading[2])
      out.push(text, (heading[1].length <= 2 ? '=' : '-').repeat(displayWidth(text)))
      continue
    }
    out.push(inline(line))
  }
  return `${out.join('\n').trimEnd()}\n`
}
