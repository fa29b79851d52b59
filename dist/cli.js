#!/usr/bin/env node
// cpython-wasm: the action's pipeline as a command (src/cli/)
import './cli/index.js'
