"""What goes into the report page, and the reference counts it must show.

:func:`page_data` turns records into the page's data: one compact column per
field, strings replaced by their index in a table of distinct values (a
100,000-record report repeats the same types, actors, places and rules over
and over), with everything the page would otherwise have to work out per
record worked out here once: the place of each record (its coordinates), the
timeline bin of its date, the span of its matched text in its sentence.

The page's script then only filters and counts.  :func:`summarise` does the
same counting in Python with the same rules (:class:`Filters`), so tests can
check the page shows exactly these numbers.

The rules:

* a **place** is a pair of coordinates (rounded to 4 decimals, about 10 m);
  records without both coordinates have no place: they are counted and
  listed, not drawn;
* the **timeline** bins by day when the dates span at most 92 days, by week
  (starting on Monday) up to 731 days, by month beyond; a date known only to
  the month (``YYYY-MM``) falls on the 15th in day and week bins (as in ACLED
  files); records without a date are counted, not drawn;
* the **filters**: event types (a set), ACLED sub-event type, country, actor
  (as actor1 or actor2), date range, place.  A record passes when it passes each filter given.  A
  month-only date passes a date range that overlaps its month; a record
  without a date passes only when no date bound is set.
"""

from __future__ import annotations

import calendar
import datetime
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

NO_TYPE = "(no type)"
NO_COUNTRY = "(no country)"
NO_SUBTYPE = "(no sub-event type)"

#: Okabe & Ito's colour-blind safe colours, then Tableau 10's for more types.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#8C6D1F",
           "#4E79A7", "#F28E2B", "#59A14F", "#E15759", "#B07AA1", "#76B7B2", "#FF9DA7",
           "#9C755F", "#EDC948", "#BAB0AC")

DAY_SPAN = 92
WEEK_SPAN = 731


# -- per-record facts ----------------------------------------------------------


def event_type(record: dict) -> str:
    return record["event_type"] or NO_TYPE


def country(record: dict) -> str:
    return record["country"] or NO_COUNTRY


def sub_event_type(record: dict) -> str:
    return record["acled_sub_event_type"] or NO_SUBTYPE


def fatalities(record: dict) -> int:
    """The record's fatalities; 0 when it has none (an older file, a Phoenix row)."""
    value = record.get("fatalities")
    return value if isinstance(value, int) and value > 0 else 0


def place_key(record: dict) -> str | None:
    """The place of a record: its coordinates, or ``None`` without them."""
    lat, lon = record["latitude"], record["longitude"]
    if lat is None or lon is None:
        return None
    return f"{lat:.4f},{lon:.4f}"


_SPACE = re.compile(r"\s+")


def highlight(sentence: str, matched: str) -> tuple[int, int] | None:
    """The ``(start, end)`` of ``matched`` in ``sentence`` (Python string
    offsets), or ``None`` if it is not there.

    The matched text is a slice of the sentence, so it is normally found as
    it is; failing that (an output that changed the text, like
    ``--excel-safe``'s quote or XML's removed control characters), without
    regard to case and runs of white space.
    """
    if not matched or not sentence:
        return None
    start = sentence.find(matched)
    if start >= 0:
        return start, start + len(matched)
    words = [re.escape(w) for w in _SPACE.split(matched.strip()) if w]
    if not words:
        return None
    found = re.search(r"\s+".join(words), sentence, re.IGNORECASE)
    return (found.start(), found.end()) if found else None


def utf16_offsets(text: str, span: tuple[int, int]) -> tuple[int, int]:
    """A span of Python (code point) offsets as JavaScript (UTF-16) offsets."""
    if text.isascii():
        return span

    def units(s: str) -> int:
        return len(s.encode("utf-16-le", "surrogatepass")) // 2

    return units(text[:span[0]]), units(text[:span[1]])


def date_interval(date: str) -> tuple[str, str] | None:
    """First and last day a date may be: ``2017-06`` is ``2017-06-01`` to ``2017-06-30``."""
    if len(date) == 10:
        return date, date
    if len(date) == 7:
        year, month = int(date[:4]), int(date[5:7])
        return f"{date}-01", f"{date}-{calendar.monthrange(year, month)[1]:02d}"
    return None


def time_unit(dates: Iterable[str]) -> str:
    """``day``, ``week`` or ``month``: the timeline's bin for these dates."""
    spans = [date_interval(d) for d in dates if d]
    spans = [s for s in spans if s]
    if not spans:
        return "day"
    first = datetime.date.fromisoformat(min(s[0] for s in spans))
    last = datetime.date.fromisoformat(max(s[1] for s in spans))
    days = (last - first).days
    return "day" if days <= DAY_SPAN else "week" if days <= WEEK_SPAN else "month"


def time_bin(date: str, unit: str) -> str | None:
    """The first day of the bin of ``date`` (``YYYY-MM-DD``), ``None`` without a date."""
    if not date:
        return None
    if unit == "month":
        return date[:7] + "-01"
    day = datetime.date.fromisoformat(date if len(date) == 10 else date + "-15")
    if unit == "week":
        day -= datetime.timedelta(days=day.weekday())
    return day.isoformat()


# -- filters and counts ----------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """What the page's filters select; ``None`` selects everything."""

    types: frozenset[str] | None = None
    sub_event: str | None = None
    country: str | None = None
    actor: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    place: str | None = None

    def matches(self, record: dict) -> bool:
        if self.types is not None and event_type(record) not in self.types:
            return False
        if self.sub_event is not None and sub_event_type(record) != self.sub_event:
            return False
        if self.country is not None and country(record) != self.country:
            return False
        if self.actor is not None and self.actor not in (record["actor1"], record["actor2"]):
            return False
        if self.place is not None and place_key(record) != self.place:
            return False
        if self.date_from or self.date_to:
            span = date_interval(record["event_date"])
            if span is None:
                return False
            if self.date_from and span[1] < self.date_from:
                return False
            if self.date_to and span[0] > self.date_to:
                return False
        return True


@dataclass
class Summary:
    """The counts the page shows for a set of records."""

    records: int = 0
    no_coordinates: int = 0
    no_date: int = 0
    by_type: Counter = field(default_factory=Counter)
    by_type_country: Counter = field(default_factory=Counter)  # (type, country) -> n
    by_actor: dict = field(default_factory=dict)  # actor -> [as actor1, as actor2]
    by_rule: Counter = field(default_factory=Counter)
    places: dict = field(default_factory=dict)  # place key -> Counter(type)
    timeline: Counter = field(default_factory=Counter)  # (bin, type) -> n
    unit: str = "day"
    fatalities: int = 0
    fatalities_by_country: Counter = field(default_factory=Counter)  # country -> dead
    fatalities_timeline: Counter = field(default_factory=Counter)  # (bin, type) -> dead
    place_fatalities: Counter = field(default_factory=Counter)  # place key -> dead


def summarise(records: Sequence[dict], filters: Filters | None = None,
              unit: str | None = None) -> Summary:
    """The counts of the records that pass ``filters``.  ``unit`` is the
    timeline's bin, by default :func:`time_unit` of all ``records`` (the page
    keeps the bin of the whole data when filtering)."""
    filters = filters or Filters()
    out = Summary(unit=unit or time_unit(r["event_date"] for r in records))
    for record in records:
        if not filters.matches(record):
            continue
        kind = event_type(record)
        dead = fatalities(record)
        out.records += 1
        out.fatalities += dead
        if dead:
            out.fatalities_by_country[country(record)] += dead
        out.by_type[kind] += 1
        out.by_type_country[kind, country(record)] += 1
        for slot, name in enumerate((record["actor1"], record["actor2"])):
            if name:
                out.by_actor.setdefault(name, [0, 0])[slot] += 1
        out.by_rule[record["rule_id"]] += 1
        key = place_key(record)
        if key is None:
            out.no_coordinates += 1
        else:
            out.places.setdefault(key, Counter())[kind] += 1
            if dead:
                out.place_fatalities[key] += dead
        day = time_bin(record["event_date"], out.unit)
        if day is None:
            out.no_date += 1
        else:
            out.timeline[day, kind] += 1
            if dead:
                out.fatalities_timeline[day, kind] += dead
    return out


# -- the page's data ---------------------------------------------------------------


class _Table:
    """Distinct values in order of first appearance, and their indexes."""

    def __init__(self, first: Iterable = ()):
        self.values: list = []
        self.index: dict = {}
        for value in first:
            self.add(value)

    def add(self, value) -> int:
        found = self.index.get(value)
        if found is None:
            found = self.index[value] = len(self.values)
            self.values.append(value)
        return found


def colours(types: Iterable[str]) -> dict[str, str]:
    """A colour for each event type (in sorted order, so stable across reports)."""
    return {kind: PALETTE[i % len(PALETTE)] for i, kind in enumerate(sorted(set(types)))}


def _detail(record: dict) -> str:
    """The secondary facts of a record, one line."""
    parts = []
    codes = " → ".join(c for c in (record["actor1_code"], record["actor2_code"]) if c)
    if codes:
        parts.append(codes)
    if record["cameo_code"]:
        parts.append(f"CAMEO {record['cameo_code']}")
    if record["goldstein"] is not None:
        parts.append(f"Goldstein {record['goldstein']:g}")
    acled = " / ".join(t for t in (record["acled_event_type"], record["acled_sub_event_type"]) if t)
    if acled:
        parts.append(f"ACLED {acled}")
    admin = ", ".join(a for a in (record["admin2"], record["admin1"]) if a)
    if admin:
        parts.append(admin)
    return " · ".join(parts)


#: The columns of the page's "download the filtered records as CSV" file:
#: the record fields the page does not otherwise carry come in ``ex``.
EXPORT_COLUMNS = ("event_id", "event_date", "event_type", "acled_event_type", "acled_sub_event_type",
                  "actor1", "assoc_actor_1", "actor2", "assoc_actor_2", "location", "admin1", "admin2", "country",
                  "latitude", "longitude", "fatalities", "civilian_targeting", "rule_id", "doc_id",
                  "sentence_index", "source", "sentence")
#: Fields of EXPORT_COLUMNS the page keeps only for the download (joined with a unit separator).
EXPORT_EXTRA = ("acled_event_type", "assoc_actor_1", "assoc_actor_2", "admin1", "admin2", "civilian_targeting")


def _export(record: dict) -> str:
    return "\x1f".join(str(record.get(name) or "") for name in EXPORT_EXTRA)


def page_data(records: Sequence[dict], *, title: str, files: Sequence[str],
              generator: str) -> dict:
    """The data of the page for ``records`` (JSON-ready)."""
    unit = time_unit(r["event_date"] for r in records)
    type_colours = colours(event_type(r) for r in records)
    types = _Table(sorted(type_colours))
    countries, actors, rules, subtypes = _Table(), _Table([""]), _Table(), _Table()
    sentences, bins, texts = _Table(), _Table(), _Table([""])
    places: dict[str, int] = {}
    place_rows: list[dict] = []
    cols: dict[str, list] = {name: [] for name in (
        "d", "t", "c", "a1", "a2", "p", "r", "s", "h0", "h1", "mx", "b", "loc", "doc",
        "si", "id", "src", "x", "f", "se", "ex")}
    for record in records:
        key = place_key(record)
        if key is None:
            place = -1
        else:
            place = places.get(key, -1)
            if place < 0:
                place = places[key] = len(place_rows)
                place_rows.append({"key": key, "lat": record["latitude"],
                                   "lon": record["longitude"], "names": [], "country": ""})
            row = place_rows[place]
            if record["location"] and record["location"] not in row["names"]:
                row["names"].append(record["location"])
            if record["country"] and not row["country"]:
                row["country"] = record["country"]
        sentence = record["sentence"]
        span = highlight(sentence, record["matched_text"])
        if span is not None:
            span = utf16_offsets(sentence, span)
        day = time_bin(record["event_date"], unit)
        cols["d"].append(record["event_date"])
        cols["t"].append(types.add(event_type(record)))
        cols["c"].append(countries.add(country(record)))
        cols["a1"].append(actors.add(record["actor1"]))
        cols["a2"].append(actors.add(record["actor2"]))
        cols["p"].append(place)
        cols["r"].append(rules.add(record["rule_id"]))
        cols["s"].append(sentences.add(sentence))
        cols["h0"].append(span[0] if span else -1)
        cols["h1"].append(span[1] if span else -1)
        cols["mx"].append(texts.add("" if span else record["matched_text"]))
        cols["b"].append(-1 if day is None else bins.add(day))
        cols["loc"].append(texts.add(record["location"]))
        cols["doc"].append(texts.add(record["doc_id"]))
        cols["si"].append(record["sentence_index"] if record["sentence_index"] is not None else -1)
        cols["id"].append(record["event_id"])
        cols["src"].append(texts.add(record["source"]))
        cols["x"].append(texts.add(_detail(record)))
        cols["f"].append(fatalities(record))
        cols["se"].append(subtypes.add(sub_event_type(record)))
        cols["ex"].append(texts.add(_export(record)))
    return {
        "title": title,
        "files": list(files),
        "generator": generator,
        "count": len(records),
        "unit": unit,
        "types": types.values,
        "colours": [type_colours[t] for t in types.values],
        "countries": countries.values,
        "actors": actors.values,
        "rules": rules.values,
        "subtypes": subtypes.values,
        "sentences": sentences.values,
        "bins": bins.values,
        "texts": texts.values,
        "places": place_rows,
        "export_columns": list(EXPORT_COLUMNS),
        "export_extra": list(EXPORT_EXTRA),
        "cols": cols,
    }
