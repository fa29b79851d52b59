/** Facts about the machine the plan runs on, gathered before planning. */
export interface RunnerFacts {
  os: 'Linux'
  /** tool-cache architecture name: x64 or arm64 */
  arch: 'x64' | 'arm64'
  cores: number
  toolCacheDir: string
  tempDir: string
  /** the Node.js that runs the action; it also runs Emscripten node builds */
  nodePath: string
  nodeVersion: string
  /** a Python 3 on the runner to run the branch's build scripts ("python3" when none answered) */
  hostPython: string
  /** the Pythons on PATH that run, newest first, with their version ("3.12") and BUILD_GNU_TYPE */
  hostPythons: { path: string; version: string; buildType?: string }[]
  /** the GNU triple of the machine that builds, as config.guess prints it (never run for it) */
  buildTriple: string
  eventName: string
  /** the branch or tag the job runs for ('' when unknown) */
  ref: string
  /** a pull request's base branch (GITHUB_BASE_REF), '' on other events */
  baseRef: string
  /** unique per job run (GITHUB_RUN_ID-GITHUB_RUN_ATTEMPT): names entries saved on every run */
  runId: string
  /** EM_CACHE as the job sets it, '' when unset */
  emCache: string
  /** ccache on PATH, '' when there is none */
  ccache: string
  /** toolchains found on the machine (emsdk-path, EMSDK, emcc on PATH, WASI_SDK_PATH, /opt/wasi-sdk) */
  preinstalled: Partial<
    Record<'emsdk' | 'wasi-sdk', { path: string; version: string; how: string }>
  >
}
