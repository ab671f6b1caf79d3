#!/usr/bin/env bash
# Debezium 3.6.1 (MariaDB connector, embedded engine) and dromedary on the same signal sequence: an
# incremental snapshot (KIND=incremental, the default; KIND=blocking: a blocking one, streaming paused
# while the table is read), started by an execute-snapshot signal in the signal table, of a table of
# ROWS rows (20,000) while a writer updates random rows at RATE changes/s (200). Each peer runs on a
# freshly loaded table; both are checked against the table's final content per key (every row
# present, the last event of each key carrying its newest row image, so no key is left at an image
# older than a streamed change), and the fields of their "r" events are compared. Test-only; needs
# Java 21+, mvn and the test MariaDB (tests/services/mariadb/ctl start). `make debezium-signals`.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
: "${DROM_STATE:=$ROOT/.state/test}"
: "${MARIADB_PORT:=13306}"
ROWS="${ROWS:-20000}" RATE="${RATE:-200}" KIND="${KIND:-incremental}"
case "$KIND" in incremental|blocking) ;; *) echo "signals: KIND is incremental or blocking, not $KIND" >&2; exit 2 ;; esac
WORK="$DROM_STATE/debezium-harness"
DB=dbz_sig
# shellcheck source=lib.sh
source "$HERE/lib.sh"
OUT="$WORK/signals"
[ "$KIND" = incremental ] || OUT="$WORK/signals-$KIND"
rm -rf "$OUT"; mkdir -p "$OUT"
HARNESS= DROMD=
cleanup() {
  touch "$OUT/stop"
  [ -z "$HARNESS" ] || kill "$HARNESS" 2>/dev/null || true
  [ -z "$DROMD" ] || kill "$DROMD" 2>/dev/null || true
}
trap cleanup EXIT

sql() { "$ROOT/tests/services/mariadb/ctl" sql "$@"; }
load() {
  sql -e "DROP DATABASE IF EXISTS $DB; CREATE DATABASE $DB DEFAULT CHARSET utf8mb4;
    CREATE TABLE $DB.t (id INT PRIMARY KEY, v INT NOT NULL, s VARCHAR(40), d DECIMAL(10,2), at DATETIME(3));
    CREATE TABLE $DB.debezium_signal (id VARCHAR(42) PRIMARY KEY, type VARCHAR(32) NOT NULL, data VARCHAR(2048));
    CREATE TABLE $DB.mark (id INT PRIMARY KEY);
    INSERT INTO $DB.t SELECT seq, 0, CONCAT('row ', seq), seq / 100, '2024-01-02 03:04:05.678' FROM $DB.seq_1_to_$ROWS;
    GRANT INSERT ON $DB.debezium_signal TO 'debezium'@'%'; GRANT INSERT ON $DB.debezium_signal TO 'debezium'@'localhost';"
}
# RATE updates a second until $OUT/stop exists, paced by the clock (every 100 ms as many as are due)
# through one client: a client started for each batch fell to ~40 a second on a loaded machine
writer() {
  {
    local n=0 t0=${EPOCHREALTIME/./} due
    while [ ! -e "$OUT/stop" ]; do
      due=$(( (${EPOCHREALTIME/./} - t0) * RATE / 1000000 ))
      for (( ; n < due; n++ )); do
        echo "UPDATE $DB.t SET v = v + 1, s = CONCAT('upd ', v + 1) WHERE id = $(( ((RANDOM << 15) | RANDOM) % ROWS + 1 ));"
      done
      sleep 0.1
    done
    echo "$n" >"$OUT/$1.updates"
  } | sql
}
# waits until peer output $1 holds an event of mark row $2
wait_mark() {
  sql -e "INSERT INTO $DB.mark VALUES ($2)"
  for _ in $(seq 600); do
    [ "$(grep -c "\"after\":{\"id\":$2}" "$1" 2>/dev/null || true)" -gt 0 ] && return 0
    sleep 0.1
  done
  echo "signals: mark $2 did not arrive in $1" >&2; return 1
}
# until every row of t has an event in $1 (r or a streamed change), at most WAIT_S (900) s by the clock, and no
# longer than peer $2 runs; the output (hundreds of MB) is read once as it grows
wait_all() { python3 "$HERE/signals_check.py" follow "$1" "$ROWS" "${WAIT_S:-900}" "$2"; }
# until the peer streams: a mark row every 2 s until one arrives (a peer starting from "now" misses earlier ones)
wait_stream() {
  for k in $(seq 100 190); do
    sql -e "INSERT INTO $DB.mark VALUES ($k)"
    for _ in $(seq 20); do
      [ "$(grep -c "\"after\":{\"id\":$k}" "$1" 2>/dev/null || true)" -gt 0 ] && return 0
      sleep 0.1
    done
  done
  echo "signals: the peer did not stream into $1" >&2; return 1
}
run_sequence() {   # $1 = peer name, $2 = its output file, $3 = its pid
  wait_stream "$2"
  rm -f "$OUT/stop"
  local w0; w0=$(date +%s%3N)
  writer "$1" &
  local wpid=$!
  sleep 1
  sql -e "INSERT INTO $DB.debezium_signal VALUES ('sig-1', 'execute-snapshot', '{\"data-collections\": [\"$DB.t\"], \"type\": \"$KIND\"}')"
  local t0; t0=$(date +%s%3N)
  # a peer that stalls is reported (every row's event missing), not waited for past the bound
  if wait_all "$2" "$3"; then echo "$(( $(date +%s%3N) - t0 ))" >"$OUT/$1.ms"; else echo "never (stalled)" >"$OUT/$1.ms"; fi
  sleep 1
  touch "$OUT/stop"; wait "$wpid"
  local wms=$(( $(date +%s%3N) - w0 )) wn; wn=$(cat "$OUT/$1.updates")
  echo "$1: the writer made $wn updates in $wms ms ($(( wn * 1000 / (wms > 0 ? wms : 1) ))/s, asked $RATE/s)"
  # a peer still behind is reported by the comparison (rows missing or older), and the other peer still runs
  wait_mark "$2" 2 || echo "$1: its events stop short of the writer's last change" >&2
  sql -N -e "SELECT id, v, s FROM $DB.t ORDER BY id" >"$OUT/$1.final.tsv"
}

# --- Debezium ---
load
{ engine_properties dbz-signals 5498 "$OUT"; cat <<PROPS
table.include.list=$DB.t,$DB.debezium_signal,$DB.mark
include.schema.changes=false
snapshot.mode=no_data
signal.data.collection=$DB.debezium_signal
incremental.snapshot.chunk.size=1024
PROPS
} >"$WORK/signals.properties"
"$JAVA_HOME/bin/java" -cp "$LIB/*:$WORK/classes" Harness "$WORK/signals.properties" 10000000 1200 120 \
  >"$OUT/debezium.jsonl" 2>"$OUT/debezium.log" &
HARNESS=$!
run_sequence debezium "$OUT/debezium.jsonl" "$HARNESS"
kill "$HARNESS" 2>/dev/null || true; wait "$HARNESS" || true; HARNESS=

# --- dromedary ---
load
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
cat >"$OUT/routes.xml" <<XML
<routes><route id="cdc"><from uri="mysql-binlog:t?host=127.0.0.1&amp;port=$MARIADB_PORT&amp;user=debezium&amp;password=debezium&amp;serverId=5497&amp;topicPrefix=t&amp;tableIncludeList=$DB\\.(t|debezium_signal|mark)&amp;snapshotMode=no_data&amp;sslMode=disabled&amp;signalDataCollection=$DB.debezium_signal&amp;offsetStorageFileName=$OUT/offsets.json"/><to uri="file:$OUT?fileName=dromedary.jsonl&amp;fileExist=Append&amp;appendChars=\\n"/></route></routes>
XML
"$ROOT/build/dromd" --state-dir "$OUT/state" --http "127.0.0.1:$PORT" --log-level info "$OUT/routes.xml" \
  >"$OUT/dromd.log" 2>&1 &
DROMD=$!
until curl -sf "http://127.0.0.1:$PORT/health/ready" >/dev/null 2>&1; do sleep 0.05; done
run_sequence dromedary "$OUT/dromedary.jsonl" "$DROMD"
kill "$DROMD"; wait "$DROMD" || true; DROMD=

python3 "$HERE/signals_check.py" compare "$OUT" "$ROWS" "$KIND"
