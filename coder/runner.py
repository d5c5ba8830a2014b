"""`coder run` as a library call: codebook -> corpus -> records -> output file.

The CLI only parses options and calls :func:`run`.  Streaming end to end: the
reader yields one document at a time, the coder yields its records, the writer
validates and writes each record, and the output file appears atomically when
the run ends (an interrupted run leaves no half file).
"""

from __future__ import annotations

import datetime as dt
import re
import time
from dataclasses import replace
from typing import Callable, TextIO

from .codebook import load_codebook
from .errors import OutputError, Problem, UsageError
from .io.readers import read_corpus
from .io.writers import format_for, open_writer
from .match.compile import compile_codebook
from .pipeline import Report, code_corpus

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
) -> Report:
    """Code ``corpus`` into ``output`` (stdout when None); return the report.

    Raises CodebookError for a broken codebook and UsageError for bad options;
    problems with single documents are collected in the report (and passed to
    ``on_problem`` as they happen) and never stop the run.
    """
    doc_date = check_doc_date(doc_date)
    fmt = format_for(output, fmt)
    cb = load_codebook(codebook)
    compiled = compile_codebook(cb)
    items = read_corpus(corpus, doc_date=doc_date, input_format=input_format, stdin=stdin)
    report = Report()
    progress = Progress(progress_stream)
    seen_problems = 0
    with open_writer(output, fmt, codebook=cb.name, codebook_version=cb.version) as writer:
        for record in code_corpus(compiled, items, report):
            try:
                writer.write(record)
            except OutputError as exc:
                if any(p.code != "record-invalid" for p in exc.problems):
                    raise  # the output itself failed: stop
                # a record the schema refuses is a coder bug: say which, keep going
                for p in exc.problems:
                    report.problems.append(replace(p, path=f"{record.doc_id}", line=record.sentence_index))
                report.events -= 1
            while on_problem is not None and seen_problems < len(report.problems):
                progress.clear()
                on_problem(report.problems[seen_problems])
                seen_problems += 1
            progress.update(report)
        while on_problem is not None and seen_problems < len(report.problems):
            progress.clear()
            on_problem(report.problems[seen_problems])
            seen_problems += 1
    progress.clear()
    return report
