#!/usr/bin/env bash
# Runs commands as a Docker user types them, with the built distribution's bin/isola in place of
# docker, and prints a table of what matches what docker 24 prints. Local images only: an image is
# made here from busybox-static and imported, and every run and create says --pull never.
# Usage, as root, after a build:
#   scripts/docker-compat.sh            the built-in script below
#   scripts/docker-compat.sh FILE       a script of your own: lines "expected<TAB>docker ARGS..."
#                                       (run by bash, so quote as in a shell; "-" expects exit 0 only)
# Exit status: 0 when every line matched, 1 otherwise.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
isola=$repo/dist/target/isola/bin/isola
work=$(mktemp -d)
# shellcheck source=scripts/own-server.bash
source "$repo/scripts/own-server.bash"
own_server "$work/server"
# shellcheck disable=SC2317 # called by the trap
cleanup() {
    "$isola" --root "$work/state" ps -a -q --no-trunc 2> /dev/null | while read -r id; do
        "$isola" --root "$work/state" rm -f "$id" > /dev/null 2>&1 || true
    done
    "$isola" network rm -f compatnet > /dev/null 2>&1 || true
    stop_server
    rm -rf "$work"
}
trap cleanup EXIT
export ISOLA_ROOT=$work/store

# docker as this script's commands call it: isola on a state root of its own
docker() {
    "$isola" --root "$work/state" "$@"
}

# a one-layer image of busybox, Cmd sh, as 'docker save' writes it
image() {
    mkdir -p "$work/rootfs"/{bin,etc,proc,sys,dev,tmp,data} "$work/image"
    cp /bin/busybox "$work/rootfs/bin/busybox"
    for applet in sh cat echo ls sleep stat test true; do ln -s busybox "$work/rootfs/bin/$applet"; done
    echo 'from the image' > "$work/rootfs/etc/motd"
    tar -C "$work/rootfs" --numeric-owner -cf "$work/layer.tar" .
    local layer config
    layer=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
    mkdir "$work/image/$layer" && mv "$work/layer.tar" "$work/image/$layer/layer.tar"
    printf '{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/bin"],"Cmd":["sh"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
        "$layer" > "$work/config.json"
    config=$(sha256sum "$work/config.json" | cut -d' ' -f1)
    mv "$work/config.json" "$work/image/$config.json"
    printf '[{"Config":"%s.json","RepoTags":["compat/busybox:1"],"Layers":["%s/layer.tar"]}]' "$config" "$layer" \
        > "$work/image/manifest.json"
    tar -C "$work/image" -cf "$work/image.tar" .
    docker load -i "$work/image.tar" > /dev/null
}

builtin_script() {
    cat << 'SCRIPT'
compat/busybox:1	docker images --format '{{.Repository}}:{{.Tag}}'
from the image	docker run --rm --pull never compat/busybox:1 cat /etc/motd
3	docker run --rm --pull never compat/busybox:1 sh -c 'exit 3'; echo $?
-	docker run -d --name web --pull never -l app=web --memory 64m compat/busybox:1 sleep 1000
web	docker ps --filter label=app=web --format '{{.Names}}'
running	docker inspect -f '{{.State.Status}}' web
67108864	docker inspect -f '{{.HostConfig.Memory}}' web
web	docker update --memory 128m web
134217728	docker inspect -f '{{.HostConfig.Memory}}' web
web 1	docker stats --no-stream --format '{{.Name}} {{.PIDs}}' web
CONTAINER ID NAME CPU % MEM USAGE / LIMIT MEM % NET I/O BLOCK I/O PIDS	docker stats --no-stream web | head -1 | xargs
1	docker rm nosuch 2> /dev/null; echo $?
1	docker inspect nosuch > /dev/null 2>&1; echo $?
125	docker run --rm --pull never nosuch:1 2> /dev/null; echo $?
125	docker ps --frobnicate 2> /dev/null; echo $?
1	docker frobnicate 2> /dev/null; echo $?
0	docker volume 2> /dev/null; echo $?
-	docker run -d --name stubborn --pull never compat/busybox:1 sh -c 'trap "exit 3" TERM; while :; do busybox sleep 0.1; done'
stubborn	docker kill stubborn
137	docker wait stubborn
stubborn	docker rm stubborn
-	echo copied > "$WORK/in.txt" && docker cp "$WORK/in.txt" web:/data/
copied	docker cp web:/data/in.txt - | tar -xO
-	docker cp web:/etc/motd "$WORK/motd"
from the image	cat "$WORK/motd"
A /data/in.txt	docker diff web | grep in.txt
www	docker rename web www && docker ps --format '{{.Names}}'
www	docker stop -t 0 www
exited	docker inspect -f '{{.State.Status}}' www
-	docker create --name made --pull never compat/busybox:1 sh -c 'echo made; sleep 1000'
created	docker inspect -f '{{.State.Status}}' made
made	docker start made
running	docker inspect -f '{{.State.Status}}' made
made	docker rm -f made
create start die destroy	docker events --since 5m --until 0s --filter container=made --format '{{.Action}}' | xargs
99 32768	docker run --rm --pull never --sysctl net.ipv4.ip_unprivileged_port_start=99 --shm-size 128m compat/busybox:1 sh -c 'cat /proc/sys/net/ipv4/ip_unprivileged_port_start; stat -f -c %b /dev/shm' | xargs
-	docker run -d --name sig --stop-signal SIGUSR1 --stop-timeout 5 --pull never compat/busybox:1 sleep 1000
SIGUSR1 5	docker inspect -f '{{.Config.StopSignal}} {{.Config.StopTimeout}}' sig
sig	docker rm -f sig
-	docker run -di --name piped --pull never compat/busybox:1 sh -c 'read l; echo got-$l; exit 4'
got-one 4	(echo one | docker attach piped; echo $?) | xargs
-	docker network create compatnet
compatnet bridge	docker network ls --filter name=compatnet --format '{{.Name}} {{.Driver}}'
-	docker run -d --name srv --network compatnet --network-alias api --pull never compat/busybox:1 sh -c 'busybox mkdir /w && echo served > /w/index.html && exec busybox httpd -f -p 80 -h /w'
served	docker run --rm --network compatnet --pull never compat/busybox:1 sh -c 'i=0; until busybox wget -q -O - http://srv/; do i=$((i+1)); [ $i -lt 50 ] || exit 1; busybox sleep 0.1; done'
served	docker run --rm --network compatnet --pull never compat/busybox:1 busybox wget -q -O - http://api/
srv	docker network inspect -f '{{range .Containers}}{{.Name}}{{end}}' compatnet
-	docker create --name late --network bridge --pull never compat/busybox:1 sleep 1000
-	docker network connect compatnet late
late	docker start late
served	docker exec late busybox wget -q -O - http://srv/
bridge	docker inspect -f '{{if .NetworkSettings.Networks.bridge}}bridge{{end}}' late
late	docker rm -f late
srv	docker rm -f srv
compatnet	docker network rm compatnet
nameserver 192.0.2.53	docker run --rm --net none --dns 192.0.2.53 --pull never compat/busybox:1 busybox grep nameserver /etc/resolv.conf
192.0.2.7	docker run --rm --net none --add-host db:192.0.2.7 --pull never compat/busybox:1 busybox awk '$2 == "db" {print $1}' /etc/hosts
-	docker run -d --name hc --health-cmd true --health-interval 1h --health-start-period 1m --health-start-interval 100ms --pull never compat/busybox:1 sleep 1000
healthy	i=0; until [ "$(docker inspect -f '{{.State.Health.Status}}' hc)" = healthy ] || [ $i -ge 20 ]; do i=$((i+1)); sleep 0.2; done; docker inspect -f '{{.State.Health.Status}}' hc
hc	docker rm -f hc
Total reclaimed space	docker system prune -f | tail -1 | cut -d: -f1
0	docker ps -a -q | wc -l
SCRIPT
}

image
script=${1:-}
lines=()
if [[ -n $script ]]; then
    mapfile -t lines < "$script"
else
    mapfile -t lines < <(builtin_script)
fi
export WORK=$work
failed=0
printf '%-6s %-62s %s\n' MATCH COMMAND "EXPECTED -> GOT"
for line in "${lines[@]}"; do
    [[ -z $line || $line == \#* ]] && continue
    expected=${line%%$'\t'*}
    command=${line#*$'\t'}
    status=0
    got=$(eval "$command" 2>&1) || status=$?
    if [[ $expected == - && $status == 0 ]] || [[ $expected != - && $got == "$expected" ]]; then
        verdict=yes
    else
        verdict=NO
        failed=1
    fi
    printf '%-6s %-62s %s\n' "$verdict" "${command:0:62}" "$expected -> $(head -c 200 <<< "$got" | tr '\n' ' ')"
done
exit "$failed"
