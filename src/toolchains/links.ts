/**
 * Symbolic links in an unpacked archive. A link that leads out of the tree
 * would make the tool cache serve (or a later write go to) files of the
 * machine rather than of the release, so such archives are refused.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'

const MAX_HOPS = 40

const inside = (root: string, p: string): boolean => p === root || p.startsWith(root + path.sep)

/**
 * Where `target`, read from a link in the real folder `from`, leads: every
 * link on the way is followed as the kernel would (so `a/..` after a link
 * `a` climbs from where `a` points), and a part that does not exist is
 * taken as written.
 */
function resolveLink(from: string, target: string, hops: number): string {
  if (hops > MAX_HOPS) throw new Error('too many levels of symbolic links')
  let current = path.isAbsolute(target) ? path.parse(from).root : from
  for (const part of target.split(/[\\/]+/)) {
    if (part === '' || part === '.') continue
    if (part === '..') {
      current = path.dirname(current)
      continue
    }
    const next = path.join(current, part)
    let stat: fs.Stats
    try {
      stat = fs.lstatSync(next)
    } catch {
      current = next
      continue
    }
    current = stat.isSymbolicLink() ? resolveLink(current, fs.readlinkSync(next), hops + 1) : next
  }
  return current
}

/** The first link under `top` that leads outside it, as "path -> target", if any. */
export function linkLeavingTree(top: string): string | undefined {
  const root = fs.realpathSync(top)
  const pending = [root]
  while (pending.length > 0) {
    const dir = pending.pop() as string
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name)
      if (entry.isDirectory()) pending.push(file)
      else if (entry.isSymbolicLink()) {
        const target = fs.readlinkSync(file)
        let leads: string | undefined
        try {
          leads = resolveLink(dir, target, 0)
        } catch {
          leads = undefined
        }
        if (leads === undefined || !inside(root, leads))
          return `${path.relative(root, file)} -> ${target}`
      }
    }
  }
  return undefined
}
