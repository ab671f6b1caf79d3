#!/usr/bin/env python3
"""Merges the runs of make bench (OUT/runs/N/results.tsv) into OUT/results.tsv: each numeric
figure is the median of its runs, with the spread (lowest-highest, and how many runs gave it)
in a sixth column; other values (versions) are the first run's. A figure that fewer runs gave
than were asked says so in its spread.

  aggregate.py OUT RUNS
"""
import os
import statistics
import sys

out, runs = sys.argv[1], int(sys.argv[2])
order, vals, meta = [], {}, {}
for n in range(1, runs + 1):
    path = os.path.join(out, "runs", str(n), "results.tsv")
    if not os.path.exists(path):
        continue
    with open(path) as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if len(p) < 4:
                continue
            key = (p[0], p[1])
            if key not in meta:
                order.append(key)
                meta[key] = (p[3], p[4] if len(p) > 4 else "", p[2])
            try:
                vals.setdefault(key, []).append(float(p[2]))
            except ValueError:
                pass

with open(os.path.join(out, "results.tsv"), "w") as f:
    for key in order:
        unit, note, first = meta[key]
        v = vals.get(key)
        if v:
            med = statistics.median(v)
            spread = "%g-%g (%d of %d runs)" % (min(v), max(v), len(v), runs)
            value = ("%.6g" % med)
        else:
            value, spread = first, ""
        f.write("\t".join([key[0], key[1], value, unit, note, spread]) + "\n")
