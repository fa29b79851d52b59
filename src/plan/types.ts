import type { CheckoutFacts, Recipe } from '../checkout/detect.js'
import type { Inputs } from '../inputs/index.js'
import type { ReleaseAsset, ToolName } from '../catalog/downloads.js'
import type { NestedDownload } from '../catalog/emsdk-binaries.js'
import type { PortDownload } from '../catalog/emscripten-ports.js'

import type { Target } from '../catalog/targets.js'
import { ActionError } from '../catalog/errors.js'

/** Which toolchain environment a command runs in. */
export type ToolEnv = 'emscripten' | 'wasi-sdk'

export interface ToolchainPlan {
  tool: ToolName
  version: string
  /** where the version came from: the input, a file of the checkout, or our table */
  versionFrom: string
  source: 'download' | 'preinstalled'
  /** for downloads */
  url?: string
  sha256?: string
  /** where the sum comes from; 'digest' (the release asset's, from GitHub's API) is settled at run time */
  sha256From?: SumSource
  /** the input the user gave the sum in (the tool's *-sha256, or checksums), named in messages */
  sha256Input?: string
  /** the GitHub release asset the download is (a mirror's copy too), whose digest the API gives */
  asset?: ReleaseAsset
  /**
   * Files the toolchain's own installer would download (emsdk's wasm-binaries
   * and Node), which the action downloads, verifies and puts in place first;
   * undefined when the action does not know them for this version.
   */
  nested?: NestedDownload[]
  /**
   * Emscripten's port archives (emsdk only, downloaded or preinstalled),
   * which the action downloads, checks and unpacks into `dir` (EM_PORTS)
   * before any build step, so that Emscripten fetches none; undefined when
   * the action does not know them for this Emscripten.
   */
  ports?: { dir: string; downloads: PlannedPort[] }
  /** the stable tool-cache directory it is installed into, or the preinstalled path */
  dir: string
}

/** A port archive as the run fetches it: from `downloadUrl` (the mirror's copy when one is set). */
export interface PlannedPort extends PortDownload {
  downloadUrl: string
}

/** Where a download's expected sum comes from. */
export type SumSource = 'table' | 'input' | 'digest'

export interface CommandStep {
  id: string
  title: string
  /** what the step belongs to: the shared build Python, shared dependencies, or a target */
  part: 'build-python' | 'dependencies' | Target
  argv: string[]
  cwd: string
  env: Record<string, string>
  /** variables of the job's environment the command must not see (a script would obey them) */
  unset?: string[]
  toolEnv?: ToolEnv
  /**
   * compiles C for the build machine with the system compiler (the manual
   * recipe's build Python), so ccache can wrap it as it wraps the targets'
   */
  compilesNative?: boolean
  /** skipped when this cache entry was restored exactly */
  skipIfCached?: string
  /** run as `argv` instead when this cache entry was restored exactly (a check of what came back) */
  onCacheHit?: { entry: string; argv: string[] }
  /** the step's full output goes to this log file (kept for the logs artifact) */
  log: string
}

export interface SmokeTest {
  target: Target
  runner: 'node' | 'wasmtime' | 'node-wasi' | 'browser'
  argv: string[]
  cwd: string
  env: Record<string, string>
  /** the browser test's page in the artifact (index.html in 3.14's web example, python.html before) */
  page?: string
  /** run from a copy of the artifact in another folder, as someone who downloaded it */
  copy?: { from: string; to: string }
  /** what the printed report must say */
  expect: { platform: string; machine: string; version: string; imports: string[] }
}

/** CPython's test suite run with one collected artifact (test: suite). */
export interface SuiteRun {
  target: Target
  runner: 'node' | 'wasmtime' | 'node-wasi'
  argv: string[]
  cwd: string
  env: Record<string, string>
  /** the artifact is copied here first */
  copy: { from: string; to: string }
  /** Lib/test of the checkout, copied into the copy's stdlib */
  tests: { from: string; to: string }
  /** where the interpreter writes the JUnit file, and where the action keeps it (logs artifact) */
  junit: string
  junitLog: string
  /** the suite's full output */
  log: string
  /** stopped after this many minutes */
  timeoutMinutes: number
}

export interface ArtifactPlan {
  target: Target
  /** the recipe decides which files make up the build */
  recipe: Recipe
  /** the directory the build writes into */
  buildDir: string
  /** one folder per target, collected from buildDir */
  dir: string
  name: string
  /** wasi with embed: true: libpython, headers and Setup files in embed/ */
  embed?: boolean
}

/** A target (or the build Python) compiled through ccache, with its own cache directory. */
export interface CompilerCachePlan {
  part: Target | 'build-python'
  dir: string
}

export interface CachePlan {
  id: string
  title: string
  key: string
  restoreKeys: string[]
  paths: string[]
  /** step ids that produce the entry; it is saved only when they all succeeded */
  producedBy: string[]
  /** a build directory kept with its object files, for incremental builds (cache/build-tree.ts) */
  tree?: BuildTreePlan
}

/**
 * A part's build directory as a cache entry: restored from another tree's
 * build, it is brought up to date by make, not rebuilt.
 */
export interface BuildTreePlan {
  /** the build directory (the entry's only path) */
  dir: string
  /**
   * The steps that configure it (the configure step, and a step that seeds
   * its config.cache): skipped when the restored tree was configured by the
   * same command from the same configure inputs.
   */
  configureSteps: string[]
  /** the steps that build it: skipped too on an exact hit (the same tree, built alike) */
  buildSteps: string[]
  /** a hash of the configure command and every file configure turns into the build directory */
  configured: string
  /**
   * The build Python entry's key (a target's tree; '' for the build Python's
   * own): a tree built by another build Python makes again what the build
   * Python generated, where it could differ (cache/build-tree.ts)
   */
  buildPython: string
}

export interface TargetPlan {
  target: Target
  recipe: Recipe
  /** when one build serves several targets (3.14+ emscripten), the target whose build it reuses */
  sharesBuildWith?: Target
  hostTriple: string
  notes: string[]
}

/**
 * The shape of the `plan` output, which the reusable workflow and users parse:
 * bumped when a field they may read changes meaning or goes away (adding a
 * field does not bump it).
 */
export const PLAN_SCHEMA_VERSION = 1

export interface Plan {
  schemaVersion: typeof PLAN_SCHEMA_VERSION
  python: CheckoutFacts['version']
  source: string
  targets: TargetPlan[]
  toolchains: ToolchainPlan[]
  buildPython: string
  artifactsDir: string
  steps: CommandStep[]
  smoke: SmokeTest[]
  /** CPython's test suite per Node/WASI artifact (test: suite) */
  suite: SuiteRun[]
  artifacts: ArtifactPlan[]
  caches: CachePlan[]
  /**
   * The Emscripten dependencies' install prefix (3.14+) and a hash of what
   * decides its content, for the emscripten-dependencies cache entry.
   */
  emscriptenDependencies?: { prefix: string; inputs: string }
  /** targets compiled through ccache (empty when ccache is off or absent) */
  ccache: CompilerCachePlan[]
  options: Pick<
    Inputs,
    | 'buildType'
    | 'pthreads'
    | 'dynamicLinking'
    | 'testModules'
    | 'configureArgs'
    | 'testArgs'
    | 'testFailures'
  >
}

/** A choice the recipe cannot honour; reported like a bad input. */
export class PlanError extends ActionError {
  constructor(readonly problems: string[]) {
    super(problems.length === 1 ? problems[0] : problems.map(p => `- ${p}`).join('\n'))
  }
}
