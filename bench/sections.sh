#!/usr/bin/env bash
# bench/run's sections 2-5 (throughput, memory, scaling, an engine's runtime); runs inside bench/run's private mount
# namespace after the latency rounds, with bench/run's environment. Each measurement writes one
# JSON file to $WORK/results; report.py reads them. A failing tool is reported and skipped.
set -uo pipefail
say() { printf '==> %s\n' "$*" >&2; }
RES=$WORK/results
# shellcheck disable=SC2317 # called through record
suite() { python3 "$BENCH_DIR/suite.py" "$@"; }
# the embedded harness: the distribution's libraries, the isolators through ServiceLoader, and
# native memory tracking for the scaling section
# shellcheck disable=SC2317 # called through record
embedded() { java -Xms64m -Xmx64m -XX:NativeMemoryTracking=summary -cp "$ISOLA_CP" io.isola.bench.EmbeddedBench "$@"; }
has() { [[ " $SECTIONS " == *" $1 "* ]]; }
record() { # FILE CMD...: the command's JSON line to FILE, or a note that it failed
    local file=$1
    shift
    if ! "$@" >"$file.tmp"; then
        say "WARNING: $(basename "$file" .json) failed"
        rm -f "$file.tmp"
        return 0
    fi
    tail -n 1 "$file.tmp" >"$file" && rm -f "$file.tmp"
}

peers=(crun runc bwrap unshare)

if has tput; then
    for inflight in 1 2 8; do
        # the tools take turns, as in the latency rounds
        order=("${peers[@]}")
        [[ $ISOLA_OK == 1 ]] && order=(embedded isola-cli isola-server "${order[@]}")
        for tool in "${order[@]}"; do
            n=$TPUT_N
            [[ $tool == isola-cli || $tool == isola-server ]] && n=$CLI_TPUT_N
            say "throughput: $tool, $n containers, $inflight in flight"
            if [[ $tool == embedded ]]; then
                record "$RES/tput-$tool-$inflight.json" embedded tput "$n" "$inflight"
            else
                record "$RES/tput-$tool-$inflight.json" suite tput "$tool" "$n" "$inflight"
            fi
        done
    done
fi

if has mem; then
    for count in $MEM_COUNTS; do
        order=("${peers[@]}")
        [[ $ISOLA_OK == 1 ]] && order=(embedded "${order[@]}")
        # (isola-server is not in this foreground table: its containers are the server's children,
        # not the client's; the detached table below measures the server)
        [[ $ISOLA_OK == 1 ]] && ((count <= MEM_CLI_MAX)) && order+=(isola-cli)
        for tool in "${order[@]}"; do
            say "memory: $tool, $count containers running sleep"
            if [[ $tool == embedded ]]; then
                record "$RES/mem-$tool-$count.json" embedded mem "$count"
            else
                record "$RES/mem-$tool-$count.json" suite mem "$tool" "$count"
            fi
        done
    done
fi

if has mem && [[ $ISOLA_OK == 1 ]]; then
    # detached containers: a monitor JVM each (ISOLA_SERVER=off) vs the resident server
    for count in $MEM_COUNTS; do
        ((count <= MEM_CLI_MAX)) || continue
        for mode in monitor server; do
            say "memory: $count detached containers, $mode"
            record "$RES/detached-isola-detached-$mode-$count.json" suite detached "$mode" "$count"
        done
    done
fi

if has scale && [[ $ISOLA_OK == 1 ]]; then
    say "scaling: $SCALE_N containers in one embedded runtime (Felix with every bundle)"
    record "$RES/scale.json" java -Xms64m -Xmx64m -XX:NativeMemoryTracking=summary -cp "$BENCH_JAR:$DIST/lib/*" \
        io.isola.bench.EmbeddedBench scale "$SCALE_N" "$DIST/bundles"
fi
if has engine && [[ $ISOLA_OK == 1 ]]; then
    say "engine: podman run --rm and exec, ctr run --rm and task exec with runc, crun and isola, $ENGINE_N runs each"
    record "$RES/engine.json" suite engine podman "$ENGINE_N"
fi
if has engine && [[ $ISOLA_OK == 1 ]]; then
    say "engine: exec of /bin/true into a running container, runc and isola (served and in-process), $ENGINE_N runs each"
    record "$RES/exec.json" suite exec into "$ENGINE_N"
fi
exit 0
