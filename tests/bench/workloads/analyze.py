#!/usr/bin/env python3
"""Turns the bench probes' files into figures, one "METRIC VALUE UNIT" line each.

  analyze.py ttfe ARRIVALS T0                      first arrival after T0 (s since epoch)
  analyze.py latency ARRIVALS COMMITS              commit -> arrival of the rate_insert rows
  analyze.py drain ARRIVALS T0 ID_MIN N SAMPLES    backlog/snapshot of ids >= ID_MIN (N rows)
  analyze.py idle SAMPLES                          RSS of the last sample
  analyze.py count ARRIVALS T0 N SAMPLES           the first N arrivals whatever their ids
                                                   (updates and deletes repeat ids)
"""
import sys


def arrivals(path):
    out = []
    with open(path) as f:
        for line in f:
            p = line.split()
            if len(p) == 2:
                out.append((int(p[0]) / 1e9, int(p[1])))
    return out


def samples(path):
    out = []
    try:
        with open(path) as f:
            for line in f:
                p = line.split()
                if len(p) == 3:
                    out.append((float(p[0]), int(p[1]), int(p[2])))
    except FileNotFoundError:
        pass
    return out


def cpu_at(smp, t, hz=100.0):
    """CPU seconds at time t, from the last sample at or before t."""
    best = 0
    for ts, _, ticks in smp:
        if ts <= t:
            best = ticks
        else:
            break
    return best / hz


def pct(v, q):
    if not v:
        return float("nan")
    v = sorted(v)
    k = min(len(v) - 1, max(0, int(round(q * (len(v) - 1)))))
    return v[k]


def main():
    mode = sys.argv[1]
    if mode == "ttfe":
        arr, t0 = arrivals(sys.argv[2]), float(sys.argv[3])
        if arr:
            print("ttfe_ms %.0f ms" % ((arr[0][0] - t0) * 1000))
    elif mode == "latency":
        arr = arrivals(sys.argv[2])
        first = {}
        for t, i in arr:
            first.setdefault(i, t)
        lat, missing = [], 0
        with open(sys.argv[3]) as f:
            for line in f:
                i, c, _ = line.split()
                t = first.get(int(i))
                if t is None:
                    missing += 1
                else:
                    lat.append((t - int(c) / 1e9) * 1000)
        print("lat_p50 %.1f ms" % pct(lat, 0.50))
        print("lat_p99 %.1f ms" % pct(lat, 0.99))
        print("lat_max %.1f ms" % (max(lat) if lat else float("nan")))
        print("lat_missing %d events" % missing)
    elif mode == "drain":
        arr, t0 = arrivals(sys.argv[2]), float(sys.argv[3])
        idmin, n = int(sys.argv[4]), int(sys.argv[5])
        smp = samples(sys.argv[6])
        seen, times = set(), []
        for t, i in arr:
            if i >= idmin and i not in seen:
                seen.add(i)
                times.append(t)
        dups = sum(1 for t, i in arr if i >= idmin) - len(seen)
        if not times:
            print("delivered 0 events")
            return
        t1, t2 = times[0], times[-1]
        print("delivered %d events" % len(seen))
        print("duplicates %d events" % dups)
        print("ttfe_ms %.0f ms" % ((t1 - t0) * 1000))
        print("total_s %.2f s" % (t2 - t0))
        if t2 > t1:
            print("rate %.0f ev/s" % ((len(times) - 1) / (t2 - t1)))
            cpu = cpu_at(smp, t2) - cpu_at(smp, t1)
            print("cpu_per_10k %.2f s" % (cpu / max(1, len(times) - 1) * 10000))
        if smp:
            print("rss_peak_mb %.1f MB" % (max(s[1] for s in smp) / 1024))
    elif mode == "count":
        arr, t0, n = arrivals(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
        smp = samples(sys.argv[5])
        times = [t for t, _ in arr][:n]
        print("delivered %d events" % len(times))
        if len(times) > 1:
            t1, t2 = times[0], times[-1]
            print("total_s %.2f s" % (t2 - t0))
            print("rate %.0f ev/s" % ((len(times) - 1) / (t2 - t1)))
            cpu = cpu_at(smp, t2) - cpu_at(smp, t1)
            print("cpu_per_10k %.2f s" % (cpu / (len(times) - 1) * 10000))
        if smp:
            print("rss_peak_mb %.1f MB" % (max(s[1] for s in smp) / 1024))
    elif mode == "idle":
        smp = samples(sys.argv[2])
        if smp:
            print("rss_idle_mb %.1f MB" % (smp[-1][1] / 1024))


if __name__ == "__main__":
    main()
