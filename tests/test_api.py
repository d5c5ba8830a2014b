"""The Python API of docs/api.md: the example runs as written."""

import os
import re
from pathlib import Path

import petl
import pytest

import coder
from coder.errors import UsageError

ROOT = Path(__file__).resolve().parents[1]


def test_the_documented_example_runs(tmp_path, monkeypatch, capsys):
    text = (ROOT / "docs" / "api.md").read_text()
    (block,) = re.findall(r"## Example.*?```python\n(.*?)```", text, re.S)
    (tmp_path / "samples").symlink_to(ROOT / "samples")
    monkeypatch.chdir(tmp_path)
    exec(compile(block, "docs/api.md", "exec"), {})
    out = capsys.readouterr().out
    assert out.startswith("capture.active matched: Iraqi forces recaptured Rawa from Islamic State\n")
    assert "20 records written, 0 documents skipped" in out
    lines = (tmp_path / "events.jsonl").read_text().splitlines()
    assert len(lines) == 20


def test_strings_and_dicts_and_documents():
    cb = coder.load_codebook()
    recs = list(cb.code(["Islamic State captured Rawa.", coder.Document("x", "Iraqi forces attacked Rawa.")]))
    assert [(r.doc_id, r.event_type) for r in recs] == [("doc-1", "capture"), ("x", "offensive")]
    assert list(coder.code(["Islamic State captured Rawa."]))[0].actor1 == "Islamic State"
    with pytest.raises(UsageError) as info:
        list(cb.code([{"id": "x"}]))
    assert str(info.value.problems[0]) == "text: document 1 has no 'text' string"
    with pytest.raises(UsageError):
        list(cb.code([42]))


def test_code_table_columns_and_types():
    table = petl.fromdicts([{"doc": 7, "body": "Islamic State captured Rawa on Friday.", "day": "2017-11-03"}])
    events = coder.code_table(table, text="body", id="doc", date="day")
    rows = list(petl.dicts(events))
    assert petl.header(events) == coder.api.FIELDS
    assert rows[0]["doc_id"] == "7" and rows[0]["event_date"] == "2017-11-03" and rows[0]["goldstein"] == -9.5
    with pytest.raises(UsageError):
        list(coder.code_table(petl.fromdicts([{"x": 1}])))


def test_write_formats_and_read_problems(tmp_path):
    (tmp_path / "bad.jsonl").write_text('{"id": "a", "text": "Islamic State captured Rawa."}\nnot json\n')
    problems = []
    docs = list(coder.read_corpus(tmp_path / "bad.jsonl", on_problem=problems.append))
    assert [d.id for d in docs] == ["a"] and len(problems) == 1
    for fmt in ("csv", "xml", "jsonl", "acled", "phoenix"):
        target = tmp_path / f"out.{fmt}"
        assert coder.write(coder.code(docs), target, format=fmt) == 1
        assert target.exists()
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]


def test_import_coder_is_cheap():
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-c", "import coder, sys; print(sorted(m for m in sys.modules if m.startswith('coder')))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.strip() == "['coder', 'coder.version']"  # the version, nothing of the API


def test_every_record_gives_every_field_so_records_make_one_table():
    """Record.to_dict() left out the empty fields: records gave differing
    columns in a DataFrame (issue 19, item 19)."""
    import coder
    from coder.events.record import FIELDS

    records = list(coder.load_codebook().code([
        {"id": "a", "text": "Iraqi forces recaptured Rawa from Islamic State on Friday.", "date": "2017-11-17"},
        {"id": "b", "text": "Iraqi forces clashed with Islamic State fighters."}]))
    assert len(records) == 2
    dicts = [r.to_dict() for r in records]
    assert [tuple(d) for d in dicts] == [FIELDS, FIELDS]
    assert dicts[1]["location"] == "" and dicts[1]["latitude"] is None and dicts[1]["event_date"] == ""
    assert records[1].non_empty() == {k: v for k, v in dicts[1].items() if v not in ("", None)}
