/**
 * The command line: the action's inputs as flags (the same names; values
 * are checked by loadInputs, so they get the action's messages), plus the
 * flags of the command itself. --help is made from action.yml through
 * action-inputs.json, which the bundle script writes from it.
 */
import actionInputs from './action-inputs.json' with { type: 'json' }

export interface ActionInput {
  name: string
  description: string
  default: string
}

export const ACTION_INPUTS: readonly ActionInput[] = actionInputs

/** The command's own flags, with their value's name and what they do. */
export const COMMAND_FLAGS = {
  output: {
    value: 'DIR',
    description:
      'Folder the artifacts are copied to, one folder per target named like the artifact.',
    default: './cpython-wasm-out'
  },
  verbose: {
    value: '',
    description:
      "Print each build step's output as it comes, as the action's log does (it is always in the step's log under the work folder).",
    default: 'off'
  },
  'cache-dir': {
    value: 'DIR',
    description:
      'Where toolchains (tools/), cache entries (store/) and work folders (work/) are kept.',
    default: '$XDG_CACHE_HOME/cpython-wasm, else ~/.cache/cpython-wasm'
  }
} as const

/** What an input means for the command where the action's description does not say it. */
const LOCAL_NOTES: Record<string, string> = {
  upload: 'The command copies them to --output instead of uploading.',
  'retention-days': 'Not used by the command.',
  'compression-level': 'Not used by the command.',
  'cache-save': 'The command keeps its caches on this machine only, so auto saves.',
  'github-token': 'The command sends none unless given.'
}

/** An input whose values are true and false: --name alone means true, --no-name false. */
const isSwitch = (input: ActionInput): boolean => ['true', 'false'].includes(input.default)

export class UsageError extends Error {}

export interface Parsed {
  command: 'build' | 'help'
  /** input values by action.yml name, as given */
  inputs: Map<string, string>
  flags: Partial<Record<keyof typeof COMMAND_FLAGS, string>>
}

export function parseArgs(argv: string[]): Parsed {
  const inputs = new Map<string, string>()
  const flags: Parsed['flags'] = {}
  const args = [...argv]
  let command: Parsed['command'] = 'build'
  if (args[0] === 'build') args.shift()
  else if (args[0] === 'help') return { command: 'help', inputs, flags }
  else if (args[0] !== undefined && !args[0].startsWith('-'))
    throw new UsageError(`unknown command "${args[0]}"; the command is build`)
  const byName = new Map(ACTION_INPUTS.map(i => [i.name, i]))
  const given = new Set<string>()
  while (args.length > 0) {
    const arg = args.shift() as string
    if (arg === '--help' || arg === '-h') {
      command = 'help'
      continue
    }
    const m = /^--(no-)?([a-z0-9-]+)(?:=([\s\S]*))?$/.exec(arg)
    if (!m) throw new UsageError(`unexpected argument "${arg}"; flags are --name value`)
    const [, no, name, inline] = m
    const input = byName.get(name)
    const own = name in COMMAND_FLAGS ? (name as keyof typeof COMMAND_FLAGS) : undefined
    if (!input && !own) throw new UsageError(`unknown flag --${name}`)
    if (own === 'verbose') {
      if (no || inline !== undefined)
        throw new UsageError('--verbose takes no value (leave it out for the quiet default)')
      if (given.has(name)) throw new UsageError(`--${name} is given twice`)
      given.add(name)
      flags.verbose = 'true'
      continue
    }
    if (no && !(input && isSwitch(input)))
      throw new UsageError(`--no-${name}: only true/false inputs take --no-`)
    if (given.has(name)) throw new UsageError(`--${name} is given twice`)
    given.add(name)
    let value: string
    if (no) value = 'false'
    else if (inline !== undefined) value = inline
    else if (input && isSwitch(input) && (args[0] === undefined || args[0].startsWith('--')))
      value = 'true'
    else {
      if (args[0] === undefined) throw new UsageError(`--${name} needs a value`)
      // a flag of ours where the value should be is a forgotten value, not the value
      const next = /^--(?:no-)?([a-z0-9-]+)/.exec(args[0])?.[1]
      if (next && (byName.has(next) || next in COMMAND_FLAGS))
        throw new UsageError(
          `--${name} needs a value, but ${args[0]} follows it (write --${name}=VALUE for a value that starts with --)`
        )
      value = args.shift() as string
    }
    if (own) flags[own] = value
    else inputs.set(name, value)
  }
  return { command, inputs, flags }
}

/**
 * What the runner would pass for each input: the flag's value, else
 * action.yml's default (an expression such as github.token reads as empty).
 */
export function inputSource(given: ReadonlyMap<string, string>): (name: string) => string {
  const defaults = new Map(
    ACTION_INPUTS.map(i => [i.name, i.default.includes('${{') ? '' : i.default])
  )
  return name => given.get(name) ?? defaults.get(name) ?? ''
}

function wrap(text: string, indent: number, width = 80): string[] {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && indent + line.length + 1 + word.length > width) {
      lines.push(line)
      line = word
    } else line = line ? `${line} ${word}` : word
  }
  if (line) lines.push(line)
  return lines.map(l => ' '.repeat(indent) + l)
}

export function helpText(): string {
  const out = [
    'Usage: cpython-wasm build [--INPUT VALUE]... [--output DIR] [--cache-dir DIR] [--verbose]',
    '',
    "Builds a CPython checkout for WebAssembly on this machine with the GitHub Action's",
    'pipeline: the same plan, toolchain pins and checks, cache keys and smoke tests.',
    'Toolchains and cache entries are kept under --cache-dir, so a second run is warm.',
    '',
    'Example: cpython-wasm build --source ../cpython --targets wasi,emscripten-node',
    '',
    "Inputs (the action's, from action.yml; true/false ones also as --NAME and --no-NAME):"
  ]
  for (const input of ACTION_INPUTS) {
    out.push('', `  --${input.name} ${isSwitch(input) ? '[true|false]' : 'VALUE'}`)
    const note = LOCAL_NOTES[input.name]
    out.push(...wrap(`${input.description}${note ? ` ${note}` : ''}`, 6))
    out.push(`      default: ${input.default === '' ? '""' : input.default}`)
  }
  out.push('', 'Command flags:')
  for (const [name, flag] of Object.entries(COMMAND_FLAGS)) {
    out.push('', `  --${name}${flag.value ? ` ${flag.value}` : ''}`)
    out.push(...wrap(flag.description, 6), `      default: ${flag.default}`)
  }
  out.push('', '  --help, -h', '      This text.')
  return `${out.join('\n')}\n`
}
