"""Clean document text before anything else looks at it.

* zero-width characters, soft hyphens and the invisible marks of
  bidirectional text (LRM, RLM, ALM, embeddings, overrides, isolates) are
  removed (``al\u200bQaim`` is ``alQaim``, ``\u200fRawa\u200f`` is ``Rawa``),
  so they cannot hide a word from the matcher;
* terminal colour codes (ANSI escape sequences such as ``\x1b[1m``) are
  removed, other control characters (NUL and friends, but not tab and
  newlines) become spaces;
* the text is put in Unicode NFC form, so that composed and decomposed accents
  match the same alias;
* a lone surrogate (possible in JSON input: ``"\\ud800"``) is not a
  character: it becomes U+FFFD, so the text can be written as UTF-8.

Offsets of sentences, tokens and dates refer to the cleaned text, which is also
the text written in the ``sentence`` field.
"""

from __future__ import annotations

import re
import unicodedata

_DROP = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"  # zero-width, soft hyphen
                               "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e"  # bidi marks
                               "\u2066\u2067\u2068\u2069"), None)  # bidi isolates
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_ANSI = re.compile(r"\x1b\[[0-9;:<=>?]{0,32}[ -/]{0,4}[@-~]")


def clean_text(text: str) -> str:
    text = text.translate(_DROP)
    if "\x1b" in text:
        text = _ANSI.sub("", text)
    if _CONTROL.search(text):
        text = _CONTROL.sub(" ", text)
    if not text.isascii():
        if _SURROGATE.search(text):
            text = _SURROGATE.sub("\ufffd", text)
        text = unicodedata.normalize("NFC", text)
    return text
