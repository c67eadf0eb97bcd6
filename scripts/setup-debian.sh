#!/usr/bin/env bash
# Installs what isola needs on Debian 12, and only what is missing (apt-get update runs only then).
# Usage, as root: scripts/setup-debian.sh [EXTRA-PACKAGE...]
# Always: a JDK 17 and Maven to build, libseccomp2 to compile seccomp filters, busybox-static and
# procps for the demo and the tests.
set -euo pipefail

packages=(openjdk-17-jdk-headless maven libseccomp2 busybox-static procps "$@")

installed() { [[ $(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null) == installed ]]; }

missing=()
for package in "${packages[@]}"; do
    installed "$package" || missing+=("$package")
done
((${#missing[@]} == 0)) && exit 0

if [[ $(id -u) -ne 0 ]]; then
    echo "setup-debian: missing packages ${missing[*]}; run as root to install them" >&2
    exit 1
fi
echo "setup-debian: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# apt's progress goes to stderr: stdout stays for what the caller prints
apt-get update -q >&2 </dev/null
apt-get install -y -q --no-install-recommends "${missing[@]}" >&2 </dev/null
