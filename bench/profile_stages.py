"""Where the time of one process goes, stage by stage.

    python bench/profile_stages.py                       # 20,000 sentences of the general corpus
    python bench/profile_stages.py --corpus dense --sentences 50000

Each stage is timed from outside, on the same generated corpus, by calling
the function that does it alone (no timer inside the coder's hot code):

* **read**: ``read_corpus`` over the JSONL file (decode, JSON, documents);
* **split**: ``clean_text`` and ``split_sentences`` of every document;
* **match** and **build**: ``code_document`` of every document, less the
  split time; this is divided between match (prefilter, tokenize, mentions,
  dates, rules) and build (drafts, merging, records: ``coder.events.build``)
  in the proportions a ``cProfile`` run of ``code_document`` gives (the
  profiler slows the code, but both parts alike);
* **validate**: ``validate_record`` of every record (the writer does it once
  a record);
* **write**: the CSV writer alone (validation off), into a temporary file.

Then ``coder.engines.runner.run(..., jobs=1)``, the whole run in this process, for
comparison: the difference from the sum of the stages is the glue (counting,
limits, progress) and loading the codebook from its cache.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus as gen  # noqa: E402

from coder.codebook import load_codebook  # noqa: E402
from coder.engines.runner import run  # noqa: E402
from coder.io.readers import read_corpus  # noqa: E402
from coder.io.schema import validate_record  # noqa: E402
from coder.io.writers import open_writer  # noqa: E402
from coder.match.cache import load_compiled  # noqa: E402
from coder.match.compile import compile_codebook  # noqa: E402
from coder.pipeline import code_document  # noqa: E402
from coder.text.clean import clean_text  # noqa: E402
from coder.text.document import Document  # noqa: E402
from coder.text.sentences import split_sentences  # noqa: E402

SHARES = {"general": 1 / 6, "dense": 1.0, "sparse": 0.02}
BUILD = ("draft_events", "finalize", "to_record")  # coder/events/build.py


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def build_share(compiled, docs: list[Document]) -> float:
    """The share of build in code_document's time less splitting, by cProfile."""
    prof = cProfile.Profile()
    prof.enable()
    for d in docs:
        code_document(compiled, d, max_sentence_chars=10_000)
    prof.disable()
    stats = pstats.Stats(prof).stats  # (file, line, name) -> (cc, nc, tt, ct, callers)
    total = split = build = 0.0
    for (path, _, name), (_, _, _, cum, _) in stats.items():
        if name == "code_document" and path.endswith("pipeline.py"):
            total += cum
        elif name == "split_sentences" or name == "clean_text":
            split += cum
        elif name in BUILD and path.endswith(os.path.join("events", "build.py")):
            build += cum
    return build / max(total - split, 1e-9)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sentences", type=int, default=20_000)
    ap.add_argument("--corpus", choices=sorted(SHARES), default="general")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "news.jsonl")
        with open(src, "w", encoding="utf-8") as f:
            for doc in gen.documents(args.sentences, args.seed, SHARES[args.corpus]):
                f.write(json.dumps(doc) + "\n")
        size = os.path.getsize(src)

        cold, _ = timed(lambda: compile_codebook(load_codebook()))
        load_compiled(None)  # warm the cache
        warm, compiled = timed(lambda: load_compiled(None))

        t_read, docs = timed(lambda: [d for d in read_corpus(src) if isinstance(d, Document)])
        t_split, n_sent = timed(lambda: sum(len(split_sentences(clean_text(d.text))) for d in docs))
        t_code, records = timed(
            lambda: [r for d in docs for r in code_document(compiled, d, max_sentence_chars=10_000)[0]]
        )
        share = build_share(compiled, docs[: max(1, len(docs) // 4)])
        t_match_build = max(t_code - t_split, 0.0)
        t_build = t_match_build * share
        t_match = t_match_build - t_build
        t_validate, _ = timed(lambda: [validate_record(r.non_empty()) for r in records])

        def write():
            with open_writer(os.path.join(tmp, "out.csv"), "csv", validate=False) as w:
                for r in records:
                    w.write(r)

        t_write, _ = timed(write)
        t_run, report = timed(lambda: run(src, os.path.join(tmp, "run.csv"), jobs=1))

    stages = [
        ("read", t_read),
        ("split", t_split),
        ("match", t_match),
        ("build", t_build),
        ("validate", t_validate),
        ("write", t_write),
    ]
    total = sum(t for _, t in stages)
    print(
        f"corpus: {args.corpus}, {n_sent:,} sentences in {len(docs):,} documents ({size / 1e6:.1f} MB), "
        f"{len(records):,} records"
    )
    print(f"codebook: compile from YAML {cold:.3f} s, load from the warm cache {warm:.3f} s")
    print(f"{'stage':10} {'seconds':>8} {'share':>6} {'us/sentence':>12} {'us/record':>10}")
    for name, t in stages:
        print(f"{name:10} {t:8.2f} {t / total:6.1%} {t / n_sent * 1e6:12.1f} {t / max(len(records), 1) * 1e6:10.1f}")
    print(f"{'sum':10} {total:8.2f}        {total / n_sent * 1e6:12.1f}   ({n_sent / total:,.0f} sentences/s)")
    print(
        f"{'run()':10} {t_run:8.2f}        {t_run / n_sent * 1e6:12.1f}   "
        f"({report.sentences / t_run:,.0f} sentences/s; glue and codebook load {t_run - total:+.2f} s)"
    )
    print(f"(match and build split by cProfile: build is {share:.0%} of code_document less splitting)")


if __name__ == "__main__":
    main()
