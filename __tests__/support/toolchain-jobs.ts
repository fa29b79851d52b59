/**
 * The fixture of the toolchain tests that run the bundled action
 * (toolchains-install, toolchains-trust): a job folder, a fake CPython
 * checkout whose configure fails at once (the runs are about what happens
 * before it), a loopback download server, and an installed WASI SDK for runs
 * that only download wasmtime. The bindings are set once useToolchainJobs()'s
 * beforeAll has run.
 */
import { afterAll, beforeAll, expect } from '@jest/globals'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { startDownloadServer, type DownloadServer } from './download-server.js'
import { FAKE_CONFIGURE_MESSAGE, makeFakeCheckout } from './fake-checkout.js'
import type { ActionResult, RunnerDirs } from './harness.js'
import {
  emscriptenPortStandIns,
  emsdkNestedStandIns,
  type NestedStandIn,
  type PortStandIn
} from './toolchain-archives.js'

export const ARCH = os.arch() === 'arm64' ? 'arm64' : 'x64'
// several bundles run at once (test.concurrent) on a small machine
export const SLOW = 90_000

export let work: string
export let checkout: string
export let server: DownloadServer
/** an installed WASI SDK (wasi-sdk-path), for runs that only download wasmtime */
export let installedSdk: string

/** Registers the hooks that make the fixture for this test file. */
export function useToolchainJobs(prefix: string): void {
  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
    checkout = makeFakeCheckout(path.join(work, 'cpython'))
    server = await startDownloadServer()
    installedSdk = path.join(work, 'installed-wasi-sdk')
    fs.mkdirSync(path.join(installedSdk, 'bin'), { recursive: true })
    fs.writeFileSync(path.join(installedSdk, 'bin', 'clang'), '#!/bin/sh\n', { mode: 0o755 })
  })

  afterAll(async () => {
    await server.close()
    fs.rmSync(work, { recursive: true, force: true })
  })
}

/**
 * Serves stand-ins of what emsdk `version` downloads (wasm-binaries, Node)
 * and of the Emscripten ports the action puts in place (zlib, bzip2,
 * sqlite3) under the mirror base `${server.url}${prefix}`; returns the
 * inputs that name that mirror and their sums, and the stand-ins.
 */
export function nestedInputs(
  version: string,
  prefix: string
): { inputs: Record<string, string>; files: NestedStandIn[]; ports: PortStandIn[] } {
  const nested = emsdkNestedStandIns(work, version, ARCH)
  const ports = emscriptenPortStandIns(work, version)
  for (const f of [...nested.files, ...ports.files]) server.serve(`${prefix}${f.urlPath}`, f.file)
  return {
    inputs: {
      mirror: `${server.url}${prefix}`,
      checksums: [nested.checksums, ports.checksums].filter(Boolean).join('\n')
    },
    files: nested.files,
    ports: ports.files
  }
}

/** Every path in a job's tool cache (empty: nothing was installed there). */
export function toolCacheEntries(dirs: RunnerDirs): string[] {
  return fs.readdirSync(dirs.toolCache, { recursive: true }).map(String).sort()
}

/** The toolchains installed and the build began: it stops at the fake checkout's configure. */
export function expectToolchainsInstalled(result: ActionResult): void {
  expect(result.exitCode).not.toBe(0)
  expect(result.errors).toEqual([expect.stringContaining(FAKE_CONFIGURE_MESSAGE)])
  expect(result.stdout).not.toContain('::error::Unexpected')
}

/** The run failed before building, with one error saying all of `messages`, and no stack. */
export function expectFailure(result: ActionResult, ...messages: (string | RegExp)[]): void {
  expect(result.exitCode).not.toBe(0)
  expect(result.errors).toHaveLength(1)
  for (const m of messages) expect(result.errors[0]).toMatch(m)
  // a ToolchainError is printed without a stack
  expect(result.errors[0]).not.toMatch(/\n\s+at /)
  expect(result.stdout).not.toContain(FAKE_CONFIGURE_MESSAGE)
}
