/**
 * Rewrites what is written to stdout, one whole line at a time, until stop():
 * the cache stage hides @actions/cache's ::warning:: lines to judge them
 * itself, and the command turns workflow commands into plain text.
 */
export interface StdoutRewrite {
  /** the stream's own write, for text that must bypass the rewrite */
  write: (text: string) => boolean
  /** puts the stream's write back; returns an unfinished last line (not written) */
  stop: () => string
}

/** `rewrite` returns the line to show (without its newline), or undefined to drop it. */
export function rewriteStdoutLines(rewrite: (line: string) => string | undefined): StdoutRewrite {
  const write = process.stdout.write.bind(process.stdout)
  let partial = ''
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    const text = partial + (typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString())
    const parts = text.split('\n')
    partial = parts.pop() ?? ''
    const shown = parts.map(rewrite).filter((l): l is string => l !== undefined)
    const callback = rest.find(r => typeof r === 'function') as (() => void) | undefined
    if (shown.length > 0) return write(shown.map(l => `${l}\n`).join(''), callback)
    callback?.()
    return true
  }) as typeof process.stdout.write
  return {
    write: text => write(text),
    stop: () => {
      process.stdout.write = write
      const rest = partial
      partial = ''
      return rest
    }
  }
}
