/**
 * The job summary: what was built with what, how long each step took, what
 * was uploaded, the smoke tests, and what failed. summaryMarkdown is pure;
 * writeStepSummary hands its text to core.summary.
 */
import * as core from '@actions/core'
import type { StepTiming } from '../execute/executor.js'
import type { Plan } from '../plan/types.js'
import type { Target } from '../catalog/targets.js'
import type { CacheHit } from '../cache/index.js'

export interface SummaryArtifact {
  target: Target
  name: string
  id?: number
  /** the folder the command copied it to */
  copiedTo?: string
  /** sha256 of the uploaded zip, hex */
  digest?: string
  /** bytes uploaded (the zip), or of the folder when nothing was uploaded */
  size?: number
}

export interface SummarySmoke {
  target: Target
  runner: string
  passed: boolean
  skipped?: string
  problems: string[]
  report?: Record<string, unknown>
  seconds?: number
  screenshot?: string
}

/** CPython's test suite with one artifact (test: suite). */
export interface SummarySuite {
  target: Target
  run: number
  failed: number
  skipped: number
  seconds: number
  failedModules: string[]
  /** the JUnit file's name in the logs artifact */
  junit?: string
  problem?: string
}

export interface SummaryInput {
  plan: Pick<Plan, 'python' | 'targets' | 'toolchains' | 'caches' | 'artifacts'>
  timings: StepTiming[]
  cacheHits?: Record<string, CacheHit> | ReadonlyMap<string, CacheHit>
  /** this build's ccache hits and misses per target */
  ccache?: ReadonlyMap<string, { hits: number; misses: number }>
  artifacts?: SummaryArtifact[]
  /** upload: false */
  uploadSkipped?: boolean
  smoke?: SummarySmoke[]
  suite?: SummarySuite[]
  /** set when the run failed: the step (or phase) and the message */
  failure?: { step: string; message: string }
  logsArtifact?: { name: string; id?: number; error?: string }
}

const TOOLS_FOR: Record<Target, string[]> = {
  wasi: ['wasi-sdk', 'wasmtime'],
  'emscripten-node': ['emsdk'],
  'emscripten-browser': ['emsdk']
}

/** A table cell: no pipes or newlines. */
const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ')

export function formatSeconds(s: number): string {
  if (s < 60) return `${s.toFixed(1)} s`
  const m = Math.floor(s / 60)
  const rest = Math.round(s - m * 60)
  return m < 60 ? `${m} min ${rest} s` : `${Math.floor(m / 60)} h ${m % 60} min`
}

export function formatSize(n: number): string {
  if (n < 1024) return `${n} B`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`
  return `${(n / 1024 / 1024).toFixed(1)} MiB`
}

/**
 * A fence the text cannot close: longer than any run of backticks in it
 * (CommonMark 0.31, "Fenced code blocks": the closing fence must be at least
 * as long as the opening one), since build output is anyone's text.
 */
export function codeFence(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map(run => run.length))
  return '`'.repeat(Math.max(3, longest + 1))
}

function table(head: string[], rows: string[][]): string[] {
  return [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map(r => `| ${r.map(cell).join(' | ')} |`)
  ]
}

function smokeText(s: SummarySmoke | undefined): string {
  if (!s) return 'not run'
  if (s.skipped) return `⚠️ skipped (${s.runner}): ${s.skipped}`
  const time = s.seconds !== undefined ? `, ${formatSeconds(s.seconds)}` : ''
  if (s.passed) {
    const platform = typeof s.report?.platform === 'string' ? ` ${s.report.platform}` : ''
    return `✅ passed (${s.runner}${time})${platform ? `:${platform}` : ''}`
  }
  return `❌ failed (${s.runner}${time}): ${s.problems.join('; ')}`
}

export function summaryMarkdown(input: SummaryInput): string {
  const { plan } = input
  const hits: Map<string, CacheHit> =
    input.cacheHits instanceof Map
      ? new Map(input.cacheHits)
      : new Map(Object.entries(input.cacheHits ?? {}) as [string, CacheHit][])
  const out: string[] = []
  const failed = input.failure !== undefined
  out.push(`## ${failed ? '❌' : '✅'} CPython ${plan.python.text} for WebAssembly`, '')
  if (hits.get('build-result') === 'exact')
    out.push(
      '♻️ The finished build was restored from the cache (`build-result`): nothing was configured or made.',
      ''
    )

  if (input.failure) {
    out.push(`**Failed step: ${input.failure.step}**`, '')
    const message = input.failure.message.trimEnd()
    const fence = codeFence(message)
    out.push(fence, message, fence, '')
    if (input.logsArtifact)
      out.push(
        input.logsArtifact.id !== undefined
          ? `The step logs and config.log files are in the artifact **${input.logsArtifact.name}**.`
          : `The logs could not be uploaded${input.logsArtifact.error ? `: ${input.logsArtifact.error}` : ''}.`,
        ''
      )
  }

  const version = (tool: string): string => {
    const t = plan.toolchains.find(tc => tc.tool === tool)
    return t ? `${tool} ${t.version}${t.source === 'preinstalled' ? ' (preinstalled)' : ''}` : ''
  }
  out.push('### Targets', '')
  out.push(
    ...table(
      ['Target', 'Recipe', 'Python', 'Toolchains', 'Artifact', 'Size', 'Smoke test'],
      plan.targets.map(t => {
        const planned = plan.artifacts.find(a => a.target === t.target)
        const up = input.artifacts?.find(a => a.target === t.target)
        const smoke = input.smoke?.find(s => s.target === t.target)
        const artifact = up
          ? `${up.name}${up.id !== undefined ? ` (id ${up.id})` : ''}${up.copiedTo ? ` copied to ${up.copiedTo}` : ''}`
          : input.uploadSkipped
            ? `not uploaded (${planned?.name ?? '-'})`
            : failed
              ? 'not uploaded'
              : (planned?.name ?? '-')
        return [
          t.target,
          `${t.recipe}${t.sharesBuildWith ? ` (build of ${t.sharesBuildWith})` : ''}`,
          plan.python.text,
          TOOLS_FOR[t.target].map(version).filter(Boolean).join(', ') || '-',
          artifact,
          up?.size !== undefined ? formatSize(up.size) : '-',
          smokeText(smoke)
        ]
      })
    ),
    ''
  )

  if (input.suite && input.suite.length > 0) {
    out.push("### CPython's test suite", '')
    out.push(
      ...table(
        ['Target', 'Result', 'Run', 'Failed', 'Skipped', 'Time', 'Failed modules'],
        input.suite.map(r => [
          r.target,
          r.problem
            ? '❌ ' + cell(r.problem)
            : r.failed + r.failedModules.length > 0
              ? '❌ failed'
              : '✅ passed',
          String(r.run),
          String(r.failed),
          String(r.skipped),
          formatSeconds(r.seconds),
          cell(r.failedModules.join(' ')) || '-'
        ])
      ),
      ''
    )
    const files = input.suite.filter(r => r.junit).map(r => `\`${r.junit}\``)
    if (files.length > 0)
      out.push(
        `JUnit files (${files.join(', ')}) and the full test output are in the logs artifact${
          input.logsArtifact ? ` **${input.logsArtifact.name}**` : ''
        }.`,
        ''
      )
  }

  const digests = (input.artifacts ?? []).filter(a => a.digest)
  if (digests.length > 0) {
    out.push('### Artifact digests', '')
    out.push(
      ...table(
        ['Artifact', 'sha256 of the zip'],
        digests.map(a => [a.name, `\`${a.digest}\``])
      ),
      ''
    )
  }

  if (plan.caches.length > 0) {
    out.push('### Caches', '')
    out.push(
      ...table(
        ['Cache', 'Result'],
        plan.caches.map(c => {
          const hit = hits.get(c.id)
          const mark =
            hit === 'exact'
              ? '✅ exact'
              : hit === 'partial'
                ? '🟡 partial'
                : hit === 'miss'
                  ? '➖ miss'
                  : '-'
          const part = c.id.startsWith('ccache-') ? c.id.slice('ccache-'.length) : ''
          const stats = input.ccache?.get(part)
          const compiles = stats
            ? ` · ${stats.hits} compiles from the cache, ${stats.misses} compiled`
            : ''
          return [c.title || c.id, mark + compiles]
        })
      ),
      ''
    )
  }

  if (input.timings.length > 0) {
    out.push('### Steps', '')
    const total = input.timings.reduce((s, t) => s + t.seconds, 0)
    const outcome = (o: StepTiming['outcome']): string =>
      o === 'ran' ? '✅ ran' : o === 'skipped' ? '⏭️ cached' : '❌ failed'
    out.push(
      ...table(
        ['Step', 'Outcome', 'Time'],
        [
          ...input.timings.map(t => [t.title, outcome(t.outcome), formatSeconds(t.seconds)]),
          ['**Total**', '', `**${formatSeconds(total)}**`]
        ]
      ),
      ''
    )
  }

  const screenshots = (input.smoke ?? []).filter(s => s.screenshot)
  for (const s of screenshots)
    out.push(`Screenshot of the ${s.target} REPL: \`${s.screenshot}\``, '')
  return `${out.join('\n').trimEnd()}\n`
}

/** Appends markdown to the job's summary (GITHUB_STEP_SUMMARY); a no-op outside a runner. */
export async function writeStepSummary(markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return
  await core.summary.addRaw(markdown).write()
}
