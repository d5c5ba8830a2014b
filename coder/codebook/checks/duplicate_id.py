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
                here = (section, i, key)
                at = ctx.ref((section, first[value], key), here)
                yield ctx.problem(ID, f"duplicate {what} '{value}' (first at {at})", here)
            else:
                first[value] = i
