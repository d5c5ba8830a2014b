"""What a run leaves besides its records: the run report and the rejects file.

``coder run --report run.json`` writes :func:`run_report` as JSON;
``coder run --rejects rejects.jsonl`` writes one :func:`reject_entry` per
skipped document.  Both are written atomically (a temporary file renamed into
place), like the output.

A reject entry says where the document was and why it was skipped, and holds
what is needed to fix it and run it again:

* ``document``: the fields of a document that was read but refused (a JSONL
  object or CSV row with a bad date, say) -- ``jq -c .document`` gives a
  JSONL line to fix and re-run;
* ``raw``: the line as read, without its line end, when it is not a JSON
  object (or the whole text of a ``.txt`` file);
* ``raw_base64``: the same, base64-encoded, when the bytes are not UTF-8 (so
  nothing is lost: ``base64 -d`` gives back the exact bytes);
* ``cells``: the cells of a CSV row that has the wrong number of them;
* none of these when the file itself is the problem (it cannot be opened, is
  empty, is UTF-16) or the document is over ``--max-doc-bytes`` (it is not
  copied: its file and line say where it is).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from contextlib import contextmanager

from coder.errors import Problem
from coder.io.outputs import atomic_file, io_error, write_bytes
from coder.pipeline import Report
from coder.version import __version__


def dumps(obj) -> str:
    """One line of JSON, UTF-8 text as it is; ``\\u`` escapes only where a
    string holds a lone surrogate (possible in JSON input), so it stays lossless."""
    text = json.dumps(obj, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(obj, ensure_ascii=True)
    return text


def _strip_line_end(raw):
    if isinstance(raw, bytes):
        return raw[:-2] if raw.endswith(b"\r\n") else raw[:-1] if raw.endswith(b"\n") else raw
    return raw[:-2] if raw.endswith("\r\n") else raw[:-1] if raw.endswith("\n") else raw


def reject_entry(problem: Problem) -> dict:
    """The rejects-file entry of a skipped document's problem (with its ``raw``)."""
    out: dict = {"file": problem.path, "line": problem.line, "code": problem.code,
                 "field": problem.field, "reason": problem.message}
    out = {k: v for k, v in out.items() if v is not None}
    raw = problem.raw
    if isinstance(raw, dict):
        out["document"] = raw
    elif isinstance(raw, (list, tuple)):
        out["cells"] = list(raw)
    elif isinstance(raw, bytes):
        raw = _strip_line_end(raw)
        try:
            out["raw"] = raw.decode("utf-8")
        except UnicodeDecodeError:
            out["raw_base64"] = base64.b64encode(raw).decode("ascii")
    elif isinstance(raw, str):
        out["raw"] = _strip_line_end(raw)
    return out


class RejectsWriter:
    """Writes reject entries, one JSON object per line."""

    def __init__(self, file, path: str):
        self.file, self.path, self.count = file, path, 0

    def write(self, problem: Problem) -> None:
        self.write_entry(reject_entry(problem))

    def write_entry(self, entry: dict) -> None:
        try:
            self.file.write(dumps(entry).encode("utf-8") + b"\n")
        except OSError as exc:
            raise io_error(self.path, exc) from exc
        self.count += 1


@contextmanager
def open_rejects(path: str | None) -> Iterator[RejectsWriter | None]:
    """A :class:`RejectsWriter` on ``path``, written atomically; None if no path."""
    if path is None:
        yield None
        return
    with atomic_file(path) as f:
        yield RejectsWriter(f, path)


def run_report(report: Report, *, status: str, corpus: str, output: str | None,
               codebook: dict, options: dict) -> dict:
    """The run report: what was run, how it ended, and every document accounted for.

    ``status`` is ``complete``, ``interrupted`` or ``failed``.
    """
    d = report.to_dict()
    return {
        "coder_version": __version__,
        "status": status,
        "corpus": corpus,
        "output": output,
        "codebook": codebook,
        "options": options,
        "documents": {
            "read": report.documents_read,
            "with_events": report.documents_with_events,
            "without_events": report.documents_without_events,
            "skipped": report.documents_skipped,
        },
        "sentences": report.sentences,
        "sentences_too_long": report.sentences_too_long,
        "sentences_cut_short": report.sentences_cut_short,
        "events": report.events,
        "seconds": d["seconds"],
        "skipped": d["skipped"],
        "notes": d["notes"],
        "problems": d["problems"],
    }


def write_json(path: str, obj) -> None:
    """Write ``obj`` as indented JSON to ``path`` atomically."""
    text = json.dumps(obj, ensure_ascii=False, indent=2)
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        data = json.dumps(obj, ensure_ascii=True, indent=2).encode("ascii")
    write_bytes(path, data + b"\n")

