#!/usr/bin/env bash
# Proves that no layer outside components/ names a component: what the
# compiler, the engine and the programs need to know of one (its flags, its
# links, its offset store) is in its struct drom_component, so adding a
# component touches its folder and one line of components/registry.c.
# A name counts when a string literal is the name or starts "name:" or
# "name/". Not checked:
#   log, file, amqp  also the <log> step, {{file:..}} placeholders and files,
#                    and the amqp:// address scheme
#   */import*        dromc import writes Kafka Connect deployments as routes
#                    of named components: naming them is its job
#   getopt tables    a command-line flag (dromd offsets --kafka) is not a component
set -uo pipefail
cd "$(dirname "$0")/.."
names=$(python3 - <<'PY'
import glob, re
names = set()
for f in glob.glob("components/*/*.c"):
    s = open(f).read()
    for m in re.finditer(r"const struct drom_component drom_component_\w+ = \{(.*?)\n\};", s, re.S):
        body = m.group(1)
        n = re.search(r'\.name = "([^"]+)"', body)
        if n:
            names.add(n.group(1))
        a = re.search(r"\.aliases = (\w+)", body)
        if a:
            arr = re.search(r"\b%s\[\] = \{([^}]*)\}" % a.group(1), s)
            if arr:
                names.update(re.findall(r'"([^"]+)"', arr.group(1)))
print("\n".join(sorted(names - {"log", "file", "amqp"})))
PY
)
if [ -z "$names" ]; then
  echo "check-component-names: found no component in components/*/*.c"
  exit 1
fi
pattern=$(sed -E 's/[.-]/\\&/g; s/.*/"&["\/:]/' <<<"$names" | paste -sd'|')
hits=$(grep -rnE "$pattern" compiler runtime dsl cmd --include='*.[ch]' \
  | grep -vE '^(compiler|cmd/dromc)/import' | grep -v '_argument')
if [ -n "$hits" ]; then
  echo "component names outside components/ (say it in the component's struct drom_component instead):"
  echo "$hits"
  exit 1
fi
echo "check-component-names: ok ($(wc -l <<<"$names") names)"
