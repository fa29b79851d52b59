import type { PythonVersion } from '../checkout/detect.js'
import type { Inputs } from '../inputs/index.js'
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
