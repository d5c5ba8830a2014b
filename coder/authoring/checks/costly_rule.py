"""A rule whose ``...`` gaps let it try more ways through a long sentence than
the matcher allows: each gap may skip up to ``settings.max_gap`` words, so a
rule of ``g`` gaps can try ``(max_gap + 1) ** g`` ways from each trigger.
Past the matcher's bound (5,000 a trigger, 50 a token a sentence) a sentence
is matched only in part, and ``coder run`` counts it as cut short: a
sentence of 9.5 KB took 0.3 s with an eight-gap rule, 36 s a megabyte."""

from coder.codebook.pattern import Gap, Group
from coder.match.engine import MAX_STEPS

ID = "costly-rule"
LEVEL = "warning"
DESCRIPTION = ("a rule with so many '...' gaps that on a long sentence it can try more ways than the matcher allows "
               "(such sentences are matched only in part)")


def _gaps(items) -> int:
    """The gaps a match may pass: those of the items, and of the alternative
    of each group that has the most."""
    n = 0
    for item in items:
        if isinstance(item, Gap):
            n += 1
        elif isinstance(item, Group):
            n += max((_gaps(alt) for alt in item.alts), default=0)
    return n


def check(ctx):
    width = ctx.cb.settings.max_gap + 1
    for rule in ctx.cb.rules:
        gaps = _gaps(ctx.parsed[rule.id].items)
        if gaps and width ** gaps > MAX_STEPS:
            yield ctx.problem(
                ID,
                f"rule '{rule.id}' has {gaps} gaps ('...'), each skipping up to {width - 1} words: on a long "
                f"sentence it can try {width ** gaps:,} ways from each trigger, more than the matcher's "
                f"{MAX_STEPS:,}, and such sentences are matched only in part (coder run counts them as cut "
                "short); use fewer gaps, or the words between",
                rule.where + ("pattern",),
            )
