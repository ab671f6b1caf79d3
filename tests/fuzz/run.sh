#!/usr/bin/env bash
# Builds every tests/fuzz/fuzz_*.c as a libFuzzer target (clang, ASan, UBSan)
# against the library sources, then runs each for SECONDS on its corpus
# (tests/fuzz/corpus/NAME, NAME from fuzz_NAME.c). Fails on any crash.
# New inputs go to build/fuzz/corpus/NAME, crashes to build/fuzz/artifacts/;
# the committed seed corpus is only read.
#   usage: tests/fuzz/run.sh [SECONDS] [NAME...]   (default 30 s, every target)
# FUZZ_PARALLEL=1 runs the chosen targets side by side (for hour-long runs);
# their results are printed once all have finished. FUZZ_TIMEOUT (10 s) is how
# long one input may run: raise it when the targets share a busy machine, where
# a starved process passes 10 s on inputs that take 0.5 s (seen: run niced
# beside other work, three targets stopped on such "timeouts").
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_EACH=${1:-30}
CC=${FUZZ_CC:-clang}
OUT=build/fuzz
PKGS=$(make -s --no-print-directory print-pkgs)
PKG_CFLAGS=$(pkg-config --cflags $PKGS 2>/dev/null || true)
PKG_LIBS=$(pkg-config --libs $PKGS 2>/dev/null || true)
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
CFLAGS="-std=c17 -D_GNU_SOURCE -O1 -g -I. $PKG_CFLAGS -pthread $SAN"
mkdir -p "$OUT/obj" "$OUT/artifacts"

# The library, as the Makefile builds it, compiled with clang for fuzzing.
# A file that does not compile is left out with a warning: a target that
# needs it then fails to link, and that is reported.
lib_src=$(ls runtime/*.c dsl/*.c compiler/*.c components/*.c components/*/*.c 2>/dev/null | sort)
objs=()
for src in $lib_src; do
  obj="$OUT/obj/${src%.c}.o"
  mkdir -p "$(dirname "$obj")"
  if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] || [ -n "$(find "$(dirname "$src")" -name '*.h' -newer "$obj" 2>/dev/null | head -1)" ]; then
    if ! $CC $CFLAGS -fsanitize=fuzzer-no-link -c "$src" -o "$obj" 2>"$obj.log"; then
      echo "warning: $src does not compile with $CC; left out (see $obj.log)" >&2
      rm -f "$obj"
      continue
    fi
  fi
  objs+=("$obj")
done
rm -f "$OUT/libdrom-fuzz.a"
ar rcs "$OUT/libdrom-fuzz.a" "${objs[@]}"

# fuzz_one BASE: builds and runs one target; its verdict goes to $OUT/BASE.verdict.
fuzz_one() {
  local base=$1 name=${1#fuzz_} bin="$OUT/$1"
  if ! $CC $CFLAGS -fsanitize=fuzzer "tests/fuzz/$base.c" "$OUT/libdrom-fuzz.a" -o "$bin" $PKG_LIBS -lm; then
    echo "FAIL $base: does not build" >"$OUT/$base.verdict"
    return
  fi
  local corpus="$OUT/corpus/$name" seeds=()
  mkdir -p "$corpus"
  [ -d "tests/fuzz/corpus/$name" ] && seeds+=("tests/fuzz/corpus/$name")
  echo "== $base: run ${SECONDS_EACH}s"
  if ! "$bin" -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -timeout="${FUZZ_TIMEOUT:-10}" \
       -artifact_prefix="$OUT/artifacts/$base-" -print_final_stats=1 \
       "$corpus" "${seeds[@]}" >"$OUT/$base.log" 2>&1; then
    { echo "FAIL $base: crashed; see $OUT/$base.log and $OUT/artifacts/"; tail -40 "$OUT/$base.log"; } >"$OUT/$base.verdict"
  else
    { grep -E '^(stat::(number_of_executed_units|new_units_added|average_exec_per_sec)|#[0-9]+[[:space:]]+DONE)' "$OUT/$base.log" | sed "s/^/   /"
      echo "ok   $base"; } >"$OUT/$base.verdict"
  fi
}

targets=()
if [ $# -gt 1 ]; then
  for n in "${@:2}"; do targets+=("fuzz_$n"); done
else
  for t in tests/fuzz/fuzz_*.c; do [ -e "$t" ] && targets+=("$(basename "$t" .c)"); done
fi
for base in "${targets[@]}"; do
  rm -f "$OUT/$base.verdict"
  if [ "${FUZZ_PARALLEL:-0}" = 1 ]; then fuzz_one "$base" & else fuzz_one "$base"; fi
done
wait
status=0
for base in "${targets[@]}"; do
  cat "$OUT/$base.verdict" 2>/dev/null || { echo "FAIL $base: no verdict"; status=1; continue; }
  grep -q '^ok ' "$OUT/$base.verdict" || status=1
done
exit $status
