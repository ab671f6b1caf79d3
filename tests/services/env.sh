# Sourced before the integration tests: exports where each server of the profile listens
# (MARIADB_*, KAFKA_BROKERS, ARTEMIS_URI, ...) and where its ctl script is.
_svc_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export DROM_PROFILE="${DROM_PROFILE:-test}"
export DROM_SERVICES="$_svc_dir"
for _svc in mariadb kafka artemis artemis-pair; do
  if [ -x "$_svc_dir/$_svc/ctl" ]; then
    eval "$("$_svc_dir/$_svc/ctl" env)"
  fi
done
eval "$(MARIADB_VARIANT=plain "$_svc_dir/mariadb/ctl" env)"
unset _svc _svc_dir
# The Prometheus of make observe (tests/services/common.sh has the defaults).
export PROMETHEUS_PORT="${PROMETHEUS_PORT:-19090}"
