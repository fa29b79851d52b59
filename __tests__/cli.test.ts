/**
 * The command (dist/cli.js, as `npm run bundle` writes it) against the
 * action (dist/index.js through the runner harness): --help lists every
 * input of action.yml, a dry run prints the plan the action's dry run
 * prints for the same checkout, and a bad input fails with the action's
 * message. The command's real build is in __tests__/e2e/cli-311-wasi.test.ts.
 */
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import * as cliInputs from '../scripts/release/cli-inputs.mjs'
import { checkoutWithLayout } from './support/checkout-layouts.js'
import { actionYaml, makeRunnerDirs, REPO_ROOT, runAction } from './support/harness.js'

const CLI = path.join(REPO_ROOT, 'dist', 'cli.js')

function cli(args: string[], cwd = os.tmpdir()): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    encoding: 'utf8',
    // a step of a workflow runs the command with these set; it must not use them
    env: { ...process.env, GITHUB_STEP_SUMMARY: '', GITHUB_OUTPUT: '' }
  })
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr }
}

const tmp = (prefix: string): string => fs.mkdtempSync(path.join(os.tmpdir(), prefix))

describe('cpython-wasm --help', () => {
  test('lists every input of action.yml with its description and default', () => {
    const { code, stdout } = cli(['--help'])
    expect(code).toBe(0)
    const inputs = Object.entries(actionYaml().inputs) as [
      string,
      { description?: string; default?: string }
    ][]
    expect(inputs.length).toBeGreaterThan(20)
    const flat = stdout.replace(/\s+/g, ' ')
    for (const [name, spec] of inputs) {
      expect(stdout).toMatch(new RegExp(`^  --${name} `, 'm'))
      expect(flat).toContain(String(spec.description).replace(/\s+/g, ' ').trim())
      expect(flat).toContain(`default: ${spec.default === '' ? '""' : spec.default}`)
    }
    // and nothing action.yml does not have, besides the command's own flags
    const flags = [...stdout.matchAll(/^ {2}--([a-z0-9-]+)/gm)].map(m => m[1])
    expect(flags.sort()).toEqual(
      [...inputs.map(([name]) => name), 'output', 'verbose', 'cache-dir', 'help'].sort()
    )
  })

  test('the inputs it is made from are in sync with action.yml', () => {
    expect(cliInputs.main(['--check'])).toBe(0)
  })

  test('a flag that is no input is a usage error (exit 2)', () => {
    const r = cli(['build', '--target', 'wasi'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('unknown flag --target')
  })

  test('a flag where a value should be is a forgotten value, not the value (exit 2)', () => {
    const r = cli(['build', '--output', '--verbose'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('--output needs a value, but --verbose follows it')
    // a value that starts with -- and is no flag of ours is taken
    const ok = cli(['build', '--configure-args', '--with-lto', '--dry-run', '--targets', 'nope'])
    expect(ok.stderr).not.toContain('needs a value')
  })
})

describe('cpython-wasm build --dry-run', () => {
  test('prints the plan the action prints for the same checkout, installing nothing', async () => {
    const source = fs.realpathSync(checkoutWithLayout('manual'))
    const cacheDir = tmp('cwa-cli-cache-')
    const r = cli([
      'build',
      '--source',
      source,
      '--targets',
      'wasi,emscripten-node',
      '--dry-run',
      '--cache-dir',
      cacheDir
    ])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    // plain text: no workflow command reaches the terminal
    expect(r.stdout).not.toMatch(/^::/m)
    expect(r.stdout).toContain('Dry run: nothing was installed or built.')
    // nothing installed, stored or built
    expect(fs.readdirSync(cacheDir)).toEqual([])
    expect(fs.existsSync(path.join(source, 'builddir'))).toBe(false)

    // the action on a runner whose job folders are the command's: the same paths, so the same keys
    const work = new RegExp(`${path.join(cacheDir, 'work')}/[^/\\s,]+`).exec(r.stdout)?.[0]
    expect(work).toBeDefined()
    const dirs = {
      ...makeRunnerDirs(),
      temp: work as string,
      toolCache: path.join(cacheDir, 'tools')
    }
    const action = await runAction({
      dirs,
      inputs: { source, targets: 'wasi,emscripten-node', 'dry-run': 'true' }
    })
    expect(action.errors).toEqual([])
    const planOf = (stdout: string): string =>
      stdout
        .slice(stdout.indexOf('CPython '), stdout.indexOf('Dry run:'))
        // a ccache entry is saved per ref and run: the runner's main and run 1, the command's own
        .replace(/(cwa1-ccache-[\w.-]+?-[0-9a-f]{20}-)[\w.-]*/g, '$1<ref-run>')
    const fromCli = planOf(r.stdout)
    expect(fromCli).toContain('Steps:')
    expect(fromCli).toContain(`${dirs.toolCache}/wasi-sdk`)
    expect(fromCli).toContain('build-result: key cwa1-build-result-3.11.2-')
    expect(fromCli).toBe(planOf(action.stdout))
  })
})

describe('cpython-wasm build with a bad input', () => {
  test("fails with the action's message for the same values", async () => {
    const source = checkoutWithLayout('manual')
    const bad = { targets: 'wasi wasm64', 'build-type': 'fast', 'configure-args': '--host=x' }
    const r = cli([
      'build',
      '--source',
      source,
      ...Object.entries(bad).flatMap(([k, v]) => [`--${k}`, v]),
      '--cache-dir',
      tmp('cwa-cli-cache-')
    ])
    const action = await runAction({ inputs: { source, ...bad } })
    expect(action.exitCode).toBe(1)
    expect(action.errors).toHaveLength(1)
    expect(action.errors[0]).toMatch(/^Invalid inputs:/)
    expect(r.code).toBe(1)
    expect(r.stdout).toContain(`error: ${action.errors[0]}\n`)
  })

  test('a true/false input given as --name=value is checked the same way', async () => {
    const source = checkoutWithLayout('manual')
    const r = cli(['build', '--source', source, '--cache=maybe', '--cache-dir', tmp('cwa-')])
    const action = await runAction({ inputs: { source, cache: 'maybe' } })
    expect(r.code).toBe(1)
    expect(r.stdout).toContain(`error: ${action.errors[0]}\n`)
    expect(action.errors[0]).toContain('cache: "maybe" is not valid; expected true or false')
  })
})
