#!/usr/bin/env python3
"""Which OCI verbs podman and ctr call per container, and how long each takes (issue 17).

Usage, as root, in a private mount namespace (isola's host directories fresh):
    scripts/hermetic.sh python3 bench/engine_verbs.py N NAME=RUNTIME [NAME=RUNTIME...]
e.g. N=10 runc=/usr/sbin/runc isola=dist/target/isola/bin/isola; two isola distributions side
by side (old=..., new=...) compare a change, each with a resident server of its own.

Each runtime is wrapped in a script that logs every call's argv, exit status, start and end
($EPOCHREALTIME); `podman run --rm --network none` and `ctr run --rm` of busybox's /bin/true then
run N times with each runtime, taking turns (one unmeasured round first), on podman storage and a
containerd of the script's own (under WORK, default /tmp/engine-verbs). Printed per engine and
runtime: the median of each call's time and of the gap before it (the engine's own work, or its
waiting for us), and of the whole run, in ms.
"""
import collections
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

WORK = tempfile.mkdtemp(prefix="engine-verbs.")
os.environ["WORK"] = WORK
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import suite  # noqa: E402  (the bench's Containerd, from this directory)

LIMITS = ["--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024"]
IMAGE = "localhost/isola-bench"


def wrapper(name, runtime):
    """A script that runs RUNTIME and logs the call; an isola gets a server directory of its own."""
    env = ""
    if runtime.endswith("/bin/isola"):
        env = f"export ISOLA_SERVER_DIR='{WORK}/server-{name}' ISOLA_SERVER_IDLE=600\n"
    path = f"{WORK}/wrap-{name}"
    with open(path, "w") as f:
        f.write(f"#!/bin/bash\n{env}t0=$EPOCHREALTIME\n'{os.path.abspath(runtime)}' \"$@\"\nrc=$?\n"
                f"printf '%s %s %s %s\\n' \"$t0\" \"$EPOCHREALTIME\" \"$rc\" \"$*\" >>'{WORK}/log-{name}'\nexit $rc\n")
    os.chmod(path, 0o755)
    return path


def verb(args):
    """The OCI verb of a logged argv: the first word that is neither a global option nor its value."""
    skip = False
    for word in args.split():
        if skip:
            skip = False
        elif word in ("--root", "--log", "--log-format"):
            skip = True
        elif not word.startswith("-"):
            return word
    return "?"


def rootfs():
    path = f"{WORK}/rootfs"
    if not os.path.exists(path):
        for d in ("bin", "proc", "dev", "sys", "tmp", "etc"):
            os.makedirs(f"{path}/{d}")
        shutil.copy("/bin/busybox", f"{path}/bin/busybox")
        subprocess.run(["chroot", path, "/bin/busybox", "--install", "-s", "/bin"], check=True)
    return path


def main():
    n = int(sys.argv[1])
    runtimes = dict(arg.split("=", 1) for arg in sys.argv[2:])
    os.makedirs(WORK, exist_ok=True)
    wrappers = {name: wrapper(name, runtime) for name, runtime in runtimes.items()}
    base = f"{WORK}/podman"
    podman = ["podman", "--root", f"{base}/storage", "--runroot", f"{base}/run", "--tmpdir", f"{base}/tmp",
              "--storage-driver", "vfs", "--cgroup-manager", "cgroupfs", "--events-backend", "file"]
    ctrd = suite.Containerd(f"{WORK}/ctrd")
    ops = {
        "podman run --rm": lambda rt: podman + ["run", "--rm", "--network", "none", *LIMITS, "--runtime", wrappers[rt],
                                                IMAGE, "/bin/true"],
        "ctr run --rm": lambda rt: ctrd.ctr("run", "--rm", "--runc-binary", wrappers[rt], "--runc-root",
                                            f"{WORK}/ctrd/{rt}-root", ctrd.image, f"run-{rt}", "/bin/true"),
    }
    runs = collections.defaultdict(list)
    try:
        tar = subprocess.run(["tar", "-C", rootfs(), "-c", "."], capture_output=True, check=True).stdout
        subprocess.run(podman + ["import", "--quiet", "-", IMAGE], input=tar, check=True, stdout=subprocess.DEVNULL)
        ctrd.start(podman + ["save", "--format", "docker-archive", IMAGE])
        names = list(wrappers)
        for i in range(n + 1):
            for op, argv in ops.items():
                for rt in names[i % len(names):] + names[:i % len(names)]:
                    open(f"{WORK}/log-{rt}", "w").close()
                    start = time.time()
                    p = subprocess.run(argv(rt), stdin=subprocess.DEVNULL, capture_output=True, timeout=300)
                    took = time.time() - start
                    if p.returncode != 0:
                        sys.exit(f"{op} with {rt}: exit {p.returncode}: {p.stderr.decode(errors='replace')[-300:]}")
                    with open(f"{WORK}/log-{rt}") as log:
                        calls = [line.rstrip("\n").split(" ", 3) for line in log]
                    if i > 0:
                        runs[(op, rt)].append((took, [(float(a) - start, float(b) - start, int(rc), args)
                                                      for a, b, rc, args in calls]))
    finally:
        ctrd.stop()
        subprocess.run(podman + ["rm", "--all", "--force", "--time", "0"], capture_output=True, timeout=300)
        subprocess.run(podman + ["rmi", "--all", "--force"], capture_output=True, timeout=300)
        suite.unmount_under(base)
        for name in runtimes:  # the servers the wrapped isolas started
            servers = f"{WORK}/server-{name}"
            for lock in os.listdir(servers) if os.path.isdir(servers) else []:
                if lock.endswith(".lock"):
                    try:
                        with open(f"{servers}/{lock}") as f:
                            os.kill(int(f.read().strip()), 15)
                    except (OSError, ValueError):
                        pass  # gone already
        shutil.rmtree(WORK, ignore_errors=True)
    report(runs)


def report(runs):
    ms = lambda values: f"{statistics.median(values) * 1000:7.1f}"  # noqa: E731
    print("call (in order)         gap before, ms   took, ms   exit statuses")
    for (op, rt), samples in runs.items():
        print(f"{op} with {rt}: {len(samples)} runs, whole run {ms([s[0] for s in samples])} ms")
        by_call = collections.defaultdict(lambda: ([], [], set()))
        for took, calls in samples:
            end = 0.0
            for k, (a, b, rc, args) in enumerate(calls):
                gaps, times, codes = by_call[f"{k + 1}. {verb(args)}"]
                gaps.append(a - end)
                times.append(b - a)
                codes.add(rc)
                end = b
            by_call["(after the last)"][0].append(took - end)
        for call, (gaps, times, codes) in by_call.items():
            print(f"  {call:22s} {ms(gaps)}        {ms(times) if times else '      -'}    "
                  f"{' '.join(map(str, sorted(codes)))}")


if __name__ == "__main__":
    main()
