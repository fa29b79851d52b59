// Fast suite: unit tests and integration tests that run dist/index.js against
// loopback servers. Tests that wait out a library's fixed retry delays
// (*.slow.test.ts) live in jest.slow.config.js, the end-to-end builds in
// jest.e2e.config.js.
export default {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/__tests__/e2e/', '\\.slow\\.test\\.ts$'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }]
  },
  extensionsToTreatAsEsm: ['.ts'],
  testTimeout: 60000,
  // Jest's default leaves one core free, which on a two-core runner means one
  // file at a time; the integration tests mostly wait on the bundle's child
  // processes, so every core runs a file.
  maxWorkers: '100%',
  testSequencer: '<rootDir>/__tests__/support/longest-first.cjs',
  // every temporary folder of a run under one, removed at its end
  globalSetup: '<rootDir>/__tests__/support/temp-setup.cjs',
  globalTeardown: '<rootDir>/__tests__/support/temp-teardown.cjs',
  verbose: true
}
