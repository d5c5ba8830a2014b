"""A rule that would match almost every sentence: it needs no actor or place
and only common words, or one actor/place and only the commonest words
(``the``, ``of``, ``said``, ``is``) -- so it would code thousands of sentences
that report no event.  Regular expressions count as common when they match
common words."""

from coder.authoring.checks.common_word_alias import common_words
from coder.codebook.inflect import FUNCTION_WORDS
from coder.codebook.pattern import Group, Regex, Slot, Word

#: Words in nearly every sentence of news.
VERY_COMMON = FUNCTION_WORDS | frozenset(
    "be is are was were been being have has had do does did say says said will would can could "
    "may might also more one two new".split()
)

ID = "broad-rule"
LEVEL = "warning"
DESCRIPTION = ("a rule would match almost every sentence: it needs no slot and only common words, or one slot and only "
    "the commonest words (the, of, said)")

#: Words a regular expression is tried on to see whether it matches anything.
_PROBES = ("the", "said", "of", "and", "a", "in", "to", "is", "was", "on", "The", "He", "It", "2017", "10")


def _required(items) -> list:
    out = []
    for item in items:
        if isinstance(item, (Word, Regex)):
            out.append(item)
        elif isinstance(item, Group) and not item.optional:
            out.append(item)
    return out


def _broad(item, common) -> bool:
    if isinstance(item, Word):
        return item.text.lower() in common
    if isinstance(item, Regex):
        return sum(1 for w in _PROBES if item.matches(w)) >= 3
    if isinstance(item, Group):
        return any(all(_broad(x, common) for x in alt if isinstance(x, (Word, Regex, Group))) for alt in item.alts)
    return False


def check(ctx):
    for rule in ctx.cb.rules:
        pattern = ctx.parsed[rule.id]
        # a required slot, or a required group each of whose alternatives has one ("[{actor2}|{location}]")
        slots = len(pattern.required_slots) + sum(
            1 for item in pattern.items
            if isinstance(item, Group) and not item.optional
            and all(any(isinstance(x, Slot) for x in alt) for alt in item.alts))
        if slots >= 2:
            continue  # two named participants are specific enough
        common = common_words() if slots == 0 else VERY_COMMON
        if all(_broad(item, common) for item in _required(pattern.items)):
            need = "no actor or place and only common words" if slots == 0 else "one slot and only the commonest words"
            yield ctx.problem(
                ID,
                f"rule '{rule.id}' would match almost every sentence: it needs {need}; add a specific verb or noun",
                rule.where + ("pattern",),
            )
