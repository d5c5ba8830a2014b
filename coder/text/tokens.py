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


def tokenize(text: str, offset: int = 0) -> list[Token]:
    """Split ``text`` into tokens; offsets are relative to ``text`` plus ``offset``."""
    return [
        Token(m.group(), m.start() + offset, m.end() + offset, normalize(m.group()))
        for m in _TOKEN_RE.finditer(text)
    ]


def words(text: str) -> list[str]:
    """The normalised token strings of a phrase (used to compile aliases and patterns)."""
    return [normalize(m.group()) for m in _TOKEN_RE.finditer(text)]


def surface(text: str) -> list[str]:
    """The token strings of a phrase as written (for case-sensitive aliases)."""
    return [m.group() for m in _TOKEN_RE.finditer(text)]
