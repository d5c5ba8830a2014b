"""Clean document text before anything else looks at it.

* zero-width characters and soft hyphens are removed (``al\u200bQaim`` is
  ``alQaim``), so they cannot hide a word from the matcher;
* other control characters (NUL and friends, but not tab and newlines) become
  spaces;
* the text is put in Unicode NFC form, so that composed and decomposed accents
  match the same alias.

Offsets of sentences, tokens and dates refer to the cleaned text, which is also
the text written in the ``sentence`` field.
"""

from __future__ import annotations

import re
import unicodedata

_DROP = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(text: str) -> str:
    text = text.translate(_DROP)
    if _CONTROL.search(text):
        text = _CONTROL.sub(" ", text)
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return text
