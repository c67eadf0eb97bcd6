#!/usr/bin/env bash
# Checks that a user who is not root runs the built distribution with no help from root: a user
# made for the check (useradd gives it /etc/subuid and /etc/subgid ranges) runs bin/isola.
# Usage, as root, after a build: scripts/smoke-rootless.sh
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
isola=$repo/dist/target/isola/bin/isola
user=isolasmoke$$
failed=0

useradd --create-home --shell /bin/sh "$user"
uid=$(id -u "$user")
trap 'userdel --remove "$user" 2>/dev/null; rm -rf "/tmp/isola-$uid"' EXIT
sub=$(grep "^$user:" /etc/subuid | cut -d: -f2)

check() { # name expected actual
    if [[ $2 == "$3" ]]; then
        echo "smoke-rootless: ok: $1"
    else
        echo "smoke-rootless: FAILED: $1: expected '$2', got '$3'" >&2
        failed=1
    fi
}
as_user() { (cd /tmp && runuser -u "$user" -- "$isola" "$@"); }
squeeze() { tr -s ' \t' ' ' | sed 's/^ //'; }

check "own uid is root inside, subuid range above" $'0\n0 '"$uid"$' 1\n1 '"$sub"' 65536' \
    "$(as_user run -- sh -c 'id -u; cat /proc/self/uid_map' | squeeze)"
check "other namespaces inside it: PID 1" 1 "$(as_user run -- sh -c 'echo $$')"
check "a 65536 range of subuids" "0 $sub 65536" "$(as_user run --uidmap "0:$sub:65536" -- cat /proc/self/uid_map | squeeze)"
check "only its own ids: setgroups denied" deny "$(as_user run --uidmap "0:$uid:1" -- cat /proc/self/setgroups)"
check "--user: no capabilities" $'1000\nCapEff: 0000000000000000' \
    "$(as_user run --user 1000:1000 -- sh -c 'id -u; grep CapEff /proc/self/status' | squeeze)"
status=0; err=$(as_user run --uidmap 0:0:1 -- true 2>&1) || status=$?
check "host root's id refused" "125 isola: uid map \"0:0:1\": host uids 0-0 are not yours to map; as uid $uid you may map your own uid $uid and the /etc/subuid ranges [$sub-$((sub + 65535))]" "$status $err"
status=0; err=$(as_user run --memory 64m -- true 2>&1) || status=$?
check "limits refused in one line" "125 1" "$status $(grep -c . <<<"$err")"
status=0; err=$(as_user run --net bridge -- true 2>&1) || status=$?
check "bridge networking refused in one line" "125 1 1" "$status $(grep -c . <<<"$err") $(grep -c 'needs root.*use --net none (only lo) or --net host' <<<"$err")"
status=0; err=$(as_user run -p 8080:80 -- true 2>&1) || status=$?
check "published ports refused in one line" "125 1 1" "$status $(grep -c . <<<"$err") $(grep -c 'published ports need root' <<<"$err")"
check "--net none: only lo, and it is up" "lo 0x9" \
    "$(as_user run --net none -- sh -c 'ls /sys/class/net; cat /sys/class/net/lo/flags' | tr '\n' ' ' | sed 's/ $//')"
rootfs=$(runuser -u "$user" -- mktemp -d /tmp/isola-smoke-rootfs.XXXXXX)
trap 'userdel --remove "$user" 2>/dev/null; rm -rf "/tmp/isola-$uid" "$rootfs"' EXIT
runuser -u "$user" -- sh -c "mkdir -p $rootfs/bin $rootfs/etc $rootfs/proc $rootfs/dev $rootfs/sys && cp /bin/busybox $rootfs/bin/ && ln -s busybox $rootfs/bin/sh && ln -s busybox $rootfs/bin/cat && ln -s busybox $rootfs/bin/hostname"
before=$(cd "$rootfs" && find . | sort | md5sum)
check "--rootfs --net none: the generated /etc/hostname inside" "same" \
    "$(as_user run --rootfs "$rootfs" --net none -- sh -c 'test "$(cat /etc/hostname)" = "$(hostname)" && grep -q localhost /etc/hosts && echo same')"
check "--rootfs directory unchanged afterwards" "$before" "$(cd "$rootfs" && find . | sort | md5sum)"
# net/containers: the network state of containers (none left); rootfs: the --rootfs lock files
check "state and bundle caches in the user's own directory, no container left" "$user 0" \
    "$(stat -c %U "/tmp/isola-$uid") $(find "/tmp/isola-$uid" -mindepth 1 -type d -not -path '*/net' \
        -not -path '*/net/containers' -not -path '*/rootfs' | wc -l)"
exit "$failed"
