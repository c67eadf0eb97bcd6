#!/usr/bin/env python3
"""Which OCI verbs podman and ctr call per container, and how long each takes (issue 17).

Usage, as root, in a private mount namespace (isola's host directories fresh):
    scripts/hermetic.sh python3 bench/engine_verbs.py N NAME=RUNTIME [NAME=RUNTIME...]
e.g. N=10 runc=/usr/sbin/runc isola=dist/target/isola/bin/isola; two isola distributions side
by side (old=..., new=...) compare a change, each with a resident server of its own.

Each runtime is wrapped in a script that logs every call's argv, exit status, start and end
($EPOCHREALTIME); `podman run --rm --network none` and `ctr run --rm` of busybox's /bin/true, and
`podman exec` and `ctr task exec` of /bin/true into a container of each runtime's, then run N
times with each runtime, taking turns (one unmeasured round first), on podman storage and a
containerd of the script's own (in a new temporary directory, WORK). Printed per engine and
runtime: the median of each call's time and of the gap before it (the engine's own work, or its
waiting for us), and of the whole run, in ms.

Two switches say more about isola's calls (each costs time of its own: take the calls' times from
a run without them, and compare runtimes within one run only):
    ENGINE_VERBS_EXECVE=1        which way bin/isola took for each call (the shell client, the
                                 thin JVM, the JVM client, in-process)
    ENGINE_VERBS_SERVER_LOGS=DIR the server's own wall time and CPU for each call (isola's startup
                                 trace, from "server request read" to "server command done"); the
                                 servers' logs are kept in DIR
"""
import collections
import os
import re
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


# ENGINE_VERBS_EXECVE=1: each call runs under strace (execve of the runtime's own process only, not
# its children: a container must not be traced) and the table says which way bin/isola took:
# "shell" (the shell client, no JVM: bash execs nothing), or the JVM main class bash exec'd
# (ThinCreate, the JVM Client, Main in-process). Tracing costs each call time: compare runtimes
# within one such run only, and take times from a run without it.
EXECVE = os.environ.get("ENGINE_VERBS_EXECVE") == "1"
# ENGINE_VERBS_SERVER_LOGS=DIR: the servers run with isola's startup trace (each command's "server
# request read" and "server command done", with the server's CPU), and their logs are kept in DIR.
KEEP_LOGS = os.environ.get("ENGINE_VERBS_SERVER_LOGS")
JVM_MAINS = {"io.isola.launcher.client.ThinCreate": "thin", "io.isola.launcher.client.Client": "jvm-client",
             "io.isola.launcher.Main": "in-process"}


def wrapper(name, runtime):
    """A script that runs RUNTIME and logs the call; an isola gets a server directory of its own."""
    env = ""
    if runtime.endswith("/bin/isola"):
        env = f"export ISOLA_SERVER_DIR='{WORK}/server-{name}' ISOLA_SERVER_IDLE=600\n"
        if KEEP_LOGS:  # the server this isola starts inherits it, and marks each command in its log
            env += "export ISOLA_JAVA_OPTS=-Disola.trace.startup=true\n"
    path = f"{WORK}/wrap-{name}"
    trace = f"strace -qq -e trace=execve -e signal=none -s 200 -o \"{WORK}/execve-{name}.$t0\" " \
        if EXECVE else ""
    with open(path, "w") as f:
        f.write(f"#!/bin/bash\n{env}t0=$EPOCHREALTIME\n{trace}'{os.path.abspath(runtime)}' \"$@\"\nrc=$?\n"
                f"printf '%s %s %s %s\\n' \"$t0\" \"$EPOCHREALTIME\" \"$rc\" \"$*\" >>'{WORK}/log-{name}'\nexit $rc\n")
    os.chmod(path, 0o755)
    return path


def way(name, t0):
    """How the call logged at T0 ran: the JVM main class it executed, or "shell" (none)."""
    path = f"{WORK}/execve-{name}.{t0}"
    if not EXECVE or not os.path.exists(path):
        return ""
    with open(path) as f:
        text = f.read()
    os.unlink(path)
    for main, label in JVM_MAINS.items():
        if f'"{main}"' in text:
            return label
    return "shell" if "bin/isola" in text else "-"


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


OFFSETS = {}
TRACE = re.compile(r"isola-trace\s+(\d+) ms\s+(\d+) ms cpu (\S+)\s+(.*)")


def server_sessions(name):
    """With KEEP_LOGS: the commands the server of NAME ran since the last call, in order, each as its
    wall time from "server request read" to "server command done" and its CPU (the whole server's,
    in the JVM's 10 ms ticks), in ms; None for a server that logs no trace."""
    servers = f"{WORK}/server-{name}"
    if not KEEP_LOGS or not os.path.isdir(servers):
        return None
    sessions = []
    for log in sorted(f for f in os.listdir(servers) if f.endswith(".log")):
        path = f"{servers}/{log}"
        with open(path) as f:
            f.seek(OFFSETS.get(path, 0))
            text = f.read()
            OFFSETS[path] = f.tell()
        for line in text.splitlines():
            m = TRACE.match(line)
            if not m:
                continue
            at, cpu, mark = int(m.group(1)), int(m.group(2)), m.group(4).strip()
            if mark == "server request read":
                sessions.append([at, cpu, None, None])
            elif mark == "server command done" and sessions and sessions[-1][2] is None:
                sessions[-1][2:] = [at - sessions[-1][0], cpu - sessions[-1][1]]
    return [(w, c) for _, _, w, c in sessions]


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
    exec_ids = iter(range(1 << 30))
    ops = {
        "podman run --rm": lambda rt: podman + ["run", "--rm", "--network", "none", *LIMITS, "--runtime", wrappers[rt],
                                                IMAGE, "/bin/true"],
        "ctr run --rm": lambda rt: ctrd.ctr("run", "--rm", "--runc-binary", wrappers[rt], "--runc-root",
                                            f"{WORK}/ctrd/{rt}-root", ctrd.image, f"run-{rt}", "/bin/true"),
        "podman exec": lambda rt: podman + ["--runtime", wrappers[rt], "exec", f"exec-{rt}", "/bin/true"],
        "ctr task exec": lambda rt: ctrd.ctr("tasks", "exec", "--exec-id", f"e{next(exec_ids)}", f"exec-{rt}",
                                             "/bin/true"),
    }
    runs = collections.defaultdict(list)
    try:
        tar = subprocess.run(["tar", "-C", rootfs(), "-c", "."], capture_output=True, check=True).stdout
        subprocess.run(podman + ["import", "--quiet", "-", IMAGE], input=tar, check=True, stdout=subprocess.DEVNULL)
        ctrd.start(podman + ["save", "--format", "docker-archive", IMAGE])
        names = list(wrappers)
        for rt in names:  # the containers the exec operations go into (not measured)
            for argv in (podman + ["run", "-d", "--name", f"exec-{rt}", "--network", "none", *LIMITS, "--runtime",
                                   wrappers[rt], IMAGE, "/bin/sleep", "600"],
                         ctrd.ctr("run", "-d", "--runc-binary", wrappers[rt], "--runc-root", f"{WORK}/ctrd/{rt}-root",
                                  ctrd.image, f"exec-{rt}", "/bin/sleep", "600")):
                p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=300)
                if p.returncode != 0:
                    sys.exit(f"{argv}: exit {p.returncode}: {p.stderr.decode(errors='replace')[-500:]}")
            server_sessions(rt)  # the exec targets' commands: not the measured calls
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
                    served = server_sessions(rt)
                    if served is None or len(served) != len(calls):  # not every call reached the server
                        served = [(None, None)] * len(calls)
                    if i > 0:
                        runs[(op, rt)].append((took, [(float(a) - start, float(b) - start, int(rc), args, way(rt, a),
                                                       sw, sc) for (a, b, rc, args), (sw, sc) in zip(calls, served)]))
    finally:
        ctrd.stop()
        subprocess.run(podman + ["rm", "--all", "--force", "--time", "0"], capture_output=True, timeout=300)
        subprocess.run(podman + ["rmi", "--all", "--force"], capture_output=True, timeout=300)
        suite.unmount_under(base)
        for name in runtimes:  # the servers the wrapped isolas started
            servers = f"{WORK}/server-{name}"
            if KEEP_LOGS and os.path.isdir(servers):
                os.makedirs(KEEP_LOGS, exist_ok=True)
                for log in (f for f in os.listdir(servers) if f.endswith(".log")):
                    shutil.copy(f"{servers}/{log}", f"{KEEP_LOGS}/{name}-{log}")
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
    print("call (in order)         gap before, ms   took, ms   exit statuses   server wall/CPU, ms   way (isola)")
    for (op, rt), samples in runs.items():
        print(f"{op} with {rt}: {len(samples)} runs, whole run {ms([s[0] for s in samples])} ms")
        by_call = collections.defaultdict(lambda: ([], [], set(), set(), [], []))
        for took, calls in samples:
            end = 0.0
            for k, (a, b, rc, args, how, sw, sc) in enumerate(calls):
                gaps, times, codes, ways, walls, cpus = by_call[f"{k + 1}. {verb(args)}"]
                gaps.append(a - end)
                times.append(b - a)
                codes.add(rc)
                ways.add(how)
                if sw is not None:
                    walls.append(sw / 1000)
                    cpus.append(sc / 1000)
                end = b
            by_call["(after the last)"][0].append(took - end)
        for call, (gaps, times, codes, ways, walls, cpus) in by_call.items():
            server = f"{ms(walls)} /{ms(cpus)}" if walls else " " * 16
            print(f"  {call:22s} {ms(gaps)}        {ms(times) if times else '      -'}    "
                  f"{' '.join(map(str, sorted(codes))):14s}  {server}      {' '.join(sorted(w for w in ways if w))}")


if __name__ == "__main__":
    main()
