"""A rule whose pattern matches none of its own positive examples: a typo in
the pattern (or in the examples) that would silently drop the rule."""

ID = "example-no-match"
LEVEL = "error"
DESCRIPTION = "a rule's pattern matches none of its own positive examples"


def check(ctx):
    matched = ctx.examples.matched
    for rule in ctx.cb.rules:
        if matched.get(rule.id) is False:
            n = sum(1 for ex in rule.examples if ex.expect)
            yield ctx.problem(
                ID,
                f"the pattern of rule '{rule.id}' matches none of its {n} positive example{'s' if n != 1 else ''}",
                rule.where + ("pattern",),
            )
