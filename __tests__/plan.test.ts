import { inspectCheckout } from '../src/checkout/detect.js'
import { loadInputs } from '../src/inputs/index.js'
import { makePlan, PlanError } from '../src/plan/index.js'
import { checkoutWithLayout as fakeCheckout, type Layout } from './support/checkout-layouts.js'
import { runnerFacts } from './support/runner-facts.js'

function planFor(layout: Layout, inputs: Record<string, string> = {}, runner = runnerFacts()) {
  const root = fakeCheckout(layout)
  const values: Record<string, string> = { source: root, ...inputs }
  const plan = makePlan(
    loadInputs(name => values[name] ?? ''),
    inspectCheckout(root),
    runner
  )
  const rel = (p: string): string => p.split(root).join('<src>')
  return {
    root,
    plan,
    commands: plan.steps.map(
      s =>
        `${rel(s.cwd)}$ ${Object.entries(s.env)
          .map(([k, v]) => `${k}=${rel(v)} `)
          .join('')}${s.argv.map(rel).join(' ')}`
    )
  }
}

describe('the plan', () => {
  test('3.11: the seed README commands, in order, with the build Python shared', () => {
    const { commands, plan } = planFor('manual')
    expect(commands).toEqual([
      '<src>/builddir/build$ ../../configure -C',
      '<src>/builddir/build$ make -j4',
      '<src>/builddir/build$ <src>/builddir/build/python -c import zlib',
      '<src>$ embuilder build zlib bzip2',
      '<src>/builddir/wasi$ CONFIG_SITE=<src>/Tools/wasm/config.site-wasm32-wasi <src>/Tools/wasm/wasi-env ../../configure -C --host=wasm32-unknown-wasi --build=x86_64-pc-linux-gnu --with-build-python=<src>/builddir/build/python',
      '<src>/builddir/wasi$ make -j4',
      '<src>/builddir/emscripten-node$ CONFIG_SITE=<src>/Tools/wasm/config.site-wasm32-emscripten emconfigure ../../configure -C --host=wasm32-unknown-emscripten --build=x86_64-pc-linux-gnu --with-build-python=<src>/builddir/build/python --with-emscripten-target=node',
      '<src>/builddir/emscripten-node$ emmake make -j4',
      '<src>/builddir/emscripten-browser$ cp <src>/builddir/emscripten-node/config.cache <src>/builddir/emscripten-browser/config.cache',
      '<src>/builddir/emscripten-browser$ CONFIG_SITE=<src>/Tools/wasm/config.site-wasm32-emscripten emconfigure ../../configure -C --host=wasm32-unknown-emscripten --build=x86_64-pc-linux-gnu --with-build-python=<src>/builddir/build/python --with-emscripten-target=browser',
      '<src>/builddir/emscripten-browser$ emmake make -j4'
    ])
    expect(plan.toolchains.map(t => `${t.tool} ${t.version} ${t.versionFrom}`)).toEqual([
      'emsdk 3.1.19 CPython 3.11 pins (Tools/wasm/wasm_build.py and README.md)',
      'wasi-sdk 16 CPython 3.11 pins (Tools/wasm/wasm_build.py and README.md)',
      'wasmtime 22.0.0 CPython 3.11 pins (Tools/wasm/wasm_build.py and README.md)'
    ])
    expect(plan.toolchains.find(t => t.tool === 'wasi-sdk')?.dir).toBe(
      '/runner/tool-cache/wasi-sdk/16.0.0/x64'
    )
    expect(plan.smoke.map(s => `${s.target}:${s.runner}`)).toEqual([
      'wasi:wasmtime',
      'emscripten-node:node',
      'emscripten-browser:browser'
    ])
  })

  test('options become configure arguments where the recipe takes them', () => {
    const { commands } = planFor('manual', {
      targets: 'emscripten-node',
      'build-type': 'debug',
      pthreads: 'true',
      'dynamic-linking': 'true',
      'test-modules': 'false',
      'configure-args': `--with-lto "CFLAGS=-O2 -g"`
    })
    expect(commands).toContain('<src>$ embuilder --pic build zlib bzip2')
    expect(commands.find(c => c.includes('emconfigure'))).toMatch(
      /--with-emscripten-target=node --with-pydebug --enable-wasm-pthreads --enable-wasm-dynamic-linking --disable-test-modules --with-lto CFLAGS=-O2 -g$/
    )
  })

  test('3.13: wasi.py for WASI, the manual recipe for Emscripten, one build Python', () => {
    const { commands, plan } = planFor('wasi-py', { 'wasmtime-version': 'none' })
    expect(commands.slice(0, 2)).toEqual([
      '<src>$ python3 <src>/Tools/wasm/wasi.py configure-build-python --',
      '<src>$ python3 <src>/Tools/wasm/wasi.py make-build-python'
    ])
    expect(commands.find(c => c.includes('configure-host'))).toBe(
      '<src>$ python3 <src>/Tools/wasm/wasi.py configure-host --wasi-sdk /runner/tool-cache/wasi-sdk/24.0.0/x64 --host-runner /runner/node --no-warnings /runner/temp/cpython-wasm/wasi-run.mjs --dir {HOST_DIR}::{GUEST_DIR} --env {ENV_VAR_NAME}={ENV_VAR_VALUE} --host-triple wasm32-wasip1 -- --config-cache'
    )
    expect(plan.buildPython).toBe(
      `${planFor('wasi-py').root.replace(/.*/, plan.source)}/cross-build/build/python`
    )
    expect(
      commands.filter(c => c.includes('--with-build-python=<src>/cross-build/build/python'))
    ).toHaveLength(2)
    expect(plan.targets.map(t => `${t.target}:${t.recipe}`)).toEqual([
      'wasi:wasi-py',
      'emscripten-node:manual',
      'emscripten-browser:manual'
    ])
    expect(plan.toolchains.map(t => `${t.tool} ${t.version}`)).toEqual([
      'emsdk 3.1.19',
      'wasi-sdk 24'
    ])
    expect(plan.smoke.find(s => s.target === 'wasi')?.runner).toBe('node-wasi')
  })

  test('with wasmtime, the branch script keeps its own host runner', () => {
    const { commands } = planFor('wasi-py', { targets: 'wasi' })
    expect(commands.find(c => c.includes('configure-host'))).not.toMatch(/--host-runner/)
  })

  test('3.14: one Emscripten build serves node and the browser; dependencies by the script', () => {
    const { commands, plan } = planFor('tools-wasm', {
      targets: 'emscripten-node emscripten-browser',
      'build-type': 'debug'
    })
    // the job's one build Python is the WASI script's (3.14.0: cross-build/build for both scripts)
    expect(commands).toEqual([
      '<src>$ python3 <src>/Tools/wasm/wasi configure-build-python -- --with-pydebug',
      '<src>$ python3 <src>/Tools/wasm/wasi make-build-python',
      '<src>$ python3 <src>/Tools/wasm/emscripten make-libffi',
      '<src>$ python3 <src>/Tools/wasm/emscripten make-mpdec',
      '<src>$ python3 <src>/Tools/wasm/emscripten configure-host --host-runner /runner/node -- --config-cache',
      '<src>$ python3 <src>/Tools/wasm/emscripten make-host'
    ])
    expect(plan.targets[1].sharesBuildWith).toBe('emscripten-node')
    expect(plan.toolchains[0]).toMatchObject({
      tool: 'emsdk',
      version: '4.0.12',
      versionFrom: 'Tools/wasm/emscripten/config.toml'
    })
    expect(plan.artifacts.map(a => a.buildDir)).toEqual([
      `${plan.source}/cross-build/wasm32-emscripten/build/python`,
      `${plan.source}/cross-build/wasm32-emscripten/build/python`
    ])
    // the browser build is the web example, driven in Chromium through its index.html
    expect(plan.smoke.map(t => `${t.target} ${t.runner} ${t.page ?? ''}`)).toEqual([
      'emscripten-node node ',
      'emscripten-browser browser index.html'
    ])
    // run with the artifact's python.sh (which passes node_entry.mjs its
    // --this-program=), from a copy of the artifact in another folder
    const copy = '/runner/temp/cpython-wasm/smoke/emscripten-node'
    expect(plan.smoke[0].argv.slice(0, 2)).toEqual([`${copy}/python.sh`, '-c'])
    expect(plan.smoke[0]).toMatchObject({
      cwd: '/runner/temp/cpython-wasm/smoke',
      env: { NODE: expect.stringMatching(/node$/) },
      copy: { from: `${plan.artifactsDir}/emscripten-node`, to: copy }
    })
  })

  test('main: Platforms/ scripts, config.toml pins, build Python in cross-build/<build triple>', () => {
    const { commands, plan } = planFor('platforms', { 'wasmtime-version': 'none' })
    expect(plan.buildPython).toBe(`${plan.source}/cross-build/x86_64-pc-linux-gnu/python`)
    expect(plan.toolchains.map(t => `${t.tool} ${t.version} ${t.versionFrom}`)).toEqual([
      'emsdk 4.0.12 Platforms/emscripten/config.toml',
      'wasi-sdk 33 Platforms/WASI/config.toml'
    ])
    expect(commands).toContain(
      '<src>$ python3 <src>/Platforms/WASI configure-host --wasi-sdk /runner/tool-cache/wasi-sdk/33.0.0/x64 --host-runner /runner/node --no-warnings /runner/temp/cpython-wasm/wasi-run.mjs --argv0 {ARGV0} --dir {CHECKOUT}::/ --host-triple wasm32-wasip1 -- --config-cache'
    )
    // one native build: Platforms/WASI's, linked where Platforms/emscripten looks (cross-build/build)
    expect(commands.filter(c => c.includes('configure-build-python'))).toEqual([
      '<src>$ python3 <src>/Platforms/WASI configure-build-python --'
    ])
    expect(commands).toContain('<src>$ ln -sfnT x86_64-pc-linux-gnu <src>/cross-build/build')
    expect(
      commands.indexOf('<src>$ ln -sfnT x86_64-pc-linux-gnu <src>/cross-build/build')
    ).toBeLessThan(commands.findIndex(c => c.includes('emscripten configure-host')))
    expect(commands).toContain('<src>$ python3 <src>/Platforms/emscripten make-dependencies')
    // the job's EMSDK_CACHE, CROSS_BUILD_DIR, QUIET and PYTHON_NODE_VERSION never reach the script
    for (const step of plan.steps.filter(s => s.argv[1]?.endsWith('Platforms/emscripten')))
      expect(step.unset).toEqual(['EMSDK_CACHE', 'CROSS_BUILD_DIR', 'QUIET', 'PYTHON_NODE_VERSION'])
    for (const step of plan.steps.filter(s => s.argv[1]?.endsWith('Platforms/WASI')))
      expect(step.unset).toBeUndefined()
  })

  test('main: Emscripten 6.0.10 and WASI SDK 34 from config.toml; pythoninfo around the host build', () => {
    const { commands, plan } = planFor('platforms-main', { targets: 'emscripten-node' })
    expect(plan.toolchains.map(t => `${t.tool} ${t.version}`)).toEqual(['emsdk 6.0.10'])
    const emscripten = commands.filter(c => c.includes('Platforms/emscripten'))
    expect(emscripten.map(c => c.split(' ')[3])).toEqual([
      'make-dependencies',
      'pythoninfo-build',
      'configure-host',
      'make-host',
      'pythoninfo-host'
    ])
    expect(planFor('platforms-main', { targets: 'wasi' }).plan.toolchains[0]).toMatchObject({
      tool: 'wasi-sdk',
      version: '34'
    })
    // 3.15's script has no pythoninfo subcommands: none planned
    expect(planFor('platforms').commands.some(c => c.includes('pythoninfo'))).toBe(false)
  })

  test('an explicit version and sha256 beat the pins; mirrors replace the base URL', () => {
    const { plan } = planFor('manual', {
      targets: 'wasi',
      'wasi-sdk-version': '25',
      'wasi-sdk-sha256': 'a'.repeat(64),
      'wasi-sdk-mirror': 'https://mirror.example/wasi-sdk/',
      'wasmtime-version': 'none'
    })
    expect(plan.toolchains).toEqual([
      expect.objectContaining({
        tool: 'wasi-sdk',
        version: '25',
        versionFrom: 'input',
        url: 'https://mirror.example/wasi-sdk/releases/download/wasi-sdk-25/wasi-sdk-25.0-x86_64-linux.tar.gz',
        sha256: 'a'.repeat(64),
        sha256From: 'input'
      })
    ])
  })

  test('preinstalled toolchains are used instead of downloads', () => {
    const runner = runnerFacts({
      preinstalled: {
        emsdk: { path: '/usr/share/emscripten', version: '3.1.69', how: 'emcc on PATH' },
        'wasi-sdk': { path: '/opt/wasi-sdk', version: '24', how: 'WASI_SDK_PATH' }
      }
    })
    const { plan } = planFor('manual', { 'wasmtime-version': 'none' }, runner)
    expect(plan.toolchains.map(t => `${t.tool} ${t.source} ${t.dir}`)).toEqual([
      'emsdk preinstalled /usr/share/emscripten',
      'wasi-sdk preinstalled /opt/wasi-sdk'
    ])
  })

  test('WASI SDK before 23 has no arm64 build: a plan error naming the input', () => {
    expect(() => planFor('manual', { targets: 'wasi' }, runnerFacts({ arch: 'arm64' }))).toThrow(
      PlanError
    )
    expect(() => planFor('manual', { targets: 'wasi' }, runnerFacts({ arch: 'arm64' }))).toThrow(
      /wasi-sdk-version: WASI SDK 16 has no arm64/
    )
  })

  test('artifact names follow the template', () => {
    const { plan } = planFor('manual', { 'build-type': 'debug', pthreads: 'true' })
    expect(plan.artifacts.map(a => a.name)).toEqual([
      'python-3.11.2-wasi-debug',
      'python-3.11.2-emscripten-node-debug-pthreads',
      'python-3.11.2-emscripten-browser-debug-pthreads'
    ])
  })
})

describe('the build Python', () => {
  test('lives where the branch builds it, whichever targets a job asks for (3.13)', () => {
    const all = planFor('wasi-py', { 'wasmtime-version': 'none' }).plan
    const emscriptenOnly = planFor('wasi-py', { targets: 'emscripten-node' }).plan
    expect(all.buildPython.replace(all.source, '')).toBe('/cross-build/build/python')
    expect(emscriptenOnly.buildPython.replace(emscriptenOnly.source, '')).toBe(
      '/cross-build/build/python'
    )
  })

  test('only: build-python plans the build Python alone, with no toolchain', () => {
    const { commands, plan } = planFor('manual', { only: 'build-python' })
    expect(commands).toEqual([
      '<src>/builddir/build$ ../../configure -C',
      '<src>/builddir/build$ make -j4',
      '<src>/builddir/build$ <src>/builddir/build/python -c import zlib'
    ])
    expect(plan.toolchains).toEqual([])
    expect(plan.artifacts).toEqual([])
    expect(plan.smoke).toEqual([])
  })
})
