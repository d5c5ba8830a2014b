"""A rule that never makes a difference: its pattern is the same as another
rule's, or every time it matches an example another rule takes the match."""

from collections import Counter

from coder.codebook.pattern import parse

ID = "shadowed-rule"
LEVEL = "warning"
DESCRIPTION = (
    "a rule never differs from another: same pattern, or every match it makes on the examples is taken by another rule"
)


def check(ctx):
    cb = ctx.cb
    seen: dict = {}
    duplicate = set()
    for rule in cb.rules:
        key = (rule.event_type, parse(rule.pattern, extra_forms=cb.inflections).items)
        if key in seen:
            other = seen[key]
            duplicate.add(rule.id)
            yield ctx.problem(
                ID,
                f"rule '{rule.id}' has the same pattern and event type as rule '{other.id}' (line "
                f"{ctx.line_of(other.where)}): it can never add a record",
                rule.where + ("pattern",),
            )
        else:
            seen[key] = rule
    kept: Counter = Counter()
    takers: dict[str, Counter] = {}
    for _rule, _n, _ex, trace, records in ctx.example_traces:
        winners = {r.rule_id for r in records}
        for t in trace:
            for c in t.candidates:
                rid = c.rule.rule.id
                if c.status == "kept" and rid in winners:
                    kept[rid] += 1
                elif c.reason.startswith("overlaps rule "):
                    taker = c.reason.split()[2].rstrip(",")
                    takers.setdefault(rid, Counter())[taker] += 1
    for rule in cb.rules:
        if rule.id in duplicate or kept[rule.id] or rule.id not in takers:
            continue
        taker, n = takers[rule.id].most_common(1)[0]
        yield ctx.problem(
            ID,
            f"rule '{rule.id}' gives no record on any example: all {sum(takers[rule.id].values())} of its matches are "
            f"taken by other rules (most often '{taker}')",
            rule.where + ("pattern",),
        )
