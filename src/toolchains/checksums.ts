/**
 * Known sha256 sums of the archives the action downloads, keyed by URL file
 * name. A download with no known sum (and no *-sha256 input) is installed
 * with a warning.
 */
export const KNOWN_SHA256: Record<string, string> = {}

export function knownSha256(url: string): string | undefined {
  return KNOWN_SHA256[url.slice(url.lastIndexOf('/') + 1)]
}
