#!/usr/bin/env bash
# Checks the built distribution as a user runs it: bin/isola through a symlink, output, exit codes.
# Usage, as root, after a build: scripts/smoke-dist.sh
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dist=$repo/dist/target/isola
link=$(mktemp -d)
trap 'rm -rf "$link"' EXIT
ln -s "$dist/bin/isola" "$link/isola"
isola=$link/isola
failed=0

check() { # name expected actual
    if [[ $2 == "$3" ]]; then
        echo "smoke: ok: $1"
    else
        echo "smoke: FAILED: $1: expected '$2', got '$3'" >&2
        failed=1
    fi
}

tarball=$(ls "$repo"/dist/target/isola-*.tar.gz)
check "tarball holds bin/isola" 1 "$(tar -tzf "$tarball" | grep -c '^isola-[^/]*/bin/isola$')"

host_name=$(hostname)
check "hostname and PID 1" $'smoke\n1' "$("$isola" run --hostname smoke -- sh -c 'hostname; echo $$')"
check "host's hostname unchanged" "$host_name" "$(hostname)"

status=0; "$isola" run -- sh -c 'exit 7' || status=$?
check "exit code" 7 "$status"

status=0; "$isola" run --no-pid -- sh -c 'kill -9 $$' || status=$?
check "killed by SIGKILL" 137 "$status"

status=0; err=$("$isola" run --hostname 'bad name!' -- true 2>&1) || status=$?
check "bad input status" 125 "$status"
check "bad input message" "isola: hostname \"bad name!\": expected 1 to 64 letters, digits, '-' or '.', starting with a letter or digit" "$err"

check "nothing but the container's output on stdout" "" "$("$isola" --debug run -- true 2>/dev/null)"
check "--debug after run logs too" yes "$("$isola" run --debug -- true 2>&1 >/dev/null | grep -q '^\[DEBUG\]' && echo yes)"

check "version" "isola" "$("$isola" --version | cut -d' ' -f1)"

# the class-data archive: shipped, used in place, skipped silently elsewhere, remade by isola-cds
shared() { ISOLA_JAVA_OPTS=-Xlog:class+load "$@" --version | grep -c 'source: shared objects file (top)' || true; }
for f in bin/isola-cds lib/isola.jsa lib/classpath licenses/THIRD-PARTY licenses/Apache-2.0; do
    check "tarball holds $f" 1 "$(tar -tzf "$tarball" | grep -c "^isola-[^/]*/$f$")"
done
check "CDS archive used in place" yes "$( (($(shared "$isola") > 100)) && echo yes)"
check "ISOLA_CDS=off runs without it" 0 "$(ISOLA_CDS=off shared "$isola")"
unpacked=$(mktemp -d)
trap 'rm -rf "$link" "$unpacked"' EXIT
tar -xzf "$tarball" -C "$unpacked"
moved=$(echo "$unpacked"/isola-*/bin/isola)
check "unpacked elsewhere: stale archive skipped without a word" "isola" \
    "$("$moved" --version 2>&1 | cut -d' ' -f1)"
check "unpacked elsewhere: no archive mapped" 0 "$(shared "$moved")"
"${moved%/isola}/isola-cds" --quiet
check "unpacked elsewhere: isola-cds makes one that maps" yes "$( (($(shared "$moved") > 100)) && echo yes)"
check "unpacked elsewhere: runs" $'moved\n1' "$("$moved" run --hostname moved -- sh -c 'hostname; echo $$')"
exit "$failed"
