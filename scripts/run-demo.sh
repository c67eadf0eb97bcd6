#!/usr/bin/env bash
# Runs a container with isola on Debian 12, installing and building what is missing first.
# Usage, as root: scripts/run-demo.sh [CMD [ARG...]]
# Without CMD the container prints its host name, its processes (the command is PID 1, it has its
# own /proc) and its namespaces beside the host's: uts, ipc, pid, mnt and net are new, the rest shared.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
isola=$repo/dist/target/isola/bin/isola

"$repo/scripts/setup-debian.sh"
if [[ ! -x $isola ]]; then
    echo "run-demo: building isola (mvn -DskipTests package)" >&2
    (cd "$repo" && mvn -B -q -ntp -DskipTests package </dev/null >&2)
fi

if (($# > 0)); then
    exec "$isola" run --hostname demo -- "$@"
fi

host_ns=""
for ns in /proc/self/ns/*; do
    host_ns+="$(basename "$ns")=$(readlink "$ns") "
done

# shellcheck disable=SC2016 # expanded by the container's shell
demo='
echo "hostname: $(hostname)"
echo
echo "processes (ps -e):"
ps -e -o pid,ppid,comm
echo
echo "namespaces (ls -l /proc/self/ns):"
ls -l /proc/self/ns
echo
printf "%-18s %-22s %-22s %s\n" namespace host container ""
for pair in $HOST_NS; do
    name=${pair%%=*} host=${pair#*=}
    mine=$(readlink "/proc/self/ns/$name")
    [ "$host" = "$mine" ] && what=shared || what=new
    printf "%-18s %-22s %-22s %s\n" "$name" "$host" "$mine" "$what"
done
'
exec "$isola" run --hostname demo -e HOST_NS="$host_ns" -- sh -c "$demo"
