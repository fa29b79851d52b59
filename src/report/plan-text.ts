/** The plan as a person reads it (the dry run prints this). */
import { formatArgv } from '../execute/executor.js'
import type { Plan } from '../plan/types.js'

export function planText(plan: Plan): string {
  const lines: string[] = []
  lines.push(`CPython ${plan.python.text} at ${plan.source}`)
  lines.push('', 'Targets:')
  for (const t of plan.targets) {
    lines.push(
      `  ${t.target}: recipe ${t.recipe}, host ${t.hostTriple}${t.sharesBuildWith ? `, shares the ${t.sharesBuildWith} build` : ''}`
    )
    for (const note of t.notes) lines.push(`    note: ${note}`)
  }
  lines.push('', 'Toolchains:')
  for (const t of plan.toolchains) {
    lines.push(`  ${t.tool} ${t.version} (version from ${t.versionFrom})`)
    if (t.source === 'download') {
      lines.push(`    download ${t.url}`)
      lines.push(
        `    sha256 ${t.sha256 ? `${t.sha256} (${t.sha256From})` : t.asset ? `the digest of ${t.asset.repo} ${t.asset.tag} ${t.asset.file}, from GitHub's API at run time` : 'unknown'}`
      )
      if (t.tool === 'emsdk' && !t.nested)
        lines.push('    then `emsdk install` downloads what it needs: not known to the action')
      for (const d of t.nested ?? []) {
        lines.push(`    download ${d.url}`)
        lines.push(
          `      as ${d.into}, sha256 ${d.sha256 ? `${d.sha256} (${d.from === 'input' ? 'input' : 'table'})` : 'unknown'}`
        )
      }
      lines.push(`    install into ${t.dir}`)
    } else lines.push(`    preinstalled at ${t.dir}`)
    if (t.tool === 'emsdk' && !t.ports)
      lines.push('    Emscripten fetches its ports itself: not known to the action')
    for (const p of t.ports?.downloads ?? []) {
      lines.push(`    port ${p.name} ${p.downloadUrl}`)
      lines.push(
        `      into ${t.ports?.dir}/${p.name}, sha512 ${p.sha512} (${p.from === 'input' ? 'input' : 'table'})`
      )
    }
  }
  if (plan.caches.length > 0) {
    lines.push('', 'Caches:')
    for (const c of plan.caches) {
      lines.push(`  ${c.id}: key ${c.key}`)
      if (c.restoreKeys.length > 0) lines.push(`    restore keys: ${c.restoreKeys.join(', ')}`)
      lines.push(`    paths: ${c.paths.join(', ')}`)
      if (c.tree)
        lines.push(
          `    a build folder: restored from other sources, make rebuilds what changed` +
            (c.tree.configured
              ? `; configure is skipped when its command and inputs hash to ${c.tree.configured} again`
              : '')
        )
    }
  }
  // the steps a restored build tree can make unneeded
  const treeOf = (id: string): { entry: string; exact: boolean } | undefined => {
    const c = plan.caches.find(
      e => e.tree?.configureSteps.includes(id) || e.tree?.buildSteps.includes(id)
    )
    return c ? { entry: c.id, exact: !c.tree?.configureSteps.includes(id) } : undefined
  }
  lines.push('', 'Steps:')
  plan.steps.forEach((s, i) => {
    const tree = treeOf(s.id)
    const entry = s.skipIfCached ?? tree?.entry
    const skip = entry
      ? ` (skipped on a ${entry} cache hit${tree && !tree.exact ? `, or when the restored ${tree.entry} was configured alike` : ''})`
      : ''
    lines.push(
      `  ${i + 1}. ${s.title}${skip}${s.onCacheHit ? ` (on a ${s.onCacheHit.entry} cache hit: ${formatArgv(s.onCacheHit.argv.slice(-2))})` : ''}`
    )
    lines.push(`     in ${s.cwd}`)
    const env = [
      ...(s.unset ?? []).map(k => `-u ${k} `),
      ...Object.entries(s.env).map(([k, v]) => `${k}=${v} `)
    ].join('')
    lines.push(
      `     $ ${env}${formatArgv(s.argv)}${s.toolEnv ? `   [${s.toolEnv} environment]` : ''}`
    )
  })
  lines.push('', 'Artifacts:')
  for (const a of plan.artifacts) lines.push(`  ${a.name}: ${a.buildDir} -> ${a.dir}`)
  if (plan.smoke.length > 0) {
    lines.push('', 'Smoke tests:')
    for (const s of plan.smoke)
      lines.push(
        `  ${s.target} under ${s.runner}: expects ${s.expect.platform}, ${s.expect.machine}, ${s.expect.version}`
      )
  }
  return lines.join('\n')
}
