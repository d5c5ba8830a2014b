"""A CAMEO code that is not in the CAMEO list shipped with coder."""

from coder.reference import cameo

ID = "bad-cameo"
LEVEL = "error"
DESCRIPTION = "a CAMEO code is not in the CAMEO code list"


def check(ctx):
    codes = cameo()
    places = []
    for name, et in ctx.cb.event_types.items():
        places.append((et.cameo, ("event_types", name, "cameo")))
        for i, v in enumerate(et.variants):
            places.append((v.cameo, ("event_types", name, "variants", i, "cameo")))
    for rule in ctx.cb.rules:
        places.append((rule.cameo, rule.where + ("cameo",)))
    for code, where in places:
        if code and code not in codes:
            yield ctx.problem(ID, f"'{code}' is not a CAMEO event code", where)
