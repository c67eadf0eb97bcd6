#!/usr/bin/env python3
"""Start-to-exit latency of a command, run sequentially: warm-up runs, then measured runs.

Usage: timeit.py RUNS WARMUP SAMPLES_FILE CMD [ARG...]

Each run is timed with time.perf_counter_ns() around subprocess.run(): fork+exec of the tool,
the container's whole life, and reaping. The measured runs are appended to SAMPLES_FILE, one
time in milliseconds per line (bench/report.py computes the statistics). A non-zero exit or a
timeout aborts with the tool's stderr, so a broken peer never yields numbers.
"""
import subprocess
import sys
import time

TIMEOUT_S = 60  # per run; a hung container is a failure, not a data point


def run_once(cmd):
    t0 = time.perf_counter_ns()
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, timeout=TIMEOUT_S)
    t1 = time.perf_counter_ns()
    if p.returncode != 0:
        err = p.stderr.decode(errors="replace").strip()
        sys.exit(f"{' '.join(cmd)}: exit {p.returncode}: {err}")
    return (t1 - t0) / 1e6


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    runs, warmup, out, cmd = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4:]
    if runs < 1 or warmup < 0:
        sys.exit("RUNS must be >= 1 and WARMUP >= 0")
    for _ in range(warmup):
        run_once(cmd)
    samples = [run_once(cmd) for _ in range(runs)]
    with open(out, "a") as f:
        f.writelines(f"{ms:.4f}\n" for ms in samples)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(130)
