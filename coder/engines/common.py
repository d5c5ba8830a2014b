"""What both engines (one process and ``--jobs`` in :mod:`.runner`, Dask in
:mod:`.distributed`) share: checking ``--doc-date`` and the limit options, the
codebook's digest, writing one record, and how a run ends (:class:`Outcome`)."""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import sys
import threading
from collections.abc import Iterable, Iterator
from contextlib import suppress
from dataclasses import replace
from typing import Self

from coder.engines.report import run_report, write_json
from coder.errors import CoderError, OutputError, Problem, UsageError
from coder.io.outputs import refuse_inputs, same_file, stdin_path
from coder.io.readers import input_files
from coder.io.seen import SeenIds
from coder.pipeline import Report, document_fields
from coder.text.document import Document

_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def check_doc_date(value: str | None) -> str | None:
    """Validate a --doc-date value; raise UsageError if it is not a date."""
    if value is None:
        return None
    try:
        if not _DATE.match(value):
            raise ValueError
        dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(Problem("usage", f"not a date: '{value}' (expected YYYY-MM-DD)", field="--doc-date")) from None
    return value


#: Default limits (``--max-doc-bytes``, ``--max-sentence-chars``); docs/reliability.md says why.
DEFAULT_MAX_DOC_BYTES = 5_000_000
DEFAULT_MAX_SENTENCE_CHARS = 10_000


def check_limit(value: int | None, option: str) -> int | None:
    """Validate a limit option: a positive integer (0 or None: no limit)."""
    if value is None or value == 0:
        return None
    if value < 0:
        raise UsageError(Problem("usage", f"must be a positive number (0 for no limit), not {value}", field=option))
    return value


def check_outputs(corpus: str, output: str | None, report_path: str | None, rejects_path: str | None,
                  input_format: str | None = None, stdin=None) -> None:
    """Refuse (UsageError, before anything is coded) outputs that are one
    another, or an input of the corpus: by path, through a link or by inode."""
    named = [("--output", output), ("--report", report_path), ("--rejects", rejects_path)]
    named = [(option, path) for option, path in named if path is not None and path != "-"]
    for i, (option, path) in enumerate(named):
        for other, other_path in named[:i]:
            if same_file(path, other_path):
                what = "the output file" if other == "--output" else f"the {other} file"
                raise UsageError(Problem("usage", f"is {what} too", path=path, field=option))
    if corpus == "-":
        source = stdin_path(stdin if stdin is not None else getattr(sys.stdin, "buffer", sys.stdin))
        inputs = [source] if source is not None else []
    else:
        inputs = input_files(corpus, input_format)
    refuse_inputs(named, inputs)


def unique_ids(items: Iterable, seen: SeenIds | None = None) -> Iterator:
    """``items`` (documents and reader problems) with each document whose id
    an earlier document had turned into an ``input-field`` problem: its
    records would have the same event ids as the first's (an event id is a
    hash of the document id and what the record says).  It is skipped, and
    its fields go to the rejects, to give it its own id and run it again.
    ``seen`` (a :class:`~coder.io.seen.SeenIds`, 16 bytes an id) may be
    shared between calls."""
    seen = SeenIds() if seen is None else seen
    for item in items:
        if isinstance(item, Document) and not seen.add(item.id):
            yield Problem("input-field", f"'{item.id}' is the id of an earlier document: this one is skipped (its "
                          "records would have the same event ids); give each document its own id",
                          path=item.path or item.id, line=item.line, field="id", raw=document_fields(item))
        else:
            yield item


def note_copy_of_shipped(cb, path: str | None, report: Report) -> None:
    """A note (``codebook-name``) when the codebook is an edited copy of the
    shipped one that kept its name: its output would pass for the shipped
    codebook's."""
    from coder.codebook.files import copy_of_shipped_note

    note = copy_of_shipped_note(cb.name, cb.version, getattr(cb, "sha256", ""), path)
    if note:
        report.notes.append(Problem("codebook-name", note, path=path, field="codebook"))


def open_places(compiled, report: Report) -> None:
    """Open the codebook's gazetteer (if it has one) before coding: once, so
    that a gazetteer that cannot be opened stops the run at once (``gazetteer``,
    exit status 2) instead of failing every document, and worker processes
    inherit it.  A gazetteer built in a temporary directory, the cache
    directory being unwritable, adds its note to the report."""
    import logging

    def not_the_note(record: logging.LogRecord) -> bool:
        return not getattr(record, "coder_note", False)  # the run shows it as its own note

    logger = logging.getLogger("coder.gazetteer")
    logger.addFilter(not_the_note)
    try:
        gazetteer = compiled.gazetteer()
    finally:
        logger.removeFilter(not_the_note)
    note = getattr(gazetteer, "note", None)
    if note:
        report.notes.append(Problem("cache-unwritable", note))
    from coder.pipeline import fill_gazetteer_places

    fill_gazetteer_places(compiled)  # a place the gazetteer does not know stops the run here


def codebook_digest(cb, path: str | None) -> str:
    """The SHA-256 of the codebook (its file's bytes followed by those of the
    files its ``include`` names: :func:`coder.codebook.files.codebook_digest`)."""
    digest = getattr(cb, "sha256", "")
    if digest:
        return digest
    from coder.codebook import default_codebook_path
    from coder.codebook.files import file_digest

    return file_digest(path or default_codebook_path())


def write_record(writer, record, report: Report) -> None:
    """Write one record; a record the schema refuses is a coder bug: say which, keep going."""
    try:
        writer.write(record)
    except OutputError as exc:
        if any(p.code != "record-invalid" for p in exc.problems):
            raise  # the output itself failed: stop
        for p in exc.problems:
            report.problems.append(replace(p, path=f"{record.doc_id}", line=record.sentence_index))
        report.events -= 1


class Terminated(KeyboardInterrupt):
    """SIGTERM (what ``timeout``, ``docker stop`` and systemd send), raised
    where the main thread is, as Ctrl-C raises KeyboardInterrupt: a run stops
    the same way (no output file, the summary, the run report), with exit
    status 143."""


#: Set once SIGTERM has been received by a handler of ours.
SIGTERM_RECEIVED = threading.Event()


def _raise_terminated(signum, frame) -> None:
    SIGTERM_RECEIVED.set()
    raise Terminated


_raise_terminated.coder = True  # a handler of ours: InterruptGuard may take its place


def handle_sigterm() -> None:
    """In the main thread, make SIGTERM raise :class:`Terminated` (if nothing
    else handles it): the ``coder`` command calls this first, so that every
    command removes its temporary files when it is told to stop."""
    if threading.current_thread() is threading.main_thread() \
            and signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _raise_terminated)


class InterruptGuard:
    """Ctrl-C (SIGINT) and SIGTERM during a run, kept as a flag as well as raised.

    Python raises KeyboardInterrupt wherever the main thread happens to be;
    where it is running a callback whose exceptions are ignored (the logging
    module's fork hooks while a worker process starts, a finaliser) the
    exception is printed and lost, and the run would go on to write its
    output.  ``check()`` raises it again before the output is committed.
    SIGTERM is handled the same way, as :class:`Terminated`.  The handlers
    are installed only in the main thread, over Python's default ones (or
    :func:`handle_sigterm`'s), and ``restore()`` puts those back."""

    def __init__(self) -> None:
        self.hit: int = 0  # the signal that stopped the run (0: none)
        self.previous: dict = {}
        self.pid = os.getpid()
        if threading.current_thread() is not threading.main_thread():
            return
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            self.previous[signal.SIGINT] = signal.signal(signal.SIGINT, self._handler)
        term = signal.getsignal(signal.SIGTERM)
        if term is signal.SIG_DFL or getattr(term, "coder", False):
            self.previous[signal.SIGTERM] = signal.signal(signal.SIGTERM, self._handler)
        if self.previous:  # an interrupt Python loses is kept as the flag: not "Exception ignored in ..."
            self.unraisable = sys.unraisablehook
            sys.unraisablehook = self._unraisable

    def _unraisable(self, info) -> None:
        if not (self.hit and isinstance(info.exc_value, KeyboardInterrupt)):
            self.unraisable(info)

    def _handler(self, signum, frame) -> None:
        if os.getpid() != self.pid:
            # a worker process forked from the run, still starting (it puts its own handlers
            # in place when it has): it dies of the signal as by default, with no traceback
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        self.hit = self.hit or signum
        if signum == signal.SIGTERM:
            SIGTERM_RECEIVED.set()
        raise self.interrupt()

    def interrupt(self) -> KeyboardInterrupt:
        """The exception of the signal that stopped the run."""
        return Terminated() if self.hit == signal.SIGTERM else KeyboardInterrupt()

    def check(self) -> None:
        if self.hit:
            raise self.interrupt()

    def restore(self) -> None:
        for signum, previous in self.previous.items():
            signal.signal(signum, previous)
        if self.previous and sys.unraisablehook == self._unraisable:
            sys.unraisablehook = self.unraisable
        self.previous = {}


class Outcome:
    """How a run ends, for its report: ``status`` is "complete", "interrupted"
    or "failed" (with ``error``, the CoderError that stopped it).

    Used as ``with outcome:`` around the run, inside the ``try`` whose
    ``finally`` cleans up by ``status``.  It keeps Ctrl-C as a flag
    (``sigint``, an :class:`InterruptGuard`, restored on the way out), and a
    CoderError that follows a Ctrl-C (a worker it reached first died of it)
    leaves as the KeyboardInterrupt it really is.  Both engines use it.
    """

    def __init__(self) -> None:
        self.status = "failed"
        self.error: CoderError | None = None
        self.signal: str | None = None  # what interrupted the run: SIGINT (Ctrl-C) or SIGTERM
        self.sigint = InterruptGuard()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind, exc, tb) -> None:
        self.sigint.restore()
        if kind is None:
            self.status = "complete"
        elif issubclass(kind, KeyboardInterrupt):
            self.status = "interrupted"
            self.signal = "SIGTERM" if issubclass(kind, Terminated) else "SIGINT"
        elif issubclass(kind, CoderError):
            if self.sigint.hit:
                self.status = "interrupted"
                interrupt = self.sigint.interrupt()
                self.signal = "SIGTERM" if isinstance(interrupt, Terminated) else "SIGINT"
                raise interrupt from exc
            self.error = exc

    def write_report(self, path: str, report: Report, **where) -> None:
        """Write the run report (``--report``) with this status and error;
        ``where``: corpus, output, codebook and options, as
        :func:`coder.engines.report.run_report` takes them."""
        doc = run_report(report, status=self.status, **where)
        if self.error is not None:
            doc["errors"] = [p.to_dict() for p in self.error.problems]
        if self.signal is not None:
            doc["signal"] = self.signal
        write_ending(path, doc, self.status)


def write_ending(path: str, doc: dict, status: str) -> None:
    """Write a run's report or manifest; after a failure or an interrupt, a
    failure to write it does not hide why the run stopped."""
    if status == "complete":
        write_json(path, doc)
        return
    with suppress(CoderError, OSError):
        write_json(path, doc)
