# shellcheck shell=bash
# The shell client of the resident server, sourced by bin/isola for the served verbs: it hands
# the command line to this user's server from this very shell, with builtins and one mkfifo(1),
# and no JVM. It reaches the server through files in the server's directory, which is this
# user's and 0700, so that only this user (and root) can: the kernel's check, no secret (the
# server's ShellDoor and ShellConnection say how; docs/resident-server.md says why: a TCP port
# and its token could be sniffed by a container sharing the host's network, issue 23).
#
# The command's channel is a pair of FIFOs this shell makes there and announces with one line to
# the server's request FIFO. The server opens this shell's stdin, stdout and stderr through
# /proc/PID/fd, which gives it the very pipe, FIFO, terminal or device: so this client takes only
# those, and leaves a regular file or a socket (whose offset or connection a new open would not
# share) to the JVM client, which passes them with SCM_RIGHTS. Signals are forwarded as lines, the
# exit status comes back as one.
#
# isola_shell_client ARGS...: exits with the command's status once the server has taken the
# command line. Returns when it has not, having done nothing, so that the JVM client (which
# starts a server, or runs the command in-process) takes over; with _isola_in_process=1 when a
# server said it would not run this command line. A server that stops between commands only
# costs that fallback.
#
# With _isola_relay_output=1 (bin/isola sets it for start, state, kill and delete, whose output is
# the server's own words, never a container's stream), a stdout or stderr that is a regular file or
# a socket goes through a relay instead: a cat(1) of ours that holds the caller's very open file
# (one offset, O_APPEND or not) and copies to it what the server writes to a pipe. An engine that
# gives its runtime a file (podman run > FILE: podman's start) then costs one fork, where the
# fallback ran the verb in-process (~1 s). Not for the verbs whose streams a container or an exec'd
# process gets (it would see a pipe where the caller gave a file), and never for stdin (a cat would
# read ahead of what the command takes).

isola_shell_client() {
    local dir endpoint fd
    if [ -n "${ISOLA_SERVER_DIR:-}" ]; then
        dir=$ISOLA_SERVER_DIR
    elif [ "$EUID" = 0 ]; then
        dir=/run/isola-server
    elif [ -n "${XDG_RUNTIME_DIR:-}" ] && [ -d "$XDG_RUNTIME_DIR" ]; then
        dir=$XDG_RUNTIME_DIR/isola-server
    else
        dir=/tmp/isola-server-$EUID
    fi
    # ours, as the JVM client checks too: nobody else can have put a door there. Its mode (0700,
    # which the JVM client checks) would cost a stat(1) fork: the server serves from no other and
    # stops when its directory is opened (ResidentServer), and what this shell opens there is
    # checked through /proc/self/fd to be ours, so that a name swapped after a check counts not.
    [ -d "$dir" ] && [ ! -L "$dir" ] && [ -O "$dir" ] || return 0
    # a terminal, a pipe or FIFO, a device (/dev/null): the server can open the very same; a
    # regular file, a socket or a closed stream: the JVM client's way, or the relay's (above)
    _isola_relayed=''
    for fd in 0 1 2; do
        [ -t "$fd" ] || [ -p "/proc/self/fd/$fd" ] || [ -c "/proc/self/fd/$fd" ] && continue
        # (a relay without a cat to run would lose the output: the JVM client's way then)
        if [ "$fd" != 0 ] && [ "${_isola_relay_output:-0}" = 1 ] && command -v cat >/dev/null \
            && { [ -f "/proc/self/fd/$fd" ] || [ -S "/proc/self/fd/$fd" ]; }; then
            _isola_relayed="$_isola_relayed $fd"
            continue
        fi
        return 0
    done
    for endpoint in "$dir"/s-*.shell; do
        { [ -f "$endpoint" ] && [ ! -L "$endpoint" ] && [ -O "$endpoint" ]; } || continue
        _isola_shell_session "$dir" "$endpoint" "$@"
    done
    return 0
}

# _isola_stream FD: dups fd FD (1 or 2) onto a new fd of this shell, named in $_isola_fd, that the
# server may open through /proc: FD itself, or the write end of a relay to it when FD is in
# $_isola_relayed. The relay is a cat of ours with FD as its stdout, started before the command's
# channel is open (so that it holds none of the channel's FIFOs: a server that dies must be an end
# of file here); its pid goes into $_isola_relays, for _isola_unrelay.
_isola_stream() {
    _isola_fd=''
    case " $_isola_relayed " in
    *" $1 "*)
        if [ "$1" = 1 ]; then
            exec {_isola_fd}> >(exec cat)
        else
            exec {_isola_fd}> >(exec cat >&2)
        fi
        _isola_relays="$_isola_relays $!"
        ;;
    *) if [ "$1" = 1 ]; then exec {_isola_fd}>&1; else exec {_isola_fd}>&2; fi ;;
    esac
}

# _isola_unrelay: closes the streams' copies and waits for the relays to have written everything
# (the server closed its copies before it answered), so that what the caller reads next, and what
# the JVM client would write after a fallback, comes after the command's output.
_isola_unrelay() {
    local pid
    [ -z "${_isola_out:-}" ] || exec {_isola_out}>&-
    [ -z "${_isola_err:-}" ] || exec {_isola_err}>&-
    _isola_out='' _isola_err=''
    for pid in ${_isola_relays:-}; do wait "$pid" 2>/dev/null || true; done
    _isola_relays=''
}

# _isola_alive PID STARTTIME: whether process PID runs and started at STARTTIME (the 22nd field
# of /proc/PID/stat), so that neither a dead server nor a process that took its pid is waited for.
_isola_alive() {
    local stat fields
    { IFS= read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
    stat=${stat##*) } # the command name may hold spaces and parentheses; the fields after it do not
    IFS=' ' read -r -a fields <<<"$stat"
    [ "${fields[19]:-}" = "$2" ]
}

# _isola_shell_session DIR ENDPOINT ARGS...: the server of ENDPOINT runs the command when it is
# this installation's with this environment's keys and runs; returns if not.
_isola_shell_session() {
    local dir=$1 endpoint=$2 magic server started home line name door size arg
    shift 2
    {
        [ -f /proc/self/fd/0 ] && [ -O /proc/self/fd/0 ] || return 0
        IFS= read -r magic && IFS=' ' read -r server started && IFS= read -r home || return 0
        [ "$magic" = "isola-shell-endpoint 2" ] && [ "$home" = "$ISOLA_HOME" ] || return 0
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
    [[ $server =~ ^[0-9]+$ ]] && [[ $started =~ ^[0-9]+$ ]] || return 0
    door=${endpoint%.shell}.fifo
    [ -p "$door" ] && [ ! -L "$door" ] && [ -O "$door" ] && _isola_alive "$server" "$started" || return 0
    # the request is written before it is announced, so it must fit the FIFO's buffer (64 KiB)
    size=$((${#PWD} + 64))
    for arg in "$@"; do
        size=$((size + ${#arg} * 4 + 1)) # characters: at most 4 bytes each in UTF-8
    done
    [ "$size" -lt 60000 ] || return 0
    local base='' up='' down='' downw='' stdin request='' frame tty=0 waited=0 pair noclobber=+C
    # the server opens our streams from copies at fds that stay put: bash writes to a FIFO by
    # moving it onto fd 1 while it writes, so fd 1 itself may be the channel at any moment. Made
    # first: a relay's cat must not inherit the channel
    _isola_relays=''
    exec {stdin}<&0
    _isola_stream 1 && _isola_out=$_isola_fd
    _isola_stream 2 && _isola_err=$_isola_fd
    # a pair of FIFOs of the server's pool, claimed by creating NAME.claim with noclobber (O_EXCL:
    # of shells that race for one, one wins); a pair whose files are gone meanwhile is passed over
    [[ $- == *C* ]] && noclobber=-C
    set -C
    for pair in "$dir/p-$server-"*.i; do
        pair=${pair%.i}
        { [ -p "$pair.i" ] && [ ! -e "$pair.claim" ]; } || continue
        { printf '%s\n' "$BASHPID" >"$pair.claim"; } 2>/dev/null || continue
        # <> creates what is not there: a pair unlinked since the test above (claimed and opened
        # by another shell, whose claim stays until it has gone) would be files of our own
        # shellcheck disable=SC2094 # both ends of one FIFO, opened on purpose
        if { exec {up}<>"$pair.i" {downw}<>"$pair.o" {down}<"$pair.o"; } 2>/dev/null \
            && _isola_own_fifo "$up" && _isola_own_fifo "$down"; then
            base=$pair
            break
        fi
        [ -z "$up" ] || exec {up}>&-
        [ -z "$downw" ] || exec {downw}>&-
        [ -z "$down" ] || exec {down}<&-
        up='' downw='' down=''
    done
    set "$noclobber"
    if [ -z "$base" ]; then
        # none free: a pair of our own, the one fork of a served command (5-15 ms on a loaded host)
        base=$dir/c-$BASHPID-$RANDOM$RANDOM
        if ! mkfifo -m 600 "$base.i" "$base.o" 2>/dev/null; then
            exec {stdin}<&-
            _isola_unrelay
            return 0
        fi
        # shellcheck disable=SC2094 # both ends of one FIFO, opened on purpose
        exec {up}<>"$base.i" {downw}<>"$base.o" {down}<"$base.o"
        if ! _isola_own_fifo "$up" || ! _isola_own_fifo "$down"; then
            exec {up}>&- {downw}>&- {down}<&- {stdin}<&-
            _isola_unrelay
            return 0
        fi
    fi
    # <> never blocks on a FIFO; the read-only end opens at once as {downw} is a writer. Once the
    # server has written, {downw} goes, and the server's end is ours: a server that dies is an
    # end of file, not a hang.
    [ -t 0 ] && [ -t 1 ] && tty=1
    _isola_sock=$up _isola_pending=0 _isola_accepted=0
    # one printf, so one write: the whole request is in the FIFO before the server opens it
    printf '%s\0' "$BASHPID" "$stdin $_isola_out $_isola_err" "$tty" "$PWD" "$#" "$@" >&"$up"
    # before the announcement: a signal that comes while the command starts must reach it too
    trap '_isola_forward 1' HUP
    trap '_isola_forward 2' INT
    trap '_isola_forward 15' TERM
    trap '_isola_forward 28' WINCH
    # one line shorter than PIPE_BUF: written at once, never mixed with another client's
    if { exec {request}<>"$door"; } 2>/dev/null && _isola_own_fifo "$request"; then
        printf '%s\n' "${base##*/} $BASHPID $up $down" >&"$request"
        exec {request}>&-
    else
        [ -z "$request" ] || exec {request}>&-
        waited=10
    fi
    while :; do
        if [ -n "$downw" ]; then # nothing from the server yet
            if IFS= read -r -t 1 -u "$down" frame; then
                exec {downw}>&-
                downw=
            elif [ $? -gt 128 ] && [ "$waited" -lt 10 ] && _isola_alive "$server" "$started"; then
                waited=$((waited + 1)) # a timeout (or a trapped signal): a live server is busy
                continue
            else
                break # a server that died, or never answered: it cannot run the command any more,
                # as it writes "A" first and we have gone (the JVM client's turn; the server's
                # next sweep removes the FIFOs)
            fi
        elif IFS= read -r -u "$down" frame; then
            :
        elif [ $? -gt 128 ]; then
            continue # a trapped signal, forwarded
        else
            if [ "$_isola_accepted" = 1 ]; then
                _isola_unrelay
                echo "isola: the server ended while running the command (see its log in $dir)" >&2
                _isola_failure "$@" || exit $?
            fi
            break
        fi
        case $frame in
        A) _isola_accepted=1 ;;
        X[0-9]*)
            _isola_unrelay
            exit "${frame#X}"
            ;;
        F | R)
            # not taken, nothing was done. After A: this server will not run this command line
            # (an OCI start or delete with hooks), so bin/isola runs it in-process, skipping
            # the JVM client that would only ask the same server again
            [ "$_isola_accepted" = 1 ] && _isola_in_process=1
            break
            ;;
        esac
    done
    trap - HUP INT TERM WINCH
    exec {up}>&- {down}<&- {stdin}<&-
    [ -z "$downw" ] || exec {downw}>&-
    _isola_unrelay
    # a signal that came before the server took the command ends it, as it would have ended a CLI
    [ "$_isola_pending" = 0 ] || exit $((128 + _isola_pending))
    return 0
}

# _isola_own_fifo FD: whether this shell's FD is a FIFO of this user's, checked on what is open:
# a name in the server directory may have been swapped since it was checked
_isola_own_fifo() {
    [ -p "/proc/self/fd/$1" ] && [ -O "/proc/self/fd/$1" ]
}

_isola_forward() {
    [ "$_isola_accepted" = 1 ] || [ "$1" = 28 ] || _isola_pending=$1
    printf 'S%s\n' "$1" 1>&"$_isola_sock" 2>/dev/null || true
}

# _isola_failure ARGS...: returns the status of isola's own failure for the command line ARGS, as
# Docker's CLI fails (io.isola.launcher.client.FailureStatus): 125 for run, 1 for any other verb
# (of the served verbs only run is docker run's or create's).
_isola_failure() {
    while [ $# -gt 0 ]; do
        case $1 in
        --root | --log | --log-format | --config) [ $# -lt 2 ] || shift ;;
        -*) ;;
        run) return 125 ;;
        *) return 1 ;;
        esac
        shift
    done
    return 1
}
