#!/usr/bin/env python3
"""Turns bench/run's samples into the table and the target lines.

Usage: report.py SAMPLES_DIR RESULTS_FILE WARMUP ROUNDS

SAMPLES_DIR holds LABEL.txt files, one time in ms per line, pooled over all rounds.
RESULTS_FILE holds LaunchBench's summary lines ("LABEL key=value ..."); only their metadata
(rss, touched heap, rootfs) is used here, the statistics come from the samples.
"""
import math
import os
import statistics
import sys

ROWS = [  # samples label, name in the table
    ("isola-small", "isola embedded API (64 MB heap)"),
    ("crun", "crun run"),
    ("runc", "runc run"),
    ("unshare", "unshare -uipm --fork --mount-proc"),
]
CRUN_TARGET = 2.0   # isola embedded at least 2x faster than crun run (median)
HEAP_TARGET = 1.5   # 4 GB heap (2 GB touched) within 1.5x of the 64 MB heap (median)


def stats(samples_dir, label):
    path = os.path.join(samples_dir, label + ".txt")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        s = sorted(float(line) for line in f if line.strip())
    if not s:
        return None
    p99 = s[max(0, math.ceil(0.99 * len(s)) - 1)]  # nearest rank
    return {"n": len(s), "min": s[0], "median": statistics.median(s), "p99": p99}


def metadata(results_file):
    meta = {}
    with open(results_file) as f:
        for line in f:
            label, *pairs = line.split() or [""]
            if pairs and all("=" in p for p in pairs):
                meta[label] = dict(p.split("=", 1) for p in pairs)  # the last round wins
    return meta


def verdict(ok):
    return "PASS" if ok else "FAIL"


def main():
    samples_dir, results_file, warmup, rounds = sys.argv[1:5]
    meta = metadata(results_file)
    isola, large = stats(samples_dir, "isola-small"), stats(samples_dir, "isola-large")
    # the partial samples of a tool that failed in a later round are no result
    if os.path.exists(os.path.join(samples_dir, "isola-small.failed")):
        isola = None
    if os.path.exists(os.path.join(samples_dir, "isola-large.failed")):
        large = None

    print(f"/bin/true start to exit, new uts+ipc+pid+mount namespaces; per tool: {rounds} "
          f"rounds (tools in rotating order) of {warmup} warm-up + measured runs; times in ms")
    print(f"{'tool':<36}{'runs':>6}{'min':>9}{'median':>9}{'p99':>9}   peer/isola median")
    for label, name in ROWS:
        r = stats(samples_dir, label)
        if os.path.exists(os.path.join(samples_dir, label + ".failed")):
            print(f"{name:<36}{'-':>6}{'-':>9}{'-':>9}{'-':>9}   FAILED (see the log above)")
            continue
        if r is None:
            print(f"{name:<36}{'-':>6}{'-':>9}{'-':>9}{'-':>9}   not measured")
            continue
        ratio = f"{r['median'] / isola['median']:.2f}x" if isola else "-"
        print(f"{name:<36}{r['n']:>6}{r['min']:>9.2f}{r['median']:>9.2f}{r['p99']:>9.2f}   {ratio}")

    if isola:
        where = meta.get("isola-small", {}).get("rootfs", "host")
        if where == "host":
            print("note: isola runs the host's /bin/true (coreutils) from the host root, as there is "
                  "no rootfs support yet; crun and runc run busybox true in the busybox rootfs")
        else:
            print(f"note: isola runs /bin/true in the rootfs {where}")
    print("note: unshare(1) is a reference only (host root, no container runtime work)")
    print()

    crun = stats(samples_dir, "crun")
    target = f"target: isola embedded >= {CRUN_TARGET:g}x faster than crun run (median): "
    if isola and crun:
        r = crun["median"] / isola["median"]
        print(target + f"{verdict(r >= CRUN_TARGET)} ({r:.2f}x)")
    else:
        print(target + "UNTESTED")

    target = f"target: large heap within {HEAP_TARGET:g}x of small (median): "
    if isola and large:
        small_meta, large_meta = meta.get("isola-small", {}), meta.get("isola-large", {})
        print(f"large heap: median {isola['median']:.2f} ms with -Xms64m -Xmx64m "
              f"(rss {small_meta.get('rss_mb', '?')} MB), {large['median']:.2f} ms with "
              f"-Xms4g -Xmx4g and {large_meta.get('touched_mb', '?')} MB touched "
              f"(rss {large_meta.get('rss_mb', '?')} MB); p99 {isola['p99']:.2f} vs {large['p99']:.2f} ms")
        r = large["median"] / isola["median"]
        print(target + f"{verdict(r <= HEAP_TARGET)} ({r:.2f}x)")
    else:
        print(target + "UNTESTED")


if __name__ == "__main__":
    main()
