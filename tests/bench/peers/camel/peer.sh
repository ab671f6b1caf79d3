# Peer: Apache Camel 4 (camel-main, XML DSL) on the same Camel-syntax route as dromd, end to end.
# Jars from pom.xml beside this file (mvn dependency:copy-dependencies), Camel Main's own main
# class, no code of ours. Profiles:
#   default  Camel's and Debezium's defaults; the Artemis JMS client's defaults (every durable
#            send blocks until the broker has persisted it)
#   tuned    Debezium pollIntervalMs=10 (was 500) and maxBatchSize=4096; the Artemis client sends durable messages without waiting for each
#            one (blockOnDurableSend=false; a failed send is no longer reported to the route,
#            a weaker delivery guarantee); JVM -Xms256m -Xmx512m -XX:+UseParallelGC.
PEER_E2E=1
PEER_PROFILES="${BENCH_CAMEL_PROFILES:-default tuned}"
CAMEL_HOME="$DROM_STATE/camel"
CAMEL_JAVA="${BENCH_CAMEL_JAVA:-java}"

peer_setup() {
  local want have=""
  want="$(sha256sum "$BENCH_ROOT/tests/bench/peers/camel/pom.xml" | cut -d' ' -f1)"
  [ -f "$CAMEL_HOME/libs/.stamp" ] && have="$(cat "$CAMEL_HOME/libs/.stamp")"
  if [ "$want" != "$have" ]; then
    blog "camel: fetching jars with mvn"
    rm -rf "$CAMEL_HOME/libs"; mkdir -p "$CAMEL_HOME/libs"
    mvn -q -B -f "$BENCH_ROOT/tests/bench/peers/camel/pom.xml" dependency:copy-dependencies \
      -DoutputDirectory="$CAMEL_HOME/libs" -DincludeScope=runtime >"$CAMEL_HOME/mvn.log" 2>&1 \
      || { cat "$CAMEL_HOME/mvn.log" >&2; return 1; }
    echo "$want" >"$CAMEL_HOME/libs/.stamp"
  fi
  peer_version="Camel $(ls "$CAMEL_HOME/libs" | sed -n 's/^camel-main-\(.*\)\.jar$/\1/p'), Debezium $(ls "$CAMEL_HOME/libs" | sed -n 's/^debezium-core-\(.*\)\.jar$/\1/p'), kafka-clients $(ls "$CAMEL_HOME/libs" | sed -n 's/^kafka-clients-\(.*\)\.jar$/\1/p'), artemis-jakarta-client $(ls "$CAMEL_HOME/libs" | sed -n 's/^artemis-jakarta-client-\(.*\)\.jar$/\1/p'), $("$CAMEL_JAVA" -version 2>&1 | head -1)"
}

peer_reset() { rm -rf "$BENCH_RUN/camel"; mkdir -p "$BENCH_RUN/camel/conf"; }

# Camel's sjms2 takes its broker from a ConnectionFactory bean (dromd's remoteURI/username/
# password properties are ours, not Camel's): the bean is declared here, in Camel Main's
# properties, so the route file stays the same.
camel_properties() {
  local cf_opts=""
  [ "$1" = tuned ] && cf_opts="?blockOnDurableSend=false"
  cat <<PROPS
camel.main.name=camel-peer
camel.main.routesIncludePattern=file:$BENCH_RUN/route.xml
db.host=127.0.0.1
db.port=$MARIADB_PORT
db.user=$DB_USER
db.password=$DB_PASSWORD
camel.component.kafka.brokers=127.0.0.1:$KAFKA_PORT
camel.beans.artemisCF=#class:org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory("tcp://127.0.0.1:$ARTEMIS_PORT$cf_opts","admin","admin")
camel.component.sjms2.connectionFactory=#bean:artemisCF
PROPS
  # No lingerMs: the Debezium consumer hands Camel one event at a time and waits for the Kafka
  # ack, so a linger adds its wait to every event (a first run with lingerMs=1 moved leg 1 from
  # ~600/s at defaults to ~220/s).
  if [ "$1" = tuned ]; then
    cat <<PROPS
camel.component.debezium-mysql.pollIntervalMs=10
camel.component.debezium-mysql.maxBatchSize=4096
PROPS
  fi
}

peer_start() {
  local conf="$BENCH_RUN/camel/conf" jvm=()
  camel_properties "$1" >"$conf/application.properties"
  cat >"$conf/log4j2.properties" <<'L4J'
appender.out.type=File
appender.out.name=out
appender.out.fileName=${sys:camel.peer.log}
appender.out.layout.type=PatternLayout
appender.out.layout.pattern=%d %-5p [%t] %c{1} - %m%n
rootLogger.level=INFO
rootLogger.appenderRef.out.ref=out
L4J
  [ "$1" = tuned ] && jvm=(-Xms256m -Xmx512m -XX:+UseParallelGC)
  "$CAMEL_JAVA" "${jvm[@]}" -Dcamel.peer.log="$BENCH_RUN/camel/camel.log" \
    -cp "$conf:$CAMEL_HOME/libs/*" org.apache.camel.main.Main >>"$BENCH_RUN/camel/console.log" 2>&1 &
  PEER_PID=$!
}

peer_stop() { stop_pid "$PEER_PID" 60; PEER_PID=; }
