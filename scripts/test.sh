#!/usr/bin/env bash
# Runs every test, as root on Debian 12: installs what the tests need, checks the shell scripts
# (scripts/lint-shell.sh), runs "mvn verify" (unit and real-kernel tests, builds the
# distribution), then smoke-tests the distribution's bin/isola, and scripts/smoke-embedded.sh
# builds the embedding examples on their own against the installed io.isola artifacts. Exits
# non-zero on the first failure. The tests run hermetically (scripts/hermetic.sh): with fresh,
# private /run/isola*, /var/lib/isola, /etc/isola and /var/cache/isola, as on a machine where isola
# never ran, and the machine's own left untouched. Last, scripts/smoke-vm.sh runs the distribution
# on a pure cgroup v2 machine (Debian 12's kernel under qemu, a machine of its own: not hermetic),
# and scripts/smoke-deb.sh installs the Debian package on a fresh Debian 12 root and runs it there.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

"$repo/scripts/setup-debian.sh" libseccomp2 util-linux iproute2 runc crun uidmap perl containernetworking-plugins iptables tini unzip podman containerd passt docker-registry skopeo shellcheck apparmor selinux-policy-default
"$repo/scripts/lint-shell.sh"

# shellcheck disable=SC2016 # expanded by the inner shell
"$repo/scripts/hermetic.sh" bash -euo pipefail -c '
    mvn -B -ntp verify </dev/null
    "$0/scripts/smoke-dist.sh"
    "$0/scripts/smoke-rootless.sh"
    "$0/scripts/smoke-images.sh"
    "$0/scripts/smoke-embedded.sh"
    "$0/scripts/docker-compat.sh"
' "$repo"
"$repo/scripts/smoke-vm.sh"
"$repo/scripts/smoke-deb.sh"
