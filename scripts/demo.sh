#!/usr/bin/env bash
# make demo: the seed pipeline end to end on this machine.
#   MariaDB (binlog) -> dromd route 1 -> Kafka topic my-mysql.cdcdb.customers
#                    -> dromd route 2 -> Artemis queue queue.customers
# Servers run on loopback with their state under .state/demo; they are reused when
# already running and left running afterwards (make demo-stop stops them).
# Each run starts from a fresh seed database, topic, consumer group and queue, so it
# prints the same three events every time.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export DROM_PROFILE=demo
source tests/services/common.sh
svc=tests/services
state="$DROM_STATE/dromd"
http=127.0.0.1:8089
pidfile="$state/dromd.pid"

stop_dromd() {
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    kill -TERM "$(cat "$pidfile")"
    for _ in $(seq 1 100); do kill -0 "$(cat "$pidfile")" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$pidfile"
}

if [ "${1:-}" = stop ]; then
  stop_dromd
  for s in artemis kafka mariadb; do "$svc/$s/ctl" stop || true; done
  echo "demo: stopped (state kept under $DROM_STATE; rm -rf it for a clean slate)"
  exit 0
fi

step() { printf '\n== %s\n' "$*"; }

step "servers (MariaDB :$MARIADB_PORT, Kafka :$KAFKA_PORT, Artemis :$ARTEMIS_PORT)"
stop_dromd
# A fresh broker, so the queue shows this run's three changes and nothing of the last run.
"$svc/artemis/ctl" reset >/dev/null
for s in mariadb kafka artemis; do "$svc/$s/ctl" start; done

step "fresh seed database, topic, consumer group and queue"
"$svc/mariadb/ctl" reset-seed
"$svc/kafka/ctl" topics --delete --if-exists --topic my-mysql.cdcdb.customers >/dev/null 2>&1 || true
"$svc/kafka/ctl" groups --delete --group amq-sink >/dev/null 2>&1 || true
rm -rf "$state"
mkdir -p "$state"

step "dromd on routes/cdc-pipeline.xml (log: $state/dromd.log, http://$http)"
eval "$("$svc/mariadb/ctl" env)"
export DB_HOST=127.0.0.1 DB_PORT="$MARIADB_PORT" DB_USER="$MARIADB_USER" DB_PASSWORD="$MARIADB_PASSWORD"
export KAFKA_BROKERS="127.0.0.1:$KAFKA_PORT" AMQ_URI="amqp://127.0.0.1:$ARTEMIS_PORT"
# Its own log and no terminal: a dromd left running must not hold the pipe of
# `make demo | tee demo.log` open, or tee never ends.
setsid build/dromd --properties routes/cdc-pipeline.properties --http "$http" --state-dir "$state" \
  routes/cdc-pipeline.xml >"$state/dromd.log" 2>&1 </dev/null &
echo $! > "$pidfile"
ready=0
for _ in $(seq 1 300); do
  if build/dromd health --http "$http" >/dev/null 2>&1; then ready=1; break; fi
  kill -0 "$(cat "$pidfile")" 2>/dev/null || break
  sleep 0.1
done
if [ $ready -ne 1 ]; then
  echo "demo: dromd did not become ready; its log:" >&2
  cat "$state/dromd.log" >&2
  exit 1
fi
build/dromd status --http "$http"

step "the seed's three changes"
sql() { "$svc/mariadb/ctl" sql cdcdb -e "$1"; echo "  $1"; }
sql "INSERT INTO customers (first_name, last_name, email) VALUES ('John', 'Doe', 'jdoe@example.com')"
sql "UPDATE customers SET first_name = 'Jane' WHERE id = 1"
sql "INSERT INTO customers (first_name, last_name, email) VALUES ('Chuck', 'Norris', 'cnorris@example.com')"

step "waiting for three messages in queue.customers"
for _ in $(seq 1 300); do
  n=$("$svc/artemis/ctl" cli queue stat --queueName queue.customers --json 2>/dev/null |
      python3 -c 'import json,sys; d=json.load(sys.stdin); print(next((int(q["messageCount"]) for q in d.get("data",[]) if q.get("name")=="queue.customers"),0))' 2>/dev/null || echo 0)
  [ "${n:-0}" -ge 3 ] && break
  sleep 0.1
done

step "what arrived in queue.customers (read back by the Artemis JMS client)"
out="$state/queue.xml"
"$svc/artemis/ctl" cli consumer --destination queue://queue.customers --message-count 3 \
  --receive-timeout 3000 --break-on-null --data "$out" >/dev/null
python3 scripts/print-queue.py "$out"

cat <<EOM

The servers and dromd keep running for exploration:
  build/dromd status --http $http          routes, totals, in flight
  curl -s http://$http/metrics             Prometheus metrics
  tests/services/mariadb/ctl sql cdcdb     (DROM_PROFILE=demo) make more changes
  make demo-stop                           stop dromd and the three servers
EOM
