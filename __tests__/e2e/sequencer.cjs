// Starts the longest scenario (the two Emscripten targets) first, so the two
// workers finish close together on a machine with no timing history.
const Sequencer = require('@jest/test-sequencer').default

module.exports = class LongestFirst extends Sequencer {
  sort(tests) {
    const weight = test => (test.path.includes('emscripten') ? 0 : 1)
    return [...tests].sort((a, b) => weight(a) - weight(b) || a.path.localeCompare(b.path))
  }
}
