/** The post step: saves the cache entries the main step marked for saving. */
import * as core from '@actions/core'
import { saveCachesFromState } from './cache/index.js'

export async function runPost(): Promise<void> {
  try {
    await saveCachesFromState()
  } catch (error) {
    // a cache is never worth a failed job
    core.warning(`Saving caches failed: ${error instanceof Error ? error.message : String(error)}`)
  }
}
