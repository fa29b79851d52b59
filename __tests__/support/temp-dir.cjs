// Jest's globalSetup and globalTeardown for the fast and slow suites: every
// temporary folder a test makes (os.tmpdir() reads TMPDIR) goes under one
// folder of this run, removed at its end, so no run leaves folders in /tmp.
// The workers start after globalSetup and inherit its environment.
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

module.exports = {
  setup() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cwa-tests-'))
    process.env.CWA_TESTS_TMPDIR = dir
    process.env.TMPDIR = dir
  },
  teardown() {
    const dir = process.env.CWA_TESTS_TMPDIR
    if (dir) fs.rmSync(dir, { recursive: true, force: true })
  }
}
