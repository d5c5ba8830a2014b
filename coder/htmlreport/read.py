"""Read the output files of ``coder run`` back into records, for the report.

Every format ``coder run`` writes is read:

* ``csv``, ``xml``, ``jsonl``: coder's own records, every field;
* ``acled``: ACLED's columns (a ``.csv`` whose header starts with
  ``event_id_cnty``), mapped back to the record fields they came from;
* ``phoenix``: Phoenix rows (``.tsv``, no header), mapped back likewise.

ACLED and Phoenix rows do not carry every field (no rule id, no matched text;
Phoenix has no sentence and no event type), so a report of them shows less:
docs/report.md says what.

A record is a dict with every field of :data:`~coder.events.record.FIELDS`:
text fields hold ``""`` when empty, numeric fields ``None``.  A file that is
not one of these formats raises :class:`~coder.errors.CoderError` with one
problem naming the file and line; values are not checked against the schemas
(``coder validate`` does that), except that coordinates must be numbers in
range, as the map needs them.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterator

from lxml import etree

from coder.errors import CoderError, Problem
from coder.events.record import FIELDS, INTEGER_FIELDS, NUMBER_FIELDS, parse_value

FORMATS = ("csv", "xml", "jsonl", "acled", "phoenix")
_SUFFIXES = {".csv": "csv", ".xml": "xml", ".jsonl": "jsonl", ".tsv": "phoenix"}
_NUMERIC = INTEGER_FIELDS | NUMBER_FIELDS

#: The first column of an ACLED file (the columns are coder.io.formats.ACLED_COLUMNS).
ACLED_FIRST = "event_id_cnty"


def empty_record() -> dict:
    return {name: (None if name in _NUMERIC else "") for name in FIELDS}


def read_events(path: str, fmt: str | None = None) -> list[dict]:
    """The records of the output file ``path``.

    ``fmt`` (one of :data:`FORMATS`) overrides the format told by the suffix
    (``.csv``: coder CSV, or ACLED when the header says so; ``.xml``;
    ``.jsonl``; ``.tsv``: Phoenix).
    """
    if fmt is not None:
        if fmt.lower() not in FORMATS:
            raise CoderError(Problem("usage", f"unknown format {fmt!r}: use "
                                     + ", ".join(FORMATS[:-1]) + " or " + FORMATS[-1],
                                     field="--format"))
        fmt = fmt.lower()
    else:
        suffix = os.path.splitext(path)[1].lower()
        fmt = _SUFFIXES.get(suffix)
        if fmt is None:
            what = f"the suffix {suffix!r}" if suffix else "a name with no suffix"
            raise CoderError(_problem(path, f"cannot tell the format from {what}: use a .csv, "
                                            ".xml, .jsonl or .tsv file, or give --format"))
    readers = {"csv": _read_csv, "acled": _read_csv, "xml": _read_xml,
               "jsonl": _read_jsonl, "phoenix": _read_phoenix}
    try:
        records = list(readers[fmt](path, fmt))
    except OSError as exc:
        raise CoderError(Problem("input-io", f"cannot open: {exc.strerror or exc}",
                                 path=path)) from exc
    except UnicodeDecodeError as exc:
        raise CoderError(_problem(path, f"not UTF-8: {exc.reason} "
                                        f"(byte 0x{exc.object[exc.start]:02x})")) from exc
    return records


def _problem(path: str, message: str, line: int | None = None,
             field: str | None = None) -> Problem:
    return Problem("file-invalid", message, path=path, line=line, field=field)


def _finish(record: dict, path: str, line: int) -> dict:
    """Check the coordinates of a read record (the map needs numbers)."""
    for name, limit in (("latitude", 90.0), ("longitude", 180.0)):
        value = record[name]
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not -limit <= value <= limit:
            raise CoderError(_problem(path, f"not a {name} (a number from {-limit:g} "
                                            f"to {limit:g}): {value!r}", line=line, field=name))
        record[name] = float(value)
    if (record["latitude"] is None) != (record["longitude"] is None):
        record["latitude"] = record["longitude"] = None
    return record


# -- CSV and ACLED -----------------------------------------------------------


def _read_csv(path: str, fmt: str) -> Iterator[dict]:
    with open(path, encoding="utf-8", newline="") as file:
        reader = csv.reader(file, strict=True)
        start = 1
        try:
            header = next(reader, None)
            if header is None:
                raise CoderError(_problem(path, "file is empty: expected a header row", line=1))
            if header and header[0].startswith("\ufeff"):
                header[0] = header[0][1:]
            if header and header[0] == ACLED_FIRST:
                fmt = "acled"
            columns = _acled_columns() if fmt == "acled" else FIELDS
            if fmt != "acled" and tuple(header) == BEFORE_FATALITIES:
                columns = BEFORE_FATALITIES  # a file of coder before fatalities and associated actors
            if tuple(header) != columns:
                missing = [c for c in columns if c not in header]
                extra = [c for c in header if c not in columns]
                what = (f"missing column {missing[0]!r}" if missing else
                        f"unexpected column {extra[0]!r}" if extra else "columns out of order")
                kind = "an ACLED file" if fmt == "acled" else "a coder CSV file"
                raise CoderError(_problem(path, f"not {kind}: {what}", line=1))
            start = reader.line_num + 1
            for row in reader:
                if len(row) != len(columns):
                    raise CoderError(_problem(path, f"row has {len(row)} cells, expected "
                                                    f"{len(columns)}", line=start))
                cells = dict(zip(columns, row, strict=False))
                record = _from_acled(cells) if fmt == "acled" else _typed(cells)
                yield _finish(record, path, start)
                start = reader.line_num + 1
        except csv.Error as exc:
            raise CoderError(_problem(path, f"cannot read CSV row: {exc}", line=start)) from exc


#: The fields added with fatalities, civilian targeting and associated actors.
ADDED_FIELDS = ("assoc_actor_1", "assoc_actor_2", "civilian_targeting", "fatalities", "fatalities_text")
#: The columns of coder's CSV before they were added: such files are still read.
BEFORE_FATALITIES = tuple(name for name in FIELDS if name not in ADDED_FIELDS)


def _typed(cells: dict) -> dict:
    record = empty_record()
    for name in FIELDS:
        text = cells.get(name, "")
        if name in _NUMERIC:
            record[name] = parse_value(name, text)
        else:
            record[name] = text
    return record


def _acled_columns() -> tuple[str, ...]:
    from coder.io.formats import ACLED_COLUMNS

    return ACLED_COLUMNS


def _from_acled(cells: dict) -> dict:
    """A record from an ACLED row: what the row keeps of it (docs/output.md)."""
    record = empty_record()
    ident = cells["event_id_cnty"]
    record["event_id"] = ident[-16:] if len(ident) >= 16 else ident
    precision = parse_value("time_precision", cells["time_precision"])
    date = cells["event_date"]
    if precision == 3 and len(date) == 10:
        date = date[:7]  # written as the 15th of a month known only as a month
    record.update(
        event_date=date, time_precision=precision,
        event_type=cells["sub_event_type"] or cells["event_type"],
        acled_event_type=cells["event_type"], acled_sub_event_type=cells["sub_event_type"],
        actor1=cells["actor1"], actor2=cells["actor2"], country=cells["country"],
        admin1=cells["admin1"], admin2=cells["admin2"], admin3=cells["admin3"], location=cells["location"],
        iso3=ident[:-16] if len(ident) > 16 else "",
        latitude=parse_value("latitude", cells["latitude"]),
        longitude=parse_value("longitude", cells["longitude"]),
        geo_precision=parse_value("geo_precision", cells["geo_precision"]),
        source=cells["source"], sentence=cells["notes"],
        assoc_actor_1=cells["assoc_actor_1"], assoc_actor_2=cells["assoc_actor_2"],
        civilian_targeting=cells["civilian_targeting"],
        fatalities=parse_value("fatalities", cells["fatalities"]),
    )
    return record


# -- Phoenix -----------------------------------------------------------------


def _read_phoenix(path: str, fmt: str) -> Iterator[dict]:
    from coder.io.formats import PHOENIX_COLUMNS

    with open(path, encoding="utf-8", newline="") as file:
        for number, line in enumerate(file, 1):
            line = line.removesuffix("\n").removesuffix("\r")
            if number == 1:
                line = line.removeprefix("\ufeff")
            if not line:
                continue
            row = line.split("\t")
            if len(row) != len(PHOENIX_COLUMNS):
                raise CoderError(_problem(path, f"row has {len(row)} cells, expected "
                                                f"{len(PHOENIX_COLUMNS)} (tab-separated)",
                                          line=number))
            yield _finish(_from_phoenix(dict(zip(PHOENIX_COLUMNS, row, strict=False))), path, number)


def _from_phoenix(cells: dict) -> dict:
    """A record from a Phoenix row: what the row keeps of it (docs/output.md)."""
    record = empty_record()
    day = cells["Date"]
    date = f"{day[:4]}-{day[4:6]}" + (f"-{day[6:8]}" if len(day) == 8 else "") if day else ""
    code = cells["EventCode"]
    record.update(
        event_id=cells["EventID"], event_date=date,
        time_precision=(1 if len(day) == 8 else 3) if day else None,
        event_type=f"CAMEO {code}" if code else "",
        actor1=cells["SourceActorFull"], actor1_code=cells["SourceActorFull"],
        actor2=cells["TargetActorFull"], actor2_code=cells["TargetActorFull"],
        cameo_code=code, quad_class=parse_value("quad_class", cells["QuadClass"]),
        goldstein=parse_value("goldstein", cells["GoldsteinScore"]),
        latitude=parse_value("latitude", cells["Lat"]),
        longitude=parse_value("longitude", cells["Lon"]),
        location=cells["LocationName"], admin1=cells["StateName"], iso3=cells["CountryCode"],
        country=cells["CountryCode"], doc_id=cells["SentenceID"], source=cells["NewsSources"],
    )
    return record


# -- XML ---------------------------------------------------------------------


def _read_xml(path: str, fmt: str) -> Iterator[dict]:
    events = etree.iterparse(path, events=("start", "end"), resolve_entities=False,
                             no_network=True, load_dtd=False, huge_tree=True)
    first = True
    try:
        for kind, element in events:
            if first:
                first = False
                if element.getroottree().docinfo.doctype:
                    raise CoderError(_problem(path, "a DOCTYPE is not allowed", line=1))
                if element.tag != "events":
                    raise CoderError(_problem(path, f"not a coder XML file: the root element "
                                                    f"is <{element.tag}>, expected <events>",
                                              line=element.sourceline))
            if kind != "end" or element.tag != "event":
                continue
            record = empty_record()
            for child in element.iterchildren(tag=etree.Element):
                if child.tag in record:
                    record[child.tag] = parse_value(child.tag, "".join(child.itertext())) \
                        if child.tag in _NUMERIC else "".join(child.itertext())
            yield _finish(record, path, element.sourceline)
            element.clear(keep_tail=True)
    except etree.XMLSyntaxError as exc:
        line = exc.position[0] if exc.position else exc.lineno
        raise CoderError(_problem(path, f"not well-formed XML: {exc.msg}", line=line)) from exc


# -- JSONL -------------------------------------------------------------------


def _read_jsonl(path: str, fmt: str) -> Iterator[dict]:
    with open(path, encoding="utf-8") as file:
        for number, line in enumerate(file, 1):
            if number == 1:
                line = line.removeprefix("\ufeff")
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except ValueError as exc:
                raise CoderError(_problem(path, f"not valid JSON: {exc}", line=number)) from exc
            if not isinstance(obj, dict):
                raise CoderError(_problem(path, f"expected a JSON object, got "
                                                f"{type(obj).__name__}", line=number))
            record = empty_record()
            for name in FIELDS:
                value = obj.get(name)
                if value is None or value == "":
                    continue
                if name in _NUMERIC:
                    record[name] = value if isinstance(value, (int, float)) else \
                        parse_value(name, str(value))
                else:
                    record[name] = str(value)
            yield _finish(record, path, number)
