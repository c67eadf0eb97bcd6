#!/usr/bin/env bash
# Runs a command as on a machine where isola never ran, leaving the machine's own isola state
# untouched: in a private mount namespace, isola's host directories are fresh and empty, made with
# the modes isola itself gives them (/run/isola and /run/isola-server 0700, as on a new machine,
# where a user namespace's root cannot pass through them).
# Usage, as root: scripts/hermetic.sh COMMAND [ARG...]   (scripts/test.sh runs the suite so)
#
# /var/lib/isola (image stores, writable layers) is a fresh directory on disk, not a tmpfs, so that
# images fit; it is removed at the end. Every process still running in the namespace when COMMAND
# ends (a resident server a test started, a containerd) is stopped first, by its pid.
set -euo pipefail

if [[ ${ISOLA_HERMETIC_NS:-} != "$$" ]]; then
    if [[ $(id -u) -ne 0 ]]; then
        echo "hermetic: run as root (it mounts over isola's host directories in a private mount namespace)" >&2
        exit 1
    fi
    # exec keeps the pid: the shell inside knows it is the one that entered the namespace
    ISOLA_HERMETIC_NS=$$ exec unshare --mount --propagation private "$0" "$@"
fi

# path and mode of each directory isola keeps on the host (OwnedPaths, ServerStarter, ImageStore,
# the network isolator, bin/isola's class-data cache)
private_dirs=(/run/isola:0700 /run/isola-server:0700 /run/isola-sandbox:0755 /run/isola-binds:0755 /etc/isola:0755
    /var/cache/isola:0755)
created=()    # mount points this script had to make on the host, removed again if still empty
scratch=$(mktemp -d /var/tmp/isola-hermetic.XXXXXX)

mount_point() { # path: make an empty directory to mount on, remembering it when the host lacked it
    if [[ ! -e $1 ]]; then
        mkdir -p "$1"
        created+=("$1")
    fi
}

# pids of the processes in this mount namespace other than this shell and its own subshells
namespace_pids() {
    local own dir pid
    own=$(readlink /proc/$$/ns/mnt)
    for dir in /proc/[0-9]*; do
        pid=${dir#/proc/}
        [[ $pid == "$$" || $pid == "$BASHPID" ]] && continue
        [[ $(readlink "$dir/ns/mnt" 2>/dev/null) == "$own" ]] || continue
        grep -qs "^PPid:[[:space:]]*$BASHPID$" "$dir/status" && continue # a command of this loop
        echo "$pid"
    done
}

finish() {
    local status=$? pid tries
    for pid in $(namespace_pids); do
        kill "$pid" 2>/dev/null || true
    done
    for ((tries = 0; tries < 50; tries++)); do # 5 s for them to exit on SIGTERM
        [[ -z $(namespace_pids) ]] && break
        sleep 0.1
    done
    for pid in $(namespace_pids); do
        echo "hermetic: process $pid did not stop on SIGTERM: killing it" >&2
        kill -KILL "$pid" 2>/dev/null || true
    done
    umount -R /var/lib/isola 2>/dev/null || true
    rm -rf --one-file-system "$scratch"
    local dir
    for dir in "${created[@]}"; do
        umount -R "$dir" 2>/dev/null || true
        rmdir "$dir" 2>/dev/null || true
    done
    exit "$status"
}
trap finish EXIT

for entry in "${private_dirs[@]}"; do
    dir=${entry%:*}
    mount_point "$dir"
    mount -t tmpfs -o "mode=${entry#*:},size=256m" isola-hermetic "$dir"
done
mkdir -m 0755 "$scratch/lib"
mount_point /var/lib/isola
mount --bind "$scratch/lib" /var/lib/isola

"$@"
