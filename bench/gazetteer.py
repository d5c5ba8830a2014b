"""Benchmark the GeoNames gazetteer: build time, file size, startup, lookups/s, memory.

    python bench/gazetteer.py                    # builds into a fresh temporary directory
    python bench/gazetteer.py --cache-dir DIR    # uses (or builds) the cache in DIR
    python bench/gazetteer.py --cache-dir DIR --rebuild

Every measurement runs in a fresh child process, so that one does not warm
another: the build (wall time and peak resident memory), the start-up
(``import coder.gazetteer`` + ``open_gazetteer()``, median of several runs)
and the workload (lookups of distinct names, of repeated names, and
``Gazetteer.find`` over generated news sentences), with the resident memory
that loading and using the gazetteer adds to a process.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def child(mode: str, cache_dir: str, *extra: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--worker", mode, "--cache-dir", cache_dir, *extra], check=False,
                         capture_output=True, text=True, cwd=ROOT)
    if out.returncode != 0:
        raise SystemExit(f"worker {mode} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# -- workers (each in its own process) ----------------------------------------------

def worker_build(cache_dir: str, force: bool) -> dict:
    from coder.gazetteer import build

    t = time.perf_counter()
    path = build(cache_dir, force=force)
    seconds = time.perf_counter() - t
    return {"seconds": seconds, "path": str(path), "bytes": path.stat().st_size,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def worker_startup(cache_dir: str) -> dict:
    import coder.text.tokens  # noqa: F401  (the coder is loaded already when it opens the gazetteer)

    base = rss_mb()
    t0 = time.perf_counter()
    from coder.gazetteer import open_gazetteer

    t1 = time.perf_counter()
    g = open_gazetteer(cache_dir, build_if_missing=False)
    t2 = time.perf_counter()
    g.lookup("Mosul")
    t3 = time.perf_counter()
    return {"import_ms": 1e3 * (t1 - t0), "open_ms": 1e3 * (t2 - t1), "first_lookup_ms": 1e3 * (t3 - t2),
            "rss_added_mb": rss_mb() - base}


def worker_load(cache_dir: str, sentences: int) -> dict:
    import random
    import sqlite3

    import corpus

    from coder.text.tokens import tokenize

    rng = random.Random(7)
    text = [corpus.sentence(rng, 1 / 6) for _ in range(sentences)]
    tokens = [tokenize(s) for s in text]
    # the names to look up, read before the gazetteer is loaded
    path = next(p for p in Path(cache_dir).glob("gazetteer-f*.sqlite") if "-part" not in p.name)
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    distinct = [k for (k,) in con.execute("SELECT key FROM name ORDER BY random() LIMIT 20000")]
    con.close()
    common = ["Mosul", "Raqqa", "Deir ez-Zor", "Albu Kamal", "al-Qaim", "Rawa", "Tripoli", "Goma", "Kidal",
              "Marib", "Maiduguri", "Kharkiv", "Aleppo", "Syria", "Iraq", "Paris", "Springfield", "Nowhere"] * 10

    base = rss_mb()
    from coder.gazetteer import open_gazetteer

    g = open_gazetteer(cache_dir, build_if_missing=False)
    opened = rss_mb()

    t = time.perf_counter()
    found = sum(1 for k in distinct if g.lookup(k))
    cold = len(distinct) / (time.perf_counter() - t)

    n = 0
    t = time.perf_counter()
    for _ in range(1000):
        for name in common:
            g.lookup(name)
            n += 1
    warm = n / (time.perf_counter() - t)

    t = time.perf_counter()
    hits = sum(len(g.find(toks)) for toks in tokens)
    scan = len(tokens) / (time.perf_counter() - t)
    after = rss_mb()
    return {"distinct_lookups": len(distinct), "found": found, "cold_per_s": cold, "warm_per_s": warm,
            "sentences": len(tokens), "find_per_s": scan, "names_found": hits,
            "rss_base_mb": base, "rss_added_open_mb": opened - base, "rss_added_after_mb": after - base,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


# -- main -------------------------------------------------------------------------------

def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache-dir", help="default: a fresh temporary directory (the build is measured)")
    ap.add_argument("--rebuild", action="store_true", help="rebuild even if DIR holds a valid cache")
    ap.add_argument("--sentences", type=int, default=20000, help="sentences for find() (default 20000)")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.worker:
        if args.worker == "build":
            out = worker_build(args.cache_dir, args.rebuild)
        elif args.worker == "startup":
            out = worker_startup(args.cache_dir)
        else:
            out = worker_load(args.cache_dir, args.sentences)
        print(json.dumps(out))
        return

    tmp = None
    if args.cache_dir is None:
        tmp = tempfile.TemporaryDirectory(prefix="coder-gazetteer-bench-")
        args.cache_dir = tmp.name
    import platform

    print(f"python {platform.python_version()}, {os.cpu_count()} cpu(s), cache dir {args.cache_dir}")

    b = child("build", args.cache_dir, *(["--rebuild"] if args.rebuild or tmp else []))
    from coder.gazetteer.builder import data_versions

    print(f"data: {', '.join(f'{k} {v}' for k, v in data_versions().items())}")
    if args.rebuild or tmp:
        print(f"build:    {b['seconds']:.1f} s, peak RSS {b['peak_rss_mb']:.0f} MB (in its own process)")
    else:
        print("build:    cache already there (use --rebuild to time a build)")
    print(f"file:     {b['bytes'] / 1e6:.1f} MB  {Path(b['path']).name}")

    runs = [child("startup", args.cache_dir) for _ in range(7)]
    imp = statistics.median(r["import_ms"] for r in runs)
    opn = statistics.median(r["open_ms"] for r in runs)
    first = statistics.median(r["first_lookup_ms"] for r in runs)
    added = statistics.median(r["rss_added_mb"] for r in runs)
    print(f"startup:  {imp + opn:.1f} ms median of 7 (import {imp:.1f} ms + open {opn:.1f} ms); "
          f"first lookup {first:.2f} ms; {added:.1f} MB RSS added")

    w = child("load", args.cache_dir, "--sentences", str(args.sentences))
    print(f"lookup:   {w['cold_per_s']:,.0f} lookups/s over {w['distinct_lookups']:,} distinct names "
          f"(LRU misses; {w['found']:,} found)")
    print(f"          {w['warm_per_s']:,.0f} lookups/s over 18 repeated names (LRU hits)")
    print(f"find:     {w['find_per_s']:,.0f} sentences/s over {w['sentences']:,} generated sentences "
          f"({w['names_found']:,} names found)")
    print(f"memory:   {w['rss_added_open_mb']:.1f} MB RSS added by import + open, "
          f"{w['rss_added_after_mb']:.1f} MB after the workload (LRU full, SQLite page cache warm) "
          f"(process {w['rss_base_mb']:.0f} MB before, peak {w['peak_rss_mb']:.0f} MB)")
    if tmp:
        tmp.cleanup()


if __name__ == "__main__":
    main()
