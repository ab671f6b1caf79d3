#!/usr/bin/env python3
"""CPU accounting of one bench part, so a figure taken while something else ran is refused.

  cpuacct.py snap STATE_DIR SID OUT    writes a snapshot: the machine's busy CPU time
                                       (/proc/stat), each bench server's (a process whose
                                       command line names STATE_DIR: mariadb, kafka, artemis),
                                       and the bench's own (processes of session SID and
                                       what they reaped)
  cpuacct.py diff A B                  "METRIC VALUE UNIT" lines: cpu_<server>_s for each
                                       server, cpu_bench_s, cpu_foreign_s (busy time of
                                       everything else: other users of the machine), elapsed_s,
                                       coreN_busy (the share of each core that was busy)

Busy time counts user+nice+system+irq+softirq+steal; the per-process figures utime+stime, and
for the bench's processes also cutime+cstime (what each has reaped).
Short-lived processes of other users (a compiler, a test run) show in cpu_foreign_s because it
is the machine's busy time minus the servers' and the bench's.
"""
import json
import os
import sys
import time

HZ = os.sysconf("SC_CLK_TCK")


def busy_of(fields):
    v = [int(x) for x in fields]
    # user nice system idle iowait irq softirq steal
    return (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / HZ


def machine_busy():
    """The machine's busy seconds, and each core's (cpuN lines)."""
    cores = {}
    with open("/proc/stat") as f:
        total = busy_of(f.readline().split()[1:])
        for line in f:
            w = line.split()
            if w and w[0].startswith("cpu") and w[0][3:].isdigit():
                cores[w[0][3:]] = busy_of(w[1:])
    return total, cores


def proc_stat(pid):
    try:
        with open("/proc/%s/stat" % pid) as f:
            s = f.read()
    except OSError:
        return None
    f = s[s.rindex(")") + 2:].split()
    # fields after the name start at index 3 (state): sid is field 6, utime 14, stime 15
    return {"sid": int(f[3]), "cpu": (int(f[11]) + int(f[12])) / HZ,
            "children": (int(f[13]) + int(f[14])) / HZ}


def server_of(pid, state):
    try:
        with open("/proc/%s/cmdline" % pid, "rb") as f:
            cmd = f.read().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return None
    if state not in cmd:
        return None
    if "mariadbd" in cmd or "mysqld" in cmd:
        return "mariadb"
    if "java" in cmd and "artemis" in cmd:
        return "artemis"
    if "java" in cmd and "kafka" in cmd:
        return "kafka"
    return None


def snap(state, sid, out):
    busy, cores = machine_busy()
    r = {"t": time.time(), "busy": busy, "cores": cores, "servers": {}, "bench": 0.0}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        st = proc_stat(pid)
        if st is None:
            continue
        srv = server_of(pid, state)
        if srv:
            r["servers"][srv] = r["servers"].get(srv, 0.0) + st["cpu"]
        elif st["sid"] == sid:
            # a finished process's time is in the cutime of the live one that reaped it, and
            # nowhere else until that one is reaped in turn: own + reaped, summed, counts each once
            r["bench"] += st["cpu"] + st["children"]
    with open(out, "w") as f:
        json.dump(r, f)


def diff(a_path, b_path):
    a, b = json.load(open(a_path)), json.load(open(b_path))
    total = b["busy"] - a["busy"]
    servers = 0.0
    for name in sorted(set(a["servers"]) | set(b["servers"])):
        d = max(0.0, b["servers"].get(name, 0.0) - a["servers"].get(name, 0.0))
        servers += d
        print("cpu_%s_s %.2f s" % (name, d))
    bench = max(0.0, b["bench"] - a["bench"])
    print("cpu_bench_s %.2f s" % bench)
    print("cpu_foreign_s %.2f s" % max(0.0, total - servers - bench))
    elapsed = b["t"] - a["t"]
    print("elapsed_s %.1f s" % elapsed)
    # how busy each core was: with pinning, the servers' core shows whether they set the pace
    for core in sorted(b.get("cores", {}), key=int):
        d = b["cores"][core] - a.get("cores", {}).get(core, 0.0)
        print("core%s_busy %.2f of a core" % (core, d / elapsed if elapsed > 0 else 0.0))


if __name__ == "__main__":
    if sys.argv[1] == "snap":
        snap(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    elif sys.argv[1] == "diff":
        diff(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
