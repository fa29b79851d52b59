#!/usr/bin/env bash
# The action's main job on this machine: provision a real toolchain and
# CPython 3.11.2 from Debian's packages, then build a fresh copy of the tree
# for wasi with the command (dist/cli.js: the action's pipeline with local
# caches), smoke-test it, and print where the artifact is and how to run it.
# A second run is warm: the toolchain, build Python, config.cache, ccache and
# the finished build come back from the command's cache store.
#
#   scripts/e2e/build-example.sh [TARGET]   # TARGET: wasi (default), emscripten
#
# emscripten runs the end-to-end test that builds both Emscripten targets
# inside the provisioned Debian trixie root instead.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
target=${1:-wasi}
case $target in
  wasi | emscripten) ;;
  *) echo "usage: scripts/e2e/build-example.sh [wasi|emscripten]" >&2; exit 2 ;;
esac
[[ -d node_modules ]] || npm ci --no-audit --no-fund || npm install --no-save --no-audit --no-fund
bash scripts/e2e/provision-e2e.sh
if [[ $target == emscripten ]]; then
  NODE_OPTIONS=--experimental-vm-modules NODE_NO_WARNINGS=1 \
    npx jest --config jest.e2e.config.js __tests__/e2e/cpython-311-emscripten.test.ts
  exit
fi
[[ -f dist/cli.js ]] || npm run bundle
# shellcheck source=/dev/null
source .e2e/env.sh
example=.e2e/work/cli-example
rm -rf "$example/cpython"
mkdir -p "$example"
cp -a "$E2E_SRC_311" "$example/cpython"

# the WASI SDK stand-in is served from a loopback mirror, as the tests serve
# it, on a fixed port: the URL is part of the toolchain's cache key
mirror_log=$(mktemp)
node scripts/e2e/serve-mirror.mjs "$E2E_WASI_SDK_MIRROR_HOST" "${MIRROR_PORT:-47816}" >"$mirror_log" &
mirror_pid=$!
trap 'kill "$mirror_pid"; rm -f "$mirror_log"' EXIT
until [[ -s $mirror_log ]]; do
  kill -0 "$mirror_pid" 2>/dev/null || { echo "the mirror did not start (port in use? set MIRROR_PORT)" >&2; exit 1; }
  sleep 0.1
done
archive=$E2E_WASI_SDK_MIRROR_HOST/releases/download/wasi-sdk-16/wasi-sdk-16.0-linux.tar.gz

node dist/cli.js build \
  --source "$example/cpython" \
  --targets wasi \
  --wasi-sdk-mirror "$(head -n1 "$mirror_log")" \
  --wasi-sdk-sha256 "$(cut -d' ' -f1 "$archive.sha256")" \
  --wasmtime-version none \
  --output "$example/out"
