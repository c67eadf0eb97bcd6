#!/usr/bin/env bash
# The checks scripts/smoke-vm.sh runs in its second guest: Debian 12's kernel booted with SELinux
# (permissive: the labels show as applied, and the policy's denials of a guest whose files are
# unlabelled 9p only log), Debian's selinux-policy-default loaded from the host's /etc/selinux.
# What a process in the container sees: its context (/proc/self/attr/current) and the context= of
# the file systems isola made for it (/proc/self/mountinfo), for Docker's label= options and an
# OCI bundle's process.selinuxLabel and linux.mountLabel. Last line "smoke-vm: result N".
# Debian's policy has no container_t: the refpolicy's svirt_t and svirt_image_t stand in.
set -uo pipefail

# shellcheck source=smoke-vm-checks.bash
. "$(dirname "${BASH_SOURCE[0]}")/smoke-vm-checks.bash"

load_policy -i 2>&1 | grep -v '^$' || true
check "SELinux enabled, permissive, Debian's policy loaded" "0 system_u:system_r:kernel_t:s0" \
    "$(cat /sys/fs/selinux/enforce 2>&1) $(tr -d '\0' </proc/self/attr/current)"

label=system_u:system_r:svirt_t:s0:c1,c2
mount_label=system_u:object_r:svirt_image_t:s0:c1,c2
labels=(--security-opt label=type:svirt_t --security-opt "label=level:s0:c1,c2" --security-opt label=filetype:svirt_image_t)

# Before any other isola command: a detached container with labels, run in-process by the JVM
# client. No server runs yet, and under TCG the one the client starts may not listen within the
# 60 s the client waits, when it runs the command itself: here made certain by a server that
# cannot start. Its monitor JVM was given the client's class path alone and ended at once
# (NoClassDefFoundError: picocli/CommandLine), its log removed with the container's state.
id=$(ISOLA_CLIENT_JAVA_OPTS=-Disola.server.command=/bin/false "$isola" run -d "${labels[@]}" -- sleep 60 2>&1)
check "first command, no server: run -d with labels in-process, exec: the exec's context" "$label" \
    "$("$isola" exec "$id" sh -c 'tr -d "\0" </proc/self/attr/current' 2>&1)"
"$isola" rm -f "$id" >/dev/null 2>&1
# what the container sees: its context, then the point and context of each mount that has one
# shellcheck disable=SC2016 # for the container's shell
sees='tr -d "\0" </proc/self/attr/current; echo; grep -o "^[0-9]* [0-9]* [0-9:]* [^ ]* [^ ]* .*context=\"[^\"]*\"" /proc/self/mountinfo | awk "{ print \$5, \$NF }" | sed "s/ .*context=/ /"'
# sees' output: its context, the mounts named, and whether every context= is the mount label (the
# sandbox's own tmpfs mounts and the masks' have it too; mqueue has none: its mount refuses one)
summary() { # MOUNT-POINT...
    local out points
    out=$(cat)
    points=$(printf '%s|' "$@")
    head -n 1 <<<"$out"
    grep -E "^(${points%|}) " <<<"$out" | sort
    echo "other contexts: $(tail -n +2 <<<"$out" | grep -cv " \"$mount_label\"\$")"
}
expected() { # MOUNT-POINT...
    echo "$label"
    local point
    for point; do echo "$point \"$mount_label\""; done | sort
    echo "other contexts: 0"
}

# the verbs from here on go to the resident server (the exec above started it, or this run does)
check "run --security-opt label=type:,level:,filetype:: the command's context, its mounts' context=" \
    "$(expected /dev /dev/pts /dev/shm /tmp)" \
    "$("$isola" run "${labels[@]}" -- sh -c "$sees" 2>&1 | summary /dev /dev/pts /dev/shm /tmp)"
# a detached container, served by the resident server: an exec's process gets its label too, as
# docker exec's does (none would be a way out)
id=$("$isola" run -d "${labels[@]}" -- sleep 60 2>&1)
check "run -d with labels, served, exec: the exec's context" "$label" \
    "$("$isola" exec "$id" sh -c 'tr -d "\0" </proc/self/attr/current' 2>&1)"
"$isola" rm -f "$id" >/dev/null 2>&1

bundle=/tmp/bundle
mkdir -p "$bundle/rootfs/bin"
cp /bin/busybox "$bundle/rootfs/bin/busybox"
chroot "$bundle/rootfs" /bin/busybox --install -s /bin
(cd "$bundle" && runc spec)
# (jq's $label is a keyword)
jq --arg sees "{ $sees; } >/result.tmp && mv /result.tmp /result" --arg process "$label" --arg mount "$mount_label" \
    '.root.readonly = false | .process.terminal = false | .process.args = ["sh", "-c", $sees] | .process.selinuxLabel = $process
        | .linux.mountLabel = $mount
        | .mounts += [{"destination": "/scratch", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid"]}]' \
    "$bundle/config.json" >"$bundle/config.new" && mv "$bundle/config.new" "$bundle/config.json"
out=$("$isola" --root /run/isola-oci create --bundle "$bundle" sel1 2>&1 && "$isola" --root /run/isola-oci start sel1 2>&1) ||
    echo "smoke-vm: create, start said: $out"
for _ in $(seq 1 300); do
    [[ -e $bundle/rootfs/result ]] && break
    sleep 0.2
done
check "OCI process.selinuxLabel and linux.mountLabel: the process's context, its mounts' and a tmpfs mount's" \
    "$(expected /dev /dev/pts /dev/shm /scratch)" \
    "$(summary /dev /dev/pts /dev/shm /scratch <"$bundle/rootfs/result" 2>&1)"
"$isola" --root /run/isola-oci delete -f sel1 >/dev/null 2>&1
check "features: selinux enabled" '{"enabled":true}' "$("$isola" features 2>&1 | jq -c .linux.selinux)"

result
