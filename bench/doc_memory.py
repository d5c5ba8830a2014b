"""Memory and time of one large document: peak RSS of ``coder run`` on a
single document of ``--mb`` megabytes of news text.

    python bench/doc_memory.py [--mb 5] [--jobs 1] [--dense]

The document is made of the sentences of ``bench/corpus.py`` (about one in
six reports an event; ``--dense``: every sentence does), joined into one JSON
line; ``coder run`` codes it in a fresh process (the compiled codebook and
the gazetteer come from the cache, so the first run only warms them), and
the peak resident memory of that process and its workers together (``--jobs
N`` codes N copies of the document) and the wall time are printed.  docs/reliability.md quotes the
figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import sentence  # noqa: E402


def document(mb: float, dense: bool, seed: int = 1) -> str:
    rng = random.Random(seed)
    out, size = [], 0
    while size < mb * 1_000_000:
        s = sentence(rng, 1.0 if dense else 1 / 6)
        out.append(s)
        size += len(s) + 1
    return " ".join(out)


def measure(path: str, jobs: int, limit: int) -> tuple[float, float, str]:
    """(peak RSS in MB of the process and its workers together, seconds, summary line).

    The sum over the process tree is sampled every 20 ms with psutil (installed
    with the dask extra); without psutil, the largest single process's peak
    (``ru_maxrss``) is given instead."""
    cmd = [sys.executable, "-m", "coder", "run", path, "-o", os.devnull, "-f", "csv", "-j", str(jobs),
           "--max-doc-bytes", str(limit)]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = 0.0
    try:
        import psutil

        root = psutil.Process(proc.pid)
        while proc.poll() is None:
            try:
                tree = [root, *root.children(recursive=True)]
                peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()) / 2**20)
            except psutil.Error:
                pass
            time.sleep(0.02)
    except ImportError:
        pass
    _, err = proc.communicate()
    wall = time.perf_counter() - started
    peak = max(peak, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
    summary = (err.strip().splitlines() or ["?"])[-1]
    return peak, wall, summary


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=5.0)
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--dense", action="store_true", help="every sentence reports an event")
    args = ap.parse_args()
    text = document(args.mb, args.dense)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "doc.jsonl")
        with open(path, "w", encoding="utf-8") as f:
            for i in range(max(1, args.jobs)):
                f.write(json.dumps({"id": f"big{i}", "date": "2017-11-03", "text": text}) + "\n")
        warm = os.path.join(tmp, "warm.jsonl")
        Path(warm).write_text(json.dumps({"id": "w", "text": "Iraqi forces captured Rawa."}) + "\n")
        measure(warm, 1, 0)  # the codebook cache and the gazetteer, once
        limit = int(len(text.encode("utf-8")) * 1.01)
        peak, wall, summary = measure(path, args.jobs, limit)
    print(f"{len(text.encode('utf-8')) / 1e6:.1f} MB document x {max(1, args.jobs)}, --jobs {args.jobs}"
          f"{', dense' if args.dense else ''}: peak RSS {peak:.0f} MB, {wall:.1f} s ({summary})")


if __name__ == "__main__":
    main()
