// Jest's globalSetup for every suite: each temporary folder a test makes
// (os.tmpdir() reads TMPDIR) goes under one folder of this run, which
// temp-teardown.cjs removes, so no run leaves folders in /tmp. The workers
// start after globalSetup and inherit its environment.
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

module.exports = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cwa-tests-'))
  process.env.CWA_TESTS_TMPDIR = dir
  process.env.TMPDIR = dir
}
