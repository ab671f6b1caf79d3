# Peer: Kafka Connect, the seed's own runtime: a distributed-mode worker of the Kafka release the
# tests run (connect-runtime, JSON converter with schemas) with Debezium 3.6.1's MariaDB connector
# as a plugin, MariaDB -> Kafka only (leg 1; the Camel Kafka Connector SJMS2 sink of leg 2 is not
# served by the registry, see docs/benchmarks.md). The connector is the seed's
# (../shared/seed/connectors/mysql-source.yaml) in Debezium 3's names, on the bench's servers.
# Java 21+ (Temurin under /usr/lib/jvm), as Debezium 3.6 needs. Profiles:
#   default  Connect's and Debezium's defaults (offset.flush.interval.ms 60000, producer
#            linger.ms 5, max.batch.size 2048, max.queue.size 8192, poll.interval.ms 500)
#   tuned    as the Debezium Server peer's tuned profile: poll.interval.ms=10,
#            max.batch.size=4096, max.queue.size=16384, producer linger.ms=1,
#            offset.flush.interval.ms=1000, JVM -Xms256m -Xmx512m
# Sourced by tests/bench/workloads/cdc.sh after tests/bench/lib.sh.
PEER_E2E=0
PEER_PROFILES="${BENCH_CONNECT_PROFILES:-default tuned}"
CONNECT_POM="$BENCH_ROOT/tests/bench/peers/connect/pom.xml"
CONNECT_HOME="$DROM_STATE/kafka-connect"
CONNECT_REST=127.0.0.1:${BENCH_CONNECT_HTTP_PORT:-28083}
DBZ_VERSION="$(sed -n 's:.*<debezium.version>\(.*\)</debezium.version>.*:\1:p' "$CONNECT_POM")"

peer_setup() {
  [ -n "$TEMURIN" ] && [ -x "$TEMURIN/bin/java" ] || { blog "connect: no Java 21+ under /usr/lib/jvm"; return 1; }
  local plugin="$CONNECT_HOME/plugins/debezium-mariadb" mdb="debezium-connector-mariadb-$DBZ_VERSION.jar"
  # fetched again when the pom changes
  local sum
  sum=$(md5sum <"$CONNECT_POM")
  if [ "$(cat "$CONNECT_HOME/libs/.pom" 2>/dev/null)" != "$sum" ]; then
    blog "connect: fetching the Kafka Connect worker with mvn"
    rm -rf "$CONNECT_HOME/libs" "$plugin"
    mvn -B -q -Dstyle.color=never -f "$CONNECT_POM" dependency:copy-dependencies -DincludeScope=runtime \
      -DoutputDirectory="$CONNECT_HOME/libs" >&2 || return 1
    echo "$sum" >"$CONNECT_HOME/libs/.pom"
  fi
  if [ ! -f "$plugin/$mdb" ]; then
    blog "connect: fetching Debezium $DBZ_VERSION's MySQL/binlog connector with mvn"
    rm -rf "$plugin"
    mvn -B -q -Dstyle.color=never -f "$CONNECT_POM" -P 'plugin,!worker' dependency:copy-dependencies -DincludeScope=runtime \
      -DexcludeGroupIds=org.apache.kafka -DoutputDirectory="$plugin" >&2 || return 1
    # the MariaDB connector jar, from the Debezium Server distribution the debezium peer unpacks
    local dist
    dist=$(ls "$DROM_STATE"/debezium-server-"$DBZ_VERSION"/lib/"$mdb" 2>/dev/null | head -1)
    if [ -z "$dist" ]; then
      (source "$BENCH_ROOT/tests/bench/peers/debezium/peer.sh" && peer_setup) || return 1
      dist="$DROM_STATE/debezium-server-$DBZ_VERSION/lib/$mdb"
    fi
    cp "$dist" "$plugin/" || return 1
  fi
  peer_version="Kafka Connect $(ls "$CONNECT_HOME/libs" | sed -n 's/^connect-runtime-\(.*\)\.jar$/\1/p') (distributed), Debezium MariaDB connector $DBZ_VERSION, $("$TEMURIN/bin/java" -version 2>&1 | head -1)"
}

# A fresh worker group: its config, offset and status topics and the schema history go, so the
# connector starts with no offsets (phases 1 and 3); phase 2 restarts the worker on them.
connect_topics() { echo connect-bench-configs connect-bench-offsets connect-bench-status dbhistory.cdcdb; }
peer_reset() {
  local t
  for t in $(connect_topics); do "$SVC/kafka/ctl" topics --delete --if-exists --topic "$t" >/dev/null 2>&1 || true; done
  "$SVC/kafka/ctl" groups --delete --group connect-bench >/dev/null 2>&1 || true
  rm -rf "$BENCH_RUN/connect"; mkdir -p "$BENCH_RUN/connect"
}

worker_properties() {
  cat <<PROPS
bootstrap.servers=127.0.0.1:$KAFKA_PORT
group.id=connect-bench
config.storage.topic=connect-bench-configs
offset.storage.topic=connect-bench-offsets
status.storage.topic=connect-bench-status
config.storage.replication.factor=1
offset.storage.replication.factor=1
status.storage.replication.factor=1
key.converter=org.apache.kafka.connect.json.JsonConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
key.converter.schemas.enable=true
value.converter.schemas.enable=true
plugin.path=$CONNECT_HOME/plugins
listeners=http://$CONNECT_REST
PROPS
  if [ "$1" = tuned ]; then
    echo "offset.flush.interval.ms=1000"
    echo "producer.linger.ms=1"
  fi
}

connector_config() {
  python3 - "$1" <<PY
import json, sys
c = {
  "connector.class": "io.debezium.connector.mariadb.MariaDbConnector",
  "tasks.max": "1",
  "database.hostname": "127.0.0.1", "database.port": "$MARIADB_PORT",
  "database.user": "$DB_USER", "database.password": "$DB_PASSWORD",
  "database.server.id": "224468", "topic.prefix": "my-mysql",
  "database.include.list": "$SRC_DBS", "table.include.list": "$SRC_TABLES",
  "schema.history.internal.kafka.bootstrap.servers": "127.0.0.1:$KAFKA_PORT",
  "schema.history.internal.kafka.topic": "dbhistory.cdcdb",
}
if sys.argv[1] == "tuned":
    c.update({"poll.interval.ms": "10", "max.batch.size": "4096", "max.queue.size": "16384"})
print(json.dumps(c))
PY
}

# peer_start PROFILE: the worker, then (once its REST API answers) the connector's config, PUT
# (idempotent: on a restart the worker already has it in its config topic).
peer_start() {
  # INFO to the console, as Kafka Connect's own connect-log4j2.yaml does
  local jvm=(-Dlog4j2.configurationFile="$BENCH_RUN/connect/log4j2.properties")
  printf '%s\n' 'rootLogger.level = INFO' 'rootLogger.appenderRef.stdout.ref = STDOUT' \
    'appender.stdout.type = Console' 'appender.stdout.name = STDOUT' 'appender.stdout.layout.type = PatternLayout' \
    'appender.stdout.layout.pattern = [%d] %p %m (%c)%n' >"$BENCH_RUN/connect/log4j2.properties"
  worker_properties "$1" >"$BENCH_RUN/connect/worker.properties"
  connector_config "$1" >"$BENCH_RUN/connect/connector.json"
  [ "$1" = tuned ] && jvm+=(-Xms256m -Xmx512m)
  "$TEMURIN/bin/java" "${jvm[@]}" -cp "$CONNECT_HOME/libs/*" org.apache.kafka.connect.cli.ConnectDistributed \
    "$BENCH_RUN/connect/worker.properties" >>"$BENCH_RUN/connect/console.log" 2>&1 &
  PEER_PID=$!
  (for _ in $(seq 1 600); do
     kill -0 "$PEER_PID" 2>/dev/null || exit 1
     curl -sf "http://$CONNECT_REST/connectors" >/dev/null 2>&1 && break
     sleep 0.1
   done
   curl -sf -X PUT -H 'Content-Type: application/json' --data @"$BENCH_RUN/connect/connector.json" \
     "http://$CONNECT_REST/connectors/mysql-source/config" >>"$BENCH_RUN/connect/rest.log" 2>&1 ||
     blog "connect: the connector's config was refused (see $BENCH_RUN/connect/)") &
}

peer_stop() { stop_pid "$PEER_PID" 60; PEER_PID=; }
