#!/usr/bin/env bash
# Boots Debian 12's own kernel (6.1, package linux-image-amd64) on a pure cgroup v2 machine
# (cgroup_no_v1=all: every controller on v2) under qemu, and runs scripts/smoke-vm-guest.sh there
# with this checkout's distribution: what a hybrid host cannot test (v2's controllers, the BPF
# device filter alone) on the oldest kernel isola supports. Then a second, short boot with SELinux
# instead of AppArmor runs scripts/smoke-vm-selinux.sh. Prints the boot times and each check.
# Usage, as root, after a build: scripts/smoke-vm.sh
# ISOLA_VM_GUESTS=selinux (or cgroup-v2) boots that guest alone, for a look at one of them.
#
# No root file system is built: the guest mounts the host's / read-only over virtio-9p, with
# tmpfs for what isola writes. The kernel is extracted from its .deb (apt's cache) into a temp
# dir, so the host's /boot and modules are left alone; the initramfs holds the host's static
# busybox and the 9p modules. No /dev/kvm on CI: software emulation (TCG), hence a small guest.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dist=$repo/dist/target/isola
# the guest's whole run: boot ~10 s, then about a dozen JVM starts under TCG (80 s on an idle
# 2-core host, 700 s when six other builds share it)
timeout_s=${ISOLA_VM_TIMEOUT:-1200}
guests=${ISOLA_VM_GUESTS:-cgroup-v2 selinux}
for guest in $guests; do
    case $guest in
    cgroup-v2 | selinux) ;;
    *) echo "smoke-vm: ISOLA_VM_GUESTS \"$guests\": unknown guest \"$guest\"; expected cgroup-v2, selinux or both" >&2 && exit 2 ;;
    esac
done

# apparmor: its parser loads the first guest's test profile (Debian's kernel enables AppArmor);
# selinux-policy-default (with policycoreutils' load_policy): the second guest's SELinux policy. It
# only adds files below /etc/selinux and /usr/share/selinux here: no boot loader change (that is
# selinux-basics' selinux-activate, not installed), and the host's kernel does not read them
"$repo/scripts/setup-debian.sh" qemu-system-x86 busybox-static apparmor selinux-policy-default
[[ -x $dist/bin/isola ]] || { echo "smoke-vm: no distribution in $dist: build first" >&2; exit 1; }

work=$(mktemp -d /var/tmp/isola-vm.XXXXXX)
qemu_pid=
# The guest sees the host's / read-only and puts a tmpfs on each of isola's directories, so they
# must exist here as mount points: on a machine where isola never ran they do not. Those made for
# the guest are empty and removed again after it.
made=()
finish() {
    local status=$?
    if ((${#made[@]})); then rmdir "${made[@]}" 2>/dev/null || true; fi
    if [[ -n $qemu_pid ]] && kill -0 "$qemu_pid" 2>/dev/null; then
        kill -KILL "$qemu_pid" 2>/dev/null || true
        wait "$qemu_pid" 2>/dev/null || true
    fi
    if [[ -n ${tail_pid:-} ]]; then kill "$tail_pid" 2>/dev/null || true; fi
    rm -rf --one-file-system "$work"
    exit "$status"
}
trap finish EXIT
trap 'exit 130' INT TERM

# Debian 12's kernel: the package linux-image-amd64 depends on, downloaded into apt's own cache
# (kept there, as apt keeps what it installs) and unpacked into the temp dir only
kernel_package() { apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }'; }
kernel_pkg=$(kernel_package)
if [[ -z $kernel_pkg ]]; then # apt's lists were never fetched on this machine
    apt-get update -q >&2 </dev/null
    kernel_pkg=$(kernel_package)
fi
[[ -n $kernel_pkg ]] || { echo "smoke-vm: apt knows no linux-image-amd64" >&2; exit 1; }
latest_deb() { # the newest .deb of the kernel package in apt's cache, or nothing
    local debs=(/var/cache/apt/archives/"${kernel_pkg}"_*_amd64.deb)
    [[ -e ${debs[-1]} ]] && echo "${debs[-1]}"
    return 0
}
deb=$(latest_deb)
if [[ -z $deb ]]; then
    (cd /var/cache/apt/archives && apt-get download -q "$kernel_pkg" >&2 </dev/null) ||
        { apt-get update -q >&2 </dev/null && (cd /var/cache/apt/archives && apt-get download -q "$kernel_pkg" >&2 </dev/null); }
    deb=$(latest_deb)
fi
dpkg-deb -x "$deb" "$work/kernel"
version=${kernel_pkg#linux-image-}
modules=$work/kernel/lib/modules/$version/kernel

# the initramfs: busybox, the modules for virtio-9p and overlayfs (images) in load order (plain .ko
# in Debian 12; a compressed one is unpacked, busybox's insmod reads only plain ones; the guest
# has no modprobe for its kernel, so nothing is loaded on demand), and /init
initrd=$work/initrd
mkdir -p "$initrd"/{bin,modules,proc,sys,dev,host}
cp /bin/busybox "$initrd/bin/busybox"
load_order=(virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci 9pnet 9pnet_virtio
    netfs fscache 9p overlay)
for module in "${load_order[@]}"; do
    file=$(find "$modules" -name "$module.ko*" | head -n 1)
    [[ -n $file ]] || continue # built in
    case $file in
    *.ko.xz) xz -dc "$file" >"$initrd/modules/$module.ko" ;;
    *.ko.zst) zstd -qdc "$file" >"$initrd/modules/$module.ko" ;;
    *) cp "$file" "$initrd/modules/$module.ko" ;;
    esac
done
printf '%s\n' "${load_order[@]}" >"$initrd/modules/order"
cat >"$initrd/init" <<'EOF'
#!/bin/busybox sh
# PID 1 of the guest: the host's / (9p, read-only) becomes the root, with tmpfs where isola
# writes and cgroup2 alone on /sys/fs/cgroup; then the checks, then power off.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t devtmpfs dev /dev
exec >/dev/console 2>&1
echo "smoke-vm: guest up after $(cut -d' ' -f1 /proc/uptime) s of kernel time"
while read -r module; do
    [ -e "/modules/$module.ko" ] && insmod "/modules/$module.ko"
done </modules/order
mount -t 9p -o ro,trans=virtio,version=9p2000.L,msize=512000,cache=loose hostroot /host ||
    { echo "smoke-vm: FAILED: mount of the host's root over 9p"; poweroff -f; }
mount -t proc proc /host/proc
mount -t devtmpfs dev /host/dev
mount -t sysfs sys /host/sys
mount -t cgroup2 cgroup2 /host/sys/fs/cgroup
mkdir -p /host/dev/pts /host/dev/shm
mount -t devpts -o newinstance,ptmxmode=0666 devpts /host/dev/pts
mount -t tmpfs shm /host/dev/shm
# isola's own directories where the host has them (a read-only one it would make fails only
# the check that needs it)
for dir in /run /tmp /var/tmp /etc/isola /var/lib/isola /var/cache/isola /root; do
    [ -d "/host$dir" ] && mount -t tmpfs -o mode=0755,size=256m tmp "/host$dir"
done
chmod 1777 /host/tmp /host/var/tmp
# switch_root, not chroot: in a chroot, clone(CLONE_NEWUSER) fails with EPERM (user_namespaces(7))
exec switch_root /host /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
    ISOLA_REPO="$ISOLA_REPO" ISOLA_GUEST="$ISOLA_GUEST" /bin/bash -c \
    'bash "$ISOLA_REPO/scripts/$ISOLA_GUEST"; sync; exec /bin/busybox poweroff -f'
EOF
chmod 0755 "$initrd/init"
(cd "$initrd" && find . | busybox cpio -o -H newc 2>/dev/null) | gzip -1 >"$work/initrd.gz"

for dir in /etc/isola /var/lib/isola /var/cache/isola; do
    if [[ ! -e $dir ]]; then
        mkdir -m 0700 "$dir"
        made+=("$dir")
    fi
done

# boot NAME KERNEL-ARGS GUEST-SCRIPT: one guest, its console printed as it comes; fails unless the
# guest's script ran and reported no failed check
boot() {
    local name=$1 args=$2 guest=$3 console=$work/console-$1 start result
    echo "smoke-vm: booting $kernel_pkg ($(dpkg-deb -f "$deb" Version)) under qemu, $name: $args"
    start=$(date +%s.%N)
    qemu-system-x86_64 -m 2048 -smp 2 -cpu max -accel tcg -no-reboot \
        -display none -monitor none -serial "file:$console" \
        -kernel "$work/kernel/boot/vmlinuz-$version" -initrd "$work/initrd.gz" \
        -append "console=ttyS0 quiet loglevel=3 panic=-1 $args ISOLA_REPO=$repo ISOLA_GUEST=$guest" \
        -virtfs local,path=/,mount_tag=hostroot,security_model=passthrough,readonly=on,multidevs=remap \
        -nic none </dev/null &
    qemu_pid=$!
    # print the console's lines as they come, until qemu exits or the time is up
    tail -n +1 -F --pid="$qemu_pid" "$console" 2>/dev/null &
    tail_pid=$!
    # in the background, waited for by the builtin: bash runs a trap (SIGTERM from CI) only once a
    # foreground command has ended, and wait returns at once on a signal
    timeout "$timeout_s" tail --pid="$qemu_pid" -f /dev/null &
    if ! wait $!; then
        echo "smoke-vm: FAILED: the $name guest did not finish in $timeout_s s" >&2
        exit 1
    fi
    wait "$tail_pid" 2>/dev/null || true
    wait "$qemu_pid" 2>/dev/null || true
    qemu_pid=
    echo "smoke-vm: qemu ran $(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.0f", e - s }') s ($name)"
    result=$(sed -n 's/^smoke-vm: result \([0-9]*\)\r\?$/\1/p' "$console")
    if [[ $result != 0 ]]; then
        echo "smoke-vm: FAILED: ${result:-no result from the guest} failed check(s) ($name)" >&2
        exit 1
    fi
}

booting() { [[ " $guests " == *" $1 "* ]]; }
if booting cgroup-v2; then
    boot "cgroup v2" "cgroup_no_v1=all" smoke-vm-guest.sh
fi
# SELinux and AppArmor exclude each other (one major security module a boot): a second, short
# guest with SELinux in permissive mode and Debian's policy (loaded by the guest from the host's
# /etc/selinux, which the host's kernel never reads), to check the labels isola applies
if booting selinux; then
    boot selinux "cgroup_no_v1=all security=selinux selinux=1 enforcing=0" smoke-vm-selinux.sh
fi
