#!/usr/bin/env python3
"""Checks of tests/debezium/signals.sh on the captured outputs.

  signals_check.py count FILE ROWS     rows of t that have an event in FILE
  signals_check.py follow FILE ROWS SECONDS PID
                                       reads FILE as it grows until every row of t has an event
                                       (exit 0), SECONDS pass or process PID is gone (exit 1); each
                                       line is read once, so the check does not take the core the
                                       peer needs (counting the whole output again and again did)
  signals_check.py compare DIR ROWS [KIND]
                                       both peers against their table's final content, and the
                                       fields of their "r" events against each other; KIND is the
                                       snapshot's (incremental, the default, or blocking), which
                                       says the source.snapshot values its "r" events may carry
A line is Debezium's harness form {"topic","key","value"} or dromd's file sink body (the value);
values are Connect JSON {"schema","payload"} or the bare envelope."""
import json
import os
import sys
import time


def payload_of(line):
    """The envelope of table t in one output line, or None."""
    line = line.strip()
    if not line:
        return None
    try:
        obj = json.loads(line)
    except json.JSONDecodeError:
        return None   # a line cut by the stop
    if not isinstance(obj, dict):
        return None   # the head of a line still being written
    value = obj.get("value") if "topic" in obj and "value" in obj else obj
    if not isinstance(value, dict):
        return None   # a tombstone
    payload = value.get("payload", value)
    return payload if payload.get("source", {}).get("table") == "t" else None


def events(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            p = payload_of(line)
            if p is not None:
                yield p


def row_id(p):
    img = p.get("after") or p.get("before") or {}
    return img.get("id")


def count(path):
    return len({row_id(p) for p in events(path)})


def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except OSError:
        return False


def follow(path, rows, seconds, pid):
    seen, held, end = set(), b"", time.monotonic() + seconds
    while not os.path.exists(path) and time.monotonic() < end:
        time.sleep(0.1)
    with open(path, "rb") as f:
        while time.monotonic() < end and alive(pid):
            chunk = f.read(1 << 20)
            if not chunk:
                time.sleep(0.1)
                continue
            lines = (held + chunk).split(b"\n")
            held = lines.pop()   # a line still being written waits for its end
            for line in lines:
                p = payload_of(line.decode("utf-8", "replace"))
                if p is not None:
                    seen.add(row_id(p))
            if len(seen) >= rows:
                return 0
    print(f"signals: {len(seen)} of {rows} rows had an event in {path} "
          f"(peer {'running' if alive(pid) else 'gone'})", file=sys.stderr)
    return 1


# The source.snapshot values of "r" events: an incremental snapshot's, and a blocking one's, which are
# the initial snapshot's marks (a one-table snapshot has no *_in_data_collection).
MARKS = {"incremental": {"incremental"},
         "blocking": {"first", "true", "last", "first_in_data_collection", "last_in_data_collection"}}


def check_peer(out, name, rows, kind):
    last, reads, streamed = {}, 0, 0
    first_read = last_read = None
    for p in events(f"{out}/{name}.jsonl"):
        last[row_id(p)] = p
        if p["op"] == "r":
            reads += 1
            first_read = first_read or p
            last_read = p
            if p["source"].get("snapshot") not in MARKS[kind]:
                print(f"{name}: an r event with source.snapshot {p['source'].get('snapshot')!r}")
                return None, None, False
        else:
            streamed += 1
    final = {}
    with open(f"{out}/{name}.final.tsv", encoding="utf-8") as f:
        for line in f:
            i, v, s = line.rstrip("\n").split("\t")
            final[int(i)] = (int(v), s)
    missing = [i for i in final if i not in last]
    stale = [i for i, (v, s) in final.items()
             if i in last and (last[i]["op"] == "d" or (last[i]["after"]["v"], last[i]["after"]["s"]) != (v, s))]
    updates = open(f"{out}/{name}.updates").read().strip()
    ms = open(f"{out}/{name}.ms").read().strip()
    print(f"{name}: {len(final)} rows, {reads} reads (op r), {streamed} streamed changes of t, "
          f"{updates} updates by the writer, every row had an event after {ms} ms; "
          f"missing {len(missing)}, last image not the newest {len(stale)}")
    for i in (missing + stale)[:5]:
        print(f"  row {i}: table {final[i]}, last event {last.get(i)}")
    if reads and not last.get(max(final)):
        print(f"  {name} stopped before the end: its last read is row {max(i for i, p in last.items() if p['op'] == 'r')}")
    return first_read, last_read, not missing and not stale and len(final) == rows


def fields(p):
    return sorted(p.keys()), sorted(p["source"].keys())


def compare(out, rows, kind):
    dbz, dbz_last, ok1 = check_peer(out, "debezium", rows, kind)
    drom, drom_last, ok2 = check_peer(out, "dromedary", rows, kind)
    ok = ok1 and ok2
    if dbz_last and drom_last:
        a, b = dbz_last["source"].get("snapshot"), drom_last["source"].get("snapshot")
        print(f"  source.snapshot of the last read: Debezium {a!r}, dromedary {b!r}{'' if a == b else '  <- differs'}")
        ok = ok and a == b
    if dbz and drom:
        for what, a, b in zip(("envelope", "source"), fields(dbz), fields(drom)):
            if a != b:
                ok = False
                print(f"r event {what} fields differ: Debezium {a}, dromedary {b}")
            else:
                print(f"r event {what} fields match: {', '.join(a)}")
        for k in ("connector", "name", "db", "table", "snapshot"):
            a, b = dbz["source"].get(k), drom["source"].get(k)
            print(f"  source.{k}: Debezium {a!r}, dromedary {b!r}{'' if a == b else '  <- differs'}")
            ok = ok and a == b
        a, b = dbz["after"], drom["after"]
        print(f"  after of the first read: Debezium {a}, dromedary {b}")
        ok = ok and sorted(a) == sorted(b)
    print("signals: " + ("same final content and r fields" if ok else "DIFFERENCES above"))
    return 0 if ok else 1


if __name__ == "__main__":
    if sys.argv[1] == "count":
        print(count(sys.argv[2]))
        sys.exit(0)
    if sys.argv[1] == "follow":
        sys.exit(follow(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])))
    sys.exit(compare(sys.argv[2], int(sys.argv[3]), sys.argv[4] if len(sys.argv) > 4 else "incremental"))
