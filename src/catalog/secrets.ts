/**
 * The job's credentials, kept from the code the action runs for the checkout
 * (configure, make, the branch's scripts, the build Python) and from the built
 * interpreters it smoke-tests: none of them needs to talk to GitHub, and all
 * of them are someone else's code.
 */

/**
 * What the runner hands an action's step: the results and cache services'
 * token and URLs, the OIDC token request (with `id-token: write`), and the
 * action's own github-token input, as INPUT_GITHUB-TOKEN (the runner keeps
 * the hyphen: docs.github.com "Metadata syntax for GitHub Actions", inputs).
 * GITHUB_TOKEN and GH_TOKEN are there when a workflow exports the token
 * itself (the GitHub CLI reads GH_TOKEN).
 */
export const CREDENTIAL_VARIABLES = [
  'ACTIONS_RUNTIME_TOKEN',
  'ACTIONS_RUNTIME_URL',
  'ACTIONS_RESULTS_URL',
  'ACTIONS_CACHE_URL',
  'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
  'ACTIONS_ID_TOKEN_REQUEST_URL',
  'INPUT_GITHUB-TOKEN',
  'GITHUB_TOKEN',
  'GH_TOKEN'
] as const

/**
 * The runner's command files: build code that could write them would set
 * variables, PATH, outputs or state for the action's post step and later steps.
 */
const RUNNER_FILES = [
  'GITHUB_ENV',
  'GITHUB_PATH',
  'GITHUB_OUTPUT',
  'GITHUB_STATE',
  'GITHUB_STEP_SUMMARY'
]

const WITHHELD = new Set<string>([...CREDENTIAL_VARIABLES, ...RUNNER_FILES])

/**
 * The environment for build code and smoke tests: the job's, without its
 * credentials (and without unset entries). Every process the action starts
 * for the checkout or its artifacts starts from this.
 */
export function buildEnvironment(
  base: Readonly<Record<string, string | undefined>>
): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [name, value] of Object.entries(base))
    if (value !== undefined && !WITHHELD.has(name)) env[name] = value
  return env
}

/** Shorter values are left alone: replacing "1" or "true" everywhere would hide the logs. */
const SHORTEST_SECRET = 4

/**
 * The values to scrub from anything the action publishes (the logs artifact):
 * those of the credential variables that are set, and any others given (the
 * github-token input), longest first so a value inside another goes with it.
 */
export function secretValues(
  env: Readonly<Record<string, string | undefined>>,
  extra: readonly string[] = []
): string[] {
  const values = new Set<string>()
  for (const value of [...CREDENTIAL_VARIABLES.map(name => env[name]), ...extra])
    if (value !== undefined && value.trim().length >= SHORTEST_SECRET) values.add(value)
  return [...values].sort((a, b) => b.length - a.length)
}

const REDACTED = '***'

/** Replaces every occurrence of each secret with ***. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text
  for (const secret of secrets) out = out.split(secret).join(REDACTED)
  return out
}
