/**
 * Emscripten's ports (zlib, bzip2, sqlite3) through the bundled action: with
 * the mirror input, each archive comes from `<mirror>/<host>/<path>`, is
 * checked against a sha512 and unpacked where Emscripten's fetch_project
 * finds it (EM_PORTS/<name>/ with the port's URL in .emscripten_url), before
 * any build step; a wrong sum fails naming the port, the Emscripten release
 * and the URL, with nothing unpacked and no build step run.
 *
 * The Emscripten here is an installed stand-in (emsdk-path, release 3.1.19,
 * the 3.11-3.13 pin); the archives are stand-ins too, so the successful run
 * gives their sums in the checksums input (which wins over the table) and
 * the failing one meets the table's sums, which only the real archives have.
 */
import { describe, expect, test } from '@jest/globals'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { FAKE_CONFIGURE_MESSAGE } from './support/fake-checkout.js'
import { checkout, server, SLOW, useToolchainJobs, work } from './support/toolchain-jobs.js'
import { makeRunnerDirs, runAction, type ActionResult } from './support/harness.js'
import { emscriptenPortStandIns, type PortStandIn } from './support/toolchain-archives.js'
import { emscriptenPorts } from '../src/catalog/emscripten-ports.js'
import { State } from '../src/catalog/state.js'

useToolchainJobs('cwa-ports-')

const EMSCRIPTEN = '3.1.19'

/** An installed Emscripten: what emsdk-path needs to be taken as it is. */
function installedEmscripten(): string {
  const dir = fs.mkdtempSync(path.join(work, 'emscripten-'))
  fs.writeFileSync(path.join(dir, 'emscripten-version.txt'), `${EMSCRIPTEN}\n`)
  return dir
}

/** Stand-in port archives served under `prefix`, and the checksums lines of their sha512. */
function standInPorts(prefix: string): { files: PortStandIn[]; checksums: string } {
  const ports = emscriptenPortStandIns(work, EMSCRIPTEN)
  for (const p of ports.files) server.serve(`${prefix}${p.urlPath}`, p.file)
  return {
    files: ports.files.map(p => ({ ...p, urlPath: `${prefix}${p.urlPath}` })),
    checksums: ports.checksums
  }
}

async function run(
  prefix: string,
  inputs: Record<string, string>
): Promise<{ result: ActionResult; portsDir: string }> {
  const dirs = makeRunnerDirs(fs.mkdtempSync(path.join(work, 'job-')))
  const emCache = path.join(dirs.base, 'em-cache')
  const result = await runAction({
    dirs,
    env: { EM_CACHE: emCache },
    inputs: {
      source: checkout,
      targets: 'emscripten-node',
      'emsdk-path': installedEmscripten(),
      mirror: `${server.url}${prefix}`,
      test: 'none',
      upload: 'false',
      ...inputs
    },
    fastRetries: true,
    timeoutMs: SLOW - 10_000
  })
  return { result, portsDir: path.join(emCache, 'ports') }
}

/** The paths asked of the loopback server since `before`. */
function askedSince(before: Map<string, number>): string[] {
  return [...server.requests]
    .filter(([p, n]) => n !== (before.get(p) ?? 0))
    .map(([p]) => p)
    .sort()
}

describe("Emscripten's ports", () => {
  test(
    'come from the mirror alone, checked, and are unpacked where Emscripten finds them before the build',
    async () => {
      const prefix = '/ports-mirror'
      const { files: ports, checksums } = standInPorts(prefix)
      expect(ports.map(p => p.name)).toEqual(['zlib', 'bzip2', 'sqlite3'])
      const before = new Map(server.requests)
      const { result, portsDir } = await run(prefix, { cache: 'false', checksums })
      // the run got past the toolchains to the checkout's (failing) configure
      expect(result.errors).toEqual([expect.stringContaining(FAKE_CONFIGURE_MESSAGE)])
      expect(askedSince(before)).toEqual(ports.map(p => p.urlPath).sort())
      for (const p of ports) {
        expect(result.stdout).toContain(`sha512 ${p.sha512} matches checksums`)
        expect(fs.readFileSync(path.join(portsDir, p.name, '.emscripten_url'), 'utf8')).toBe(
          `${p.url}\n`
        )
        expect(fs.existsSync(path.join(portsDir, p.name, p.topDir, `${p.name}.h`))).toBe(true)
      }
      // nothing else is left in the ports folder (no scratch folders)
      expect(fs.readdirSync(portsDir).sort()).toEqual(['bzip2', 'sqlite3', 'zlib'])
    },
    SLOW
  )

  test(
    'a wrong sum fails before any build step, naming the port, the Emscripten release and the URL; nothing is unpacked or saved',
    async () => {
      const prefix = '/wrong-ports'
      const zlib = standInPorts(prefix).files[0]
      const { result, portsDir } = await run(prefix, { cache: 'true' })
      expect(result.exitCode).not.toBe(0)
      expect(result.errors).toHaveLength(1)
      expect(result.errors[0]).toContain(
        `port zlib of Emscripten ${EMSCRIPTEN}: checksum mismatch for ${server.url}${zlib.urlPath}`
      )
      expect(result.errors[0]).toContain(
        `expected sha512 ${emscriptenPorts(EMSCRIPTEN)?.[0].sha512} (from emscripten-core/emscripten tools/ports/zlib.py`
      )
      expect(result.errors[0]).toContain(`actual sha512   ${zlib.sha512}`)
      expect(result.stdout).not.toContain(FAKE_CONFIGURE_MESSAGE)
      expect(fs.readdirSync(portsDir)).toEqual([])
      // the Emscripten cache entry is produced by build steps that never ran
      expect(result.state[State.CachesToSave] ?? '').not.toContain('emscripten-cache')
    },
    SLOW
  )
})
