"""Reading the compiled gazetteer: lookups, token scanning, country records."""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from coder.gazetteer.builder import FORMAT_VERSION, NoHome, cache_path, data_versions
from coder.gazetteer.normalize import ARTICLES, normalize_name, strip_article

if TYPE_CHECKING:
    from coder.codebook.model import Place
    from coder.text.tokens import Token

log = logging.getLogger("coder.gazetteer")

_COLUMNS = ("geonameid, kind, name, iso2, iso3, country, admin1, admin2, admin3, latitude, longitude, "
            "population, geo_precision")


@dataclass(frozen=True, slots=True)
class GeoPlace:
    """One gazetteer record: a populated place, a first-level region or a country."""

    geonameid: int | None
    kind: str  # "town" (populated place) | "region" (admin1) | "country"
    name: str  # the GeoNames name, as GeoNames writes it
    iso2: str
    iso3: str
    country: str  # the GeoNames country name ("Syria")
    admin1: str  # the region's name; "" for countries and towns GeoNames gives none
    admin2: str  # a town's second-level unit (district, raion, LGA...); "" if none is known
    admin3: str  # a town's third-level unit; "" if none is known
    latitude: float | None
    longitude: float | None
    population: int
    geo_precision: int  # ACLED: 1 town, 3 region or country

    def to_place(self) -> Place:
        """The same place as a codebook :class:`~coder.codebook.model.Place`."""
        from coder.codebook.model import Place

        return Place(name=self.name, geo_precision=self.geo_precision, kind=self.kind,
                     country=self.country, iso3=self.iso3, admin1=self.admin1,
                     admin2=self.admin2, admin3=self.admin3,
                     latitude=self.latitude, longitude=self.longitude)


class GazetteerError(Exception):
    """The gazetteer cannot be built or read."""


class _Unusable(Exception):
    """The cache file exists but cannot be used (corrupt, stale, partial)."""


class Gazetteer:
    """A read-only view of a compiled gazetteer file.

    Use :func:`open_gazetteer` rather than the constructor.  Safe to share
    between threads; a process that forks reopens the file on first use.
    """

    def __init__(self, path: str | os.PathLike, *, cache_size: int = 4096) -> None:
        self.path = Path(path)
        self._cache_size = cache_size
        self._lock = threading.Lock()
        self._names: OrderedDict[str, tuple[GeoPlace, ...]] = OrderedDict()
        self._con: sqlite3.Connection | None = None
        self._pid = -1
        self.meta = self._open()
        #: set when the cache directory could not be written and the gazetteer
        #: was built in a temporary directory (code ``cache-unwritable``)
        self.note: str | None = None

    # -- file ---------------------------------------------------------------

    def _open(self) -> dict[str, str]:
        problem = _header_problem(self.path)
        if problem:
            raise _Unusable(problem)
        try:
            con = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro&immutable=1",
                                  uri=True, check_same_thread=False)
        except sqlite3.Error as e:
            raise _Unusable(str(e)) from None
        try:
            meta = dict(con.execute("SELECT key, value FROM meta"))
        except sqlite3.Error as e:
            con.close()
            raise _Unusable(str(e)) from None
        if meta.get("format") != str(FORMAT_VERSION) or meta.get("complete") != "1":
            con.close()
            raise _Unusable(f"format {meta.get('format')!r}, expected {FORMAT_VERSION}")
        self._con, self._pid = con, os.getpid()
        return meta

    def _query(self, sql: str, args: Sequence = ()) -> list[tuple]:
        with self._lock:
            if self._con is None or self._pid != os.getpid():
                self._open()
            try:
                return self._con.execute(sql, args).fetchall()
            except sqlite3.DatabaseError as e:
                raise GazetteerError(
                    f"gazetteer cache {self.path} is damaged ({e}); delete it or run "
                    "'python -m coder.gazetteer build --force'"
                ) from None

    def close(self) -> None:
        with self._lock:
            if self._con is not None:
                self._con.close()
                self._con = None

    def __enter__(self) -> Gazetteer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- lookups ------------------------------------------------------------

    def lookup(self, name: str) -> list[GeoPlace]:
        """Every place called ``name`` (any spelling GeoNames knows, after
        normalisation), most populous first."""
        return list(self._lookup_key(normalize_name(name)))

    def _lookup_key(self, key: str) -> tuple[GeoPlace, ...]:
        with self._lock:
            hit = self._names.get(key)
            if hit is not None:
                self._names.move_to_end(key)
                return hit
        if not key:
            places: tuple[GeoPlace, ...] = ()
        else:
            sql = f"SELECT {_COLUMNS} FROM place WHERE id IN (SELECT place FROM name WHERE key = ?"
            args = [key]
            bare = strip_article(key)
            if bare != key:  # "Ar Raqqa" also finds "Raqqa", where the article is used
                sql += " UNION SELECT n.place FROM name n JOIN place p ON p.id = n.place WHERE n.key = ? AND p.ar = 1"
                args.append(bare)
            rows = self._query(sql + ") ORDER BY id", args)
            places = tuple(GeoPlace(*row) for row in rows)
        with self._lock:
            self._names[key] = places
            if len(self._names) > self._cache_size:
                self._names.popitem(last=False)
        return places

    def nearest(self, name: str, n: int = 3, cutoff: float = 0.75) -> list[str]:
        """The spellings the gazetteer knows closest to ``name`` (which it does
        not know), best first, each with the place it names when that is
        written otherwise: "Kyaukphyu" -> ["Kyaukpyu"], "Aleppoo" -> ["Aleppo
        (Ḩalab, SYR)"].  Looked for among the names that start as ``name``
        does (its first two letters), so a slip in the first letters is not
        found."""
        import difflib

        key = normalize_name(name)
        if len(key) < 3:
            return []
        prefix = key[:2]
        rows = self._query("SELECT DISTINCT key FROM name WHERE key >= ? AND key < ?",
                           (prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)))
        keys = difflib.get_close_matches(key, [r[0] for r in rows if r[0] != key], n=4 * n, cutoff=cutoff)
        out: list[str] = []
        places_shown: set = set()
        for k in keys:
            places = self._lookup_key(k)
            if not places or places[0] in places_shown:
                continue  # one spelling a place: the closest
            place = places[0]
            places_shown.add(place)
            spelling = place.name if normalize_name(place.name) == k else " ".join(w.capitalize() for w in k.split())
            out.append(spelling if spelling == place.name else f"{spelling} ({place.name}, {place.iso3})")
            if len(out) == n:
                break
        return out

    def country(self, iso3: str) -> GeoPlace:
        """The country-level record of ``iso3`` (KeyError if there is none)."""
        rows = self._query(f"SELECT {_COLUMNS} FROM place WHERE kind = 'country' AND iso3 = ?",
                           (iso3.upper(),))
        if not rows:
            raise KeyError(iso3)
        return GeoPlace(*rows[0])

    def countries(self) -> list[GeoPlace]:
        """Every country record, most populous first."""
        return [GeoPlace(*r) for r in self._query(
            f"SELECT {_COLUMNS} FROM place WHERE kind = 'country' ORDER BY id")]

    def country_of(self, word: str) -> GeoPlace | None:
        """The country that ``word`` names ("Syria", "DR Congo", "Britain"), the
        most populous when a name is shared; None if it names none."""
        for place in self._lookup_key(normalize_name(word)):
            if place.kind == "country":
                return place
        return None

    # -- text ---------------------------------------------------------------

    def find(self, tokens: Sequence[Token], max_words: int = 6,
             skip: Sequence[bool] | None = None) -> list[tuple[int, int, list[GeoPlace]]]:
        """Place names in a sentence's tokens, longest first, left to right.

        Returns ``(start, end, candidates)`` with token indices ``[start,
        end)``.  A name must be capitalised as names are (each word starts with
        a capital, except particles such as ``al``, ``de``, ``bin`` inside it)
        and must not be on the stop list of English words that are also
        place names (``May``, ``Police``, ``Reading``).  ``skip``: per token,
        whether no name the caller wants can start there (a token of a name
        it knows already)."""
        words = _words(tokens)
        stop = stop_words()
        out: list[tuple[int, int, list[GeoPlace]]] = []
        i, n = 0, len(words)
        while i < n:
            first = words[i]
            if not first.text[:1].isupper() and not (first.alpha and particle_start(first.norm)):
                i += 1  # most words: lower case, no name starts here
                continue
            if skip is not None and skip[first.start]:
                i += 1
                continue
            ends = _name_ends(words, i, max_words)
            found = None
            for j in reversed(ends):
                key = normalize_name(" ".join(w.text for w in words[i:j]))
                if key in stop and not (j == i + 1 and _acronym(words[i].text)):
                    continue  # "May", "Police"; but "US", "CAR" are countries
                places = self._lookup_key(key)
                if places:
                    found = (j, places)
                    break
            if found is None:
                i += 1
                continue
            j, places = found
            if j - i > 1 and words[i].norm in _CLASH and _starts_sentence(words, i):
                # "As Mosul fell": "As" is English unless "As Mosul" is another place
                rest = self._lookup_key(normalize_name(" ".join(w.text for w in words[i + 1:j])))
                if rest and set(rest) >= set(places):
                    i += 1
            if j - i == 1 and i > 0 and not _starts_sentence(words, i - 1) \
                    and words[i - 1].text[:1].isupper() and words[i - 1].norm not in DIRECTIONS \
                    and normalize_name(words[i - 1].text) in stop:
                # "President Assad", "George Osborne": part of a longer name
                i = j
                continue
            out.append((words[i].start, words[j - 1].end, list(places)))
            i = j
        return out


#: Lower-case words allowed inside a name ("Deir ez-Zor", "Sant Julià de
#: Lòria", "Bosnia and Herzegovina", "Frankfurt am Main").
PARTICLES = ARTICLES | frozenset(
    "bin ibn bint ben abu um umm wa de del della dell dei degli di da do dos das du des la le les "
    "lo los van von der den ter ten op aan am im an auf bei unter ob y e i et and of the upon on "
    "sur sous lès dem zum zur na nad pod".split()
)
#: Lower-case particles that may start a name written apart ("al Qaim"); the
#: others only when joined by a hyphen ("as-Suwayda").
LEADING = frozenset("al el ar ash az ad adh ath ez".split())


def particle_start(norm: str) -> bool:
    """Whether a lower-case word can start a place name: "al Qaim",
    "as-Suwayda" (a particle, hyphenated unless it is an Arabic article)."""
    if "-" not in norm:  # most words: one set look-up
        return norm in LEADING
    head = norm.split("-")[0]
    return head in LEADING or head in PARTICLES
#: Capitalised words that start a sentence in English and a name in Arabic.
_CLASH = frozenset({"as", "at", "an", "ad"})
#: Capitalised words that may stand before a place name ("Northern Raqqa").
DIRECTIONS = frozenset(
    "north south east west northern southern eastern western central upper lower greater "
    "new old northeast northwest southeast southwest".split()
)
#: Tokens after which a word starts a sentence or a quotation.
_OPENERS = frozenset('"“‘([{:;—–-•')

#: Characters a word may hold besides letters ("al-Qaim", "Qa'im", "St.").
_INNER = str.maketrans("", "", ".-'’‐‑")

#: Short capitalised abbreviations whose period belongs to the name.
_ABBREV = frozenset({"st", "ste", "mt", "ft", "pt"})


def _starts_sentence(words: list[_Word], i: int) -> bool:
    return i == 0 or words[i - 1].text in _OPENERS or words[i - 1].text in (".", "!", "?")


def _acronym(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return len(letters) <= 4 and text.isupper()


@dataclass(slots=True)
class _Word:
    text: str
    norm: str
    start: int  # token span
    end: int
    alpha: bool  # letters (and inner hyphens / apostrophes) only


def _words(tokens: Sequence[Token]) -> list[_Word]:
    """Tokens with inner apostrophes rejoined ("Qa", "'", "im" -> "Qa'im") and
    the period of "St." kept."""
    out: list[_Word] = []
    n = len(tokens)
    k = 0
    while k < n:
        tok = tokens[k]
        text, start = tok.text, k
        while k + 2 < n and tokens[k + 1].norm == "'" and tokens[k + 1].start == tokens[k].end \
                and tokens[k + 2].start == tokens[k + 1].end and tokens[k + 2].text[:1].isalpha():
            text += tokens[k + 1].text + tokens[k + 2].text
            k += 2
        if k + 1 < n and tokens[k + 1].text == "." and tokens[k + 1].start == tokens[k].end \
                and text.lower() in _ABBREV and text[:1].isupper():
            text += "."
            k += 1
        k += 1
        out.append(_Word(text, text.lower(), start, k, text.isalpha() or text.translate(_INNER).isalpha()))
    return out


def _name_ends(words: list[_Word], i: int, max_words: int) -> list[int]:
    """Ends ``j`` (exclusive) of the spans from ``i`` that are capitalised like a name."""
    ends: list[int] = []
    n = len(words)
    for j in range(i, min(n, i + max_words)):
        w = words[j]
        if not w.alpha:
            break
        parts = [p for p in w.text.replace("‐", "-").replace("‑", "-").split("-") if p]
        ok = True
        for k, part in enumerate(parts):
            if part[:1].isupper():
                continue
            low = part.lower()
            if low not in PARTICLES:
                ok = False
                break
            if j == i and k == 0 and len(parts) == 1 and low not in LEADING:
                ok = False  # "de Gaulle" is no place; "al Qaim" is
                break
        if not ok:
            break
        if parts[-1][:1].isupper():
            if not (j == i and len(w.text) < 2):
                ends.append(j + 1)
    return ends


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """Normalised entries of ``stopwords.txt``: capitalised English words that
    are also place names, never taken for a place when scanning text."""
    text = (Path(__file__).parent / "stopwords.txt").read_text(encoding="utf-8")
    out = set()
    for line in text.splitlines():
        if not line.startswith("#"):
            out.update(normalize_name(word) for word in line.split())
    return frozenset(out)


def _header_problem(path: Path) -> str | None:
    """Why ``path`` is not a whole SQLite file (None if it looks whole)."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as f:
            head = f.read(100)
    except OSError as e:
        return str(e)
    if len(head) < 100 or not head.startswith(b"SQLite format 3\x00"):
        return "not an SQLite file"
    page = int.from_bytes(head[16:18], "big")
    page = 65536 if page == 1 else page
    pages = int.from_bytes(head[28:32], "big")
    if pages * page != size:
        return f"{size} bytes where the header promises {pages * page}"
    return None


def check_file(path: str | os.PathLike) -> str | None:
    """Why the compiled file at ``path`` cannot be used, or None if it can."""
    try:
        g = Gazetteer(path)
    except _Unusable as e:
        return str(e)
    try:
        want = {f"version:{k}": v for k, v in data_versions().items()}
        got = {k: g.meta.get(k) for k in want}
        if got != want:
            return f"built from {got}, installed {want}"
    finally:
        g.close()
    return None


#: Set (for this process and the processes it starts) to the temporary
#: directory the gazetteer was built in when the cache directory cannot be written.
FALLBACK_ENV = "CODER_GAZETTEER_TMPDIR"


def open_gazetteer(cache_dir: str | os.PathLike | None = None, *, build_if_missing: bool = True,
                   countries: Iterable[str] | None = None, cache_size: int = 4096) -> Gazetteer:
    """Open the compiled gazetteer, building it first if it is missing or unusable.

    ``cache_dir`` defaults to ``$CODER_CACHE_DIR``, ``$XDG_CACHE_HOME/coder``
    or ``~/.cache/coder``; ``countries`` (ISO2 codes) opens a partial build of
    those countries only.  A build needed here runs in a child process, so
    that its peak memory (a few hundred MB while the GeoNames files are read)
    is not this process's.

    When the default cache directory cannot be written (or there is no home
    directory), the gazetteer is built once in a temporary directory, used by
    this process and the processes it starts, and removed when this process
    ends; the gazetteer's ``note`` says so (code ``cache-unwritable``)."""
    countries = tuple(countries) if countries else None
    try:
        path = cache_path(cache_dir, countries)
    except NoHome as exc:
        return _open_fallback(countries, cache_size, f"there is no cache directory: {exc}")
    if path.exists():
        try:
            return Gazetteer(path, cache_size=cache_size)
        except _Unusable as e:
            if not build_if_missing:
                raise GazetteerError(f"gazetteer cache {path} is unusable: {e}") from None
            log.warning("gazetteer cache %s is unusable (%s): rebuilding it", path, e)
    elif not build_if_missing:
        raise GazetteerError(f"no gazetteer cache at {path}: run 'python -m coder.gazetteer build'")
    if cache_dir is None:
        reason = _unwritable(path.parent)
        if reason is not None:
            return _open_fallback(countries, cache_size, f"the cache directory {path.parent} cannot be written "
                                                         f"({reason})")
    if not path.exists():
        log.warning("no gazetteer cache at %s: building it (about 15 s, once)", path)
    _build_in_child(cache_dir, countries)
    try:
        return Gazetteer(path, cache_size=cache_size)
    except (_Unusable, OSError) as e:  # pragma: no cover - a build that does not read back
        raise GazetteerError(f"gazetteer cache {path} is unusable after a rebuild: {e}") from None


def _unwritable(directory: Path) -> str | None:
    """Why a file cannot be made in ``directory`` (made if missing), or None."""
    import tempfile

    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=directory):
            pass
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


def _open_fallback(countries: tuple[str, ...] | None, cache_size: int, why: str) -> Gazetteer:
    """The gazetteer built (once per run) in a temporary directory."""
    directory = os.environ.get(FALLBACK_ENV)
    if not directory or not os.path.isdir(directory):
        import atexit
        import shutil
        import tempfile

        try:
            directory = tempfile.mkdtemp(prefix="coder-gazetteer-")
        except OSError as exc:
            raise GazetteerError(f"{why}, and no temporary directory can be made either "
                                 f"({exc.strerror or exc}): set CODER_CACHE_DIR to a directory you can write") from None
        os.environ[FALLBACK_ENV] = directory  # the processes this one starts use it too
        owner = os.getpid()

        def remove() -> None:
            if os.getpid() == owner:  # not in a forked worker
                shutil.rmtree(directory, ignore_errors=True)

        atexit.register(remove)
    path = cache_path(directory, countries)
    if not path.exists():
        _build_in_child(directory, countries)
    try:
        gaz = Gazetteer(path, cache_size=cache_size)
    except (_Unusable, OSError) as e:  # pragma: no cover - a build that does not read back
        raise GazetteerError(f"gazetteer in {directory} is unusable after a build: {e}") from None
    gaz.note = (f"{why}: the gazetteer was built in the temporary directory {directory} for this run only (about "
                "15 s each run); set CODER_CACHE_DIR to a directory you can write to keep it")
    if not built_here.get(directory):
        built_here[directory] = True
        log.warning("note: %s", gaz.note, extra={"coder_note": True})  # once; coder run reports it as a note
    return gaz


#: Fallback directories whose note was logged by this process.
built_here: dict[str, bool] = {}


def _build_in_child(cache_dir: str | os.PathLike | None, countries: tuple[str, ...] | None) -> None:
    """Run ``build`` (which re-checks the file under its lock) in a child process."""
    import subprocess
    import sys

    cmd = [sys.executable, "-m", "coder.gazetteer", "build"]
    if cache_dir is not None:
        cmd += ["--cache-dir", os.fspath(cache_dir)]
    if countries:
        cmd += ["--countries", ",".join(countries)]
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parents[2])  # the directory that holds coder/
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip().splitlines()[-5:]
        raise GazetteerError("building the gazetteer failed: " + " / ".join(tail))
