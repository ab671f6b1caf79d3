#!/usr/bin/env bash
# Replays Debezium's own test scripts (debezium-connector-binlog's src/test/resources/ddl/*.sql,
# taken from its published tests jar through mvn) through a real Debezium 3.6.1 and through
# dromedary, each script twice: read by the snapshot (run before capture starts) and read from the
# binlog (run while streaming). Each pair of runs is capture.sh with DROM_GOLDEN_DIR; the counts of
# identical events are summed at the end. Needs what capture.sh needs (Java 21+, mvn, the test
# MariaDB). Statements MariaDB refuses (MySQL-only syntax) are skipped, as the server skips them.
#
#   tests/debezium/replay-ddl.sh                  every script
#   tests/debezium/replay-ddl.sh enum_column_test year_test ...   these scripts
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
: "${DROM_STATE:=$ROOT/.state/test}"
WORK="$DROM_STATE/debezium-ddl"
DBZ_VERSION="$(sed -n 's:.*<debezium.version>\(.*\)</debezium.version>.*:\1:p' "$HERE/pom.xml")"
JAR="$WORK/debezium-connector-binlog-$DBZ_VERSION-tests.jar"
mkdir -p "$WORK"
if [ ! -f "$JAR" ]; then
  mvn -B -q -f "$HERE/pom.xml" dependency:copy \
    -Dartifact="io.debezium:debezium-connector-binlog:$DBZ_VERSION:jar:tests" -DoutputDirectory="$WORK" >&2
fi
rm -rf "$WORK/ddl" && (cd "$WORK" && unzip -q -o "$JAR" 'ddl/*.sql')

# a table of one row that sorts last, so that the snapshot always ends with "last"
MARKER="CREATE TABLE zz_marker (id INT PRIMARY KEY); INSERT INTO zz_marker VALUES (1);"
if [ $# -gt 0 ]; then scripts=("$@"); else
  scripts=(); for f in "$WORK"/ddl/*.sql; do scripts+=("$(basename "$f" .sql)"); done
fi

same=0 total=0 dbz=0 failed=()
for name in "${scripts[@]}"; do
  [ -s "$WORK/ddl/$name.sql" ] || { echo "replay: $name: an empty script, skipped" >&2; continue; }
  for mode in snapshot stream; do
    dir="$WORK/run/$name-$mode"
    rm -rf "$dir"; mkdir -p "$dir"
    if [ "$mode" = snapshot ]; then
      { cat "$WORK/ddl/$name.sql"; echo; echo "$MARKER"; } >"$dir/types.sql"
      echo "DO 0;" >"$dir/stream.sql"   # nothing streams; the suite wants a statement
    else
      echo "$MARKER" >"$dir/types.sql"
      cp "$WORK/ddl/$name.sql" "$dir/stream.sql"
    fi
    DROM_GOLDEN_DIR="$dir" DROM_GOLDEN_FORCE=1 bash "$HERE/capture.sh" >"$dir/log" 2>&1 || true
    line=$(grep -h '^golden: ' "$dir/log" | tail -1 || true)
    if [ -z "$line" ]; then
      failed+=("$name/$mode"); echo "replay: $name ($mode): no comparison, see $dir/log" >&2; continue
    fi
    read -r s n d < <(sed 's/^golden: \([0-9]*\) of \([0-9]*\) events identical.*Debezium wrote \([0-9]*\).*/\1 \2 \3/' <<<"$line")
    same=$((same + s)); total=$((total + n)); dbz=$((dbz + d))
    echo "replay: $name ($mode): $s of $n events identical (Debezium: $d)" >&2
  done
done
echo "replay: ${#scripts[@]} scripts, snapshot and streaming: $same of $total events identical (Debezium wrote $dbz)${failed[*]:+; not compared: ${failed[*]}}"
