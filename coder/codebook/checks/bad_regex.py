"""A regular expression (``/.../`` in a pattern) that is invalid, or that the
linear-time engine (re2) cannot run: backreferences and lookaround could take
super-linear time on hostile text, so they are refused."""

ID = "bad-regex"
LEVEL = "error"
DESCRIPTION = (
    "a /regex/ in a pattern is invalid or needs a feature re2 cannot run in linear time (backreference, lookaround)"
)


def check(ctx):
    for where, exc in ctx.pattern_errors.items():
        if exc.kind == "regex":
            yield ctx.problem(ID, exc.message, where, exc.offset)
