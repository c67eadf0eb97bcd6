#!/usr/bin/env bash
# The checks scripts/smoke-vm.sh runs inside its pure cgroup v2 guest (Debian 12's kernel 6.1,
# every controller on v2), as root, with the host's files read-only and tmpfs where isola writes.
# Each check prints "smoke-vm: ok: ..." or "smoke-vm: FAILED: ..."; the last line is
# "smoke-vm: result N" (N failures), which the host script reads.
# A JVM start takes ~30 s under software emulation: the served verbs go to one resident server
# (its start is paid once), and the checks are few.
set -uo pipefail

# shellcheck source=smoke-vm-checks.bash
. "$(dirname "${BASH_SOURCE[0]}")/smoke-vm-checks.bash"
started=$(uptime)

echo "smoke-vm: guest kernel $(uname -r), checks start at $started s of uptime"
check "/sys/fs/cgroup is cgroup2 alone" "cgroup2fs 0" \
    "$(stat -f -c %T /sys/fs/cgroup) $(grep -c ' cgroup ' /proc/mounts)"
check "the v2 root offers cpu, io, memory, pids" "cpu io memory pids" \
    "$(tr ' ' '\n' </sys/fs/cgroup/cgroup.controllers | grep -xE 'cpu|io|memory|pids' | xargs)"

# the first run also starts the resident server (one JVM start, then none for served verbs)
check "default container: hostname, own cgroup namespace" $'vm\n0::/' \
    "$("$isola" run --hostname vm -- sh -c 'hostname; cat /proc/self/cgroup' 2>&1)"

status=0
err=$("$isola" run --memory 32m -- tail /dev/zero 2>&1 >/dev/null) || status=$?
check "--memory 32m: OOM kill, exit 137" 137 "$status"
check "--memory 32m: reported" 1 "$(grep -c 'ran out of memory (limit 32m): the kernel killed it' <<<"$err")"

# dash exits 2 ("Cannot fork") when the pids controller refuses the 8th process
status=0
out=$("$isola" run --pids-limit 8 --cpus 0.5 -- sh -c \
    'cat /sys/fs/cgroup/pids.max /sys/fs/cgroup/cpu.max; for i in 1 2 3 4 5 6 7 8 9 10; do sleep 60 & done; echo all-forked' \
    2>/dev/null) || status=$?
check "--pids-limit 8, --cpus 0.5: pids.max, cpu.max" $'8\n50000 100000' "$out"
check "--pids-limit 8: the 8th fork is refused" 2 "$status"

# devices: the default list allows mknod of any device but not opening it (/dev/kmsg, c 1:11, is
# not in it; writing it needs no capability); a rule or --device allows it. The node is made in
# the container's /dev: its /tmp is nodev (EACCES whatever the rules)
device_test='mknod /dev/kmsg2 c 1 11 && echo isola-smoke-vm >/dev/kmsg2 && echo written'
check "default device list: open of c 1:11 refused" "Operation not permitted" \
    "$("$isola" run -- sh -c "$device_test" 2>&1 | grep -o 'Operation not permitted')"
check "--device-cgroup-rule 'c 1:11 w': allowed" written \
    "$("$isola" run --device-cgroup-rule 'c 1:11 w' -- sh -c "$device_test" 2>&1)"
check "--device /dev/kmsg: node made and allowed" written \
    "$("$isola" run --device /dev/kmsg -- sh -c 'echo isola-smoke-vm >/dev/kmsg && echo written' 2>&1)"

# a root of its own, and user namespaces over it (explicit maps: the guest's /etc/subuid is the
# host's, read-only). Idmapped mounts of a tmpfs, as /tmp is here, need Linux 6.3: on 6.1 a root
# owned by host root is refused with advice, and one owned by the mapped range runs
rootfs=/tmp/rootfs
mkdir -p "$rootfs/bin"
cp /bin/busybox "$rootfs/bin/busybox"
# busybox links the path it ran as, so run in the root: /bin/busybox there. One process, where an
# ln per applet took ~14 s of forks under TCG
chroot "$rootfs" /bin/busybox --install -s /bin
check "--rootfs busybox" $'rootfs\n1' \
    "$("$isola" run --rootfs "$rootfs" --hostname rootfs -- sh -c 'hostname; echo $$' 2>&1)"
check "--uidmap --rootfs of host root on tmpfs: refused on 6.1, no idmapped tmpfs" 1 \
    "$("$isola" run --uidmap 0:3000000:65536 --rootfs "$rootfs" -- true 2>&1 |
        grep -c 'cannot be idmapped (mount_setattr(MOUNT_ATTR_IDMAP) on /tmp/rootfs failed: EINVAL')"
cp -a "$rootfs" /tmp/rootfs-mapped
chown -hR 3000000:3000000 /tmp/rootfs-mapped
check "--uidmap --rootfs owned by the range: root inside is host uid 3000000" $'0\n0 3000000 65536' \
    "$("$isola" run --uidmap 0:3000000:65536 --rootfs /tmp/rootfs-mapped -- sh -c 'id -u; cat /proc/self/uid_map' 2>&1 |
        awk '{ $1 = $1; print }')"

# images on 6.1, whose overlayfs reads no xattr whiteouts and whose tmpfs (the store here) has no
# user xattrs: whiteouts are character devices 0/0 and opaque directories trusted.overlay.opaque.
# Two layers: the busybox rootfs with /etc/gone, /etc/kept, /etc/sub/old and /dir/old; then a whiteout of
# /etc/gone and /dir made opaque with /dir/new (an image's layers as docker save writes them)
image=/tmp/image
mkdir -p "$image" /tmp/layer1 /tmp/layer2/etc /tmp/layer2/dir
cp -a "$rootfs/." /tmp/layer1/
mkdir -p /tmp/layer1/etc/sub /tmp/layer1/dir
echo old >/tmp/layer1/etc/sub/old
echo gone >/tmp/layer1/etc/gone
echo kept >/tmp/layer1/etc/kept
echo old >/tmp/layer1/dir/old
: >/tmp/layer2/etc/.wh.gone
: >/tmp/layer2/dir/.wh..wh..opq
echo new >/tmp/layer2/dir/new
diff_ids=() layers=()
for n in 1 2; do
    tar -C "/tmp/layer$n" --numeric-owner -cf "$image/layer.tar" .
    digest=$(sha256sum "$image/layer.tar" | cut -d' ' -f1)
    mkdir "$image/$digest" && mv "$image/layer.tar" "$image/$digest/layer.tar"
    diff_ids+=("\"sha256:$digest\"") layers+=("\"$digest/layer.tar\"")
done
join() { local IFS=,; echo "$*"; }
printf '{"architecture":"amd64","os":"linux","config":{"Cmd":["sh"]},"rootfs":{"type":"layers","diff_ids":[%s]}}' \
    "$(join "${diff_ids[@]}")" >"$image/config.json"
config=$(sha256sum "$image/config.json" | cut -d' ' -f1)
mv "$image/config.json" "$image/$config.json"
printf '[{"Config":"%s.json","RepoTags":["vm/busybox:1"],"Layers":[%s]}]' "$config" "$(join "${layers[@]}")" \
    >"$image/manifest.json"
tar -C "$image" -cf /tmp/image.tar .
check "image import" "vm/busybox:1 sha256:$config" "$("$isola" image import /tmp/image.tar 2>&1)"
sees='cat /etc/kept; [ -e /etc/gone ] || echo no-gone; ls /dir'
check "run IMAGE: the whiteout hides /etc/gone, the opaque /dir shows only its layer's file" $'kept\nno-gone\nnew' \
    "$("$isola" run --rm vm/busybox:1 sh -c "$sees" 2>&1)"
# the container's own changes, in its writable layer: a deletion, a file added to the image's
# opaque /dir, and a directory made anew (opaque in the writable layer)
"$isola" run --name vmimage vm/busybox:1 sh -c \
    'rm /etc/kept; echo added >/dir/added; rm -r /etc/sub; mkdir /etc/sub; echo again >/etc/sub/again' >/dev/null 2>&1
"$isola" export vmimage >/tmp/vmimage.tar 2>/dev/null
check "export: the merged view, without what the image or the container deleted" "dir/added dir/new etc/sub/again" \
    "$(tar -tf /tmp/vmimage.tar 2>&1 | grep -E '^(etc/(gone|kept|sub/.)|dir/.)' | sort | xargs)"
"$isola" commit vmimage vm/changed >/dev/null 2>&1
check "commit, run of the commit: the container's deletion, its file and its new /etc/sub kept" \
    $'no-kept\nno-gone\nadded\nnew\nagain' \
    "$("$isola" run --rm vm/changed sh -c \
        '[ -e /etc/kept ] || echo no-kept; [ -e /etc/gone ] || echo no-gone; ls /dir; ls /etc/sub' 2>&1)"
"$isola" rm vmimage >/dev/null 2>&1
check "rm: no writable layer left" "" "$(ls /var/lib/isola/containers 2>&1)"
status=0
err=$("$isola" run --rm --uidmap 0:3000000:65536 vm/busybox:1 true 2>&1) || status=$?
check "run IMAGE --uidmap: refused, the store's tmpfs has no user xattrs on 6.1" "125 1" \
    "$status $(grep -c 'has no user xattrs, from which overlayfs mounted in a user namespace reads opaque directories' <<<"$err")"

# AppArmor, which Debian's kernel enables: a profile that denies reading one file, loaded with the
# host's apparmor_parser (the package apparmor; its cache is skipped, the root is read-only). The
# container's command and an exec's are confined by it (docker exec's inherits the container's)
if [[ $(cat /sys/module/apparmor/parameters/enabled 2>/dev/null) == Y ]] && command -v apparmor_parser >/dev/null; then
    mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
    printf '%s\n' 'abi <abi/3.0>,' 'profile isola-smoke flags=(attach_disconnected,mediate_deleted) {' \
        '  file, capability, network, mount, umount, pivot_root, signal, ptrace, unix,' \
        '  deny /etc/debian_version r,' '}' >/tmp/isola-smoke.aa
    apparmor_parser -r -K /tmp/isola-smoke.aa 2>&1 | grep -v '^Warning' || true
    "$isola" run -d --name aa1 --security-opt apparmor=isola-smoke -- sleep 600 >/dev/null 2>&1
    check "--security-opt apparmor=PROFILE: the container's command and an exec are confined, the read denied" \
        $'isola-smoke (enforce)\nisola-smoke (enforce)\nPermission denied' \
        "$("$isola" exec aa1 sh -c 'cat /proc/1/attr/current /proc/self/attr/current; cat /etc/debian_version 2>&1 | grep -o "Permission denied"' 2>&1)"
    "$isola" rm -f aa1 >/dev/null 2>&1
else
    echo "smoke-vm: FAILED: AppArmor is not enabled in the guest, or apparmor_parser is missing"
    failed=$((failed + 1))
fi

# a detached container: pause, stats, resume, exec, rm
id=$("$isola" run -d --name vm1 --memory 64m --memory-reservation 32m --cpu-shares 1024 -- sleep 600 2>&1)
cgroup=/sys/fs/cgroup/isola/$id
check "detached container: its cgroup" 1 "$(grep -c . "$cgroup/cgroup.procs" 2>/dev/null)"
check "--memory-reservation 32m, --cpu-shares 1024: memory.high, cpu.weight (the v2 default)" "33554432 100" \
    "$(cat "$cgroup/memory.high" "$cgroup/cpu.weight" 2>&1 | xargs)"
"$isola" pause vm1 >/dev/null
check "pause: cgroup.freeze, frozen" "1 frozen 1" \
    "$(cat "$cgroup/cgroup.freeze") $(grep frozen "$cgroup/cgroup.events")"
stats=$("$isola" stats vm1 --format json 2>&1)
check "stats: memory limit 64m" 1 "$(grep -c '67108864' <<<"$stats")"
check "stats: memory.events and pressure (PSI)" "1 1" \
    "$(grep -c '"MemoryEvents"' <<<"$stats") $(grep -c '"Pressure"' <<<"$stats")"
"$isola" resume vm1 >/dev/null
check "resume: thawed" "0 frozen 0" "$(cat "$cgroup/cgroup.freeze") $(grep frozen "$cgroup/cgroup.events")"
check "exec: in the container's cgroup, its hostname" $'0::/\n'"${id:0:12}" \
    "$("$isola" exec vm1 sh -c 'cat /proc/self/cgroup; hostname' 2>&1)"
"$isola" rm -f vm1 >/dev/null
# the resident server's own cgroup stays while it runs, and the containers' parent, empty (as Docker's docker/)
check "after rm -f: no cgroup of isola's left but the server's and the containers' empty parent" \
    $'/sys/fs/cgroup/isola\n/sys/fs/cgroup/isola-server' \
    "$(find /sys/fs/cgroup -mindepth 1 -type d -name '*isola*' 2>&1 | sort; find /sys/fs/cgroup/isola -mindepth 1 -type d 2>&1)"

# rootless limits in a cgroup v2 subtree delegated to a user, made as systemd's Delegate=yes makes
# it: the directory, its cgroup.procs and cgroup.subtree_control the user's, the controllers
# enabled by its parent, the user's shell in a leaf below it (the subtree's root holds no process).
# One JVM start (as the user, in-process): --memory kills at the limit, --pids-limit is set
ruid=4000 deleg=/sys/fs/cgroup/user-4000
mkdir -p "$deleg/session" /tmp/u4000
echo "+memory +pids" >/sys/fs/cgroup/cgroup.subtree_control
chown "$ruid:$ruid" /tmp/u4000 "$deleg" "$deleg/cgroup.procs" "$deleg/cgroup.subtree_control" "$deleg/cgroup.threads" \
    "$deleg/session" "$deleg/session/cgroup.procs"
status=0
out=$(sh -c 'echo $$ >"$0/session/cgroup.procs" && exec setpriv --reuid="$1" --regid="$1" --clear-groups env HOME=/tmp/u4000 \
    ISOLA_SERVER=off "$2" run --net none --memory 32m --pids-limit 8 -- sh -c \
    "cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max; tail /dev/zero"' "$deleg" "$ruid" "$isola" 2>&1) || status=$?
check "rootless in a delegated subtree: --memory 32m and --pids-limit 8 set, OOM kill, exit 137" $'33554432\n8\n137' \
    "$(grep -xE '[0-9]+' <<<"$out"; echo "$status")"
check "rootless: the container's cgroup was in the user's subtree, and is gone" "isola" \
    "$(find "$deleg" -mindepth 1 -type d -not -name session -printf '%P\n' 2>&1 | xargs)"
[[ $status == 137 ]] || echo "smoke-vm: rootless output: $out"
# a rootless container that asks for no limits gets its cgroup there too (as podman gives one), which
# pause, stats and resume use; the verbs go to the user's resident server (one JVM start), started
# from the subtree's leaf as a login in user@UID.service would be
as_ruid() { # ISOLA-ARGS...: as uid 4000, from the leaf of its subtree
    sh -c 'echo $$ >"$0/session/cgroup.procs" && exec setpriv --reuid=4000 --regid=4000 --clear-groups \
        env HOME=/tmp/u4000 "$@"' "$deleg" "$isola" "$@"
}
rid=$(as_ruid run -d --net none -- sleep 600 2>&1)
rcg=$deleg/isola/$rid
check "rootless, no limits: a cgroup of its own in the delegated subtree" 1 \
    "$(grep -c . "$rcg/cgroup.procs" 2>/dev/null)"
[[ $rid =~ ^[0-9a-f]{64}$ ]] || echo "smoke-vm: rootless run -d said: $rid"
as_ruid pause "$rid" >/dev/null 2>&1
check "rootless pause: cgroup.freeze, frozen" "1 frozen 1" \
    "$(cat "$rcg/cgroup.freeze" 2>&1) $(grep frozen "$rcg/cgroup.events" 2>&1)"
rstats=$(as_ruid stats "$rid" --format json 2>&1)
check "rootless stats: one process, its memory use" "1 1" \
    "$(grep -cE '"PIDs": ?1[,}]' <<<"$rstats") $(grep -cE '"MemoryUsage": ?[1-9]' <<<"$rstats")"
as_ruid resume "$rid" >/dev/null 2>&1
check "rootless resume: thawed" "0 frozen 0" "$(cat "$rcg/cgroup.freeze" 2>&1) $(grep frozen "$rcg/cgroup.events" 2>&1)"
as_ruid rm -f "$rid" >/dev/null 2>&1
check "rootless rm -f: its cgroup is gone" gone "$([[ -e $rcg ]] && echo left || echo gone)"

echo "smoke-vm: checks took $(awk -v s="$started" -v e="$(uptime)" 'BEGIN { printf "%.0f", e - s }') s"
echo "smoke-vm: stats output: $stats"
echo "smoke-vm: rootless stats output: ${rstats:-}"
result
