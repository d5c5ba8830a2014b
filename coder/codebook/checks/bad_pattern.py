"""A rule, cue or variant pattern that cannot be parsed."""

ID = "bad-pattern"
LEVEL = "error"
DESCRIPTION = "a rule, cue or variant pattern cannot be parsed (the column points into the pattern)"


def check(ctx):
    for where, exc in ctx.pattern_errors.items():
        if exc.kind != "regex":
            yield ctx.problem(ID, f"bad pattern: {exc.message}", where, exc.offset)
