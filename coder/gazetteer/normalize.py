"""The lookup form of a place name (see docs/gazetteer.md, "Normalisation").

``normalize_name`` is applied to every name when the gazetteer is built and to
every query, so two spellings meet when they differ only in

* case (``MOSUL``, ``mosul``) and diacritics (``Ālbū Kamāl``, ``Albu Kamal``);
* apostrophes and ayn/hamza marks, which are dropped (``Al Qa'im``,
  ``Al Qā’im`` and ``Al Qaim`` are all ``al qaim``);
* hyphens and other punctuation, which become spaces (``Deir ez-Zor`` is
  ``deir al zor``, ``Ar-Raqqah`` is ``al raqqah``);
* the spelling of the Arabic article: ``al``, ``el``, ``ar``, ``as``, ``ash``,
  ``az``, ``ad`` ... before another word are all written ``al``.

Dropping the article altogether (``Qaim`` for ``Al Qa'im``) is done by the
gazetteer, not here, and only for places in countries that use it.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

#: Spellings of the Arabic article (and its sun-letter assimilations) that are
#: unified to ``al`` when another word follows.
ARTICLES = frozenset(
    "al el il ul ad adh ag an ar as ash at ath az ed en er es esh et ez".split()
)

_APOSTROPHES = "'’‘`´ʼʻʿʾ′‛＇\"“”"
_LETTERS = {
    "ø": "o", "đ": "d", "ð": "d", "þ": "th", "ł": "l", "ı": "i", "ħ": "h",
    "ŧ": "t", "ə": "a", "ǝ": "a", "æ": "ae", "œ": "oe", "ŀ": "l", "ƒ": "f",
}
_NON_WORD = re.compile(r"[\W_]+")
_TABLE = str.maketrans({**{c: "" for c in _APOSTROPHES}, **_LETTERS})


def fold(text: str) -> str:
    """Case-folded, without diacritics or apostrophes; other characters kept."""
    text = text.casefold()
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return text.translate(_TABLE)


def without_diacritics(text: str) -> str:
    """GeoNames' names without diacritics ("Al Ḩudaydah" -> "Al Hudaydah"),
    as ACLED writes places and as records carry them; case, apostrophes and
    letters with no ASCII form are kept."""
    if not text or text.isascii():
        return text
    folded = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", folded)


@lru_cache(maxsize=65536)  # the same names recur from sentence to sentence
def normalize_name(text: str) -> str:
    """The lookup key of a name: folded words joined by single spaces, with the
    Arabic article unified to ``al`` (``"Ar-Raqqah"`` -> ``"al raqqah"``)."""
    parts = _NON_WORD.sub(" ", fold(text)).split()
    last = len(parts) - 1
    return " ".join("al" if k < last and p in ARTICLES else p for k, p in enumerate(parts))


def strip_article(key: str) -> str:
    """``"al qaim"`` -> ``"qaim"``; a key without a leading article, or that is
    only the article and one word shorter than two letters, is returned as is."""
    if key.startswith("al ") and len(key) > 4:
        return key[3:]
    return key


#: A letter outside the Latin script (Latin letters, IPA and modifier letters
#: such as the ayn ``ʿ`` are allowed).
_NON_LATIN = re.compile(
    "[^\\W\\d_A-Za-z\u00aa\u00ba\u00c0-\u02ff\u1e00-\u1eff\u2c60-\u2c7f"
    "\ua720-\ua7ff\uab30-\uab6f\uff21-\uff3a\uff41-\uff5a]"
)


def is_latin(name: str) -> bool:
    """True when every letter of ``name`` is in the Latin script."""
    return name.isascii() or _NON_LATIN.search(name) is None
