#!/usr/bin/env bash
# Stops the test-profile servers (or the demo's with DROM_PROFILE=demo).
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export DROM_PROFILE="${DROM_PROFILE:-test}"
for svc in artemis-pair artemis kafka mariadb; do
  [ -x "$here/$svc/ctl" ] && "$here/$svc/ctl" stop
done
MARIADB_VARIANT=plain "$here/mariadb/ctl" stop
exit 0
