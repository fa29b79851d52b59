import type { RunnerFacts } from '../../src/runner/types.js'

/** Runner facts for pure plan tests: nothing is probed. */
export function runnerFacts(overrides: Partial<RunnerFacts> = {}): RunnerFacts {
  return {
    os: 'Linux',
    arch: 'x64',
    cores: 4,
    toolCacheDir: '/runner/tool-cache',
    tempDir: '/runner/temp',
    nodePath: '/runner/node',
    nodeVersion: 'v24.1.0',
    hostPython: 'python3',
    buildTriple: 'x86_64-pc-linux-gnu',
    eventName: 'push',
    ref: 'main',
    baseRef: '',
    runId: '1234-1',
    emCache: '',
    hostPythons: [{ path: 'python3', version: '3.13' }],
    ccache: '',
    preinstalled: {},
    ...overrides
  }
}
