/**
 * The bundled action installs emsdk, the WASI SDK and wasmtime from a
 * loopback mirror through the tool cache, finds them there on the next run
 * without a request, and turns every download fault into a clear failure that
 * leaves nothing in the tool cache.
 *
 * The fake checkout's configure fails at once, so a run that got past the
 * toolchains fails at the first build step with FAKE_CONFIGURE_MESSAGE, and a
 * run that failed on a toolchain never shows it. Runs wait no time between
 * download attempts (fastRetries): the attempts themselves are counted.
 */
import { describe, expect, test } from '@jest/globals'
import { execFileSync, spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as http from 'node:http'
import * as https from 'node:https'
import * as net from 'node:net'
import * as path from 'node:path'
import {
  ARCH,
  checkout,
  expectFailure,
  expectToolchainsInstalled,
  installedSdk,
  nestedInputs,
  server,
  SLOW,
  toolCacheEntries,
  useToolchainJobs,
  work
} from './support/toolchain-jobs.js'
import { makeRunnerDirs, runAction, type ActionResult, type RunnerDirs } from './support/harness.js'
import {
  emsdkArchive,
  truncatedCopy,
  wasiSdkArchive,
  wasmtimeArchive,
  type Archive
} from './support/toolchain-archives.js'

useToolchainJobs('cwa-toolchains-')

function serve(archive: Archive): Archive {
  server.serve(archive.urlPath, archive.file)
  return archive
}

async function run(
  inputs: Record<string, string>,
  dirs: RunnerDirs = makeRunnerDirs(fs.mkdtempSync(path.join(work, 'job-'))),
  env: Record<string, string> = {}
): Promise<ActionResult> {
  return runAction({
    dirs,
    env,
    inputs: {
      source: checkout,
      test: 'none',
      upload: 'false',
      cache: 'false',
      'github-token': 'secret-token-for-github-only',
      ...inputs
    },
    fastRetries: true,
    timeoutMs: SLOW - 10_000
  })
}

describe('WASI SDK and wasmtime', () => {
  test(
    'installs from the mirror, verifies the sums, exports the environment; a second run makes no request',
    async () => {
      const sdk = serve(wasiSdkArchive(work, 24, ARCH))
      const wasmtime = serve(wasmtimeArchive(work, '22.0.0', ARCH))
      const inputs = {
        targets: 'wasi',
        'wasi-sdk-version': '24',
        'wasi-sdk-mirror': server.url,
        'wasi-sdk-sha256': sdk.sha256,
        'wasmtime-version': '22.0.0',
        'wasmtime-mirror': server.url,
        'wasmtime-sha256': wasmtime.sha256
      }
      const first = await run(inputs)
      expectToolchainsInstalled(first)
      expect(server.requests.get(sdk.urlPath)).toBe(1)
      expect(server.requests.get(wasmtime.urlPath)).toBe(1)
      // the token goes to github.com only, never to a mirror
      expect(server.headers.get(sdk.urlPath)?.authorization).toBeUndefined()

      const sdkDir = path.join(first.dirs.toolCache, 'wasi-sdk', '24.0.0', ARCH)
      const wasmtimeDir = path.join(first.dirs.toolCache, 'wasmtime', '22.0.0', ARCH)
      expect(fs.existsSync(path.join(sdkDir, 'bin', 'clang'))).toBe(true)
      expect(fs.existsSync(path.join(sdkDir, 'share', 'wasi-sysroot', 'include'))).toBe(true)
      expect(fs.existsSync(`${sdkDir}.complete`)).toBe(true)
      // the release's own relative links are kept as links
      expect(fs.readlinkSync(path.join(sdkDir, 'bin', 'clang++'))).toBe('clang')
      // what it was verified as, next to it
      expect(JSON.parse(fs.readFileSync(`${sdkDir}.verified.json`, 'utf8'))).toEqual({
        tool: 'wasi-sdk',
        version: '24',
        arch: ARCH,
        url: `${server.url}${sdk.urlPath}`,
        sha256: sdk.sha256,
        checkedAgainst: 'input'
      })
      expect(fs.existsSync(path.join(wasmtimeDir, 'wasmtime'))).toBe(true)
      expect(fs.existsSync(`${wasmtimeDir}.complete`)).toBe(true)
      expect(first.exportedEnv.WASI_SDK_PATH).toBe(sdkDir)
      expect(first.addedPath).toContain(wasmtimeDir)
      expect(first.outputs['wasi-sdk-version']).toBe('24')
      expect(first.outputs['wasmtime-version']).toBe('22.0.0')
      expect(first.stdout).toContain(`sha256 ${sdk.sha256} matches wasi-sdk-sha256`)
      expect(first.stdout).toContain('::group::wasi-sdk 24: download')
      expect(first.stdout).toContain('::group::wasmtime 22.0.0: extract')
      // downloads and extractions are cleaned up
      expect(
        fs
          .readdirSync(path.join(first.dirs.temp, 'cpython-wasm'))
          .filter(f => /^(wasi-sdk|wasmtime)-/.test(f))
      ).toEqual([])

      const before = server.totalRequests()
      const second = await run(inputs, first.dirs)
      expectToolchainsInstalled(second)
      expect(server.totalRequests()).toBe(before)
      expect(second.stdout).toContain(`wasi-sdk 24: found in the tool cache at ${sdkDir}`)
      expect(second.stdout).toContain(`wasmtime 22.0.0: found in the tool cache at ${wasmtimeDir}`)
      expect(second.exportedEnv.WASI_SDK_PATH).toBe(sdkDir)
      expect(second.addedPath).toContain(wasmtimeDir)
    },
    SLOW
  )

  test(
    'WASI SDK 17 (the old layout) with no known sum: strict fails before installing; warn installs outside the tool cache, showing its sum',
    async () => {
      if (ARCH !== 'x64') return // there are no Arm builds before 23
      const sdk = serve(wasiSdkArchive(work, 17))
      const inputs = {
        targets: 'wasi',
        'wasi-sdk-version': '17',
        'wasi-sdk-mirror': server.url,
        'wasmtime-version': 'none'
      }
      const before = server.requests.get(sdk.urlPath) ?? 0
      const strict = await run(inputs)
      expectFailure(
        strict,
        'No known sha256',
        `wasi-sdk 17 (${server.url}${sdk.urlPath})`,
        'set wasi-sdk-sha256',
        'verify: warn',
        /http:\/\/127\.0\.0\.1:9\/repos\/WebAssembly\/wasi-sdk\/releases\/tags\/wasi-sdk-17/
      )
      expect(server.requests.get(sdk.urlPath) ?? 0).toBe(before)
      expect(toolCacheEntries(strict.dirs)).toEqual([])

      const result = await run({ ...inputs, verify: 'warn' })
      expectToolchainsInstalled(result)
      expect(result.warnings.join('\n')).toContain(
        `once you have checked it, set wasi-sdk-sha256: ${sdk.sha256}`
      )
      const sdkDir = path.join(
        result.dirs.temp,
        'cpython-wasm',
        'unverified-toolchains',
        'wasi-sdk',
        '17.0.0',
        'x64'
      )
      expect(fs.existsSync(path.join(sdkDir, 'bin', 'clang'))).toBe(true)
      expect(result.exportedEnv.WASI_SDK_PATH).toBe(sdkDir)
      expect(toolCacheEntries(result.dirs)).toEqual([])
    },
    SLOW
  )
})

describe('emsdk', () => {
  test(
    'installs and activates in the tool cache, exports its environment; a second run makes no request',
    async () => {
      const emsdk = serve(emsdkArchive(work, '3.1.58'))
      const inputs = {
        targets: 'emscripten-node',
        'emsdk-version': '3.1.58',
        'emsdk-mirror': server.url,
        'emsdk-sha256': emsdk.sha256,
        ...nestedInputs('3.1.58', '/nested').inputs
      }
      const first = await run(inputs)
      expectToolchainsInstalled(first)
      expect(server.requests.get(emsdk.urlPath)).toBe(1)
      const dir = path.join(first.dirs.toolCache, 'emsdk', '3.1.58', ARCH)
      expect(fs.existsSync(`${dir}.complete`)).toBe(true)
      expect(
        fs.readFileSync(path.join(dir, 'upstream/emscripten/emscripten-version.txt'), 'utf8')
      ).toContain('3.1.58')
      // activate ran in the final place: the config names it
      expect(fs.readFileSync(path.join(dir, '.emscripten'), 'utf8')).toContain(dir)
      expect(first.exportedEnv.EMSDK).toBe(dir)
      expect(first.exportedEnv.EMSDK_NODE).toBe(path.join(dir, 'node/20.18.0_64bit/bin/node'))
      // the runner puts the last line of GITHUB_PATH first; emsdk's Node is not
      // exported (it would shadow the runner's Node in later steps)
      expect([...first.addedPath].reverse()).toEqual([dir, path.join(dir, 'upstream/emscripten')])
      expect(first.warnings.join('\n')).not.toContain('no known sha256')
      for (const step of [
        'download',
        'extract',
        'emsdk install 3.1.58',
        'emsdk activate 3.1.58',
        'environment'
      ])
        expect(first.stdout).toContain(`::group::emsdk 3.1.58: ${step}`)
      expect(first.outputs['emsdk-version']).toBe('3.1.58')
      // nothing of the staging folder or the lock is left
      expect(fs.readdirSync(path.join(first.dirs.toolCache, 'emsdk', '3.1.58'))).toEqual([
        ARCH,
        `${ARCH}.complete`,
        `${ARCH}.verified.json`
      ])

      const before = server.totalRequests()
      const second = await run(inputs, first.dirs)
      expectToolchainsInstalled(second)
      expect(server.totalRequests()).toBe(before)
      expect(second.stdout).toContain(`emsdk 3.1.58: found in the tool cache at ${dir}`)
      expect(second.exportedEnv.EMSDK).toBe(dir)
    },
    SLOW
  )

  test(
    'a failing emsdk install fails the run and leaves nothing in the tool cache',
    async () => {
      const emsdk = serve(emsdkArchive(work, '3.1.59', { failInstall: true }))
      const result = await run({
        targets: 'emscripten-node',
        'emsdk-version': '3.1.59',
        'emsdk-mirror': server.url,
        'emsdk-sha256': emsdk.sha256,
        ...nestedInputs('3.1.59', '/nested').inputs
      })
      expectFailure(result, '`emsdk install 3.1.59` failed with exit code 1', 'nothing was cached')
      expect(result.stdout).toContain('HTTP Error 503')
      expect(toolCacheEntries(result.dirs)).toEqual([])
    },
    SLOW
  )
})

describe('download faults', () => {
  const wasmtimeOnly = (version: string, sha256?: string): Record<string, string> => ({
    targets: 'wasi',
    'wasi-sdk-path': installedSdk,
    'wasmtime-version': version,
    'wasmtime-mirror': server.url,
    ...(sha256 ? { 'wasmtime-sha256': sha256 } : {})
  })

  test.concurrent(
    'a 500, then the file: succeeds after one retry',
    async () => {
      const wasmtime = serve(wasmtimeArchive(work, '30.0.1', ARCH))
      server.fail(wasmtime.urlPath, { status: 500 })
      const result = await run(wasmtimeOnly('30.0.1', wasmtime.sha256))
      expectToolchainsInstalled(result)
      expect(server.requests.get(wasmtime.urlPath)).toBe(2)
      expect(result.stdout).toContain('Unexpected HTTP response: 500')
      // 0: the harness's fastRetries reached tool-cache inside the bundle
      expect(result.stdout).toContain('Waiting 0 seconds before trying again')
      const dir = path.join(result.dirs.toolCache, 'wasmtime', '30.0.1', ARCH)
      expect(fs.existsSync(path.join(dir, 'wasmtime'))).toBe(true)
      expect(fs.existsSync(`${dir}.complete`)).toBe(true)
    },
    SLOW
  )

  test.concurrent(
    'a body cut short, then the file: succeeds after one retry',
    async () => {
      const wasmtime = serve(wasmtimeArchive(work, '30.0.2', ARCH))
      server.fail(wasmtime.urlPath, 'truncate')
      const result = await run(wasmtimeOnly('30.0.2', wasmtime.sha256))
      expectToolchainsInstalled(result)
      expect(server.requests.get(wasmtime.urlPath)).toBe(2)
      expect(
        fs.existsSync(path.join(result.dirs.toolCache, 'wasmtime', '30.0.2', ARCH, 'wasmtime'))
      ).toBe(true)
    },
    SLOW
  )

  test.concurrent(
    'a 404 fails at once, naming the release and the URL',
    async () => {
      const url = `${server.url}/releases/download/wasi-sdk-99/wasi-sdk-99.0-${ARCH === 'x64' ? 'x86_64' : 'arm64'}-linux.tar.gz`
      const result = await run({
        targets: 'wasi',
        'wasi-sdk-version': '99',
        'wasi-sdk-mirror': server.url,
        'wasi-sdk-sha256': 'a'.repeat(64),
        'wasmtime-version': 'none'
      })
      expectFailure(result, `wasi-sdk 99 not found at ${url} (HTTP 404)`)
      expect(server.requests.get(new URL(url).pathname)).toBe(1)
      expect(toolCacheEntries(result.dirs)).toEqual([])
    },
    SLOW
  )

  test.concurrent(
    'a server that closes every connection fails after three attempts',
    async () => {
      const wasmtime = serve(wasmtimeArchive(work, '30.0.3', ARCH))
      server.fail(wasmtime.urlPath, 'close', 'close', 'close')
      const result = await run(wasmtimeOnly('30.0.3', wasmtime.sha256))
      expectFailure(
        result,
        `wasmtime 30.0.3: downloading ${server.url}${wasmtime.urlPath} failed after 3 attempts`
      )
      expect(server.requests.get(wasmtime.urlPath)).toBe(3)
      expect(toolCacheEntries(result.dirs)).toEqual([])
    },
    SLOW
  )

  test.concurrent(
    'a truncated archive fails the checksum, showing both sums and the URL',
    async () => {
      const good = wasmtimeArchive(work, '30.0.4', ARCH)
      const cut = serve(truncatedCopy(good, work))
      const result = await run(wasmtimeOnly('30.0.4', good.sha256))
      expectFailure(
        result,
        `wasmtime 30.0.4: checksum mismatch for ${server.url}${good.urlPath}`,
        `expected sha256 ${good.sha256} (from wasmtime-sha256)`,
        `actual sha256   ${cut.sha256}`
      )
      expect(server.requests.get(good.urlPath)).toBe(1)
      expect(toolCacheEntries(result.dirs)).toEqual([])
    },
    SLOW
  )

  test.concurrent(
    'a truncated archive with no sum to check fails to extract and caches nothing',
    async () => {
      const good = wasmtimeArchive(work, '30.0.5', ARCH)
      serve(truncatedCopy(good, work))
      const result = await run({ ...wasmtimeOnly('30.0.5'), verify: 'warn' })
      expectFailure(
        result,
        `wasmtime 30.0.5: ${server.url}${good.urlPath} is not a complete .tar.xz archive`
      )
      expect(result.warnings.join('\n')).toContain('no known sha256')
      expect(toolCacheEntries(result.dirs)).toEqual([])
    },
    SLOW
  )

  test.concurrent(
    'a server that drips one byte every two seconds hits the deadline, showing progress, and caches nothing',
    async () => {
      const wasmtime = serve(wasmtimeArchive(work, '30.0.6', ARCH))
      server.fail(wasmtime.urlPath, { drip: 2000 })
      const result = await run(wasmtimeOnly('30.0.6', wasmtime.sha256), undefined, {
        CPYTHON_WASM_DOWNLOAD_TIMEOUT_SECONDS: '5',
        CPYTHON_WASM_DOWNLOAD_PROGRESS_SECONDS: '1'
      })
      expectFailure(
        result,
        `wasmtime 30.0.6: downloading ${server.url}${wasmtime.urlPath} did not finish within 5 s`,
        /\(\d bytes of the file received\)/
      )
      // progress lines while it drips: bytes so far of the promised size
      expect(result.stdout).toMatch(/wasmtime 30\.0\.6: \d bytes of \d+ bytes \(0%\) so far, \d+ s/)
      // the deadline is not an attempt to repeat
      expect(server.requests.get(wasmtime.urlPath)).toBe(1)
      expect(toolCacheEntries(result.dirs)).toEqual([])
    },
    SLOW
  )

  test.concurrent(
    'a relative Location is followed from the URL that sent it',
    async () => {
      const wasmtime = wasmtimeArchive(work, '30.0.7', ARCH)
      const elsewhere = `/elsewhere/${path.basename(wasmtime.file)}`
      server.serve(elsewhere, wasmtime.file)
      // from /releases/download/v30.0.7/: three levels up is the root
      server.redirect(wasmtime.urlPath, `../../../elsewhere/${path.basename(wasmtime.file)}`)
      const result = await run(wasmtimeOnly('30.0.7', wasmtime.sha256))
      expectToolchainsInstalled(result)
      expect(result.stdout).toContain(`Redirected to ${server.url}${elsewhere}`)
      expect(server.requests.get(wasmtime.urlPath)).toBe(1)
      expect(server.requests.get(elsewhere)).toBe(1)
      expect(
        fs.existsSync(path.join(result.dirs.toolCache, 'wasmtime', '30.0.7', ARCH, 'wasmtime'))
      ).toBe(true)
    },
    SLOW
  )

  test.concurrent(
    'https through a proxy (https_proxy): a CONNECT tunnel to the host',
    async () => {
      if (spawnSync('openssl', ['version']).status !== 0) return // no way to make a certificate
      const wasmtime = wasmtimeArchive(work, '30.0.9', ARCH)
      const tls = fs.mkdtempSync(path.join(work, 'tls-'))
      const [key, cert] = [path.join(tls, 'key.pem'), path.join(tls, 'cert.pem')]
      execFileSync(
        'openssl',
        ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert]
          .concat(['-days', '1', '-subj', '/CN=downloads.example'])
          .concat(['-addext', 'subjectAltName=DNS:downloads.example']),
        { stdio: 'ignore' }
      )
      const origin = https.createServer(
        { key: fs.readFileSync(key), cert: fs.readFileSync(cert) },
        (req, res) => {
          if (req.url === wasmtime.urlPath) res.end(fs.readFileSync(wasmtime.file))
          else res.writeHead(404).end()
        }
      )
      await new Promise<void>(resolve => origin.listen(0, '127.0.0.1', resolve))
      const tunnels: string[] = []
      const proxy = http.createServer()
      proxy.on('connect', (req: http.IncomingMessage, client: net.Socket) => {
        tunnels.push(req.url ?? '')
        const upstream = net.connect((origin.address() as net.AddressInfo).port, '127.0.0.1')
        upstream.on('connect', () => {
          client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
          upstream.pipe(client)
          client.pipe(upstream)
        })
      })
      await new Promise<void>(resolve => proxy.listen(0, '127.0.0.1', resolve))
      try {
        const result = await run(
          {
            ...wasmtimeOnly('30.0.9', wasmtime.sha256),
            'wasmtime-mirror': 'https://downloads.example'
          },
          undefined,
          {
            https_proxy: `http://127.0.0.1:${(proxy.address() as net.AddressInfo).port}`,
            NODE_EXTRA_CA_CERTS: cert
          }
        )
        expectToolchainsInstalled(result)
        expect(tunnels).toEqual(['downloads.example:443'])
      } finally {
        proxy.close()
        origin.close()
      }
    },
    SLOW
  )

  test.concurrent(
    'a redirect loop fails at once, naming the loop',
    async () => {
      const wasmtime = wasmtimeArchive(work, '30.0.8', ARCH)
      const url = `${server.url}${wasmtime.urlPath}`
      server.redirect(wasmtime.urlPath, '/loop/30.0.8')
      server.redirect('/loop/30.0.8', url)
      const result = await run(wasmtimeOnly('30.0.8', wasmtime.sha256))
      expectFailure(
        result,
        `wasmtime 30.0.8: downloading ${url} failed: it redirects in a loop: ${url} -> ${server.url}/loop/30.0.8 -> ${url}`
      )
      expect(server.requests.get(wasmtime.urlPath)).toBe(1)
      expect(toolCacheEntries(result.dirs)).toEqual([])
    },
    SLOW
  )
})
