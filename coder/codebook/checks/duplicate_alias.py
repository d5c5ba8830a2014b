"""One name claimed by two actors (or two places): the coder could not tell
which one a sentence means."""

from coder.text.tokens import words

ID = "duplicate-alias"
LEVEL = "error"
DESCRIPTION = "an alias (or name) claimed by two actors, or by two places"


def _key(text: str, case_sensitive: bool) -> tuple:
    toks = words(text) if not case_sensitive else text.split()
    return (case_sensitive, tuple(toks) if case_sensitive else tuple(t.lower() for t in toks))


def check(ctx):
    for section, owner in (("actors", "code"), ("places", "name")):
        seen: dict = {}
        for i, item in enumerate(ctx.data.get(section) or []):
            names = [(item["name"], False, (section, i, "name"))]
            for j, alias in enumerate(item.get("aliases") or []):
                if isinstance(alias, str):
                    names.append((alias, False, (section, i, "aliases", j)))
                else:
                    names.append((alias["text"], bool(alias.get("case_sensitive")), (section, i, "aliases", j)))
            mine: set = set()
            for text, cs, where in names:
                key = _key(text, cs)
                if key in mine:
                    continue
                mine.add(key)
                if key in seen and seen[key][0] != item[owner]:
                    other, other_where = seen[key]
                    what = "actor" if section == "actors" else "place"
                    yield ctx.problem(
                        ID,
                        f"'{text}' is claimed by {what} '{item[owner]}' and by {what} '{other}' ("
                        f"{ctx.ref(other_where, where)})",
                        where,
                    )
                else:
                    seen.setdefault(key, (item[owner], where))
