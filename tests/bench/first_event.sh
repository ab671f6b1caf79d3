#!/usr/bin/env bash
# The time to the first event alone, repeated, for working on it: dromd's profiles (default: end to
# end, measured at the queue; leg1: MariaDB -> Kafka, at the topic), each FE_RUNS times cold (a
# fresh one-row table, no offsets: the snapshot's row) and onto a backlog (stopped after the cold
# start, FE_BACKLOG rows written, started again). Exec to arrival, as make bench measures it
# (workloads/cdc.sh), with the same pinning; prints every time and the median, and keeps each
# start's dromd log (ms stamps) in $BENCH_RUN/first-event/ for the timeline.
#   FE_RUNS=5 FE_BACKLOG=1000 FE_PROFILES="default leg1" bash tests/bench/first_event.sh
# On the bench servers (started here unless up; BENCH_KEEP_SERVERS=1 leaves them running).
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"
source "$here/peers/dromedary/peer.sh"
RUNS=${FE_RUNS:-5} BACKLOG=${FE_BACKLOG:-1000} PROFILES=${FE_PROFILES:-default leg1}
LOGS="$BENCH_RUN/first-event"
rm -rf "$LOGS"; mkdir -p "$LOGS"
PEER_PID= KPROBE= QPROBE=
cleanup() {
  [ -n "$PEER_PID" ] && peer_stop
  probes_stop
  [ "${BENCH_KEEP_SERVERS:-0}" = 1 ] || servers_stop >/dev/null 2>&1
}
trap cleanup EXIT

"$SVC/kafka/ctl" status >/dev/null 2>&1 && "$SVC/artemis/ctl" status >/dev/null 2>&1 &&
  "$SVC/mariadb/ctl" status >/dev/null 2>&1 || { servers_start >&2 || exit 1; }
build_tools || exit 1
servers_warm
peer_setup || exit 1
route_copy
pin_servers

# one start: T0 at exec, then the first arrival in $1; prints ms
first() {
  local measure=$1 t0
  t0=$EPOCHREALTIME
  peer_start "$PROFILE"
  pin "$BENCH_PEER_CPU" "$PEER_PID"
  if wait_lines "$measure" 1 30 "$PEER_PID"; then
    python3 "$here/workloads/analyze.py" ttfe "$measure" "$t0" | awk '{print $2}'
  else
    echo never
  fi
  peer_stop
  probes_stop
}
median() { python3 -c 'import statistics, sys; v = [float(x) for x in sys.stdin.read().split()]; print("%g" % statistics.median(v) if v else "")'; }

for PROFILE in $PROFILES; do
  PEER_E2E=1; case "$PROFILE" in leg1*) PEER_E2E=0 ;; esac
  peer_prepare "$PROFILE"
  measure="$BENCH_RUN/q.arr"; [ "$PEER_E2E" = 1 ] || measure="$BENCH_RUN/k.arr"
  cold="" warm=""
  for i in $(seq "$RUNS"); do
    reset_all; peer_reset
    sql cdcdb -e "INSERT INTO customers (first_name, last_name, email) VALUES ('first', '0', 'first@bench')"
    probes_start "$PEER_E2E"
    cold+=" $(first "$measure")"
    cp "$BENCH_RUN/dromd/dromd.log" "$LOGS/$PROFILE-cold-$i.log"
    backlog_sql "$BACKLOG" "fe$i" 1 | sql cdcdb
    : >"$BENCH_RUN/dromd/dromd.log"
    probes_start "$PEER_E2E"
    warm+=" $(first "$measure")"
    cp "$BENCH_RUN/dromd/dromd.log" "$LOGS/$PROFILE-backlog-$i.log"
    blog "$PROFILE run $i: cold ${cold##* } ms, onto a backlog ${warm##* } ms"
  done
  echo "$PROFILE cold, ms:$cold   median $(echo "$cold" | median)"
  echo "$PROFILE onto a backlog, ms:$warm   median $(echo "$warm" | median)"
done
