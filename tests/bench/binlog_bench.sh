#!/usr/bin/env bash
# Throughput and memory of the mysql-binlog source: dromd runs mysql-binlog -> file:/dev/null
# (a sink that discards) on the test MariaDB (tests/services/mariadb/ctl start), for
#   snapshot:  ROWS rows read by the initial snapshot
#   incremental: the same rows read by an incremental snapshot an execute-snapshot signal starts
#              (the `dromd status` lines drawn meanwhile are printed too)
#   streaming: ROWS rows written to the binlog while dromd was paused (SIGSTOP), then streamed
# and prints events/s (from dromd's start, or its SIGCONT, to the last exchange done, read from
# /metrics) and dromd's peak RSS (VmHWM). Prints, asserts nothing.
#
#   tests/bench/binlog_bench.sh [ROWS]      (default 200000)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
ROWS="${1:-200000}"
eval "$(tests/services/mariadb/ctl env)"
tests/services/mariadb/ctl status >/dev/null 2>&1 || tests/services/mariadb/ctl start
[ -x build/dromd ] || make -s all
DB=mbt_bench
WORK="$(mktemp -d /tmp/drom-binlog-bench.XXXXXX)"
PID=
cleanup() {
  [ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null || true
  tests/services/mariadb/ctl sql -e "DROP DATABASE IF EXISTS $DB" || true
  rm -rf "$WORK"
}
trap cleanup EXIT

sql() { tests/services/mariadb/ctl sql "$@"; }
now_ms() { date +%s%3N; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
done_count() {
  curl -s "http://127.0.0.1:$PORT/metrics" 2>/dev/null |
    awk '/^camel_exchanges_succeeded_total\{routeId="cdc"[,}]/ {print $2}'
}
peak_rss() { awk '/^VmHWM:/ {print $2}' "/proc/$PID/status"; }

start_dromd() {   # $1 = snapshotMode, $2 = more options (XML-escaped)
  PORT="$(free_port)"
  rm -rf "$WORK/state" "$WORK/offsets.json"
  cat >"$WORK/routes.xml" <<XML
<routes><route id="cdc"><from uri="mysql-binlog:bench?host=127.0.0.1&amp;port=$MARIADB_PORT&amp;user=$MARIADB_USER&amp;password={{env:MARIADB_PASSWORD}}&amp;serverId=5490&amp;tableIncludeList=$DB\\.t&amp;snapshotMode=$1${2:-}&amp;offsetStorageFileName=$WORK/offsets.json"/><to uri="file:/dev?fileName=null&amp;fileExist=Append"/></route></routes>
XML
  build/dromd --state-dir "$WORK/state" --http "127.0.0.1:$PORT" --log-level warn "$WORK/routes.xml" \
    >>"$WORK/dromd.log" 2>&1 &
  PID=$!
}

wait_done() {   # $1 = count; prints ms when reached
  local n=0 deadline=$((SECONDS + 600))
  until [ "${n:-0}" -ge "$1" ]; do
    kill -0 "$PID" 2>/dev/null || { echo "dromd died; log:" >&2; cat "$WORK/dromd.log" >&2; exit 1; }
    [ $SECONDS -lt $deadline ] || { echo "no progress past $n events; log:" >&2; cat "$WORK/dromd.log" >&2; exit 1; }
    sleep 0.02
    n="$(done_count)"
  done
  now_ms
}

wait_ready() {
  until curl -sf "http://127.0.0.1:$PORT/health/ready" >/dev/null 2>&1; do sleep 0.02; done
}

stop_dromd() { kill -TERM "$PID"; wait "$PID" || true; PID=; }

rate() { awk -v n="$1" -v ms="$2" 'BEGIN { printf "%.0f", n * 1000 / (ms > 0 ? ms : 1) }'; }

echo "loading $ROWS rows into $DB.t ..."
sql -e "DROP DATABASE IF EXISTS $DB; CREATE DATABASE $DB;
  CREATE TABLE $DB.t (id INT PRIMARY KEY, name VARCHAR(64) NOT NULL, email VARCHAR(128), amount DECIMAL(10,2),
                      created DATETIME(3), flag TINYINT);
  INSERT INTO $DB.t SELECT seq, CONCAT('customer ', seq), CONCAT('c', seq, '@example.com'), seq / 100,
                      '2024-01-02 03:04:05.678', seq % 2 FROM $DB.seq_1_to_$ROWS;"

# snapshot
start_dromd initial
t0="$(now_ms)"
t1="$(wait_done "$ROWS")"
snap_ms=$((t1 - t0))
snap_rss="$(peak_rss)"
stop_dromd

# incremental snapshot of the same table, started by a signal while streaming
sql -e "CREATE TABLE $DB.sig (id VARCHAR(42) PRIMARY KEY, type VARCHAR(32) NOT NULL, data VARCHAR(2048));
  GRANT INSERT ON $DB.sig TO '$MARIADB_USER'@'%'; GRANT INSERT ON $DB.sig TO '$MARIADB_USER'@'localhost';"
start_dromd no_data "&amp;signalDataCollection=$DB.sig"
wait_ready
t0="$(now_ms)"
sql -e "INSERT INTO $DB.sig VALUES ('bench-1', 'execute-snapshot', '{\"data-collections\": [\"$DB[.]t\"]}')"
( for at in 2 6; do sleep "$at"; build/dromd status --http "127.0.0.1:$PORT" >>"$WORK/status.txt" 2>&1 || true; done ) &
status_pid=$!
t1="$(wait_done "$ROWS")"
inc_ms=$((t1 - t0))
inc_rss="$(peak_rss)"
wait "$status_pid" || true
stop_dromd

# streaming: the rows land in the binlog while dromd is paused, then it streams them at full speed
sql -e "CREATE TABLE $DB.src LIKE $DB.t; INSERT INTO $DB.src SELECT * FROM $DB.t; TRUNCATE TABLE $DB.t;"
start_dromd no_data
wait_ready
kill -STOP "$PID"
base=0
for ((lo = 1; lo <= ROWS; lo += 10000)); do   # transactions of 10,000 rows
  sql -e "INSERT INTO $DB.t SELECT * FROM $DB.src WHERE id BETWEEN $lo AND $((lo + 9999))"
done
t0="$(now_ms)"
kill -CONT "$PID"
t1="$(wait_done $((ROWS + base)))"
stream_ms=$((t1 - t0))
stream_rss="$(peak_rss)"
stop_dromd

[ -s "$WORK/status.txt" ] && { echo "dromd status during the incremental snapshot:"; cat "$WORK/status.txt"; }
printf '%-11s %9s rows %8s ms %10s events/s   peak RSS %s kB\n' \
  snapshot "$ROWS" "$snap_ms" "$(rate "$ROWS" "$snap_ms")" "$snap_rss" \
  incremental "$ROWS" "$inc_ms" "$(rate "$ROWS" "$inc_ms")" "$inc_rss" \
  streaming "$ROWS" "$stream_ms" "$(rate "$ROWS" "$stream_ms")" "$stream_rss"
