// Starts the files that run the bundle most often first, so the workers finish
// close together on a machine with no timing history (a fresh CI clone);
// jest's own order, by size or by past durations, follows for the rest.
const path = require('node:path')
const Sequencer = require('@jest/test-sequencer').default

const LONGEST = ['cache-action.test.ts', 'plan-matrix.test.ts', 'toolchains-install.test.ts']

module.exports = class LongestFirst extends Sequencer {
  async sort(tests) {
    const rank = test => {
      const i = LONGEST.indexOf(path.basename(test.path))
      return i < 0 ? LONGEST.length : i
    }
    return [...(await super.sort(tests))].sort((a, b) => rank(a) - rank(b))
  }
}
