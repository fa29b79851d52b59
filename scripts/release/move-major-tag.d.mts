/** Types of move-major-tag.mjs for the TypeScript tests. */
export declare function majorTag(tag: string | undefined): string
export declare function moveCommands(tag: string | undefined): string[][]
export declare function gitAuthEnv(env: Record<string, string | undefined>): Record<string, string>
export declare function main(argv?: string[], env?: Record<string, string | undefined>): string[][]
