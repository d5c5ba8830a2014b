"""What every interrupted `coder run` must leave behind, for the Ctrl-C tests
of tests/test_reliability.py and tests/test_parallel.py."""

from __future__ import annotations

import json
import re
from pathlib import Path

#: The summary line of a run: read, coded, with events, without, skipped.
SUMMARY = re.compile(
    r"^documents: (\d+) read, (\d+) coded \((\d+) with events, (\d+) without\), (\d+) skipped;", re.MULTILINE
)


def assert_interrupted(returncode: int, err: str, outdir: Path, report: Path, total: int,
                       signal: str = "SIGINT") -> int:
    """Exit status 130 (143 for SIGTERM), the "interrupted" (or "terminated")
    line then the summary, no output or temporary file (only the run report),
    and a report that says "interrupted" (by ``signal``) with the summary's
    count; the number of documents read, more than none and fewer than ``total``."""
    assert returncode == (143 if signal == "SIGTERM" else 130), err
    lines = err.splitlines()
    what = "terminated (SIGTERM)" if signal == "SIGTERM" else "interrupted"
    assert lines[0] == f"{what}: no output file was written" and len(lines) == 2, err
    read, coded, with_, without, skipped = map(int, SUMMARY.search(lines[1]).groups())
    assert coded == with_ + without and read == coded + skipped
    assert 0 < read < total
    assert sorted(p.name for p in outdir.iterdir()) == [report.name]  # no half file, no temporary file
    doc = json.loads(report.read_text())
    assert doc["status"] == "interrupted" and doc["documents"]["read"] == read
    assert doc["signal"] == signal
    return read
