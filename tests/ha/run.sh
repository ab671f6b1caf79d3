#!/usr/bin/env bash
# make ha: starts the test servers and the 3-node Kafka cluster, runs the HA
# scenarios one at a time (each prints its figures, lines starting "HA "),
# and stops the cluster. Exit status: the suite's.
set -uo pipefail
bin="${1:-build/test-ha}"
cd "$(dirname "$0")/../.."
bash tests/services/up.sh || exit 1
bash tests/services/kafka-cluster/ctl start || exit 1
. tests/services/env.sh
eval "$(tests/services/kafka-cluster/ctl env)"
# every client of the suite (dromd, the topic and queue helpers) talks to the cluster
export KAFKA_BROKERS="$KAFKA_CLUSTER_BROKERS"
mkdir -p build/ha
started=$(date +%s)
"$bin" --jobs 1 --verbose=1 ${CRITERION_ARGS:-} 2>&1 | tee build/ha/run.log
rc=${PIPESTATUS[0]}
echo "ha: figures (from build/ha/run.log):"
grep -E '\] HA |HA [a-z0-9x]+:' build/ha/run.log | sed 's/^/  /'
echo "ha: $(( $(date +%s) - started )) s (exit $rc)"
[ "${HA_KEEP_CLUSTER:-}" ] || bash tests/services/kafka-cluster/ctl stop
exit "$rc"
