# shellcheck shell=bash
# What each guest script of scripts/smoke-vm.sh shares, sourced first: the distribution under test
# on JDK 17 (the guest's files are the host's, read-only), a resident server that outlives the
# guest's slow checks, and check(), whose lines "smoke-vm: ok: ..." / "smoke-vm: FAILED: ..." and
# last line "smoke-vm: result N" (from result(), N failures) the host script reads.

export JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64 ISOLA_SERVER_IDLE=900
# shellcheck disable=SC2034 # used by the guest scripts that source this
isola=$ISOLA_REPO/dist/target/isola/bin/isola
failed=0
uptime() { cut -d' ' -f1 /proc/uptime; }

check() { # name expected actual
    if [[ $2 == "$3" ]]; then
        echo "smoke-vm: ok: $1 (at $(uptime) s)"
    else
        echo "smoke-vm: FAILED: $1: expected '$2', got '$3'"
        failed=$((failed + 1))
    fi
}

result() { echo "smoke-vm: result $failed"; }
