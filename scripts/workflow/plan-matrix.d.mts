/** Types of plan-matrix.mjs for the TypeScript tests. */
export declare class PlanMatrixError extends Error {}
export interface MatrixEntry {
  target: string
  /** the targets the job builds: its own, and those that share its build */
  targets: string
  recipe: string
  'python-version': string
  'host-triple': string
  'artifact-name': string
  'shares-build-with': string
  'emsdk-version': string
  'wasi-sdk-version': string
  'wasmtime-version': string
}
export interface PlanOutputs {
  matrix: string
  targets: string
  'build-python-target': string
  'artifact-names': string
  'python-version': string
}
export declare function readPlan(text: string | undefined): unknown
export declare function planMatrix(plan: unknown): { include: MatrixEntry[] }
export declare function planOutputs(plan: unknown): PlanOutputs
export declare function outputFileText(outputs: Record<string, string>, delimiter?: string): string
export declare function parseArgs(argv: string[]): { planFile: string | undefined }
export declare function main(
  argv?: string[],
  env?: Record<string, string | undefined>,
  out?: { write(s: string): unknown }
): PlanOutputs
