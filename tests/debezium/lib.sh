# The Debezium harness's setup, sourced by capture.sh and signals.sh: a JDK 21+ in JAVA_HOME,
# Debezium's jars in $WORK/lib (fetched with mvn once) and Harness.java compiled into
# $WORK/classes. Needs HERE (tests/debezium) and WORK set.
JAVA_HOME="${JAVA_HOME:-}"
for j in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-*-jdk-amd64; do
  [ -n "$JAVA_HOME" ] || { [ -x "$j/bin/javac" ] && JAVA_HOME="$j"; }
done
[ -n "$JAVA_HOME" ] && [ -x "$JAVA_HOME/bin/javac" ] || { echo "harness: no JDK 21+ (set JAVA_HOME)" >&2; exit 1; }

LIB="$WORK/lib"
DBZ_VERSION="$(sed -n 's:.*<debezium.version>\(.*\)</debezium.version>.*:\1:p' "$HERE/pom.xml")"
mkdir -p "$LIB" "$WORK/classes"

if [ ! -f "$LIB/debezium-connector-mariadb-$DBZ_VERSION.jar" ]; then
  echo "harness: fetching Debezium $DBZ_VERSION with mvn" >&2
  mvn -B -q -f "$HERE/pom.xml" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$LIB" >&2
  mvn -B -q -f "$HERE/pom.xml" dependency:copy@mariadb-connector -Ddebezium.download.dir="$WORK" >&2
  tar -xzf "$WORK/debezium-server-dist-$DBZ_VERSION.tar.gz" -C "$LIB" --strip-components=2 \
    "debezium-server/lib/debezium-connector-mariadb-$DBZ_VERSION.jar"
  rm -f "$WORK/debezium-server-dist-$DBZ_VERSION.tar.gz"
fi
"$JAVA_HOME/bin/javac" -d "$WORK/classes" -cp "$LIB/*" "$HERE/Harness.java"


# The embedded engine's properties both harnesses share (the MariaDB connector on the test server, file
# offsets and schema history in DIR, topic prefix t), to stdout; each caller adds its own lines.
engine_properties() {   # NAME SERVER_ID DIR
  cat <<PROPS
name=$1
connector.class=io.debezium.connector.mariadb.MariaDbConnector
offset.storage=org.apache.kafka.connect.storage.FileOffsetBackingStore
offset.storage.file.filename=$3/offsets.dat
offset.flush.interval.ms=0
schema.history.internal=io.debezium.storage.file.history.FileSchemaHistory
schema.history.internal.file.filename=$3/history.dat
database.hostname=127.0.0.1
database.port=$MARIADB_PORT
database.user=debezium
database.password=debezium
database.ssl.mode=disable
database.server.id=$2
topic.prefix=t
PROPS
}
