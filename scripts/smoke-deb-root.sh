#!/usr/bin/env bash
# The checks scripts/smoke-deb.sh runs in its fresh Debian 12 root, as root: install the package
# with apt, use it, remove it. Each check prints "smoke-deb: ok: ..." or "smoke-deb: FAILED: ...";
# exits non-zero when one failed.
set -uo pipefail

failed=0
check() { # name expected actual
    if [[ $2 == "$3" ]]; then
        echo "smoke-deb: ok: $1"
    else
        echo "smoke-deb: FAILED: $1: expected '$2', got '$3'"
        failed=$((failed + 1))
    fi
}
apt_quietly() { # apt-get ARGS..., its output shown only when it fails
    apt-get -y -q "$@" >/var/tmp/apt.log 2>&1 || { tail -n 30 /var/tmp/apt.log; echo "smoke-deb: FAILED: apt-get $*"; exit 1; }
}

check "a fresh Debian 12 without java" "12 no-java" \
    "$(cut -d. -f1 /etc/debian_version) $(command -v java || echo no-java)"
apt_quietly install --no-install-recommends /var/tmp/deb/isola_*.deb
check "apt install ./isola_*.deb: installed" "install ok installed" "$(dpkg-query -W -f='${Status}' isola)"
check "/usr/bin/isola links to /usr/lib/isola" /usr/lib/isola/bin/isola "$(readlink -f /usr/bin/isola)"
check "man pages in /usr/share/man/man1" "yes yes" \
    "$([[ -s /usr/share/man/man1/isola.1 ]] && echo yes) $([[ -s /usr/share/man/man1/isola-run.1 ]] && echo yes)"
check "zsh completion in vendor-completions" yes "$([[ -s /usr/share/zsh/vendor-completions/_isola ]] && echo yes)"
check "postinst made the class-data archive for /usr/lib/isola" /usr/lib/isola \
    "$(cat /usr/lib/isola/lib/isola.jsa.home 2>&1)"
check "isola --version" 1 "$(isola --version 2>&1 | grep -c .)"
check "isola run: the host's files, its own hostname and PID 1" $'deb\n1' \
    "$(isola run --hostname deb -- sh -c 'hostname; echo $$' 2>&1)"
status=0
isola run -- sh -c 'exit 7' || status=$?
check "isola run: the container's exit status" 7 "$status"

# the completion as bash calls it: the function "complete -p isola" names, with the words typed
complete_line() {
    local line=$1 function
    COMP_LINE=$line COMP_POINT=${#line}
    read -ra COMP_WORDS <<<"$line"
    [[ $line != *" " ]] || COMP_WORDS+=("")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1)) COMPREPLY=()
    function=$(complete -p isola | sed -n 's/.*-F \([^ ]*\) .*/\1/p')
    "$function" 2>/dev/null
    echo "${COMPREPLY[*]}"
}
compopt() { :; } # a builtin that works only while readline completes
# shellcheck disable=SC1091 # installed by the package
source /usr/share/bash-completion/completions/isola
check "bash completion: isola ru<TAB>" run "$(complete_line "isola ru")"
check "bash completion: isola run --memory-s<TAB>" --memory-swap "$(complete_line "isola run --memory-s")"
check "bash completion: isola image im<TAB>" import "$(complete_line "isola image im")"

# zsh: an interactive zsh (on a pseudo-terminal, zsh's zpty) with compinit, which finds _isola in
# vendor-completions; TAB after "isola ru" must complete the verb
apt_quietly install --no-install-recommends zsh
cat >/var/tmp/zsh-complete <<'ZSH'
# zsh zsh-complete LINE: prints what the terminal shows after LINE and a TAB
zmodload zsh/zpty
zpty -b z 'env -i PATH=/usr/bin:/bin HOME=/tmp TERM=dumb zsh -f -i'
zpty -w z 'PS1="> "; autoload -U compinit; compinit -u'
zpty -w -n z "$1"$'\t'
sleep 3
zpty -w -n z $'\n'
sleep 1
while zpty -r -t z line; do print -rn -- "$line"; done
zpty -d z
ZSH
shown=$(zsh -f /var/tmp/zsh-complete "isola ru" 2>&1 | tr -d '\r')
check "zsh completion: isola ru<TAB>, without errors" "completed 0" \
    "$([[ $shown == *'isola run '* ]] && echo completed) $(grep -c 'not found' <<<"$shown")"

apt_quietly remove isola
check "apt remove: nothing of isola's left" "" \
    "$(find /usr/lib/isola /usr/bin/isola /usr/share/man/man1/isola* /usr/share/bash-completion/completions/isola 2>/dev/null | tr '\n' ' ' | sed 's/ $//')"
echo "smoke-deb: result $failed"
[[ $failed == 0 ]]
