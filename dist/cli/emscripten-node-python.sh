#!/bin/sh
# Starts this Emscripten build of CPython under Node.js from wherever this
# folder lies: node_entry.mjs takes the program's path from --this-program=,
# and Python finds its standard library in lib/python3.X next to it. Node 24
# needs JSPI switched on (as CPython's own python.sh does). NODE names the
# Node.js binary (default: node on PATH); NODEFLAGS adds Node options.
dir=$(cd "$(dirname "$0")" && pwd)
node=${NODE:-node}
case "$("$node" --version)" in
v24.*) set -- --experimental-wasm-jspi "$dir/node_entry.mjs" --this-program="$dir/python.sh" "$@" ;;
*) set -- "$dir/node_entry.mjs" --this-program="$dir/python.sh" "$@" ;;
esac
# shellcheck disable=SC2086 # NODEFLAGS holds several options, split on purpose
exec "$node" $NODEFLAGS "$@"
