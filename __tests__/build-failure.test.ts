/**
 * A failing build step ends the run with the step, the command, its exit
 * code and the last lines of its output, through the real bundle.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { writeTree } from './support/checkout-layouts.js'
import { makeFakeCheckout } from './support/fake-checkout.js'
import { makeRunnerDirs, runAction } from './support/harness.js'

test('a failed configure names the command, its exit code and the tail of its log', async () => {
  const dirs = makeRunnerDirs()
  const source = makeFakeCheckout(path.join(dirs.workspace, 'cpython'))
  // configure prints a long log, then fails the way a real one does
  writeTree(source, {
    configure: [
      '#!/bin/sh',
      'i=0; while [ $i -lt 100 ]; do echo "checking for feature $i... yes"; i=$((i+1)); done',
      'echo "configure: error: C compiler cannot create executables" >&2',
      'exit 77',
      ''
    ].join('\n')
  })
  fs.chmodSync(path.join(source, 'configure'), 0o755)
  const sdk = path.join(dirs.workspace, 'wasi-sdk')
  writeTree(sdk, { 'bin/clang': '#!/bin/sh\n' })

  const result = await runAction({
    dirs,
    inputs: {
      source,
      targets: 'wasi',
      'wasi-sdk-path': sdk,
      'wasmtime-version': 'none',
      upload: 'false',
      cache: 'false'
    }
  })
  expect(result.exitCode).toBe(1)
  const error = result.errors.join('\n')
  expect(error).toMatch(/Step "Configure the build Python" failed with exit code 77/)
  expect(error).toMatch(/Command: \.\.\/\.\.\/configure -C/)
  expect(error).toMatch(/configure: error: C compiler cannot create executables/)
  expect(error).toMatch(/checking for feature 99\.\.\. yes/)
  expect(error).not.toMatch(/checking for feature 10\.\.\. yes/)
  // the full log is kept for the logs artifact
  const log = error.match(/Log: (\S+)/)?.[1] as string
  expect(fs.readFileSync(log, 'utf8')).toMatch(/checking for feature 0\.\.\. yes/)
})
