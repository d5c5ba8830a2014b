"""A place with ``gazetteer: true`` that the gazetteer does not know (by its
name, in its ``iso3``, of its ``kind``): the message gives the nearest
spellings the gazetteer knows.  ``coder run`` refuses such a codebook too,
before coding."""

from coder.gazetteer import GazetteerError, open_gazetteer
from coder.gazetteer.places import fill_places, needs_filling

ID = "gazetteer-place"
LEVEL = "error"
DESCRIPTION = "a place with 'gazetteer: true' is not a place of the gazetteer"


def check(ctx):
    cb = ctx.cb
    if not needs_filling(cb):
        return
    try:
        gazetteer = ctx.compiled.gazetteer() or open_gazetteer()
    except GazetteerError:
        return  # the gazetteer cannot be had: the run says so
    problems = fill_places(cb, gazetteer)
    cb.__dict__["_places_filled"] = True  # the other checks code the examples with the places that were found
    yield from problems
