#!/usr/bin/env bash
# Kafka producer benchmark: 1 KB records through the engine with the kafka
# component's default options, beside librdkafka's raw rate on the same
# broker. Prints the figures; asserts nothing.
#
#   tests/bench/kafka_produce.sh [COUNT] [SIZE]
#
# Uses KAFKA_BROKERS when set, else the test profile's broker (started if
# needed through tests/services/kafka/ctl). Builds build/libdrom.a first.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
export DROM_PROFILE="${DROM_PROFILE:-test}"
if [ -z "${KAFKA_BROKERS:-}" ]; then
  tests/services/kafka/ctl start >&2
  eval "$(tests/services/kafka/ctl env)"
fi
make -s build/libdrom.a >&2
pkgs=$(make -s --no-print-directory print-pkgs)
mkdir -p build/bench
# shellcheck disable=SC2046
cc -std=c17 -D_GNU_SOURCE -O2 -g -I. $(pkg-config --cflags $pkgs) -pthread \
  -o build/bench/kafka_produce tests/bench/kafka_produce.c build/libdrom.a \
  $(pkg-config --libs $pkgs) -pthread -lm
exec build/bench/kafka_produce "$KAFKA_BROKERS" "${1:-200000}" "${2:-1024}"
