#!/usr/bin/env bash
# Validates every example route in routes/ with its properties file (same
# name, .properties) when there is one. Part of `make test`.
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
[ $fail -eq 0 ] && echo "check-routes: $n route files valid"
exit $fail
