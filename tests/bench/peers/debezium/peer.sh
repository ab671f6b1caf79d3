# Peer: Debezium Server 3.6.1.Final (Quarkus), MariaDB -> Kafka only (Debezium Server has no
# AMQP 1.0/JMS sink), with Debezium's MariaDB connector and the Kafka sink; the events are
# Kafka Connect JSON with schemas, as dromd's mysql-binlog writes them. Needs Java 21+: the
# Temurin JDK under /usr/lib/jvm. Profiles:
#   default  Debezium's defaults (max.batch.size 2048, max.queue.size 8192, poll.interval.ms 500)
#            and the JVM's default heap sizing
#   tuned    poll.interval.ms=10, max.batch.size=4096, max.queue.size=16384, producer
#            linger.ms=1, JVM -Xms256m -Xmx512m
PEER_E2E=0
PEER_PROFILES="${BENCH_DEBEZIUM_PROFILES:-default tuned}"
DBZ_VERSION="$(sed -n 's:.*<debezium.version>\(.*\)</debezium.version>.*:\1:p' "$BENCH_ROOT/tests/bench/peers/debezium/pom.xml")"
DBZ_HOME="$DROM_STATE/debezium-server-$DBZ_VERSION"

peer_setup() {
  [ -n "$TEMURIN" ] && [ -x "$TEMURIN/bin/java" ] || { blog "debezium: no Java 21+ under /usr/lib/jvm"; return 1; }
  if [ ! -d "$DBZ_HOME/lib" ]; then
    local dl="$DROM_STATE/downloads" tgz="debezium-server-dist-$DBZ_VERSION.tar.gz" tmp="$DROM_STATE/.dbz-unpack.$$"
    mkdir -p "$dl"
    if [ ! -s "$dl/$tgz" ]; then
      blog "debezium: fetching io.debezium:debezium-server-dist:$DBZ_VERSION:tar.gz with mvn"
      mvn -B -q -f "$BENCH_ROOT/tests/bench/peers/debezium/pom.xml" dependency:copy@fetch \
        -Ddebezium.download.dir="$dl" >&2 || return 1
    fi
    rm -rf "$tmp"; mkdir -p "$tmp"
    tar -xzf "$dl/$tgz" -C "$tmp" || { rm -rf "$tmp"; return 1; }
    rm -rf "$DBZ_HOME"; mv "$tmp/debezium-server" "$DBZ_HOME"; rm -rf "$tmp" "$dl/$tgz"
  fi
  peer_version="Debezium Server $DBZ_VERSION ($(ls "$DBZ_HOME/lib" | sed -n 's/^debezium-connector-mariadb-\(.*\)\.jar$/mariadb connector \1/p'), $(ls "$DBZ_HOME/lib" | sed -n 's/^kafka-clients-\(.*\)\.jar$/kafka-clients \1/p')), $("$TEMURIN/bin/java" -version 2>&1 | head -1)"
}

peer_reset() {
  rm -rf "$BENCH_RUN/dbz"; mkdir -p "$BENCH_RUN/dbz/config"
  ln -s "$DBZ_HOME"/debezium-server-*runner.jar "$DBZ_HOME/lib" "$BENCH_RUN/dbz/"
}

dbz_properties() {
  cat <<PROPS
debezium.sink.type=kafka
debezium.sink.kafka.producer.bootstrap.servers=127.0.0.1:$KAFKA_PORT
debezium.sink.kafka.producer.key.serializer=org.apache.kafka.common.serialization.StringSerializer
debezium.sink.kafka.producer.value.serializer=org.apache.kafka.common.serialization.StringSerializer
debezium.source.connector.class=io.debezium.connector.mariadb.MariaDbConnector
debezium.source.offset.storage.file.filename=$BENCH_RUN/state/dbz-offsets.dat
debezium.source.offset.flush.interval.ms=0
debezium.source.database.hostname=127.0.0.1
debezium.source.database.port=$MARIADB_PORT
debezium.source.database.user=$DB_USER
debezium.source.database.password=$DB_PASSWORD
debezium.source.database.server.id=224467
debezium.source.topic.prefix=my-mysql
debezium.source.database.include.list=$SRC_DBS
debezium.source.table.include.list=$SRC_TABLES
debezium.source.schema.history.internal=io.debezium.storage.file.history.FileSchemaHistory
debezium.source.schema.history.internal.file.filename=$BENCH_RUN/state/dbz-history.dat
quarkus.http.port=${BENCH_DEBEZIUM_HTTP_PORT:-28080}
quarkus.http.host=127.0.0.1
quarkus.log.console.json=false
PROPS
  if [ "$1" = tuned ]; then
    cat <<PROPS
debezium.source.poll.interval.ms=10
debezium.source.max.batch.size=4096
debezium.source.max.queue.size=16384
debezium.sink.kafka.producer.linger.ms=1
PROPS
  fi
}

peer_start() {
  # Quarkus' Vert.x needs java.lang opened on Java 24+ (it logs an IllegalAccessError otherwise)
  local jvm=(--add-opens java.base/java.lang=ALL-UNNAMED)
  dbz_properties "$1" >"$BENCH_RUN/dbz/config/application.properties"
  [ "$1" = tuned ] && jvm+=(-Xms256m -Xmx512m)
  (cd "$BENCH_RUN/dbz" && exec "$TEMURIN/bin/java" "${jvm[@]}" \
     -cp "$(ls debezium-server-*runner.jar):config/lib:lib/*" io.debezium.server.Main) \
     >>"$BENCH_RUN/dbz/console.log" 2>&1 &
  PEER_PID=$!
}

peer_stop() { stop_pid "$PEER_PID" 60; PEER_PID=; }
