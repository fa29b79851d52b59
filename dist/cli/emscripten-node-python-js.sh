#!/bin/sh
# Starts this Emscripten build of CPython (3.11 to 3.13: python.js, built with
# NODERAWFS so it reads the real file system) under Node.js from wherever this
# folder lies. The build's prefix is the one configure baked in, so PYTHONHOME
# points Python at lib/python3.X next to this script. NODE names the Node.js
# binary (default: node on PATH); NODEFLAGS adds Node options (for example
# --no-experimental-fetch for Emscripten releases before 3.1.2x on Node 18+).
dir=$(cd "$(dirname "$0")" && pwd)
PYTHONHOME=$dir
export PYTHONHOME
# shellcheck disable=SC2086 # NODEFLAGS holds several options, split on purpose
exec "${NODE:-node}" $NODEFLAGS "$dir/python.js" "$@"
