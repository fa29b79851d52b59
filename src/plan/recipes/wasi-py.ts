/**
 * CPython 3.13's Tools/wasm/wasi.py: one script with subcommands that builds
 * cross-build/build (the build Python) and cross-build/<host triple>.
 */
import * as path from 'node:path'
import type { CommandStep } from '../types.js'
import { optionArgs, step, type RecipeContext } from './common.js'

export function wasiPyPaths(ctx: RecipeContext): { buildPython: string; hostDir: string } {
  const crossBuild = path.join(ctx.facts.root, 'cross-build')
  return {
    buildPython: path.join(crossBuild, 'build', 'python'),
    hostDir: path.join(crossBuild, ctx.facts.wasiHostTriple)
  }
}

/** The script's own runner template, pointed at the runtime we chose. */
export function hostRunnerTemplate(runtime: string[]): string {
  return [
    ...runtime,
    '--dir',
    '{HOST_DIR}::{GUEST_DIR}',
    '--env',
    '{ENV_VAR_NAME}={ENV_VAR_VALUE}'
  ].join(' ')
}

export function wasiPySteps(
  ctx: RecipeContext,
  script: string,
  hostRunner: string
): { buildPython: CommandStep[]; target: CommandStep[] } {
  const python = ctx.runner.hostPython
  const run = (sub: string, extra: string[] = []): string[] => [
    python,
    script,
    sub,
    '--quiet',
    ...extra
  ]
  const root = ctx.facts.root
  const wasiSdk = ctx.toolDirs.wasiSdk ? ['--wasi-sdk', ctx.toolDirs.wasiSdk] : []
  return {
    buildPython: [
      step(ctx, {
        id: 'build-python-configure',
        title: 'Configure the build Python (wasi.py configure-build-python)',
        part: 'build-python',
        argv: run('configure-build-python'),
        cwd: root,
        skipIfCached: 'build-python'
      }),
      step(ctx, {
        id: 'build-python-make',
        title: 'Make the build Python (wasi.py make-build-python)',
        part: 'build-python',
        argv: run('make-build-python'),
        cwd: root,
        skipIfCached: 'build-python'
      })
    ],
    target: [
      step(ctx, {
        id: 'wasi-configure',
        title: 'Configure wasi (wasi.py configure-host)',
        part: 'wasi',
        argv: run('configure-host', [
          ...wasiSdk,
          '--host-runner',
          hostRunner,
          '--host-triple',
          ctx.facts.wasiHostTriple,
          '--',
          ...optionArgs(ctx, 'wasi')
        ]),
        cwd: root,
        toolEnv: 'wasi-sdk'
      }),
      step(ctx, {
        id: 'wasi-make',
        title: 'Make wasi (wasi.py make-host)',
        part: 'wasi',
        argv: run('make-host', ['--host-triple', ctx.facts.wasiHostTriple]),
        cwd: root,
        toolEnv: 'wasi-sdk'
      })
    ]
  }
}
