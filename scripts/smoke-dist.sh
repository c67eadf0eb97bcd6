#!/usr/bin/env bash
# Checks the built distribution as a user runs it: bin/isola through a symlink, output, exit codes.
# Usage, as root, after a build: scripts/smoke-dist.sh
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dist=$repo/dist/target/isola
link=$(mktemp -d)
# the served verbs go through a resident server, as bin/isola does by default: one of this run's
# own, stopped at the end, so that CI leaves no server behind
export ISOLA_SERVER_DIR=$link/server ISOLA_SERVER_IDLE=120
live_servers() { # the pids of this run's servers that still run
    local lock pid
    for lock in "$ISOLA_SERVER_DIR"/*.lock; do
        pid=$(cat "$lock" 2>/dev/null) || continue
        [[ -n $pid ]] && grep -qa __server "/proc/$pid/cmdline" 2>/dev/null && echo "$pid"
    done
    return 0
}
stop_servers() {
    local pid
    for pid in $(live_servers); do
        kill "$pid" 2>/dev/null || true
    done
}
trap 'stop_servers; rm -rf "$link"' EXIT
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
check "a resident server ran it" 1 "$(find "$ISOLA_SERVER_DIR" -maxdepth 1 -name '*.sock' 2>/dev/null | wc -l)"
check "the server published a shell endpoint" 1 "$(find "$ISOLA_SERVER_DIR" -maxdepth 1 -name '*.shell' 2>/dev/null | wc -l)"
# issue 23: nothing of the server's on the network (ss names a socket's process as pid=N)
server_pids=$(cat "$ISOLA_SERVER_DIR"/*.lock 2>/dev/null | tr '\n' ' ')
check "the server listens on no IP socket (ss -lntup)" 0 "$(ss -lntupH | grep -cE "pid=(${server_pids// /|}0)," || true)"
# the shell client needs no java: with none to be found, only a command that no JVM ran succeeds
# (stdio of pipes and devices: a regular file or a socket is the JVM client's, for SCM_RIGHTS)
status=0; out=$(JAVA_HOME=/nonexistent "$isola" run -- sh -c 'echo no-jvm; exit 5' </dev/null 2>/dev/null) || status=$?
check "served from bash, without a client JVM" "no-jvm 5" "$out $status"
status=0; out=$(ISOLA_CLIENT=jvm "$isola" run -- sh -c 'echo jvm; exit 4') || status=$?
check "ISOLA_CLIENT=jvm: the JVM client" "jvm 4" "$out $status"
status=0; err=$(ISOLA_CLIENT=fast "$isola" run -- true 2>&1) || status=$?
check "a bad ISOLA_CLIENT is named" "125 isola: ISOLA_CLIENT \"fast\": expected shell (the default) or jvm" "$status $err"
status=0; out=$(ISOLA_SERVER=off "$isola" run -- sh -c 'echo off; exit 6') || status=$?
check "ISOLA_SERVER=off: in-process" "off 6" "$out $status"

# isola exec is served too (issue 17): from bash, with no java to be found; an engine's exec
# (with a pid file) is not, and runs in-process
cid=$("$isola" run -d -- sleep 6019 </dev/null)
status=0; out=$(JAVA_HOME=/nonexistent "$isola" exec "$cid" sh -c 'echo exec; exit 6' </dev/null 2>/dev/null) || status=$?
check "isola exec served from bash, without a JVM" "exec 6" "$out $status"
status=0; out=$(JAVA_HOME=/nonexistent "$isola" exec --pid-file "$link/exec.pid" "$cid" true </dev/null 2>&1) || status=$?
check "an engine's exec is not served (no java: exec's own failure, 1 as Docker's)" "1" "$status"
"$isola" exec --pid-file "$link/exec.pid" "$cid" true </dev/null
check "an engine's exec runs in-process and writes its pid file" 1 "$(grep -c '^[0-9][0-9]*$' "$link/exec.pid")"
"$isola" rm -f "$cid" >/dev/null </dev/null

status=0; "$isola" run --no-pid -- sh -c 'kill -9 $$' || status=$?
check "killed by SIGKILL" 137 "$status"

status=0; err=$("$isola" run --hostname 'bad name!' -- true 2>&1) || status=$?
check "bad input status" 125 "$status"
check "bad input message" "isola: hostname \"bad name!\": expected 1 to 64 letters, digits, '-' or '.', starting with a letter or digit" "$err"

check "nothing but the container's output on stdout" "" "$("$isola" --debug run -- true 2>/dev/null)"
check "--debug after run logs too" yes "$("$isola" run --debug -- true 2>&1 >/dev/null | grep -q '^\[DEBUG\]' && echo yes)"

check "version" "isola" "$("$isola" --version | cut -d' ' -f1)"

# the class-data archive: shipped, used in place, skipped silently elsewhere, remade by isola-cds
# isola's classes that came from an archive (both archives are static: the JDK's classes are in them too)
shared() { ISOLA_JAVA_OPTS=-Xlog:class+load "$@" --version | grep -c '^\[.*io\.isola\..* source: shared objects file' || true; }
for f in bin/isola-cds lib/isola.jsa lib/classpath licenses/THIRD-PARTY licenses/Apache-2.0; do
    check "tarball holds $f" 1 "$(tar -tzf "$tarball" | grep -c "^isola-[^/]*/$f$")"
done
check "CDS archive used in place" yes "$( (($(shared "$isola") > 20)) && echo yes)"
check "ISOLA_CDS=off runs without it" 0 "$(ISOLA_CDS=off shared "$isola")"
# JDK 25's AOT cache leaves out Java 5 class files (picocli's as published): lib/ ships them raised
jdk25s=(/usr/lib/jvm/temurin-25-jdk*)
jdk25=${jdk25s[0]}
[[ -d $jdk25 ]] || jdk25=
if [[ -n $jdk25 ]]; then
    picocli=$(JAVA_HOME=$jdk25 ISOLA_JAVA_OPTS=-Xlog:class+load "$isola" --version | grep '^\[.* picocli\.' || true)
    check "JDK 25's AOT cache holds picocli: from a jar, from the cache" "0 yes" \
        "$(grep -vc 'source: shared objects file' <<<"$picocli") $( (($(grep -c 'source: shared objects file' <<<"$picocli") > 20)) && echo yes)"
fi
client_shared() { ISOLA_CLIENT_JAVA_OPTS=-Xlog:class+load "$1" ps | grep -c 'client.Client source: shared objects file' || true; }
check "the thin client maps its own archive" 1 "$(client_shared "$isola")"
unpacked=$(mktemp -d)
trap 'stop_servers; rm -rf "$link" "$unpacked"' EXIT
tar -xzf "$tarball" -C "$unpacked"
moved=$(echo "$unpacked"/isola-*/bin/isola)
check "unpacked elsewhere: stale archive skipped without a word" "isola" \
    "$("$moved" --version 2>&1 | cut -d' ' -f1)"
check "unpacked elsewhere: no archive mapped" 0 "$(shared "$moved")"
"${moved%/isola}/isola-cds" --quiet
check "unpacked elsewhere: isola-cds makes one that maps" yes "$( (($(shared "$moved") > 20)) && echo yes)"
check "unpacked elsewhere: the client's archive maps too" 1 "$(client_shared "$moved")"
check "unpacked elsewhere: runs" $'moved\n1' "$("$moved" run --hostname moved -- sh -c 'hostname; echo $$')"

check "isola plugins lists the built-in isolators" "cgroup ipc mount net pid user uts" \
    "$("$isola" plugins | awk 'NR > 1 && $NF == "default" {print $1}' | sort | xargs)"
# user only when a run asks; net on: no container shares the host's network unless it asks (issue 23)
check "user is off by default" "user" \
    "$("$isola" plugins | awk 'NR > 1 && $(NF-2) == "off" {print $1}' | sort | xargs)"

# a configuration directory of our own: uts off by default, back on with --uts private
conf=$(mktemp -d)
trap 'stop_servers; rm -rf "$link" "$unpacked" "$conf"' EXIT
cp "$dist"/conf/* "$conf"/
sed -i 's/^enabled = true/enabled = false/' "$conf/io.isola.ns.uts.cfg"
host_uts=$(readlink /proc/self/ns/uts)
check "uts off in the config" "$host_uts" "$(ISOLA_CONF=$conf "$isola" run -- readlink /proc/self/ns/uts)"
check "--uts overrides the config" yes \
    "$("$isola" --config "$conf" run --uts private -- readlink /proc/self/ns/uts | grep -vqxF "$host_uts" && echo yes)"
printf 'enabled = true\ndomainname = not valid!\n' > "$conf/io.isola.ns.uts.cfg"
status=0; err=$("$isola" --config "$conf" run -- true 2>&1) || status=$?
check "bad config value status" 125 "$status"
check "bad config value names file and key" yes \
    "$(grep -qF "$conf/io.isola.ns.uts.cfg: domainname \"not valid!\": expected" <<<"$err" && echo yes)"

# podman drives bin/isola as its OCI runtime: create runs in-process (its container must be a child
# of conmon) and starts a server for the start, state and delete that follow; the server leaves
# conmon's cgroup for isola-server
if command -v podman >/dev/null && [[ -x /bin/busybox ]]; then
    pod=$(mktemp -d)
    podman_() {
        podman --root "$pod/storage" --runroot "$pod/run" --tmpdir "$pod/tmp" --storage-driver vfs \
            --cgroup-manager cgroupfs --events-backend file "$@"
    }
    # shellcheck disable=SC2317 # called by the EXIT trap below
    podman_gone() {
        podman_ rm --all --force >/dev/null 2>&1 || true
        podman_ rmi --all --force >/dev/null 2>&1 || true
        # what podman still has mounted below its directory (container shm), deepest first
        awk -v d="$pod/" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l
        rm -rf "$pod"
    }
    trap 'podman_gone; stop_servers; rm -rf "$link" "$unpacked" "$conf"' EXIT
    mkdir -p "$pod/rootfs/bin" "$pod/rootfs/proc" "$pod/rootfs/sys" "$pod/rootfs/dev" "$pod/rootfs/etc" "$pod/rootfs/tmp"
    cp /bin/busybox "$pod/rootfs/bin/"
    ln -s busybox "$pod/rootfs/bin/sh"
    ln -s busybox "$pod/rootfs/bin/echo"
    ln -s busybox "$pod/rootfs/bin/sleep"
    ln -s busybox "$pod/rootfs/bin/tty"
    tar -C "$pod/rootfs" -cf "$pod/rootfs.tar" .
    podman_ import --quiet "$pod/rootfs.tar" localhost/isola-smoke >/dev/null
    # podman gives a runtime a few variables only: this run's server directory goes through a script
    printf '#!/bin/sh\nexport ISOLA_SERVER_DIR=%q ISOLA_SERVER_IDLE=120\nexec %q "$@"\n' "$ISOLA_SERVER_DIR" "$isola" >"$pod/runtime"
    chmod +x "$pod/runtime"
    stop_servers
    for _ in $(seq 100); do # until they have gone, so that only podman's calls can start one
        [[ -z $(live_servers) ]] && break
        sleep 0.2
    done
    status=0; out=$(podman_ --runtime "$pod/runtime" run --rm --network none --ulimit nofile=1024:1024 \
        --ulimit nproc=1024:1024 localhost/isola-smoke sh -c 'echo from-podman; exit 3') || status=$?
    check "podman run with bin/isola as its runtime" "from-podman 3" "$out $status"
    servers=0 outside=0
    for pid in $(live_servers); do
        servers=$((servers + 1))
        outside=$((outside + $(grep -vc ':/isola-server$' "/proc/$pid/cgroup" || true)))
    done
    check "podman's create started a server" yes "$( ((servers > 0)) && echo yes)"
    check "the server left conmon's cgroups for isola-server" 0 "$outside"
    # exec -t hands conmon the terminal through its console socket; pause freezes the cgroup
    # podman named (libpod-ID), state says so, and rm -f of a paused container thaws and kills it
    engine() { podman_ --runtime "$pod/runtime" "$@"; }
    engine run -d --name smoke-pause --network none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 \
        localhost/isola-smoke sleep 6017 >/dev/null
    check "podman exec -t with bin/isola" /dev/pts/0 "$(engine exec -t smoke-pause tty | tr -d '\r')"
    engine pause smoke-pause >/dev/null
    check "podman pause" paused "$(engine inspect -f '{{.State.Status}}' smoke-pause)"
    engine rm -f smoke-pause >/dev/null
    check "podman rm -f of a paused container kills it" "" "$(pgrep -f 'sleep 6017' || true)"
fi
exit "$failed"
