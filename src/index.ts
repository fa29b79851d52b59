/** Entry point for both the main and the post step (action.yml runs this file twice). */
import * as core from '@actions/core'
import { run } from './main.js'
import { runPost } from './post.js'
import { State } from './catalog/state.js'

if (core.getState(State.IsPost) === 'true') await runPost()
else await run()
