# Sourced by the service scripts. One place fixes the ports and state folders of the two
# profiles: "test" (make test, the integration suites) and "demo" (make demo), so both can
# run side by side on one machine without touching the servers it already runs
# (MariaDB 3306, RabbitMQ 5672, Mosquitto 1883).
# A server started from a test must not inherit the test runner's descriptors (Criterion's
# pipes and shared memory): it outlives the test and would hold them open. Bash reads this
# script through 255, so that one stays.
for _fd in /proc/$$/fd/*; do
  _fd=${_fd##*/}
  if [ "$_fd" -gt 2 ] 2>/dev/null && [ "$_fd" != 255 ]; then eval "exec $_fd>&-" 2>/dev/null || true; fi
done
unset _fd

DROM_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DROM_PROFILE="${DROM_PROFILE:-test}"
case "$DROM_PROFILE" in
  test)
    : "${MARIADB_PORT:=13306}" "${MARIADB_PLAIN_PORT:=13307}"
    : "${KAFKA_PORT:=19092}" "${KAFKA_CONTROLLER_PORT:=19093}" "${KAFKA_SASL_PORT:=19094}" \
      "${KAFKA_SSL_PORT:=19095}" "${KAFKA_MTLS_PORT:=19096}" \
      "${KAFKA_EXPIRED_PORT:=19097}"
    : "${ARTEMIS_PORT:=61716}" "${ARTEMIS_HTTP_PORT:=18161}" "${ARTEMIS_TLS_PORT:=61717}"
    : "${PROMETHEUS_PORT:=19090}"   # started by make observe's tests, not by up.sh
    ;;
  demo)
    : "${MARIADB_PORT:=3307}" "${MARIADB_PLAIN_PORT:=3308}"
    : "${KAFKA_PORT:=9092}" "${KAFKA_CONTROLLER_PORT:=9093}" "${KAFKA_SASL_PORT:=9094}" \
      "${KAFKA_SSL_PORT:=9095}" "${KAFKA_MTLS_PORT:=9096}" \
      "${KAFKA_EXPIRED_PORT:=9097}"
    : "${ARTEMIS_PORT:=61616}" "${ARTEMIS_HTTP_PORT:=8161}" "${ARTEMIS_TLS_PORT:=61617}"
    : "${PROMETHEUS_PORT:=9090}"
    ;;
  *) echo "DROM_PROFILE must be test or demo, not '$DROM_PROFILE'" >&2; exit 2 ;;
esac
# Artemis' SCRAM-only and reloading-certificate acceptors sit next to its main port (61718 and
# 61719 for the test profile), so a checkout that moves ARTEMIS_PORT moves them too.
: "${ARTEMIS_SCRAM_PORT:=$((ARTEMIS_PORT + 2))}" "${ARTEMIS_EXPIRED_PORT:=$((ARTEMIS_PORT + 3))}"
: "${DROM_STATE:=$DROM_ROOT/.state/$DROM_PROFILE}"
export DROM_ROOT DROM_PROFILE DROM_STATE MARIADB_PORT MARIADB_PLAIN_PORT KAFKA_PORT KAFKA_CONTROLLER_PORT \
  KAFKA_SASL_PORT KAFKA_SSL_PORT KAFKA_MTLS_PORT KAFKA_EXPIRED_PORT ARTEMIS_PORT ARTEMIS_HTTP_PORT \
  ARTEMIS_TLS_PORT ARTEMIS_SCRAM_PORT ARTEMIS_EXPIRED_PORT PROMETHEUS_PORT

# wait_port PORT SECONDS: true once something accepts TCP connections on 127.0.0.1:PORT.
wait_port() {
  local port=$1 deadline=$((SECONDS + $2))
  while [ $SECONDS -lt $deadline ]; do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    sleep 0.2
  done
  return 1
}
