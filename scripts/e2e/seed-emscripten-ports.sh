#!/usr/bin/env bash
# Seed an Emscripten cache with the zlib and bzip2 ports prepared by
# provision-e2e.sh, so that building them needs no network:
#
#   seed-emscripten-ports.sh EM_CACHE_DIR
#
# Emscripten skips a port's download when EM_CACHE/ports/<name>/<subdir>/
# exists and EM_CACHE/ports/<name>/.emscripten_url holds the port's URL
# (tools/ports/__init__.py, fetch_project). The seeds live in E2E_EMPORTS
# (default: $E2E_HOME/emports, E2E_HOME defaulting to <repo>/.e2e).
# Use with an EM_CONFIG whose FROZEN_CACHE is False (Debian ships True).
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: seed-emscripten-ports.sh EM_CACHE_DIR" >&2
  exit 2
fi
script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
e2e_home=${E2E_HOME:-$script_dir/../../.e2e}
emports=${E2E_EMPORTS:-$e2e_home/emports}

for port in zlib bzip2; do
  if [[ ! -f $emports/$port/.emscripten_url ]]; then
    echo "seed-emscripten-ports.sh: $emports/$port is not seeded; run scripts/e2e/provision-e2e.sh" >&2
    exit 1
  fi
done

mkdir -p -- "$1/ports"
# Copy each port whole (subdir and marker); replace any stale copy.
for port in "$emports"/*/; do
  name=$(basename "$port")
  rm -rf -- "${1:?}/ports/$name"
  cp -a -- "$port" "$1/ports/$name"
done
echo "seeded $(cd "$1/ports" && echo */) into $1/ports"
