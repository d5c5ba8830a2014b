"""Expand a codebook's ``state_actors`` into actors: one per country and role.

``{country}``, ``{demonym}`` and ``{capital}`` in a role's name and aliases
are filled from :mod:`coder.countries`; every combination of the values is an
alias ("Iraqi forces", "Iraq's army").  Actors listed in the codebook win: a
listed actor with a generated code keeps its name and aliases and gains the
generated aliases no other listed actor claims; an alias a listed actor
claims is left out of the generated ones.  When two countries
would share a generated alias ("Congolese army"), the first country in ISO3
order keeps it.  A generated alias of one word (a country name or a capital)
is case-sensitive, so "Chad" or "Jordan" match only with a capital letter.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from coder.codebook.model import Actor, Alias, Codebook, StateRole
from coder.countries import Country, countries
from coder.text.tokens import words

_VAR = re.compile(r"\{(country|demonym|capital)\}")


@dataclass
class StateActorTable:
    actors: list[Actor]  # generated actors (listed actors not included)
    by_role: dict[tuple[str, str], Actor]  # (iso3, role code) -> actor (listed ones included)
    generic: dict[str, Actor]  # role code -> the unresolved generic actor
    extra: list[tuple[Actor, Alias]] = field(default_factory=list)  # generated aliases of listed actors


def _values(var: str, c: Country) -> tuple[str, ...]:
    if var == "country":
        return c.names or (c.name,)
    if var == "demonym":
        return c.demonyms
    return (c.capital,) if c.capital else ()


def fill(template: str, c: Country) -> list[str]:
    """Every expansion of ``template`` for country ``c`` (none if a value is missing)."""
    names = _VAR.findall(template)
    if not names:
        return [template]
    choices = [_values(n, c) for n in names]
    out = []
    for combo in itertools.product(*choices):
        it = iter(combo)
        out.append(_VAR.sub(lambda _m, it=it: next(it), template))
    return out


def _name(role: StateRole, c: Country) -> str:
    first = {"country": c.name, "demonym": (c.demonyms or (c.name,))[0], "capital": c.capital or c.name}
    return _VAR.sub(lambda m: first[m.group(1)], role.name)


def _key(text: str) -> tuple[str, ...]:
    return tuple(t.lower() for t in words(text))


def expand_state_actors(cb: Codebook) -> StateActorTable:
    table = StateActorTable([], {}, {}, [])
    sa = cb.state_actors
    if sa is None:
        return table
    listed = {a.code: a for a in cb.actors}
    claimed = {_key(a.name) for a in cb.actors} | {_key(al.text) for a in cb.actors for al in a.aliases}
    all_countries = countries()
    wanted = sorted(all_countries) if sa.countries is None else list(sa.countries)
    for role in sa.roles:
        table.generic[role.code] = Actor(
            role.code or "GOV",
            role.generic_name or (role.generic[0] if role.generic else role.code),
            role.inter,
            [],
            "",
        )
        for iso3 in wanted:
            c = all_countries.get(iso3)
            if c is None:
                continue
            code = iso3 + role.code
            aliases: list[Alias] = []
            for template in role.aliases:
                for text in fill(template, c):
                    key = _key(text)
                    if not key or key in claimed:
                        continue
                    claimed.add(key)
                    aliases.append(Alias(text, case_sensitive=len(key) == 1))
            if code in listed:  # the listed actor keeps its name and aliases, and gains these
                table.by_role[(iso3, role.code)] = listed[code]
                table.extra.extend((listed[code], alias) for alias in aliases)
                continue
            actor = Actor(code, _name(role, c), role.inter, aliases, iso3)
            table.actors.append(actor)
            table.by_role[(iso3, role.code)] = actor
    return table
