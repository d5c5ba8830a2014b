"""Tokens: words, clitics and punctuation with their character offsets.

The tokenizer is one compiled regular expression.  It keeps abbreviations with
inner periods (``U.S.``, ``U.S.-led``) and hyphenated words (``al-Qaim``,
``Syrian-Iraqi``) as single tokens, splits clitics (``SDF's`` -> ``SDF`` +
``'s``; ``didn't`` -> ``did`` + ``n't``) and treats every other non-space
character as a token of its own.  ``norm`` is the lower-cased form with curly
apostrophes made straight; matching compares norms unless an alias is
case-sensitive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN_RE = re.compile(
    r"""
    (?:[^\W\d_]\.){2,}(?:-\w+)*          # U.S.  U.N.  U.S.-led
    | \w+?(?=n['’]t\b)                   # did|n't
    | n['’]t\b                           # n't
    | ['’](?:s|re|ve|ll|d|m)\b           # 's 're ...
    | \w+(?:[-‐‑]\w+)*                   # words, numbers, hyphenated words
    | \S                                 # any other character
    """,
    re.VERBOSE,
)

@dataclass(slots=True)
class Token:
    text: str
    start: int
    end: int
    norm: str

    @property
    def is_word(self) -> bool:
        return self.norm[:1].isalnum()


def normalize(text: str) -> str:
    """The matching form of a token or phrase word: lower case, straight quotes."""
    return text.lower().replace("’", "'").replace("‘", "'")


#: The same tokens as ``_TOKEN_RE`` in text with no "n't" (nearly all text):
#: without the look-ahead for "n't" the expression runs about a third faster.
_PLAIN_RE = re.compile(r"(?:[^\W\d_]\.){2,}(?:-\w+)*|['’](?:s|re|ve|ll|d|m)\b|\w+(?:[-‐‑]\w+)*|\S")
_QUOTES = str.maketrans({"’": "'", "‘": "'"})


def tokenize(text: str, offset: int = 0) -> list[Token]:
    """Split ``text`` into tokens; offsets are relative to ``text`` plus ``offset``."""
    low = text.lower()
    if "n't" in low or "n’t" in low or len(low) != len(text) or "Σ" in text:
        # the full expression; or one token at a time where lower-casing
        # changes the length of the text ("İ") or depends on the context
        # (the Greek final sigma)
        return [
            Token(m.group(), m.start() + offset, m.end() + offset, normalize(m.group()))
            for m in _TOKEN_RE.finditer(text)
        ]
    if "’" in low or "‘" in low:
        low = low.translate(_QUOTES)
    out = []
    append = out.append
    for m in _PLAIN_RE.finditer(text):
        s, e = m.span()
        append(Token(text[s:e], s + offset, e + offset, low[s:e]))
    return out


def words(text: str) -> list[str]:
    """The normalised token strings of a phrase (used to compile aliases and patterns)."""
    return [normalize(m.group()) for m in _TOKEN_RE.finditer(text)]


def surface(text: str) -> list[str]:
    """The token strings of a phrase as written (for case-sensitive aliases)."""
    return [m.group() for m in _TOKEN_RE.finditer(text)]
