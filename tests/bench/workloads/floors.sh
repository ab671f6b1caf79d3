#!/usr/bin/env bash
# Floors: what the servers themselves do on this machine, so each pipeline figure can be read
# against its limit (the bench servers must be up: run.sh starts them).
#  - binlog: 100,000 inserts in 100-row transactions, then mariadb-binlog reading them back from
#    the server (--read-from-remote-server): --raw to files (transport) and decoded to /dev/null
#  - Kafka: librdkafka alone (workloads/kafka_floor.c): 100,000 messages, acks=all, linger.ms 5,
#    at 100 B (the Camel-syntax route's JSON row) and 3,000 B (a Debezium envelope with schema)
#  - Artemis: `artemis perf client` over AMQP, persistent, 100 B, 10 s after a 5 s warm-up, with
#    100 messages in flight and with 1 (a producer that waits for each durable send)
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/../lib.sh"
N=${BENCH_BACKLOG:-100000}
R="$BENCH_RUN/floors"
rm -rf "$R"; mkdir -p "$R"
# a re-run replaces the floors
[ -f "$BENCH_OUT/results.tsv" ] && { grep -v -E "^(floor|source)	" "$BENCH_OUT/results.tsv" >"$BENCH_OUT/results.tsv.new"; mv "$BENCH_OUT/results.tsv.new" "$BENCH_OUT/results.tsv"; }
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN{printf "%.0f", n/(b-a)}'; }

# dromd reading the binlog to file:/dev/null: the decoder's own rate, beside mariadb-binlog's
# decode of the same rows (issue: leg 1 should reach 80% of that floor). Started once before the
# load with snapshotMode=no_data, so its stored position is the load's first row.
DROMD="${BENCH_DROMD:-$BENCH_ROOT/build/dromd}" DHTTP=127.0.0.1:28090
decode_route() {
  cat >"$R/decode.xml" <<XML
<routes xmlns="http://camel.apache.org/schema/xml-io"><route id="decode">
  <from uri="mysql-binlog:floor?host=127.0.0.1&amp;port=$MARIADB_PORT&amp;user={{env:DB_USER}}&amp;password={{env:DB_PASSWORD}}&amp;serverId=224470&amp;databaseIncludeList=$BENCH_DB&amp;tableIncludeList=$BENCH_DB.$BENCH_TABLE&amp;topicPrefix=my-mysql&amp;snapshotMode=no_data"/>
  <to uri="file:/dev?fileName=null&amp;fileExist=Append"/>
</route></routes>
XML
}
decode_start() {
  DB_USER="$DB_USER" DB_PASSWORD="$DB_PASSWORD" "${ON_PEER_CPU[@]}" "$DROMD" --http "$DHTTP" \
    --state-dir "$R/dromd" "$R/decode.xml" >>"$R/dromd.log" 2>&1 &
  DPID=$!
}
decode_count() {
  "${ON_SERVER_CPU[@]}" curl -s "http://$DHTTP/metrics" 2>/dev/null |
    awk '/^camel_exchanges_total\{routeId="decode"/{print $2; found=1} END{if(!found) print 0}'
}

blog "floors: binlog"
reset_all
decode_route; rm -rf "$R/dromd"; decode_start
for _ in $(seq 1 100); do curl -sf "http://$DHTTP/health/ready" >/dev/null && break; sleep 0.1; done
stop_pid "$DPID" 30
first=$(sql -N -e "SHOW MASTER STATUS" | cut -f1)
t=$EPOCHREALTIME
backlog_sql "$N" floor 100 | sql cdcdb
bench_put source load_rate "$(rate "$N" "$t" "$EPOCHREALTIME")" rows/s "mariadb client, 100-row txns"
bl=("${ON_PEER_CPU[@]}" mariadb-binlog --no-defaults --read-from-remote-server --host=127.0.0.1 --port="$MARIADB_PORT"
  --user="$DB_USER" --password="$DB_PASSWORD" --to-last-log)
t=$EPOCHREALTIME
"${bl[@]}" --raw --result-file="$R/" "$first" || blog "floors: mariadb-binlog --raw failed"
t2=$EPOCHREALTIME
bytes=$(cat "$R"/mysql-bin.* 2>/dev/null | wc -c)
bench_put floor binlog_raw "$(rate "$N" "$t" "$t2")" rows/s "mariadb-binlog --raw, $((bytes / 1024)) KiB"
# without --verbose mariadb-binlog prints a rows event as base64, its columns never decoded:
# the decode floor is --base64-output=DECODE-ROWS --verbose (each row's values as text)
t=$EPOCHREALTIME
"${bl[@]}" "$first" >/dev/null || blog "floors: mariadb-binlog failed"
bench_put floor binlog_base64 "$(rate "$N" "$t" "$EPOCHREALTIME")" rows/s "mariadb-binlog to /dev/null, rows as base64 (not decoded)"
t=$EPOCHREALTIME
"${bl[@]}" --base64-output=DECODE-ROWS --verbose "$first" >/dev/null || blog "floors: mariadb-binlog -v failed"
bench_put floor binlog_decode "$(rate "$N" "$t" "$EPOCHREALTIME")" rows/s "mariadb-binlog --base64-output=DECODE-ROWS --verbose to /dev/null"
rm -f "$R"/mysql-bin.*
t=$EPOCHREALTIME; decode_start; n=0
while [ "$n" -lt "$N" ] && kill -0 "$DPID" 2>/dev/null && [ "$(awk -v a="$t" -v b="$EPOCHREALTIME" 'BEGIN{print int(b-a)}')" -lt 300 ]; do
  sleep 0.05; n=$(decode_count)
done
t2=$EPOCHREALTIME
stop_pid "$DPID" 30
if [ "$n" -ge "$N" ]; then
  bench_put floor dromd_decode_devnull "$(rate "$N" "$t" "$t2")" rows/s "dromd mysql-binlog -> file:/dev/null, from exec"
else
  bench_put floor dromd_decode_devnull "" rows/s "only $n of $N rows within 300 s (see $R/dromd.log)"
fi

blog "floors: Kafka"
for size in 100 3000; do
  "$SVC/kafka/ctl" topics --delete --if-exists --topic bench-floor >/dev/null 2>&1 || true
  r=$("${ON_PEER_CPU[@]}" "$BENCH_TOOLS/kafka_floor" "127.0.0.1:$KAFKA_PORT" bench-floor "$N" "$size" | awk '/^rate/{print $2}')
  bench_put floor kafka_produce_${size}B "$r" msg/s "librdkafka $(pkg-config --modversion rdkafka), acks=all, linger.ms=5"
done
"$SVC/kafka/ctl" topics --delete --if-exists --topic bench-floor >/dev/null 2>&1 || true

blog "floors: Artemis"
for pending in 100 1; do
  "$SVC/artemis/ctl" cli perf client --protocol AMQP --persistent --message-size 100 \
    --max-pending "$pending" --warmup 5 --duration 10 --silent --json "$R/artemis-$pending.json" \
    queue://bench.floor >"$R/artemis-$pending.out" 2>&1 || blog "floors: artemis perf client failed (see $R)"
  # completed sends per second over the measured (non-warm-up) intervals
  r=$(python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
iv=[x for x in d if x.get("sampleType")=="interval"]
i=next(k for k,x in enumerate(iv) if not x["warmup"])
t0=iv[i-1]["time"] if i>0 else iv[i]["time"]-1000
print("%.0f"%(sum(x["completed"] for x in iv[i:])/((iv[-1]["time"]-t0)/1000)))' "$R/artemis-$pending.json" 2>/dev/null)
  bench_put floor artemis_durable_pending$pending "${r:-}" msg/s "artemis perf client, AMQP, persistent, 100 B, $pending in flight"
done
"$SVC/artemis/ctl" cli queue delete --name bench.floor >/dev/null 2>&1 || true
