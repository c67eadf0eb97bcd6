#!/usr/bin/env bash
# Checks that a user who is not root runs the built distribution with no help from root: a user
# made for the check (useradd gives it /etc/subuid and /etc/subgid ranges) runs bin/isola.
# Usage, as root, after a build: scripts/smoke-rootless.sh
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
isola=$repo/dist/target/isola/bin/isola
# in-process: a resident server would outlive this check (smoke-dist.sh covers the server)
export ISOLA_SERVER=off
user=isolasmoke$$
failed=0

useradd --create-home --shell /bin/sh "$user"
uid=$(id -u "$user")
planted=/tmp/isola-planted-$$
work=$(mktemp -d /tmp/isola-smoke-rootless.XXXXXX)
trap 'userdel --remove "$user" 2>/dev/null; rm -rf "/tmp/isola-$uid" "$work" "$planted" "$planted.link"' EXIT
sub=$(grep "^$user:" /etc/subuid | cut -d: -f2)

# A docker-save tarball of the host's static busybox, as root would get it from a registry: the
# busybox layer with /gone and /dir/old, then a layer that deletes /gone and makes /dir opaque
# with /dir/new (the user's import writes a 0/0 device and user.overlay.opaque, both unprivileged)
image_tar() {
    local layer=$work/layer upper=$work/upper img=$work/img diff config diffs=() layers=()
    mkdir -p "$layer/bin" "$layer/etc" "$layer/proc" "$layer/dev" "$layer/sys" "$layer/tmp" "$layer/dir" "$img" \
        "$upper/dir"
    cp /bin/busybox "$layer/bin/"
    for applet in sh id ls stat touch chown cat; do ln -s busybox "$layer/bin/$applet"; done
    printf 'root:x:0:0::/root:/bin/sh\napp:x:1000:1000::/:/bin/sh\n' >"$layer/etc/passwd"
    printf 'root:x:0:\napp:x:1000:\n' >"$layer/etc/group"
    echo gone >"$layer/gone"
    echo old >"$layer/dir/old"
    : >"$upper/.wh.gone"
    : >"$upper/dir/.wh..wh..opq"
    echo new >"$upper/dir/new"
    for tree in "$layer" "$upper"; do
        tar --sort=name --owner=0 --group=0 --numeric-owner -C "$tree" -cf "$work/layer.tar" .
        diff=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
        mkdir "$img/$diff" && mv "$work/layer.tar" "$img/$diff/layer.tar"
        diffs+=("\"sha256:$diff\"") layers+=("$diff/layer.tar")
    done
    printf '{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/bin"],"Cmd":["/bin/sh"]},"rootfs":{"type":"layers","diff_ids":[%s,%s]}}' \
        "${diffs[0]}" "${diffs[1]}" >"$img/config.json"
    config=$(sha256sum "$img/config.json" | cut -d' ' -f1).json
    mv "$img/config.json" "$img/$config"
    printf '[{"Config":"%s","RepoTags":["smoke/busybox:1"],"Layers":["%s","%s"]}]' "$config" "${layers[0]}" "${layers[1]}" \
        >"$img/manifest.json"
    tar -C "$img" -cf "$work/busybox.tar" "$config" "${layers[@]}" manifest.json
    chmod 755 "$work" && chmod 644 "$work/busybox.tar"
}

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
# --net host: a container whose root is a subuid cannot yet reach the network's generated /etc
# files in the user's private runtime directory (issue 22's rootless part; root stages them)
check "a 65536 range of subuids" "0 $sub 65536" "$(as_user run --uidmap "0:$sub:65536" --net host -- cat /proc/self/uid_map | squeeze)"
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
trap 'userdel --remove "$user" 2>/dev/null; rm -rf "/tmp/isola-$uid" "$work" "$rootfs" "$planted" "$planted.link"' EXIT
runuser -u "$user" -- sh -c "mkdir -p $rootfs/bin $rootfs/etc $rootfs/proc $rootfs/dev $rootfs/sys && cp /bin/busybox $rootfs/bin/ && ln -s busybox $rootfs/bin/sh && ln -s busybox $rootfs/bin/cat && ln -s busybox $rootfs/bin/hostname"
before=$(cd "$rootfs" && find . | sort | md5sum)
check "--rootfs --net none: the generated /etc/hostname inside" "same" \
    "$(as_user run --rootfs "$rootfs" --net none -- sh -c 'test "$(cat /etc/hostname)" = "$(hostname)" && grep -q localhost /etc/hosts && echo same')"
check "--rootfs directory unchanged afterwards" "$before" "$(cd "$rootfs" && find . | sort | md5sum)"
# net/containers: the network state of containers (none left); rootfs: the --rootfs lock files
check "state and bundle caches in the user's own directory, no container left" "$user 0" \
    "$(stat -c %U "/tmp/isola-$uid") $(find "/tmp/isola-$uid" -mindepth 1 -type d -not -path '*/net' \
        -not -path '*/net/containers' -not -path '*/rootfs' | wc -l)"
check "the user's state directory is private" "700 $user" "$(stat -c '%a %U' "/tmp/isola-$uid")"
# a state root somebody else made (here root, mode 1777, as /tmp) or linked is refused, and left as it was
mkdir -m 1777 "$planted"
ln -s "$planted" "$planted.link"
status=0; err=$(as_user --root "$planted" list 2>&1) || status=$?
check "a state root of somebody else's refused" "125 isola: state directory $planted belongs to uid 0, not to you (uid $uid); remove it or give a directory of your own" "$status $err"
status=0; err=$(as_user --root "$planted.link" list 2>&1) || status=$?
check "a state root that is a link refused" "125 0" "$status $(find "$planted" -mindepth 1 | wc -l)"

# an image, imported and run by the user with a 65536 range of its subuids: root inside, sensible owners
image_tar
as_user image import "$work/busybox.tar" >/dev/null
check "the user's own image store" "$user" "$(stat -c %U "/home/$user/.local/share/isola/layers")"
check "an image with a 65536 subuid range: root inside, its files root's, --user names from its /etc/passwd" \
    $'0\n0 0\n0 0\n0 0\n1000 1000\n0 '"$uid"$' 1\n1 '"$sub"$' 65536\n1000' \
    "$(as_user run --rm --uidmap "0:$uid:1" --uidmap "1:$sub:65536" --image smoke/busybox:1 -- sh -c \
        'id -u; stat -c "%u %g" / /bin/busybox /etc/passwd; touch /new; chown app:app /new; stat -c "%u %g" /new;
         cat /proc/self/uid_map' | squeeze
      as_user run --rm --uidmap "0:$uid:1" --uidmap "1:$sub:65536" --image smoke/busybox:1 --user app -- id -u)"
check "the image's whiteout and opaque directory, rootless" $'no-gone\nnew' \
    "$(as_user run --rm --uidmap "0:$uid:1" --uidmap "1:$sub:65536" --image smoke/busybox:1 -- sh -c \
        '[ -e /gone ] || echo no-gone; ls /dir')"
check "no writable layer left" 0 "$(find "/home/$user/.local/share/isola/containers" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)"
exit "$failed"
