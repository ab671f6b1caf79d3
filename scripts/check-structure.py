#!/usr/bin/env python3
"""Keeps the library's pieces small and its files free of circles.

- No function over 100 lines and no file over 600 lines in runtime/, dsl/,
  compiler/ and components/ (tests aside).
- No circle between the files of one folder of dsl/, compiler/ or a component:
  file A calling a function defined in file B while B calls one of A's means
  the two are one piece cut in the wrong place. Calls are read from the
  objects that `make` built (nm), so the answer is the linker's, not a guess.
  runtime/ is left out on purpose: the engine's dispatch table names every
  EIP and every EIP calls back into the engine, by design.
Run from the repository root after `make` (`make check-layers` builds first);
prints nothing when all is well, one line an offender otherwise (exit 1)."""
import collections
import glob
import os
import re
import subprocess
import sys

MAX_FUNC, MAX_FILE = 100, 600
LIB_DIRS = ["runtime", "dsl", "compiler", "components"]


def sources():
    for d in LIB_DIRS:
        for path in sorted(glob.glob(d + "/**/*.c", recursive=True)):
            yield path


def sizes():
    bad = []
    for path in sources():
        lines = open(path, encoding="utf-8", errors="replace").read().split("\n")
        if len(lines) - 1 > MAX_FILE:
            bad.append(f"{path}: {len(lines) - 1} lines (at most {MAX_FILE})")
        # the project's style: a top-level body opens with "{" and closes with "}" at column 0
        start, name, prev = 0, "", ""
        for i, line in enumerate(lines, 1):
            if line.startswith("{"):
                start, name = i, prev
            elif line.startswith("}") and start:
                n = i - start + 1
                if n > MAX_FUNC:
                    fn = re.search(r"(\w+)\s*\(", name)
                    bad.append(f"{path}:{start}: function {fn.group(1) if fn else name.strip()} has {n} lines "
                               f"(at most {MAX_FUNC})")
                start = 0
            elif line and not line[0].isspace():
                prev = line
    return bad


def nm(obj, *flags):
    out = subprocess.run(["nm", *flags, obj], capture_output=True, text=True, check=True).stdout
    return {l.split()[-1] for l in out.splitlines() if l.strip()}


def circles(build):
    folders = ["dsl", "compiler"] + sorted(d.rstrip("/") for d in glob.glob("components/*/"))
    bad = []
    for folder in folders:
        srcs = sorted(glob.glob(f"{folder}/*.c"))
        # objects of files since renamed or removed stay in build/ and would answer for code that is gone
        objs = [f"{build}/{s[:-2]}.o" for s in srcs]
        stale = [o for o, s in zip(objs, srcs) if not os.path.exists(o) or os.path.getmtime(o) < os.path.getmtime(s)]
        if stale:
            sys.exit(f"check-structure: {stale[0]} is missing or older than its source (run make first)")
        defined, used = {}, {}
        for o in objs:
            m = os.path.basename(o)[:-2]
            defined[m] = {s for s in nm(o, "--defined-only", "-g") if not s.endswith(":")}
            used[m] = nm(o, "-u")
        owner = {s: m for m, syms in defined.items() for s in syms}
        calls = collections.defaultdict(set)
        for m, syms in used.items():
            calls[m] = {owner[s] for s in syms if s in owner and owner[s] != m}
        state = {}

        def visit(u, stack):
            state[u] = 1
            stack.append(u)
            for v in sorted(calls[u]):
                if state.get(v) == 1:
                    cycle = stack[stack.index(v):] + [v]
                    bad.append(f"{folder}: circle " + " -> ".join(f"{c}.c" for c in cycle))
                elif not state.get(v):
                    visit(v, stack)
            stack.pop()
            state[u] = 2

        for m in sorted(defined):
            if not state.get(m):
                visit(m, [])
    return bad


def main():
    build = os.environ.get("BUILD", "build")
    bad = sizes() + circles(build)
    for b in bad:
        print("check-structure: " + b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
