"""A rule without enough examples to show what it codes and what it must not:
at least two positive examples and one near miss (``expect: none``)."""

ID = "example-coverage"
LEVEL = "warning"
DESCRIPTION = "a rule has fewer than two positive examples or no near-miss example (expect: none)"


def check(ctx):
    for rule in ctx.cb.rules:
        positive = sum(1 for ex in rule.examples if ex.expect)
        negative = len(rule.examples) - positive
        missing = []
        if positive < 2:
            missing.append(f"{positive} positive example{'s' if positive != 1 else ''} (want 2)")
        if negative < 1:
            missing.append("no near-miss example with 'expect: none'")
        if missing:
            yield ctx.problem(ID, f"rule '{rule.id}' has " + " and ".join(missing), rule.where + ("examples",))
