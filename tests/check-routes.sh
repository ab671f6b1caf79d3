#!/usr/bin/env bash
# Validates every example route in routes/ with its properties file (same
# name, .properties) when there is one, and the route and properties that
# `dromc import` writes from the seed's connectors (their ${file:...} secrets
# pointed at the seed's own files). Part of `make test`.
set -uo pipefail
cd "$(dirname "$0")/.."
dromc=${DROMC:-build/dromc}
if [ ! -x "$dromc" ]; then
  echo "check-routes: $dromc is not built (run make)" >&2
  exit 2
fi
fail=0 n=0
for f in routes/*.xml; do
  p=${f%.xml}.properties
  args=()
  [ -f "$p" ] && args=(--properties "$p")
  n=$((n + 1))
  if ! "$dromc" validate -q "${args[@]}" "$f"; then
    echo "check-routes: $f is invalid" >&2
    fail=1
  fi
done
tmp=$(mktemp -d)
if "$dromc" import -o "$tmp/seed.xml" tests/import/seed/mysql-source.yaml tests/import/seed/amq-sink.yaml 2>"$tmp/report" &&
   sed -i 's|/opt/kafka/external-configuration/[a-z-]*-config|tests/import/seed|' "$tmp/seed.properties" &&
   "$dromc" validate -q --properties "$tmp/seed.properties" "$tmp/seed.xml"; then
  n=$((n + 1))
else
  echo "check-routes: dromc import of tests/import/seed/ does not give a valid route:" >&2
  cat "$tmp/report" >&2
  fail=1
fi
rm -rf "$tmp"
[ $fail -eq 0 ] && echo "check-routes: $n route files valid (one of them imported)"
exit $fail
