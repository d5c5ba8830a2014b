"""Large codebooks: how long loading and linting take, and the memory they need.

    python bench/big_codebook.py [--rules 2000] [--actors 300000] [--skip-lint]

Writes, in a temporary directory, the shipped codebook with ``--rules`` more
rules (each with three examples, as a codebook author writes them) and the
shipped codebook with ``--actors`` more actors (a Phoenix-sized actor
dictionary, each with two aliases), the added items in one more included file
(bench/extended.py), then prints for each: its size (all its files), the time
to load and check it (``load_codebook``), to compile it, and to lint it
(``coder codebook lint``, rules only), and the peak memory (RSS) of a
separate process doing each.  docs/reliability.md quotes the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from extended import shipped_with

from coder.codebook.files import codebook_files

VERBS = ["bombard", "shell", "storm", "raid", "ambush", "besiege", "assault", "strike", "pound", "attack"]


def rules_yaml(n: int) -> str:
    out = []
    for i in range(n):
        verb = VERBS[i % len(VERBS)]
        word = f"w{i}x"
        out.append(
            f"  - id: bench.r{i}\n"
            f"    event_type: offensive\n"
            f'    pattern: "{{actor1}} {verb} {word} {{location}}"\n'
            f"    examples:\n"
            f"      - text: Iraqi forces {verb}ed {word} Rawa on Friday.\n"
            f"        expect: {{event_type: offensive, actor1: Iraqi forces, location: Rawa}}\n"
            f"      - text: Islamic State {verb}ed {word} Mosul.\n"
            f"        expect: {{event_type: offensive, actor1: Islamic State, location: Mosul}}\n"
            f"      - text: The {verb} of {word} was planned.\n"
            f"        expect: none\n"
        )
    return "".join(out)


def actors_yaml(n: int) -> str:
    out = []
    for i in range(n):
        out.append(
            f"  - code: ZZA{i:07d}\n"
            f"    name: Bench Group {i}\n"
            f"    inter: 2\n"
            f"    aliases: [Bench Group {i}, BG{i} fighters]\n"
        )
    return "".join(out)


_CHILD = r"""
import json, resource, sys, time
from coder.codebook import load_codebook
from coder.match.compile import compile_codebook
path, what = sys.argv[1], sys.argv[2]
t = time.perf_counter()
if what == "lint":
    from coder.authoring.lint import lint_codebook
    found = lint_codebook(path)
    out = {"lint_s": time.perf_counter() - t, "findings": len(found)}
else:
    cb = load_codebook(path)
    load = time.perf_counter() - t
    t = time.perf_counter()
    compile_codebook(cb)
    out = {"load_s": load, "compile_s": time.perf_counter() - t}
out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""


def measure(path: str, what: str) -> dict:
    env = dict(os.environ, CODER_NO_CACHE="1")
    result = subprocess.run([sys.executable, "-c", _CHILD, path, what], capture_output=True, text=True, env=env,
                            check=False)
    if result.returncode != 0:
        return {"error": (result.stderr.strip().splitlines() or ["?"])[-1]}
    return json.loads(result.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rules", type=int, default=2000)
    ap.add_argument("--actors", type=int, default=300_000)
    ap.add_argument("--skip-lint", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cases = []
        if args.rules:
            path = str(shipped_with("rules", rules_yaml(args.rules), Path(tmp), "rules.yaml"))
            cases.append((f"{args.rules:,} more rules", path, ["load"] + ([] if args.skip_lint else ["lint"])))
        if args.actors:
            path = str(shipped_with("actors", actors_yaml(args.actors), Path(tmp), "actors.yaml"))
            cases.append((f"{args.actors:,} more actors", path, ["load"]))
        for name, path, whats in cases:
            size = sum(os.path.getsize(f) for f in codebook_files(path)) / 1e6
            for what in whats:
                started = time.perf_counter()
                figures = measure(path, what)
                wall = time.perf_counter() - started
                shown = ", ".join(f"{k} {v:.2f}" if isinstance(v, float) else f"{k} {v}" for k, v in figures.items())
                print(f"{name} ({size:.1f} MB), {what}: {shown} (process {wall:.1f} s)", flush=True)


if __name__ == "__main__":
    main()
