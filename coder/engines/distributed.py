"""Code a corpus on a Dask cluster: ``coder run --engine dask CORPUS -o OUTDIR/``.

Needs the ``dask`` extra (``pip install 'coder[dask]'``, which brings
``dask[distributed]``).  docs/scale.md describes it for users.

1. **Plan** (client).  The corpus is listed as ``coder run`` reads it (same
   walk, same order, same problems for links and unknown suffixes).  Its files
   are cut into *partitions*: consecutive small files are grouped until they
   hold ``partition_bytes``; a plain (not gzip) JSONL file larger than that is
   split into byte ranges of ``partition_bytes``.  A range ``[start, end)``
   holds the lines that *start* in it: it begins at the first line boundary at
   or after ``start`` and ends at the first line boundary at or after ``end``,
   so every line belongs to exactly one partition.  Other files (text, CSV,
   XML, gzip) are never split.
2. **Count** (workers).  For a split file, the newlines of each range are
   counted in parallel, so that each range knows the number of its first line:
   document ids (``FILE:LINE`` when a line has no id), problems and byte
   offsets in messages are those of a local run.
3. **Code** (workers).  Each partition is read, coded with
   :func:`coder.pipeline.code_corpus` and written by the usual writer to
   ``OUTDIR/part-00000.csv`` (``.xml``, ``.jsonl``, ``.tsv`` by format),
   atomically.  Each worker process loads the compiled codebook once
   (:data:`_CODEBOOKS`, keyed by path and SHA-256; a worker whose codebook file
   differs from the client's refuses to code).
4. **Merge** (client).  Partition results (counts, problems, notes, rejects)
   are merged in partition order into one report, the same as a local run's;
   ``OUTDIR/manifest.json`` lists the codebook, every partition (its files and
   byte ranges, records, documents read and skipped, status) and the totals.

Concatenating the part files in order (less the CSV header of all but the
first) gives the rows of ``coder run CORPUS -o events.csv``.  The workers and
the client must see the corpus and ``OUTDIR`` at the same paths (one machine,
or a shared file system).
"""

from __future__ import annotations

import logging
import os
import re
import stat
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from coder.codebook.files import check_codebook_file, file_digest
from coder.engines.common import Outcome, check_outputs, open_places, write_ending
from coder.engines.report import open_rejects, reject_entry
from coder.errors import CoderError, Problem, UsageError
from coder.io import readers
from coder.io.formats import ActorTable
from coder.io.writers import format_for, open_writer
from coder.match.cache import load_compiled
from coder.pipeline import Report, code_corpus
from coder.version import __version__

#: Default size of a partition (``--partition-bytes``).
DEFAULT_PARTITION_BYTES = 64 << 20
#: At most this many small files are grouped in one partition.
MAX_FILES_PER_PARTITION = 1000
#: Part file suffix by output format.
PART_SUFFIX = {"csv": ".csv", "acled": ".csv", "xml": ".xml", "jsonl": ".jsonl", "phoenix": ".tsv"}
_PART = re.compile(r"^part-[0-9]{5,}\.(csv|xml|jsonl|tsv)$")
_COUNTS = ("documents_read", "documents_with_events", "documents_without_events",
           "documents_skipped", "sentences", "sentences_too_long",
           "sentences_cut_short", "events")
INSTALL_HINT = "pip install 'coder[dask]'"


def require_dask() -> None:
    """Raise a ``missing-dependency`` UsageError (exit status 2) without dask.distributed."""
    try:
        import dask  # noqa: F401
        import distributed  # noqa: F401
    except ImportError:
        raise UsageError(Problem(
            "missing-dependency", f"needs dask.distributed, which is not installed: {INSTALL_HINT}",
            field="--engine")) from None


# -- the plan


@dataclass
class Source:
    """One file of a partition, whole (``start`` None) or a byte range of a JSONL file."""

    path: str  #: as read_corpus names it (the corpus path joined with the path inside)
    rel: str  #: the id base of its documents (path relative to the corpus)
    fmt: str
    size: int = 0
    start: int | None = None
    end: int | None = None
    newlines_before: int = 0  #: newlines in the file before ``start`` (set after counting)

    def to_dict(self) -> dict:
        out = {"file": self.path, "format": self.fmt}
        if self.start is not None:
            out.update(start=self.start, end=self.end)
        else:
            out.update(start=0, end=self.size)
        return out


@dataclass
class Partition:
    index: int
    sources: list[Source]
    part: str = ""
    status: str = "pending"
    result: dict = field(default_factory=dict)


def _size(path: str) -> int | None:
    """Size of a regular file, else None (the reader reports what is wrong)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size if stat.S_ISREG(st.st_mode) else None


def _splittable(path: str, fmt: str, size: int | None, partition_bytes: int) -> bool:
    if fmt != "jsonl" or size is None or size <= partition_bytes or readers._suffix(path) == ".gz":
        return False
    try:
        with open(path, "rb") as f:
            head = f.read(4)
    except OSError:
        return False
    return readers._bom_codec(head) is None  # UTF-16 or UTF-32: decoded from its start, never split


def plan(corpus: str, *, input_format: str | None, partition_bytes: int,
         doc_date: str | None = None, max_doc_bytes: int | None = None) -> list:
    """The units of ``corpus`` in reading order: a :class:`Problem` (counted as
    one skipped document, as ``coder run`` does) or a list of sources to code
    as one partition."""
    if input_format is not None and input_format not in readers.INPUT_FORMATS:
        readers.read_corpus(corpus, input_format=input_format)  # raises the UsageError
    units: list = []
    group: list[Source] = []
    group_bytes = 0

    def flush() -> None:
        nonlocal group, group_bytes
        if group:
            units.append(group)
        group, group_bytes = [], 0

    def add(path: str, rel: str, fmt: str) -> None:
        nonlocal group_bytes
        size = _size(path)
        if _splittable(path, fmt, size, partition_bytes):
            flush()
            for start in range(0, size, partition_bytes):
                units.append([Source(path, rel, fmt, size, start, min(start + partition_bytes, size))])
            return
        group.append(Source(path, rel, fmt, size or 0))
        group_bytes += size or 0
        if group_bytes >= partition_bytes or len(group) >= MAX_FILES_PER_PARTITION:
            flush()

    is_dir = os.path.isdir(corpus)
    if is_dir:
        root = os.path.realpath(corpus)
        for item in readers._walk(corpus, "", frozenset(), root):
            if isinstance(item, Problem):
                flush()
                units.append(item)
                continue
            path, rel = item
            fmt = input_format or readers._format_of(rel)
            if fmt and not readers._inside(path, root):
                flush()
                units.append(readers._outside(path))
            elif fmt:
                add(path, rel, fmt)
        flush()
        return units
    name = os.path.basename(corpus)
    fmt = input_format or readers._format_of(name)
    if fmt and os.path.exists(corpus):
        add(corpus, name, fmt)
        flush()
        return units
    # missing, or a suffix that tells no format: the reader's own problems (it reads nothing)
    return list(readers.read_corpus(corpus, doc_date=doc_date, input_format=input_format,
                                    max_doc_bytes=max_doc_bytes))


# -- on the workers

#: Compiled codebooks of this process, by (path, SHA-256).
_CODEBOOKS: dict[tuple[str, str], tuple] = {}
_LOCK = threading.Lock()


def _codebook(path: str | None, sha256: str, version: str):
    """The compiled codebook (and its actor table), loaded once per process."""
    from coder.codebook import default_codebook_path

    if version != __version__:
        raise CoderError(Problem("worker-failed", f"this worker runs coder {__version__}, the client "
                                 f"coder {version}: install the same version everywhere"))
    path = path or default_codebook_path()
    key = (path, sha256)
    with _LOCK:
        hit = _CODEBOOKS.get(key)
        if hit is None:
            try:
                digest = file_digest(path)
            except OSError as exc:
                raise CoderError(Problem("worker-failed", f"cannot read the codebook on this worker: "
                                         f"{exc.strerror or exc}", path=path)) from None
            if digest != sha256:
                raise CoderError(Problem("worker-failed", "the codebook on this worker differs from "
                                         "the client's (another SHA-256)", path=path))
            compiled = load_compiled(path)
            hit = _CODEBOOKS[key] = (compiled, ActorTable.from_compiled(compiled))
    return hit


def count_newlines(path: str, start: int, end: int) -> int:
    """The number of ``\\n`` bytes in ``[start, end)`` of ``path``."""
    n = 0
    with open(path, "rb") as f:
        f.seek(start)
        left = end - start
        while left > 0:
            chunk = f.read(min(1 << 22, left))
            if not chunk:
                break
            n += chunk.count(b"\n")
            left -= len(chunk)
    return n


def _skip_line(f) -> int | None:
    """Read past the next ``\\n``: the number of bytes read, None at the end of the file."""
    n = 0
    while True:
        chunk = f.readline(1 << 20)
        if not chunk:
            return None
        n += len(chunk)
        if chunk.endswith(b"\n"):
            return n


def read_range(source: Source, doc_date: str | None, max_bytes: int | None,
               state: dict) -> Iterator:
    """The documents (and problems) of the JSONL lines that start in the
    source's byte range, numbered and named as when the whole file is read.
    Sets ``state["found"]`` when a line held something and ``state["stopped"]``
    when a line over the line limit stops the file (as in a local run)."""
    path, rel = source.path, source.rel
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            yield Problem("input-io", "cannot open: not a regular file", path=path)
            return
        f = open(path, "rb")
    except OSError as e:
        yield readers._io_problem(path, e)
        return
    with f:
        try:
            pos, newlines = source.start, source.newlines_before
            if pos > 0:
                f.seek(pos - 1)
                if f.read(1) != b"\n":  # inside a line that belongs to the previous range
                    skipped = _skip_line(f)
                    if skipped is None:
                        return
                    pos, newlines = pos + skipped, newlines + 1
            capped = readers._Capped(f, max_bytes) if max_bytes is not None else None
            while pos < source.end:
                if capped is not None:
                    capped.lines = newlines
                    line = capped.readline()
                else:
                    line = f.readline()
                if not line:
                    break
                n, offset, raw = newlines + 1, pos, line
                state.setdefault("lines", [n, n])[1] = n
                pos += len(line)
                if line.endswith(b"\n"):
                    newlines += 1
                if n == 1 and raw.startswith(readers._BOM):
                    raw, offset = raw[len(readers._BOM):], offset + len(readers._BOM)
                text = readers._decode(raw, path, n, offset)
                if isinstance(text, Problem):
                    state["found"] = True
                    yield text
                elif text.strip():
                    state["found"] = True
                    yield readers._json_document(text, path, n, f"{rel}:{n}", doc_date)
        except readers.TooLarge as e:
            state["found"] = state["stopped"] = True
            yield Problem("input-too-large", str(e), path=path, line=e.line)
        except OSError as e:
            yield readers._io_problem(path, e, "read")


def code_partition(task: dict) -> dict:
    """Code one partition into its part file; what it gave, for the client."""
    from coder.engines.common import unique_ids, write_record

    start = time.perf_counter()
    compiled, actors = _codebook(task["codebook"], task["codebook_sha256"], task["coder_version"])
    cb = compiled.codebook
    o = task["options"]
    state = {"found": False, "stopped": False}

    def items():  # an id seen twice in one partition is skipped as in a local run (not across partitions)
        for source in task["sources"]:
            if source.start is None:
                yield from readers._read_file(source.path, source.rel, source.fmt, o["doc_date"],
                                              o["max_doc_bytes"])
            else:
                yield from read_range(source, o["doc_date"], o["max_doc_bytes"], state)

    report = Report()
    rejected: list = []
    with open_writer(task["part_path"], o["format"], codebook=cb.name, codebook_version=cb.version,
                     excel_safe=o["excel_safe"], actors=actors) as writer:
        for record in code_corpus(compiled, unique_ids(items()), report, max_doc_bytes=o["max_doc_bytes"],
                                  max_sentence_chars=o["max_sentence_chars"],
                                  on_skip=rejected.append if task["rejects"] else None,
                                  raise_errors=o["raise_errors"]):
            write_record(writer, record, report)
        records = writer.count
    return _result(report, rejected, records=records, found=state["found"], stopped=state["stopped"],
                   lines=state.get("lines"), seconds=round(time.perf_counter() - start, 3))


def _result(report: Report, rejected: list = (), **more) -> dict:
    """What a partition gave: counts, problems, notes, rejects entries, and ``more``."""
    return {"counts": {n: getattr(report, n) for n in _COUNTS}, "problems": report.problems,
            "skipped": report.skipped, "notes": report.notes,
            "rejects": [reject_entry(p) for p in rejected], **more}


# -- the client


def _merge(report: Report, result: dict) -> None:
    for name, n in result["counts"].items():
        setattr(report, name, getattr(report, name) + n)
    report.problems.extend(result["problems"])
    report.skipped.extend(result["skipped"])
    report.notes.extend(result["notes"])


def _check_outdir(output: str | None) -> None:
    if output is None or output == "-":
        raise UsageError(Problem("usage", "needs an output directory (-o OUTDIR)", field="--engine"))
    if os.path.exists(output) and not os.path.isdir(output):
        raise UsageError(Problem("usage", "must be a directory with --engine dask (part files and "
                                 "manifest.json are written into it)", path=output, field="--output"))


def _prepare_outdir(output: str) -> str:
    """Make the output directory; remove the parts and manifest of an earlier run."""
    try:
        os.makedirs(output, exist_ok=True)
        for name in os.listdir(output):  # parts of an earlier run would mix with ours
            if _PART.match(name) or name == "manifest.json":
                os.unlink(os.path.join(output, name))
    except OSError as exc:
        from coder.io.outputs import io_error

        raise io_error(output, exc) from exc
    return output


def _connect(scheduler: str | None, jobs: int, cluster_options: dict | None):
    """A dask.distributed Client (and the LocalCluster it owns, if any)."""
    from distributed import Client, LocalCluster

    if scheduler is not None:
        try:
            return Client(scheduler, set_as_default=False), None
        except (OSError, TimeoutError) as exc:
            raise UsageError(Problem("usage", f"cannot connect to the Dask scheduler {scheduler}: {exc}",
                                     field="--scheduler")) from None
    options = {"n_workers": jobs, "threads_per_worker": 1, "processes": True,
               "dashboard_address": None, "silence_logs": logging.ERROR}
    options.update(cluster_options or {})
    with warnings.catch_warnings():  # another cluster has the default HTTP port: any port will do
        warnings.filterwarnings("ignore", message="Port .* is already in use")
        cluster = LocalCluster(**options)
    return Client(cluster, set_as_default=False), cluster


def run_dask(corpus: str, output: str | None, *, fmt: str | None = None, codebook: str | None = None,
             doc_date: str | None = None, input_format: str | None = None,
             on_problem: Callable[[Problem], None] | None = None, report: Report | None = None,
             report_path: str | None = None, rejects_path: str | None = None, resume: bool = False,
             max_doc_bytes: int | None = None, max_sentence_chars: int | None = None,
             excel_safe: bool = False, raise_errors: bool = False,
             on_note: Callable[[Problem | str], None] | None = None, jobs: int | None = None,
             scheduler: str | None = None, partition_bytes: int | None = None,
             cluster_options: dict | None = None) -> Report:
    """``coder run --engine dask``: code ``corpus`` into part files in the
    directory ``output``; return the merged report (as :func:`coder.engines.runner.run`).

    ``scheduler``: the address of a running scheduler; without it a
    ``LocalCluster`` of ``jobs`` worker processes (one thread each) is started
    and closed (``cluster_options`` are passed to it).
    """
    from coder.engines.common import check_doc_date, check_limit, codebook_digest
    from coder.engines.parallel import check_jobs

    require_dask()
    if resume:
        raise UsageError(Problem("usage", "not with --engine dask (partitions are written as they "
                                 "finish; run again to redo a failed run)", field="--resume"))
    if corpus == "-":
        raise UsageError(Problem("usage", "cannot read standard input: give files or a directory",
                                 field="--engine"))
    _check_outdir(output)
    doc_date = check_doc_date(doc_date)
    max_doc_bytes = check_limit(max_doc_bytes, "--max-doc-bytes")
    max_sentence_chars = check_limit(max_sentence_chars, "--max-sentence-chars")
    if partition_bytes is None:
        partition_bytes = DEFAULT_PARTITION_BYTES
    elif partition_bytes <= 0:
        raise UsageError(Problem("usage", f"must be a positive number, not {partition_bytes}",
                                 field="--partition-bytes"))
    jobs = check_jobs(jobs)
    fmt = format_for(None, fmt)  # the format of the parts: --format, default CSV
    for path, option in ((report_path, "--report"), (rejects_path, "--rejects")):
        if path is not None and output and os.path.abspath(os.path.dirname(os.path.abspath(path))) == \
                os.path.abspath(output) and _PART.match(os.path.basename(path)):
            raise UsageError(Problem("usage", "is a part file name in the output directory", path=path,
                                     field=option))
    check_outputs(corpus, None, report_path, rejects_path, input_format)
    report = report if report is not None else Report()
    options = {"format": fmt, "doc_date": doc_date, "input_format": input_format,
               "max_doc_bytes": max_doc_bytes, "max_sentence_chars": max_sentence_chars,
               "excel_safe": excel_safe, "resume": False, "rejects": rejects_path,
               "engine": "dask", "scheduler": scheduler, "partition_bytes": partition_bytes}
    codebook_info: dict = {"path": codebook}
    start = time.perf_counter()
    partitions: list[Partition] = []
    manifest_path = None
    client = cluster = None
    futures: dict = {}
    shown = [0, 0]

    def show() -> None:
        while on_problem is not None and shown[0] < len(report.problems):
            on_problem(report.problems[shown[0]])
            shown[0] += 1
        while on_note is not None and shown[1] < len(report.notes):
            on_note(report.notes[shown[1]])
            shown[1] += 1

    outcome = Outcome()  # a Ctrl-C lost while the cluster starts still stops the run
    try:
        with outcome:
            check_codebook_file(codebook)  # before the cache reads it: not /dev/zero, not 10 GB
            compiled = load_compiled(codebook)  # a broken codebook stops here, before any cluster
            cb = compiled.codebook
            open_places(compiled, report)  # and a gazetteer that cannot be had (local workers then share it)
            codebook_info = {"name": cb.name, "version": cb.version, "path": codebook,
                             "sha256": codebook_digest(cb, codebook)}
            outdir = _prepare_outdir(output)
            manifest_path = os.path.join(outdir, "manifest.json")
            units = plan(corpus, input_format=input_format, partition_bytes=partition_bytes,
                         doc_date=doc_date, max_doc_bytes=max_doc_bytes)
            for unit in units:
                if not isinstance(unit, Problem):
                    p = Partition(len(partitions), unit)
                    p.part = f"part-{p.index:05d}{PART_SUFFIX[fmt]}"
                    partitions.append(p)
            client, cluster = _connect(scheduler, jobs, cluster_options)

            # count the lines of split files, so that each range knows its first line number
            ranges = [s for p in partitions for s in p.sources if s.start is not None]
            counted = client.gather(client.map(count_newlines, [s.path for s in ranges],
                                               [s.start for s in ranges], [s.end for s in ranges],
                                               pure=False)) if ranges else []
            before: dict[str, int] = {}
            for source, n in zip(ranges, counted, strict=True):
                source.newlines_before = before.get(source.path, 0)
                before[source.path] = source.newlines_before + n

            task_options = {"format": fmt, "doc_date": doc_date, "max_doc_bytes": max_doc_bytes,
                            "max_sentence_chars": max_sentence_chars, "excel_safe": excel_safe,
                            "raise_errors": raise_errors}
            futures = {p.index: client.submit(code_partition, {
                "sources": p.sources, "part_path": os.path.abspath(os.path.join(outdir, p.part)),
                "codebook": os.path.abspath(codebook) if codebook else None,
                "codebook_sha256": codebook_info["sha256"], "coder_version": __version__,
                "options": task_options, "rejects": rejects_path is not None}, pure=False)
                for p in partitions}

            with open_rejects(rejects_path) as rejects:
                stopped: set[str] = set()  # files stopped by an overlong line: their later ranges are dropped
                found: dict[str, bool] = {}
                it = iter(partitions)
                for unit in units:
                    if isinstance(unit, Problem):  # counted as code_corpus counts a reader problem
                        list(code_corpus(compiled, (unit,), report,
                                         on_skip=rejects.write if rejects is not None else None))
                        show()
                        continue
                    p = next(it)
                    try:
                        result = futures.pop(p.index).result()
                    except (CoderError, KeyboardInterrupt):
                        raise
                    except Exception as exc:
                        if raise_errors:
                            raise
                        p.status = "failed"
                        p.result = {"error": f"{type(exc).__name__}: {exc}"}
                        where = ", ".join(f"{s.path}" + (f" bytes {s.start}-{s.end}" if s.start is not None else "")
                                          for s in p.sources[:3])
                        raise CoderError(Problem("worker-failed", f"partition {p.index} ({where}) failed: "
                                                 f"{type(exc).__name__}: {exc}")) from exc
                    source = p.sources[0]
                    if source.start is not None and source.path in stopped:
                        p.status, p.result = "dropped", {"records": 0, "reason": "an earlier range of the "
                                                         "file stopped at a line over the line limit"}
                        _empty_part(os.path.join(outdir, p.part), fmt, cb, excel_safe)
                    else:
                        p.status, p.result = "complete", result
                        _merge(report, result)
                        if rejects is not None:
                            for entry in result["rejects"]:
                                rejects.write_entry(entry)
                        if source.start is not None:
                            found[source.path] = found.get(source.path, False) or result["found"]
                            if result["stopped"]:
                                stopped.add(source.path)
                    if source.start is not None and source.end >= source.size and not found.get(source.path):
                        # the last range of a split file in which no line held anything: as the reader
                        empty = Report()
                        list(code_corpus(compiled, (Problem("input-empty", "no documents in file",
                                                            path=source.path),), empty,
                                         on_skip=rejects.write if rejects is not None else None))
                        _merge(report, _result(empty))
                        for name, n in _result(empty)["counts"].items():  # counted in this partition
                            counts = p.result.setdefault("counts", {})
                            counts[name] = counts.get(name, 0) + n
                    show()
                    outcome.sigint.check()
                outcome.sigint.check()  # before the rejects file is committed
    finally:
        if client is not None:
            if futures:  # stopped early: tasks not started are not run (running ones may finish)
                client.cancel(list(futures.values()))
            _close(client, cluster)
        report.seconds = time.perf_counter() - start
        if manifest_path is not None:
            doc = manifest(report, status=outcome.status, corpus=corpus, fmt=fmt, codebook=codebook_info,
                           options=options, partitions=partitions)
            write_ending(manifest_path, doc, outcome.status)
        if report_path is not None:
            outcome.write_report(report_path, report, corpus=corpus, output=output,
                                 codebook=codebook_info, options=options)
    return report


def _close(client, cluster) -> None:
    try:
        client.close()
    finally:
        if cluster is not None:
            cluster.close()


def _empty_part(path: str, fmt: str, cb, excel_safe: bool) -> None:
    with open_writer(path, fmt, codebook=cb.name, codebook_version=cb.version, excel_safe=excel_safe):
        pass


def manifest(report: Report, *, status: str, corpus: str, fmt: str, codebook: dict, options: dict,
             partitions: list[Partition]) -> dict:
    """What ``OUTDIR/manifest.json`` holds."""
    parts = []
    for p in partitions:
        r = p.result
        counts = r.get("counts", {})
        entry = {"part": p.part, "status": p.status, "sources": [s.to_dict() for s in p.sources],
                 "records": r.get("records", 0)}
        if r.get("lines"):  # a byte range: the first and last line that start in it
            entry["sources"][0]["lines"] = r["lines"]
        entry.update({k: counts.get(k, 0) for k in ("documents_read", "documents_skipped",
                                                    "documents_with_events", "documents_without_events",
                                                    "sentences", "events")})
        for key in ("seconds", "error", "reason"):
            if key in r:
                entry[key] = r[key]
        parts.append(entry)
    return {
        "coder_version": __version__,
        "status": status,
        "corpus": corpus,
        "format": fmt,
        "codebook": codebook,
        "options": options,
        "partitions": parts,
        "totals": {"partitions": len(partitions), "records": sum(e["records"] for e in parts),
                   "documents_read": report.documents_read, "documents_skipped": report.documents_skipped,
                   "problems": len(report.problems),
                   "sentences": report.sentences, "events": report.events,
                   "seconds": round(report.seconds, 3)},
    }
