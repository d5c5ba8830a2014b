"""Benchmark: code a generated corpus in-process and print the figures.

    python bench/bench.py                 # 100,000 sentences
    python bench/bench.py --sentences 1000000 --event-share 1.0

Prints sentences per second, documents per second, events, and peak memory
(maximum resident set size of the process).  The corpus comes from
bench/corpus.py with a fixed seed, so runs are comparable.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus  # noqa: E402

from coder.engines.runner import run  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sentences", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--event-share", type=float, default=1 / 6)
    ap.add_argument("--format", default="csv", choices=["csv", "xml"])
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "news.jsonl")
        t0 = time.perf_counter()
        with open(src, "w", encoding="utf-8") as f:
            import json

            for doc in corpus.documents(args.sentences, args.seed, args.event_share):
                f.write(json.dumps(doc) + "\n")
        gen = time.perf_counter() - t0
        out = os.path.join(tmp, f"events.{args.format}")
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t0 = time.perf_counter()
        report = run(src, out)
        secs = time.perf_counter() - t0
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        size = os.path.getsize(src)
    print(f"corpus: {args.sentences:,} sentences, {report.documents_read:,} documents, "
          f"{size / 1e6:.1f} MB (generated in {gen:.1f} s), event share {args.event_share:.2f}")
    print(f"coded:  {report.events:,} events in {secs:.2f} s (codebook load and compile included)")
    print(f"speed:  {report.sentences / secs:,.0f} sentences/s, {report.documents_read / secs:,.0f} documents/s, "
          f"{size / 1e6 / secs:.2f} MB/s")
    print(f"memory: peak RSS {rss / 1024:.0f} MB (before the run {rss_before / 1024:.0f} MB)")


if __name__ == "__main__":
    main()
