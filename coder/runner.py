"""`coder run` as a library call: codebook -> corpus -> records -> output file.

The CLI only parses options and calls :func:`run`.  Streaming end to end: the
reader yields one document at a time, the coder yields its records, the writer
validates and writes each record, and the output file appears atomically when
the run ends (an interrupted run leaves no half file).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import signal
import threading
import time
from contextlib import suppress
from dataclasses import replace
from typing import Callable, Self, TextIO

from coder import __version__
from coder.codebook.cache import load_compiled
from coder.errors import CoderError, OutputError, Problem, UsageError
from coder.io.formats import ActorTable
from coder.io.readers import read_corpus
from coder.io.writers import format_for, open_writer
from coder.parallel import Pool, check_jobs
from coder.pipeline import Report, code_corpus
from coder.report import open_rejects, run_report, write_json
from coder.resume import Parts, joined, parts_dir, run_key, run_resumable

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


class Progress:
    """A one-line progress display on a terminal; silent otherwise."""

    def __init__(self, stream: TextIO | None):
        self.stream = stream if stream is not None and stream.isatty() else None
        self.last = 0.0

    def update(self, report: Report, force: bool = False) -> None:
        if self.stream is None:
            return
        now = time.monotonic()
        if not force and now - self.last < 0.2:
            return
        self.last = now
        self.stream.write(f"\r\x1b[2Kcoding: {report.documents_read} documents, {report.sentences} sentences, {report.events} events")
        self.stream.flush()

    def clear(self) -> None:
        if self.stream is not None:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()


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


def codebook_digest(cb, path: str | None) -> str:
    """The SHA-256 of the codebook file's bytes."""
    digest = getattr(cb, "sha256", "")
    if digest:
        return digest
    from coder.codebook import default_codebook_path

    with open(path or default_codebook_path(), "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class _Shown:
    """Passes the report's new problems and notes on, as they come."""

    def __init__(self, report: Report, on_problem, on_note, progress: Progress):
        self.report, self.on_problem, self.on_note, self.progress = report, on_problem, on_note, progress
        self.problems = self.notes = 0

    def __call__(self) -> None:
        r = self.report
        while self.on_problem is not None and self.problems < len(r.problems):
            self.progress.clear()
            self.on_problem(r.problems[self.problems])
            self.problems += 1
        while self.on_note is not None and self.notes < len(r.notes):
            self.progress.clear()
            self.on_note(r.notes[self.notes])
            self.notes += 1


def _write(writer, record, report: Report) -> None:
    """Write one record; a record the schema refuses is a coder bug: say which, keep going."""
    try:
        writer.write(record)
    except OutputError as exc:
        if any(p.code != "record-invalid" for p in exc.problems):
            raise  # the output itself failed: stop
        for p in exc.problems:
            report.problems.append(replace(p, path=f"{record.doc_id}", line=record.sentence_index))
        report.events -= 1


class InterruptGuard:
    """Ctrl-C during a run, kept as a flag as well as raised.

    Python raises KeyboardInterrupt wherever the main thread happens to be;
    where it is running a callback whose exceptions are ignored (the logging
    module's fork hooks while a worker process starts, a finaliser) the
    exception is printed and lost, and the run would go on to write its
    output.  ``check()`` raises it again before the output is committed.
    The handler is installed only in the main thread, over Python's default
    one, and ``restore()`` puts that back."""

    def __init__(self) -> None:
        self.hit = False
        self.previous = None
        if threading.current_thread() is threading.main_thread() \
                and signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            self.previous = signal.signal(signal.SIGINT, self._handler)

    def _handler(self, signum, frame) -> None:
        self.hit = True
        raise KeyboardInterrupt

    def check(self) -> None:
        if self.hit:
            raise KeyboardInterrupt

    def restore(self) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)
            self.previous = None


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
        self.sigint = InterruptGuard()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind, exc, tb) -> None:
        self.sigint.restore()
        if kind is None:
            self.status = "complete"
        elif issubclass(kind, KeyboardInterrupt):
            self.status = "interrupted"
        elif issubclass(kind, CoderError):
            if self.sigint.hit:
                self.status = "interrupted"
                raise KeyboardInterrupt from exc
            self.error = exc

    def write_report(self, path: str, report: Report, **where) -> None:
        """Write the run report (``--report``) with this status and error;
        ``where``: corpus, output, codebook and options, as
        :func:`coder.report.run_report` takes them."""
        doc = run_report(report, status=self.status, **where)
        if self.error is not None:
            doc["errors"] = [p.to_dict() for p in self.error.problems]
        write_ending(path, doc, self.status)


def write_ending(path: str, doc: dict, status: str) -> None:
    """Write a run's report or manifest; after a failure or an interrupt, a
    failure to write it does not hide why the run stopped."""
    if status == "complete":
        write_json(path, doc)
        return
    with suppress(CoderError, OSError):
        write_json(path, doc)


def run(
    corpus: str,
    output: str | None = None,
    *,
    fmt: str | None = None,
    codebook: str | None = None,
    doc_date: str | None = None,
    input_format: str | None = None,
    stdin=None,
    on_problem: Callable[[Problem], None] | None = None,
    progress_stream: TextIO | None = None,
    report: Report | None = None,
    report_path: str | None = None,
    rejects_path: str | None = None,
    resume: bool = False,
    max_doc_bytes: int | None = DEFAULT_MAX_DOC_BYTES,
    max_sentence_chars: int | None = DEFAULT_MAX_SENTENCE_CHARS,
    excel_safe: bool = False,
    raise_errors: bool = False,
    on_note: Callable[[Problem | str], None] | None = None,
    jobs: int | None = 1,
    engine: str = "local",
    scheduler: str | None = None,
    partition_bytes: int | None = None,
) -> Report:
    """Code ``corpus`` into ``output`` (stdout when None); return the report.

    Raises CodebookError for a broken codebook and UsageError for bad options;
    problems with single documents are collected in the report (and passed to
    ``on_problem`` as they happen) and never stop the run.  Pass ``report``
    to see the counts so far when the run is interrupted (KeyboardInterrupt
    is raised again).  ``report_path`` gets the run report (JSON),
    ``rejects_path`` the skipped documents (JSONL); both are written at the
    end, atomically, the run report also when the run fails or is
    interrupted.  ``resume``: see :mod:`coder.resume`.  A document that makes
    the coder fail is skipped ("coding-failed") unless ``raise_errors``.

    ``jobs``: worker processes (:mod:`coder.parallel`; None or 0: all cores,
    1: this process); the output is the same whatever their number.
    ``engine="dask"`` codes on a Dask cluster (:mod:`coder.distributed`;
    ``output`` is then a directory of part files).
    """
    if engine not in ("local", "dask"):
        raise UsageError(Problem("usage", f"unknown engine '{engine}' (use local or dask)", field="--engine"))
    if engine == "dask":
        from coder.distributed import run_dask

        return run_dask(corpus, output, fmt=fmt, codebook=codebook, doc_date=doc_date,
                        input_format=input_format, on_problem=on_problem, report=report,
                        report_path=report_path, rejects_path=rejects_path, resume=resume,
                        max_doc_bytes=max_doc_bytes, max_sentence_chars=max_sentence_chars,
                        excel_safe=excel_safe, raise_errors=raise_errors, on_note=on_note,
                        jobs=jobs, scheduler=scheduler, partition_bytes=partition_bytes)
    for value, option in ((scheduler, "--scheduler"), (partition_bytes, "--partition-bytes")):
        if value is not None:
            raise UsageError(Problem("usage", "only with --engine dask", field=option))
    jobs = check_jobs(jobs)
    doc_date = check_doc_date(doc_date)
    fmt = format_for(output, fmt)
    max_doc_bytes = check_limit(max_doc_bytes, "--max-doc-bytes")
    max_sentence_chars = check_limit(max_sentence_chars, "--max-sentence-chars")
    to_stdout = output is None or output == "-"
    if resume and to_stdout:
        raise UsageError(Problem("usage", "needs an output file (-o)", field="--resume"))
    if resume and corpus == "-":
        raise UsageError(Problem("usage", "cannot resume reading standard input", field="--resume"))
    for path, option in ((report_path, "--report"), (rejects_path, "--rejects")):
        if path is not None and not to_stdout and os.path.abspath(path) == os.path.abspath(output):
            raise UsageError(Problem("usage", "is the output file too", path=path, field=option))
    if report_path is not None and rejects_path is not None and os.path.abspath(report_path) == os.path.abspath(rejects_path):
        raise UsageError(Problem("usage", "is the --rejects file too", path=report_path, field="--report"))
    report = report if report is not None else Report()
    progress = Progress(progress_stream)
    shown = _Shown(report, on_problem, on_note, progress)
    options = {"format": fmt, "doc_date": doc_date, "input_format": input_format,
               "max_doc_bytes": max_doc_bytes, "max_sentence_chars": max_sentence_chars,
               "excel_safe": excel_safe, "resume": resume, "rejects": rejects_path, "jobs": jobs}
    codebook_info: dict = {"path": codebook}
    start = time.perf_counter()
    pool: Pool | None = None
    outcome = Outcome()
    try:
        with outcome:
            compiled = load_compiled(codebook)
            cb = compiled.codebook
            codebook_info = {"name": cb.name, "version": cb.version, "path": codebook,
                             "sha256": codebook_digest(cb, codebook)}
            items = read_corpus(corpus, doc_date=doc_date, input_format=input_format, stdin=stdin,
                                max_doc_bytes=max_doc_bytes)
            writer_options = dict(codebook=cb.name, codebook_version=cb.version, excel_safe=excel_safe,
                                  actors=ActorTable.from_compiled(compiled))

            if jobs > 1:  # coder.parallel: the same records and report, from worker processes
                pool = Pool(compiled, codebook, jobs, max_doc_bytes=max_doc_bytes,
                            max_sentence_chars=max_sentence_chars, raise_errors=raise_errors,
                            validate=not resume)  # the workers check the records for the writer

            def code(items, report, on_skip):
                if pool is not None:
                    return pool.code(items, report, on_skip)
                return code_corpus(compiled, items, report, max_doc_bytes=max_doc_bytes,
                                   max_sentence_chars=max_sentence_chars, on_skip=on_skip,
                                   raise_errors=raise_errors)

            if resume:
                settings = {"coder": __version__, "codebook_sha256": codebook_info["sha256"],
                            "corpus": os.path.abspath(corpus), "doc_date": doc_date,
                            "input_format": input_format, "max_doc_bytes": max_doc_bytes,
                            "max_sentence_chars": max_sentence_chars}
                parts = Parts(output, run_key(settings), {"settings": settings, "codebook": codebook_info})
                parts.open()
                if parts.note is not None and on_note is not None:
                    on_note(parts.note)

                def code_part(items, report, on_skip):
                    for record in code(items, report, on_skip):
                        outcome.sigint.check()
                        yield record
                        shown()
                        progress.update(report)
                    shown()

                order = run_resumable(items, corpus, parts, report, code_part)
                outcome.sigint.check()
                with open_rejects(rejects_path) as rejects:
                    with open_writer(output, fmt, **writer_options) as writer:
                        for kind, obj in joined(parts, order):
                            if kind == "record":
                                _write(writer, obj, report)
                            elif rejects is not None:
                                rejects.write_entry(obj)
                        shown()
                        outcome.sigint.check()
                parts.remove()
            else:
                if not to_stdout and os.path.isdir(parts_dir(output)) and on_note is not None:
                    on_note(f"{parts_dir(output)} holds an interrupted resumable run that this run "
                            "does not use (add --resume to go on with it)")
                with open_rejects(rejects_path) as rejects:
                    with open_writer(output, fmt, **writer_options) as writer:
                        if pool is not None:
                            writer.validate = False  # done by the pool (coder.parallel.checked)
                        for record in code(items, report, rejects.write if rejects is not None else None):
                            outcome.sigint.check()
                            _write(writer, record, report)
                            shown()
                            progress.update(report)
                        shown()
                        outcome.sigint.check()  # before the output is committed
    finally:
        if pool is not None:
            pool.close(complete=outcome.status == "complete")  # Ctrl-C or a failure: terminate the workers
        report.seconds = time.perf_counter() - start
        progress.clear()
        if report_path is not None:
            outcome.write_report(report_path, report, corpus=corpus, output=output,
                                 codebook=codebook_info, options=options)
    return report
