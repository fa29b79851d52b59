/** Types of plan-matrix.mjs for the TypeScript tests. */
export declare class PlanMatrixError extends Error {}
export interface MatrixEntry {
  target: string
  /** the targets the job builds: its own, and those that share its build */
  targets: string
  recipe: string
  'python-version': string
  'host-triple': string
  /** the artifact name of the entry's own target, with the runner's suffix */
  'artifact-name': string
  /** the artifact-name template the job passes to the action */
  'artifact-name-template': string
  /** the runner label the job runs on */
  runner: string
  'shares-build-with': string
  'emsdk-version': string
  'wasi-sdk-version': string
  'wasmtime-version': string
}
export interface PlanOutputs {
  matrix: string
  runners: string
  targets: string
  'build-python-target': string
  'artifact-names': string
  'python-version': string
}
export interface MatrixOptions {
  /** runner labels; ["ubuntu-24.04"] by default */
  runners?: string[]
  /** the artifact-name template the plan was made with */
  artifactName?: string
}
export declare const DEFAULT_RUNNERS: string[]
export declare const DEFAULT_ARTIFACT_NAME: string
export declare function readPlan(text: string | undefined): unknown
export declare function readRunners(
  runnersText: string | undefined,
  runsOn: string | undefined
): string[]
export declare function labelArch(label: string): 'x64' | 'arm64' | undefined
export declare function runnerSuffixes(runners: string[]): Record<string, string>
export declare function planMatrix(
  plan: unknown,
  options?: MatrixOptions
): { include: MatrixEntry[] }
export declare function planOutputs(plan: unknown, options?: MatrixOptions): PlanOutputs
export declare function outputFileText(outputs: Record<string, string>, delimiter?: string): string
export declare function parseArgs(argv: string[]): { planFile: string | undefined }
export declare function main(
  argv?: string[],
  env?: Record<string, string | undefined>,
  out?: { write(s: string): unknown }
): PlanOutputs
