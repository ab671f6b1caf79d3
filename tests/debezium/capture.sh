#!/usr/bin/env bash
# Regenerates tests/debezium/expected/*.jsonl with a real Debezium 3.6.1 (MariaDB connector, embedded
# engine, JsonConverter with schemas) and then compares dromedary with them (the debezium_golden
# integration suite). Test-only; needs Java 21+ (Temurin under /usr/lib/jvm) and mvn, and the test
# MariaDB running (tests/services/mariadb/ctl start, with the same DROM_STATE/MARIADB_PORT).
#
#   tests/debezium/capture.sh            capture, write expected/, run the comparison
#   tests/debezium/capture.sh --raw F    also keep Debezium's raw lines in F
#
# What expected/ holds: one file per table, one change event per line, {"topic","key","value"} with the
# key and value as Connect JSON ({"schema","payload"}), in Debezium's order, normalised by
# normalise.sed (the fields that differ from run to run; the file says which and why).
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
# DROM_GOLDEN_DIR: another directory holding types.sql and stream.sql, whose expected/ is written
# (replay-ddl.sh runs Debezium's own scripts this way, with DROM_GOLDEN_FORCE=1: their SQL may fail in
# part); a debezium.properties there is added to Debezium's options (tests/debezium/options/).
GOLDEN="${DROM_GOLDEN_DIR:-$HERE}"
FORCE=()
[ -n "${DROM_GOLDEN_FORCE:-}" ] && FORCE=(--force)
: "${DROM_STATE:=$ROOT/.state/test}"
: "${MARIADB_PORT:=13306}"
RAW=
[ "${1:-}" = --raw ] && RAW="$2"

WORK="$DROM_STATE/debezium-harness"
DB=dbz_golden
# shellcheck source=lib.sh
source "$HERE/lib.sh"

sql() { "$ROOT/tests/services/mariadb/ctl" sql "$@"; }
sql -e "DROP DATABASE IF EXISTS $DB; CREATE DATABASE $DB DEFAULT CHARSET utf8mb4"
sql "${FORCE[@]}" "$DB" <"$GOLDEN/types.sql" || [ ${#FORCE[@]} -gt 0 ]

rm -f "$WORK/offsets.dat" "$WORK/history.dat"
{ engine_properties dbz-golden 5499 "$WORK"; cat <<PROPS
database.include.list=$DB
include.schema.changes=false
snapshot.mode=initial
PROPS
} >"$WORK/engine.properties"
[ ! -f "$GOLDEN/debezium.properties" ] || cat "$GOLDEN/debezium.properties" >>"$WORK/engine.properties"

OUT="$WORK/events.jsonl"
"$JAVA_HOME/bin/java" -cp "$LIB/*:$WORK/classes" Harness "$WORK/engine.properties" 100000 180 8 \
  >"$OUT" 2>"$WORK/harness.log" &
HARNESS=$!
# the DML is run once the snapshot is read, so that it is streamed
for _ in $(seq 1800); do
  grep -q '"snapshot":"last"' "$OUT" 2>/dev/null && break
  kill -0 "$HARNESS" 2>/dev/null || { cat "$WORK/harness.log" >&2; exit 1; }
  sleep 0.1
done
grep -q '"snapshot":"last"' "$OUT" || { kill "$HARNESS"; echo "capture: no snapshot in 180 s" >&2; exit 1; }
sql "${FORCE[@]}" "$DB" <"$GOLDEN/stream.sql" || [ ${#FORCE[@]} -gt 0 ]
wait "$HARNESS"
tail -1 "$WORK/harness.log" >&2
[ -z "$RAW" ] || cp "$OUT" "$RAW"

rm -rf "$GOLDEN/expected"; mkdir -p "$GOLDEN/expected"
# not jq: Debezium's text may hold half a surrogate pair (column.truncate.to.N.chars), which jq refuses
for table in $(sed -n 's/^{"topic":"\([^"]*\)".*/\1/p' "$OUT" | sort -u); do
  grep -F "{\"topic\":\"$table\"," "$OUT" | sed -f "$HERE/normalise.sed" >"$GOLDEN/expected/${table#t.$DB.}.jsonl"
done
echo "capture: $(wc -l <"$OUT") events -> $GOLDEN/expected/" >&2

cd "$ROOT"
make -s -j2 build/test-integration
# shellcheck source=../services/env.sh
source tests/services/env.sh
if [ -f "$GOLDEN/debezium.properties" ]; then
  build/test-integration --jobs 1 --filter 'debezium_golden/options_*'
elif [ -n "${DROM_GOLDEN_DIR:-}" ]; then
  build/test-integration --jobs 1 --filter 'debezium_golden/events_match_debezium_3_6_1'
else
  build/test-integration --jobs 1 --filter 'debezium_golden/*'
fi
