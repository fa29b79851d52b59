/** What a run did, gathered as it goes, for the outputs and the job summary (success or not). */
import type { ToolName } from '../catalog/downloads.js'
import type { UploadedArtifact } from '../artifacts/index.js'
import type { CacheHit } from '../cache/index.js'
import type { CompilerCacheStats } from '../execute/ccache-stats.js'
import type { StepTiming } from '../execute/executor.js'
import type { SummarySmoke, SummarySuite } from './summary.js'

export class RunRecord {
  timings: StepTiming[] = []
  hits = new Map<string, CacheHit>()
  ccache = new Map<string, CompilerCacheStats>()
  smoke: SummarySmoke[] = []
  suite: SummarySuite[] = []
  uploaded: UploadedArtifact[] = []
  screenshot?: string
  /** the toolchains this run downloaded and installed */
  installed: ToolName[] = []
  /** the toolchains installed with an unverified download (verify: warn): no cache is saved */
  unverified: ToolName[] = []
  failure?: { step: string; message: string }
  logs?: { name: string; id?: number; error?: string }
  /** the stages that finished: cache-restore, build, collect, smoke, upload */
  completed = new Set<string>()

  /** Times a phase of the action itself (not a build command) for the summary. */
  async phase<T>(id: string, title: string, work: () => Promise<T>): Promise<T> {
    const started = Date.now()
    try {
      const result = await work()
      this.timings.push({ id, title, seconds: (Date.now() - started) / 1000, outcome: 'ran' })
      return result
    } catch (error) {
      this.timings.push({ id, title, seconds: (Date.now() - started) / 1000, outcome: 'failed' })
      this.failure ??= { step: title, message: messageOf(error) }
      throw error
    }
  }
}

export const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error)
