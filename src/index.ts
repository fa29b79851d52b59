/** Entry point for both the main and the post step (action.yml runs this file twice). */
import * as core from '@actions/core'
import { State } from './catalog/state.js'
import { run } from './main.js'
import { runPost } from './post.js'

if (core.getState(State.IsPost) === 'true') await runPost()
else await run()
// A keep-alive socket of an HTTP client (cache, artifact, download) must not
// keep the step waiting once the work is done (as actions/setup-node does).
process.exit()
