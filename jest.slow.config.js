// Slow suite: loopback fault tests that wait out @actions/cache's own retry
// delays (about a minute), which no setting shortens. CI runs it after the
// fast suite (scripts/test-all.sh).
import base from './jest.config.js'

export default {
  ...base,
  testMatch: ['**/*.slow.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/__tests__/e2e/'],
  // the tests mostly wait, so they wait side by side
  maxWorkers: 2
}
