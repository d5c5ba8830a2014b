"""Resumable runs (``coder run CORPUS -o OUT --resume``).

A resumable run codes the corpus one input file at a time and keeps what each
finished file gave in a parts directory next to the output, ``.OUT.parts/``
(hidden, like the temporary files of atomic writes, so that a corpus
directory holding the output never reads it as input):

* ``manifest.json``: the run's key (a hash of the coder version, the
  codebook's content hash, the corpus and every option that changes what a
  file gives) and, for people, what went into it;
* ``000001.part``, ...: one per finished input file, JSON lines of its
  records (``{"record": {...}}``) and skipped documents (``{"reject":
  {...}}``), in corpus order;
* ``done.jsonl``: a journal, one line per finished file (its path relative to
  the corpus, size and modification time, part file, counts and problems),
  appended and fsynced after the part file has been renamed into place.

A part is written to a temporary file and renamed, then its journal line is
appended: a crash at any point leaves at worst a file that is coded again.

Run again with ``--resume``: files whose journal line is there (and whose size
and modification time are unchanged) are read but not coded again; the others
are coded.  When every file is done, the records of all parts are written to
``OUT`` by the same writer as a plain run, in corpus order, so the output is
byte for byte that of an uninterrupted run; then the parts directory is
removed.  A parts directory made with another key (another codebook or
options) is removed and the run starts over, with a note.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterable, Iterator

from coder.engines.report import dumps, reject_entry
from coder.errors import Problem
from coder.events.record import Record
from coder.io.outputs import atomic_file, fsync_dir, io_error, write_bytes
from coder.pipeline import Report
from coder.text.document import Document

#: Called after each part is saved with the number saved so far in this run
#: (tests set it to interrupt a run after N files).
after_part: Callable[[int], None] | None = None

_COUNTS = ("documents_read", "documents_with_events", "documents_without_events",
           "documents_skipped", "sentences", "sentences_too_long",
           "sentences_cut_short", "events")


def parts_dir(output: str) -> str:
    """The parts directory of ``output``: ``.NAME.parts`` next to it."""
    directory, name = os.path.split(output)
    return os.path.join(directory, f".{name}.parts")


def run_key(settings: dict) -> str:
    """The hash that says which parts may be reused."""
    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode("utf-8")).hexdigest()


def _stamp(path: str | None) -> list | None:
    try:
        st = os.stat(path)
    except (OSError, TypeError, ValueError):
        return None
    return [st.st_size, st.st_mtime_ns]


def unit_of(corpus: str) -> Callable[[Document | Problem], str]:
    """Which input file an item comes from: its path relative to the corpus."""
    if os.path.isdir(corpus):
        def unit(item):
            return os.path.relpath(item.path, corpus).replace(os.sep, "/") if item.path else ""
    else:
        def unit(item):
            return os.path.basename(item.path) if item.path else ""
    return unit


class _Peek:
    def __init__(self, items: Iterable, unit: Callable):
        self.it = iter(items)
        self.unit = unit
        self.head: list = []

    def peek(self):
        if not self.head:
            self.head.append(next(self.it))  # StopIteration ends the caller's loop
        return self.head[0]

    def take(self, unit: str) -> Iterator:
        """The items of ``unit``, up to the first item of another file."""
        while True:
            try:
                item = self.peek()
            except StopIteration:
                return
            if self.unit(item) != unit:
                return
            self.head.clear()
            yield item


class Parts:
    """The parts directory of one resumable run."""

    def __init__(self, output: str, key: str, info: dict):
        self.dir = parts_dir(output)
        self.key, self.info = key, info
        self.done: dict[str, dict] = {}
        self.note: str | None = None
        self.saved = 0

    def open(self) -> None:
        """Load the journal of an earlier run with the same key, or start afresh."""
        manifest = os.path.join(self.dir, "manifest.json")
        old_key = None
        try:
            with open(manifest, encoding="utf-8") as f:
                old_key = json.load(f).get("key")
        except FileNotFoundError:
            pass
        except (OSError, ValueError, AttributeError):
            old_key = "unreadable"
        if old_key is not None and old_key != self.key:
            self.note = (f"{self.dir} was made with another codebook or other options: "
                         "it is removed and the run starts over")
            shutil.rmtree(self.dir, ignore_errors=True)
        elif old_key == self.key:
            self._load_journal()
        try:
            os.makedirs(self.dir, exist_ok=True)
            if old_key != self.key:
                self._write(manifest, json.dumps({"key": self.key, **self.info}, indent=2) + "\n")
            self._write(os.path.join(self.dir, "done.jsonl"),
                        "".join(dumps(e) + "\n" for e in self.done.values()))
        except OSError as exc:
            raise io_error(self.dir, exc) from exc

    def _load_journal(self) -> None:
        try:
            with open(os.path.join(self.dir, "done.jsonl"), encoding="utf-8",
                      errors="replace") as f:
                lines = f.read().split("\n")
        except OSError:
            return
        for line in lines:
            try:
                entry = json.loads(line)
                unit, part = entry["unit"], entry["part"]
            except (ValueError, TypeError, KeyError):
                continue  # a line cut short by a crash: that file is coded again
            if os.path.isfile(os.path.join(self.dir, part)):
                self.done[unit] = entry

    def _write(self, path: str, text: str) -> None:
        write_bytes(path, text.encode("utf-8"))

    def finished(self, unit: str, stamp) -> dict | None:
        entry = self.done.get(unit)
        if entry is not None and entry.get("stamp") == stamp:
            return entry
        return None

    def part_name(self, unit: str) -> str:
        """The part file of ``unit``: the one it had, else a new one."""
        if unit in self.done:
            return self.done[unit]["part"]
        used = {e["part"] for e in self.done.values()}
        n = len(self.done) + 1
        while (part := f"{n:06d}.part") in used:
            n += 1
        return part

    def save(self, unit: str, stamp, part: str, counts: dict, problems: dict) -> None:
        """Append the journal line of a finished file whose part is in place."""
        try:
            entry = {"unit": unit, "stamp": stamp, "part": part, "counts": counts, **problems}
            with open(os.path.join(self.dir, "done.jsonl"), "ab") as f:
                f.write(dumps(entry).encode("utf-8") + b"\n")
                f.flush()
                os.fsync(f.fileno())
        except OSError as exc:
            raise io_error(self.dir, exc) from exc
        self.done[unit] = entry
        self.saved += 1
        if after_part is not None:
            after_part(self.saved)

    def lines(self, unit: str) -> Iterator[dict]:
        path = os.path.join(self.dir, self.done[unit]["part"])
        try:
            with open(path, encoding="utf-8") as f:
                for line in f:
                    yield json.loads(line)
        except OSError as exc:
            raise io_error(path, exc) from exc

    def remove(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)
        fsync_dir(os.path.dirname(os.path.abspath(self.dir)))


def _snapshot(report: Report) -> tuple:
    return (tuple(getattr(report, n) for n in _COUNTS),
            len(report.problems), len(report.skipped), len(report.notes))


def _delta(report: Report, before: tuple) -> tuple[dict, dict]:
    counts = {n: getattr(report, n) - v for n, v in zip(_COUNTS, before[0], strict=True)}
    problems = {
        "problems": [p.to_dict() for p in report.problems[before[1]:]],
        "skipped": [p.to_dict() for p in report.skipped[before[2]:]],
        "notes": [p.to_dict() for p in report.notes[before[3]:]],
    }
    return counts, problems


def _restore(report: Report, entry: dict) -> None:
    for n in _COUNTS:
        setattr(report, n, getattr(report, n) + entry["counts"].get(n, 0))
    for name in ("problems", "skipped", "notes"):
        getattr(report, name).extend(Problem(**d) for d in entry.get(name, []))


def record_line(record: Record) -> str:
    return dumps({"record": {f.name: getattr(record, f.name) for f in dataclasses.fields(Record)}})


def run_resumable(items: Iterable, corpus: str, parts: Parts, report: Report,
                  code: Callable[[Iterable, Report, Callable[[Problem], None]], Iterator[Record]],
                  ) -> list[str]:
    """Code ``items`` file by file into ``parts``; return the files in corpus order.

    ``code(items, report, on_skip)`` codes the items of one file, yielding the
    records to keep (already validated).
    """
    order: list[str] = []
    seen: set[str] = set()
    unit_fn = unit_of(corpus)
    stream = _Peek(items, unit_fn)
    while True:
        try:
            first = stream.peek()
        except StopIteration:
            break
        unit = base = unit_fn(first)
        k = 1
        while unit in seen:  # the same path twice (not made by the readers): keep both
            k += 1
            unit = f"{base}#{k}"
        seen.add(unit)
        order.append(unit)
        group = stream.take(base)
        stamp = _stamp(first.path)
        entry = parts.finished(unit, stamp)
        if entry is not None:
            for _ in group:  # read past it
                pass
            _restore(report, entry)
            continue
        before = _snapshot(report)
        part = parts.part_name(unit)
        path = os.path.join(parts.dir, part)
        with atomic_file(path) as f:
            def write(line: str, path: str = path) -> None:
                try:
                    f.write(line.encode("utf-8") + b"\n")
                except OSError as exc:
                    raise io_error(path, exc) from exc

            def on_skip(problem: Problem) -> None:
                write(dumps({"reject": reject_entry(problem)}))

            for record in code(group, report, on_skip):
                write(record_line(record))
        counts, problems = _delta(report, before)
        parts.save(unit, stamp, part, counts, problems)
    return order


def joined(parts: Parts, order: list[str]) -> Iterator[tuple[str, object]]:
    """``("record", Record)`` and ``("reject", entry)`` of every part, in corpus order."""
    for unit in order:
        for obj in parts.lines(unit):
            if "record" in obj:
                yield "record", Record(**obj["record"])
            else:
                yield "reject", obj["reject"]
