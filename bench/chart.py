#!/usr/bin/env python3
"""The SVG chart of bench/run's results.json, in plain Python (no plotting package needed).

Usage: chart.py RESULTS_JSON > chart.svg     (report.py calls svg() directly)

Up to four panels of horizontal bars: latency medians (with p99 ticks), throughput with 8 in
flight, Pss per running container at the largest count measured for every tool, and scaling
(latency of container 1, the median of 2-11 and of the last 10).
"""
import json
import math
import sys
from html import escape

WIDTH, BAR_H, GAP, LABEL_W, PANEL_GAP = 760, 18, 6, 250, 34
COLOURS = {"isola": "#2b7bba", "other": "#9a9a9a"}


def colour(label):
    return COLOURS["isola"] if label.startswith(("isola", "embedded")) else COLOURS["other"]


def panel(title, unit, rows, y, ticks=None, log=False):
    """rows: [(label, value)], ticks: {label: value} drawn as a thin mark (p99); log: a log scale,
    for rows that span orders of magnitude (a JVM's start next to a clone)."""
    rows = [(k, v) for k, v in rows if v is not None and v > 0]
    if not rows:
        return "", y
    top = max(max(v for _, v in rows), max((ticks or {}).values(), default=0)) or 1
    span = WIDTH - LABEL_W - 90
    if log:
        floor = min(v for _, v in rows) / 2
        width = lambda v: span * math.log10(max(v, floor) / floor) / math.log10(top / floor)
    else:
        width = lambda v: span * v / top
    out = [f'<text x="10" y="{y + 14}" font-weight="bold">{escape(title)}</text>']
    y += 24
    for label, value in rows:
        w = max(1.0, width(value))
        out.append(f'<text x="{LABEL_W - 8}" y="{y + 13}" text-anchor="end">{escape(label)}</text>')
        out.append(f'<rect x="{LABEL_W}" y="{y}" width="{w:.1f}" height="{BAR_H}" fill="{colour(label)}"/>')
        out.append(f'<text x="{LABEL_W + w + 5:.1f}" y="{y + 13}">{value:.1f} {escape(unit)}</text>')
        if ticks and ticks.get(label):
            tx = LABEL_W + width(ticks[label])
            out.append(f'<line x1="{tx:.1f}" x2="{tx:.1f}" y1="{y - 2}" y2="{y + BAR_H + 2}" stroke="#d62728" '
                       f'stroke-width="2"><title>p99 {ticks[label]:.1f} {escape(unit)}</title></line>')
        y += BAR_H + GAP
    return "\n".join(out), y + PANEL_GAP - GAP


def svg(result):
    parts, y = [], 10
    lat = result.get("latency_ms", {})
    rows = [(v.get("name", k), v["median"]) for k, v in lat.items()]
    ticks = {v.get("name", k): v["p99"] for k, v in lat.items()}
    p, y = panel("start to exit of /bin/true, median (red: p99; log scale), lower is better", "ms", rows, y,
                 ticks, log=True)
    parts.append(p)
    sec = result.get("sections", {})
    tput = [(k[5:-2], v["per_second"]) for k, v in sorted(sec.items()) if k.startswith("tput-") and k.endswith("-8")]
    p, y = panel("throughput with 8 in flight, higher is better", "/s", tput, y)
    # the isola CLI's memory is a JVM per container: on a log scale with the others
    parts.append(p)
    mem = {}
    for k, v in sec.items():
        if k.startswith("mem-"):
            tool, n = k[4:].rsplit("-", 1)
            if int(n) >= mem.get(tool, (0, 0))[0]:
                per = (v["pss_kb"] - v["pss_kb_before"]) if tool == "embedded" else v["pss_kb"]
                mem[tool] = (int(n), per / int(n) / 1024)
    rows = [(f"{tool} (N={n})", mb) for tool, (n, mb) in sorted(mem.items())]
    p, y = panel("host memory per running container (Pss; log scale), lower is better", "MB", rows, y, log=True)
    parts.append(p)
    sc = sec.get("scale")
    if sc:
        rows = [("embedded: 1st container", sc["first_ms"]), ("embedded: median 2nd-11th", sc["median_2_to_11_ms"]),
                (f"embedded: median last 10 of {sc['containers']}", sc["median_last_10_ms"])]
        p, y = panel("scaling in one runtime, lower is better", "ms", rows, y)
        parts.append(p)
    host = result.get("host", "")
    parts.append(f'<text x="10" y="{y + 4}" font-size="11" fill="#555">{escape(host)}</text>')
    height = y + 20
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
            f'font-family="sans-serif" font-size="12">\n<rect width="100%" height="100%" fill="white"/>\n'
            + "\n".join(parts) + "\n</svg>\n")


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        sys.stdout.write(svg(json.load(f)))
