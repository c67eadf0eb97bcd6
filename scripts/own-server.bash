# shellcheck shell=bash
# Sourced by the smoke scripts whose served verbs go through a resident server of the run's own, as
# bin/isola does by default (in-process, each command was a cold JVM), stopped at the end:
#   own_server DIR     the server's directory (exported as ISOLA_SERVER_DIR)
#   stop_server        SIGTERM to the run's server, then up to 20 s for it to end

own_server() {
    export ISOLA_SERVER_DIR=$1 ISOLA_SERVER_IDLE=120
}

# shellcheck disable=SC2317 # called by the sourcing script's trap
stop_server() {
    local lock pid i
    for lock in "$ISOLA_SERVER_DIR"/*.lock; do
        pid=$(cat "$lock" 2> /dev/null) || continue
        if [[ -z $pid ]] || ! grep -qa __server "/proc/$pid/cmdline" 2> /dev/null; then continue; fi
        kill "$pid" 2> /dev/null || continue
        for ((i = 0; i < 200; i++)); do
            [[ -e /proc/$pid ]] || break
            sleep 0.1
        done
    done
    return 0
}
