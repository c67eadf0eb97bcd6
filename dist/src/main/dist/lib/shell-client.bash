# shellcheck shell=bash
# The shell client of the resident server, sourced by bin/isola for the served verbs: it hands
# the command line to this user's server from this very shell, with builtins only (no fork, no
# JVM), over the loopback port the server publishes in <dir>/s-<key>.shell (the server's
# ShellEndpoint and ShellClients say why TCP and how the two ends trust each other). The server
# takes this shell's stdin, stdout and stderr with pidfd_getfd, as it does the JVM client's, and
# reads its environment from /proc; signals are forwarded as lines, the exit status comes back
# as one.
#
# isola_shell_client ARGS...: exits with the command's status once the server has taken the
# command line. Returns when it has not, having done nothing, so that the JVM client (which
# starts a server, or runs the command in-process) takes over; with _isola_in_process=1 when a
# server said it would not run this command line. A server that stops between commands only
# costs that fallback.

isola_shell_client() {
    local dir endpoint
    if [ -n "${ISOLA_SERVER_DIR:-}" ]; then
        dir=$ISOLA_SERVER_DIR
    elif [ "$EUID" = 0 ]; then
        dir=/run/isola-server
    elif [ -n "${XDG_RUNTIME_DIR:-}" ] && [ -d "$XDG_RUNTIME_DIR" ]; then
        dir=$XDG_RUNTIME_DIR/isola-server
    else
        dir=/tmp/isola-server-$EUID
    fi
    # ours, as the JVM client checks too: nobody else can have put an endpoint there
    [ -d "$dir" ] && [ ! -L "$dir" ] && [ -O "$dir" ] || return 0
    # a closed stdin, stdout or stderr: the JVM client's way, whatever that makes of it
    [ -e /proc/self/fd/0 ] && [ -e /proc/self/fd/1 ] && [ -e /proc/self/fd/2 ] || return 0
    for endpoint in "$dir"/s-*.shell; do
        [ -f "$endpoint" ] && [ ! -L "$endpoint" ] && [ -O "$endpoint" ] || continue
        _isola_shell_session "$dir" "$endpoint" "$@"
    done
    return 0
}

# _isola_shell_session DIR ENDPOINT ARGS...: the server of ENDPOINT runs the command when it is
# this installation's with this environment's keys; returns if not.
_isola_shell_session() {
    local dir=$1 endpoint=$2 magic port proof token home line name hello frame sock
    shift 2
    {
        IFS= read -r magic && IFS=' ' read -r port proof token && IFS= read -r home || return 0
        [ "$magic" = "isola-shell-endpoint 1" ] && [ "$home" = "$ISOLA_HOME" ] || return 0
        # NAME=VALUE: VALUE here too; NAME alone: unset or empty here too (isola takes an empty
        # one for an unset one, as the server does)
        while IFS= read -r line; do
            name=${line%%=*}
            if [ "$name" = "$line" ]; then
                [ -z "${!name:-}" ] || return 0
            else
                [ "${!name:-}" = "${line#*=}" ] || return 0
            fi
        done
    } <"$endpoint"
    [[ $port =~ ^[0-9]+$ ]] || return 0
    { exec {sock}<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null || return 0 # a server that has gone
    # the token, then the server's proof, only it and we can read: the command line goes to
    # nobody else (the token of a server that is gone is worth nothing)
    trap '' PIPE # a peer that hung up: a write fails (and is ignored) instead of killing us
    printf 'isola-shell-1\0%s\0' "$token" >&"$sock" 2>/dev/null || true
    if ! IFS= read -r -t 5 -u "$sock" hello || [ "$hello" != "isola-server $proof" ]; then
        trap - PIPE
        exec {sock}>&-
        return 0
    fi
    # The server takes our streams from copies at fds that stay put: bash writes to the socket
    # by moving it onto fd 1 while it writes, so fd 1 itself may be the socket at any moment.
    local stdin stdout stderr
    exec {stdin}<&0 {stdout}>&1 {stderr}>&2
    _isola_sock=$sock _isola_pending=0 _isola_accepted=0
    # before the request: a signal that comes while the command starts must reach it too
    trap '_isola_forward 1' HUP
    trap '_isola_forward 2' INT
    trap '_isola_forward 15' TERM
    trap '_isola_forward 28' WINCH
    local tty=0
    [ -t 0 ] && [ -t 1 ] && tty=1
    # one printf, so one write: a second small one would wait for the server's delayed ACK of
    # the first (Nagle), ~40 ms on loopback
    printf '%s\0' "$BASHPID" "$stdin $stdout $stderr" "$tty" "$PWD" "$#" "$@" >&"$sock"
    while :; do
        if IFS= read -r -u "$sock" frame; then
            case $frame in
            A) _isola_accepted=1 ;;
            X[0-9]*) exit "${frame#X}" ;;
            F | R)
                # not taken, nothing was done. After A: this server will not run this command line
                # (an OCI start or delete with hooks), so bin/isola runs it in-process, skipping
                # the JVM client that would only ask the same server again
                [ "$_isola_accepted" = 1 ] && _isola_in_process=1
                break
                ;;
            esac
        elif [ $? -le 128 ]; then # end of stream, not a trapped signal
            if [ "$_isola_accepted" = 1 ]; then
                echo "isola: the server ended while running the command (see its log in $dir)" >&2
                exit 125
            fi
            break
        fi
    done
    trap - HUP INT TERM WINCH PIPE
    exec {sock}>&- {stdin}<&- {stdout}>&- {stderr}>&-
    # a signal that came before the server took the command ends it, as it would have ended a CLI
    [ "$_isola_pending" = 0 ] || exit $((128 + _isola_pending))
    return 0
}

_isola_forward() {
    [ "$_isola_accepted" = 1 ] || [ "$1" = 28 ] || _isola_pending=$1
    printf 'S%s\n' "$1" >&"$_isola_sock" 2>/dev/null || true
}
