"""A case-insensitive alias that is a common English word (``us``, ``may``,
``is``), or a phrase of function words only: it would match ordinary text.  Mark it ``case_sensitive: true``
(``US`` then matches only in capitals) or drop it."""

from functools import cache
from importlib.resources import files

from coder.codebook.inflect import FUNCTION_WORDS
from coder.text.tokens import words

ID = "common-word-alias"
LEVEL = "warning"
DESCRIPTION = "a case-insensitive alias of an actor or place is a common English word (us, may, is)"


@cache
def common_words() -> frozenset[str]:
    text = (files("coder") / "data" / "common_words.txt").read_text(encoding="utf-8")
    listed = {w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#")}
    return frozenset(listed | FUNCTION_WORDS)


def check(ctx):
    common = common_words()
    for section, owner in (("actors", "code"), ("places", "name")):
        for i, item in enumerate(ctx.data.get(section) or []):
            for j, alias in enumerate(item.get("aliases") or []):
                if isinstance(alias, dict):
                    if alias.get("case_sensitive"):
                        continue
                    text = alias["text"]
                else:
                    text = alias
                toks = [t.lower() for t in words(text)]
                if (len(toks) == 1 and toks[0] in common) or (toks and all(t in FUNCTION_WORDS for t in toks)):
                    yield ctx.problem(
                        ID,
                        f"alias '{text}' of {section[:-1]} '{item[owner]}' is a common English word: "
                        f"it will match ordinary text; write {{text: {text}, case_sensitive: true}} or drop it",
                        (section, i, "aliases", j),
                    )
