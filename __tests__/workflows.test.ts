/**
 * Offline validation of every workflow, example and action.yml (GitHub's
 * parser, actionlint, our rules), with broken copies proving each check
 * fails when it should; and the scripts the workflows' run steps call.
 */
import { describe, expect, it } from '@jest/globals'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { REPO_ROOT } from './support/harness.js'
import { parse } from 'yaml'
import {
  actionInputs,
  checkActionInputs,
  checkCallInputsUsed,
  checkCheckouts,
  checkMajors,
  checkNeeds,
  checkPinned,
  checkReusableInputs,
  checkTopPermissions,
  checkWorkflow,
  lintWorkflowText,
  parseActionText,
  parseWorkflowText,
  usesMajors,
  workflowCallInputs,
  workflowFiles,
  type WorkflowFile
} from './support/workflow-checks.js'
import * as actionRef from '../scripts/release/action-ref.mjs'
import { DEFAULT_ARTIFACT_NAME, DEFAULT_RUNNERS } from '../scripts/workflow/plan-matrix.mjs'
import * as checkDist from '../scripts/release/check-dist.mjs'
import * as moveMajorTag from '../scripts/release/move-major-tag.mjs'

const ACTION_YML = fs.readFileSync(path.join(REPO_ROOT, 'action.yml'), 'utf8')
const INPUTS = actionInputs(ACTION_YML)
const FILES = workflowFiles(REPO_ROOT)
const file = (name: string): WorkflowFile => {
  const f = FILES.find(w => w.name === name)
  if (!f) throw new Error(`test error: no workflow ${name}`)
  return f
}
/** A copy of a workflow with one exact text replaced (the text must be there). */
const broken = (name: string, from: string, to: string): WorkflowFile => {
  const f = file(name)
  if (!f.content.includes(from)) throw new Error(`test error: ${name} has no ${from}`)
  return { name: f.name, content: f.content.replace(from, to) }
}

const BUILD_YML = path.normalize('.github/workflows/build.yml')
/** The reusable workflow's workflow_call inputs, which the examples' `with:` must name. */
const CALL_INPUTS = workflowCallInputs(file(BUILD_YML).content)
const README = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8')

/**
 * The current major of every third-party action the workflows, the examples
 * and the README use: each runs on node24 (attest-build-provenance is a
 * composite around actions/attest, which does).
 */
const CURRENT_MAJORS: Record<string, number> = {
  'actions/checkout': 7,
  'actions/setup-node': 7,
  'actions/setup-python': 7,
  'actions/upload-artifact': 7,
  'actions/download-artifact': 8,
  'actions/attest-build-provenance': 4
}

const EXPECTED_FILES = [
  '.github/workflows/build.yml',
  '.github/workflows/check-dist.yml',
  '.github/workflows/ci.yml',
  '.github/workflows/e2e.yml',
  '.github/workflows/refresh-checksums.yml',
  '.github/workflows/release.yml',
  'examples/container.yml',
  'examples/nightly.yml',
  'examples/pr-check.yml',
  'examples/release.yml'
]

describe('the repository workflows and examples', () => {
  it('are all found', () => {
    expect(FILES.map(f => f.name).sort()).toEqual(EXPECTED_FILES.map(n => path.normalize(n)))
  })

  it.each(EXPECTED_FILES)('%s passes the parser, actionlint and our rules', async name => {
    expect(await checkWorkflow(file(path.normalize(name)), INPUTS, CALL_INPUTS)).toEqual([])
  })

  it('action.yml passes the action schema, branding included', () => {
    expect(parseActionText('action.yml', ACTION_YML)).toEqual([])
    expect(INPUTS.size).toBeGreaterThan(20)
    expect(INPUTS.has('dry-run')).toBe(true)
    const { branding } = parse(ACTION_YML) as { branding?: { icon?: string; color?: string } }
    expect(branding?.icon).toEqual(expect.any(String))
    expect(['white', 'yellow', 'blue', 'green', 'orange', 'red', 'purple', 'gray-dark']).toContain(
      branding?.color
    )
  })

  it('use each third-party action at its current major only', () => {
    const problems = [
      ...FILES.flatMap(f => checkMajors(f.name, f.content, CURRENT_MAJORS)),
      ...checkMajors('README.md', README, CURRENT_MAJORS)
    ]
    expect(problems).toEqual([])
    // every action of the table is in use, so the table says what the files use
    const used = new Set(
      [...FILES.map(f => f.content), README].flatMap(t => usesMajors(t).map(u => u.action))
    )
    expect([...used].sort()).toEqual(Object.keys(CURRENT_MAJORS).sort())
  })

  it('give the reusable workflow a list of runners and an artifact-name, used by its jobs', () => {
    const runners = CALL_INPUTS.get('runners')
    expect(runners?.type).toBe('string')
    expect(JSON.parse(String(runners?.default))).toEqual(DEFAULT_RUNNERS)
    // the same default as the action's, and as plan-matrix.mjs assumes
    const action = parse(ACTION_YML) as { inputs: Record<string, { default?: string }> }
    expect(CALL_INPUTS.get('artifact-name')?.default).toBe(action.inputs['artifact-name'].default)
    expect(CALL_INPUTS.get('artifact-name')?.default).toBe(DEFAULT_ARTIFACT_NAME)
    // runs-on of earlier releases still works, and is empty unless given
    expect(CALL_INPUTS.get('runs-on')?.default).toBe('')
    for (const [name, input] of CALL_INPUTS)
      expect({ name, described: (input.description ?? '').length > 10 }).toEqual({
        name,
        described: true
      })

    const doc = parse(file(BUILD_YML).content) as {
      jobs: Record<string, { 'runs-on': string; strategy?: { matrix: unknown } }>
    }
    expect(doc.jobs.plan['runs-on']).toBe('${{ inputs.runs-on || fromJSON(inputs.runners)[0] }}')
    // a build Python per runner (it is per architecture), a build per target and runner
    expect(doc.jobs['build-python']['runs-on']).toBe('${{ matrix.runner }}')
    expect(doc.jobs['build-python'].strategy?.matrix).toEqual({
      runner: '${{ fromJSON(needs.plan.outputs.runners) }}'
    })
    expect(doc.jobs.build['runs-on']).toBe('${{ matrix.runner }}')
    expect(doc.jobs.build.strategy?.matrix).toBe('${{ fromJSON(needs.plan.outputs.matrix) }}')
    expect(file(BUILD_YML).content).toContain('artifact-name: ${{ matrix.artifact-name-template }}')
  })

  it('run the end-to-end workflow on x64 and arm64, for main and the newest branch', () => {
    const e2e = file(path.normalize('.github/workflows/e2e.yml'))
    const doc = parse(e2e.content) as {
      on: Record<string, unknown>
      jobs: Record<
        string,
        {
          permissions: Record<string, string>
          strategy: { matrix: { branch: string[]; runner: string[] } }
          steps: { uses?: string }[]
        }
      >
    }
    expect(Object.keys(doc.on).sort()).toEqual(['schedule', 'workflow_dispatch'])
    const job = doc.jobs.build
    expect(job.permissions).toEqual({ contents: 'read' })
    expect(job.strategy.matrix.runner).toEqual(['ubuntu-24.04', 'ubuntu-24.04-arm'])
    expect(job.strategy.matrix.branch).toEqual(['main', '3.15'])
    expect(job.steps.some(s => s.uses === './')).toBe(true)
  })

  it('reference the action and the reusable workflow at the major version of package.json', () => {
    expect(actionRef.main(['check'])).toEqual([])
    const refs = actionRef
      .referenceFiles()
      .flatMap(f => actionRef.findReferences(fs.readFileSync(f, 'utf8')))
    // the reusable workflow's three action steps and its scripts checkout, at least
    expect(refs.length).toBeGreaterThanOrEqual(4)
    expect(new Set(refs.map(r => r.ref))).toEqual(new Set([actionRef.packageMajor()]))
  })

  it('name the action in full in the reusable workflow, which grants nothing by default', () => {
    const build = file(path.normalize('.github/workflows/build.yml'))
    expect(build.content).toContain('cpython-wasm/cpython-wasm-action@v1')
    expect(build.content).toMatch(/^permissions: \{\}$/m)
  })
})

describe('each check fails on a broken copy', () => {
  const build = '.github/workflows/build.yml'

  it('an unknown input of the action', () => {
    const copy = broken(build, 'dry-run: true', 'dry-runn: true')
    expect(checkActionInputs(copy.name, copy.content, INPUTS)).toEqual([
      expect.stringContaining('has no input "dry-runn"')
    ])
    // also through `uses: ./` in ci.yml
    const ci = broken('.github/workflows/ci.yml', 'dry-run: true', 'dryrun: true')
    expect(checkActionInputs(ci.name, ci.content, INPUTS)).toEqual([
      expect.stringContaining('./ has no input "dryrun"')
    ])
  })

  it('a needs that names no job', async () => {
    const copy = broken(build, 'needs: [plan, build-python]', 'needs: [plan, build-pyhton]')
    expect(checkNeeds(copy.name, copy.content)).toEqual([
      expect.stringContaining('needs "build-pyhton", which is not a job')
    ])
    expect((await lintWorkflowText(copy.name, copy.content)).join('\n')).toMatch(/build-pyhton/)
  })

  it('a YAML syntax error', async () => {
    const copy = broken(build, 'jobs:\n  plan:\n', 'jobs:\n  plan:\n\t bad: [\n')
    expect(parseWorkflowText(copy.name, copy.content)).not.toEqual([])
    expect(await lintWorkflowText(copy.name, copy.content)).not.toEqual([])
    expect(await checkWorkflow(copy, INPUTS)).not.toEqual([])
  })

  it('a schema error (a key GitHub does not know)', () => {
    const copy = broken(
      build,
      '    runs-on: ${{ inputs.runs-on || fromJSON(inputs.runners)[0] }}\n',
      '    runs_on: linux\n'
    )
    expect(parseWorkflowText(copy.name, copy.content).join('\n')).toMatch(/runs_on|runs-on/)
  })

  it('an expression actionlint rejects', async () => {
    const copy = broken(build, 'targets: ${{ matrix.targets }}', 'targets: ${{ matrixx.targets }}')
    expect((await lintWorkflowText(copy.name, copy.content)).join('\n')).toMatch(/matrixx/)
  })

  it('an unpinned third-party action', () => {
    const copy = broken(
      '.github/workflows/check-dist.yml',
      'actions/upload-artifact@bbbca2ddaa5d8feaa63e36b76fdaad77386f024f # v7.0.0',
      'actions/upload-artifact@v7'
    )
    expect(checkPinned(copy.name, copy.content)).toEqual([
      expect.stringContaining('actions/upload-artifact@v7 is not pinned')
    ])
  })

  it('a pinned action without its version comment', () => {
    const copy = broken(
      '.github/workflows/check-dist.yml',
      'bbbca2ddaa5d8feaa63e36b76fdaad77386f024f # v7.0.0',
      '043fb46d1a93c77aae656e7c1c64a875d1fc6a0a'
    )
    expect(checkPinned(copy.name, copy.content)).toEqual([
      expect.stringContaining('no "# vX.Y.Z" version comment')
    ])
  })

  it('a checkout that persists credentials', () => {
    const copy = broken('examples/pr-check.yml', 'persist-credentials: false', 'fetch-depth: 1')
    expect(checkCheckouts(copy.name, copy.content)).toEqual([
      expect.stringContaining('without persist-credentials: false')
    ])
  })

  it('a workflow without permissions: {}', () => {
    const copy = broken('examples/nightly.yml', 'permissions: {}\n\njobs:', 'jobs:')
    expect(checkTopPermissions(copy.name, copy.content)).toEqual([
      expect.stringContaining('no top-level "permissions: {}"')
    ])
  })

  it('an action.yml that breaks the action schema', () => {
    expect(parseActionText('action.yml', ACTION_YML.replace('runs:\n', 'run:\n'))).not.toEqual([])
  })

  it('a branding the Marketplace does not accept', () => {
    const branding = /^branding:\n {2}icon: .*\n {2}color: .*$/m
    expect(ACTION_YML).toMatch(branding)
    const withBranding = (icon: string, color: string): string =>
      ACTION_YML.replace(branding, `branding:\n  icon: ${icon}\n  color: ${color}`)
    expect(parseActionText('action.yml', withBranding('package', 'purple'))).toEqual([])
    expect(parseActionText('action.yml', withBranding('box', 'pink'))).not.toEqual([])
    // Feather icons GitHub leaves out
    expect(parseActionText('action.yml', withBranding('coffee', 'blue'))).not.toEqual([])
  })

  it('an action at an older major', () => {
    const copy = broken(
      'examples/pr-check.yml',
      'actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1',
      'actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8 # v5.0.0'
    )
    expect(checkMajors(copy.name, copy.content, CURRENT_MAJORS)).toEqual([
      expect.stringMatching(/actions\/checkout@08c6903\w+ is v5, expected v7/)
    ])
    expect(checkMajors('README.md', '- uses: actions/setup-node@v4', CURRENT_MAJORS)).toEqual([
      expect.stringContaining('actions/setup-node@v4 is v4, expected v7')
    ])
    expect(checkMajors('x.yml', '- uses: someone/else@v1', CURRENT_MAJORS)).toEqual([
      expect.stringContaining('someone/else is not in the table')
    ])
  })

  it('an input the reusable workflow does not have, or a runners value that is not a list', () => {
    const copy = broken(
      'examples/nightly.yml',
      'ref: ${{ matrix.branch }}',
      'reff: ${{ matrix.branch }}'
    )
    expect(checkReusableInputs(copy.name, copy.content, CALL_INPUTS)).toEqual([
      expect.stringContaining('has no input "reff"')
    ])
    const list = broken(
      'examples/nightly.yml',
      'ref: ${{ matrix.branch }}',
      'ref: ${{ matrix.branch }}\n      runners: ubuntu-24.04-arm'
    )
    expect(checkReusableInputs(list.name, list.content, CALL_INPUTS)).toEqual([
      expect.stringContaining('input "runners" of .github/workflows/build.yml takes a JSON list')
    ])
    const ok = broken(
      'examples/nightly.yml',
      'ref: ${{ matrix.branch }}',
      `ref: \${{ matrix.branch }}\n      runners: '["ubuntu-24.04", "ubuntu-24.04-arm"]'`
    )
    expect(checkReusableInputs(ok.name, ok.content, CALL_INPUTS)).toEqual([])
  })

  it('a workflow_call input no job reads', () => {
    const copy = broken(
      build,
      '      runs-on:\n',
      '      unread:\n        description: Read by nothing.\n        type: string\n      runs-on:\n'
    )
    expect(checkCallInputsUsed(copy.name, copy.content)).toEqual([
      expect.stringContaining('workflow_call input "unread" is never used')
    ])
  })

  it('an action reference at another version', () => {
    const text = file(path.normalize(build)).content
    const wrong = text.replace(
      'cpython-wasm/cpython-wasm-action@v1',
      'cpython-wasm/cpython-wasm-action@v2'
    )
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'action-ref-'))
    const f = path.join(dir, 'build.yml')
    fs.writeFileSync(f, wrong)
    expect(actionRef.checkReferences([f], 'v1')).toEqual([
      expect.stringMatching(/cpython-wasm-action@v2, expected @v1/)
    ])
    fs.writeFileSync(
      f,
      text.replace('ref: v1 # cpython-wasm-action ref', 'ref: main # cpython-wasm-action ref')
    )
    expect(actionRef.checkReferences([f], 'v1')).toEqual([
      expect.stringMatching(/scripts checkout@main, expected @v1/)
    ])
  })
})

describe('scripts/release/action-ref.mjs', () => {
  it('rewrites every reference for a new major version, and nothing else', () => {
    const text = file(path.normalize('.github/workflows/build.yml')).content
    const v2 = actionRef.rewriteReferences(text, 'v2')
    expect(actionRef.findReferences(v2).every(r => r.ref === 'v2')).toBe(true)
    expect(actionRef.findReferences(v2).length).toBe(actionRef.findReferences(text).length)
    expect(actionRef.rewriteReferences(v2, 'v1')).toBe(text)
    expect(v2).toContain('actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1')
  })

  it('checks a release tag against package.json', () => {
    expect(actionRef.majorOf('v1.2.3')).toBe('v1')
    expect(actionRef.majorOf('1.0.0')).toBe('v1')
    expect(() => actionRef.majorOf('v1.2')).toThrow(/not a release version/)
    expect(actionRef.main(['check', '--tag', `${actionRef.packageMajor()}.9.9`])).toEqual([])
    expect(actionRef.main(['check', '--tag', 'v99.0.0'])).toEqual([
      expect.stringContaining("package.json's version is")
    ])
  })
})

describe('scripts/release/move-major-tag.mjs', () => {
  it('moves v1 to the commit of v1.2.3 and force-pushes only that tag', () => {
    expect(moveMajorTag.majorTag('v1.2.3')).toBe('v1')
    expect(moveMajorTag.moveCommands('v1.2.3')).toEqual([
      ['git', 'tag', '--force', '--annotate', 'v1', '--message', 'v1 -> v1.2.3', 'v1.2.3^{commit}'],
      ['git', 'push', '--force', 'origin', 'refs/tags/v1']
    ])
  })

  it('refuses pre-releases and other refs', () => {
    for (const tag of ['v1.2.3-rc.1', '1.2.3', 'v1', 'main', undefined])
      expect(() => moveMajorTag.majorTag(tag)).toThrow(/not a release tag/)
  })

  it('authenticates through the environment, not the command line', () => {
    const env = moveMajorTag.gitAuthEnv({ GITHUB_TOKEN: 'secret' })
    expect(env.GIT_CONFIG_KEY_0).toBe('http.https://github.com/.extraheader')
    expect(env.GIT_CONFIG_VALUE_0).toBe(
      `AUTHORIZATION: basic ${Buffer.from('x-access-token:secret').toString('base64')}`
    )
    expect(moveMajorTag.moveCommands('v1.2.3').flat().join(' ')).not.toContain('secret')
    expect(() => moveMajorTag.gitAuthEnv({})).toThrow(/GITHUB_TOKEN/)
  })
})

describe('scripts/release/check-dist.mjs', () => {
  it('reports changed, deleted and new files under dist/', () => {
    const status = ' M dist/index.js\n D dist/old.js\n?? dist/new.js\n'
    expect(checkDist.parseStatus(status)).toEqual([
      { status: 'M', path: 'dist/index.js' },
      { status: 'D', path: 'dist/old.js' },
      { status: '??', path: 'dist/new.js' }
    ])
    const calls: string[][] = []
    const changes = checkDist.distChanges('dist', args => {
      calls.push(args)
      return ''
    })
    expect(changes).toEqual([])
    expect(calls).toEqual([['status', '--porcelain', '--untracked-files=all', '--', 'dist']])
  })

  it('fails when dist/ is not committed or differs, passes when it matches', () => {
    const git =
      (files: string, status: string) =>
      (args: string[]): string =>
        args[0] === 'ls-files' ? files : status
    const write = process.stdout.write
    process.stdout.write = (() => true) as typeof process.stdout.write
    try {
      expect(checkDist.main([], git('', ''))).toBe(1)
      expect(checkDist.main([], git('dist/index.js\n', ' M dist/index.js\n'))).toBe(1)
      expect(checkDist.main([], git('dist/index.js\n', ''))).toBe(0)
    } finally {
      process.stdout.write = write
    }
  })
})
