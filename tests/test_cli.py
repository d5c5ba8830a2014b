"""The command line, as a user runs it: exit codes, one-line errors, outputs."""

import csv
import io
import json
from pathlib import Path

import pytest
from shipped import edit, shipped_copy
from typer.testing import CliRunner

from coder.cli import app
from coder.events.record import FIELDS

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = str(ROOT / "samples")


def run(*args, input=None):
    result = CliRunner().invoke(app, list(args), input=input)
    return result.exit_code, result.stdout, result.stderr


def test_run_samples_to_stdout_as_csv():
    code, out, err = run("run", SAMPLES)
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert tuple(rows[0]) == FIELDS
    seed_rows = [r for r in rows[1:] if r[1] == "reuters-2017-11-03-albu-kamal"]
    assert len(seed_rows) == 10
    assert err.startswith("documents: ")
    assert "0 skipped" in err


def test_run_writes_xml_and_csv_files_that_validate(tmp_path):
    for name in ("out.xml", "out.csv"):
        target = tmp_path / name
        code, out, err = run("run", SAMPLES, "-o", str(target))
        assert code == 0 and out == ""
        assert run("validate", str(target)) == (0, "", f"{target}: ok\n")
    assert (
        (tmp_path / "out.xml")
        .read_text()
        .startswith("<?xml version='1.0' encoding='UTF-8'?>\n<events codebook=\"default\"")
    )


def test_format_option_wins_over_the_suffix(tmp_path):
    target = tmp_path / "out.dat"
    code, _, _ = run("run", SAMPLES, "-o", str(target), "--format", "xml")
    assert code == 0
    assert target.read_text().startswith("<?xml")


def test_bad_documents_are_reported_and_the_rest_still_coded(tmp_path):
    corpus = tmp_path / "news.jsonl"
    corpus.write_bytes(
        content := (
            b'{"id": "a", "date": "2017-11-03", "text": "Iraqi forces captured Rawa on Friday."}\n'
            b"[1, 2]\n"
            b'{"id": "b", "text": ""}\n'
            b'{"id": "c", "date": "2017-13-45", "text": "Iraqi forces captured Rawa."}\n'
            b'{"id": "d", "text": "caf\xe9"}\n'
            b'{"id": "e", "date": "2017-11-03", "text": "Iraqi forces captured Mosul on Friday."}\n'
        )
    )
    bad_byte = content.index(b"\xe9")
    code, out, err = run("run", str(corpus))
    assert code == 1
    assert [r[1] for r in list(csv.reader(io.StringIO(out)))[1:]] == ["a", "e"]
    p = str(corpus)
    assert err.splitlines() == [
        f"skipped: {p}:2: expected a JSON object, got a list",
        f"skipped: {p}:3: text: must be a non-empty string",
        f"skipped: {p}:4: date: not a date: '2017-13-45' (expected YYYY-MM-DD)",
        f"skipped: {p}:5: cannot decode as UTF-8: byte 0xe9 at offset {bad_byte}",
        err.splitlines()[-1],
    ]
    assert err.splitlines()[-1].startswith(
        "documents: 6 read, 2 coded (2 with events, 0 without), 4 skipped; sentences: 2; events: 2;"
    )


def test_empty_file_is_skipped_with_a_clear_line(tmp_path):
    (tmp_path / "empty.txt").write_text("")
    code, out, err = run("run", str(tmp_path))
    assert code == 1
    assert err.splitlines()[0] == f"skipped: {tmp_path}/empty.txt: empty document"


def test_txt_documents_take_doc_date(tmp_path):
    (tmp_path / "a.txt").write_text("Iraqi forces captured Rawa on Sunday.\n")
    code, out, _ = run("run", str(tmp_path), "--doc-date", "2017-11-03")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0
    assert [(r["doc_id"], r["event_date"], r["location"]) for r in rows] == [("a.txt", "2017-10-29", "Rawa")]


def test_stdin(tmp_path):
    line = json.dumps({"id": "x", "date": "2017-11-03", "text": "Iraqi forces captured Rawa on Sunday."})
    code, out, _ = run("run", "-", input=line + "\n")
    assert code == 0
    assert list(csv.DictReader(io.StringIO(out)))[0]["doc_id"] == "x"


def test_broken_codebook_is_one_line_and_exit_2(tmp_path):
    cb = tmp_path / "cb.yaml"
    cb.write_text('codebook: x\nversion: "1"\nevent_types: {}\nactors: []\nrules: []\nextra: 1\n')
    target = tmp_path / "out.csv"
    code, out, err = run("run", SAMPLES, "-c", str(cb), "-o", str(target))
    assert code == 2
    assert err.splitlines() == [
        f"error: {cb}:3:14: event_types: must not be empty",
        f"error: {cb}:5:8: rules: must not be empty",
        f"error: {cb}:6:1: extra: unknown key 'extra'",
    ]
    assert not target.exists()


def test_debug_shows_the_traceback(tmp_path):
    cb = tmp_path / "cb.yaml"
    cb.write_text("codebook: [\n")
    result = CliRunner().invoke(app, ["run", SAMPLES, "-c", str(cb), "--debug"])
    assert result.exit_code == 1
    assert type(result.exception).__name__ == "CodebookError"


@pytest.mark.parametrize(
    "args,message",
    [
        (["--doc-date", "2017-02-30"], "error: --doc-date: not a date: '2017-02-30' (expected YYYY-MM-DD)"),
        (
            ["--input-format", "yaml"],
            "error: --input-format: unknown input format 'yaml' (expected txt, jsonl, csv or xml)",
        ),
        (
            ["-o", "out.json"],
            "error: out.json: cannot tell the output format from the suffix '.json': "
            "use a .csv, .xml, .jsonl or .tsv file name, or give the format "
            "(csv, xml, jsonl, acled or phoenix)",
        ),
    ],
)
def test_bad_options(args, message):
    code, out, err = run("run", SAMPLES, *args)
    assert code == 2
    assert err.splitlines() == [message]


def test_missing_corpus():
    code, out, err = run("run", "no/such/dir")
    assert code == 1
    assert err.splitlines()[0] == "skipped: no/such/dir: no such file or directory"


def test_validate_reports_file_line_field(tmp_path):
    good = tmp_path / "good.csv"
    run("run", SAMPLES, "-o", str(good))
    rows = list(csv.reader(io.StringIO(good.read_text())))
    lat = FIELDS.index("latitude")
    rows = [rows[0], rows[1], next(r for r in rows[2:] if r[lat])]
    rows[2][lat] = "north"
    bad = tmp_path / "bad.csv"
    with bad.open("w", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    code, out, err = run("validate", str(good), str(bad))
    assert code == 1
    assert out.splitlines() == [f"{bad}:3: latitude: 'north' is not a number"]
    assert err.splitlines() == [f"{good}: ok"]


def test_interrupt_leaves_no_output_and_exits_130(tmp_path, monkeypatch):
    import coder.engines.runner
    from coder.text.document import Document

    def reader(*args, **kwargs):
        yield Document("a", "Iraqi forces captured Rawa on Friday.", "2017-11-03")
        raise KeyboardInterrupt

    monkeypatch.setattr(coder.engines.runner, "read_corpus", reader)
    target = tmp_path / "out.csv"
    code, out, err = run("run", SAMPLES, "-o", str(target))
    assert code == 130
    assert err.splitlines()[0] == "interrupted: no output file was written"
    assert err.splitlines()[1].startswith("documents: 1 read, 1 coded (1 with events, 0 without), 0 skipped;")
    assert list(tmp_path.iterdir()) == []


def test_progress_shows_only_on_a_terminal():
    from coder.engines.runner import Progress
    from coder.pipeline import Report

    class Tty(io.StringIO):
        def isatty(self):
            return True

    tty, pipe = Tty(), io.StringIO()
    report = Report(documents_read=3, sentences=10, events=2)
    Progress(tty).update(report, force=True)
    Progress(pipe).update(report, force=True)
    assert tty.getvalue() == "\r\x1b[2Kcoding: 3 documents, 10 sentences, 2 events"
    assert pipe.getvalue() == ""


def test_a_reader_that_goes_away_stops_the_run_quietly(tmp_path):
    """`coder run big.jsonl | head -1`: no error messages, the status of SIGPIPE."""
    import subprocess
    import sys

    corpus = tmp_path / "big.jsonl"
    line = json.dumps({"date": "2017-11-03", "text": "Iraqi forces captured Rawa on Sunday."})
    corpus.write_text((line + "\n") * 3000)  # about 1 MB of output, more than a pipe holds
    proc = subprocess.Popen(
        [sys.executable, "-m", "coder", "run", str(corpus), "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdout.readline().startswith(b"event_id,doc_id,")
    proc.stdout.close()
    assert proc.wait(timeout=120) == 141
    assert proc.stderr.read() == b""


def test_an_unwritable_output_is_one_line(tmp_path):
    code, out, err = run("run", SAMPLES, "-o", str(tmp_path / "no" / "such" / "dir" / "out.csv"))
    assert code == 1
    assert err == f"error: {tmp_path}/no/such/dir/out.csv: cannot write: No such file or directory\n"


# -- issue 19, item 15: one id, two documents; escapes in file names


def test_a_second_document_with_an_id_already_used_is_skipped_and_said(tmp_path):
    """Both were coded and gave records with the same event ids."""
    a = '{"id": "x", "date": "2017-11-03", "text": "Iraqi forces captured Rawa on Friday."}\n'
    b = '{"id": "x", "date": "2017-11-03", "text": "Islamic State captured Mosul on Friday."}\n'
    corpus = tmp_path / "news"
    corpus.mkdir()
    (corpus / "a.jsonl").write_text(a)
    (corpus / "b.jsonl").write_text(b + b.replace('"x"', '"y"'))
    out, rejects = tmp_path / "e.csv", tmp_path / "r.jsonl"
    code, _, err = run("run", str(corpus), "-o", str(out), "--rejects", str(rejects))
    assert code == 1
    assert err.splitlines()[0] == (f"skipped: {corpus}/b.jsonl:1: id: 'x' is the id of an earlier document: this "
                                   "one is skipped (its records would have the same event ids); give each "
                                   "document its own id")
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert sorted((r["doc_id"], r["location"]) for r in rows) == [("x", "Rawa"), ("y", "Mosul")]
    assert len({r["event_id"] for r in rows}) == len(rows)
    assert json.loads(rejects.read_text())["document"]["text"] == "Islamic State captured Mosul on Friday."
    assert run("validate", str(out))[0] == 0


def test_escape_bytes_in_a_file_name_do_not_reach_the_terminal(tmp_path):
    corpus = tmp_path / "news"
    corpus.mkdir()
    evil = "evil\x1b]0;owned\x07\x1b[2J\nline.txt"
    (corpus / evil).write_text("")
    code, _, err = run("run", str(corpus))
    assert code == 1
    assert "\x1b" not in err and "\x07" not in err
    assert err.splitlines()[0] == (f"skipped: {corpus}/evil\\x1b]0;owned\\x07\\x1b[2J\\nline.txt: empty document")
    code, out, _ = run("validate", str(tmp_path / "bad\x1b[31m.csv"))
    assert out == f"{tmp_path}/bad\\x1b[31m.csv: cannot open: No such file or directory\n"


# -- issue 19, item 18: versions, and copies of the shipped codebook


def test_version_says_the_version_of_coder_and_of_its_codebook():
    """`coder --version` said 0.1.0 where the codebook says 0.2.0."""
    from coder.codebook import load_codebook
    from coder.version import __version__

    shipped = load_codebook()
    assert run("--version") == (0, f"coder {__version__} (shipped codebook {shipped.name} {shipped.version})\n", "")


def test_a_copy_of_the_shipped_codebook_that_kept_its_name_is_noted(tmp_path):
    copy = shipped_copy(tmp_path, "mine.yaml")
    text = copy.read_text()
    assert run("run", SAMPLES, "-c", str(copy), "-q")[2] == ""  # an unedited copy is the shipped codebook
    edit(tmp_path / "default" / "places.yaml", "\nplaces:\n", "\n# my edit\nplaces:\n")
    report = tmp_path / "r.json"
    code, _, err = run("run", SAMPLES, "-c", str(copy), "-o", str(tmp_path / "e.csv"), "--report", str(report))
    assert code == 0
    assert err.splitlines()[0] == (
        f"note: {copy}: codebook: this codebook calls itself 'default' 0.3.0, as the shipped codebook does, but it "
        "is not the shipped codebook: records and reports could not be told apart; give it a name and version of "
        'its own (codebook: mine, version: "1")')
    assert [n["code"] for n in json.loads(report.read_text())["notes"]] == ["codebook-name"]
    copy.write_text(text.replace("codebook: default", "codebook: mine", 1))
    assert run("run", SAMPLES, "-c", str(copy), "-q")[2] == ""
    assert run("run", SAMPLES, "-q")[2] == ""  # the shipped codebook itself
