/** Types of refresh-checksums.mjs for the TypeScript tests. */
export declare const TABLE: string
export declare function refresh(
  table: Record<string, Record<string, Record<string, { sha256: string; from: string }>>>,
  options?: { api?: string; token?: string }
): Promise<{ added: string[]; conflicts: string[] }>
export declare function main(
  argv?: string[],
  env?: Record<string, string | undefined>,
  log?: (line: string) => void
): Promise<{ added: string[]; conflicts: string[]; exitCode: number }>
