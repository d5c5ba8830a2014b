"""A rule of many ``...`` gaps on long sentences: the seconds it costs.

    python bench/costly_rule.py [--gaps 8] [--kb 9.5]

Adds to the shipped codebook one rule whose pattern has ``--gaps`` gaps
(``{actor1} attack ... w1 ... w2 ... {location}``), and codes one sentence of
``--kb`` kilobytes in which the rule's words occur over and over and its last
slot never (so every trigger backtracks through every gap), then 1 MB of such
sentences.  Prints the seconds per sentence and per megabyte, and how many
sentences the matcher cut short (its step bound,
``coder.match.engine.SENTENCE_STEPS_PER_TOKEN``).  docs/reliability.md quotes
the figures.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from extended import shipped_with

from coder.codebook import load_codebook
from coder.match.compile import compile_codebook
from coder.pipeline import Report, code_corpus
from coder.text.document import Document


def codebook_with_gaps(gaps: int, path: Path) -> None:
    words = " ... ".join(f"w{k}x" for k in range(1, gaps))
    rule = (f"  - id: bench.gaps\n    event_type: offensive\n"
            f"    pattern: \"{{actor1}} attack ... {words} ... {{location}}\"\n"
            "    examples:\n      - text: Iraqi forces attacked w1x w2x Rawa.\n"
            "        expect: none\n")
    shipped_with("rules", rule, path.parent, path.name)


def main() -> None:
    import tempfile

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gaps", type=int, default=8)
    ap.add_argument("--kb", type=float, default=9.5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "gaps.yaml"
        codebook_with_gaps(args.gaps, path)
        compiled = compile_codebook(load_codebook(path))
    # every word of the rule, over and over, and no place after them: each trigger
    # tries every way through the gaps before it gives up
    unit = "Iraqi forces attacked " + " ".join(f"w{k}x" for k in range(1, args.gaps)) + " and "
    # a place, so that the rule is tried at all, but before the words, where the slot cannot take it
    sentence = "In Rawa " + (unit * int(args.kb * 1000 / len(unit) + 1))[: int(args.kb * 1000) - 8].rstrip() + "."
    for name, text in (("one sentence", sentence), ("1 MB of them", " ".join([sentence] * int(1e6 // len(sentence))))):
        report = Report()
        started = time.perf_counter()
        list(code_corpus(compiled, [Document("d", text)], report, max_sentence_chars=None))
        seconds = time.perf_counter() - started
        print(f"{args.gaps} gaps, {name} ({len(text) / 1000:,.1f} KB, {report.sentences} sentences): {seconds:.2f} s, "
              f"{seconds / (len(text) / 1e6):.1f} s per MB; cut short: {getattr(report, 'sentences_cut_short', '-')}",
              flush=True)


if __name__ == "__main__":
    main()
