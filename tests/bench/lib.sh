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
export KAFKA_SASL_PORT="${BENCH_KAFKA_SASL_PORT:-29094}"
export ARTEMIS_PORT="${BENCH_ARTEMIS_PORT:-61816}" ARTEMIS_HTTP_PORT="${BENCH_ARTEMIS_HTTP_PORT:-28161}"
# the test profile runs its broker on C1 only (quick restarts); a benchmark wants the full JIT
export KAFKA_JVM_OPTS="${BENCH_KAFKA_JVM_OPTS:--Xmx512m -Xms512m}"
SVC="$BENCH_ROOT/tests/services"
BENCH_OUT="${BENCH_OUT:-$BENCH_ROOT/build/bench}"
BENCH_RUN="$DROM_STATE/run"
TEMURIN="${BENCH_JAVA_HOME:-$(ls -d /usr/lib/jvm/temurin-2[1-9]* 2>/dev/null | sort -V | tail -1)}"
mkdir -p "$BENCH_OUT" "$BENCH_RUN"

DB_USER=debezium DB_PASSWORD=debezium
BENCH_DB=cdcdb BENCH_TABLE=customers
TOPIC=my-mysql.cdcdb.customers QUEUE=queue.customers GROUP=amq-sink

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
  "$SVC/artemis/ctl" status >/dev/null 2>&1 || { "$SVC/artemis/ctl" start >/dev/null; "$SVC/artemis/ctl" stop >/dev/null; artemis_full_jit; }
  "$SVC/artemis/ctl" start
}
servers_stop() { for s in artemis kafka mariadb; do "$SVC/$s/ctl" stop || true; done; }

# Queue depth of the bench queue (message count), through the Artemis CLI.
queue_count() {
  "$SVC/artemis/ctl" cli queue stat --queueName "${1:-$QUEUE}" --json 2>/dev/null |
    python3 -c 'import json,sys
d=json.load(sys.stdin); q=sys.argv[1]
print(next((int(x["messageCount"]) for x in d.get("data",[]) if x.get("name")==q),0))' "${1:-$QUEUE}" 2>/dev/null || echo 0
}
