#!/usr/bin/env python3
"""Turns bench/run's samples into the table and the target lines.

Usage: report.py SAMPLES_DIR RESULTS_FILE WARMUP ROUNDS [SECTIONS_DIR OUT_DIR]

SAMPLES_DIR holds LABEL.txt files, one time in ms per line, pooled over all rounds.
RESULTS_FILE holds LaunchBench's summary lines ("LABEL key=value ..."); only their metadata
(rss, touched heap, rootfs) is used here, the statistics come from the samples.
SECTIONS_DIR holds the JSON files of the throughput, memory and scaling sections (sections.sh);
with OUT_DIR, everything is also written to OUT_DIR/results.json and OUT_DIR/results.svg.
"""
import json
import math
import os
import statistics
import sys

ROWS = [  # samples label, name in the table
    ("isola-small", "isola embedded API (64 MB heap)"),
    ("isola-cli", "CLI cold (no server)"),
    ("isola-server", "CLI via resident server (warm)"),
    ("crun", "crun run"),
    ("runc", "runc run"),
    ("bwrap", "bwrap --unshare-uts,ipc,pid"),
    ("unshare", "unshare -uipm --fork --mount-proc"),
]
VARIANTS = [  # label suffix, what it adds to the base set
    ("userns", "+ user namespace (root -> host 3100000+, 65536 ids)"),
    ("limits", "+ memory 64m and pids 64 limits (cgroup v1 here)"),
    ("net-none", "+ network namespace, only lo"),
    ("net-bridge", "+ network namespace on the default CNI bridge (veth, host-local IP)"),
    ("rootless", "+ user and network (only lo) namespaces, run by a user with /etc/subuid ranges through runuser"),
]
VARIANT_TOOLS = [  # label prefix, name in the table
    ("isola-small", "isola embedded API (64 MB heap)"),
    ("isola-cli", "isola run (CLI, new JVM per run)"),
    ("isola-server", "isola run (CLI via its server)"),
    ("podman-crun", "podman run --rm, crun (rootless)"),
    ("podman-runc", "podman run --rm, runc (rootless)"),
    ("crun", "crun run"),
    ("runc", "runc run"),
    ("bwrap", "bwrap"),
    ("unshare", "unshare(1)"),
]
ROOTLESS_ONLY = ("isola-server", "podman-crun", "podman-runc")  # rows of the rootless variant only
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
    print("base set: uts+ipc+pid+mount for every tool (the variants below add user, cgroup limits, net)")
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
    print_variants(samples_dir)
    print()

    crun = stats(samples_dir, "crun")
    latency_targets(samples_dir, isola)
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


def variant_rows(samples_dir):
    """(variant, suffix description, [(label, name, stats or None, failed)]) for each variant measured."""
    out = []
    for variant, what in VARIANTS:
        rows = []
        for prefix, name in VARIANT_TOOLS:
            label = f"{prefix}@{variant}"
            failed = os.path.exists(os.path.join(samples_dir, label + ".failed"))
            r = stats(samples_dir, label)
            if r or failed:
                rows.append((label, name, None if failed else r, failed))
        if rows:
            out.append((variant, what, rows))
    return out


def print_variants(samples_dir):
    for variant, what, rows in variant_rows(samples_dir):
        print()
        print(f"variant {variant}: base set {what}; same busybox rootfs; times in ms")
        # the embedded API where it ran (as root), else the served CLI (the rootless rows)
        isola = next((r for prefix in ("isola-small@", "isola-server@") for label, _, r, _ in rows
                      if label.startswith(prefix) and r), None)
        print(f"{'tool':<36}{'runs':>6}{'min':>9}{'median':>9}{'p99':>9}   peer/isola median")
        for label, name, r, failed in rows:
            if failed or r is None:
                print(f"{name:<36}{'-':>6}{'-':>9}{'-':>9}{'-':>9}   FAILED (see the log above)")
                continue
            ratio = f"{r['median'] / isola['median']:.2f}x" if isola else "-"
            print(f"{name:<36}{r['n']:>6}{r['min']:>9.2f}{r['median']:>9.2f}{r['p99']:>9.2f}   {ratio}")
        missing = [name for prefix, name in VARIANT_TOOLS if not any(l.startswith(prefix + "@") for l, *_ in rows)
                   and (variant == "rootless" or prefix not in ROOTLESS_ONLY)]
        if missing:
            print("not measured (the tool cannot do it with the same namespaces): " + ", ".join(missing))


def latency_targets(samples_dir, isola):
    bwrap, runc, cli = stats(samples_dir, "bwrap"), stats(samples_dir, "runc"), stats(samples_dir, "isola-cli")
    target = "target: isola embedded no slower than bwrap (median): "
    print(target + (f"{verdict(isola['median'] <= bwrap['median'])} ({bwrap['median'] / isola['median']:.2f}x)"
                    if isola and bwrap else "UNTESTED"))
    target = "target: isola CLI cold no slower than runc run (median): "
    print(target + (f"{verdict(cli['median'] <= runc['median'])} (runc/cli {runc['median'] / cli['median']:.2f}x)"
                    if cli and runc else "UNTESTED"))
    served = stats(samples_dir, "isola-server")
    target = "target: isola CLI via the resident server no slower than runc run (median): "
    print(target + (f"{verdict(served['median'] <= runc['median'])} (runc/cli {runc['median'] / served['median']:.2f}x)"
                    if served and runc else "UNTESTED"))


def load_sections(sections_dir):
    out = {}
    if not sections_dir or not os.path.isdir(sections_dir):
        return out
    for name in sorted(os.listdir(sections_dir)):
        if name.endswith(".json"):
            with open(os.path.join(sections_dir, name)) as f:
                out[name[:-5]] = json.load(f)
    return out


TOOLS = ["embedded", "isola-cli", "isola-server", "crun", "runc", "bwrap", "unshare"]
DETACHED = ["isola-detached-monitor", "isola-detached-server"]


def print_sections(sec):
    tput = {k[5:]: v for k, v in sec.items() if k.startswith("tput-")}
    if tput:
        print()
        print("throughput: containers/s of /bin/true (embedded: threads in one JVM; others: xargs -P)")
        print(f"{'tool':<14}{'1 in flight':>14}{'2 in flight':>14}{'8 in flight':>14}   containers per run")
        for tool in TOOLS:
            cells = [tput.get(f"{tool}-{n}") for n in (1, 2, 8)]
            if not any(cells):
                continue
            total = next(c["total"] for c in cells if c)
            print(f"{tool:<14}" + "".join(f"{c['per_second']:>14.1f}" if c else f"{'-':>14}" for c in cells)
                  + f"   {total}")
        e8 = tput.get("embedded-8")
        for peer in ("crun", "bwrap"):
            p8 = tput.get(f"{peer}-8")
            target = f"target: embedded throughput with 8 in flight above {peer}'s: "
            print(target + (f"{verdict(e8['per_second'] > p8['per_second'])} "
                            f"({e8['per_second']:.1f}/s vs {p8['per_second']:.1f}/s)" if e8 and p8 else "UNTESTED"))
    mem = {k[4:]: v for k, v in sec.items() if k.startswith("mem-")}
    if mem:
        counts = sorted({int(k.rsplit("-", 1)[1]) for k in mem})
        print()
        print("memory on the host while N containers run sleep: Rss / Pss of the tools' processes "
              "(the containers' own sleep excluded), MB in total and KB per container")
        print(f"{'tool':<14}" + "".join(f"{'N=' + str(n) + ' rss/pss MB':>22}{'per ctr KB':>14}" for n in counts))
        for tool in TOOLS:
            row = [mem.get(f"{tool}-{n}") for n in counts]
            if not any(row):
                continue
            line = f"{tool:<14}"
            for n, m in zip(counts, row):
                if not m:
                    line += f"{'-':>22}{'-':>14}"
                    continue
                line += f"{m['rss_kb'] / 1024:>12.1f}/{m['pss_kb'] / 1024:<9.1f}"
                line += f"{m['pss_kb'] // n:>14d}" if tool != "embedded" else \
                    f"{(m['pss_kb'] - m['pss_kb_before']) // n:>14d}"
            print(line)
        print("note: embedded is one JVM for all containers; its per-container figure is the growth of its "
              "Pss over the JVM before the containers (incl. the pipes' buffers and Java objects); "
              "runc/crun run and bwrap stay in the foreground as the containers' parents")
    detached = {k[9:]: v for k, v in sec.items() if k.startswith("detached-")}
    if detached:
        print()
        print("memory per detached container (run -d sleep): every isola process that stays, Rss / Pss in MB "
              "and Pss KB per container")
        for key in sorted(detached, key=lambda k: (k.rsplit("-", 1)[0], int(k.rsplit("-", 1)[1]))):
            m = detached[key]
            extra = (f"; the server alone before the containers: {m['pss_kb_before'] / 1024:.1f} MB Pss, "
                     f"growth {(m['pss_kb'] - m['pss_kb_before']) // m['containers']} KB Pss per container"
                     if m.get("pss_kb_before") is not None else "")
            print(f"{key:<34}{m['processes']:>4} processes {m['rss_kb'] / 1024:>8.1f}/{m['pss_kb'] / 1024:<8.1f}"
                  f"{m['pss_kb'] // m['containers']:>8d} KB/ctr{extra}")
    eng = sec.get("engine")
    if eng:
        print()
        print(f"engine: what each operation costs with each OCI runtime (busybox image, /bin/true), "
              f"{eng['runs']} runs each, taking turns; seconds")
        print(f"{'operation':<18}{'runtime':<20}{'runs':>6}{'min':>9}{'median':>9}{'max':>9}   median/runc's")
        ops = eng.get("ops") or {"podman run --rm": eng["runtimes"]}  # results of before issue 17's section
        for op, runtimes in ops.items():
            runc = runtimes.get("runc")
            for name, r in runtimes.items():
                ratio = f"{r['median'] / runc['median']:.2f}x" if runc else "-"
                print(f"{op:<18}{name:<20}{r['n']:>6}{r['min']:>9.3f}{r['median']:>9.3f}{r['max']:>9.3f}   {ratio}")
        for op, bound in (("podman run --rm", 1.3), ("ctr run --rm", 1.5)):
            r = ops.get(op, {})
            isola, runc = r.get("isola"), r.get("runc")
            print(f"target: {op} with isola within {bound}x of runc's median: "
                  + (f"{verdict(isola['median'] <= bound * runc['median'])} "
                     f"({isola['median']:.3f} vs {runc['median']:.3f} s)" if isola and runc else "UNTESTED"))
        print("note: isola's create and an engine's exec are thin (the resident server plans them, a small JVM in "
              "conmon's or the shim's tree clones the process); the server takes start, state and delete. "
              "isola-in-process is ISOLA_SERVER=off")
    ex = sec.get("exec")
    if ex:
        print()
        print(f"exec: /bin/true into a running container, {ex['runs']} runs each, taking turns; seconds")
        runc = ex["ways"].get("runc exec")
        print(f"{'way':<26}{'runs':>6}{'min':>9}{'median':>9}{'max':>9}   median/runc's")
        for name, r in ex["ways"].items():
            ratio = f"{r['median'] / runc['median']:.2f}x" if runc else "-"
            print(f"{name:<26}{r['n']:>6}{r['min']:>9.3f}{r['median']:>9.3f}{r['max']:>9.3f}   {ratio}")
    sc = sec.get("scale")
    if sc:
        print()
        print(f"scaling: {sc['containers']} containers of /bin/true, one after another, in one embedded "
              f"runtime (Felix with every bundle started in {sc['felix_start_ms']:.0f} ms)")
        print(f"latency ms: 1st {sc['first_ms']:.2f}, 10th {sc['tenth_ms']:.2f}, median of 2nd-11th "
              f"{sc['median_2_to_11_ms']:.2f}, median of the last 10 {sc['median_last_10_ms']:.2f}, "
              f"last {sc['last_ms']:.2f}, median of all {sc['median_all_ms']:.2f}")
        print(f"{'after container':>16}{'fds':>6}{'threads':>9}{'NMT committed KB':>18}{'NMT other KB':>14}{'rss KB':>10}")
        for p in sc["points"]:
            print(f"{p['container']:>16}{p['fds']:>6}{p['threads']:>9}{p['nmt_committed_kb']:>18}"
                  f"{p['nmt_other_kb']:>14}{p['rss_kb']:>10}")
        pts = {p["container"]: p for p in sc["points"]}
        first, last = pts.get(10), pts.get(sc["containers"])
        if first and last:
            # no growth: an idle pool thread that ends on its own is not a leak
            flat = last["fds"] <= first["fds"] and last["threads"] <= first["threads"] \
                and last["nmt_other_kb"] <= first["nmt_other_kb"] + 1024
            same = sc["median_last_10_ms"] <= 1.5 * sc["median_2_to_11_ms"]
            print(f"target: the {sc['containers']}th container as fast as the 10th (medians of 10, within 1.5x): "
                  f"{verdict(same)} ({sc['median_last_10_ms']:.2f} vs {sc['median_2_to_11_ms']:.2f} ms)")
            print(f"target: flat fds, threads and native memory (NMT 'Other' within 1 MB) from the 10th to the "
                  f"{sc['containers']}th: {verdict(flat)}")
            print(f"note: rss grew {last['rss_kb'] - first['rss_kb']} KB from the 10th to the {sc['containers']}th; "
                  "it includes heap pages touched for the first time (the heap is committed, not touched, at "
                  "start) and malloc'd native memory (jffi), which NMT does not see")


def write_outputs(samples_dir, sections, out_dir):
    latency = {}
    for label, name in ROWS:
        r = stats(samples_dir, label)
        if r and not os.path.exists(os.path.join(samples_dir, label + ".failed")):
            latency[label] = dict(r, name=name)
    variants = {variant: {label: dict(r, name=name) for label, name, r, failed in rows if r and not failed}
                for variant, _, rows in variant_rows(samples_dir)}
    result = {"host": os.environ.get("HOST_NOTE", ""), "namespaces": "uts+ipc+pid+mount",
              "latency_ms": latency, "latency_variants_ms": variants, "sections": sections}
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "results.json"), "w") as f:
        json.dump(result, f, indent=2)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import chart
    with open(os.path.join(out_dir, "results.svg"), "w") as f:
        f.write(chart.svg(result))
    print(f"\nwritten: {out_dir}/results.json, {out_dir}/results.svg")


if __name__ == "__main__":
    main()
    if len(sys.argv) > 6:
        sections = load_sections(sys.argv[5])
        print_sections(sections)
        write_outputs(sys.argv[1], sections, sys.argv[6])
