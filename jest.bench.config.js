// Benchmarks: real builds timed side by side in one run; they print ratios
// and assert nothing about time. Provision first with scripts/e2e/provision-e2e.sh.
import base from './jest.config.js'

export default {
  ...base,
  testMatch: ['**/__tests__/bench/**/*.bench.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 4 * 60 * 60 * 1000,
  maxWorkers: 1
}
