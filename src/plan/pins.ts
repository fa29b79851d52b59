/**
 * Toolchain versions CPython used for each branch, for branches whose files do
 * not pin them. Where a branch pins a version in its own files, detection reads
 * that instead (see checkout/pins.ts). Each row says where the number comes from.
 */
export interface BranchPins {
  emsdk: string
  wasiSdk: number
  wasmtime: string
  from: string
}

export const BRANCH_PINS: Record<string, BranchPins> = {
  '3.11': {
    emsdk: '3.1.19',
    wasiSdk: 16,
    wasmtime: '14.0.4',
    from: 'placeholder'
  },
  '3.12': {
    emsdk: '3.1.19',
    wasiSdk: 20,
    wasmtime: '14.0.4',
    from: 'placeholder'
  },
  '3.13': {
    emsdk: '3.1.19',
    wasiSdk: 24,
    wasmtime: '22.0.0',
    from: 'placeholder'
  },
  '3.14': {
    emsdk: '4.0.12',
    wasiSdk: 25,
    wasmtime: '33.0.0',
    from: 'placeholder'
  },
  '3.15': {
    emsdk: '4.0.12',
    wasiSdk: 29,
    wasmtime: '38.0.3',
    from: 'placeholder'
  }
}

/** The pins of a branch, or of the newest known branch for a newer one. */
export function pinsFor(major: number, minor: number): BranchPins | undefined {
  const exact = BRANCH_PINS[`${major}.${minor}`]
  if (exact) return exact
  const newest = Object.keys(BRANCH_PINS)
    .map(k => k.split('.').map(Number))
    .sort((a, b) => a[0] - b[0] || a[1] - b[1])
    .at(-1)
  if (newest && (major > newest[0] || (major === newest[0] && minor > newest[1])))
    return BRANCH_PINS[newest.join('.')]
  return undefined
}
