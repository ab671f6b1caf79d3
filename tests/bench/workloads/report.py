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
                         "note": p[4] if len(p) > 4 else ""})
try:
    with open(os.path.join(out, "machine.tsv")) as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition("\t")
            machine[k] = v
except FileNotFoundError:
    pass

val, unit, text = {}, {}, {}
for r in rows:
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


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


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
dbzs = [p for p in parts if p.startswith("debezium")]
if D in parts or camels:
    hdr = ["end to end (MariaDB -> Kafka -> Artemis)", D] + camels + ["%s / %s" % (D, c) for c in camels]
    lines = []
    for label, m, better in E2E:
        d = val.get((D, m))
        l = [label, fmt(d)] + [fmt(val.get((c, m))) for c in camels]
        for c in camels:
            r = ratio(d, val.get((c, m)))
            l.append(fmt(r))
            if r is not None:
                ratios.append({"metric": m, "peer": c, "dromedary_over_peer": r, "better": better})
        lines.append(l)
    table("End to end, same route file", hdr, lines)
if dbzs:
    hdr = ["MariaDB -> Kafka", D + " (leg 1)"] + dbzs + ["%s / %s" % (D, c) for c in dbzs]
    lines = []
    for label, dm, pm, better in LEG1:
        d = val.get((D, dm))
        if d is None:  # dromd measured at the topic only (its queue leg delivered nothing)
            d = val.get((D + "-leg1", pm))
        l = [label, fmt(d)] + [fmt(val.get((c, pm))) for c in dbzs]
        for c in dbzs:
            r = ratio(d, val.get((c, pm)))
            l.append(fmt(r))
            if r is not None:
                ratios.append({"metric": dm, "peer": c, "dromedary_over_peer": r, "better": better})
        lines.append(l)
    table("Leg 1 against Debezium Server (* dromedary: the whole two-route process)", hdr, lines)
floors = [(m, v) for (p, m), v in val.items() if p == "floor"]
if floors:
    lines = []
    d_e2e = val.get((D, "drain_rate"))
    d_leg1 = val.get((D, "leg1_drain_rate"))
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
