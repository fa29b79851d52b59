// End-to-end suite: real CPython sources, real compilers, the real bundle.
// Provision first with scripts/e2e/provision-e2e.sh.
import base from './jest.config.js'

export default {
  ...base,
  testMatch: ['**/__tests__/e2e/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  // the Emscripten scenario (two targets, cold then warm) takes about 47 min beside the other lanes
  testTimeout: 75 * 60 * 1000,
  // two scenarios at once: configure is single-threaded, so two lanes keep both cores busy
  maxWorkers: 2,
  testSequencer: '<rootDir>/__tests__/e2e/sequencer.cjs'
}
