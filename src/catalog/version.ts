/** Dotted numeric versions (3.1.69, 24, 36.0.2) with ordering. */
export type Version = readonly number[]

export function parseVersion(text: string): Version | undefined {
  const m = /^v?(\d+(?:\.\d+)*)$/.exec(text.trim())
  return m ? m[1].split('.').map(Number) : undefined
}

export function compareVersions(a: Version, b: Version): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0)
    if (d !== 0) return d
  }
  return 0
}

export const formatVersion = (v: Version): string => v.join('.')

export const atLeast = (v: Version, floor: Version): boolean => compareVersions(v, floor) >= 0
