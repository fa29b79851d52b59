#!/usr/bin/env bash
# The action's main job on this machine: provision a real toolchain and
# CPython 3.11.2 from Debian's packages, then run dist/index.js as the
# GitHub runner would to build CPython for wasi, smoke-test it, and print
# where the artifact is.
#
#   scripts/e2e/build-example.sh [TARGET]   # TARGET: wasi (default), emscripten
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
target=${1:-wasi}
case $target in
  wasi) test_file=__tests__/e2e/cpython-311-wasi.test.ts ;;
  emscripten) test_file=__tests__/e2e/cpython-311-emscripten.test.ts ;;
  *) echo "usage: scripts/e2e/build-example.sh [wasi|emscripten]" >&2; exit 2 ;;
esac
[[ -d node_modules ]] || npm ci --no-audit --no-fund || npm install --no-save --no-audit --no-fund
bash scripts/e2e/provision-e2e.sh
NODE_OPTIONS=--experimental-vm-modules NODE_NO_WARNINGS=1 \
  npx jest --config jest.e2e.config.js "$test_file"
echo
echo "Artifacts: $(find .e2e -path '*/cpython-wasm/artifacts/*' -maxdepth 8 -mindepth 1 -type d -prune -print 2>/dev/null | grep -E '/artifacts/[^/]+$' | tr '\n' ' ')"
