#!/usr/bin/env python3
"""Compares commands run back to back, interleaved: round r runs every variant once, in an order
rotated by r, so a burst of load on a shared host lands on all variants alike.

Usage: variants.py ROUNDS WARMUP NAME=COMMAND [NAME=COMMAND ...]   (COMMAND split by the shell)

For every run it records the wall time and the CPU time (user + system, of the whole process
tree, from wait4's rusage): on a loaded host the CPU time is the steadier measure of the work a
start does. Prints one line per variant: runs, wall min/median/p90 and CPU median, in ms.
Also writes JSON to $VARIANTS_JSON when set.
"""
import json
import os
import shlex
import statistics
import subprocess
import sys
import time


def run_once(cmd):
    t0 = time.perf_counter_ns()
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = (time.perf_counter_ns() - t0) / 1e6
    rc = os.waitstatus_to_exitcode(status)
    if rc != 0:
        sys.exit(f"{' '.join(cmd)}: exit {rc}: {err.decode(errors='replace').strip()}")
    return wall, (ru.ru_utime + ru.ru_stime) * 1000, ru.ru_maxrss / 1024


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    rounds, warmup = int(sys.argv[1]), int(sys.argv[2])
    variants = [a.split("=", 1) for a in sys.argv[3:]]
    cmds = {name: shlex.split(cmd) for name, cmd in variants}
    names = [name for name, _ in variants]
    for name in names:
        for _ in range(warmup):
            run_once(cmds[name])
    samples = {name: [] for name in names}
    for r in range(rounds):
        for i in range(len(names)):
            name = names[(i + r) % len(names)]
            samples[name].append(run_once(cmds[name]))
    load = open("/proc/loadavg").read().split()[:3]
    print(f"{'variant':<28}{'runs':>5}{'wall min':>10}{'median':>9}{'p90':>9}{'cpu med':>9}{'maxrss MB':>10}")
    out = {"load_after": load, "variants": {}}
    for name in names:
        walls = sorted(s[0] for s in samples[name])
        cpus = [s[1] for s in samples[name]]
        rss = [s[2] for s in samples[name]]
        p90 = walls[max(0, -(-9 * len(walls) // 10) - 1)]
        row = {"runs": len(walls), "wall_min": walls[0], "wall_median": statistics.median(walls),
               "wall_p90": p90, "cpu_median": statistics.median(cpus), "maxrss_mb": statistics.median(rss),
               "command": " ".join(cmds[name])}
        out["variants"][name] = row
        print(f"{name:<28}{row['runs']:>5}{row['wall_min']:>10.0f}{row['wall_median']:>9.0f}{p90:>9.0f}"
              f"{row['cpu_median']:>9.0f}{row['maxrss_mb']:>10.0f}")
    print(f"load average after: {' '.join(load)}")
    if os.environ.get("VARIANTS_JSON"):
        with open(os.environ["VARIANTS_JSON"], "w") as f:
            json.dump(out, f, indent=2)


if __name__ == "__main__":
    main()
