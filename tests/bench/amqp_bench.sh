#!/usr/bin/env bash
# Messages/s of 1 KB durable messages into and out of the test Artemis: through the engine
# (tests/bench/amqp_bench.c: a route to sjms2:queue:..., every send completed by the broker's
# "accepted"; then a consumer route) and, on the same broker, Artemis's own
# "artemis perf client" (CORE by default: its AMQP mode fails to open a connection to this
# broker with "Open failed unexpectedly"; PERF_PROTOCOL=AMQP tries it). Prints numbers,
# asserts nothing. The test broker is shared with the integration suites: run it when they
# are not running, or the figures mean little.
#   N=50000 SIZE=1024 PERF_SECONDS=15 PERF_PROTOCOL=CORE tests/bench/amqp_bench.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
N="${N:-50000}" SIZE="${SIZE:-1024}" PERF_SECONDS="${PERF_SECONDS:-15}" PERF_PROTOCOL="${PERF_PROTOCOL:-CORE}"
export DROM_PROFILE="${DROM_PROFILE:-test}"
. tests/services/env.sh
ctl=tests/services/artemis/ctl
"$ctl" start >/dev/null
make -s all
bin=build/bench/amqp_bench
mkdir -p build/bench
# shellcheck disable=SC2046
cc -std=c17 -D_GNU_SOURCE -O2 -I. $(pkg-config --cflags $(make -s --no-print-directory print-pkgs)) -pthread \
  -o "$bin" tests/bench/amqp_bench.c build/libdrom.a \
  $(pkg-config --libs $(make -s --no-print-directory print-pkgs)) -pthread -lm
stamp="$(date +%s)"
echo "== dromedary engine, $N messages of $SIZE B, durable, one connection =="
"$bin" "$ARTEMIS_URI" "$ARTEMIS_USER" "$ARTEMIS_PASSWORD" "bench.drom.$stamp" "$N" "$SIZE"
echo "== artemis perf client ($PERF_PROTOCOL, persistent, $SIZE B, ${PERF_SECONDS}s after 3s warm-up, 1 producer + 1 consumer) =="
url="tcp://${ARTEMIS_URI#*://}"
[ "$PERF_PROTOCOL" = AMQP ] && url="$ARTEMIS_URI"
"$ctl" cli perf client --url "$url" --protocol "$PERF_PROTOCOL" --persistent \
  --message-size "$SIZE" --duration "$PERF_SECONDS" --warmup 3 --max-pending 1000 \
  "queue://bench.perf.$stamp" 2>&1 | grep -E '^--- (SUMMARY|result|total|aggregated)' || true
"$ctl" cli queue delete --name "bench.drom.$stamp" >/dev/null 2>&1 || true
"$ctl" cli queue delete --name "bench.perf.$stamp" >/dev/null 2>&1 || true
