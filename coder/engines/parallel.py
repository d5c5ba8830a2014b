"""Code a corpus in several worker processes (``coder run --jobs N``).

The main process reads the corpus, cuts the stream of documents (and reader
problems) into batches, and sends them to a pool of ``N`` worker processes;
it takes the results back in the order the batches were sent and counts them
into the run's :class:`~coder.pipeline.Report` exactly as
:func:`~coder.pipeline.code_corpus` would have, item by item.  So the records,
their order, the rejects and the report are the same whatever ``N`` is, and
the output is written by the one writer of the main process (byte for byte
that of ``--jobs 1``).

* Each worker gets the compiled codebook once: inherited from the main process
  when processes are forked (Linux), else loaded with
  :func:`coder.match.cache.load_compiled` (the cache makes that cheap).
* Each item of a batch is coded by :func:`~coder.pipeline.code_corpus` alone,
  so limits, skips (``coding-failed`` included), notes and counts are those of
  the in-process path; the worker sends back, per item, the counts, problems,
  notes, rejects and records.
* With ``validate`` (a plain run; the runner then turns off the writer's own
  record check), the workers also check each record against the event schema,
  the most expensive step left in the main process: a record that breaks it is
  dropped and reported (``record-invalid``, one event less) exactly as the
  writer would have done, so the main process only formats and writes.
* At most ``2 * N`` batches are in flight (sent and not yet written), so memory
  stays flat however large the corpus.
* Small runs stay in the main process: until the main process has spent
  :data:`POOL_MIN_SECONDS` coding, or has read :data:`POOL_MIN_DOCUMENTS`
  documents or :data:`POOL_MIN_CHARS` characters of text, documents are coded
  there as with ``--jobs 1``; only then is the pool started (a corpus of a
  few documents does not pay for starting workers, and a corpus of long or
  event-dense documents is not coded on one core for long).  Where each
  document is coded does not change the output.
* Workers ignore SIGINT: Ctrl-C stops the main process, which terminates the
  workers (:meth:`Pool.close`).  A worker that dies (killed, out of memory)
  stops the run with ``worker-failed``.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import suppress
from dataclasses import replace
from itertools import chain

from coder.errors import CoderError, Problem, UsageError
from coder.events.record import Record, record_values
from coder.match.compile import Compiled
from coder.pipeline import Report, code_corpus
from coder.text.document import Document

#: A batch is cut at this many documents ...
BATCH_DOCUMENTS = 64
#: ... or once its texts hold this many characters.
BATCH_CHARS = 256 * 1024
#: Batches in flight per worker.
IN_FLIGHT_PER_WORKER = 2
#: The pool starts once the main process has spent this many seconds coding
#: (starting two forked workers costs a few hundredths of a second) ...
POOL_MIN_SECONDS = 0.05
#: ... or the run has read this many documents ...
POOL_MIN_DOCUMENTS = 200
#: ... or this many characters of text; before that, documents are coded in
#: the main process.
POOL_MIN_CHARS = 512 * 1024

_COUNTS = ("documents_read", "documents_with_events", "documents_without_events",
           "documents_skipped", "sentences", "sentences_too_long",
           "sentences_cut_short", "events")


def default_jobs() -> int:
    """The number of cores this process may run on (``os.cpu_count()``, or
    fewer when its CPU affinity is limited, as in some containers)."""
    count = getattr(os, "process_cpu_count", None)  # Python 3.13
    if count is not None:
        return count() or 1
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def check_jobs(value: int | None) -> int:
    """A ``--jobs`` value: None or 0 means all cores; negative is an error."""
    if value is None or value == 0:
        return default_jobs()
    if value < 0:
        raise UsageError(Problem("usage", f"must be a positive number (0 for all cores), not {value}",
                                 field="--jobs"))
    return value


def start_method() -> str:
    """'fork' where it is available and safe (not macOS), else 'spawn'."""
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and sys.platform != "darwin":
        return "fork"
    return "spawn"


# -- in the workers

_WORKER: dict = {}


def _init_worker(compiled: Compiled | None, codebook: str | None, options: dict, parent: int) -> None:
    """Runs once in each worker process: ignore Ctrl-C, get the codebook.
    ``parent`` is the main process's pid, taken before the worker started."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a forked worker inherits the run's handler: terminate() kills it
    _watch_parent(parent)
    if compiled is None:
        from coder.match.cache import load_compiled

        compiled = load_compiled(codebook)
    _WORKER.clear()
    _WORKER.update(options, compiled=compiled)


def _watch_parent(parent: int, interval: float = 0.5) -> None:
    """Exit when the main process is gone (killed outright: no one else would
    stop a worker waiting for work). ``parent`` comes from the main process,
    not from ``os.getppid()`` here: the main process may already have died
    between starting this worker and this worker getting here."""
    if os.getppid() != parent:
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(interval)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="coder-watch-parent", daemon=True).start()


def _pack(report: Report, rejected: list | None, records: list[Record]) -> tuple:
    """What coding one item gave, compactly (None for empty lists; each
    record as the tuple of its values, which pickles in a third of the time
    a dataclass takes)."""
    return (tuple(getattr(report, n) for n in _COUNTS), report.problems or None,
            report.skipped or None, report.notes or None, rejected or None,
            [record_values(r) for r in records] or None)


def checked(records: list[Record], report: Report) -> list[Record]:
    """The records that pass the event schema; each one that does not is
    reported as the runner's writer reports it (its problems with the
    document id and sentence index, one event less)."""
    from coder.io.schema import validate_values

    kept = []
    for record in records:
        problems = validate_values(record_values(record))
        if not problems:
            kept.append(record)
            continue
        report.problems.extend(replace(p, path=f"{record.doc_id}", line=record.sentence_index)
                               for p in problems)
        report.events -= 1
    return kept


def code_items(compiled: Compiled, items: Iterable[Document | Problem], *, keep_raw: bool = False,
               validate: bool = False, max_doc_bytes: int | None = None,
               max_sentence_chars: int | None = None, raise_errors: bool = False) -> list[tuple]:
    """Code each item on its own with :func:`code_corpus`; one packed result per item."""
    out = []
    for item in items:
        report = Report()
        rejected: list | None = [] if keep_raw else None
        records = list(code_corpus(compiled, (item,), report, max_doc_bytes=max_doc_bytes,
                                   max_sentence_chars=max_sentence_chars,
                                   on_skip=rejected.append if rejected is not None else None,
                                   raise_errors=raise_errors))
        if validate and records:
            records = checked(records, report)
        out.append(_pack(report, rejected, records))
    return out


def _code_batch(batch: list, keep_raw: bool) -> list[tuple]:
    w = _WORKER
    return code_items(w["compiled"], batch, keep_raw=keep_raw, validate=w["validate"],
                      max_doc_bytes=w["max_doc_bytes"], max_sentence_chars=w["max_sentence_chars"],
                      raise_errors=w["raise_errors"])


# -- in the main process

def merge(report: Report, packed: tuple, on_skip: Callable[[Problem], None] | None) -> list[Record]:
    """Count one item's result into ``report`` (as code_corpus would); its records."""
    counts, problems, skipped, notes, rejected, records = packed
    if rejected and on_skip is not None:
        for problem in rejected:
            on_skip(problem)
    for name, n in zip(_COUNTS, counts, strict=True):
        if n:
            setattr(report, name, getattr(report, name) + n)
    if problems:
        report.problems.extend(problems)
    if skipped:
        report.skipped.extend(skipped)
    if notes:
        report.notes.extend(notes)
    return [Record(*values) for values in records] if records else []


def _size(item) -> int:
    return len(item.text) if isinstance(item, Document) else 0


def batches(items: Iterator, max_docs: int = BATCH_DOCUMENTS, max_chars: int = BATCH_CHARS) -> Iterator[list]:
    """Consecutive lists of items, each cut at ``max_docs`` items or ``max_chars`` of text."""
    batch: list = []
    chars = 0
    for item in items:
        batch.append(item)
        chars += _size(item)
        if len(batch) >= max_docs or chars >= max_chars:
            yield batch
            batch, chars = [], 0
    if batch:
        yield batch


class Pool:
    """Codes streams of documents with ``jobs`` worker processes.

    ``code(items, report, on_skip)`` has the signature and the results of
    ``code_corpus`` (records in order, counts into ``report``, each skipped
    document's problem with its raw content to ``on_skip``); call it once or
    several times (a resumable run calls it once per input file).  With
    ``validate`` the records it yields have passed the event schema (see
    :func:`checked`).  Use as a context manager, or call :meth:`close`.
    """

    def __init__(self, compiled: Compiled, codebook: str | None, jobs: int, *,
                 max_doc_bytes: int | None = None, max_sentence_chars: int | None = None,
                 raise_errors: bool = False, validate: bool = False, method: str | None = None,
                 min_documents: int | None = None, min_chars: int | None = None,
                 min_seconds: float | None = None):
        self.compiled, self.codebook, self.jobs = compiled, codebook, jobs
        self.options = {"max_doc_bytes": max_doc_bytes, "max_sentence_chars": max_sentence_chars,
                        "raise_errors": raise_errors}
        self.validate = validate
        self.method = method or start_method()
        self.min_documents = POOL_MIN_DOCUMENTS if min_documents is None else min_documents
        self.min_chars = POOL_MIN_CHARS if min_chars is None else min_chars
        self.min_seconds = POOL_MIN_SECONDS if min_seconds is None else min_seconds
        self.in_flight = IN_FLIGHT_PER_WORKER * jobs
        self.executor = None  # a ProcessPoolExecutor once started
        self._documents = self._chars = 0
        self._seconds = 0.0  # spent coding in this process before the pool started

    # -- the pool

    @property
    def started(self) -> bool:
        return self.executor is not None

    def _start(self) -> None:
        import multiprocessing  # here: a run that needs no pool does not pay for the imports
        from concurrent.futures import ProcessPoolExecutor

        ctx = multiprocessing.get_context(self.method)
        inherit = self.compiled if self.method == "fork" else None  # fork: no copy, no load
        self.executor = ProcessPoolExecutor(self.jobs, mp_context=ctx, initializer=_init_worker,
                                            initargs=(inherit, self.codebook,
                                                      {**self.options, "validate": self.validate},
                                                      os.getpid()))

    def close(self, complete: bool = True) -> None:
        """Stop the workers: wait for them after a complete run, else terminate them."""
        executor, self.executor = self.executor, None
        if executor is None:
            return
        if complete:
            executor.shutdown(wait=True)
            return
        terminate(executor)

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, kind, exc, tb) -> None:
        self.close(complete=kind is None)

    # -- coding

    def code(self, items: Iterable[Document | Problem], report: Report,
             on_skip: Callable[[Problem], None] | None = None) -> Iterator[Record]:
        it = iter(items)
        if self.executor is None:
            for item in it:  # in this process, until the run is big enough for the pool
                if (self._documents >= self.min_documents or self._chars >= self.min_chars
                        or self._seconds >= self.min_seconds):
                    it = chain((item,), it)
                    break
                began = time.perf_counter()
                records = list(code_corpus(self.compiled, (item,), report, on_skip=on_skip, **self.options))
                if self.validate:
                    records = checked(records, report)
                self._seconds += time.perf_counter() - began
                self._documents += 1
                self._chars += _size(item)
                yield from records
            else:
                return
            self._start()
        yield from self._pooled(it, report, on_skip)

    def _pooled(self, it: Iterator, report: Report, on_skip) -> Iterator[Record]:
        from concurrent.futures.process import BrokenProcessPool

        keep_raw = on_skip is not None
        pending: deque = deque()
        try:
            for batch in batches(it, BATCH_DOCUMENTS, BATCH_CHARS):
                while len(pending) >= self.in_flight:
                    yield from self._take(pending.popleft(), report, on_skip)
                pending.append(self.executor.submit(_code_batch, batch, keep_raw))
            while pending:
                yield from self._take(pending.popleft(), report, on_skip)
        except BrokenProcessPool:  # from submit() or result()
            raise CoderError(Problem(
                "worker-failed", "a worker process died while coding (killed, or out of memory?); "
                "the run is stopped and no output file was written")) from None
        finally:
            for future in pending:
                future.cancel()

    def _take(self, future, report: Report, on_skip) -> Iterator[Record]:
        for packed in future.result():
            yield from merge(report, packed, on_skip)


def _quiet_manager_thread() -> None:
    """Before Python 3.12, the executor's manager thread, finding the pool broken
    by the workers killed here, sets an exception on futures that were cancelled
    already and dies of ``InvalidStateError`` (CPython gh-107219, fixed in 3.12), which Python
    prints as a traceback after the user's one-line message.  That one error of
    that thread is not the user's concern: it is left out; any other goes to the
    hook as before."""
    from concurrent.futures import InvalidStateError

    previous = threading.excepthook
    if getattr(previous, "_coder_quiet", False):
        return

    def hook(args) -> None:
        if args.exc_type is InvalidStateError and type(args.thread).__name__ == "_ExecutorManagerThread":
            return
        previous(args)

    hook._coder_quiet = True
    threading.excepthook = hook


def terminate(executor) -> None:
    """Kill the workers of ``executor`` now and let it go."""
    stop = getattr(executor, "terminate_workers", None)  # Python 3.14
    if stop is not None:
        stop()
        return
    _quiet_manager_thread()
    processes = list((getattr(executor, "_processes", None) or {}).values())
    # A worker killed while writing a result leaves half a message in the result pipe; the
    # executor's thread then waits for the rest for ever (and the interpreter, joining that
    # thread at exit, with it) unless every writing end is closed: the workers' close as they
    # die, this process's is closed here, so the read ends in an end of file instead.
    writer = getattr(getattr(executor, "_result_queue", None), "_writer", None)
    if writer is not None:
        with suppress(OSError):
            writer.close()
    for p in processes:
        try:
            p.terminate()
        except (OSError, AttributeError):  # pragma: no cover - already gone
            pass
    executor.shutdown(wait=False, cancel_futures=True)
    for p in processes:
        p.join(5)
