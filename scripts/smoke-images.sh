#!/usr/bin/env bash
# Images through the built distribution's bin/isola, as a Docker user drives them: import a
# 'docker save' tarball (made here from busybox-static with tar alone), run IMAGE with its own
# command and with one, keep a container's writable layer, export it, commit it, run the commit,
# push it to a registry on loopback and pull it back, keep data in a volume, remove everything, and check
# that nothing is left.
# Usage, as root, after a build: scripts/smoke-images.sh
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
isola=$repo/dist/target/isola/bin/isola
work=$(mktemp -d)
# shellcheck source=scripts/own-server.bash
source "$repo/scripts/own-server.bash"
own_server "$work/server"
trap 'stop_server; rm -rf "$work"' EXIT
export ISOLA_ROOT=$work/store
root=(--root "$work/state")
failed=0

check() { # name expected actual
    if [[ $2 == "$3" ]]; then
        echo "smoke-images: ok: $1"
    else
        echo "smoke-images: FAILED: $1: expected '$2', got '$3'" >&2
        failed=1
    fi
}
entries() { # DIR [FIND TESTS...]: how many entries DIR holds (those that pass the tests), as ls counts them: no dot files (the stores' locks)
    find "$1" -mindepth 1 -maxdepth 1 ! -name '.*' "${@:2}" | wc -l
}

# a one-layer image: busybox and a few applets, /etc/motd, /etc/doomed; Cmd and WorkingDir set
mkdir -p "$work/rootfs"/{bin,etc,proc,sys,dev,tmp,home} "$work/image"
cp /bin/busybox "$work/rootfs/bin/busybox"
for applet in sh cat echo rm test pwd sleep; do ln -s busybox "$work/rootfs/bin/$applet"; done
echo 'hello from the image' > "$work/rootfs/etc/motd"
echo 'delete me' > "$work/rootfs/etc/doomed"
tar -C "$work/rootfs" --numeric-owner -cf "$work/layer.tar" .
layer=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
mkdir "$work/image/$layer" && mv "$work/layer.tar" "$work/image/$layer/layer.tar"
# shellcheck disable=SC2016 # $(pwd) and $IMG are the container's to expand
printf '{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/bin","IMG=smoke"],"Cmd":["sh","-c","echo default in $(pwd) IMG=$IMG"],"WorkingDir":"/home"},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
    "$layer" > "$work/config.json"
config=$(sha256sum "$work/config.json" | cut -d' ' -f1)
mv "$work/config.json" "$work/image/$config.json"
printf '[{"Config":"%s.json","RepoTags":["smoke/busybox:1"],"Layers":["%s/layer.tar"]}]' "$config" "$layer" \
    > "$work/image/manifest.json"
tar -C "$work/image" -cf "$work/image.tar" .

check "import" "smoke/busybox:1 sha256:$config" "$("$isola" image import "$work/image.tar")"
check "IMAGE runs its own Cmd in its WorkingDir with its Env" "default in /home IMG=smoke" \
    "$("$isola" "${root[@]}" run --rm smoke/busybox:1)"
check "IMAGE CMD" "hello from the image" "$("$isola" "${root[@]}" run --rm smoke/busybox:1 cat /etc/motd)"
check "-- CMD runs in the host's files" "$(head -1 /etc/os-release)" "$("$isola" "${root[@]}" run --rm -- head -1 /etc/os-release)"

"$isola" "${root[@]}" run --name maker smoke/busybox:1 sh -c 'echo written > /etc/new; rm /etc/doomed'
check "a container without --rm keeps its writable layer" 1 "$(entries "$ISOLA_ROOT/containers")"
"$isola" "${root[@]}" export maker > "$work/maker.tar"
# with the mount points of the container's own network files, as docker export shows them
check "export holds the written file and the image's" "etc/hostname etc/hosts etc/motd etc/new etc/resolv.conf" \
    "$(tar -tf "$work/maker.tar" | grep -E '^etc/.' | sort | xargs)"
status=0; err=$(script -qec "$isola ${root[*]} export maker" /dev/null 2>&1) || status=$?
check "export refuses a terminal" "isola: refusing to write a tar archive to a terminal: use -o FILE or redirect stdout" \
    "$(tr -d '\r' <<< "$err")"
"$isola" "${root[@]}" commit maker smoke/changed > /dev/null
check "images lists the commit" "smoke/busybox:1 smoke/changed:latest" "$("$isola" images | awk 'NR > 1 {print $1}' | sort | xargs)"
"$isola" "${root[@]}" rm maker > /dev/null
"$isola" image rm smoke/busybox:1
check "the commit runs with the write and the deletion, its parent removed" "written absent" \
    "$("$isola" "${root[@]}" run --rm smoke/changed sh -c 'cat /etc/new; test -e /etc/doomed || echo absent' | xargs)"
check "the commit holds none of the network's mount points" "no-hosts no-resolv.conf" \
    "$("$isola" "${root[@]}" run --rm --net host smoke/changed sh -c 'test -e /etc/hosts || echo no-hosts; test -e /etc/resolv.conf || echo no-resolv.conf' | xargs)"

status=0; err=$("$isola" "${root[@]}" commit nosuch smoke/x 2>&1) || status=$?
check "unknown container (Docker's commit exits 1)" "1 isola: no such container: nosuch" "$status $err"
status=0; err=$("$isola" "${root[@]}" run --rm --pull never nosuch:1 2>&1) || status=$?
check "unknown image" "125 isola: image \"nosuch:1\": not in the store $ISOLA_ROOT; pull it with 'isola pull nosuch:1' or import it with 'isola image import FILE'" "$status $err"

# a registry on loopback (Debian's docker-registry): tag, push, remove, pull back, run
if command -v docker-registry > /dev/null; then
    port=$((20000 + $$ % 30000))
    while [[ -n $(ss -Hltn "sport = :$port") ]]; do port=$((port + 1)); done
    printf 'version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n' \
        "$work/registry" "$port" > "$work/registry.yml"
    docker-registry serve "$work/registry.yml" > "$work/registry.log" 2>&1 &
    registry=$!
    trap 'kill "$registry" 2> /dev/null || true; stop_server; rm -rf "$work"' EXIT
    for _ in $(seq 100); do (exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null && break; sleep 0.1; done
    ref=127.0.0.1:$port/smoke/pushed:1
    "$isola" tag smoke/changed "$ref"
    check "push to a registry on loopback" "sha256:" "$("$isola" push -q "$ref" | cut -c1-7)"
    "$isola" image rm "$ref"
    check "pull it back and run it" "written absent" \
        "$("$isola" pull -q "$ref" > /dev/null && "$isola" "${root[@]}" run --rm "$ref" sh -c 'cat /etc/new; test -e /etc/doomed || echo absent' | xargs)"
    "$isola" image rm "$ref"
    kill "$registry"
    wait "$registry" || true
    trap 'stop_server; rm -rf "$work"' EXIT
else
    echo "smoke-images: skipped: push and pull (no docker-registry; scripts/test.sh installs it)"
fi

# volumes: kept across containers, removal refused while a container uses one
"$isola" "${root[@]}" run --rm -v smokevol:/home smoke/changed sh -c 'echo kept > /home/file'
check "a named volume keeps its data across containers" "kept" \
    "$("$isola" "${root[@]}" run --rm --mount type=volume,src=smokevol,dst=/home,ro smoke/changed cat /home/file)"
"$isola" "${root[@]}" run --name user -v smokevol:/home smoke/changed sh -c :
status=0; err=$("$isola" "${root[@]}" volume rm smokevol 2>&1) || status=$?
check "volume rm of a volume in use is refused" "1 isola: volume \"smokevol\" is in use by container" "$status $(sed -E 's/ [0-9a-f]{12} \(user\): .*//' <<< "$err")"
"$isola" "${root[@]}" rm user > /dev/null
check "volume rm once it is unused" "smokevol" "$("$isola" "${root[@]}" volume rm smokevol)"

"$isola" image rm smoke/changed
# the state root's event log (events.jsonl) and its lock (events.lock) are the store's own, not a container's
check "nothing left: writable layers, layers, state, volumes" "0 0 0 0" \
    "$(entries "$ISOLA_ROOT/containers") $(entries "$ISOLA_ROOT/layers/sha256") $(entries "$work/state" ! -name "events.*") $(entries "$ISOLA_ROOT/volumes")"
check "no mount of the store" 0 "$(grep -c "$ISOLA_ROOT" /proc/self/mountinfo || true)"
exit $failed
