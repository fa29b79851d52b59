#!/usr/bin/env bash
# The shell half of `npm run lint`: shellcheck on every shell script of the
# repository (*.sh and .ci/run).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! command -v shellcheck >/dev/null; then
  echo "shellcheck is not installed: apt-get install shellcheck" >&2
  exit 1
fi

# Untracked files too (-o), so a new script is checked before it is committed;
# a tracked path deleted from the work tree is skipped.
files=()
while IFS= read -r -d '' f; do
  [[ -f $f ]] && files+=("$f")
done < <(git ls-files -z --cached --others --exclude-standard -- '*.sh' .ci/run)
if [[ ${#files[@]} -eq 0 ]]; then
  echo "shellcheck.sh: git listed no shell scripts (not a git checkout?)" >&2
  exit 1
fi
shellcheck "${files[@]}"
echo "shellcheck: ${#files[@]} scripts, no findings"
