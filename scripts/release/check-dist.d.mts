/** Types of check-dist.mjs for the TypeScript tests. */
export declare function parseStatus(porcelain: string): { status: string; path: string }[]
export declare function distChanges(
  dir?: string,
  git?: (args: string[]) => string
): { status: string; path: string }[]
export declare function main(argv?: string[], git?: (args: string[]) => string): number
