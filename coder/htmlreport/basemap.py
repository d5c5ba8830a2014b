"""The base map: country outlines from the ``countryinfo`` package.

``countryinfo`` (MIT licence, no dependencies) ships a JSON file per country
holding, among other facts, its outline as GeoJSON (Natural Earth's 1:110m
admin-0 shapes, public domain).  The report draws them as filled polygons
under the markers: no tile server, no request.

The outlines are turned into the form the page draws: per country, its rings
as ``[[lon, lat], ...]`` lists running clockwise, coordinates rounded to 2
decimals (about 1 km, far finer than 1:110m shapes) to keep the page small.
"""

from __future__ import annotations

import functools


@functools.cache
def world_outlines() -> list[dict]:
    """``[{"id": ISO3, "name": ..., "rings": [[[lon, lat], ...], ...]}, ...]``,
    sorted by id."""
    from countryinfo import CountryInfo

    found: dict[str, dict] = {}
    for info in CountryInfo.all().values():
        for feature in (info.get("geoJSON") or {}).get("features", []):
            geometry = feature.get("geometry") or {}
            rings = _rings(geometry)
            ident = str(feature.get("id") or (feature.get("properties") or {}).get("name") or "")
            if not rings or not ident or ident in found:
                continue
            found[ident] = {"id": ident,
                            "name": (feature.get("properties") or {}).get("name", ident),
                            "rings": rings}
    return [found[k] for k in sorted(found)]


def _rings(geometry: dict) -> list[list[list[float]]]:
    kind, coords = geometry.get("type"), geometry.get("coordinates") or []
    polygons = [coords] if kind == "Polygon" else coords if kind == "MultiPolygon" else []
    out = []
    for polygon in polygons:
        for ring in polygon:
            points = [[round(float(p[0]), 2), round(float(p[1]), 2)] for p in ring if len(p) >= 2]
            if len(points) >= 4:
                out.append(clockwise(points))
    return out


def clockwise(ring: list[list[float]]) -> list[list[float]]:
    """``ring`` running clockwise on a map with north up.

    The page draws each ring as a filled spherical polygon (d3-geo, inside
    plotly.js), whose inside is the side on the right of a clockwise ring: an
    anticlockwise ring (GeoJSON's right-hand rule) would fill the rest of the
    world instead.  Holes (lakes) are filled too, which at 1:110m loses nothing.
    """
    area = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True))
    return ring[::-1] if area > 0 else ring
