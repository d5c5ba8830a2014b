"""The output formats besides coder's own CSV and XML: JSONL, ACLED and Phoenix.

Each format turns a :class:`~coder.events.record.Record` into one row (a dict
of typed values, empty ones left out), checks the row against its schema in
``schemas/`` and writes it:

* ``jsonl``: one JSON object per line holding every field of the record, in
  field order, typed: numbers as JSON numbers, an empty number as ``null``, an
  empty text as ``""``.  Checked against ``schemas/event.schema.json`` (the
  record itself, as for CSV and XML).
* ``acled``: a CSV file with ACLED's 31 columns (:data:`ACLED_COLUMNS`) in
  ACLED's order, each row checked against ``schemas/acled.schema.json``.
* ``phoenix``: tab-separated rows with the 26 columns of the Phoenix event data
  set (:data:`PHOENIX_COLUMNS`), no header, each row checked against
  ``schemas/phoenix.schema.json``.  Tabs and line breaks inside values are
  written as spaces.

docs/output.md says how every column is filled.  ACLED's ``inter1``/``inter2``
and Phoenix's actor "entity" need facts about the actors that records do not
carry (a record has only actor codes): they come from the codebook as an
:class:`ActorTable`.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import BinaryIO

from coder.errors import OutputError, Problem
from coder.events.record import (
    FIELDS,
    INTEGER_FIELDS,
    NUMBER_FIELDS,
    Record,
    format_value,
)
from coder.io.schema import facts, sorted_problems, validate_row
from coder.reference import acled_disorder_types

ACLED_COLUMNS: tuple[str, ...] = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type",
    "event_type", "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2",
    "assoc_actor_2", "inter2", "interaction", "civilian_targeting", "iso", "region",
    "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude",
    "geo_precision", "source", "source_scale", "notes", "fatalities", "tags", "timestamp",
)
ACLED_INTEGERS = frozenset({"year", "time_precision", "inter1", "inter2", "interaction",
                            "iso", "geo_precision", "fatalities", "timestamp"})
ACLED_NUMBERS = frozenset({"latitude", "longitude"})

PHOENIX_COLUMNS: tuple[str, ...] = (
    "EventID", "Date", "Year", "Month", "Day",
    "SourceActorFull", "SourceActorEntity", "SourceActorRole", "SourceActorAttribute",
    "TargetActorFull", "TargetActorEntity", "TargetActorRole", "TargetActorAttribute",
    "EventCode", "EventRootCode", "QuadClass", "GoldsteinScore", "Issues",
    "Lat", "Lon", "LocationName", "StateName", "CountryCode",
    "SentenceID", "URLs", "NewsSources",
)
PHOENIX_INTEGERS = frozenset({"Year", "Month", "Day", "QuadClass"})
PHOENIX_NUMBERS = frozenset({"GoldsteinScore", "Lat", "Lon"})

#: What a good value of a patterned or enumerated column looks like.
ACLED_HINTS = {
    "event_id_cnty": "an ISO alpha-3 code (or nothing) and 16 lowercase hex digits",
    "event_date": "a YYYY-MM-DD date",
    "disorder_type": "an ACLED disorder type",
    "event_type": "an ACLED event type",
    "sub_event_type": "an ACLED sub-event type",
}
PHOENIX_HINTS = {
    "EventID": "a 16-digit lowercase hex id",
    "Date": "a YYYYMMDD or YYYYMM date",
    "SourceActorFull": "an actor code (3 to 15 uppercase letters or digits)",
    "TargetActorFull": "an actor code (3 to 15 uppercase letters or digits)",
    "SourceActorEntity": "a three-letter code",
    "TargetActorEntity": "a three-letter code",
    "SourceActorRole": "a CAMEO role code (GOV, MIL, REB, ...)",
    "TargetActorRole": "a CAMEO role code (GOV, MIL, REB, ...)",
    "SourceActorAttribute": "uppercase letters or digits",
    "TargetActorAttribute": "uppercase letters or digits",
    "EventCode": "a CAMEO code (2 to 4 digits)",
    "EventRootCode": "a two-digit CAMEO root code",
    "CountryCode": "an ISO alpha-3 country code (3 uppercase letters)",
    **{name: "one line of text without tabs" for name in
       ("Issues", "LocationName", "StateName", "SentenceID", "URLs", "NewsSources")},
}

#: CAMEO actor codes that stand where a country code would (Phoenix "entity").
NON_STATE_ENTITIES = frozenset({"IGO", "NGO", "IMG", "MNC"})
#: CAMEO primary role codes (Phoenix "role").
CAMEO_ROLES = frozenset({"GOV", "MIL", "REB", "OPP", "PTY", "COP", "JUD", "SPY", "MED",
                         "EDU", "BUS", "CRM", "CVL"})

#: ACLED inter code of civilians.
_CIVILIANS = 7
_ONE_LINE = re.compile(r"[\t\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


@dataclass(frozen=True)
class ActorTable:
    """What the output formats need to know about actors beyond their codes.

    ``inter``: actor code -> ACLED inter code; ``countries``: the ISO alpha-3
    codes the codebook knows (its actors' and places' countries), by which a
    Phoenix "entity" is told from the rest of an actor code.
    """

    inter: dict[str, int] = field(default_factory=dict)
    countries: frozenset[str] = frozenset()

    @classmethod
    def from_codebook(cls, codebook) -> ActorTable:
        """The table of a loaded :class:`~coder.codebook.model.Codebook`."""
        from coder.codebook.states import expand_state_actors

        return cls._build(codebook, expand_state_actors(codebook))

    @classmethod
    def from_compiled(cls, compiled) -> ActorTable:
        """The table of a compiled codebook (its state actors are already expanded)."""
        return cls._build(compiled.codebook, compiled.states)

    @classmethod
    def _build(cls, codebook, states) -> ActorTable:
        from coder.countries import countries as all_countries

        inter = {a.code: a.inter for a in states.actors}
        inter.update({a.code: a.inter for a in states.generic.values()})
        inter.update({g.code: g.inter for g in codebook.generic_actors})
        inter.update({a.code: a.inter for a in codebook.actors})
        countries = {a.country for a in codebook.actors} | {p.iso3 for p in codebook.places} | set(all_countries())
        return cls(inter, frozenset(c for c in countries if c))

    def inter_of(self, code: str) -> int | None:
        """The inter code of an actor code; an actor built by grammar is its
        country and a generic actor's code ("SDNREB": the inter of REB)."""
        inter = self.inter.get(code)
        if inter is None and len(code) > 3 and code[:3] in self.countries:
            inter = self.inter.get(code[3:])
        return inter


# -- rows --------------------------------------------------------------------


def jsonl_object(record: Record) -> dict:
    """Every field of ``record`` in field order: empty numbers ``None``, empty text ``""``."""
    return {name: getattr(record, name) for name in FIELDS}


def _disorder_type(event_type: str, sub_event_type: str) -> str:
    """ACLED's disorder type of a sub-event type; of the event type if all its
    sub-event types share one."""
    table = acled_disorder_types()
    if sub_event_type:
        return table.get((event_type, sub_event_type), "")
    kinds = {d for (e, _), d in table.items() if e == event_type}
    return kinds.pop() if len(kinds) == 1 else ""


def _iso_numeric(iso3: str) -> int | None:
    from coder.countries import countries

    country = countries().get(iso3) if iso3 else None
    return int(country.numeric) if country is not None and country.numeric else None


@cache
def acled_regions() -> dict[str, str]:
    """ISO alpha-3 -> ACLED region (``coder/data/acled_regions.csv``, made by
    ``scripts/make_acled_regions.py``)."""
    text = (files("coder") / "data" / "acled_regions.csv").read_text(encoding="utf-8")
    return {r["iso3"]: r["region"] for r in csv.DictReader(io.StringIO(text))}


#: The environment variable that names a CSV file of more sources (columns ``source,source_scale``).
SOURCES_ENV = "CODER_SOURCES"


@cache
def _source_table(extra: str | None) -> dict[str, str]:
    texts = [(files("coder") / "data" / "sources.csv").read_text(encoding="utf-8")]
    if extra:
        try:
            with open(extra, encoding="utf-8-sig", newline="") as f:
                texts.append(f.read())
        except OSError as e:
            raise OutputError([Problem("output", f"cannot read the sources table named by ${SOURCES_ENV}: "
                                                 f"{e.strerror or e}", extra)]) from None
    table: dict[str, str] = {}
    for text in texts:  # the user's rows come last and win
        for r in csv.DictReader(io.StringIO(text)):
            name, scale = (r.get("source") or "").strip(), (r.get("source_scale") or "").strip()
            if name and scale:
                table[name.casefold()] = scale
    return table


def source_scale(source: str) -> str:
    """ACLED's source scale of a source (``coder/data/sources.csv`` and the
    file ``$CODER_SOURCES`` names); "" when the table does not know it.
    Several sources joined with "; " give their scales joined the same way."""
    if not source:
        return ""
    table = _source_table(os.environ.get(SOURCES_ENV) or None)
    scales = [table.get(s.strip().casefold(), "") for s in source.split(";")]
    if not all(scales):
        return ""
    return "-".join(dict.fromkeys(scales)) if len(scales) > 1 else scales[0]


def run_timestamp() -> int:
    """The run time as ACLED's ``timestamp`` gives it (Unix seconds);
    ``$SOURCE_DATE_EPOCH`` when set, so that a build can be reproduced."""
    fixed = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if fixed.isdigit():
        return int(fixed)
    return int(time.time())


#: ACLED's name and inter code for a side the report does not name.
UNIDENTIFIED = "Unidentified Armed Group"
UNIDENTIFIED_INTER = 3


def acled_row(record: Record, actors: ActorTable, timestamp: int | None = None) -> dict:
    """The ACLED row of ``record`` (typed values; empty columns left out);
    ``timestamp``: the run's (:func:`run_timestamp`)."""
    date = record.event_date
    if len(date) == 7:  # YYYY-MM: ACLED needs a day; time_precision 3 says it is not known
        date += "-15"
    actor1, actor2 = record.actor1, record.actor2
    inter1 = actors.inter_of(record.actor1_code) if actor1 else None
    inter2 = actors.inter_of(record.actor2_code) if actor2 else None
    # ACLED names a side the report leaves unnamed "Unidentified Armed Group
    # (Country)", a political militia (inter 3): both sides of a battle, the
    # attacker of remote violence (docs/output.md)
    unidentified = f"{UNIDENTIFIED} ({record.country})" if record.country else UNIDENTIFIED
    if not actor1 and record.acled_event_type in ("Battles", "Explosions/Remote violence"):
        actor1, inter1 = unidentified, UNIDENTIFIED_INTER
    if not actor2 and record.acled_event_type == "Battles" and record.acled_sub_event_type == "Armed clash":
        actor2, inter2 = unidentified, UNIDENTIFIED_INTER
    if not actor2:
        inter2 = 0 if actor1 else None
    interaction = None
    if inter1 is not None and inter2 is not None:
        interaction = inter1 * 10 if inter2 == 0 else min(inter1, inter2) * 10 + max(inter1, inter2)
    row = {
        "event_id_cnty": record.iso3 + record.event_id,
        "event_date": date,
        "year": int(date[:4]) if date else None,
        "time_precision": record.time_precision,
        "disorder_type": _disorder_type(record.acled_event_type, record.acled_sub_event_type),
        "event_type": record.acled_event_type,
        "sub_event_type": record.acled_sub_event_type,
        "actor1": actor1,
        "assoc_actor_1": record.assoc_actor_1,
        "inter1": inter1,
        "actor2": actor2,
        "assoc_actor_2": record.assoc_actor_2,
        "inter2": inter2,
        "interaction": interaction,
        "civilian_targeting": record.civilian_targeting or (
            "Civilian targeting" if inter2 == _CIVILIANS and record.acled_event_type != "Battles" else ""),
        "iso": _iso_numeric(record.iso3),
        "region": acled_regions().get(record.iso3, ""),
        "country": record.country,
        "admin1": record.admin1,
        "admin2": record.admin2,
        "admin3": record.admin3,
        "location": record.location,
        "latitude": record.latitude,
        "longitude": record.longitude,
        "geo_precision": record.geo_precision,
        "source": record.source,
        "source_scale": source_scale(record.source),
        "notes": record.sentence,
        "fatalities": record.fatalities if record.fatalities is not None else 0,
        "timestamp": timestamp,
    }
    return _typed(row, ACLED_COLUMNS)


def split_actor_code(code: str, countries: frozenset[str]) -> tuple[str, str, str]:
    """(entity, role, rest) of a CAMEO-style actor code, as Phoenix splits it.

    The entity is the first three letters when they are a country code the
    codebook knows or IGO/NGO/IMG/MNC; the role is the next three letters when
    they are a CAMEO role code; the rest is what follows.
    ``IRQMIL`` -> (IRQ, MIL, ""), ``IMGISIS`` -> (IMG, "", ISIS).
    """
    entity = code[:3] if code[:3] in countries or code[:3] in NON_STATE_ENTITIES else ""
    rest = code[len(entity):]
    role = rest[:3] if rest[:3] in CAMEO_ROLES else ""
    return entity, role, rest[len(role):]


def phoenix_row(record: Record, actors: ActorTable) -> dict:
    """The Phoenix row of ``record`` (typed values; empty columns left out)."""
    year, month, day = (record.event_date.split("-") + ["", "", ""])[:3]
    source = split_actor_code(record.actor1_code, actors.countries) if record.actor1_code else ("", "", "")
    target = split_actor_code(record.actor2_code, actors.countries) if record.actor2_code else ("", "", "")
    row = {
        "EventID": record.event_id,
        "Date": year + month + day,
        "Year": int(year) if year else None,
        "Month": int(month) if month else None,
        "Day": int(day) if day else None,
        "SourceActorFull": record.actor1_code,
        "SourceActorEntity": source[0],
        "SourceActorRole": source[1],
        "SourceActorAttribute": source[2],
        "TargetActorFull": record.actor2_code,
        "TargetActorEntity": target[0],
        "TargetActorRole": target[1],
        "TargetActorAttribute": target[2],
        "EventCode": record.cameo_code,
        "EventRootCode": record.cameo_code[:2],
        "QuadClass": record.quad_class,
        "GoldsteinScore": record.goldstein,
        "Lat": record.latitude,
        "Lon": record.longitude,
        "LocationName": _one_line(record.location),
        "StateName": _one_line(record.admin1),
        "CountryCode": record.iso3,
        "SentenceID": _one_line(record.doc_id),
        "NewsSources": _one_line(record.source),
    }
    return _typed(row, PHOENIX_COLUMNS)


def _one_line(text: str) -> str:
    """``text`` with tabs and line breaks as spaces, trimmed."""
    return _ONE_LINE.sub(" ", text).strip()


def _typed(row: dict, columns: tuple[str, ...]) -> dict:
    """``row`` in column order without its empty values."""
    return {name: row[name] for name in columns
            if row.get(name) is not None and row.get(name) != ""}


def cells(row: dict, columns: tuple[str, ...]) -> list[str]:
    """A typed row as text cells, empty values as ``""``."""
    return [format_value(row.get(name)) for name in columns]


def parse_cells(cells_: Iterable[str], columns: tuple[str, ...], integers: frozenset[str],
                numbers: frozenset[str]) -> dict:
    """Text cells back to a typed row (empty cells left out; text that does
    not parse stays text, for validation to report)."""
    row = {}
    for name, cell in zip(columns, cells_, strict=False):
        if cell == "":
            continue
        value: object = cell
        try:
            if name in integers:
                value = int(cell)
            elif name in numbers:
                value = float(cell)
        except ValueError:
            pass
        row[name] = value
    return row


# -- validation --------------------------------------------------------------


def validate_acled(row: dict) -> list[Problem]:
    """Problems of an ACLED row with ``schemas/acled.schema.json`` (and a real
    date, an ISO 3166 numeric code, the country of that code)."""
    problems = validate_row("acled.schema.json", row, ACLED_COLUMNS, ACLED_HINTS)
    more = facts(row, "event_date", None, "country", {p.field for p in problems}, numeric="iso")
    return sorted_problems(problems + more, ACLED_COLUMNS) if more else problems


def validate_phoenix(row: dict) -> list[Problem]:
    """Problems of a Phoenix row with ``schemas/phoenix.schema.json`` (and a
    real date, an ISO 3166 country code)."""
    problems = validate_row("phoenix.schema.json", row, PHOENIX_COLUMNS, PHOENIX_HINTS)
    more = facts(row, "Date", "CountryCode", None, {p.field for p in problems}, date_form="YYYYMMDD")
    return sorted_problems(problems + more, PHOENIX_COLUMNS) if more else problems


# -- sinks: (binary stream, options) -> emit(record) --------------------------

Emit = Callable[[Record], None]


@contextmanager
def jsonl_sink(raw: BinaryIO, *, actors: ActorTable, validate: bool,
               cell_filter: Callable[[str], str] | None = None) -> Iterator[Emit]:
    """One JSON object per line (UTF-8, ``\\n``); the record is validated by the Writer."""
    def emit(record: Record) -> None:
        text = json.dumps(jsonl_object(record), ensure_ascii=False, allow_nan=False)
        raw.write(text.encode("utf-8") + b"\n")

    yield emit


@contextmanager
def acled_sink(raw: BinaryIO, *, actors: ActorTable, validate: bool,
               cell_filter: Callable[[str], str] | None = None) -> Iterator[Emit]:
    """ACLED CSV: a header row of :data:`ACLED_COLUMNS`, then one row per record.

    ``cell_filter`` (the CSV writer's ``--excel-safe`` treatment) is applied to
    the text columns.
    """
    text = io.TextIOWrapper(raw, encoding="utf-8", newline="", write_through=True)
    try:
        writer = csv.writer(text, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        quote_all = csv.writer(text, lineterminator="\n", quoting=csv.QUOTE_ALL)
        writer.writerow(ACLED_COLUMNS)
        numeric = ACLED_INTEGERS | ACLED_NUMBERS
        stamp = run_timestamp()  # one time for the whole file

        def emit(record: Record) -> None:
            row = acled_row(record, actors, stamp)
            if validate:
                _check(validate_acled(row))
            out = cells(row, ACLED_COLUMNS)
            if cell_filter is not None:
                out = [c if n in numeric else cell_filter(c) for n, c in zip(ACLED_COLUMNS, out, strict=False)]
            (quote_all if any("\r" in c for c in out) else writer).writerow(out)

        yield emit
        text.flush()
    finally:
        text.detach()  # leave ``raw`` open: it belongs to the caller


@contextmanager
def phoenix_sink(raw: BinaryIO, *, actors: ActorTable, validate: bool,
                 cell_filter: Callable[[str], str] | None = None) -> Iterator[Emit]:
    """Phoenix: tab-separated, no header, no quoting (values hold no tabs)."""
    def emit(record: Record) -> None:
        row = phoenix_row(record, actors)
        if validate:
            _check(validate_phoenix(row))
        raw.write("\t".join(cells(row, PHOENIX_COLUMNS)).encode("utf-8") + b"\n")

    yield emit


def _check(problems: list[Problem]) -> None:
    """Refuse a row that breaks its schema (the Writer adds the path)."""
    if problems:
        raise OutputError(problems)


SINKS = {"jsonl": jsonl_sink, "acled": acled_sink, "phoenix": phoenix_sink}

#: The typed form of each record field, for reading JSONL back.
NUMERIC_FIELDS = INTEGER_FIELDS | NUMBER_FIELDS
