# Peer: dromd (this project). Sourced by tests/bench/workloads/cdc.sh after tests/bench/lib.sh.
# Profiles:
#   default  the Camel-syntax route, end to end (binlog -> Kafka -> Artemis)
#   leg1     the seed route's first route only (routes/cdc-pipeline.xml: mysql-binlog -> Kafka,
#            Debezium envelopes with schemas, as Debezium Server writes them), so its CPU per
#            event compares with Debezium Server's like for like
#   leg1-tuned  the same route with the Kafka producer tuned as the Debezium Server and Kafka
#            Connect peers' tuned profiles (producer linger.ms=1: camel.component.kafka.lingerMs=1)
PEER_E2E=1
case "${PROFILE:-}" in leg1*) PEER_E2E=0 ;; esac
PEER_PROFILES="${BENCH_DROMEDARY_PROFILES:-default leg1 leg1-tuned}"
PEER_HTTP=127.0.0.1:28089
# BENCH_DROMD: another dromd binary (say, one built from an earlier commit), with
# BENCH_DROMD_LABEL naming it in the results
DROMD="${BENCH_DROMD:-$BENCH_ROOT/build/dromd}"

peer_setup() {
  [ -n "${BENCH_DROMD:-}" ] || make -C "$BENCH_ROOT" -s all || return 1
  peer_version="dromd $("$DROMD" --version 2>&1 | head -1 | awk '{print $NF}') (${BENCH_DROMD_LABEL:-$(git -C "$BENCH_ROOT" rev-parse --short HEAD)})"
}

peer_reset() { rm -rf "$BENCH_RUN/dromd"; mkdir -p "$BENCH_RUN/dromd"; }

# peer_start PROFILE: the route file is the shared bench copy of routes/camel-debezium.xml
# (see route_copy in lib.sh); its placeholders come from the environment.
leg1_route() {
  python3 - "$BENCH_ROOT/routes/cdc-pipeline.xml" "$SRC_DBS" "$SRC_TABLES" >"$BENCH_RUN/route-leg1.xml" <<'PY'
import os, re, sys
s = open(sys.argv[1]).read()
r = re.findall(r"<route .*?</route>", s, re.S)[0]
dbs, tables = sys.argv[2], sys.argv[3]
if tables != "cdcdb.customers":
    # a workload's tables: one topic a table, as Debezium names them
    r = r.replace("databaseIncludeList=cdcdb&amp;tableIncludeList=cdcdb.customers",
                  "databaseIncludeList=%s&amp;tableIncludeList=%s" % (dbs, tables))
    r = r.replace('<to uri="kafka:my-mysql.cdcdb.customers"/>',
                  '<toD uri="kafka:${header.CamelDebeziumIdentifier}"/>')
if os.environ.get("BENCH_MAX_QUEUE"):
    # the in-flight window of the window* shapes
    r = r.replace("mysql-binlog:cdc?", "mysql-binlog:cdc?maxQueueSize=%s&amp;" % os.environ["BENCH_MAX_QUEUE"], 1)
print('<routes xmlns="http://camel.apache.org/schema/xml-io">\n  %s\n</routes>' % r)
PY
}

# peer_prepare PROFILE: the leg-1 route file, written when what it depends on changed; called
# before the clock starts (workloads/cdc.sh), so a measured start does not include the python that
# writes it (50-100 ms of the leg-1 first-event figures before 2026-12-06 afternoon)
LEG1_KEY=
peer_prepare() {
  case "$1" in leg1*) ;; *) return 0 ;; esac
  local tuned="$BENCH_RUN/cdc-pipeline-tuned.properties"
  [ "$1" = leg1-tuned ] && [ ! "$tuned" -nt "$BENCH_ROOT/routes/cdc-pipeline.properties" ] &&
    { cat "$BENCH_ROOT/routes/cdc-pipeline.properties"; echo "camel.component.kafka.lingerMs=1"; } >"$tuned"
  local key="$SRC_DBS|$SRC_TABLES|${BENCH_MAX_QUEUE:-}"
  [ "$key" = "$LEG1_KEY" ] && [ -s "$BENCH_RUN/route-leg1.xml" ] && return 0
  leg1_route && LEG1_KEY=$key
}

peer_start() {
  local route="$BENCH_RUN/route.xml" props="$BENCH_ROOT/routes/camel-debezium.properties"
  case "$1" in leg1*)
    peer_prepare "$1"; route="$BENCH_RUN/route-leg1.xml" props="$BENCH_ROOT/routes/cdc-pipeline.properties"
    [ "$1" = leg1-tuned ] && props="$BENCH_RUN/cdc-pipeline-tuned.properties" ;;
  esac
  DB_HOST=127.0.0.1 DB_PORT="$MARIADB_PORT" DB_USER="$DB_USER" DB_PASSWORD="$DB_PASSWORD" \
  KAFKA_BROKERS="127.0.0.1:$KAFKA_PORT" AMQ_URI="amqp://127.0.0.1:$ARTEMIS_PORT" AMQ_PORT="$ARTEMIS_PORT" \
    "$DROMD" --properties "$props" \
      --http "$PEER_HTTP" --state-dir "$BENCH_RUN/dromd" \
      "$route" >>"$BENCH_RUN/dromd/dromd.log" 2>&1 &
  PEER_PID=$!
}

peer_stop() { stop_pid "$PEER_PID" 30; PEER_PID=; }
