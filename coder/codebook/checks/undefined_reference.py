"""A name used but never defined: an event type, an actor code, a place noun,
a country or a template placeholder of ``state_actors``."""

import re

from coder.countries import countries

ID = "undefined-reference"
LEVEL = "error"
DESCRIPTION = ("a rule, cue or example names an event type or actor code that is not defined; a place_ref not in "
               "place_nouns; state_actors names an unknown country or a template placeholder other than "
               "{country}, {demonym}, {capital}")

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def check(ctx):
    cb = ctx.cb
    defined = ", ".join(sorted(cb.event_types))
    codes = {a.code for a in cb.actors}
    for rule in cb.rules:
        if rule.event_type not in cb.event_types:
            yield ctx.problem(
                ID, f"event type '{rule.event_type}' is not defined (defined: {defined})", rule.where + ("event_type",)
            )
        for n, ex in enumerate(rule.examples):
            for k, expected in enumerate(ex.expect):
                for slot in ("actor1_code", "actor2_code"):
                    code = expected.get(slot)
                    if code and code not in codes:
                        where = rule.where + ("examples", n, "expect")
                        where += (
                            (slot,)
                            if isinstance(ctx.data["rules"][rule.where[1]]["examples"][n]["expect"], dict)
                            else (k, slot)
                        )
                        yield ctx.problem(ID, f"actor code '{code}' is not defined", where)
                et = expected.get("event_type")
                if et and et not in cb.event_types:
                    where = rule.where + ("examples", n, "expect")
                    where += (
                        ("event_type",)
                        if isinstance(ctx.data["rules"][rule.where[1]]["examples"][n]["expect"], dict)
                        else (k, "event_type")
                    )
                    yield ctx.problem(ID, f"event type '{et}' is not defined (defined: {defined})", where)
    for name, et in cb.event_types.items():
        for i, x in enumerate(et.excludes):
            for j, other in enumerate(x.when.events):
                if other not in cb.event_types:
                    yield ctx.problem(
                        ID,
                        f"event type '{other}' is not defined (defined: {defined})",
                        ("event_types", name, "exclude", i, "when", "events", j),
                    )
        for j, other in enumerate(et.sides_from):
            if other not in cb.event_types:
                yield ctx.problem(ID, f"event type '{other}' is not defined (defined: {defined})",
                                  ("event_types", name, "sides_from", j))
    for cue in cb.cues:
        for j, name in enumerate(cue.event_types):
            if name not in cb.event_types:
                yield ctx.problem(
                    ID, f"event type '{name}' is not defined (defined: {defined})", cue.where + ("event_types", j)
                )
    for j, noun in enumerate(cb.place_refs):
        if noun not in cb.place_nouns:
            yield ctx.problem(ID, f"'{noun}' is not in place_nouns", ("place_refs", j))
    sa = cb.state_actors
    if sa is not None:
        known = countries()
        for j, iso3 in enumerate(sa.countries or []):
            if iso3 not in known:
                yield ctx.problem(
                    ID, f"'{iso3}' is not an ISO 3166-1 alpha-3 country code", ("state_actors", "countries", j)
                )
        for role in sa.roles:
            for key, values in (("name", [role.name]), ("aliases", role.aliases)):
                for j, template in enumerate(values):
                    for name in _PLACEHOLDER.findall(template):
                        if name not in ("country", "demonym", "capital"):
                            where = role.where + ((key,) if key == "name" else (key, j))
                            yield ctx.problem(
                                ID,
                                f"unknown placeholder '{{{name}}}': use {{country}}, {{demonym}} or {{capital}}",
                                where,
                            )
