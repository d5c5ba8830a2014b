"""A rule that never makes a difference: its pattern is the same as another
rule's, or every time it matches an example another rule takes the match."""

ID = "shadowed-rule"
LEVEL = "warning"
DESCRIPTION = (
    "a rule never differs from another: same pattern, or every match it makes on the examples is taken by another rule"
)


def check(ctx):
    cb = ctx.cb
    run = ctx.examples
    by_id = {rule.id: rule for rule in cb.rules}
    for rule in cb.rules:
        other_id = run.same_as.get(rule.id)
        if other_id is not None:
            other = by_id[other_id]
            yield ctx.problem(
                ID,
                f"rule '{rule.id}' has the same pattern and event type as rule '{other.id}' ("
                f"{ctx.ref(other.where, rule.where)}): it can never add a record",
                rule.where + ("pattern",),
            )
    for rule in cb.rules:
        if rule.id in run.same_as or run.kept[rule.id] or rule.id not in run.takers:
            continue
        taker, n = run.takers[rule.id].most_common(1)[0]
        yield ctx.problem(
            ID,
            f"rule '{rule.id}' gives no record on any example: all {sum(run.takers[rule.id].values())} of its "
            f"matches are taken by other rules (most often '{taker}')",
            rule.where + ("pattern",),
        )
