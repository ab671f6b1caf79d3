#!/usr/bin/env bash
# Starts every real server the integration tests need (test profile), once per run.
# Each ctl is idempotent: a server that already runs is reused.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export DROM_PROFILE="${DROM_PROFILE:-test}"
for svc in mariadb kafka artemis; do
  if [ -x "$here/$svc/ctl" ]; then
    start=$SECONDS
    "$here/$svc/ctl" start
    echo "services: $svc up ($((SECONDS - start)) s)"
  fi
done
# The second MariaDB, without TLS (the sslMode tests).
start=$SECONDS
MARIADB_VARIANT=plain "$here/mariadb/ctl" start
echo "services: mariadb without TLS up ($((SECONDS - start)) s)"
