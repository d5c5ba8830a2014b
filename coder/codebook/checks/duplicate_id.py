"""Two rules with one id, two actors with one code, two places with one name."""

ID = "duplicate-id"
LEVEL = "error"
DESCRIPTION = "two rules share an id, two actors a code, or two places a name"


def check(ctx):
    for section, key, what in (
        ("rules", "id", "rule id"),
        ("actors", "code", "actor code"),
        ("places", "name", "place name"),
    ):
        first: dict = {}
        for i, item in enumerate(ctx.data.get(section) or []):
            value = item.get(key)
            if value in first:
                line = ctx.line_of((section, first[value], key))
                yield ctx.problem(ID, f"duplicate {what} '{value}' (first at line {line})", (section, i, key))
            else:
                first[value] = i
