"""Streaming, atomic writers of event records (CSV, XML, JSONL, ACLED, Phoenix).

Use :func:`open_writer` as a context manager and call ``write`` once per
record::

    with open_writer("out/events.xml", "xml", codebook="default") as w:
        for record in records:
            w.write(record)

A file is written by :func:`coder.io.outputs.atomic_file`: to a temporary
file in the target's directory (``.NAME.RANDOM.tmp``), flushed, fsynced and
then moved onto the target, so the target is either left untouched or fully
written (a link is followed, an existing file keeps its mode and hard links,
a device or FIFO is written directly).  If the ``with`` block raises (even
``KeyboardInterrupt``) the temporary file is removed and the target is not
touched.  ``path`` ``None`` or ``"-"`` writes to
standard output instead, as it goes.

CSV: a header row of :data:`~coder.events.record.FIELDS`, then one row per
record (:meth:`Record.to_row`); UTF-8 without BOM, ``\\n`` line ends, minimal
quoting.  With ``\\n`` line ends Python's csv module does not quote a value
holding a lone carriage return, which would then read back as two rows: a row
with a ``\\r`` anywhere is written with every cell quoted.

XML: ``<events>`` (with ``codebook`` / ``codebook_version`` attributes when
given) holding one ``<event>`` per record, one child element per non-empty
field in field order, one element per line.  Records are streamed with
:class:`lxml.etree.xmlfile`, so memory use does not grow with the output.
Characters XML 1.0 cannot carry (control characters other than tab, newline
and carriage return, lone surrogates, U+FFFE and U+FFFF) are stripped from the
XML text; a value left empty by that is written as no element.  The CSV keeps
values as they are, unless ``excel_safe`` is asked for: then a text value that
a spreadsheet would run as a formula (one starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return, as OWASP lists them) gets a single quote in
front (:func:`excel_safe_cell`).  Numeric fields are never changed: a
longitude of ``-3.5`` stays a number.

JSONL, ACLED and Phoenix: see :mod:`coder.io.formats` (the ACLED CSV takes
``excel_safe`` too).  Their rows are checked against their own schemas as well.
"""

from __future__ import annotations

import csv
import io
import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, BinaryIO

from coder.errors import OutputError, Problem, UsageError
from coder.events.record import (
    FIELDS,
    INTEGER_FIELDS,
    NUMBER_FIELDS,
    Record,
    format_value,
    record_values,
)
from coder.io.formats import SINKS, ActorTable
from coder.io.outputs import atomic_file, io_error
from coder.io.schema import validate_values

if TYPE_CHECKING:
    from lxml import etree

#: Output formats.  JSONL, ACLED and Phoenix rows are made in coder.io.formats.
FORMATS = ("csv", "xml", "jsonl", "acled", "phoenix")
#: Output suffix -> format (ACLED is CSV too: it needs ``--format acled``).
SUFFIX_FORMATS = {".csv": "csv", ".xml": "xml", ".jsonl": "jsonl", ".tsv": "phoenix"}
_ALLOWED = ", ".join(FORMATS[:-1]) + " or " + FORMATS[-1]

STDOUT = "<stdout>"

#: Characters outside the XML 1.0 ``Char`` production.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass
class Writer:
    """Writes records to one output; made by :func:`open_writer`."""

    path: str  #: the output path, or ``"<stdout>"``
    emit: Callable[[Record], None]
    validate: bool = True
    count: int = 0  #: records written so far

    def write(self, record: Record) -> None:
        """Validate ``record`` (unless disabled) and write it.

        Raises :class:`OutputError` with the record's problems (code
        ``record-invalid``) if it breaks the schema; nothing is written then.
        """
        if self.validate:
            problems = validate_values(record_values(record))
            if problems:
                raise OutputError([replace(p, path=self.path) for p in problems])
        try:
            self.emit(record)
        except OSError as exc:
            raise io_error(self.path, exc) from exc
        except OutputError as exc:  # the format's row breaks its schema (nothing written)
            raise OutputError([replace(p, path=self.path) for p in exc.problems]) from None
        self.count += 1


def format_for(path: str | None, fmt: str | None) -> str:
    """The output format: ``fmt`` if given, else from the suffix of ``path``.

    Standard output (``None`` or ``"-"``) defaults to CSV.  Raises
    :class:`UsageError` for an unknown format or suffix.
    """
    allowed = _ALLOWED
    if fmt:
        if fmt.lower() in FORMATS:
            return fmt.lower()
        raise UsageError(Problem("usage", f"unknown output format {fmt!r}: use {allowed}"))
    if path is None or path == "-":
        return "csv"
    suffix = os.path.splitext(path)[1]
    if suffix.lower() in SUFFIX_FORMATS:
        return SUFFIX_FORMATS[suffix.lower()]
    what = f"the suffix {suffix!r}" if suffix else "a name with no suffix"
    raise UsageError(Problem(
        "usage", f"cannot tell the output format from {what}: use a .csv, .xml, .jsonl "
                 f"or .tsv file name, or give the format ({allowed})", path=path))


@contextmanager
def open_writer(path: str | None, fmt: str, *, codebook: str = "",
                codebook_version: str = "", validate: bool = True,
                excel_safe: bool = False, actors: ActorTable | None = None) -> Iterator[Writer]:
    """Open an output for records in format ``fmt`` (one of :data:`FORMATS`).

    ``path`` ``None`` or ``"-"`` is standard output.  ``actors`` (from the
    codebook: :meth:`ActorTable.from_codebook`) fills ACLED's inter codes and
    Phoenix's actor entities; without it they are left empty.  Raises
    :class:`OutputError` (code ``output-io``) if the file cannot be written.
    """
    if fmt not in FORMATS:
        raise UsageError(Problem("usage", f"unknown output format {fmt!r}: use {_ALLOWED}"))
    to_stdout = path is None or path == "-"
    where = STDOUT if to_stdout else path
    stream = _stdout_stream() if to_stdout else atomic_file(path)
    with stream as raw:
        with ExitStack() as stack:
            try:
                if fmt == "csv":
                    emit = stack.enter_context(_csv_sink(raw, excel_safe))
                elif fmt == "xml":
                    emit = stack.enter_context(_xml_sink(raw, codebook, codebook_version))
                else:
                    emit = stack.enter_context(SINKS[fmt](
                        raw, actors=actors or ActorTable(), validate=validate,
                        cell_filter=excel_safe_cell if excel_safe else None))
            except OSError as exc:
                raise io_error(where, exc) from exc
            yield Writer(where, emit, validate)
            try:
                stack.close()  # finish the document (footer, flush) while errors are ours
            except OSError as exc:
                raise io_error(where, exc) from exc


@contextmanager
def _stdout_stream() -> Iterator[BinaryIO]:
    """Standard output as a binary stream (left open afterwards)."""
    sys.stdout.flush()
    raw = getattr(sys.stdout, "buffer", None)
    if raw is None:  # pragma: no cover - a text-only replacement of sys.stdout
        raw = io.BytesIO()
        yield raw
        sys.stdout.write(raw.getvalue().decode("utf-8"))
        return
    yield raw
    raw.flush()


@contextmanager
def _csv_sink(raw: BinaryIO, excel_safe: bool = False) -> Iterator[Callable[[Record], None]]:
    text = io.TextIOWrapper(raw, encoding="utf-8", newline="", write_through=True)
    try:
        writer = csv.writer(text, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        quote_all = csv.writer(text, lineterminator="\n", quoting=csv.QUOTE_ALL)
        writer.writerow(FIELDS)

        def emit(record: Record) -> None:
            row = record.to_row()
            if excel_safe:
                row = [cell if name in _NUMERIC else excel_safe_cell(cell)
                       for name, cell in zip(FIELDS, row, strict=True)]
            (quote_all if "\r" in "".join(row) else writer).writerow(row)

        yield emit
        text.flush()
    finally:
        with suppress(OSError):  # flushed above; after an error, a second failure is not the news
            text.detach()  # leave ``raw`` open: it belongs to the caller


#: Fields whose CSV cells are numbers: never neutralised (``-3.5`` is a number).
_NUMERIC = INTEGER_FIELDS | NUMBER_FIELDS

#: First characters that make a spreadsheet read a cell as a formula (OWASP).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def excel_safe_cell(text: str) -> str:
    """``text`` with a single quote in front if a spreadsheet would run it as a formula."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


@contextmanager
def _xml_sink(raw: BinaryIO, codebook: str, codebook_version: str
              ) -> Iterator[Callable[[Record], None]]:
    attrib = {k: _xml_text(v) for k, v in
              (("codebook", codebook), ("codebook_version", codebook_version)) if v}
    from lxml import etree  # here: a run that writes no XML does not import lxml

    with etree.xmlfile(raw, encoding="UTF-8") as xf:
        xf.write_declaration()
        with xf.element("events", attrib):
            xf.write("\n")

            def emit(record: Record) -> None:
                xf.write("  ")
                xf.write(_event_element(record))
                xf.flush()

            yield emit
    raw.write(b"\n")


def _event_element(record: Record) -> etree._Element:
    """The ``<event>`` element of one record, indented for a 2-space level."""
    from lxml import etree

    event = etree.Element("event")
    for name in FIELDS:
        text = _xml_text(format_value(getattr(record, name)))
        if text:
            etree.SubElement(event, name).text = text
    etree.indent(event, space="  ", level=1)
    event.tail = "\n"
    return event


def _xml_text(text: str) -> str:
    """``text`` without the characters XML 1.0 does not allow."""
    return _NOT_XML.sub("", text)
