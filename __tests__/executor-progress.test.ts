/**
 * A step whose output goes only to its log (the command's default) prints a
 * progress line now and then: its title, how long, how many lines and the
 * last one. A step whose output is printed (the action's log groups) needs
 * none. The output is in the step's log either way.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { runSteps } from '../src/execute/executor.js'

async function printed(echo: boolean): Promise<{ out: string; log: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cwa-progress-'))
  const step = {
    id: 'wasi-make',
    title: 'Make wasi',
    part: 'wasi' as const,
    argv: ['sh', '-c', 'echo compiling a.c; echo compiling b.c; sleep 3; echo done'],
    cwd: dir,
    env: {},
    log: path.join(dir, 'make.log')
  }
  const chunks: string[] = []
  const write = process.stdout.write.bind(process.stdout)
  process.stdout.write = ((chunk: string | Uint8Array): boolean => {
    chunks.push(chunk.toString())
    return true
  }) as typeof process.stdout.write
  process.env.CPYTHON_WASM_STEP_PROGRESS_SECONDS = '1'
  try {
    await runSteps([step], {}, () => false, { echo })
  } finally {
    process.stdout.write = write
    delete process.env.CPYTHON_WASM_STEP_PROGRESS_SECONDS
  }
  return { out: chunks.join(''), log: fs.readFileSync(step.log, 'utf8') }
}

test('quiet steps print progress lines, and their output only to the log', async () => {
  const { out, log } = await printed(false)
  expect(out).toMatch(/^Make wasi: \d+ s, 2 lines of output; last: compiling b\.c$/m)
  expect(out).not.toContain('compiling a.c')
  expect(log).toContain('compiling a.c\ncompiling b.c\ndone\n')
})

test('printed steps print their output and no progress lines', async () => {
  const { out, log } = await printed(true)
  expect(out).toContain('compiling a.c')
  expect(out).not.toMatch(/lines of output/)
  expect(log).toContain('done\n')
})
