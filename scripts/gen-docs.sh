#!/usr/bin/env bash
# Regenerates the reference pages from the tables in the code:
#   docs/components.md         <- dromc components --format markdown (option tables)
#   docs/routes.md (elements)  <- dromc dsl --format markdown (compiler/elements.c),
#                                 between the BEGIN/END markers
# Run after changing an option table or the element table; commit the result.
set -euo pipefail
cd "$(dirname "$0")/.."
dromc=${DROMC:-build/dromc}
[ -x "$dromc" ] || { echo "gen-docs: build dromc first (make)" >&2; exit 2; }

"$dromc" components --format markdown > docs/components.md.tmp
mv docs/components.md.tmp docs/components.md

begin='<!-- BEGIN elements (generated) -->'
end='<!-- END elements (generated) -->'
if grep -qF "$begin" docs/routes.md; then
  "$dromc" dsl --format markdown > docs/elements.tmp
  awk -v b="$begin" -v e="$end" -v f=docs/elements.tmp '
    $0 == b { print; while ((getline line < f) > 0) print line; skip = 1; next }
    $0 == e { skip = 0 }
    !skip { print }' docs/routes.md > docs/routes.md.tmp
  mv docs/routes.md.tmp docs/routes.md
  rm -f docs/elements.tmp
fi
echo "gen-docs: docs/components.md and the element reference of docs/routes.md are up to date"
