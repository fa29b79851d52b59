// Preloaded into the action's process by runAction({ fastRetries: true }):
// @actions/tool-cache reads these globals for the wait between download
// attempts (10 to 20 s otherwise), so a retry test waits for nothing but the
// retry itself.
globalThis.TEST_DOWNLOAD_TOOL_RETRY_MIN_SECONDS = 0
globalThis.TEST_DOWNLOAD_TOOL_RETRY_MAX_SECONDS = 0
