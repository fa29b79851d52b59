#!/usr/bin/env bash
# Everything CI checks, from a fresh clone: install, provision the real
# toolchains and CPython sources, lint, type-check, rebuild the bundle and
# fail if dist/ is stale, run the fast suite and the slow one, then the
# end-to-end builds.
#
#   scripts/test-all.sh            # all of it
#   SKIP_E2E=1 scripts/test-all.sh # everything but the end-to-end builds
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n==> %s\n' "$*"; }

step "install npm packages from package-lock.json"
# npm 11.16 and later can reject a lock file it wrote itself when an optional
# platform package is unavailable (npm/cli#9846); install from the same lock
# file without rewriting it then.
npm ci --no-audit --no-fund || {
  echo "npm ci refused the lock file (npm/cli#9846); installing from it with npm install"
  npm install --no-save --no-audit --no-fund
}

step "provision toolchains and CPython sources (Debian packages only)"
bash scripts/e2e/provision-e2e.sh

step "format, lint, type-check"
npm run format:check
npm run lint
npm run build

step "rebuild dist/ and check it is the committed one"
npm run bundle
if [[ -n $(git status --porcelain -- dist) ]]; then
  git status --short -- dist
  echo "dist/ is stale: run 'npm run bundle' and commit dist/" >&2
  exit 1
fi

step "fast suite (unit tests and dist/index.js through the runner harness)"
npm test

step "slow suite (fault tests that wait out @actions/cache's retries)"
npm run test:slow

if [[ ${SKIP_E2E:-0} != 1 ]]; then
  step "end-to-end suite (real CPython builds through dist/index.js)"
  npm run test:e2e
fi
