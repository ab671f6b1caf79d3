#!/usr/bin/env bash
# make faults: starts the test servers, runs the fault matrix one row at a
# time (each row prints its progress), then writes docs/reliability.md from
# the rows recorded, whether they passed or not. Exit status: the suite's.
set -uo pipefail
bin="${1:-build/test-faults}"
cd "$(dirname "$0")/../.."
bash tests/services/up.sh || exit 1
. tests/services/env.sh
mkdir -p build/faults
export FAULTS_RESULTS="$PWD/build/faults/results.jsonl"
: >"$FAULTS_RESULTS"
started=$(date +%s)
"$bin" --jobs 1 --verbose=1 ${CRITERION_ARGS:-} 2>&1 | tee build/faults/run.log
rc=${PIPESTATUS[0]}
python3 tests/faults/report.py "$FAULTS_RESULTS" $(( $(date +%s) - started )) >docs/reliability.md.tmp &&
  mv docs/reliability.md.tmp docs/reliability.md
echo "faults: $(wc -l <"$FAULTS_RESULTS") rows recorded in $(( $(date +%s) - started )) s; docs/reliability.md written (exit $rc)"
exit "$rc"
