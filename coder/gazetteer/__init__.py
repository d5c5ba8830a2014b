"""A gazetteer of populated places, first-level regions and countries, compiled
from GeoNames data (CC-BY 4.0) into a cached SQLite file.

    >>> from coder.gazetteer import open_gazetteer, disambiguate
    >>> g = open_gazetteer()                  # builds the cache on first use
    >>> [p.iso3 for p in g.lookup("Tripoli")][:2]
    ['LBY', 'LBY']
    >>> disambiguate(g.lookup("Tripoli"), {"LBN": 2}).country
    'Lebanon'

See docs/gazetteer.md.
"""

from coder.gazetteer.builder import build, cache_path
from coder.gazetteer.disambiguate import disambiguate
from coder.gazetteer.normalize import normalize_name
from coder.gazetteer.store import Gazetteer, GazetteerError, GeoPlace, open_gazetteer

__all__ = [
    "Gazetteer",
    "GazetteerError",
    "GeoPlace",
    "build",
    "cache_path",
    "disambiguate",
    "normalize_name",
    "open_gazetteer",
]
