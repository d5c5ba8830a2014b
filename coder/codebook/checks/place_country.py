"""A place whose ``iso3`` is not an ISO 3166 country code (nor XKX, Kosovo),
or whose ``country`` is not a name of that code: its records would break the
event schema (``coder validate`` checks both), so the codebook is refused
where the mistake is, not record by record."""

from coder.countries import countries, known_iso3, names_country

ID = "place-country"
LEVEL = "error"
DESCRIPTION = "a place's iso3 is not an ISO 3166 country code, or its country is not a name of that code"


def check(ctx):
    for i, place in enumerate(ctx.cb.places):
        if not place.iso3:
            continue
        if not known_iso3(place.iso3):
            yield ctx.problem(ID, f"'{place.iso3}' is not an ISO 3166 country code", ("places", i, "iso3"))
        elif place.country and not names_country(place.country, place.iso3):
            known = countries().get(place.iso3)
            yield ctx.problem(ID, f"'{place.country}' is not the country of {place.iso3}"
                              + (f" ({known.name})" if known else ""), ("places", i, "country"))
