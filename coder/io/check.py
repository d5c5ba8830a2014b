"""Check an output file against the schemas (``coder validate``).

Formats: ``csv`` and ``xml`` (coder's own), ``jsonl`` (the records as JSON
objects), ``acled`` (ACLED's CSV columns) and ``phoenix`` (tab-separated
Phoenix rows); see :mod:`coder.io.formats`.

:func:`validate_file` returns problems that render as ``file:line: field:
message``:

* ``file-invalid``: the file as a whole is wrong: it cannot be opened or
  decoded, the CSV header or a row's cell count is wrong, the XML is not
  well-formed or breaks ``schemas/events.xsd``;
* ``record-invalid``: one record breaks ``schemas/event.schema.json``; the line
  is where the CSV row or the XML ``<event>`` starts.

For XML, the XSD checks the structure and each value; events that pass it are
then checked against the JSON Schema too, for the rules that span fields (which
XSD 1.0 cannot express).  Events the XSD rejects are not checked again, so one
violation is reported once.
"""

from __future__ import annotations

import csv
import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import BinaryIO

from lxml import etree

from coder.errors import Problem
from coder.events.record import FIELDS, parse_value
from coder.io.formats import (
    ACLED_COLUMNS,
    ACLED_INTEGERS,
    ACLED_NUMBERS,
    NUMERIC_FIELDS,
    PHOENIX_COLUMNS,
    PHOENIX_INTEGERS,
    PHOENIX_NUMBERS,
    parse_cells,
    validate_acled,
    validate_phoenix,
)
from coder.io.schema import events_xsd, validate_record
from coder.io.seen import SeenIds

FORMATS = ("csv", "xml", "jsonl", "acled", "phoenix")
#: File suffix -> format (an ACLED file is a .csv: give ``acled`` for it).
SUFFIX_FORMATS = {".csv": "csv", ".xml": "xml", ".jsonl": "jsonl", ".tsv": "phoenix"}
_ALLOWED = ", ".join(FORMATS[:-1]) + " or " + FORMATS[-1]

_XSD_PREFIX = re.compile(r"Element '([^']+)'(, attribute '[^']+')?: (.*)", re.DOTALL)
_XSD_FACET = re.compile(r"\[facet '[^']+'\] ")
_XSD_EVENT = re.compile(r"/events/event(?:\[(\d+)\])?(/.*)?$")
_XSD_CHILD = re.compile(r"/([^/\[]+)(?:\[(\d+)\])?$")
#: Lines from here on are not stored in libxml2's nodes (see _line).
_BIG_LINE = 65535


def validate_file(path: str, fmt: str | None = None) -> list[Problem]:
    """Check the output file ``path``; ``[]`` if it is valid.

    ``fmt`` (one of :data:`FORMATS`) overrides the format told by the suffix.
    """
    if fmt:
        if fmt.lower() not in FORMATS:
            return [_problem(path, f"unknown format {fmt!r}: use {_ALLOWED}")]
        fmt = fmt.lower()
    else:
        suffix = os.path.splitext(path)[1]
        fmt = SUFFIX_FORMATS.get(suffix.lower())
        if fmt is None:
            what = f"the suffix {suffix!r}" if suffix else "a name with no suffix"
            return [_problem(path, f"cannot tell the format from {what}: use a .csv, .xml, "
                                   f".jsonl or .tsv file name, or give the format ({_ALLOWED})")]
    checks = {"csv": _check_csv, "xml": _check_xml, "jsonl": _check_jsonl,
              "acled": _check_acled, "phoenix": _check_phoenix}
    try:
        with open(path, "rb") as file:
            return checks[fmt](path, file)
    except OSError as exc:
        return [_problem(path, f"cannot open: {exc.strerror or exc}")]


def _problem(path: str, message: str, line: int | None = None,
             field: str | None = None) -> Problem:
    return Problem("file-invalid", message, path=path, line=line, field=field)


def _record_problems(path: str, line: int, record: dict) -> list[Problem]:
    return [replace(p, path=path, line=line) for p in validate_record(record)]


class _Ids:
    """The ids of a file's records so far (16 bytes each: :class:`~coder.io.seen.SeenIds`):
    an id given to two records is a problem of the second."""

    def __init__(self, path: str, field: str):
        self.path, self.field, self.seen = path, field, SeenIds()

    def check(self, value, line: int) -> list[Problem]:
        if isinstance(value, str) and value and not self.seen.add(value):
            return [Problem("file-invalid", f"{value!r} is the {self.field} of an earlier record: ids must be "
                            "unique (two documents with one id?)", path=self.path, line=line, field=self.field)]
        return []


# -- CSV ---------------------------------------------------------------------


class _Undecodable(Exception):
    """A line of the file is not UTF-8."""

    def __init__(self, line: int, error: UnicodeDecodeError):
        self.line, self.error = line, error


def _decoded_lines(file: BinaryIO) -> Iterator[str]:
    """The file's lines as text.  A UTF-8 sequence never spans a ``\\n`` byte,
    so decoding line by line is exact and tells which line is bad."""
    for number, raw in enumerate(file, 1):
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _Undecodable(number, exc) from exc


def _check_csv(path: str, file: BinaryIO) -> list[Problem]:
    problems: list[Problem] = []
    ids = _Ids(path, "event_id")
    reader = csv.reader(_decoded_lines(file), strict=True)
    start = 1  # physical line where the next row starts
    try:
        for row in reader:
            if start == 1:
                header = _header_problem(row)
                if header:
                    return [_problem(path, header, line=1)]
            elif len(row) != len(FIELDS):
                problems.append(_problem(
                    path, f"row has {len(row)} cells, expected {len(FIELDS)}", line=start))
            else:
                record = {name: parse_value(name, cell)
                          for name, cell in zip(FIELDS, row, strict=False) if cell != ""}
                problems.extend(_record_problems(path, start, record))
                problems.extend(ids.check(record.get("event_id"), start))
            start = reader.line_num + 1
    except _Undecodable as exc:
        bad = exc.error.object[exc.error.start]
        problems.append(Problem("file-invalid", f"not UTF-8: cannot decode byte 0x{bad:02x}",
                                path=path, line=exc.line, col=exc.error.start + 1))
    except csv.Error as exc:
        problems.append(_problem(path, f"cannot read CSV row: {exc}", line=start))
    if start == 1 and not problems:
        problems.append(_problem(path, "file is empty: expected a header row", line=1))
    return problems


def _header_problem(header: list[str], columns: tuple[str, ...] = FIELDS) -> str | None:
    """What is wrong with the header row, naming the first bad column."""
    if header and header[0].startswith("\ufeff"):
        return "file starts with a byte order mark (BOM); write UTF-8 without one"
    if columns != ACLED_COLUMNS and header and header[0] == ACLED_COLUMNS[0]:
        return (f"this is an ACLED file (its first column is {ACLED_COLUMNS[0]!r}): "
                "check it with --format acled")
    for position, (got, want) in enumerate(zip(header, columns, strict=False), 1):
        if got == want:
            continue
        if got not in columns:
            return f"unexpected column {got!r} (column {position}; expected {want!r})"
        if want not in header:
            return f"missing column {want!r} (column {position})"
        return f"column {got!r} is out of order (column {position}; expected {want!r})"
    if len(header) > len(columns):
        return f"unexpected column {header[len(columns)]!r} (column {len(columns) + 1})"
    if len(header) < len(columns):
        return f"missing column {columns[len(header)]!r} (column {len(header) + 1})"
    return None


# -- XML ---------------------------------------------------------------------


def _check_xml(path: str, file: BinaryIO) -> list[Problem]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False)
    if not file.read(1):
        return [_problem(path, "file is empty: expected an <events> element", line=1)]
    file.seek(0)
    try:
        tree = etree.parse(file, parser)
    except etree.XMLSyntaxError as exc:
        from coder.io.petrarch import open_element_at_error, syntax_problem

        file.seek(0)
        return [syntax_problem(exc, path, open_element_at_error(file), "file-invalid")]
    if tree.docinfo.doctype:
        return [_problem(path, "a DOCTYPE is not allowed", line=1)]
    root = tree.getroot()
    events = list(root.iterchildren("event")) if root.tag == "events" else []
    schema = events_xsd()
    problems, bad_events = [], set()
    if not schema.validate(tree):
        problems, bad_events = _xsd_problems(path, schema.error_log, events)
    ids = _Ids(path, "event_id")
    for index, event in enumerate(events, 1):
        if index not in bad_events:
            problems.extend(_record_problems(path, _line(event), _event_dict(event)))
        problems.extend(ids.check(event.findtext("event_id"), _line(event)))
    problems.sort(key=lambda p: p.line or 0)
    return problems


def _xsd_problems(path: str, log: Iterable, events: list[etree._Element]
                  ) -> tuple[list[Problem], set[int]]:
    """Problems for the XSD errors and the 1-based indexes of the ``<event>``s
    they concern.

    The problems are said in coder's words (:func:`_xsd_words`): libxml2's
    own wording of schema errors changes between its releases.  libxml2 may
    report one bad value under two facets (``NaN`` breaks both the pattern and
    the maximum): one problem per node.
    """
    found: dict[tuple, Problem] = {}
    bad: set[int] = set()
    said: dict[int, dict[str, str]] = {}  # event index -> field -> what the JSON Schema says of it
    for error in log:
        match = _XSD_PREFIX.match(error.message)
        line = error.line
        event = _XSD_EVENT.match(error.path or "")
        element = None
        if event:
            index = int(event[1] or 1)
            bad.add(index)
            if index <= len(events):
                element = events[index - 1]
                if line >= _BIG_LINE:
                    line = _node_line(element, event[2], line)
        if element is not None and index not in said:
            said[index] = {}
            for p in validate_record(_event_dict(element)):
                said[index].setdefault(p.field, p.message)
        field, message = _xsd_words(error, match, element, event[2] if event else None, said.get(index, {})
                                    if element is not None else {})
        key = (error.path, field)
        if key not in found:
            found[key] = _problem(path, message, line=line, field=field)
    return list(found.values()), bad


def _xsd_words(error, match, event: etree._Element | None, child_path: str | None,
               said: dict[str, str]) -> tuple[str | None, str]:
    """(field, message) of one XSD error, in coder's words: what the event
    schema says of the same value (the two schemas say the same), or what is
    wrong with the structure; libxml2's text only for an error not met so far."""
    kind = error.type_name
    name = match[1] if match else None
    child = _XSD_CHILD.match(child_path or "")
    if kind == "SCHEMAV_CVC_ELT_1" and name:
        return None, f"the root element is <{name}>: an events file has <events>"
    if kind == "SCHEMAV_CVC_COMPLEX_TYPE_3_2_1" and match and match[2]:
        attribute = match[2].split("'")[1]
        return None, (f"attribute '{attribute}' is not allowed (an <{name}> element may have codebook and "
                      "codebook_version)")
    if kind == "SCHEMAV_ELEMENT_CONTENT" and event is not None:
        present = [c.tag for c in event.iterchildren(tag=etree.Element)]
        if child is None:  # the <event> itself: elements missing at its end
            missing = [f for f in FIELDS if f in said and said[f] == "is required" and f not in present]
            return (missing[0], "is required") if missing else ("event", "an element is missing")
        tag, number = child[1], int(child[2] or 1)
        if tag not in FIELDS:
            return tag, "is not an element of an event (its elements are the fields of docs/output.md)"
        if number > 1:
            return tag, "is given twice"
        before = FIELDS[:FIELDS.index(tag)]
        missing = [f for f in before if said.get(f) == "is required" and f not in present]
        if missing:
            return missing[0], f"is required (it comes before <{tag}>)"
        return tag, "is out of order (an event's elements come in the order of docs/output.md)"
    if kind.startswith("SCHEMAV_CVC_") and child is not None and event is not None:
        tag = child[1]
        found = event.findall(tag)
        number = int(child[2] or 1)
        text = "".join(found[number - 1].itertext()) if number <= len(found) else None
        if text == "":
            return tag, "must not be empty"
        if tag in said:
            return tag, said[tag]
        return tag, f"{text!r} is not allowed by schemas/events.xsd" if text is not None else "is not allowed"
    field, message = None, error.message
    if match and not match[2] and match[1] not in ("events", "event"):
        field, message = match[1], match[3]
    return field, _XSD_FACET.sub("", message)


def _node_line(event: etree._Element, child_path: str | None, line: int) -> int:
    """The start line of the node at ``child_path`` (``/name`` or ``/name[n]``)
    in ``event``; ``line`` if that cannot be told."""
    element = event
    if child_path:
        child = _XSD_CHILD.match(child_path)
        if not child:
            return line
        found = event.findall(child[1])
        number = int(child[2] or 1)
        if number > len(found):
            return line
        element = found[number - 1]
    return _line(element)


def _line(element: etree._Element) -> int:
    """The line where ``element`` starts.

    libxml2 does not keep lines above 65534 in an element: it answers with the
    line of the first child, or of the next node if there is no child, and a
    text node's line is the one where the text ends.  Count those newlines back.
    """
    line = element.sourceline
    if line >= _BIG_LINE:
        if element.text:
            line -= element.text.count("\n")
        elif len(element) == 0 and element.tail:
            line -= element.tail.count("\n")
    return line


def _event_dict(event: etree._Element) -> dict:
    """An ``<event>``'s children as a typed record dict (empty -> absent)."""
    record = {}
    for child in event.iterchildren(tag=etree.Element):
        value = parse_value(child.tag, "".join(child.itertext()))
        if value is not None:
            record[child.tag] = value
    return record


# -- ACLED and Phoenix ----------------------------------------------------------


def _check_acled(path: str, file: BinaryIO) -> list[Problem]:
    """An ACLED CSV file: the header of :data:`ACLED_COLUMNS`, then rows."""
    problems: list[Problem] = []
    ids = _Ids(path, "event_id_cnty")
    reader = csv.reader(_decoded_lines(file), strict=True)
    start = 1
    width = len(ACLED_COLUMNS)
    try:
        for row in reader:
            if start == 1:
                header = _header_problem(row, ACLED_COLUMNS)
                if header:
                    return [_problem(path, header, line=1)]
            elif len(row) != width:
                problems.append(_problem(path, f"row has {len(row)} cells, expected {width}",
                                         line=start))
            else:
                typed = parse_cells(row, ACLED_COLUMNS, ACLED_INTEGERS, ACLED_NUMBERS)
                problems.extend(_record_problems_of(path, start, validate_acled(typed)))
                problems.extend(ids.check(typed.get("event_id_cnty"), start))
            start = reader.line_num + 1
    except _Undecodable as exc:
        problems.append(_undecodable(path, exc))
    except csv.Error as exc:
        problems.append(_problem(path, f"cannot read CSV row: {exc}", line=start))
    if start == 1 and not problems:
        problems.append(_problem(path, "file is empty: expected a header row", line=1))
    return problems


def _check_phoenix(path: str, file: BinaryIO) -> list[Problem]:
    """A Phoenix file: no header, one row of 26 tab-separated cells a line."""
    problems: list[Problem] = []
    ids = _Ids(path, "EventID")
    width = len(PHOENIX_COLUMNS)
    number = 0
    try:
        for number, line in enumerate(_decoded_lines(file), 1):
            line = line.removesuffix("\n").removesuffix("\r")
            if number == 1 and line.startswith("\ufeff"):
                problems.append(_problem(path, "file starts with a byte order mark (BOM); "
                                               "write UTF-8 without one", line=1))
                line = line[1:]
            row = line.split("\t")
            if len(row) != width:
                problems.append(_problem(path, f"row has {len(row)} cells, expected {width} "
                                               "(tab-separated)", line=number))
                continue
            typed = parse_cells(row, PHOENIX_COLUMNS, PHOENIX_INTEGERS, PHOENIX_NUMBERS)
            problems.extend(_record_problems_of(path, number, validate_phoenix(typed)))
            problems.extend(ids.check(typed.get("EventID"), number))
    except _Undecodable as exc:
        problems.append(_undecodable(path, exc))
    return problems


def _record_problems_of(path: str, line: int, problems: list[Problem]) -> list[Problem]:
    return [replace(p, path=path, line=line) for p in problems]


def _undecodable(path: str, exc: _Undecodable) -> Problem:
    bad = exc.error.object[exc.error.start]
    return Problem("file-invalid", f"not UTF-8: cannot decode byte 0x{bad:02x}",
                   path=path, line=exc.line, col=exc.error.start + 1)


# -- JSONL -------------------------------------------------------------------


def _check_jsonl(path: str, file: BinaryIO) -> list[Problem]:
    """A JSONL file: one object a line holding every record field (empty text
    ``""``, empty number ``null``), checked against the event schema."""
    problems: list[Problem] = []
    ids = _Ids(path, "event_id")
    try:
        for number, line in enumerate(_decoded_lines(file), 1):
            if number == 1 and line.startswith("\ufeff"):
                problems.append(_problem(path, "file starts with a byte order mark (BOM); "
                                               "write UTF-8 without one", line=1))
                line = line[1:]
            problems.extend(_jsonl_line_problems(path, number, line, ids))
    except _Undecodable as exc:
        problems.append(_undecodable(path, exc))
    return problems


def _jsonl_line_problems(path: str, number: int, line: str, ids: _Ids | None = None) -> list[Problem]:
    if not line.strip():
        return [_problem(path, "empty line: expected a JSON object", line=number)]
    try:
        obj = json.loads(line)
    except (ValueError, RecursionError) as exc:
        message = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
        return [_problem(path, f"not valid JSON: {message}", line=number)]
    if not isinstance(obj, dict):
        return [_problem(path, f"expected a JSON object, got {type(obj).__name__}",
                         line=number)]
    problems: list[Problem] = []
    record = {}
    for name, value in obj.items():
        if name not in FIELDS:
            continue  # reported by the schema (additionalProperties)
        if name in NUMERIC_FIELDS:
            if value == "":
                problems.append(_field_problem(path, number, name,
                                               "'' is not a number (an empty number is null)"))
                continue
            if value is None:
                continue
        elif value is None:
            problems.append(_field_problem(path, number, name,
                                           'null is not a string (an empty text is "")'))
            continue
        elif value == "":
            continue
        record[name] = value
    for name in obj:
        if name not in FIELDS:
            record[name] = obj[name]
    missing = [name for name in FIELDS if name not in obj]
    for name in missing:
        problems.append(_field_problem(path, number, name, "is missing (every field is "
                                       'written, an empty one as "" or null)'))
    told = {p.field for p in problems} | set(missing)  # not again as a consequence
    problems.extend(p for p in _record_problems(path, number, record) if p.field not in told)
    if ids is not None:
        problems.extend(ids.check(obj.get("event_id"), number))
    order = {name: i for i, name in enumerate(FIELDS)}
    problems.sort(key=lambda p: order.get(p.field, len(FIELDS)))
    return problems


def _field_problem(path: str, line: int, field: str, message: str) -> Problem:
    return Problem("record-invalid", message, path=path, line=line, field=field)
