"""`coder run` as a library call: codebook -> corpus -> records -> output file.

The CLI only parses options and calls :func:`run`.  Streaming end to end: the
reader yields one document at a time, the coder yields its records, the writer
validates and writes each record, and the output file appears atomically when
the run ends (an interrupted run leaves no half file).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import TextIO

from coder.codebook.files import check_codebook_file
from coder.engines.common import (
    DEFAULT_MAX_DOC_BYTES,
    DEFAULT_MAX_SENTENCE_CHARS,
    Outcome,
    check_doc_date,
    check_limit,
    check_outputs,
    codebook_digest,
    note_copy_of_shipped,
    open_places,
    unique_ids,
    write_record,
)
from coder.engines.parallel import Pool, check_jobs
from coder.engines.report import open_rejects
from coder.engines.resume import Parts, joined, parts_dir, run_key, run_resumable
from coder.errors import Problem, UsageError
from coder.io.formats import ActorTable
from coder.io.readers import read_corpus
from coder.io.writers import format_for, open_writer
from coder.match.cache import load_compiled
from coder.pipeline import Report, code_corpus
from coder.version import __version__


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
        self.stream.write(
            f"\r\x1b[2Kcoding: {report.documents_read} documents, {report.sentences} sentences, {report.events} events"
        )
        self.stream.flush()

    def clear(self) -> None:
        if self.stream is not None:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()


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
    interrupted.  ``resume``: see :mod:`coder.engines.resume`.  A document that makes
    the coder fail is skipped ("coding-failed") unless ``raise_errors``.

    ``jobs``: worker processes (:mod:`coder.engines.parallel`; None or 0: all cores,
    1: this process); the output is the same whatever their number.
    ``engine="dask"`` codes on a Dask cluster (:mod:`coder.engines.distributed`;
    ``output`` is then a directory of part files).
    """
    if engine not in ("local", "dask"):
        raise UsageError(Problem("usage", f"unknown engine '{engine}' (use local or dask)", field="--engine"))
    if engine == "dask":
        from coder.engines.distributed import run_dask

        return run_dask(
            corpus,
            output,
            fmt=fmt,
            codebook=codebook,
            doc_date=doc_date,
            input_format=input_format,
            on_problem=on_problem,
            report=report,
            report_path=report_path,
            rejects_path=rejects_path,
            resume=resume,
            max_doc_bytes=max_doc_bytes,
            max_sentence_chars=max_sentence_chars,
            excel_safe=excel_safe,
            raise_errors=raise_errors,
            on_note=on_note,
            jobs=jobs,
            scheduler=scheduler,
            partition_bytes=partition_bytes,
        )
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
    check_outputs(corpus, output, report_path, rejects_path, input_format, stdin)
    report = report if report is not None else Report()
    progress = Progress(progress_stream)
    shown = _Shown(report, on_problem, on_note, progress)
    options = {
        "format": fmt,
        "doc_date": doc_date,
        "input_format": input_format,
        "max_doc_bytes": max_doc_bytes,
        "max_sentence_chars": max_sentence_chars,
        "excel_safe": excel_safe,
        "resume": resume,
        "rejects": rejects_path,
        "jobs": jobs,
    }
    codebook_info: dict = {"path": codebook}
    start = time.perf_counter()
    pool: Pool | None = None
    outcome = Outcome()
    try:
        with outcome:
            check_codebook_file(codebook)  # before the cache reads it: not /dev/zero, not 10 GB
            compiled = load_compiled(codebook)
            cb = compiled.codebook
            open_places(compiled, report)
            note_copy_of_shipped(cb, codebook, report)
            codebook_info = {
                "name": cb.name,
                "version": cb.version,
                "path": codebook,
                "sha256": codebook_digest(cb, codebook),
            }
            items = unique_ids(read_corpus(
                corpus, doc_date=doc_date, input_format=input_format, stdin=stdin, max_doc_bytes=max_doc_bytes
            ))
            writer_options = dict(
                codebook=cb.name,
                codebook_version=cb.version,
                excel_safe=excel_safe,
                actors=ActorTable.from_compiled(compiled),
            )

            if jobs > 1:  # coder.engines.parallel: the same records and report, from worker processes
                pool = Pool(
                    compiled,
                    codebook,
                    jobs,
                    max_doc_bytes=max_doc_bytes,
                    max_sentence_chars=max_sentence_chars,
                    raise_errors=raise_errors,
                    validate=not resume,
                )  # the workers check the records for the writer

            def code(items, report, on_skip):
                if pool is not None:
                    return pool.code(items, report, on_skip)
                return code_corpus(
                    compiled,
                    items,
                    report,
                    max_doc_bytes=max_doc_bytes,
                    max_sentence_chars=max_sentence_chars,
                    on_skip=on_skip,
                    raise_errors=raise_errors,
                )

            if resume:
                settings = {
                    "coder": __version__,
                    "codebook_sha256": codebook_info["sha256"],
                    "corpus": os.path.abspath(corpus),
                    "doc_date": doc_date,
                    "input_format": input_format,
                    "max_doc_bytes": max_doc_bytes,
                    "max_sentence_chars": max_sentence_chars,
                }
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
                                write_record(writer, obj, report)
                            elif rejects is not None:
                                rejects.write_entry(obj)
                        shown()
                        outcome.sigint.check()
                parts.remove()
            else:
                if not to_stdout and os.path.isdir(parts_dir(output)) and on_note is not None:
                    on_note(
                        f"{parts_dir(output)} holds an interrupted resumable run that this run "
                        "does not use (add --resume to go on with it)"
                    )
                with open_rejects(rejects_path) as rejects:
                    with open_writer(output, fmt, **writer_options) as writer:
                        if pool is not None:
                            writer.validate = False  # done by the pool (coder.engines.parallel.checked)
                        for record in code(items, report, rejects.write if rejects is not None else None):
                            outcome.sigint.check()
                            write_record(writer, record, report)
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
            outcome.write_report(
                report_path, report, corpus=corpus, output=output, codebook=codebook_info, options=options
            )
    return report
