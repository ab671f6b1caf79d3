# Peer: dromd (this project) on the Camel-syntax route, end to end (binlog -> Kafka -> Artemis).
# Sourced by tests/bench/workloads/cdc.sh after tests/bench/lib.sh.
PEER_E2E=1
PEER_PROFILES="${BENCH_DROMEDARY_PROFILES:-default}"
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
peer_start() {
  DB_HOST=127.0.0.1 DB_PORT="$MARIADB_PORT" DB_USER="$DB_USER" DB_PASSWORD="$DB_PASSWORD" \
  KAFKA_BROKERS="127.0.0.1:$KAFKA_PORT" AMQ_URI="amqp://127.0.0.1:$ARTEMIS_PORT" AMQ_PORT="$ARTEMIS_PORT" \
    "$DROMD" --properties "$BENCH_ROOT/routes/camel-debezium.properties" \
      --http "$PEER_HTTP" --state-dir "$BENCH_RUN/dromd" \
      "$BENCH_RUN/route.xml" >>"$BENCH_RUN/dromd/dromd.log" 2>&1 &
  PEER_PID=$!
}

peer_stop() { stop_pid "$PEER_PID" 30; PEER_PID=; }
