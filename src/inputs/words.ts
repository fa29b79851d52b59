/**
 * Splits configure-args into words the way a POSIX shell would (quotes,
 * backslashes), without expanding anything: the words go to argv directly.
 */
import { ActionError } from '../catalog/errors.js'
export class WordsError extends ActionError {}

const SHELL_OPERATORS = new Set([';', '|', '&', '<', '>', '`'])

export function splitWords(text: string): string[] {
  const words: string[] = []
  let word = ''
  let inWord = false
  let i = 0
  while (i < text.length) {
    const c = text[i]
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      if (inWord) words.push(word)
      word = ''
      inWord = false
      i++
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1)
      if (end < 0) throw new WordsError(`unterminated single quote at character ${i + 1}`)
      word += text.slice(i + 1, end)
      inWord = true
      i = end + 1
    } else if (c === '"') {
      i++
      let closed = false
      while (i < text.length) {
        const d = text[i]
        if (d === '"') {
          closed = true
          i++
          break
        }
        if (d === '\\' && i + 1 < text.length && '"\\$`\n'.includes(text[i + 1])) {
          if (text[i + 1] !== '\n') word += text[i + 1]
          i += 2
          continue
        }
        word += d
        i++
      }
      if (!closed) throw new WordsError('unterminated double quote')
      inWord = true
    } else if (c === '\\') {
      if (i + 1 >= text.length) throw new WordsError('trailing backslash')
      if (text[i + 1] !== '\n') {
        word += text[i + 1]
        inWord = true
      }
      i += 2
    } else if (SHELL_OPERATORS.has(c) || (c === '$' && text[i + 1] === '(')) {
      throw new WordsError(
        `"${c === '$' ? '$(' : c}" at character ${i + 1} is shell syntax; the words are passed to configure directly, never through a shell (quote it if you mean it literally)`
      )
    } else {
      word += c
      inWord = true
      i++
    }
  }
  if (inWord) words.push(word)
  return words
}
