/**
 * Entry point of the main and the post step (action.yml runs this file
 * twice), and of the command: dist/cli.js sets cpythonWasmCommand before it
 * loads this bundle, so both share one build of the stages.
 */
import * as core from '@actions/core'
import { State } from './catalog/state.js'
import { run } from './main.js'
import { runPost } from './post.js'

if ((globalThis as { cpythonWasmCommand?: boolean }).cpythonWasmCommand === true) {
  const { main } = await import('./cli/index.js')
  process.exitCode = await main(process.argv.slice(2))
} else if (core.getState(State.IsPost) === 'true') await runPost()
else await run()
// A keep-alive socket of an HTTP client (cache, artifact, download) must not
// keep the step (or the command) waiting once the work is done (as
// actions/setup-node does).
process.exit()
