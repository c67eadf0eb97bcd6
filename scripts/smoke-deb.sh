#!/usr/bin/env bash
# Installs the built Debian package (dist/target/isola_*.deb) on a fresh Debian 12 with
# "apt install ./isola_*.deb" and runs it there: the installed files, /usr/bin/isola, a container,
# the bash completion, then "apt remove", which must leave nothing of isola's behind.
# Prints "smoke-deb: ok: ..." or "smoke-deb: FAILED: ..." per check; exits non-zero on a failure.
# Usage, as root, after a build: scripts/smoke-deb.sh
#
# The fresh Debian 12 is a debootstrap'd minbase root from the host's own apt mirror, with the
# package lists and the JRE's .debs downloaded into it once and kept as a tarball in $cache, so
# later runs unpack it and install offline. It runs as a real root, not a chroot (pivot_root in a
# mount namespace of its own: isola makes mount namespaces, which a chroot's process cannot
# pivot out of), with the host's /proc, /sys (cgroups) and /dev; the namespace's end takes every
# mount with it.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${ISOLA_DEB_CACHE:-/var/cache/isola-smoke-deb}
base=$cache/debian12-minbase-jre-zsh.tar # named for what it holds beside minbase

"$repo/scripts/setup-debian.sh" debootstrap
debs=("$repo"/dist/target/isola_*_amd64.deb)
[[ -f ${debs[-1]} ]] || { echo "smoke-deb: no package in $repo/dist/target: build first" >&2; exit 1; }
deb=${debs[-1]}

work=$(mktemp -d /var/tmp/isola-deb.XXXXXX)
trap 'rm -rf --one-file-system "$work"' EXIT
root=$work/root

# Runs "bash -c SCRIPT" in $root made the root of a mount and a PID namespace of their own: its
# processes (the resident server "isola run" starts) end with it.
in_root() {
    # shellcheck disable=SC2016 # expanded by the inner shell
    unshare --mount --propagation private --pid --fork -- bash -euo pipefail -c '
        root=$1 script=$2
        mount --bind "$root" "$root"
        mount -t proc proc "$root/proc"
        mount --rbind /sys "$root/sys"
        mount --rbind /dev "$root/dev"
        mount -t tmpfs -o mode=0755 run "$root/run"
        mount -t tmpfs -o mode=1777 tmp "$root/tmp"
        cd "$root"
        mkdir -p .oldroot
        pivot_root . .oldroot
        umount -l /.oldroot
        rmdir /.oldroot
        exec chroot . /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
            DEBIAN_FRONTEND=noninteractive /bin/bash -euo pipefail -c "$script"
    ' in_root "$root" "$1"
}

# The host's mirror for bookworm (deb822 sources first, then sources.list)
mirror() {
    local uri
    uri=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
    [[ -n $uri ]] || uri=$(awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)
    [[ -n $uri ]] || { echo "smoke-deb: no Debian mirror in the host's apt sources" >&2; exit 1; }
    echo "$uri"
}

if [[ ! -s $base ]]; then
    echo "smoke-deb: making the Debian 12 root (once; kept in $base)"
    debootstrap --variant=minbase bookworm "$root" "$(mirror)" >"$work/debootstrap.log" 2>&1 ||
        { tail -n 20 "$work/debootstrap.log" >&2; exit 1; }
    cp /etc/resolv.conf "$root/etc/resolv.conf"
    # the lists and the packages of the JRE and of zsh (its completion is checked), so that the
    # installs below need no network
    in_root 'apt-get update -q >/dev/null &&
        apt-get install -y -q --download-only --no-install-recommends openjdk-17-jre-headless zsh >/dev/null'
    mkdir -p "$cache"
    tar -C "$root" --numeric-owner -cf "$base.tmp" . && mv "$base.tmp" "$base"
    rm -rf --one-file-system "$root"
fi
mkdir "$root"
tar -C "$root" --numeric-owner -xf "$base"
mkdir -p "$root/var/tmp/deb"
cp "$deb" "$root/var/tmp/deb/"

cp "$repo/scripts/smoke-deb-root.sh" "$root/var/tmp/deb/"

started=$(date +%s)
in_root 'bash /var/tmp/deb/smoke-deb-root.sh'
echo "smoke-deb: install, checks and removal took $(($(date +%s) - started)) s"
