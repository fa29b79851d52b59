/** Types of action-ref.mjs for the TypeScript tests. */
export declare const ACTION_REPO: string
export declare const REF_MARKER: string
export declare const ROOT: string
export declare function referenceFiles(root?: string): string[]
export declare function majorOf(version: string): string
export declare function packageMajor(root?: string): string
export declare function findReferences(text: string): { line: number; ref: string; what: string }[]
export declare function checkReferences(files: string[], expected: string): string[]
export declare function rewriteReferences(text: string, ref: string): string
export declare function main(argv?: string[], root?: string): string[]
