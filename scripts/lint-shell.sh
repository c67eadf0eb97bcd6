#!/usr/bin/env bash
# Checks every shell script of the repository with shellcheck (run by scripts/test.sh before the
# build, so CI fails on a finding). A finding that is intended is silenced where it occurs, with a
# "# shellcheck disable=SCnnnn # why" comment, never here.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
scripts=()
while IFS= read -r -d '' file; do
    case $file in
        *.sh | *.bash) scripts+=("$file") ;;
        *) if head -n1 "$file" | grep -qE '^#!.*\b(ba)?sh\b'; then scripts+=("$file"); fi ;;
    esac
done < <(find .ci bench scripts dist/src -type f -not -path '*/target/*' -print0 | sort -z)
shellcheck -x --source-path=SCRIPTDIR "${scripts[@]}"
echo "lint-shell: ${#scripts[@]} scripts, no finding"
