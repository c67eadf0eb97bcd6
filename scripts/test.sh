#!/usr/bin/env bash
# Runs every test, as root on Debian 12: installs what the tests need, runs "mvn verify" (unit and
# real-kernel tests, builds the distribution), then smoke-tests the distribution's bin/isola.
# Exits non-zero on the first failure.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

"$repo/scripts/setup-debian.sh" util-linux iproute2 runc crun uidmap perl containernetworking-plugins iptables tini unzip podman containerd

mvn -B -ntp verify </dev/null

"$repo/scripts/smoke-dist.sh"
"$repo/scripts/smoke-rootless.sh"
"$repo/scripts/smoke-images.sh"
