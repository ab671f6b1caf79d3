# Sourced by tests/bench/run.sh and the workload scripts: the bench servers' profile, timing
# and /proc sampling helpers, result records.
#
# The bench servers are the "test" profile's scripts pointed at ports and a state folder of
# their own, so a benchmark never disturbs the servers that `make test` or `make demo` use.
BENCH_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export DROM_PROFILE=test
export DROM_STATE="${BENCH_STATE:-$BENCH_ROOT/.state/bench}"
export MARIADB_PORT="${BENCH_MARIADB_PORT:-23306}"
export KAFKA_PORT="${BENCH_KAFKA_PORT:-29092}" KAFKA_CONTROLLER_PORT="${BENCH_KAFKA_CONTROLLER_PORT:-29093}"
export KAFKA_SASL_PORT="${BENCH_KAFKA_SASL_PORT:-29094}" KAFKA_SSL_PORT="${BENCH_KAFKA_SSL_PORT:-29095}"
export KAFKA_MTLS_PORT="${BENCH_KAFKA_MTLS_PORT:-29096}" KAFKA_EXPIRED_PORT="${BENCH_KAFKA_EXPIRED_PORT:-29097}"
export ARTEMIS_PORT="${BENCH_ARTEMIS_PORT:-61816}" ARTEMIS_HTTP_PORT="${BENCH_ARTEMIS_HTTP_PORT:-28161}"
export ARTEMIS_TLS_PORT="${BENCH_ARTEMIS_TLS_PORT:-61817}" MARIADB_PLAIN_PORT="${BENCH_MARIADB_PLAIN_PORT:-23307}"
# the test profile runs its broker on C1 only (quick restarts); a benchmark wants the full JIT
export KAFKA_JVM_OPTS="${BENCH_KAFKA_JVM_OPTS:--Xmx512m -Xms512m}"
SVC="$BENCH_ROOT/tests/services"
BENCH_OUT="${BENCH_OUT:-$BENCH_ROOT/build/bench}"
# the probes, built once per bench (each run writes its figures under BENCH_OUT/runs/N)
BENCH_TOOLS="${BENCH_TOOLS:-$BENCH_OUT}"
BENCH_RUN="$DROM_STATE/run"
TEMURIN="${BENCH_JAVA_HOME:-$(ls -d /usr/lib/jvm/temurin-2[1-9]* 2>/dev/null | sort -V | tail -1)}"
mkdir -p "$BENCH_OUT" "$BENCH_RUN"

DB_USER=debezium DB_PASSWORD=debezium
BENCH_DB=cdcdb BENCH_TABLE=customers
TOPIC=my-mysql.cdcdb.customers QUEUE=queue.customers GROUP=amq-sink
# what the leg-1 peers capture: the seed's table, or a workload's own (workloads/shapes.sh); a
# table list other than the seed's goes to one topic a table, PREFIX.DB.TABLE, on every peer
SRC_DBS="${SRC_DBS:-cdcdb}" SRC_TABLES="${SRC_TABLES:-cdcdb.customers}"

blog() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
now_ns() { date +%s%N; }
sql() { "$SVC/mariadb/ctl" sql "$@"; }

# Records one figure: bench_put PART METRIC VALUE UNIT [NOTE]. run.sh turns these into the
# table and results.json.
bench_put() {
  printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "${5:-}" >>"$BENCH_OUT/results.tsv"
  blog "$1 $2 = $3 $4 ${5:+($5)}"
}

# /proc sampling of one process tree's CPU (utime+stime of the process, children counted when
# reaped) and memory.
clk_tck() { getconf CLK_TCK; }
cpu_ticks() { awk '{print $14+$15+$16+$17}' "/proc/$1/stat" 2>/dev/null || echo 0; }
cpu_seconds() { awk -v t="$(cpu_ticks "$1")" -v h="$(clk_tck)" 'BEGIN{printf "%.3f", t/h}'; }
rss_kb() { awk '/^VmRSS:/{print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
hwm_kb() { awk '/^VmHWM:/{print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# The bench's Artemis instance runs with the full JIT too (the ctl gives test instances C1 only).
artemis_full_jit() {
  local prof="$DROM_STATE/artemis/etc/artemis.profile"
  [ -f "$prof" ] && sed -i 's| -XX:TieredStopAtLevel=1||' "$prof"
  return 0
}

servers_start() {
  "$SVC/mariadb/ctl" start
  "$SVC/kafka/ctl" start
  if ! "$SVC/artemis/ctl" status >/dev/null 2>&1; then
    # the instance (and its profile) exists only after a first start
    [ -f "$DROM_STATE/artemis/etc/artemis.profile" ] || { "$SVC/artemis/ctl" start >/dev/null; "$SVC/artemis/ctl" stop >/dev/null; }
    artemis_full_jit
  fi
  "$SVC/artemis/ctl" start
  pin_servers
}
# The JVM brokers run interpreted and C1-compiled code for their first minute or so: a peer
# measured right after the servers start would pay for their warm-up in its latency tail, and
# whichever peer runs first would pay more. A minute of Kafka produce/fetch and Artemis AMQP
# send/receive traffic before any part runs (BENCH_WARMUP=0 skips it).
servers_warm() {
  [ "${BENCH_WARMUP:-1}" = 1 ] || return 0
  blog "warming the brokers' JIT (Kafka produce and fetch, Artemis AMQP send and receive)"
  "$BENCH_TOOLS/kafka_arrivals" "127.0.0.1:$KAFKA_PORT" bench-warm >/dev/null 2>&1 &
  local kp=$!
  for size in 100 1000 100 1000; do
    "$BENCH_TOOLS/kafka_floor" "127.0.0.1:$KAFKA_PORT" bench-warm 100000 "$size" >/dev/null 2>&1 || true
  done
  # idempotent producers (dromd's and the JVM peers' default) take their ids from a block the
  # broker fetches on the first request: fetched here, not in the first peer's cold start
  KAFKA_FLOOR_IDEMPOTENT=1 "$BENCH_TOOLS/kafka_floor" "127.0.0.1:$KAFKA_PORT" bench-warm 1000 100 >/dev/null 2>&1 || true
  "$SVC/artemis/ctl" cli perf client --protocol AMQP --persistent --message-size 100 --max-pending 100 \
    --warmup 5 --duration 25 --silent queue://bench.warm >/dev/null 2>&1 || true
  stop_pid "$kp" 5
  "$SVC/kafka/ctl" topics --delete --if-exists --topic bench-warm >/dev/null 2>&1 || true
  "$SVC/artemis/ctl" cli queue delete --name bench.warm >/dev/null 2>&1 || true
}
servers_stop() { for s in artemis kafka mariadb; do "$SVC/$s/ctl" stop || true; done; }

# Queue depth of the bench queue (message count), through the Artemis CLI.
queue_count() {
  "$SVC/artemis/ctl" cli queue stat --queueName "${1:-$QUEUE}" --json 2>/dev/null |
    python3 -c 'import json,sys
d=json.load(sys.stdin); q=sys.argv[1]
print(next((int(x["messageCount"]) for x in d.get("data",[]) if x.get("name")==q),0))' "${1:-$QUEUE}" 2>/dev/null || echo 0
}

# stop_pid PID SECONDS: SIGTERM, then SIGKILL after SECONDS. Only the pid we started.
stop_pid() {
  local pid=$1 deadline=$((SECONDS + $2))
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  while kill -0 "$pid" 2>/dev/null; do
    if [ $SECONDS -ge $deadline ]; then blog "pid $pid still running ${2}s after SIGTERM: SIGKILL"; kill -KILL "$pid" 2>/dev/null; fi
    sleep 0.2
  done
  wait "$pid" 2>/dev/null || true
}

# sampler PID FILE: every 250 ms "EPOCH_S RSS_KB CPU_TICKS" of PID (utime+stime, all threads)
# until PID exits. Pure bash reads, so the sampler itself costs next to nothing.
sampler() {
  local pid=$1 out=$2 f line rss
  while [ -r "/proc/$pid/stat" ]; do
    read -r line <"/proc/$pid/stat" 2>/dev/null || break
    line=${line##*) }
    read -r -a f <<<"$line"
    rss=0
    while read -r k v _; do [ "$k" = VmRSS: ] && { rss=$v; break; }; done <"/proc/$pid/status" 2>/dev/null
    echo "$EPOCHREALTIME $rss $((f[11] + f[12]))" >>"$out"
    sleep 0.25
  done
}

# The route every end-to-end peer runs: routes/camel-debezium.xml with two changes.
#  1. The offset and schema history files move from /tmp into the bench run folder.
#  2. Each endpoint URI is joined onto one line. Camel keeps the line break and indentation
#     inside a multi-line uri attribute (XML turns them into spaces), so the route as written
#     fails on Camel 4.17 ("The 'topic.prefix' value is invalid: my-mysql          has invalid
#     format", and likewise for schemaHistoryInternal); dromd reads either form.
#  3. <convertBodyTo type="java.util.Map"/> before <marshal><json/>: Camel's Debezium body is a
#     Kafka Connect Struct, which Jackson refuses ("No serializer found for class
#     org.apache.kafka.connect.data.Struct"); camel-debezium's type converter makes it a Map.
route_copy() {
  python3 - "$BENCH_ROOT/routes/camel-debezium.xml" "$BENCH_RUN" >"$BENCH_RUN/route.xml" <<'PY'
import re, sys
s = open(sys.argv[1]).read()
s = s.replace("/tmp/dromedary-camel-offsets.dat", sys.argv[2] + "/state/offsets.dat")
s = s.replace("/tmp/dromedary-camel-schema-history.dat", sys.argv[2] + "/state/schema-history.dat")
s = s.replace("<marshal><json/></marshal>", '<convertBodyTo type="java.util.Map"/>\n      <marshal><json/></marshal>', 1)
s = re.sub(r'uri="[^"]*"', lambda m: re.sub(r"\s*\n\s*", "", m.group(0)), s)
sys.stdout.write(s)
PY
}

# Fresh source database, topic, consumer group and queue.
# A new binlog file rather than `mariadb/ctl reset-seed`'s RESET MASTER: the peers' offsets are
# new each run anyway, and the binlog keeps growing forward like a real server's.
reset_all() {
  sql -e "DROP DATABASE IF EXISTS cdcdb; CREATE DATABASE cdcdb; FLUSH BINARY LOGS;
    CREATE TABLE cdcdb.customers (id INTEGER NOT NULL AUTO_INCREMENT PRIMARY KEY,
      first_name VARCHAR(255) NOT NULL, last_name VARCHAR(255) NOT NULL,
      email VARCHAR(255) NOT NULL UNIQUE)" >/dev/null
  "$SVC/kafka/ctl" topics --delete --if-exists --topic "$TOPIC" >/dev/null 2>&1 || true
  "$SVC/kafka/ctl" groups --delete --group "$GROUP" >/dev/null 2>&1 || true
  "$SVC/artemis/ctl" purge "$QUEUE" >/dev/null 2>&1 || true
  # the topic exists before any peer starts, so no consumer waits for its creation
  "$SVC/kafka/ctl" topics --create --if-not-exists --topic "$TOPIC" --partitions 1 --replication-factor 1 >/dev/null 2>&1 || true
  rm -rf "$BENCH_RUN/state"; mkdir -p "$BENCH_RUN/state"
}

# backlog_sql N TAG [TXN]: N INSERTs of bench rows for the seed table, tagged TAG (emails TAG-i@bench), in
# transactions of TXN rows (100); TXN 1 writes each row in its own autocommit statement
backlog_sql() {
  awk -v n="$1" -v tag="$2" -v tx="${3:-100}" 'BEGIN {
    for (i = 0; i < n; i++) {
      if (tx > 1 && i % tx == 0) print "BEGIN;";
      printf "INSERT INTO customers (first_name, last_name, email) VALUES (\x27bk\x27, \x27%d\x27, \x27%s-%d@bench\x27);\n", i, tag, i;
      if (tx > 1 && i % tx == tx - 1) print "COMMIT;";
    }
    if (tx > 1) print "COMMIT;" }'
}

# Probes: arrival lines "NS ID" in $BENCH_RUN/q.arr (queue) and $BENCH_RUN/k.arr (topic).
probes_start() {
  : >"$BENCH_RUN/q.arr"; : >"$BENCH_RUN/k.arr"
  # the Kafka probe reads from the topic's end as it is now (a drain's topic holds the earlier
  # phases' records), and the peer starts only once the probe has taken those positions
  local ready="$BENCH_RUN/k.ready" i
  rm -f "$ready"
  "${ON_SERVER_CPU[@]}" "$BENCH_TOOLS/kafka_arrivals" "127.0.0.1:$KAFKA_PORT" "$TOPIC" "$ready" >"$BENCH_RUN/k.arr" 2>>"$BENCH_RUN/probe.log" &
  KPROBE=$!
  for i in $(seq 100); do [ -e "$ready" ] && break; sleep 0.1; done
  [ -e "$ready" ] || blog "the Kafka probe did not say where it reads from within 10 s"
  if [ "${1:-1}" = 1 ]; then
    "${ON_SERVER_CPU[@]}" "$BENCH_TOOLS/amqp_arrivals" "127.0.0.1:$ARTEMIS_PORT" "$QUEUE" admin admin >"$BENCH_RUN/q.arr" 2>>"$BENCH_RUN/probe.log" &
    QPROBE=$!
  else
    QPROBE=
  fi
}
probes_stop() { stop_pid "$KPROBE" 5; stop_pid "$QPROBE" 5; KPROBE=; QPROBE=; }

# wait_lines FILE N SECONDS [PID]: true once FILE has N lines; false after SECONDS or when PID dies.
wait_lines() {
  local f=$1 n=$2 deadline=$((SECONDS + $3)) pid=${4:-}
  while [ $SECONDS -lt $deadline ]; do
    [ "$(wc -l <"$f")" -ge "$n" ] && return 0
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then blog "pid $pid exited"; return 1; fi
    sleep 0.2
  done
  return 1
}

# Pinning (BENCH_PIN=1, the default on two or more cores): the three servers and the probes on
# one core, the measured peer on another, the same split for every peer, so a peer's figures do
# not include its competition with the brokers for the same core.
BENCH_PIN="${BENCH_PIN:-$([ "$(nproc)" -ge 2 ] && echo 1 || echo 0)}"
BENCH_PEER_CPU="${BENCH_PEER_CPU:-0}" BENCH_SERVER_CPU="${BENCH_SERVER_CPU:-1}"
# pin CPU PID...: every thread of each PID (threads started later inherit it)
pin() {
  local cpu=$1; shift
  [ "$BENCH_PIN" = 1 ] || return 0
  local p
  for p in "$@"; do taskset -a -p -c "$cpu" "$p" >/dev/null 2>&1 || blog "could not pin pid $p to cpu $cpu"; done
}
# The bench servers' pids: processes whose command line names the bench state folder.
server_pids() {
  local p
  for p in /proc/[0-9]*; do
    tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -q -- "$DROM_STATE" && echo "${p#/proc/}"
  done
}
pin_servers() { pin "$BENCH_SERVER_CPU" $(server_pids); }
# "${ON_SERVER_CPU[@]}" CMD...: a probe or load generator, run beside the servers (taskset
# execs CMD, so $! of a background one is CMD's own pid)
# "${ON_PEER_CPU[@]}" CMD...: a floor's client, which stands where a peer would
ON_SERVER_CPU=() ON_PEER_CPU=()
[ "$BENCH_PIN" = 1 ] && ON_SERVER_CPU=(taskset -c "$BENCH_SERVER_CPU") ON_PEER_CPU=(taskset -c "$BENCH_PEER_CPU")

# Accounting of a part (workloads/cpuacct.py): acct_snap NAME before, acct_diff A B after.
BENCH_SID="$(ps -o sid= -p $$ | tr -d ' ')"
acct_snap() { python3 "$BENCH_ROOT/tests/bench/workloads/cpuacct.py" snap "$DROM_STATE" "$BENCH_SID" "$BENCH_RUN/acct.$1"; }
acct_diff() { python3 "$BENCH_ROOT/tests/bench/workloads/cpuacct.py" diff "$BENCH_RUN/acct.$1" "$BENCH_RUN/acct.$2"; }
loadavg() { cut -d' ' -f1 /proc/loadavg; }

build_tools() {
  local cc=(gcc -O2 -Wall -Wextra) w="$BENCH_ROOT/tests/bench/workloads"
  "${cc[@]}" -o "$BENCH_TOOLS/amqp_arrivals" "$w/amqp_arrivals.c" $(pkg-config --cflags --libs libqpid-proton)
  "${cc[@]}" -o "$BENCH_TOOLS/kafka_arrivals" "$w/kafka_arrivals.c" $(pkg-config --cflags --libs rdkafka)
  "${cc[@]}" -o "$BENCH_TOOLS/rate_insert" "$w/rate_insert.c" $(pkg-config --cflags --libs libmariadb)
  "${cc[@]}" -o "$BENCH_TOOLS/kafka_floor" "$w/kafka_floor.c" $(pkg-config --cflags --libs rdkafka)
}
