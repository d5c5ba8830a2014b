"""Scaling check: coding time must grow linearly with the size of odd inputs.

    python bench/scaling.py

For each shape of text (one huge sentence without punctuation, thousands of
sentences reporting the same event, a wall of dates, commas, brackets ...)
codes a document at 1x, 4x and 16x its base size and prints the seconds and
the growth factor per 4x step.  A factor near 4 is linear; a factor near 16
means a quadratic step crept in.
"""

from __future__ import annotations

import time
from itertools import pairwise

from coder.codebook import load_codebook
from coder.match.compile import compile_codebook
from coder.pipeline import code_document
from coder.text.document import Document

SHAPES = {
    "one long sentence, an event every 6 words": "Iraqi forces captured Rawa and ",
    "many sentences, all the same event": "Iraqi forces captured Rawa on Sunday. ",
    "long sentence full of dates": "Iraqi forces captured Rawa on Sunday in June last week and ",
    "relative clauses": "Iraqi forces, which captured Rawa, ",
    "definite place nouns": "the town was captured by IS ",
    "abbreviations": "The Dr. Col. U.S. army met Gen. Smith. ",
    "commas": ", ",
    "brackets": "( ",
    "capitalised month and day names": "March May June Sunday Monday ",
}
BASE_CHARS = 60_000


def main() -> None:
    compiled = compile_codebook(load_codebook())
    print(f"{'shape':45} {'1x s':>7} {'4x s':>7} {'16x s':>7}  growth per 4x")
    for name, unit in SHAPES.items():
        times = []
        for factor in (1, 4, 16):
            text = unit * (BASE_CHARS * factor // len(unit))
            t0 = time.perf_counter()
            code_document(compiled, Document("x", text, "2017-11-03"))
            times.append(time.perf_counter() - t0)
        growth = " ".join(f"{b / a:4.1f}" if a > 0.005 else "   -" for a, b in pairwise(times))
        print(f"{name:45} {times[0]:7.2f} {times[1]:7.2f} {times[2]:7.2f}  {growth}")


if __name__ == "__main__":
    main()
