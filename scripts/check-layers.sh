#!/usr/bin/env bash
# Proves that includes only point down the layers of design.md:
#   runtime/    -> runtime/
#   dsl/        -> runtime/, dsl/
#   components/ -> runtime/, its own folder (the registry may include every component)
#   compiler/   -> runtime/, dsl/, compiler/, components/registry.h
# The programs under cmd/ and the tests may include everything.
set -uo pipefail
cd "$(dirname "$0")/.."
bad=0
check() { # file allowed-regex
  local f=$1 allowed=$2
  while IFS= read -r line; do
    inc=$(sed -E 's/^[^"]*"([^"]+)".*/\1/' <<<"${line#*:}")
    case "$inc" in */*) ;; *) continue ;; esac   # same-folder includes are always fine
    if ! [[ "$inc" =~ $allowed ]]; then
      echo "layer violation: ${line%%:*} includes \"$inc\""
      bad=1
    fi
  done < <(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" | sed "s|^|$f:|")
}
for f in $(find runtime -name '*.[ch]' 2>/dev/null); do check "$f" '^runtime/'; done
for f in $(find dsl -name '*.[ch]' 2>/dev/null); do check "$f" '^(runtime|dsl)/'; done
for f in $(find compiler -name '*.[ch]' 2>/dev/null); do check "$f" '^(runtime/|dsl/|compiler/|components/registry\.h$)'; done
for f in $(find components -mindepth 2 -name '*.[ch]' 2>/dev/null); do
  comp=$(cut -d/ -f2 <<<"$f")
  check "$f" "^(runtime/|components/$comp/)"
done
for f in $(find components -maxdepth 1 -name '*.[ch]' 2>/dev/null); do check "$f" '^(runtime/|components/)'; done
bash scripts/check-component-names.sh || bad=1
if [ $bad -ne 0 ]; then exit 1; fi
echo "check-layers: ok"
