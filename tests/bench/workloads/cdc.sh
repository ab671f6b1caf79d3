#!/usr/bin/env bash
# One peer through the CDC workloads on the bench servers (they must be up: run.sh starts them).
#   tests/bench/workloads/cdc.sh PEER [PROFILE]      PEER: dromedary | camel | debezium
#
# Phase 1 (cold start, idle, latency): fresh database/topic/queue; one row; start the peer;
#   (d) time to the first event delivered, (e) RSS idle 5 s later; then (b) 200 rows/s for 20 s,
#   commit -> arrival per row. Stop the peer (it keeps its offsets).
# Phase 2 (backlog): with the peer stopped, (a) 100,000 rows in 100-row transactions; start it
#   again: time to first event (warm), drain rate, (e) CPU s per 10,000 events, peak RSS.
# Phase 3 (snapshot): fresh database, (c) a 200,000-row table, start the peer with no offsets.
# End-to-end peers are measured at the Artemis queue (plus "leg1_" figures at the Kafka topic);
# Debezium Server only at the topic. Each wait is time-boxed (BENCH_BOX seconds, 180 default):
# a peer that does not finish reports what it delivered within the box.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/../lib.sh"
PEER=$1 PROFILE=${2:-default}
source "$here/../peers/$PEER/peer.sh"
PART=$PEER; [ "$PROFILE" = default ] || PART="$PEER-$PROFILE"
[ "$PEER_E2E" = 1 ] && PART_NOTE="" || PART_NOTE="MariaDB->Kafka only"
BOX=${BENCH_BOX:-180}
BACKLOG=${BENCH_BACKLOG:-100000} SNAPSHOT=${BENCH_SNAPSHOT:-200000}
RATES=${BENCH_RATES:-${BENCH_RATE:-200} 2000} RATE_SECONDS=${BENCH_RATE_SECONDS:-20}
AN="python3 $here/analyze.py"
PEER_PID= KPROBE= QPROBE= SAMPLER=
R="$BENCH_RUN"
if [ "$PEER_E2E" = 1 ]; then MEASURE="$R/q.arr"; else MEASURE="$R/k.arr"; fi

cleanup() {
  [ -n "$SAMPLER" ] && kill "$SAMPLER" 2>/dev/null
  [ -n "$PEER_PID" ] && peer_stop
  probes_stop
}
trap cleanup EXIT
trap 'exit 130' INT TERM

put_all() { # put_all PREFIX < "metric value unit" lines
  local m v u
  while read -r m v u; do bench_put "$PART" "$1$m" "$v" "$u" "$PART_NOTE"; done
}
start_measured() { # start_measured SAMPLEFILE: peer + sampler, T0 = exec time
  : >"$1"
  PHASE=$(basename "$1")
  acct_snap "$PHASE.a"
  T0=$EPOCHREALTIME
  peer_start "$PROFILE"
  pin "$BENCH_PEER_CPU" "$PEER_PID"
  sampler "$PEER_PID" "$1" &
  SAMPLER=$!
}
# the phase's CPU by process (each server, the bench, everything else) under the phase's prefix
declare -A PHASE_PREFIX=([s1]=lat_ [s2]=drain_ [s3]=snap_)
FOREIGN=0 ELAPSED=0
stop_measured() {
  peer_stop; kill "$SAMPLER" 2>/dev/null; SAMPLER=; probes_stop
  acct_snap "$PHASE.b"
  acct_diff "$PHASE.a" "$PHASE.b" >"$R/acct.$PHASE"
  put_all "${PHASE_PREFIX[$PHASE]}" <"$R/acct.$PHASE"
  FOREIGN=$(awk -v f="$FOREIGN" '$1=="cpu_foreign_s"{f+=$2} END{print f}' "$R/acct.$PHASE")
  ELAPSED=$(awk -v e="$ELAPSED" '$1=="elapsed_s"{e+=$2} END{print e}' "$R/acct.$PHASE")
}
max_id() { sql -N cdcdb -e "SELECT COALESCE(MAX(id),0) FROM customers"; }

# a re-run replaces this part's figures
[ -f "$BENCH_OUT/results.tsv" ] && { grep -v "^$PART	" "$BENCH_OUT/results.tsv" >"$BENCH_OUT/results.tsv.new"; mv "$BENCH_OUT/results.tsv.new" "$BENCH_OUT/results.tsv"; }
peer_setup || { blog "$PART: setup failed"; exit 1; }
bench_put "$PART" version "$peer_version" "" ""
bench_put "$PART" loadavg_before "$(loadavg)" "" "1-minute load average before the part"
route_copy
# a peer's files written before any clock starts (only dromedary's leg-1 route needs it)
declare -F peer_prepare >/dev/null && peer_prepare "$PROFILE"

# ---- phase 1
blog "$PART: phase 1 (cold start, idle RSS, latency at ${RATES// //s, }/s)"
reset_all; peer_reset
sql cdcdb -e "INSERT INTO customers (first_name, last_name, email) VALUES ('first', '0', 'first@bench')"
probes_start "$PEER_E2E"
start_measured "$R/s1"
ok=0
if wait_lines "$MEASURE" 1 "$BOX" "$PEER_PID"; then
  ok=1
elif [ "$PEER_E2E" = 1 ] && [ -s "$R/k.arr" ] && kill -0 "$PEER_PID" 2>/dev/null; then
  # Leg 1 works but nothing reached the queue: keep measuring, at the topic, as PART-leg1.
  blog "$PART: nothing reached the queue within ${BOX}s but the topic has events: measuring MariaDB -> Kafka only, as $PART-leg1"
  bench_put "$PART" e2e_delivered 0 events "nothing reached the queue within ${BOX}s; leg 1 measured as $PART-leg1"
  PART="$PART-leg1" PART_NOTE="MariaDB->Kafka; the queue received nothing" PEER_E2E=0 MEASURE="$R/k.arr" ok=1
  grep -v "^$PART	" "$BENCH_OUT/results.tsv" >"$BENCH_OUT/results.tsv.new"; mv "$BENCH_OUT/results.tsv.new" "$BENCH_OUT/results.tsv"
  bench_put "$PART" version "$peer_version" "" ""
fi
if [ $ok = 1 ]; then
  $AN ttfe "$MEASURE" "$T0" | sed 's/^ttfe_ms/ttfe_cold_ms/' | put_all ""
  sleep 5
  $AN idle "$R/s1" | put_all ""
  # the first rate's figures are lat_*, the others' r<RATE>_lat_*
  for rate in $RATES; do
    pre=""; [ "$rate" = "${RATES%% *}" ] || pre="r${rate}_"
    base=$(wc -l <"$MEASURE")
    acct_snap "rate$rate.a"
    "${ON_SERVER_CPU[@]}" "$BENCH_TOOLS/rate_insert" 127.0.0.1 "$MARIADB_PORT" cdcadmin cdcadmin "$rate" $((rate * RATE_SECONDS)) "lat$rate-$$" >"$R/lat$rate.commits" \
      || blog "$PART: rate_insert at $rate/s failed"
    wait_lines "$MEASURE" $((base + rate * RATE_SECONDS)) 60 "$PEER_PID" || blog "$PART: not every latency row at $rate/s arrived within 60 s"
    # each core's share busy at this rate: the servers' core near 1 means they set the tail
    acct_snap "rate$rate.b"
    acct_diff "rate$rate.a" "rate$rate.b" | grep "^core" | put_all "${pre}lat_rate_"
    sleep 1
    $AN latency "$MEASURE" "$R/lat$rate.commits" | put_all "$pre"
    [ "$PEER_E2E" = 1 ] && $AN latency "$R/k.arr" "$R/lat$rate.commits" | put_all "${pre}leg1_"
  done
else
  blog "$PART: no event delivered within ${BOX}s; see $R"
  bench_put "$PART" ttfe_cold_ms "" ms "no event within ${BOX}s"
  stop_measured
  blog "$PART: stopping here (log: $R/$PEER)"
  exit 1
fi
stop_measured

# ---- phase 2
blog "$PART: phase 2 (backlog of $BACKLOG rows in 100-row transactions)"
idmin=$(( $(max_id) + 1 ))
t=$EPOCHREALTIME
backlog_sql "$BACKLOG" "bk$$" 100 | sql cdcdb
bench_put source load_rate "$(awk -v a="$t" -v b="$EPOCHREALTIME" -v n="$BACKLOG" 'BEGIN{printf "%.0f", n/(b-a)}')" "rows/s" "mariadb client, 100-row txns"
probes_start "$PEER_E2E"
start_measured "$R/s2"
wait_lines "$MEASURE" "$BACKLOG" "$BOX" "$PEER_PID" || blog "$PART: backlog not drained within ${BOX}s (partial figures)"
sleep 1
$AN drain "$MEASURE" "$T0" "$idmin" "$BACKLOG" "$R/s2" | sed -e 's/^ttfe_ms/ttfe_warm_ms/' -e 's/^/drain_/' | put_all ""
[ "$PEER_E2E" = 1 ] && $AN drain "$R/k.arr" "$T0" "$idmin" "$BACKLOG" "$R/s2" | grep -E '^(rate|delivered)' | sed 's/^/drain_/' | put_all leg1_
stop_measured

# ---- phase 3
blog "$PART: phase 3 (snapshot of a $SNAPSHOT-row table)"
reset_all; peer_reset
sql cdcdb -e "INSERT INTO customers (first_name, last_name, email) SELECT 'snap', seq, CONCAT('snap-', seq, '@bench') FROM seq_1_to_$SNAPSHOT"
probes_start "$PEER_E2E"
start_measured "$R/s3"
wait_lines "$MEASURE" "$SNAPSHOT" "$BOX" "$PEER_PID" || blog "$PART: snapshot not delivered within ${BOX}s (partial figures)"
sleep 1
$AN drain "$MEASURE" "$T0" 1 "$SNAPSHOT" "$R/s3" | grep -v ttfe | sed 's/^/snap_/' | put_all ""
[ "$PEER_E2E" = 1 ] && $AN drain "$R/k.arr" "$T0" 1 "$SNAPSHOT" "$R/s3" | grep -E '^(rate|delivered)' | sed 's/^/snap_/' | put_all leg1_
stop_measured
bench_put "$PART" loadavg_after "$(loadavg)" "" "1-minute load average after the part"
# A part during which other work took more than BENCH_FOREIGN_MAX of a core (0.10 by default)
# measured the machine's neighbours too: exit 3, and run.sh runs it again.
foreign=$(awk -v f="$FOREIGN" -v e="$ELAPSED" 'BEGIN{printf "%.3f", (e > 0 ? f / e : 0)}')
bench_put "$PART" foreign_cores "$foreign" cores "CPU of other processes during the part, on average"
if awk -v f="$foreign" -v m="${BENCH_FOREIGN_MAX:-0.10}" 'BEGIN{exit !(f > m)}'; then
  blog "$PART: the machine was busy (other processes used $foreign of a core on average): refused"
  exit 3
fi
blog "$PART: done"
