/**
 * Emscripten's ports, put where Emscripten looks before it fetches one:
 * fetch_project (tools/ports/__init__.py, emscripten-core/emscripten at
 * 3.1.19, 3.1.69, 4.0.12) returns at once when <PORTS>/<name>/.emscripten_url
 * holds the port's URL, and otherwise downloads the archive, checks its
 * sha512, unpacks it into <PORTS>/<name>/ and writes that marker. The action
 * does the same with the archive from the mirror, checking the sha512
 * Emscripten names before anything is unpacked, so `embuilder` and configure's
 * port checks download nothing.
 */
import * as core from '@actions/core'
import * as tc from '@actions/tool-cache'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { ToolchainError } from '../catalog/errors.js'
import type { ToolchainPlan } from '../plan/types.js'
import { fileName } from '../catalog/downloads.js'
import { fetchFile, hashFile } from './download.js'

const MARKER = '.emscripten_url'

/** The port is already in place (a restored Emscripten cache): its marker names its URL. */
function inPlace(dir: string, url: string): boolean {
  try {
    return fs.readFileSync(path.join(dir, MARKER), 'utf8').trim() === url
  } catch {
    return false
  }
}

/**
 * Downloads, checks and unpacks each port the plan names into its ports
 * folder; throws a ToolchainError naming the port, the Emscripten release
 * and the URL when an archive is not the one Emscripten expects (nothing of
 * it is kept).
 */
export async function seedEmscriptenPorts(
  ports: NonNullable<ToolchainPlan['ports']>,
  token?: string
): Promise<void> {
  fs.mkdirSync(ports.dir, { recursive: true })
  for (const port of ports.downloads) {
    const target = path.join(ports.dir, port.name)
    if (inPlace(target, port.url)) {
      core.info(`${port.what}: already in ${target}`)
      continue
    }
    // beside the target, so that the move below stays on one file system
    const scratch = fs.mkdtempSync(path.join(ports.dir, `.${port.name}-`))
    try {
      const name = fileName(port.url)
      const archive = path.join(scratch, name)
      core.info(`Downloading ${port.what} from ${port.downloadUrl}`)
      await fetchFile({ release: port.what, url: port.downloadUrl, token }, archive)
      const actual = await hashFile(archive, 'sha512')
      if (actual !== port.sha512.toLowerCase())
        throw new ToolchainError(
          `${port.what}: checksum mismatch for ${port.downloadUrl}\n` +
            `  expected sha512 ${port.sha512} (from ${port.from === 'input' ? 'checksums' : port.from})\n` +
            `  actual sha512   ${actual}\n` +
            'The archive is not the one Emscripten names (a wrong mirror or a corrupted transfer); nothing was unpacked and no build step ran.'
        )
      core.info(`sha512 ${actual} matches ${port.from === 'input' ? 'checksums' : port.from}`)
      // moved in whole once unpacked and marked, so a half-unpacked port never has a marker
      const unpacked = path.join(scratch, 'unpacked')
      if (name.endsWith('.zip')) await tc.extractZip(archive, unpacked)
      else await tc.extractTar(archive, unpacked, 'xz')
      fs.writeFileSync(path.join(unpacked, MARKER), `${port.url}\n`)
      fs.rmSync(target, { recursive: true, force: true })
      fs.renameSync(unpacked, target)
      core.info(`${port.what}: unpacked into ${target}`)
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true })
    }
  }
}
