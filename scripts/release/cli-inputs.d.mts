/** Types of cli-inputs.mjs for the TypeScript tests. */
export declare const TARGET: string
export declare function cliInputs(actionYaml: string): string
export declare function main(argv?: string[]): number
