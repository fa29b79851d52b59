// Jest's globalTeardown: removes the run's temporary folder (temp-setup.cjs).
const fs = require('node:fs')

module.exports = () => {
  const dir = process.env.CWA_TESTS_TMPDIR
  if (dir) fs.rmSync(dir, { recursive: true, force: true })
}
