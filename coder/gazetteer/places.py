"""Codebook places that take what they lack from the gazetteer.

A ``places:`` entry with ``gazetteer: true`` names a place the gazetteer
knows, to give it more spellings (its ``aliases``) or to correct one of its
fields, without copying coordinates, admin1 and country by hand::

    places:
      - name: Kyaukpyu          # as the gazetteer writes it
        aliases: [Kyaukphyu]
        gazetteer: true
        iso3: MMR               # optional: which Kyaukpyu, if several

:func:`fill_places` fills each such place in place from the gazetteer's
place of that name (the most populous, in ``iso3`` when given; of ``kind``
when given): coordinates, admin1, country and ISO3, kind and geo precision,
each only where the entry gives none.  The compiled codebook shares the
:class:`~coder.codebook.model.Place` objects with its lexicon, so a filled
place is what every record of it carries.  A name the gazetteer does not know
is a ``gazetteer-place`` problem at the entry, with the nearest spellings it
does know.
"""

from __future__ import annotations

import math

from coder.errors import Problem
from coder.gazetteer.normalize import without_diacritics
from coder.gazetteer.store import Gazetteer


def needs_filling(cb) -> bool:
    """Whether the codebook has a ``gazetteer: true`` place not filled yet
    (asked before every document: the answer is kept on the codebook)."""
    filled = cb.__dict__.get("_places_filled")
    if filled is None:
        filled = not any(p.gazetteer for p in cb.places)
        if filled:
            cb.__dict__["_places_filled"] = True
    return not filled


def fill_places(cb, gazetteer: Gazetteer) -> list[Problem]:
    """Fill the ``gazetteer: true`` places of ``cb`` (once); the problems of
    those the gazetteer does not know."""
    problems: list[Problem] = []
    for i, place in enumerate(cb.places):
        if not place.gazetteer:
            continue
        found = [g for g in gazetteer.lookup(place.name)
                 if (not place.iso3 or g.iso3 == place.iso3) and (not place.kind or g.kind == place.kind)]
        if not found:
            where = f" in {place.iso3}" if place.iso3 else ""
            nearest = gazetteer.nearest(place.name)
            hint = f" (nearest: {', '.join(nearest)})" if nearest else ""
            file, line, col = cb.positions.where(("places", i, "name"))
            problems.append(Problem("gazetteer-place", f"'{place.name}' is not a place of the gazetteer{where}"
                                    f"{hint}: a place with 'gazetteer: true' must be one", file or cb.path, line, col,
                                    f"places[{i}].name"))
            continue
        g = found[0]
        if place.latitude is None and place.longitude is None:
            place.latitude, place.longitude = g.latitude, g.longitude
        if not place.iso3:
            place.iso3 = g.iso3
        if not place.country:
            place.country = without_diacritics(g.country)
        if not place.admin1:
            place.admin1 = without_diacritics(g.admin1)
        if not place.admin2 and not place.admin3 and (place.admin1 == without_diacritics(g.admin1)):
            place.admin2, place.admin3 = without_diacritics(g.admin2), without_diacritics(g.admin3)
        if not place.kind:
            place.kind = g.kind
        if not place.geo_precision:
            place.geo_precision = g.geo_precision
    if not problems:
        cb.__dict__["_places_filled"] = True
    return problems


#: (name, iso3, latitude, longitude) of a codebook town -> its (admin2, admin3) from the gazetteer
_UNITS: dict[tuple, tuple[str, str]] = {}

#: How far (km) a codebook town's coordinates may be from the gazetteer's
#: town of the same name for the two to be one town.
SAME_TOWN_KM = 25.0


def _near(place, g) -> bool:
    if place.latitude is None or place.longitude is None:
        return True
    if g.latitude is None or g.longitude is None:
        return False
    la1, lo1, la2, lo2 = map(math.radians, (place.latitude, place.longitude, g.latitude, g.longitude))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h))) <= SAME_TOWN_KM


def lower_units(place, gazetteer: Gazetteer) -> None:
    """Give a codebook town that names no ``admin2``/``admin3`` those of the
    gazetteer's town of the same name, so that a town listed in the codebook
    is written with its district like one the gazetteer found: the most
    populous town of that name in the entry's ``iso3``, and, when the entry
    gives coordinates, within :data:`SAME_TOWN_KM` of them (codebooks and
    GeoNames spell admin1 differently: "Nineveh", "Nīnawá", so admin1 is not
    compared).  Called when the place is first mentioned; what it finds is kept."""
    if place.admin2 or place.admin3 or place.kind != "town":
        return
    key = (place.name, place.iso3, place.latitude, place.longitude)
    units = _UNITS.get(key)
    if units is None:
        units = ("", "")
        for g in gazetteer.lookup(place.name):
            if g.kind == "town" and (not place.iso3 or g.iso3 == place.iso3) and _near(place, g):
                units = (without_diacritics(g.admin2), without_diacritics(g.admin3))
                break
        if len(_UNITS) > 100_000:  # pragma: no cover - bound the memo
            _UNITS.clear()
        _UNITS[key] = units
    place.admin2, place.admin3 = units
