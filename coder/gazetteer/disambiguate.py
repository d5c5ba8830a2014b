"""Choosing one place among places of the same name (docs/gazetteer.md)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from coder.gazetteer.builder import KIND_ORDER
from coder.gazetteer.store import GeoPlace

#: Without a hint from the document, the largest candidate wins only when it
#: is at least this many times as populous as the best of any other country.
DOMINANCE = 10

#: GeoNames gives some places (seats of districts) no population (0): in the
#: comparison above such a place counts as this many people, the smallest
#: population a place needs to be in the gazetteer otherwise.
UNKNOWN_POPULATION = 1000


def disambiguate(candidates: Iterable[GeoPlace], countries: Mapping[str, int] | None = None,
                 *, dominance: float = DOMINANCE) -> GeoPlace | None:
    """The place a name most likely means, or None when the text cannot tell.

    ``countries`` counts the document's country mentions by ISO3 code.

    1. Among the countries of the candidates, the one the document mentions
       most wins (ties: the one with the more populous candidate).
    2. Failing that, if every candidate is in one country, that country wins.
    3. Failing that, the country of the most populous candidate wins if that
       candidate has at least ``dominance`` (10) times the population of the
       best candidate of every other country (a place without a population
       counts as 1,000 people); otherwise the answer is None.

    Within the winning country: a country record before a town before a
    region of the same name ("Kharkiv" is the city, not the oblast), then the
    larger population.
    """
    groups: dict[str, list[GeoPlace]] = {}
    for place in candidates:
        groups.setdefault(place.iso3, []).append(place)
    if not groups:
        return None
    best = {iso3: min(group, key=_rank) for iso3, group in groups.items()}
    counts = countries or {}
    hinted = [iso3 for iso3 in best if counts.get(iso3, 0) > 0]
    if hinted:
        return best[max(hinted, key=lambda c: (counts[c], best[c].population))]
    if len(best) == 1:
        return next(iter(best.values()))
    ranked = sorted(best.values(), key=lambda p: p.population, reverse=True)
    if ranked[0].population >= dominance * max(ranked[1].population, UNKNOWN_POPULATION):
        return ranked[0]
    return None


def _rank(place: GeoPlace) -> tuple[int, int]:
    return KIND_ORDER[place.kind], -place.population
