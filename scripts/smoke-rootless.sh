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
trap 'userdel --remove "$user" 2>/dev/null; rm -rf "/tmp/isola-$uid" "/tmp/isola-$uid-mnt" "$work" "$planted" "$planted.link"' EXIT
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
# its root a subuid, which cannot search the user's private runtime directory that holds the
# network's generated /etc files: the child enters it before it takes its ids
check "a 65536 range of subuids, the network's /etc files readable" $'0 '"$sub"$' 65536\n127.0.0.1 localhost\n0' \
    "$(as_user run --uidmap "0:$sub:65536" -- sh -c 'cat /proc/self/uid_map; grep ^127.0.0.1 /etc/hosts; id -u' | squeeze)"
# as on a machine where root never ran isola (no /run/isola-sandbox): the user's own mount points
# are beside its private state directory, where a subuid root can pass
# shellcheck disable=SC2016 # expanded by the inner shell
check "a subuid root on a machine where root never ran isola" 0 \
    "$(unshare -m --propagation private bash -c 'mount -t tmpfs -o mode=755 tmpfs /run && cd /tmp &&
        runuser -u "$0" -- "$1" run --uidmap "0:$2:65536" -- id -u' "$user" "$isola" "$sub")"
check "only its own ids: setgroups denied" deny "$(as_user run --uidmap "0:$uid:1" -- cat /proc/self/setgroups)"
check "--user: no capabilities" $'1000\nCapEff: 0000000000000000' \
    "$(as_user run --user 1000:1000 -- sh -c 'id -u; grep CapEff /proc/self/status' | squeeze)"
status=0; err=$(as_user run --uidmap 0:0:1 -- true 2>&1) || status=$?
check "host root's id refused" "125 isola: uid map \"0:0:1\": host uids 0-0 are not yours to map; as uid $uid you may map your own uid $uid and the /etc/subuid ranges [$sub-$((sub + 65535))]" "$status $err"
status=0; err=$(as_user run --memory 64m -- true 2>&1) || status=$?
check "limits refused in one line, saying what the host lacks and what is needed" "125 1 1" \
    "$status $(grep -c . <<<"$err") $(grep -c 'limits need a cgroup v2 subtree that root delegated to you.*Delegate=yes.*Run as root for limits' <<<"$err")"
id=$(as_user run -d --net none -- sleep 30)
status=0; err=$(as_user pause "$id" 2>&1) || status=$?
check "pause refused, saying why" "1 1" "$status $(grep -c 'it was run by uid '"$uid"' with --no-cgroup, or where no cgroup v2 subtree was delegated to the user' <<<"$err")"
status=0; err=$(as_user stats "$id" 2>&1) || status=$?
check "stats refused, saying why" "1 1" "$status $(grep -c 'run it again in a delegated subtree, or as root, to read the stats of it' <<<"$err")"
as_user rm -f "$id" >/dev/null
# pasta (Debian's passt) for --net bridge, -p and --net pasta; it opens /dev/net/tun, which Debian's
# udev makes 0666 and this project's CI host has 0600: the checks that need it run in a private
# mount namespace with a 0666 node of its own on the tun device, the host's node left as it is
mkdir -p "$work/tun"
with_tun() { # CMD...: in a private mount namespace whose /dev/net/tun the user may open
    # shellcheck disable=SC2016 # expanded by the inner shell
    unshare -m --propagation private bash -c 'mount -t tmpfs -o mode=755,size=16k tmpfs "$0" &&
        mknod -m 666 "$0/tun" c 10 200 && mount --bind "$0/tun" /dev/net/tun && "$@"' "$work/tun" "$@"
}
if ! runuser -u "$user" -- test -w /dev/net/tun; then
    status=0; err=$(as_user run --net bridge -- true 2>&1) || status=$?
    check "a tun device the user cannot open refused, saying how distributions set it" "125 1 1" \
        "$status $(grep -c . <<<"$err") $(grep -c 'pasta needs to open /dev/net/tun, which uid '"$uid"' may not (mode 0600, owner uid 0); distributions make it 0666' <<<"$err")"
fi
# pasta hidden behind /dev/null in the private mount namespace
status=0
# shellcheck disable=SC2016 # expanded by the inner shell
err=$(with_tun bash -c 'mount --bind /dev/null /usr/bin/pasta && cd /tmp && runuser -u "$0" -- "$1" run -p 8080:80 -- true' \
    "$user" "$isola" 2>&1) || status=$?
check "no pasta: refused in one line" "125 isola: --net bridge -p 8080:80/tcp: a rootless network (uid $uid) needs pasta, which is not installed (Debian package passt); install it, or use --net none (only lo) or --net host" \
    "$status $err"
status=0; err=$(as_user run --net slirp4netns -- true 2>&1) || status=$?
check "--net slirp4netns: pasta named instead" "125 1" "$status $(grep -c 'use --net pasta' <<<"$err")"
check "--net bridge: pasta's eth0 beside lo" "eth0 lo" \
    "$(with_tun runuser -u "$user" -- "$isola" run --net bridge -- ls /sys/class/net | tr '\n' ' ' | sed 's/ $//')"
port=$((20000 + $$ % 20000))
# shellcheck disable=SC2317 # run by the inner bash of with_tun (export -f)
published() { # a container serving a page on port 80, published on $port, fetched from the host's loopback
    (cd /tmp && runuser -u "$user" -- "$isola" run -p "$port:80" -- sh -c \
        'mkdir /tmp/www && echo published-by-pasta >/tmp/www/index.html && busybox httpd -p 80 -h /tmp/www && sleep 8') &
    local got="" tries=0
    while [[ $got != published-by-pasta && $tries -lt 40 ]]; do
        sleep 0.25; tries=$((tries + 1))
        got=$(busybox wget -q -O- "http://127.0.0.1:$port/" 2>/dev/null) || true
    done
    echo "$got"
    wait
}
export -f published
export user isola port
check "-p HOST:CTR: the container's server reached on the host's 127.0.0.1" published-by-pasta "$(with_tun bash -c published)"
# pasta gets SIGTERM as its container ends: give it a moment to exit and be reaped
for _ in 1 2 3 4 5 6 7 8; do [[ $(pgrep -u "$user" -c passt) == 0 ]] && break; sleep 0.25; done
check "no pasta left once the containers ended" 0 "$(pgrep -u "$user" -c passt || true)"
check "--net none: only lo, and it is up" "lo 0x9" \
    "$(as_user run --net none -- sh -c 'ls /sys/class/net; cat /sys/class/net/lo/flags' | tr '\n' ' ' | sed 's/ $//')"
rootfs=$(runuser -u "$user" -- mktemp -d /tmp/isola-smoke-rootfs.XXXXXX)
trap 'userdel --remove "$user" 2>/dev/null; rm -rf "/tmp/isola-$uid" "/tmp/isola-$uid-mnt" "$work" "$rootfs" "$planted" "$planted.link"' EXIT
runuser -u "$user" -- sh -c "mkdir -p $rootfs/bin $rootfs/etc $rootfs/proc $rootfs/dev $rootfs/sys && cp /bin/busybox $rootfs/bin/ && ln -s busybox $rootfs/bin/sh && ln -s busybox $rootfs/bin/cat && ln -s busybox $rootfs/bin/hostname"
before=$(cd "$rootfs" && find . | sort | md5sum)
# shellcheck disable=SC2016 # expanded by the container's shell
check "--rootfs --net none: the generated /etc/hostname inside" "same" \
    "$(as_user run --rootfs "$rootfs" --net none -- sh -c 'test "$(cat /etc/hostname)" = "$(hostname)" && grep -q localhost /etc/hosts && echo same')"
# a copy owned by the subuid range, as a user gets one from "podman unshare cp" or an image
chmod 755 "$work" && mkdir -m 755 "$work/subroot" && cp -a "$rootfs" "$work/subroot/rootfs" && touch "$work/subroot/rootfs/etc/"{hosts,hostname,resolv.conf} && chmod 755 "$work/subroot/rootfs" && chown -R "$sub:$sub" "$work/subroot/rootfs"
# shellcheck disable=SC2016 # expanded by the container's shell
check "--rootfs --net none with a subuid root: the generated /etc files inside" "same" \
    "$(as_user run --rootfs "$work/subroot/rootfs" --net none --uidmap "0:$sub:65536" -- sh -c 'test "$(cat /etc/hostname)" = "$(hostname)" && grep -q localhost /etc/hosts && echo same')"
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
check "a state root of somebody else's refused" "1 isola: state directory $planted belongs to uid 0, not to you (uid $uid); remove it or give a directory of your own" "$status $err"
status=0; err=$(as_user --root "$planted.link" list 2>&1) || status=$?
check "a state root that is a link refused" "1 0" "$status $(find "$planted" -mindepth 1 | wc -l)"

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
# files of subordinate ids in the writable layer (a 0700 directory of its uid 1000, overlayfs's
# work/work): export and rm work on them in a user namespace, export with the container's owners
as_user run --name subfiles --net none --image smoke/busybox:1 -- sh -c 'busybox mkdir /sub && chown 1000:1000 /sub && busybox chmod 700 /sub'
check "export of subordinate files, owners as the container sees them" "1000/1000" \
    "$(as_user export subfiles | tar -tvf - | awk '$6 == "sub/" {print $2}')"
check "rm of an image's container with subordinate files" "subfiles 0" \
    "$(as_user rm subfiles) $(find "/home/$user/.local/share/isola/tmp" -mindepth 1 | wc -l)"
# a volume below the user's 0700 directory, under a subordinate root: the child stages it first
runuser -u "$user" -- sh -c 'mkdir -m 700 ~/private && mkdir -m 777 ~/private/data && echo from-host >~/private/data/file'
# shellcheck disable=SC2016 # expanded by the container's shell
check "a volume below the user's 0700 directory under a subordinate root" "0 from-host" \
    "$(as_user run --rm --net none --uidmap "0:$sub:65536" -v "/home/$user/private/data:/data" -- sh -c 'echo $(id -u) $(cat /data/file)')"
id=$(as_user run -d --net none --uidmap "0:$sub:65536" -- sleep 30)
check "exec under a subordinate root: the container's root" 0 "$(as_user exec "$id" id -u)"
as_user rm -f "$id" >/dev/null
check "no writable layer left" 0 "$(find "/home/$user/.local/share/isola/containers" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)"
exit "$failed"
