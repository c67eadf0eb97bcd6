#!/usr/bin/env python3
"""bench/run's throughput and memory sections for the command-line tools (run inside bench/run's
private mount namespace; the embedded API's numbers come from EmbeddedBench).

Usage: suite.py tput TOOL TOTAL IN_FLIGHT        prints {"per_second": ...} as JSON
       suite.py mem TOOL N                       prints RSS/PSS of the tool's processes as JSON
       suite.py detached monitor|server N        RSS/PSS of isola's processes for N run -d containers
       suite.py engine podman N                  podman run/exec and ctr run/task exec with each runtime, N runs each
       suite.py exec into N                      exec of /bin/true into a running container, N runs each way

TOOL is one of the names in command() below; the environment carries bench/run's paths (WORK,
BUNDLE, ROOTFS, ISOLA_BIN). Throughput runs TOTAL containers of /bin/true through
"xargs -P IN_FLIGHT", so the tools pay their own process start, as a shell user would.
Memory starts N containers running "sleep 600" in the foreground mode of each tool (the runtime
process stays while its container runs), waits until all N sleep, sums Rss and Pss
(/proc/PID/smaps_rollup) over every process of each tool's tree that is not the container's
own sleep, then kills the containers and waits for the tools to exit. All waits are bounded.
"""
import json
import os
import signal
import statistics
import subprocess
import sys
import time

WORK = os.environ.get("WORK", "/tmp")
BUNDLE = os.environ.get("BUNDLE", "")
ROOTFS = os.environ.get("ROOTFS", "")
ISOLA_BIN = os.environ.get("ISOLA_BIN", "")
SETTLE_TIMEOUT_S = 120
EXIT_TIMEOUT_S = 30


def command(tool, args, cid):
    """The argv that runs ARGS in new uts+ipc+pid+mount namespaces with TOOL; CID names a container."""
    if tool == "crun":
        return ["crun", "--root", f"{WORK}/crun-state", "run", "--bundle", bundle_for(args), cid]
    if tool == "runc":
        return ["runc", "--root", f"{WORK}/runc-state", "run", "--bundle", bundle_for(args), cid]
    if tool == "bwrap":
        return ["bwrap", "--unshare-uts", "--unshare-ipc", "--unshare-pid", "--bind", ROOTFS, "/",
                "--proc", "/proc", "--dev", "/dev", "--as-pid-1", *args]
    if tool == "unshare":
        return ["unshare", "-uipm", "--fork", "--mount-proc", *args]
    # --net host: the peers make no network namespace here; isola's default does
    if tool == "isola-cli":
        return ["env", "ISOLA_SERVER=off", ISOLA_BIN, "run", "--net", "host", "--", *args]
    if tool == "isola-server":
        return [ISOLA_BIN, "run", "--net", "host", "--", *args]
    sys.exit(f"suite.py: unknown tool {tool}")


def bundle_for(args):
    """runc and crun take the command from config.json: one bundle per command, made once."""
    if args == ["/bin/true"]:
        return BUNDLE
    path = f"{WORK}/bundle-{'-'.join(a.strip('/').replace('/', '_') for a in args)}"
    if not os.path.exists(path):
        os.makedirs(path)
        with open(f"{BUNDLE}/config.json") as f:
            spec = json.load(f)
        spec["process"]["args"] = args
        with open(f"{path}/config.json", "w") as f:
            json.dump(spec, f)
    return path


def throughput(tool, total, in_flight):
    # xargs substitutes the run number into the container id, so concurrent ids never clash
    argv = command(tool, ["/bin/true"], "isola-bench-{}")
    t0 = time.perf_counter()
    p = subprocess.run(["xargs", "-P", str(in_flight), "-I{}", *argv],
                       input="".join(f"{i}\n" for i in range(total)).encode(),
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=3600)
    seconds = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"{tool}: xargs exit {p.returncode}: {p.stderr.decode(errors='replace')[-500:]}")
    return {"total": total, "in_flight": in_flight, "seconds": round(seconds, 3), "per_second": round(total / seconds, 2)}


def processes():
    """pid -> (ppid, comm) of every process now."""
    table = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1:stat.rindex(")")]
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        table[int(d)] = (ppid, comm)
    return table


def tree(root, table):
    children = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        if pid in table:
            out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def rollup(pid):
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss


def memory(tool, n):
    procs = [subprocess.Popen(command(tool, ["/bin/sleep", "600"], f"isola-bench-mem-{i}"),
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
             for i in range(n)]
    try:
        deadline = time.monotonic() + SETTLE_TIMEOUT_S
        while True:
            table = processes()
            sleeping = [pid for p in procs for pid in tree(p.pid, table) if table[pid][1] == "sleep"]
            if len(sleeping) >= n:
                break
            if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                sys.exit(f"{tool}: {len(sleeping)} of {n} containers running after {SETTLE_TIMEOUT_S} s")
            time.sleep(0.2)
        time.sleep(0.5)
        table = processes()
        rss = pss = count = 0
        for p in procs:
            for pid in tree(p.pid, table):
                if table[pid][1] != "sleep":
                    r, s = rollup(pid)
                    rss, pss, count = rss + r, pss + s, count + 1
        return {"containers": n, "processes": count, "rss_kb": rss, "pss_kb": pss,
                "rss_kb_per_container": round(rss / n), "pss_kb_per_container": round(pss / n)}
    finally:
        table = processes()
        for p in procs:
            for pid in tree(p.pid, table):
                if table[pid][1] == "sleep":
                    kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + EXIT_TIMEOUT_S
        for p in procs:
            try:
                p.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def detached(mode, n):
    """N detached containers (run -d sleep 600): with a monitor JVM each (ISOLA_SERVER=off), or
    monitored by the resident server; Rss/Pss of every isola process that stays."""
    env = dict(os.environ)
    root = f"{WORK}/detached-state"
    os.makedirs(root, exist_ok=True)
    if mode == "monitor":
        env["ISOLA_SERVER"] = "off"
    base = [ISOLA_BIN, "--root", root]
    before = None
    if mode == "server":
        subprocess.run(base + ["ps"], env=env, check=True, stdout=subprocess.DEVNULL, timeout=300)
        before = sum(rollup(pid)[1] for pid in server_pids())
    ids = []
    try:
        for i in range(n):
            p = subprocess.run(base + ["run", "-d", "--net", "host", "--", "/bin/sleep", "600"], env=env,
                               capture_output=True, timeout=300)
            if p.returncode != 0:
                sys.exit(f"isola run -d: exit {p.returncode}: {p.stderr.decode(errors='replace')[-300:]}")
            ids.append(p.stdout.decode().strip())
        time.sleep(1)
        if mode == "server":
            pids = server_pids()
        else:
            pids = [pid for pid in os.listdir("/proc") if pid.isdigit() and monitor_of(pid, ids)]
        rss = pss = 0
        for pid in pids:
            r, s = rollup(pid)
            rss, pss = rss + r, pss + s
        return {"mode": mode, "containers": n, "processes": len(pids), "rss_kb": rss, "pss_kb": pss,
                "pss_kb_before": before}
    finally:
        for cid in ids:
            subprocess.run(base + ["rm", "-f", cid], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           timeout=120)


def engine(n):
    """What an engine costs with each OCI runtime (issue 17): podman run --rm --network none of
    /bin/true, podman exec of /bin/true into a running container, ctr run --rm of /bin/true and
    ctr task exec, with runc, crun and isola (as shipped: its resident server takes the verbs after
    create) as the runtime; for podman run also isola in-process (ISOLA_SERVER=off, a JVM per
    verb). The image is the busybox rootfs, imported into podman storage of our own and, saved from
    there, into a containerd of our own (own root, state and socket under WORK). Each round runs
    every operation with every runtime, the runtimes taking turns; one unmeasured round first.
    Wall seconds per operation and runtime."""
    import shutil
    base = f"{WORK}/podman"
    podman = ["podman", "--root", f"{base}/storage", "--runroot", f"{base}/run", "--tmpdir", f"{base}/tmp",
              "--storage-driver", "vfs", "--cgroup-manager", "cgroupfs", "--events-backend", "file"]
    os.makedirs(base, exist_ok=True)
    runtimes = {"runc": shutil.which("runc"), "crun": shutil.which("crun")}
    # podman and containerd pass a runtime a few variables only: bench/run's server directory goes in a script
    for name, extra in (("isola", ""), ("isola-in-process", "ISOLA_SERVER=off ")):
        script = f"{base}/{name}"
        with open(script, "w") as f:
            f.write(f"#!/bin/sh\nexport {extra}ISOLA_SERVER_DIR='{os.environ['ISOLA_SERVER_DIR']}' "
                    f"ISOLA_SERVER_IDLE=600\nexec '{ISOLA_BIN}' \"$@\"\n")
        os.chmod(script, 0o755)
        runtimes[name] = script
    limits = ["--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024"]
    image = "localhost/isola-bench"
    ctrd = Containerd(f"{WORK}/ctrd") if shutil.which("containerd") and shutil.which("ctr") else None
    quiet = dict(stdin=subprocess.DEVNULL, capture_output=True, timeout=300)

    def podman_run(rt):
        return podman + ["run", "--rm", "--network", "none", *limits, "--runtime", runtimes[rt], image, "/bin/true"]

    def podman_exec(rt):
        return podman + ["--runtime", runtimes[rt], "exec", f"bench-{rt}", "/bin/true"]

    def ctr_run(rt):
        return ctrd.ctr("run", "--rm", "--runc-binary", runtimes[rt], "--runc-root", f"{WORK}/ctrd/{rt}-root",
                        ctrd.image, f"bench-run-{rt}", "/bin/true")

    exec_ids = iter(range(1 << 30))

    def ctr_exec(rt):
        return ctrd.ctr("tasks", "exec", "--exec-id", f"e{next(exec_ids)}", f"bench-{rt}", "/bin/true")

    ops = {"podman run --rm": (podman_run, ["runc", "crun", "isola", "isola-in-process"]),
           "podman exec": (podman_exec, ["runc", "crun", "isola"])}
    if ctrd:
        ops["ctr run --rm"] = (ctr_run, ["runc", "crun", "isola"])
        ops["ctr task exec"] = (ctr_exec, ["runc", "crun", "isola"])
    samples = {op: {rt: [] for rt in rts} for op, (_, rts) in ops.items()}
    try:
        tar = subprocess.run(["tar", "-C", ROOTFS, "-c", "."], capture_output=True, check=True, timeout=120).stdout
        subprocess.run(podman + ["import", "--quiet", "-", image], input=tar, check=True,
                       stdout=subprocess.DEVNULL, timeout=300)
        for rt in ("runc", "crun", "isola"):  # the containers the exec operations go into
            checked(podman + ["run", "-d", "--name", f"bench-{rt}", "--network", "none", *limits,
                              "--runtime", runtimes[rt], image, "/bin/sleep", "600"], f"podman run -d with {rt}")
        if ctrd:
            ctrd.start(podman + ["save", "--format", "docker-archive", image])
            for rt in ("runc", "crun", "isola"):
                checked(ctrd.ctr("run", "-d", "--runc-binary", runtimes[rt], "--runc-root", f"{WORK}/ctrd/{rt}-root",
                                 ctrd.image, f"bench-{rt}", "/bin/sleep", "600"), f"ctr run -d with {rt}")
        for i in range(n + 1):
            for op, (argv, rts) in ops.items():
                for rt in rts[i % len(rts):] + rts[:i % len(rts)]:
                    start = time.monotonic()
                    p = subprocess.run(argv(rt), **quiet)
                    took = time.monotonic() - start
                    if p.returncode != 0:
                        sys.exit(f"{op} with {rt}: exit {p.returncode}: {p.stderr.decode(errors='replace')[-300:]}")
                    if i > 0:
                        samples[op][rt].append(took)
    finally:
        if ctrd:
            ctrd.stop()
        subprocess.run(podman + ["rm", "--all", "--force", "--time", "0"], capture_output=True, timeout=300)
        subprocess.run(podman + ["rmi", "--all", "--force"], capture_output=True, timeout=300)
        unmount_under(base)
        shutil.rmtree(base, ignore_errors=True)
    out = {op: {rt: {"n": len(times), "min": min(times), "median": statistics.median(times), "max": max(times)}
                for rt, times in by_rt.items()} for op, by_rt in samples.items()}
    return {"runs": n, "ops": out}


def checked(argv, what):
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=300)
    if p.returncode != 0:
        sys.exit(f"{what}: exit {p.returncode}: {p.stderr.decode(errors='replace')[-300:]}")
    return p


def unmount_under(base):
    """What an engine keeps mounted below its directory (podman's shm, containerd's snapshots), deepest first."""
    with open("/proc/self/mountinfo") as f:
        points = [line.split()[4] for line in f if line.split()[4].startswith(base + "/")]
    for point in sorted(points, key=len, reverse=True):
        subprocess.run(["umount", "-l", point], capture_output=True, timeout=60)


class Containerd:
    """A containerd of the bench's own (as ContainerdIT's): root, state, socket and config under DIR."""

    def __init__(self, d):
        self.dir, self.process, self.image = d, None, None
        self.socket = f"{d}/ctrd.sock"
        self.run_dir_existed = os.path.exists("/run/containerd")

    def ctr(self, *args):
        return ["ctr", "--address", self.socket, "--namespace", "isola-bench", *args]

    def start(self, save_argv):
        os.makedirs(self.dir, exist_ok=True)
        with open(f"{self.dir}/config.toml", "w") as f:
            f.write(f'version = 2\nroot = "{self.dir}/root"\nstate = "{self.dir}/state"\n'
                    'disabled_plugins = ["io.containerd.grpc.v1.cri"]\n'
                    f'[grpc]\n  address = "{self.socket}"\n[ttrpc]\n  address = "{self.socket}.ttrpc"\n'
                    f'[plugins."io.containerd.internal.v1.opt"]\n  path = "{self.dir}/opt"\n')
        log = open(f"{self.dir}/containerd.log", "w")
        self.process = subprocess.Popen(["containerd", "--config", f"{self.dir}/config.toml"], stdout=log,
                                        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while not os.path.exists(self.socket):
            if self.process.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"containerd did not serve; see {self.dir}/containerd.log")
            time.sleep(0.1)
        archive = subprocess.run(save_argv, capture_output=True, check=True, timeout=300).stdout
        subprocess.run(self.ctr("images", "import", "-"), input=archive, capture_output=True, check=True, timeout=300)
        names = checked(self.ctr("images", "ls", "-q"), "ctr images ls").stdout.decode().split()
        if not names:
            sys.exit("ctr images import made no image")
        self.image = names[0]

    def stop(self):
        if self.process is None:
            return
        listed = subprocess.run(self.ctr("containers", "ls", "-q"), capture_output=True, timeout=120)
        for cid in listed.stdout.decode().split():
            subprocess.run(self.ctr("tasks", "delete", "--force", cid), capture_output=True, timeout=120)
            subprocess.run(self.ctr("containers", "delete", cid), capture_output=True, timeout=120)
        subprocess.run(self.ctr("images", "remove", self.image or "-"), capture_output=True, timeout=120)
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(30)
        unmount_under(self.dir)
        import shutil
        shutil.rmtree(self.dir, ignore_errors=True)
        # what containerd makes outside its directories (as ContainerdIT removes it), when empty: the
        # parent cgroup of its namespace and, if they were not there before, containerd 1.6's shim directories
        left = [os.path.join("/sys/fs/cgroup", h, "isola-bench") for h in os.listdir("/sys/fs/cgroup")]
        if not self.run_dir_existed:
            left += ["/run/containerd/fifo", "/run/containerd/s", "/run/containerd"]
        for path in left:
            try:
                os.rmdir(path)
            except OSError:
                pass  # missing, or in use by someone else: theirs to keep


def exec_into(n):
    """exec of /bin/true into a running container, N runs each way, taking turns: runc exec (into a
    runc run -d of the bench bundle's rootfs), isola exec as shipped (served: bin/isola hands it to
    the resident server; stdio are pipes and /dev/null, which its shell client takes) and
    ISOLA_SERVER=off isola exec (a JVM per exec, as every exec was before). One unmeasured run each
    first. Wall seconds per way."""
    rid, root = "isola-bench-exec", f"{WORK}/runc-state"
    sleeper = bundle_for(["/bin/sleep", "600"])
    quiet = dict(stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    iid = None
    try:
        subprocess.run(["runc", "--root", root, "run", "-d", "--bundle", sleeper, rid], check=True, timeout=60, **quiet)
        started = subprocess.run([ISOLA_BIN, "run", "-d", "--net", "host", "--", "sleep", "600"], stdin=subprocess.DEVNULL,
                                 capture_output=True, check=True, timeout=120)
        iid = started.stdout.decode().strip()
        ways = {"runc exec": ["runc", "--root", root, "exec", rid, "/bin/true"],
                "isola exec": [ISOLA_BIN, "exec", iid, "/bin/true"],
                "isola exec (in-process)": ["env", "ISOLA_SERVER=off", ISOLA_BIN, "exec", iid, "/bin/true"]}
        samples = {name: [] for name in ways}
        names = list(ways)
        for i in range(n + 1):
            for name in names[i % len(names):] + names[:i % len(names)]:
                start = time.monotonic()
                p = subprocess.run(ways[name], stdin=subprocess.DEVNULL, capture_output=True, timeout=120)
                took = time.monotonic() - start
                if p.returncode != 0:
                    sys.exit(f"{name}: exit {p.returncode}: {p.stderr.decode(errors='replace')[-300:]}")
                if i > 0:
                    samples[name].append(took)
    finally:
        subprocess.run(["runc", "--root", root, "delete", "-f", rid], timeout=60, **quiet)
        if iid:
            subprocess.run([ISOLA_BIN, "rm", "-f", iid], timeout=120, **quiet)
    out = {name: {"n": len(times), "min": min(times), "median": statistics.median(times), "max": max(times)}
           for name, times in samples.items()}
    return {"runs": n, "ways": out}


def server_pids():
    """The resident servers of bench/run's server directory, from the pid in each lock file."""
    d = os.environ["ISOLA_SERVER_DIR"]
    pids = []
    for name in os.listdir(d):
        if name.endswith(".lock"):
            with open(os.path.join(d, name)) as f:
                text = f.read().strip()
            if text and os.path.exists(f"/proc/{text}"):
                pids.append(int(text))
    return pids


def monitor_of(pid, ids):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            args = f.read().split(b"\0")
    except OSError:
        return False
    return b"__monitor" in args and any(i.encode() in args for i in ids)


def kill(pid, sig):
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    mode, tool = sys.argv[1], sys.argv[2]
    if mode == "tput":
        print(json.dumps(throughput(tool, int(sys.argv[3]), int(sys.argv[4]))))
    elif mode == "mem":
        print(json.dumps(memory(tool, int(sys.argv[3]))))
    elif mode == "detached":
        print(json.dumps(detached(tool, int(sys.argv[3]))))
    elif mode == "engine" and tool == "podman":
        print(json.dumps(engine(int(sys.argv[3]))))
    elif mode == "exec" and tool == "into":
        print(json.dumps(exec_into(int(sys.argv[3]))))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
