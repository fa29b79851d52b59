/** The job summary as a pure function, and its writer with a real GITHUB_STEP_SUMMARY file. */
import { describe, expect, test } from '@jest/globals'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import {
  codeFence,
  summaryMarkdown,
  writeStepSummary,
  type SummaryInput
} from '../src/report/summary.js'

function input(): SummaryInput {
  return {
    plan: {
      python: { major: 3, minor: 11, micro: 2, text: '3.11.2' } as SummaryInput['plan']['python'],
      targets: [
        { target: 'wasi', recipe: 'wasi-py', hostTriple: 'wasm32-unknown-wasi', notes: [] },
        {
          target: 'emscripten-browser',
          recipe: 'manual',
          hostTriple: 'wasm32-unknown-emscripten',
          notes: []
        }
      ],
      toolchains: [
        {
          tool: 'emsdk',
          version: '3.1.30',
          versionFrom: 'table',
          source: 'download',
          dir: '/t/emsdk'
        },
        {
          tool: 'wasi-sdk',
          version: '16',
          versionFrom: 'table',
          source: 'preinstalled',
          dir: '/opt/wasi-sdk'
        },
        {
          tool: 'wasmtime',
          version: '14.0.4',
          versionFrom: 'table',
          source: 'download',
          dir: '/t/wasmtime'
        }
      ],
      caches: [
        {
          id: 'build-python',
          title: 'Build Python',
          key: 'k1',
          restoreKeys: [],
          paths: [],
          producedBy: []
        },
        { id: 'emsdk', title: 'emsdk', key: 'k2', restoreKeys: [], paths: [], producedBy: [] },
        {
          id: 'ccache',
          title: 'ccache | emscripten',
          key: 'k3',
          restoreKeys: [],
          paths: [],
          producedBy: []
        }
      ],
      artifacts: [
        {
          target: 'wasi',
          recipe: 'wasi-py',
          buildDir: '/b/w',
          dir: '/a/w',
          name: 'python-3.11.2-wasi'
        },
        {
          target: 'emscripten-browser',
          recipe: 'manual',
          buildDir: '/b/e',
          dir: '/a/e',
          name: 'python-3.11.2-emscripten-browser'
        }
      ]
    },
    timings: [
      { id: 'build-python', title: 'Build Python', seconds: 0, outcome: 'skipped' },
      { id: 'configure-wasi', title: 'Configure wasi', seconds: 12.34, outcome: 'ran' },
      { id: 'make-wasi', title: 'Make wasi', seconds: 185, outcome: 'ran' }
    ],
    cacheHits: { 'build-python': 'exact', emsdk: 'partial', ccache: 'miss' },
    artifacts: [
      { target: 'wasi', name: 'python-3.11.2-wasi', id: 7, size: 9 * 1024 * 1024 },
      { target: 'emscripten-browser', name: 'python-3.11.2-emscripten-browser', id: 8, size: 2048 }
    ],
    smoke: [
      {
        target: 'wasi',
        runner: 'wasmtime',
        passed: true,
        problems: [],
        report: { platform: 'wasi' },
        seconds: 1.5
      },
      {
        target: 'emscripten-browser',
        runner: 'browser',
        passed: true,
        problems: [],
        report: { platform: 'emscripten' },
        seconds: 7.2,
        screenshot: 'repl.png'
      }
    ]
  }
}

describe('job summary', () => {
  test('a passing run: targets, toolchains, caches, artifacts with sizes, smoke tests, step times', () => {
    const md = summaryMarkdown(input())
    expect(md).toContain('## ✅ CPython 3.11.2 for WebAssembly')
    expect(md).toContain(
      '| wasi | wasi-py | 3.11.2 | wasi-sdk 16 (preinstalled), wasmtime 14.0.4 | python-3.11.2-wasi (id 7) | 9.0 MiB | ✅ passed (wasmtime, 1.5 s): wasi |'
    )
    expect(md).toContain(
      '| emscripten-browser | manual | 3.11.2 | emsdk 3.1.30 | python-3.11.2-emscripten-browser (id 8) | 2.0 KiB | ✅ passed (browser, 7.2 s): emscripten |'
    )
    expect(md).toContain('| Build Python | ✅ exact |')
    expect(md).toContain('| emsdk | 🟡 partial |')
    expect(md).toContain('| ccache \\| emscripten | ➖ miss |')
    expect(md).toContain('| Build Python | ⏭️ cached | 0.0 s |')
    expect(md).toContain('| Make wasi | ✅ ran | 3 min 5 s |')
    expect(md).toContain('| **Total** |  | **3 min 17 s** |')
    expect(md).toContain('Screenshot of the emscripten-browser REPL: `repl.png`')
    expect(md).not.toContain('Failed step')
  })

  test('a failed run names the step, shows its message and the logs artifact', () => {
    const i = input()
    i.timings[2].outcome = 'failed'
    i.artifacts = undefined
    i.smoke = undefined
    i.failure = {
      step: 'Make wasi',
      message: 'Step "Make wasi" failed with exit code 2.\nLast lines of its output:\nerror: x'
    }
    i.logsArtifact = { name: 'python-3.11.2-wasi-logs', id: 9 }
    const md = summaryMarkdown(i)
    expect(md).toContain('## ❌ CPython 3.11.2 for WebAssembly')
    expect(md).toContain('**Failed step: Make wasi**')
    expect(md).toContain(
      '```\nStep "Make wasi" failed with exit code 2.\nLast lines of its output:\nerror: x\n```'
    )
    expect(md).toContain('in the artifact **python-3.11.2-wasi-logs**')
    expect(md).toContain('| Make wasi | ❌ failed | 3 min 5 s |')
    expect(md).toContain('| not uploaded | - | not run |')
    i.logsArtifact = { name: 'x-logs', error: 'quota' }
    expect(summaryMarkdown(i)).toContain('The logs could not be uploaded: quota.')
  })

  test('build output with backtick fences stays inside the failure code block', () => {
    const i = input()
    const message = [
      'Step "Make wasi" failed with exit code 2.',
      'Last lines of its output:',
      '```',
      '# Pwned: this heading would be markdown if the block closed here',
      '`````',
      '| a | table |'
    ].join('\n')
    i.failure = { step: 'Make wasi', message }
    const lines = summaryMarkdown(i).split('\n')
    const open = lines.findIndex(l => /^`{3,}$/.test(l))
    const fence = lines[open]
    expect(fence).toBe('``````')
    // CommonMark: the block ends at the first line of at least as many backticks (and nothing else)
    const close = lines.findIndex(
      (l, n) => n > open && new RegExp(`^ {0,3}\`{${fence.length},}\\s*$`).test(l)
    )
    expect(lines.slice(open + 1, close).join('\n')).toBe(message)
    expect(lines[close]).toBe(fence)
  })

  test.each([
    ['no backticks', 'plain', '```'],
    ['inline code', 'use `x`', '```'],
    ['a fence', 'a\n```\nb', '````'],
    ['a long run', 'x ```````` y', '`````````']
  ])('codeFence with %s', (_what, text, fence) => {
    expect(codeFence(text)).toBe(fence)
  })

  test('skipped and failed smoke tests, upload off, cache hits as a Map', () => {
    const i = input()
    i.artifacts = undefined
    i.uploadSkipped = true
    i.cacheHits = new Map([['build-python', 'miss' as const]])
    i.smoke = [
      {
        target: 'wasi',
        runner: 'node-wasi',
        passed: false,
        problems: ['exit code 1', 'import json failed']
      },
      {
        target: 'emscripten-browser',
        runner: 'browser',
        passed: true,
        skipped: 'no Chrome or Chromium found',
        problems: []
      }
    ]
    const md = summaryMarkdown(i)
    expect(md).toContain('not uploaded (python-3.11.2-wasi)')
    expect(md).toContain('❌ failed (node-wasi): exit code 1; import json failed')
    expect(md).toContain('⚠️ skipped (browser): no Chrome or Chromium found')
    expect(md).toContain('| Build Python | ➖ miss |')
    expect(md).toContain('| emsdk | - |')
  })

  test('writeStepSummary appends to GITHUB_STEP_SUMMARY', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cwa-summary-')), 'summary.md')
    fs.writeFileSync(file, '')
    const saved = process.env.GITHUB_STEP_SUMMARY
    process.env.GITHUB_STEP_SUMMARY = file
    try {
      await writeStepSummary(summaryMarkdown(input()))
      expect(fs.readFileSync(file, 'utf8')).toBe(summaryMarkdown(input()))
    } finally {
      if (saved === undefined) delete process.env.GITHUB_STEP_SUMMARY
      else process.env.GITHUB_STEP_SUMMARY = saved
    }
  })
})
