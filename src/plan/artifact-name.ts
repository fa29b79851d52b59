import type { PythonVersion } from '../checkout/detect.js'
import { ARTIFACT_FORBIDDEN, type Inputs } from '../inputs/index.js'
import type { Target } from '../catalog/targets.js'

/** Fills the artifact-name template; the suffix names every non-default option. */
export function artifactName(inputs: Inputs, version: PythonVersion, target: Target): string {
  const suffix = [
    inputs.buildType === 'debug' ? '-debug' : '',
    inputs.pthreads && target !== 'wasi' ? '-pthreads' : '',
    inputs.dynamicLinking && target !== 'wasi' ? '-dynamic' : ''
  ].join('')
  const values: Record<string, string> = {
    target,
    version: version.text.replace(/\+$/, '-dev'),
    minor: `${version.major}.${version.minor}`,
    'build-type': inputs.buildType,
    suffix
  }
  return inputs.artifactName.replace(/\{([^}]*)\}/g, (_, name: string) => values[name] ?? '')
}

/** Longer names are refused up front; the logs artifact adds "-logs" to the first. */
const ARTIFACT_NAME_LIMIT = 200

/**
 * Why a filled-in artifact name cannot be used, if it cannot: the artifact
 * service refuses an empty name and the characters loadInputs refuses in the
 * template, and "." or ".." would be a folder's name where it is downloaded.
 */
export function artifactNameProblem(name: string): string | undefined {
  if (name === '') return 'is empty'
  if (name === '.' || name === '..')
    return 'is not a name ("." and ".." are folders where it is downloaded)'
  if (name.length > ARTIFACT_NAME_LIMIT)
    return `is ${name.length} characters long; at most ${ARTIFACT_NAME_LIMIT}`
  if (ARTIFACT_FORBIDDEN.test(name)) return 'contains " \\ / : < > | * ? or a line break'
  return undefined
}
