#!/usr/bin/env bash
# Workloads of other shapes, MariaDB -> Kafka (leg 1), for a peer that captures to Kafka
# (dromedary leg1, debezium, connect); the bench servers must be up (run.sh starts them).
#   tests/bench/workloads/shapes.sh PEER PROFILE [SHAPE...]
#
#   mixed     30,000 changes on rows of ~3 KB: 10,000 inserts, then each row updated and
#             deleted, in 100-change transactions
#   bigtx     one transaction of 100,000 rows (a peer must stream it, not hold it whole: its
#             peak RSS is the figure to watch)
#   types45   20,000 rows of a 45-column table with every type group
#   tables50  50 tables, 1,000 rows each, inserted round robin, 100-row transactions
#   width100 width1000 width3000 width10000
#             20,000 rows of N bytes each: rate, CPU per event and RSS against row width
#   window10 window100 window1000 window10000
#             width3000's rows with dromedary's in-flight window (maxQueueSize) at N: rate, CPU
#             per event and RSS against the window (dromedary only: Debezium's max.queue.size
#             must exceed its max.batch.size, 2048, so it cannot go as low)
#
# Each shape: a fresh database `shapes`, the peer started with no offsets on one marker row
# (its snapshot), stopped once the marker arrived; the load written with the peer stopped; the
# peer started again and timed until every change arrived (figures <shape>_rate,
# <shape>_cpu_per_10k, <shape>_rss_peak_mb, <shape>_delivered; CPU of the servers and of other
# processes as for cdc.sh; exit 3 when the machine was busy).
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export SRC_DBS=shapes SRC_TABLES='shapes[.].*'
source "$here/../lib.sh"
PEER=$1 PROFILE=${2:-default}
shift 2 || true
SHAPES=${*:-mixed bigtx types45 tables50 width100 width1000 width3000 width10000 window10 window100 window1000 window10000}
source "$here/../peers/$PEER/peer.sh"
[ "$PEER_E2E" = 1 ] && { blog "shapes: $PEER $PROFILE is an end-to-end peer; the shapes are leg 1 (use dromedary leg1)"; exit 1; }
PART=$PEER; [ "$PROFILE" = default ] || PART="$PEER-$PROFILE"
BOX=${BENCH_BOX:-180}
R="$BENCH_RUN"
PEER_PID= KPROBE= SAMPLER=
PROBE_TOPIC='^my-mysql[.]shapes[.].*'
cleanup() {
  [ -n "$SAMPLER" ] && kill "$SAMPLER" 2>/dev/null
  [ -n "$PEER_PID" ] && peer_stop
  stop_pid "$KPROBE" 5
}
trap cleanup EXIT
trap 'exit 130' INT TERM
peer_setup || { blog "$PART: setup failed"; exit 1; }

# schema SHAPE: the tables; load SHAPE: the SQL of the changes; count SHAPE: the events expected
schema() {
  case $1 in
    mixed|bigtx|width*|window*) echo "CREATE TABLE t (id INT AUTO_INCREMENT PRIMARY KEY, k INT NOT NULL, payload LONGTEXT NOT NULL);" ;;
    types45) cat <<'SQL'
CREATE TABLE t (id INT AUTO_INCREMENT PRIMARY KEY,
  ti TINYINT, tiu TINYINT UNSIGNED, si SMALLINT, siu SMALLINT UNSIGNED, mi MEDIUMINT, miu MEDIUMINT UNSIGNED,
  i INT, iu INT UNSIGNED, bi BIGINT, biu BIGINT UNSIGNED,
  d10 DECIMAL(10,2), d30 DECIMAL(30,10), f FLOAT, db DOUBLE, b1 BIT(1), b10 BIT(10), bo BOOLEAN,
  c CHAR(10), vc VARCHAR(50), tt TINYTEXT, tx TEXT, l1 VARCHAR(20) CHARACTER SET latin1,
  bn BINARY(4), vb VARBINARY(10), bl BLOB,
  dd DATE, y YEAR, t0 TIME, t3 TIME(3), t6 TIME(6), dt0 DATETIME, dt3 DATETIME(3), dt6 DATETIME(6),
  ts0 TIMESTAMP NULL DEFAULT NULL, ts6 TIMESTAMP(6) NULL DEFAULT NULL,
  e ENUM('a','b','c d'), s SET('x','y','z'), j JSON, u UUID, inet INET6, g POINT,
  n1 INT NULL, n2 VARCHAR(10) NULL, n3 DATETIME NULL) DEFAULT CHARSET utf8mb4;
SQL
      ;;
    tables50) for n in $(seq -w 1 50); do echo "CREATE TABLE t$n (id INT AUTO_INCREMENT PRIMARY KEY, k INT NOT NULL, v VARCHAR(100) NOT NULL);"; done ;;
  esac
}
marker() {
  case $1 in
    types45) echo "INSERT INTO t (i) VALUES (0);" ;;
    tables50) echo "INSERT INTO t01 (k, v) VALUES (0, 'marker');" ;;
    *) echo "INSERT INTO t (k, payload) VALUES (0, 'marker');" ;;
  esac
}
count() {
  case $1 in
    mixed) echo 30000 ;; bigtx) echo 100000 ;; tables50) echo 50000 ;; *) echo 20000 ;;
  esac
}
load() {
  case $1 in
    mixed) awk 'BEGIN {
      for (i = 2; i <= 10001; i++) {
        if (i % 100 == 2) print "BEGIN;";
        printf "INSERT INTO t (id, k, payload) VALUES (%d, %d, REPEAT(\x27%c\x27, 3000));\n", i, i, 65 + i % 26;
        if (i % 100 == 1) print "COMMIT;";
      }
      print "COMMIT;";
      for (i = 2; i <= 10001; i++) {
        if (i % 50 == 2) print "BEGIN;";
        printf "UPDATE t SET k = k + 1, payload = REPEAT(\x27%c\x27, 3000) WHERE id = %d;\n", 97 + i % 26, i;
        printf "DELETE FROM t WHERE id = %d;\n", i;
        if (i % 50 == 1) print "COMMIT;";
      }
      print "COMMIT;" }' ;;
    bigtx) echo "BEGIN; INSERT INTO t (k, payload) SELECT seq, CONCAT('row-', seq, REPEAT('z', 80)) FROM seq_1_to_100000; COMMIT;" ;;
    window*) load width3000 ;;
    width*) local w=${1#width}
      for b in $(seq 0 99); do
        echo "INSERT INTO t (k, payload) SELECT seq, RPAD(CONCAT('r', seq, '-'), $w, 'w') FROM seq_$((b * 200 + 1))_to_$((b * 200 + 200));"
      done ;;
    types45) for b in $(seq 0 99); do cat <<SQL
INSERT INTO t (ti, tiu, si, siu, mi, miu, i, iu, bi, biu, d10, d30, f, db, b1, b10, bo, c, vc, tt, tx, l1, bn, vb, bl,
  dd, y, t0, t3, t6, dt0, dt3, dt6, ts0, ts6, e, s, j, u, inet, g)
SELECT seq % 127, seq % 255, seq % 32767, seq % 65535, seq, seq, seq, seq, seq * 1000003, seq * 1000003,
  seq / 7, seq / 13, seq / 3, seq / 11, seq % 2, seq % 1024, seq % 2, CONCAT('c', seq), CONCAT('varchar-', seq),
  'tiny', REPEAT('text ', 20), 'Grüße, Zoë', UNHEX('01020304'), UNHEX('0A0B'), UNHEX(REPEAT('AB', 32)),
  DATE_ADD('2020-01-01', INTERVAL seq % 3000 DAY), 2000 + seq % 99, '12:34:56', '12:34:56.789', '12:34:56.789012',
  '2024-05-06 07:08:09', '2024-05-06 07:08:09.123', '2024-05-06 07:08:09.123456',
  '2024-05-06 07:08:09', '2024-05-06 07:08:09.123456', 'c d', 'x,z', CONCAT('{"n":', seq, ',"a":[1,2,3]}'),
  UUID(), '2001:db8::1', POINT(seq, seq / 2)
FROM seq_$((b * 200 + 1))_to_$((b * 200 + 200));
SQL
      done ;;
    tables50) awk 'BEGIN {
      for (i = 1; i <= 1000; i++)
        for (t = 1; t <= 50; t++) {
          if (((i - 1) * 50 + t) % 100 == 1) print "BEGIN;";
          printf "INSERT INTO t%02d (k, v) VALUES (%d, \x27row %d of table %d\x27);\n", t, i, i, t;
          if (((i - 1) * 50 + t) % 100 == 0) print "COMMIT;";
        }
      print "COMMIT;" }' ;;
  esac
}

FOREIGN=0 ELAPSED=0 busy=0
for shape in $SHAPES; do
  [ -f "$BENCH_OUT/results.tsv" ] && { grep -v "^$PART	${shape}_" "$BENCH_OUT/results.tsv" >"$BENCH_OUT/results.tsv.new"; mv "$BENCH_OUT/results.tsv.new" "$BENCH_OUT/results.tsv"; }
  unset BENCH_MAX_QUEUE
  case $shape in
    window*) [ "$PEER" = dromedary ] || continue
      export BENCH_MAX_QUEUE=${shape#window} ;;
  esac
  blog "$PART: shape $shape"
  sql -e "DROP DATABASE IF EXISTS shapes; CREATE DATABASE shapes DEFAULT CHARSET utf8mb4; FLUSH BINARY LOGS" >/dev/null
  { echo "SET SESSION time_zone = '+00:00';"; schema "$shape"; marker "$shape"; } | sql shapes || { blog "$PART $shape: schema failed"; continue; }
  "$SVC/kafka/ctl" topics --delete --if-exists --topic 'my-mysql[.]shapes[.].*' >/dev/null 2>&1 || true
  rm -rf "$R/state"; mkdir -p "$R/state"
  peer_reset
  : >"$R/shape.arr"
  "${ON_SERVER_CPU[@]}" "$BENCH_TOOLS/kafka_arrivals" "127.0.0.1:$KAFKA_PORT" "$PROBE_TOPIC" >"$R/shape.arr" 2>>"$R/probe.log" &
  KPROBE=$!
  peer_start "$PROFILE"
  pin "$BENCH_PEER_CPU" "$PEER_PID"
  if ! wait_lines "$R/shape.arr" 1 "$BOX" "$PEER_PID"; then
    blog "$PART $shape: the marker did not arrive within ${BOX}s"
    bench_put "$PART" "${shape}_delivered" 0 events "the marker did not arrive"
    peer_stop; stop_pid "$KPROBE" 5; KPROBE=; continue
  fi
  peer_stop
  base=$(wc -l <"$R/shape.arr")
  t=$EPOCHREALTIME
  { echo "SET SESSION time_zone = '+00:00';"; load "$shape"; } | sql shapes || blog "$PART $shape: load failed"
  bench_put "$PART" "${shape}_load_s" "$(awk -v a="$t" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.1f", b-a}')" s "writing the changes, peer stopped"
  n=$(count "$shape")
  : >"$R/shape.s"
  acct_snap shape.a
  T0=$EPOCHREALTIME
  peer_start "$PROFILE"
  pin "$BENCH_PEER_CPU" "$PEER_PID"
  sampler "$PEER_PID" "$R/shape.s" &
  SAMPLER=$!
  wait_lines "$R/shape.arr" $((base + n)) "$BOX" "$PEER_PID" || blog "$PART $shape: not every change arrived within ${BOX}s (partial figures)"
  sleep 1
  peer_stop; kill "$SAMPLER" 2>/dev/null; SAMPLER=
  acct_snap shape.b
  stop_pid "$KPROBE" 5; KPROBE=
  tail -n +$((base + 1)) "$R/shape.arr" >"$R/shape.new"
  python3 "$here/analyze.py" count "$R/shape.new" "$T0" "$n" "$R/shape.s" |
    while read -r m v u; do bench_put "$PART" "${shape}_$m" "$v" "$u" "MariaDB->Kafka, $n changes"; done
  acct_diff shape.a shape.b >"$R/acct.shape"
  while read -r m v u; do bench_put "$PART" "${shape}_$m" "$v" "$u" ""; done <"$R/acct.shape"
  f=$(awk '$1=="cpu_foreign_s"{f=$2} $1=="elapsed_s"{e=$2} END{printf "%.3f", (e > 0 ? f / e : 0)}' "$R/acct.shape")
  if awk -v f="$f" -v m="${BENCH_FOREIGN_MAX:-0.10}" 'BEGIN{exit !(f > m)}'; then
    blog "$PART $shape: the machine was busy (other processes used $f of a core on average)"
    busy=1
  fi
done
sql -e "DROP DATABASE IF EXISTS shapes" >/dev/null
[ $busy = 1 ] && exit 3
exit 0
