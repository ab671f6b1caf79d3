#!/usr/bin/env python3
"""Draws how cost grows (the width* and window* shapes of workloads/shapes.sh) as an SVG: a row
of three panels, events/s, CPU s per 10k events and peak RSS, against row width and another
against the in-flight window, one line a leg-1 peer, from OUT/results.tsv. No plotting library:
a few SVG elements by hand.

  plot.py OUT SVG
"""
import math
import sys

out, svg_path = sys.argv[1], sys.argv[2]
val = {}
with open(out + "/results.tsv") as f:
    for line in f:
        p = line.rstrip("\n").split("\t")
        if len(p) >= 3:
            try:
                val[(p[0], p[1])] = float(p[2])
            except ValueError:
                pass
# one row of panels a growth axis that has figures: row width (width* shapes, every leg-1 peer)
# and the in-flight window (window* shapes, dromedary's maxQueueSize)
AXES = [("width", [100, 1000, 3000, 10000], "%d B", "against row width"),
        ("window", [10, 100, 1000, 10000], "%d", "against the in-flight window (3 KB rows)")]
panels = [("events/s", "rate"), ("CPU s per 10k events", "cpu_per_10k"), ("peak RSS, MB", "rss_peak_mb")]
colors = ["#1b6ca8", "#d1495b", "#3c8d2f", "#edae49", "#6d4c9f"]
W, H, M = 300, 220, 45
rows = [a for a in AXES if any(m.startswith(a[0]) and m.endswith("_rate") for (_, m) in val)]
peers = sorted({p for (p, m) in val if any(m.startswith(a[0]) for a in rows) and m.endswith("_rate")})
RH = H + 20
parts = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="11">'
         % (W * len(panels), RH * len(rows) + 30)]


def x_of(v, xs, x0):
    lo, hi = math.log10(xs[0]), math.log10(xs[-1])
    return x0 + M + (math.log10(v) - lo) / (hi - lo) * (W - M - 15)


for r, (prefix, xs, xfmt, axis) in enumerate(rows):
    y0 = r * RH
    for k, (title, metric) in enumerate(panels):
        x0 = k * W
        name = lambda x: "%s%d_%s" % (prefix, x, metric)
        ys = [val.get((p, name(x))) for p in peers for x in xs]
        ys = [y for y in ys if y is not None]
        top = max(ys) * 1.1 if ys else 1.0

        def y_of(v):
            return y0 + 20 + (1 - v / top) * (H - 40)
        parts.append('<text x="%d" y="%d" text-anchor="middle" font-weight="bold">%s %s</text>'
                     % (x0 + W / 2, y0 + 14, title, axis if k == 0 else ""))
        parts.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#444"/>'
                     % (x0 + M, y0 + H - 20, x0 + W - 10, y0 + H - 20))
        parts.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#444"/>' % (x0 + M, y0 + 20, x0 + M, y0 + H - 20))
        for frac in (0, 0.5, 1):
            v = top * frac
            parts.append('<text x="%d" y="%.0f" text-anchor="end">%.3g</text>' % (x0 + M - 4, y_of(v) + 4, v))
        for x in xs:
            parts.append('<text x="%.0f" y="%d" text-anchor="middle">%s</text>'
                         % (x_of(x, xs, x0), y0 + H - 6, xfmt % x))
        for i, p in enumerate(peers):
            pts = [(x_of(x, xs, x0), y_of(val[(p, name(x))])) for x in xs if (p, name(x)) in val]
            c = colors[i % len(colors)]
            if len(pts) > 1:
                parts.append('<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>'
                             % (c, " ".join("%.1f,%.1f" % q for q in pts)))
            for q in pts:
                parts.append('<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>' % (q[0], q[1], c))
for i, p in enumerate(peers):
    parts.append('<rect x="%d" y="%d" width="10" height="10" fill="%s"/><text x="%d" y="%d">%s</text>'
                 % (10 + i * 180, RH * len(rows) + 5, colors[i % len(colors)], 25 + i * 180, RH * len(rows) + 14, p))
parts.append("</svg>")
with open(svg_path, "w") as f:
    f.write("\n".join(parts) + "\n")
