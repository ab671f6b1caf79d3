#!/usr/bin/env bash
# make bench: dromedary against its floors and its JVM peers, one at a time, on one MariaDB,
# one Kafka and one Artemis of the bench's own (ports 23306, 29092-29094, 61816/28161, state
# in .state/bench: never the servers of make test or make demo). Prints a table with ratios and
# writes build/bench/results.json (and results.md, results.tsv).
#
#   BENCH_ONLY=floors,dromedary,camel,debezium,connect,shapes   parts to run (all by default)
#   BENCH_SHAPES="mixed bigtx ..."  the shapes of workloads/shapes.sh (all by default), each run by
#                                 the leg-1 peers BENCH_SHAPE_PEERS ("dromedary:leg1 debezium:tuned
#                                 connect:tuned")
#   BENCH_BOX=180                 seconds a peer gets for each wait (backlog, snapshot)
#   BENCH_BACKLOG=100000 BENCH_SNAPSHOT=200000 BENCH_RATES="200 2000" BENCH_RATE_SECONDS=20
#   BENCH_CAMEL_PROFILES, BENCH_DEBEZIUM_PROFILES  "default tuned" by default
#   BENCH_KEEP_SERVERS=1          leave the bench servers running afterwards
#   BENCH_REPORT_ONLY=1           only print the table of the last results.tsv
#   BENCH_RUNS=3                  runs of every part; each figure is their median, with the spread
#   BENCH_RUN_FROM=1              the first run to measure (the runs before it keep their figures)
#   BENCH_RETRIES=2               re-runs of a part refused because the machine was busy
#   BENCH_FOREIGN_MAX=0.10        cores other processes may use during a part before it is refused
#   BENCH_PIN=1 BENCH_PEER_CPU=0 BENCH_SERVER_CPU=1   the peer on one core, servers and probes on
#                                 the other (BENCH_PIN=0: no pinning)
set -uo pipefail
# its own session, so workloads/cpuacct.py can tell the bench's processes from anyone else's
if [ "$(ps -o sid= -p $$ | tr -d ' ')" != "$$" ] && [ -z "${BENCH_SETSID:-}" ]; then
  BENCH_SETSID=1 exec setsid -w bash "$0" "$@"
fi
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"
ONLY=",${BENCH_ONLY:-floors,dromedary,camel,debezium,connect,shapes},"

report() { python3 "$here/workloads/report.py" "$BENCH_OUT"; }
if [ "${BENCH_REPORT_ONLY:-0}" = 1 ]; then report; exit; fi

machine() {
  echo "nproc	$(nproc)"
  echo "cpu	$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
  echo "memory	$(free -h | awk '/^Mem:/{print $2}')"
  echo "kernel	$(uname -r)"
  echo "loadavg_at_start	$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "mariadb	$(mariadbd --version 2>/dev/null | awk '{print $3}')"
  echo "kafka	$(ls "$DROM_STATE/kafka/libs" 2>/dev/null | sed -n 's/^kafka_2.13-\(.*\)\.jar$/\1/p')"
  echo "artemis	$(sed -n 's:.*<artemis.version>\(.*\)</artemis.version>.*:\1:p' "$SVC/artemis/pom.xml")"
  echo "librdkafka	$(pkg-config --modversion rdkafka)"
  echo "qpid-proton	$(pkg-config --modversion libqpid-proton)"
  echo "jdk_default	$(java -version 2>&1 | head -1)"
  echo "jdk_temurin	$("$TEMURIN/bin/java" -version 2>&1 | head -1)"
  local xml="$DROM_STATE/artemis/etc/broker.xml" bt
  bt=$(grep -o '<journal-buffer-timeout>[0-9]*' "$xml" | cut -d'>' -f2)
  echo "artemis_journal	$(grep -o '<journal-type>[A-Z]*' "$xml" | cut -d'>' -f2), datasync $(grep -o '<journal-datasync>[a-z]*' "$xml" | cut -d'>' -f2), buffer timeout ${bt:-default} (created --nio --no-autotune)"
  echo "mariadb_durability	sync_binlog=0, innodb_flush_log_at_trx_commit=2 (tests/services/mariadb/ctl)"
}

stop_servers() { [ "${BENCH_KEEP_SERVERS:-0}" = 1 ] || servers_stop >/dev/null 2>&1; }
trap stop_servers EXIT

RUNS=${BENCH_RUNS:-3} RETRIES=${BENCH_RETRIES:-2}
mkdir -p "$BENCH_OUT"
for run in $(seq 1 "$RUNS"); do
  mkdir -p "$BENCH_OUT/runs/$run"
  # all parts: a fresh table; some parts (BENCH_ONLY): their rows are replaced, the others kept
  [ -z "${BENCH_ONLY:-}" ] && : >"$BENCH_OUT/runs/$run/results.tsv"
  touch "$BENCH_OUT/runs/$run/results.tsv"
done
# part SCRIPT ARGS...: one part of one run, run again while the machine was busy (exit 3)
part() {
  local try rc
  for try in $(seq 0 "$RETRIES"); do
    bash "$@"; rc=$?
    [ $rc = 3 ] || return $rc
    blog "$*: busy machine, run $((try + 1)) of $((RETRIES + 1)) refused; waiting 30 s"
    sleep 30
  done
  return 3
}
blog "servers (state $DROM_STATE)"
servers_start >&2 || { blog "could not start the bench servers"; exit 1; }
build_tools || { blog "could not build the probes"; exit 1; }
servers_warm
machine >"$BENCH_OUT/machine.tsv"

export BENCH_TOOLS="$BENCH_OUT"
# the runs interleave the peers, so a drift of the machine over the bench touches each alike
for run in $(seq "${BENCH_RUN_FROM:-1}" "$RUNS"); do
  blog "run $run of $RUNS"
  export BENCH_OUT_RUN="$BENCH_OUT/runs/$run"
  [[ $ONLY == *,floors,* ]] && BENCH_OUT="$BENCH_OUT_RUN" part "$here/workloads/floors.sh"
  for peer in dromedary camel debezium connect; do
    [[ $ONLY == *,$peer,* ]] || continue
    profiles=$(source "$here/peers/$peer/peer.sh"; echo "$PEER_PROFILES")
    for p in $profiles; do
      BENCH_OUT="$BENCH_OUT_RUN" part "$here/workloads/cdc.sh" "$peer" "$p" ||
        blog "$peer $p: incomplete in run $run (see $BENCH_RUN)"
    done
  done
  if [[ $ONLY == *,shapes,* ]]; then
    for pp in ${BENCH_SHAPE_PEERS:-dromedary:leg1 debezium:tuned connect:tuned}; do
      BENCH_OUT="$BENCH_OUT_RUN" part "$here/workloads/shapes.sh" "${pp%%:*}" "${pp#*:}" ${BENCH_SHAPES:-} ||
        blog "shapes $pp: incomplete in run $run (see $BENCH_RUN)"
    done
  fi
done
echo "loadavg_at_end	$(cut -d' ' -f1-3 /proc/loadavg)" >>"$BENCH_OUT/machine.tsv"
python3 "$here/workloads/aggregate.py" "$BENCH_OUT" "$RUNS"
report
