#!/usr/bin/env bash
# make camel-compat: routes/camel-debezium.xml with routes/camel-debezium.properties, both
# unchanged, run first by dromd and then by Apache Camel Main (Camel 4.17, its Debezium MySQL
# connector, camel-kafka, camel-sjms2 and Artemis' JMS client; the jars of the benchmark's Camel
# peer, tests/bench/peers/camel/pom.xml, fetched with mvn) against the test servers. Each run
# starts from a fresh database, topic, consumer group, queue and offsets; a sentinel row proves the
# pipeline is live, then the seed's three changes are made. Both runtimes must put the same four
# messages, in the same order, in queue.customers. Addresses and paths come from the environment,
# which both runtimes read through the properties file's and the route's {{env:...}} placeholders.
#   CAMEL_COMPAT_JAVA   the java command for Camel (default: a Temurin 21+ if present, else java)
#   CAMEL_COMPAT_HTTP   dromd's HTTP address (default 127.0.0.1:24190)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
bash tests/services/up.sh >/dev/null
. tests/services/env.sh
SVC=tests/services
WORK="${DROM_STATE:-$ROOT/.state/${DROM_PROFILE:-test}}/camel-compat"
LIBS="$WORK/libs"
HTTP="${CAMEL_COMPAT_HTTP:-127.0.0.1:24190}"
TEMURIN="$(ls -d /usr/lib/jvm/temurin-2[1-9]* 2>/dev/null | sort -V | tail -1)"
JAVA="${CAMEL_COMPAT_JAVA:-${TEMURIN:+$TEMURIN/bin/java}}"
JAVA="${JAVA:-java}"
QUEUE=queue.customers TOPIC=my-mysql.cdcdb.customers GROUP=amq-sink
mkdir -p "$WORK"

say() { printf '[camel-compat %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { say "FAILED: $*"; exit 1; }
sql() { "$SVC/mariadb/ctl" sql "$@"; }

want="$(sha256sum tests/bench/peers/camel/pom.xml | cut -d' ' -f1)"
if [ "$(cat "$LIBS/.stamp" 2>/dev/null)" != "$want" ]; then
  say "fetching Camel's jars with mvn (tests/bench/peers/camel/pom.xml)"
  rm -rf "$LIBS"; mkdir -p "$LIBS"
  mvn -q -B -f tests/bench/peers/camel/pom.xml dependency:copy-dependencies \
    -DoutputDirectory="$LIBS" -DincludeScope=runtime >"$WORK/mvn.log" 2>&1 || { cat "$WORK/mvn.log" >&2; die "mvn"; }
  echo "$want" >"$LIBS/.stamp"
fi
make -s all >/dev/null

export DB_HOST=127.0.0.1 DB_PORT="$MARIADB_PORT" DB_USER=debezium DB_PASSWORD=debezium
export KAFKA_BROKERS="127.0.0.1:$KAFKA_PORT" AMQ_HOST=127.0.0.1 AMQ_PORT="$ARTEMIS_PORT" AMQ_USER=admin AMQ_PASSWORD=admin

queue_count() {
  "$SVC/artemis/ctl" cli queue stat --queueName "$QUEUE" --json 2>/dev/null | python3 -c 'import json,sys
d=json.load(sys.stdin); print(next((int(x["messageCount"]) for x in d.get("data",[]) if x.get("name")==sys.argv[1]),0))' "$QUEUE" 2>/dev/null || echo 0
}

# wait_count N SECONDS PID: true once the queue holds N messages; false at the deadline or when PID dies.
wait_count() {
  local deadline=$((SECONDS + $2))
  while [ $SECONDS -lt $deadline ]; do
    [ "$(queue_count)" -ge "$1" ] && return 0
    kill -0 "$3" 2>/dev/null || { say "pid $3 exited"; return 1; }
    sleep 0.5
  done
  return 1
}

stop_pid() {
  local deadline=$((SECONDS + 60))
  kill -TERM "$1" 2>/dev/null || return 0
  while kill -0 "$1" 2>/dev/null; do
    [ $SECONDS -ge $deadline ] && kill -KILL "$1" 2>/dev/null
    sleep 0.2
  done
  wait "$1" 2>/dev/null || true
}

# A fresh source table holding one sentinel row, topic, group, queue and offsets for run $1.
reset() {
  sql -e "DROP DATABASE IF EXISTS cdcdb; CREATE DATABASE cdcdb;
    CREATE TABLE cdcdb.customers (id INTEGER NOT NULL AUTO_INCREMENT PRIMARY KEY,
      first_name VARCHAR(255) NOT NULL, last_name VARCHAR(255) NOT NULL,
      email VARCHAR(255) NOT NULL UNIQUE);
    INSERT INTO cdcdb.customers (first_name, last_name, email) VALUES ('Sentinel', 'Row', 'sentinel@example.com')"
  "$SVC/kafka/ctl" topics --delete --if-exists --topic "$TOPIC" >/dev/null 2>&1 || true
  "$SVC/kafka/ctl" groups --delete --group "$GROUP" >/dev/null 2>&1 || true
  "$SVC/kafka/ctl" topics --create --if-not-exists --topic "$TOPIC" --partitions 1 --replication-factor 1 >/dev/null 2>&1 || true
  "$SVC/artemis/ctl" purge "$QUEUE" >/dev/null 2>&1 || true
  rm -rf "${WORK:?}/$1"; mkdir -p "$WORK/$1"
  export CDC_OFFSETS_FILE="$WORK/$1/offsets.dat" CDC_SCHEMA_HISTORY_FILE="$WORK/$1/schema-history.dat"
}

# The seed's three changes, each its own transaction.
changes() {
  sql cdcdb -e "INSERT INTO customers (first_name, last_name, email) VALUES ('John', 'Doe', 'jdoe@example.com')"
  sql cdcdb -e "UPDATE customers SET first_name = 'Jane' WHERE email = 'jdoe@example.com'"
  sql cdcdb -e "INSERT INTO customers (first_name, last_name, email) VALUES ('Chuck', 'Norris', 'cnorris@example.com')"
}

# run NAME PID: the sentinel, the changes, the queue read back into $WORK/NAME/queue.xml.
run() {
  local name=$1 pid=$2
  wait_count 1 240 "$pid" || die "$name: the sentinel row did not reach $QUEUE in 240 s (log: $WORK/$name/)"
  say "$name: the sentinel arrived; making the seed's three changes"
  changes
  wait_count 4 120 "$pid" || die "$name: $QUEUE holds $(queue_count) of 4 messages after 120 s (log: $WORK/$name/)"
  stop_pid "$pid"
  "$SVC/artemis/ctl" cli consumer --destination "queue://$QUEUE" --message-count 20 --receive-timeout 3000 \
    --break-on-null --data "$WORK/$name/queue.xml" >"$WORK/$name/consumer.log" 2>&1 || die "$name: reading $QUEUE"
  say "$name: read $QUEUE back"
}

say "dromd: routes/camel-debezium.xml --properties routes/camel-debezium.properties"
reset dromd
build/dromd --properties routes/camel-debezium.properties --http "$HTTP" --state-dir "$WORK/dromd/state" \
  routes/camel-debezium.xml >"$WORK/dromd/dromd.log" 2>&1 &
run dromd $!

say "Camel Main: the same two files ($("$JAVA" -version 2>&1 | head -1))"
reset camel
mkdir -p "$WORK/camel/conf"
# Camel Main reads application.properties from its classpath: the very same file, linked.
ln -sf "$ROOT/routes/camel-debezium.properties" "$WORK/camel/conf/application.properties"
cat >"$WORK/camel/conf/log4j2.properties" <<L4J
appender.out.type=File
appender.out.name=out
appender.out.fileName=$WORK/camel/camel.log
appender.out.layout.type=PatternLayout
appender.out.layout.pattern=%d %-5p [%t] %c{1} - %m%n
rootLogger.level=INFO
rootLogger.appenderRef.out.ref=out
L4J
CAMEL_MAIN_ROUTESINCLUDEPATTERN="file:$ROOT/routes/camel-debezium.xml" CAMEL_MAIN_NAME=camel-compat \
  "$JAVA" -cp "$WORK/camel/conf:$LIBS/*" org.apache.camel.main.Main >"$WORK/camel/console.log" 2>&1 &
run camel $!

python3 - "$WORK/dromd/queue.xml" "$WORK/camel/queue.xml" <<'PY'
import json, sys, xml.etree.ElementTree as ET
def rows(path):
    out = []
    for m in ET.parse(path).getroot().iter("message"):
        body = m.find("body")
        out.append(json.loads(body.text) if body is not None and body.text else None)
    return out
d, c = rows(sys.argv[1]), rows(sys.argv[2])
firsts = [r.get("first_name") if isinstance(r, dict) else None for r in d]
print(f"dromd: {len(d)} messages {firsts}")
print(f"camel: {len(c)} messages {[r.get('first_name') if isinstance(r, dict) else None for r in c]}")
ok = len(d) == 4 and d == c and firsts == ["Sentinel", "John", "Jane", "Chuck"]
if not ok:
    for i, (a, b) in enumerate(zip(d, c)):
        if a != b:
            print(f"message {i} differs:\n  dromd {a}\n  camel {b}")
    print("1 passed, 0 failed" if ok else "0 passed, 1 failed")
    sys.exit(1)
print("camel-compat: the same 4 changes, in the same order, from dromd and from Camel Main")
print("1 passed, 0 failed")
PY
