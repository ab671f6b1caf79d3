#!/usr/bin/env python3
"""Turns build/bench/results.tsv (PART METRIC VALUE UNIT NOTE) into the table printed by
make bench (also results.md) and results.json, with the ratios dromedary / peer and
dromedary / floor, each from figures of the same run."""
import json
import os
import sys

out = sys.argv[1]
rows, machine = [], {}
with open(os.path.join(out, "results.tsv")) as f:
    for line in f:
        p = line.rstrip("\n").split("\t")
        if len(p) >= 4:
            rows.append({"part": p[0], "metric": p[1], "value": p[2], "unit": p[3],
                         "note": p[4] if len(p) > 4 else "", "spread": p[5] if len(p) > 5 else ""})
try:
    with open(os.path.join(out, "machine.tsv")) as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition("\t")
            machine[k] = v
except FileNotFoundError:
    pass

val, unit, text, spread = {}, {}, {}, {}
for r in rows:
    spread[(r["part"], r["metric"])] = r["spread"]
    text[(r["part"], r["metric"])] = r["value"]
    unit[r["metric"]] = r["unit"]
    try:
        val[(r["part"], r["metric"])] = float(r["value"])
    except ValueError:
        pass
parts = []
for r in rows:
    if r["part"] not in parts:
        parts.append(r["part"])


def fmt(x):
    if x is None:
        return "–"
    if abs(x) >= 100:
        return "%.0f" % x
    return "%.3g" % x


def cell(part, metric):
    """The median with its spread: 12,443 [11,900-12,700]."""
    x = val.get((part, metric))
    s = spread.get((part, metric), "")
    if x is None or not s:
        return fmt(x)
    lo, _, hi = s.split(" ")[0].partition("-")
    try:
        return "%s [%s-%s]" % (fmt(x), fmt(float(lo)), fmt(float(hi)))
    except ValueError:
        return fmt(x)


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


# the core the servers and probes are pinned to (lib.sh): its share busy during a rate says
# whether the servers set the latency tail
SCORE = "core" + os.environ.get("BENCH_SERVER_CPU", "1")
# (label, metric, better): better is "high" or "low"
E2E = [
    ("drain 100k backlog, ev/s", "drain_rate", "high"),
    ("  delivered in the box", "drain_delivered", "high"),
    ("  CPU s per 10k events", "drain_cpu_per_10k", "low"),
    ("  peak RSS, MB", "drain_rss_peak_mb", "low"),
    ("snapshot 200k rows, ev/s", "snap_rate", "high"),
    ("  delivered in the box", "snap_delivered", "high"),
    ("  CPU s per 10k events", "snap_cpu_per_10k", "low"),
    ("  peak RSS, MB", "snap_rss_peak_mb", "low"),
    ("latency at 200/s p50, ms", "lat_p50", "low"),
    ("  p99, ms", "lat_p99", "low"),
    ("  max, ms", "lat_max", "low"),
    ("  servers' core busy", "lat_rate_%s_busy" % SCORE, "low"),
    ("latency at 2,000/s p50, ms", "r2000_lat_p50", "low"),
    ("  p99, ms", "r2000_lat_p99", "low"),
    ("  max, ms", "r2000_lat_max", "low"),
    ("  servers' core busy", "r2000_lat_rate_%s_busy" % SCORE, "low"),
    ("first event, cold start, ms", "ttfe_cold_ms", "low"),
    ("first event, restart with backlog, ms", "drain_ttfe_warm_ms", "low"),
    ("RSS idle, MB", "rss_idle_mb", "low"),
]
# dromedary's leg-1 metric (at the Kafka topic) for each Debezium Server metric
LEG1 = [
    ("drain 100k backlog, ev/s", "leg1_drain_rate", "drain_rate", "high"),
    ("snapshot 200k rows, ev/s", "leg1_snap_rate", "snap_rate", "high"),
    ("latency at 200/s p50, ms", "leg1_lat_p50", "lat_p50", "low"),
    ("  p99, ms", "leg1_lat_p99", "lat_p99", "low"),
    ("  max, ms", "leg1_lat_max", "lat_max", "low"),
    ("  servers' core busy", "lat_rate_%s_busy" % SCORE, "lat_rate_%s_busy" % SCORE, "low"),
    ("latency at 2,000/s p50, ms", "r2000_leg1_lat_p50", "r2000_lat_p50", "low"),
    ("  p99, ms", "r2000_leg1_lat_p99", "r2000_lat_p99", "low"),
    ("  max, ms", "r2000_leg1_lat_max", "r2000_lat_max", "low"),
    ("  servers' core busy", "r2000_lat_rate_%s_busy" % SCORE, "r2000_lat_rate_%s_busy" % SCORE, "low"),
    ("CPU s per 10k events (drain)*", "drain_cpu_per_10k", "drain_cpu_per_10k", "low"),
    ("peak RSS, MB*", "drain_rss_peak_mb", "drain_rss_peak_mb", "low"),
    ("RSS idle, MB*", "rss_idle_mb", "rss_idle_mb", "low"),
    ("first event, cold start, ms*", "ttfe_cold_ms", "ttfe_cold_ms", "low"),
]

md, ratios = [], []


def table(title, header, lines):
    md.append("### " + title)
    md.append("")
    md.append("| " + " | ".join(header) + " |")
    md.append("|" + "|".join(["---"] * len(header)) + "|")
    for l in lines:
        md.append("| " + " | ".join(l) + " |")
    md.append("")


D = "dromedary"
camels = [p for p in parts if p.startswith("camel")]
dbzs = [p for p in parts if p.startswith("debezium") or p.startswith("connect")]
if D in parts or camels:
    hdr = ["end to end (MariaDB -> Kafka -> Artemis)", D] + camels + ["%s / %s" % (D, c) for c in camels]
    lines = []
    for label, m, better in E2E:
        d = val.get((D, m))
        l = [label, cell(D, m)] + [cell(c, m) for c in camels]
        for c in camels:
            r = None if "busy" in m else ratio(d, val.get((c, m)))   # context, not a figure to compare
            l.append(fmt(r))
            if r is not None:
                ratios.append({"metric": m, "peer": c, "dromedary_over_peer": r, "better": better})
        lines.append(l)
    table("End to end, same route file", hdr, lines)
# the leg-1 route with the Kafka producer tuned as the peers' tuned profiles (linger 1 ms)
L1T = D + "-leg1-tuned"
if dbzs:
    tuned = L1T in parts
    dbz_tuned = [c for c in dbzs if c.endswith("-tuned")] if tuned else []
    hdr = (["MariaDB -> Kafka", D + " (leg 1)"] + ([D + " (leg 1, tuned)"] if tuned else []) + dbzs
           + ["%s / %s" % (D, c) for c in dbzs] + ["%s tuned / %s" % (D, c) for c in dbz_tuned])
    lines = []
    for label, dm, pm, better in LEG1:
        dp, dmm = D, dm
        if val.get((D + "-leg1", pm)) is not None:  # the leg-1-only route (or the queue leg failed)
            dp, dmm = D + "-leg1", pm
        d = val.get((dp, dmm))
        l = [label, cell(dp, dmm)] + ([cell(L1T, pm)] if tuned else []) + [cell(c, pm) for c in dbzs]
        for c in dbzs:
            r = None if "busy" in pm else ratio(d, val.get((c, pm)))
            l.append(fmt(r))
            if r is not None:
                ratios.append({"metric": dm, "peer": c, "dromedary_over_peer": r, "better": better})
        for c in dbz_tuned:
            r = None if "busy" in pm else ratio(val.get((L1T, pm)), val.get((c, pm)))
            l.append(fmt(r))
            if r is not None:
                ratios.append({"metric": dm, "peer": c, "dromedary_tuned_over_peer": r, "better": better})
        lines.append(l)
    table("Leg 1 against Debezium Server and Kafka Connect (dromedary-leg1: a route with leg 1 only; where it is"
          " absent, dromedary's leg-1 figures, * then the whole two-route process)", hdr, lines)
floors = [(m, v) for (p, m), v in val.items() if p == "floor"]
if floors:
    lines = []
    d_e2e = val.get((D, "drain_rate"))
    d_leg1 = val.get((D + "-leg1", "drain_rate"), val.get((D, "leg1_drain_rate")))
    for m, v in sorted(floors):
        r1, r2 = ratio(d_e2e, v), ratio(d_leg1, v)
        lines.append([m, fmt(v), unit.get(m, ""), fmt(r1), fmt(r2)])
        if r1 is not None:
            ratios.append({"metric": "drain_rate", "floor": m, "dromedary_over_floor": r1})
        if r2 is not None:
            ratios.append({"metric": "leg1_drain_rate", "floor": m, "dromedary_over_floor": r2})
    src = val.get(("source", "load_rate"))
    if src:
        lines.append(["source: mariadb client load, 100-row txns", fmt(src), "rows/s", fmt(ratio(d_e2e, src)), fmt(ratio(d_leg1, src))])
    table("Floors (dromedary's backlog drain rate over each floor)",
          ["floor", "value", "unit", "dromedary e2e / floor", "dromedary leg 1 / floor"], lines)

# The shapes of workloads/shapes.sh, one column a leg-1 peer.
SHAPES = [("mixed", "30k changes on ~3 KB rows (insert, update, delete)"), ("bigtx", "one transaction of 100k rows"),
          ("types45", "20k rows of a 45-column table"), ("tables50", "50 tables, 1k rows each"),
          ("width100", "20k rows of 100 B"), ("width1000", "20k rows of 1 KB"),
          ("width3000", "20k rows of 3 KB"), ("width10000", "20k rows of 10 KB"),
          ("window10", "20k rows of 3 KB, window 10"), ("window100", "20k rows of 3 KB, window 100"),
          ("window1000", "20k rows of 3 KB, window 1,000"), ("window10000", "20k rows of 3 KB, window 10,000")]
shape_parts = [p for p in parts if any((p, s + "_rate") in val for s, _ in SHAPES)]
if shape_parts:
    lines = []
    for s, label in SHAPES:
        for m, mlabel in (("rate", "ev/s"), ("cpu_per_10k", "CPU s per 10k"), ("rss_peak_mb", "peak RSS, MB")):
            if any((p, s + "_" + m) in val for p in shape_parts):
                lines.append([("%s, %s" % (label, mlabel)) if m == "rate" else "  " + mlabel]
                             + [cell(p, s + "_" + m) for p in shape_parts])
    table("Workload shapes, MariaDB -> Kafka (growth against row width and the in-flight window: growth.svg)",
          ["shape"] + shape_parts, lines)
    import subprocess
    subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__), "plot.py"), out,
                    os.path.join(out, "growth.svg")], check=False)

# The open targets of docs/benchmarks.md, each with the figure that decides it.
L1 = D + "-leg1"
DT = "debezium-tuned" if ("debezium-tuned", "drain_rate") in val else "debezium"
TARGETS = [
    ("first event within 100 ms of exec, cold", val.get((D, "ttfe_cold_ms")), "ms", "<=", 100),
    ("first event within 100 ms of exec, onto a backlog", val.get((D, "drain_ttfe_warm_ms")), "ms", "<=", 100),
    ("  leg 1, cold", val.get((L1, "ttfe_cold_ms")), "ms", "<=", 100),
    ("  leg 1, onto a backlog", val.get((L1, "drain_ttfe_warm_ms")), "ms", "<=", 100),
    ("peak RSS during the 100k drain", val.get((D, "drain_rss_peak_mb")), "MB", "<=", 20),
    ("peak RSS during the 200k snapshot", val.get((D, "snap_rss_peak_mb")), "MB", "<=", 20),
    ("leg 1 drain rate over %s's" % DT, ratio(val.get((L1, "drain_rate")), val.get((DT, "drain_rate"))), "x", ">=", 3),
    ("leg 1 CPU per event over %s's" % DT,
     ratio(val.get((L1, "drain_cpu_per_10k")), val.get((DT, "drain_cpu_per_10k"))), "x", "<=", 0.2),
    ("leg 1 tuned drain rate over %s's" % DT, ratio(val.get((L1T, "drain_rate")), val.get((DT, "drain_rate"))),
     "x", ">=", 3),
    ("leg 1 tuned CPU per event over %s's" % DT,
     ratio(val.get((L1T, "drain_cpu_per_10k")), val.get((DT, "drain_cpu_per_10k"))), "x", "<=", 0.2),
    ("end to end p99 at 200/s", val.get((D, "lat_p99")), "ms", "<=", 10),
    ("end to end p99 at 2,000/s", val.get((D, "r2000_lat_p99")), "ms", "<=", 10),
    ("decode to /dev/null over mariadb-binlog's decode",
     ratio(val.get(("floor", "dromd_decode_devnull")), val.get(("floor", "binlog_decode"))), "x", ">=", 0.8),
]
lines = []
for label, v, u, op, goal in TARGETS:
    if v is None:
        verdict = "not measured"
    else:
        verdict = "reached" if (v <= goal if op == "<=" else v >= goal) else "not reached"
    lines.append([label, fmt(v), u, "%s %s" % (op, fmt(goal)), verdict])
    ratios.append({"target": label, "value": v, "goal": "%s %s" % (op, goal), "verdict": verdict})
table("Targets", ["target", "median", "unit", "goal", "verdict"], lines)

versions = {p: text.get((p, "version"), "") for p in parts if (p, "version") in text}
if versions:
    md.append("Versions: " + "; ".join("%s: %s" % kv for kv in versions.items()))
    md.append("")
if machine:
    md.append("Machine: " + "; ".join("%s %s" % kv for kv in machine.items()))
    md.append("")

report = "\n".join(md)
print(report)
with open(os.path.join(out, "results.md"), "w") as f:
    f.write(report + "\n")
with open(os.path.join(out, "results.json"), "w") as f:
    json.dump({"machine": machine, "versions": versions, "results": rows, "ratios": ratios}, f, indent=1)
