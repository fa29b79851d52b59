export const id = 717;
export const ids = [717];
export const modules = {

/***/ 20717:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  main: () => (/* binding */ cli_main)
});

// UNUSED EXPORTS: defaultCacheDir

// EXTERNAL MODULE: ./src/catalog/secrets.ts
var secrets = __webpack_require__(22738);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(77598);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(73024);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(48161);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
// EXTERNAL MODULE: ./src/artifacts/index.ts + 109 modules
var artifacts = __webpack_require__(26377);
// EXTERNAL MODULE: ./src/cache/index.ts + 97 modules
var cache = __webpack_require__(67263);
// EXTERNAL MODULE: ./src/execute/wasi-runner.ts
var wasi_runner = __webpack_require__(65078);
// EXTERNAL MODULE: ./src/report/index.ts + 7 modules
var report = __webpack_require__(60767);
// EXTERNAL MODULE: ./src/main.ts + 56 modules
var main = __webpack_require__(62739);
;// CONCATENATED MODULE: ./src/cli/action-inputs.json
const action_inputs_namespaceObject = /*#__PURE__*/JSON.parse('[{"name":"source","description":"Path to the CPython checkout to build.","default":"."},{"name":"targets","description":"Targets to build, separated by spaces, commas or newlines. Any of wasi, emscripten-node, emscripten-browser.","default":"wasi emscripten-node emscripten-browser"},{"name":"emsdk-version","description":"Emscripten SDK version to install (3.1.8 or newer), or \\"auto\\" for the version the checkout\'s branch pins.","default":"auto"},{"name":"emsdk-path","description":"Use an Emscripten that is already installed (an emsdk checkout or a distribution\'s emscripten directory) instead of installing one.","default":""},{"name":"emsdk-sha256","description":"Expected sha256 of the emsdk archive, for versions the action has no known sum for.","default":""},{"name":"emsdk-mirror","description":"Base URL that replaces https://github.com/emscripten-core/emsdk for the emsdk archive.","default":""},{"name":"wasi-sdk-version","description":"WASI SDK major version to install (for example 24), or \\"auto\\" for the branch\'s pin.","default":"auto"},{"name":"wasi-sdk-path","description":"Use a WASI SDK that is already installed (as in a container image).","default":""},{"name":"wasi-sdk-sha256","description":"Expected sha256 of the WASI SDK archive, for versions the action has no known sum for.","default":""},{"name":"wasi-sdk-mirror","description":"Base URL that replaces https://github.com/WebAssembly/wasi-sdk for WASI SDK downloads.","default":""},{"name":"wasmtime-version","description":"wasmtime version to install (X.Y.Z), \\"auto\\" for the branch\'s pin, or \\"none\\" to run WASI builds under Node\'s node:wasi instead.","default":"auto"},{"name":"wasmtime-sha256","description":"Expected sha256 of the wasmtime archive, for versions the action has no known sum for.","default":""},{"name":"wasmtime-mirror","description":"Base URL that replaces https://github.com/bytecodealliance/wasmtime for wasmtime downloads.","default":""},{"name":"wasi-runtime","description":"What runs WASI builds in the smoke test: \\"auto\\" (wasmtime when installed, otherwise Node\'s node:wasi), \\"wasmtime\\" or \\"node\\".","default":"auto"},{"name":"verify","description":"strict (fail before installing anything when a download has no known sha256: none in the action\'s table, the *-sha256 or checksums inputs, or the GitHub release asset\'s digest) or warn (install it with a warning, outside the tool cache, and save no cache).","default":"strict"},{"name":"checksums","description":"Extra sha256 sums, one \\"<sha256> <file name>\\" per line (sha256sum\'s format), for downloads the action has no sum for, such as emsdk\'s <hash>-wasm-binaries.tar.xz and node-v<version>-linux-<cpu>.tar.xz, or \\"<sha512> <file name>\\" for an Emscripten port archive (v1.3.1.tar.gz). They win over the action\'s tables.","default":""},{"name":"mirror","description":"Base URL of a mirror serving every file the run downloads as <mirror>/<host>/<path> (github.com, storage.googleapis.com, nodejs.org). A tool\'s own *-mirror input wins for that tool\'s archive.","default":""},{"name":"github-token","description":"Token for GitHub API (release digests) and github.com download requests (raises rate limits); never sent to mirrors or other hosts.","default":"${{ github.token }}"},{"name":"build-type","description":"release or debug (debug configures --with-pydebug).","default":"release"},{"name":"pthreads","description":"Build with --enable-wasm-pthreads (Emscripten targets only).","default":"false"},{"name":"dynamic-linking","description":"Build with --enable-wasm-dynamic-linking (Emscripten targets only).","default":"false"},{"name":"test-modules","description":"Build CPython\'s test extension modules (false passes --disable-test-modules).","default":"true"},{"name":"configure-args","description":"Extra arguments for the target\'s configure, split into words like a shell would (quotes and backslashes), never run through a shell.","default":""},{"name":"test","description":"smoke (run each artifact as its users do and check what it prints), suite (the smoke test, then CPython\'s own test suite with each Node and WASI build, results as JUnit files, annotations and counts) or none.","default":"smoke"},{"name":"test-args","description":"With test: suite, what to run: test names and regrtest options (for example \\"test_json test_re -x test_zipfile\\"), split into words like configure-args. Empty runs the whole suite. -u/--use replaces the default -uall.","default":""},{"name":"test-timeout","description":"Minutes one target\'s test suite may run (test: suite) before it is stopped and reported as timed out, naming the test it was running.","default":"60"},{"name":"embed","description":"Add what embedders link against to the wasi artifact, in embed/: libpython3.X.a and the bundled dependencies\' static libraries (lib/), the headers with pyconfig.h (include/python3.X/) and the Modules/Setup files.","default":"false"},{"name":"test-failures","description":"fail (a failed test fails the step) or report (failed tests are annotated and counted, and the step goes on).","default":"fail"},{"name":"cache","description":"Restore and save caches (toolchains, build Python, Emscripten cache and dependencies, config.cache, ccache, the finished build).","default":"true"},{"name":"ccache","description":"Compile each target through ccache, its cache kept with the other caches: auto (when ccache is on PATH), true (fail if it is not), or false.","default":"auto"},{"name":"cache-save","description":"When to save caches: auto (only on push, create, schedule, workflow_dispatch and release events; other events restore only), always, or never.","default":"auto"},{"name":"upload","description":"Upload each target\'s directory as an artifact.","default":"true"},{"name":"artifact-name","description":"Artifact name template. Placeholders: {target}, {version} (for example 3.13.5), {minor} (3.13), {build-type}, {suffix} (-debug, -pthreads, ...).","default":"python-{version}-{target}{suffix}"},{"name":"retention-days","description":"Days to keep artifacts (0 uses the repository\'s setting).","default":"0"},{"name":"compression-level","description":"Zip compression level for artifacts, 0 to 9.","default":"6"},{"name":"dry-run","description":"Print the plan and write it to the plan output without installing, building or running any code of the checkout.","default":"false"},{"name":"only","description":"all, or build-python to build (and cache) only the native build Python, for a workflow\'s shared job that the per-target jobs restore from the cache.","default":"all"}]');
;// CONCATENATED MODULE: ./src/cli/args.ts
/**
 * The command line: the action's inputs as flags (the same names; values
 * are checked by loadInputs, so they get the action's messages), plus the
 * flags of the command itself. --help is made from action.yml through
 * action-inputs.json, which the bundle script writes from it.
 */

const ACTION_INPUTS = action_inputs_namespaceObject;
/** The command's own flags, with their value's name and what they do. */
const COMMAND_FLAGS = {
    output: {
        value: 'DIR',
        description: 'Folder the artifacts are copied to, one folder per target named like the artifact.',
        default: './cpython-wasm-out'
    },
    verbose: {
        value: '',
        description: "Print each build step's output as it comes, as the action's log does (it is always in the step's log under the work folder).",
        default: 'off'
    },
    'cache-dir': {
        value: 'DIR',
        description: 'Where toolchains (tools/), cache entries (store/) and work folders (work/) are kept.',
        default: '$XDG_CACHE_HOME/cpython-wasm, else ~/.cache/cpython-wasm'
    }
};
/** What an input means for the command where the action's description does not say it. */
const LOCAL_NOTES = {
    upload: 'The command copies them to --output instead of uploading.',
    'retention-days': 'Not used by the command.',
    'compression-level': 'Not used by the command.',
    'cache-save': 'The command keeps its caches on this machine only, so auto saves.',
    'github-token': 'The command sends none unless given.'
};
/** An input whose values are true and false: --name alone means true, --no-name false. */
const isSwitch = (input) => ['true', 'false'].includes(input.default);
class UsageError extends Error {
}
function parseArgs(argv) {
    const inputs = new Map();
    const flags = {};
    const args = [...argv];
    let command = 'build';
    if (args[0] === 'build')
        args.shift();
    else if (args[0] === 'help')
        return { command: 'help', inputs, flags };
    else if (args[0] !== undefined && !args[0].startsWith('-'))
        throw new UsageError(`unknown command "${args[0]}"; the command is build`);
    const byName = new Map(ACTION_INPUTS.map(i => [i.name, i]));
    const given = new Set();
    while (args.length > 0) {
        const arg = args.shift();
        if (arg === '--help' || arg === '-h') {
            command = 'help';
            continue;
        }
        const m = /^--(no-)?([a-z0-9-]+)(?:=([\s\S]*))?$/.exec(arg);
        if (!m)
            throw new UsageError(`unexpected argument "${arg}"; flags are --name value`);
        const [, no, name, inline] = m;
        const input = byName.get(name);
        const own = name in COMMAND_FLAGS ? name : undefined;
        if (!input && !own)
            throw new UsageError(`unknown flag --${name}`);
        if (own === 'verbose') {
            if (no || inline !== undefined)
                throw new UsageError('--verbose takes no value (leave it out for the quiet default)');
            if (given.has(name))
                throw new UsageError(`--${name} is given twice`);
            given.add(name);
            flags.verbose = 'true';
            continue;
        }
        if (no && !(input && isSwitch(input)))
            throw new UsageError(`--no-${name}: only true/false inputs take --no-`);
        if (given.has(name))
            throw new UsageError(`--${name} is given twice`);
        given.add(name);
        let value;
        if (no)
            value = 'false';
        else if (inline !== undefined)
            value = inline;
        else if (input && isSwitch(input) && (args[0] === undefined || args[0].startsWith('--')))
            value = 'true';
        else {
            if (args[0] === undefined)
                throw new UsageError(`--${name} needs a value`);
            // a flag of ours where the value should be is a forgotten value, not the value
            const next = /^--(?:no-)?([a-z0-9-]+)/.exec(args[0])?.[1];
            if (next && (byName.has(next) || next in COMMAND_FLAGS))
                throw new UsageError(`--${name} needs a value, but ${args[0]} follows it (write --${name}=VALUE for a value that starts with --)`);
            value = args.shift();
        }
        if (own)
            flags[own] = value;
        else
            inputs.set(name, value);
    }
    return { command, inputs, flags };
}
/**
 * What the runner would pass for each input: the flag's value, else
 * action.yml's default (an expression such as github.token reads as empty).
 */
function inputSource(given) {
    const defaults = new Map(ACTION_INPUTS.map(i => [i.name, i.default.includes('${{') ? '' : i.default]));
    return name => given.get(name) ?? defaults.get(name) ?? '';
}
function wrap(text, indent, width = 80) {
    const lines = [];
    let line = '';
    for (const word of text.split(/\s+/).filter(Boolean)) {
        if (line && indent + line.length + 1 + word.length > width) {
            lines.push(line);
            line = word;
        }
        else
            line = line ? `${line} ${word}` : word;
    }
    if (line)
        lines.push(line);
    return lines.map(l => ' '.repeat(indent) + l);
}
function helpText() {
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
    ];
    for (const input of ACTION_INPUTS) {
        out.push('', `  --${input.name} ${isSwitch(input) ? '[true|false]' : 'VALUE'}`);
        const note = LOCAL_NOTES[input.name];
        out.push(...wrap(`${input.description}${note ? ` ${note}` : ''}`, 6));
        out.push(`      default: ${input.default === '' ? '""' : input.default}`);
    }
    out.push('', 'Command flags:');
    for (const [name, flag] of Object.entries(COMMAND_FLAGS)) {
        out.push('', `  --${name}${flag.value ? ` ${flag.value}` : ''}`);
        out.push(...wrap(flag.description, 6), `      default: ${flag.default}`);
    }
    out.push('', '  --help, -h', '      This text.');
    return `${out.join('\n')}\n`;
}

// EXTERNAL MODULE: ./src/catalog/stdout-lines.ts
var stdout_lines = __webpack_require__(78290);
;// CONCATENATED MODULE: ./src/cli/terminal.ts
/**
 * The stages talk to the runner through @actions/core, whose workflow
 * commands (::group::, ::warning::, ::set-output::, ...) go to stdout. In a
 * terminal they become plain lines: a group's title, "warning: ...",
 * "error: ..."; the commands only the runner reads are left out.
 */


const ESCAPES = [
    [/%0A/g, '\n'],
    [/%0D/g, '\r'],
    [/%3A/g, ':'],
    [/%2C/g, ','],
    [/%25/g, '%']
];
const terminal_unescape = (text) => ESCAPES.reduce((t, [re, s]) => t.replace(re, s), text);
/** One line of the stages' output as a terminal shows it; undefined leaves it out. */
function terminalLine(line, debug = false) {
    const m = /^::([a-z-]+)( [^:]*)?::([\s\S]*)$/.exec(line);
    if (!m)
        return line;
    const [, command, , message] = m;
    switch (command) {
        case 'group':
            return `\n==> ${terminal_unescape(message)}`;
        case 'warning':
        case 'error':
        case 'notice':
            return `${command}: ${terminal_unescape(message)}`;
        case 'debug':
            return debug ? `debug: ${terminal_unescape(message)}` : undefined;
        default:
            // endgroup, set-output, save-state, add-matcher, add-mask, ...: the runner's business
            return undefined;
    }
}
/** Rewrites everything written to stdout, line by line, until flush() (at the end). */
function plainStdout(debug = false) {
    const stdout = (0,stdout_lines/* rewriteStdoutLines */.H)(line => terminalLine(line.replace(/\r$/, ''), debug));
    return {
        flush: () => {
            const rest = stdout.stop();
            const line = rest && terminalLine(rest, debug);
            if (line)
                stdout.write(line + external_node_os_.EOL);
        }
    };
}

;// CONCATENATED MODULE: ./src/cli/index.ts
/**
 * The command: the action's pipeline (main.ts) on a developer's machine,
 * with local backends: inputs from flags, toolchains in a user cache folder
 * (RUNNER_TOOL_CACHE), cache entries in a folder store with the same keys,
 * artifacts copied to --output, the summary printed, and the caches the post
 * step would save saved at the end.
 */












/** $XDG_CACHE_HOME/cpython-wasm, else ~/.cache/cpython-wasm (XDG Base Directory spec). */
function defaultCacheDir(env = process.env) {
    const base = env.XDG_CACHE_HOME?.startsWith('/')
        ? env.XDG_CACHE_HOME
        : external_node_path_.join(external_node_os_.homedir(), '.cache');
    return external_node_path_.join(base, 'cpython-wasm');
}
/**
 * The job folder for a checkout: the same for every run on it, as the cache
 * keys name paths under it (a runner's RUNNER_TEMP is the same path in every
 * job too), and emptied at each start as a new job's would be.
 */
function workFor(cacheDir, source) {
    const real = external_node_fs_.existsSync(source) ? external_node_fs_.realpathSync(source) : source;
    const id = (0,external_node_crypto_.createHash)('sha256').update(real).digest('hex').slice(0, 12);
    return external_node_path_.join(cacheDir, 'work', `${external_node_path_.basename(real) || 'root'}-${id}`);
}
/** The runner's environment as far as the stages read it, pointing at this machine's folders. */
function setUpEnvironment(work, tools, commandFiles) {
    process.env.RUNNER_TEMP = work;
    process.env.RUNNER_TOOL_CACHE = tools;
    // the runner's command files: the stages write outputs and state there, unread
    for (const name of ['GITHUB_OUTPUT', 'GITHUB_STATE', 'GITHUB_ENV', 'GITHUB_PATH']) {
        const file = external_node_path_.join(commandFiles, name.toLowerCase().slice('github_'.length));
        external_node_fs_.writeFileSync(file, '');
        process.env[name] = file;
    }
    // the summary is printed; a run id of its own keeps each run's ccache entry
    // apart, also inside a workflow's step
    for (const name of ['GITHUB_STEP_SUMMARY', 'GITHUB_RUN_ID', 'GITHUB_RUN_ATTEMPT'])
        delete process.env[name];
}
/** How to run each copied artifact, as the smoke tests do. */
function howToRun(result) {
    const lines = [];
    const wasmtime = result.job?.plan.toolchains.find(t => t.tool === 'wasmtime');
    for (const a of result.record.uploaded) {
        const dir = a.copiedTo;
        lines.push(`  ${a.target}: ${dir}`);
        if (a.target === 'wasi') {
            const args = `--dir ${dir}::/ --env PYTHONHOME=/ ${external_node_path_.join(dir, 'python.wasm')}`;
            if (wasmtime)
                lines.push(`    ${external_node_path_.join(wasmtime.dir, 'wasmtime')} run ${args}`);
            lines.push(`    node ${(0,wasi_runner/* wasiRunnerAsset */.z)()} ${args}`);
        }
        else if (a.target === 'emscripten-node') {
            if (external_node_fs_.existsSync(external_node_path_.join(dir, 'python.sh')))
                lines.push(`    ${external_node_path_.join(dir, 'python.sh')}`);
            else
                lines.push(`    PYTHONHOME=${dir} node ${external_node_path_.join(dir, 'python.js')}`);
        }
        else {
            const page = external_node_fs_.existsSync(external_node_path_.join(dir, 'index.html')) ? 'index.html' : 'python.html';
            lines.push(`    node ${external_node_path_.join(dir, 'serve.mjs')}   (then open ${page} at the address it prints)`);
        }
    }
    return lines;
}
async function build(parsed) {
    const cacheDir = external_node_path_.resolve(parsed.flags['cache-dir'] ?? defaultCacheDir());
    const output = external_node_path_.resolve(parsed.flags.output ?? 'cpython-wasm-out');
    const read = inputSource(parsed.inputs);
    const work = workFor(cacheDir, external_node_path_.resolve(read('source') || '.'));
    const store = new cache/* DirectoryStore */.fH(external_node_path_.join(cacheDir, 'store'));
    const commandFiles = external_node_fs_.mkdtempSync(external_node_path_.join(external_node_os_.tmpdir(), 'cpython-wasm-'));
    const dryRun = ['true', 'True', 'TRUE'].includes(read('dry-run').trim());
    setUpEnvironment(work, external_node_path_.join(cacheDir, 'tools'), commandFiles);
    if (!dryRun)
        external_node_fs_.rmSync(work, { recursive: true, force: true });
    const stdout = plainStdout(process.env.CPYTHON_WASM_DEBUG === '1');
    let summary = '';
    let logs = [];
    const logsDir = external_node_path_.join(output, 'logs');
    const backends = {
        inputs: read,
        workspace: process.cwd(),
        cache: store,
        deliver: plan => (0,artifacts/* copyArtifacts */.v)(plan, output),
        deliverTitle: 'Copy artifacts',
        // a failed build's logs next to where its artifacts would be; said below, not in the summary
        // (once: a suite that failed hands its files over before the failure does)
        keepLogs: async (plan, inputs, _work, extra) => {
            if (logs.length === 0)
                logs = (0,artifacts/* gatherLogs */.H3)(plan, logsDir, extra, (0,secrets/* secretValues */.VX)(process.env, inputs.githubToken ? [inputs.githubToken] : []));
            return undefined;
        },
        summary: async (markdown) => {
            summary = markdown;
        },
        // progress lines instead, unless asked: a make prints thousands of lines
        echoSteps: parsed.flags.verbose === 'true'
    };
    try {
        const result = await (0,main/* run */.e)(backends);
        if (result.job && !dryRun) {
            // what the action's post step does, at the end of the run
            const sizes = new Map();
            const outcomes = await (0,cache/* saveCaches */.FV)(result.toSave, sizes, store);
            const saved = result.toSave.filter(e => outcomes.get(e.id) === 'saved');
            // an entry saved under a new key each run (ccache) replaces the older ones of its ref
            for (const entry of saved.filter(e => e.id.startsWith('ccache-'))) {
                const prefix = result.job.plan.caches.find(c => c.id === entry.id)?.restoreKeys[0];
                if (prefix && entry.key.startsWith(prefix))
                    store.supersede(prefix, entry.key);
            }
            if (saved.length > 0)
                summary += (0,cache/* savedCachesMarkdown */.y5)(saved, sizes);
        }
        if (summary)
            process.stdout.write(`\n${(0,report/* terminalText */.eR)(summary)}`);
        if (result.record.uploaded.length > 0)
            process.stdout.write(`\nArtifacts (run each with):\n${howToRun(result).join('\n')}\n`);
        if (logs.length > 0)
            process.stdout.write(result.record.failure
                ? `\nThe failed build's logs and config.log files are in ${logsDir}\n`
                : `\nThe test suite's JUnit files and output are in ${logsDir}\n`);
        if (result.job && !dryRun)
            process.stdout.write(`\nCaches: ${cacheDir} (toolchains in tools/, entries in store/)\n`);
    }
    finally {
        stdout.flush();
        external_node_fs_.rmSync(commandFiles, { recursive: true, force: true });
    }
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
}
async function cli_main(argv) {
    let parsed;
    try {
        parsed = parseArgs(argv);
    }
    catch (error) {
        if (!(error instanceof UsageError))
            throw error;
        process.stderr.write(`cpython-wasm: ${error.message}\nSee cpython-wasm --help.\n`);
        return 2;
    }
    if (parsed.command === 'help') {
        process.stdout.write(helpText());
        return 0;
    }
    return build(parsed);
}


/***/ })

};

//# sourceMappingURL=717.index.js.map