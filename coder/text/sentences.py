"""Sentence splitting for news text.

Paragraphs (lines) never share a sentence.  Inside a paragraph a sentence ends
at ``.``, ``!`` or ``?`` (with any closing quotes or brackets) followed by
space and a capital letter, a digit or an opening quote -- unless the word
before the period is a known abbreviation (``Col.``, ``Gen.``, ``Jan.``), an
initial (``F.``), or an abbreviation with inner periods (``U.S.``) that is not
followed by a typical sentence opener.  Parentheses such as ``70 km (40
miles)`` never end a sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ABBREVIATIONS = frozenset(
    """
    adm brig capt cmdr col cpl gen gov lt maj pres prof rep rev sen sgt sr jr
    mr mrs ms dr st mt ft no nos vs etc inc corp ltd co dept approx est fig
    jan feb mar apr jun jul aug sep sept oct nov dec
    """.split()
)

#: After an abbreviation such as "U.S." a new sentence starts only with one of these.
_OPENERS = frozenset(
    """
    the a an it he she they we i in on at but and however meanwhile this that
    there his her their its one some several many no after before when while
    """.split()
)

# Possessive, and only at the start of a run of end marks: a run of 40,000
# "!" would otherwise be tried from each of its characters, backtracking over
# the rest each time (quadratic: 17 s).  No backtracking can change the
# result: a shorter run is followed by another mark, not by the space needed.
# The first mark comes first and the "start of a run" test after it, so that
# the regex engine can skip ahead to the next mark instead of trying the
# lookbehind at every character (three times faster on news text).
_END_RE = re.compile(r"""[.!?](?<![.!?][.!?])[.!?]*+['"”’)\]]*+(?=\s+['"“‘(\[]?[A-Z0-9])""")
_WORD_BEFORE_RE = re.compile(r"(\S+)$")
_NEXT_WORD_RE = re.compile(r"\s+['\"“‘(\[]?([A-Za-z]+)")
_PARA_RE = re.compile(r"[^\n]+")


@dataclass(slots=True)
class Sentence:
    index: int  # 1-based position in the document
    start: int  # character offsets in the document text
    end: int
    text: str


def _is_boundary(text: str, start: int, end: int) -> bool:
    """Whether the punctuation at text[start:end] ends a sentence."""
    if text[start] != ".":
        return True
    m = _WORD_BEFORE_RE.search(text, max(0, start - 64), start)
    word = m.group(1) if m else ""
    word = word.lstrip("\"'“‘([")
    if not word:
        return True
    if "." in word or (len(word) == 1 and word.isalpha()):
        # U.S.  U.N.  F. -- a sentence ends only if a sentence opener follows
        nxt = _NEXT_WORD_RE.match(text, end)
        return bool(nxt and nxt.group(1).lower() in _OPENERS and len(word) > 1)
    return word.lower() not in ABBREVIATIONS


def split_sentences(text: str) -> list[Sentence]:
    """Split a document into sentences, numbered from 1."""
    out: list[Sentence] = []
    for para in _PARA_RE.finditer(text):
        p_start, p_end = para.span()
        start = p_start
        for m in _END_RE.finditer(text, p_start, p_end):
            if not _is_boundary(text, m.start(), m.end()):
                continue
            _append(out, text, start, m.end())
            start = m.end()
        _append(out, text, start, p_end)
    return out


def _append(out: list[Sentence], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        out.append(Sentence(len(out) + 1, start, end, text[start:end]))
