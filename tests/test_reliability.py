"""Every document accounted for; atomic, reproducible and resumable output;
spreadsheet-safe CSV; and property tests of the coder on random input.

docs/reliability.md lists each guarantee and the test that holds it.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import hashlib
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from interrupts import SUMMARY, assert_interrupted
from shipped import edit, shipped_copy
from typer.testing import CliRunner

import coder.engines.resume
import coder.pipeline
from coder.cli import app
from coder.events.build import event_id
from coder.io.readers import read_corpus
from coder.io.schema import validate_record
from coder.io.writers import excel_safe_cell, open_writer
from coder.pipeline import Report, code_corpus, code_document
from coder.text.clean import clean_text
from coder.text.document import Document
from coder.text.sentences import split_sentences
from coder.text.tokens import tokenize

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = str(ROOT / "samples")
EVENT = "Iraqi forces captured Rawa on Friday."
DOC_DATE = "2017-11-03"


_LOADED: dict = {}


@pytest.fixture(autouse=True)
def codebook_once(monkeypatch):
    """Load each compiled codebook once for these tests (the disk cache makes a
    load cheap, but not free); the tests are about what happens after."""
    import coder.engines.runner

    real = coder.engines.runner.load_compiled

    def load(path=None):
        key = (path, os.path.getmtime(path) if path else None)
        if key not in _LOADED:
            _LOADED[key] = real(path)
        return _LOADED[key]

    monkeypatch.setattr(coder.engines.runner, "load_compiled", load)


def cli(*args, input=None):
    result = CliRunner().invoke(app, [str(a) for a in args], input=input)
    return result.exit_code, result.stdout, result.stderr


def summary_counts(err: str) -> tuple[int, int, int, int]:
    """(read, with events, without, skipped) from the summary line, checking read == the rest."""
    read, coded, with_, without, skipped = map(int, SUMMARY.search(err).groups())
    assert coded == with_ + without and read == coded + skipped
    return read, with_, without, skipped


def mixed_corpus(root: Path, files: int = 6) -> Path:
    """A directory of JSONL files with good and bad documents, and a text file."""
    corpus = root / "corpus"
    corpus.mkdir()
    places = ["Rawa", "Mosul", "al-Qaim", "Albu Kamal", "Ramadi", "Tikrit"]
    for i in range(files):
        lines = [json.dumps({"id": f"f{i}-{j}", "date": DOC_DATE,
                             "text": f"Iraqi forces captured {places[(i + j) % 6]} on Friday. The weather was mild."})
                 for j in range(5)]
        lines.insert(2, '{"id": "broken", "text": ')
        lines.insert(4, json.dumps({"id": f"f{i}-bad-date", "date": "2017-02-30", "text": EVENT}))
        (corpus / f"part{i:02d}.jsonl").write_text("\n".join(lines) + "\n")
    (corpus / "zz.txt").write_bytes(b"caf\xe9")
    return corpus


# -- every document accounted for


def test_summary_report_and_rejects_account_for_every_document(tmp_path):
    corpus = mixed_corpus(tmp_path)
    out, rep, rej = tmp_path / "out.csv", tmp_path / "run.json", tmp_path / "rejects.jsonl"
    code, _, err = cli("run", corpus, "-o", out, "--report", rep, "--rejects", rej)
    assert code == 1
    read, with_, without, skipped = summary_counts(err)
    assert (read, skipped) == (6 * 7 + 1, 6 * 2 + 1)
    doc = json.loads(rep.read_text())
    assert doc["status"] == "complete"
    assert doc["documents"] == {"read": read, "with_events": with_, "without_events": without, "skipped": skipped}
    assert doc["codebook"]["name"] == "default" and len(doc["codebook"]["sha256"]) == 64
    assert doc["options"]["max_doc_bytes"] == 5_000_000
    assert [(s["file"], s["line"], s["code"]) for s in doc["skipped"][:2]] == [
        (f"{corpus}/part00.jsonl", 3, "input-json"), (f"{corpus}/part00.jsonl", 5, "input-date")]
    assert doc["skipped"][-1] == {"file": f"{corpus}/zz.txt", "line": 1, "code": "input-decode",
                                  "reason": "cannot decode as UTF-8: byte 0xe9 at offset 3"}
    rejects = [json.loads(line) for line in rej.read_text().splitlines()]
    assert len(rejects) == skipped
    assert rejects[0] == {"file": f"{corpus}/part00.jsonl", "line": 3, "code": "input-json",
                          "reason": "not valid JSON: Expecting value (column 1)", "raw": '{"id": "broken", "text": '}
    assert rejects[1]["document"] == {"id": "f0-bad-date", "date": "2017-02-30", "text": EVENT}
    assert base64.b64decode(rejects[-1]["raw_base64"]) == b"caf\xe9"


def test_rejected_documents_can_be_fixed_and_run_again(tmp_path):
    corpus = mixed_corpus(tmp_path, files=2)
    rej = tmp_path / "rejects.jsonl"
    cli("run", corpus, "-o", tmp_path / "out.csv", "--rejects", rej)
    fixed = tmp_path / "fixed.jsonl"
    entries = [json.loads(line) for line in rej.read_text().splitlines()]
    docs = [e["document"] for e in entries if "document" in e]
    fixed.write_text("".join(json.dumps({**d, "date": DOC_DATE}) + "\n" for d in docs))
    code, out, err = cli("run", fixed)
    assert code == 0
    assert [r["doc_id"] for r in csv.DictReader(io.StringIO(out))] == ["f0-bad-date", "f1-bad-date"]


def test_nothing_is_written_when_there_is_no_output(tmp_path):
    """Report and rejects are written only when asked; with stdout too."""
    rep = tmp_path / "run.json"
    code, out, err = cli("run", SAMPLES, "--report", rep)
    assert code == 0 and out.startswith("event_id,")
    assert json.loads(rep.read_text())["output"] is None
    assert sorted(os.listdir(tmp_path)) == ["run.json"]


def test_report_rejects_and_output_must_be_different_files(tmp_path):
    out = tmp_path / "out.csv"
    code, _, err = cli("run", SAMPLES, "-o", out, "--report", out)
    assert code == 2 and "--report: is the output file too" in err
    code, _, err = cli("run", SAMPLES, "--report", tmp_path / "a", "--rejects", tmp_path / "a")
    assert code == 2


@pytest.mark.parametrize("option", ["--max-doc-bytes", "--max-sentence-chars"])
def test_limits_must_be_positive(option):
    code, _, err = cli("run", SAMPLES, option, "-1")
    assert code == 2 and err == f"error: {option}: must be a positive number (0 for no limit), not -1\n"


def test_limit_zero_means_no_limit(tmp_path):
    (tmp_path / "a.txt").write_text(EVENT + " " + "x" * 300)
    code, _, err = cli("run", tmp_path, "--max-doc-bytes", "100", "--doc-date", DOC_DATE)
    assert code == 1 and "more than --max-doc-bytes 100" in err
    code, out, err = cli("run", tmp_path, "--max-doc-bytes", "0", "--doc-date", DOC_DATE)
    assert code == 0 and len(out.splitlines()) == 2


def test_a_document_that_makes_the_coder_fail_is_skipped_and_the_run_goes_on(tmp_path, monkeypatch):
    real = coder.pipeline.code_document

    def flaky(compiled, doc, **kw):
        if "Mosul" in doc.text:
            raise RecursionError("maximum recursion depth exceeded")
        return real(compiled, doc, **kw)

    monkeypatch.setattr(coder.pipeline, "code_document", flaky)
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("".join(json.dumps({"id": i, "date": DOC_DATE, "text": t}) + "\n" for i, t in
                              enumerate([EVENT, "Iraqi forces captured Mosul on Friday.", EVENT])))
    rej = tmp_path / "rejects.jsonl"
    code, out, err = cli("run", corpus, "--rejects", rej)
    assert code == 1
    assert [r["doc_id"] for r in csv.DictReader(io.StringIO(out))] == ["0", "2"]
    assert f"skipped: {corpus}:2: the coder failed on this document: RecursionError" in err
    assert summary_counts(err) == (3, 2, 0, 1)
    assert json.loads(rej.read_text())["document"]["text"] == "Iraqi forces captured Mosul on Friday."
    result = CliRunner().invoke(app, ["run", str(corpus), "--debug"])  # --debug stops there
    assert isinstance(result.exception, RecursionError)


def test_a_crash_leaves_no_half_file_and_prints_the_summary_so_far(tmp_path, monkeypatch):
    import coder.engines.runner

    calls = []

    def broken_write(writer, record, report):
        calls.append(record)
        if len(calls) == 3:
            raise ZeroDivisionError("a bug")
        writer.write(record)

    monkeypatch.setattr(coder.engines.runner, "write_record", broken_write)
    out, rep = tmp_path / "out.csv", tmp_path / "run.json"
    code, _, err = cli("run", SAMPLES, "-o", out, "--report", rep)
    assert code == 1
    assert err.splitlines()[0].startswith("error: internal error: ZeroDivisionError: a bug (a bug: please report it")
    summary_counts(err)
    assert sorted(os.listdir(tmp_path)) == ["run.json"]  # no output, no temporary file
    assert json.loads(rep.read_text())["status"] == "failed"


def test_interrupt_writes_the_report_so_far(tmp_path, monkeypatch):
    import coder.engines.runner

    def reader(*args, **kwargs):
        yield Document("a", EVENT, DOC_DATE)
        yield Document("b", "nothing here", DOC_DATE)
        raise KeyboardInterrupt

    monkeypatch.setattr(coder.engines.runner, "read_corpus", reader)
    out, rep, rej = tmp_path / "out.csv", tmp_path / "run.json", tmp_path / "rejects.jsonl"
    code, _, err = cli("run", SAMPLES, "-o", out, "--report", rep, "--rejects", rej)
    assert code == 130
    assert err.splitlines() == ["interrupted: no output file was written", err.splitlines()[1]]
    assert summary_counts(err) == (2, 1, 1, 0)
    doc = json.loads(rep.read_text())
    assert (doc["status"], doc["documents"]["read"]) == ("interrupted", 2)
    assert sorted(os.listdir(tmp_path)) == ["run.json"]


def test_a_ctrl_c_that_python_swallows_still_stops_the_run(tmp_path, monkeypatch):
    # CI once sent SIGINT while the pool forked a worker: the KeyboardInterrupt
    # was raised inside the logging module's fork hook, where Python prints
    # and ignores exceptions, and the run went on to write its output.
    import coder.engines.runner

    def reader(*args, **kwargs):
        yield Document("a", EVENT, DOC_DATE)
        try:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(1)  # the handler runs here and raises ...
        except KeyboardInterrupt:
            pass  # ... and, as in an ignored callback, the exception is lost
        yield Document("b", EVENT, DOC_DATE)

    monkeypatch.setattr(coder.engines.runner, "read_corpus", reader)
    out, rep = tmp_path / "out.csv", tmp_path / "run.json"
    code, _, err = cli("run", SAMPLES, "-o", out, "--report", rep, "--jobs", "1")
    assert code == 130
    assert err.splitlines()[0] == "interrupted: no output file was written"
    assert json.loads(rep.read_text())["status"] == "interrupted"
    assert sorted(os.listdir(tmp_path)) == ["run.json"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # put back after the run


def test_an_error_that_follows_a_ctrl_c_is_reported_as_the_interrupt(tmp_path, monkeypatch):
    # Ctrl-C sent to the whole process group can reach a worker before it
    # ignores SIGINT; the main process then sees the worker die. The user
    # asked to stop: exit 130, "interrupted", not "worker-failed".
    import coder.engines.runner
    from coder.errors import CoderError, Problem

    def reader(*args, **kwargs):
        yield Document("a", EVENT, DOC_DATE)
        try:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(1)
        except KeyboardInterrupt:
            pass
        raise CoderError(Problem("worker-failed", "a worker process died while coding"))

    monkeypatch.setattr(coder.engines.runner, "read_corpus", reader)
    out, rep = tmp_path / "out.csv", tmp_path / "run.json"
    code, _, err = cli("run", SAMPLES, "-o", out, "--report", rep, "--jobs", "1")
    assert code == 130, err
    assert err.splitlines()[0] == "interrupted: no output file was written"
    assert json.loads(rep.read_text())["status"] == "interrupted"
    assert sorted(os.listdir(tmp_path)) == ["run.json"]


def big_corpus(path: Path, n: int, prefix: str = "") -> None:
    places = ["Rawa", "Mosul", "al-Qaim", "Ramadi"]
    with path.open("w") as f:
        for i in range(n):
            f.write(json.dumps({"id": f"{prefix}{i}" if prefix else i, "date": DOC_DATE, "text":
                                f"Iraqi forces captured {places[i % 4]} on Friday. Islamic State shelled Mosul on "
                                f"Sunday."}) + "\n")


def _wait_for(predicate, timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > end:
            raise AssertionError("timed out")
        time.sleep(0.02)


def test_sigint_mid_run_leaves_no_file_exits_130_with_the_summary(tmp_path):
    """A real Ctrl-C: a subprocess coding a big generated corpus gets SIGINT
    once it has written part of its (temporary) output."""
    corpus = tmp_path / "big.jsonl"
    big_corpus(corpus, 40_000)
    outdir = tmp_path / "out"
    outdir.mkdir()
    out, rep = outdir / "events.csv", outdir / "run.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "coder", "run", str(corpus), "-o", str(out), "--report", str(rep)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    try:

        def started():
            tmp = [p for p in outdir.iterdir() if p.name.endswith(".tmp")]
            return tmp and tmp[0].stat().st_size > 50_000

        _wait_for(started)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert_interrupted(proc.returncode, err.decode(), outdir, rep, 40_000)


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("group", [False, True], ids=["main process", "process group"])
def test_sigterm_mid_run_is_handled_as_ctrl_c(tmp_path, jobs, group):
    """SIGTERM (timeout, docker stop, systemd): the same as Ctrl-C, with
    status 143: the message, the summary, the run report, no output and no
    temporary file left; sent to the whole process group too (systemd), and
    with worker processes."""
    corpus = tmp_path / "big.jsonl"
    big_corpus(corpus, 40_000)
    outdir = tmp_path / "out"
    outdir.mkdir()
    out, rep = outdir / "events.csv", outdir / "run.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "coder", "run", str(corpus), "-o", str(out), "--report", str(rep), "-j", jobs],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, start_new_session=group,
    )
    try:
        def started():
            tmp = [p for p in outdir.iterdir() if p.name.endswith(".tmp")]
            return tmp and tmp[0].stat().st_size > 50_000

        _wait_for(started)
        if group:
            os.killpg(proc.pid, signal.SIGTERM)
        else:
            proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert_interrupted(proc.returncode, err.decode(), outdir, rep, 40_000, signal="SIGTERM")


def test_sigterm_during_coder_report_leaves_no_temporary_file(tmp_path, monkeypatch):
    """Any command: SIGTERM is raised where the command is, so its temporary
    files are removed, and the status is 143."""
    events = tmp_path / "events.csv"
    assert cli("run", SAMPLES, "-o", events)[0] == 0
    script = (
        "import os, signal, sys\n"
        "import coder.htmlreport as h\n"
        "real = h.render\n"
        "def render(data):\n"
        "    os.kill(os.getpid(), signal.SIGTERM)\n"
        "    return real(data)\n"
        "h.render = render\n"
        "from coder.io import outputs\n"
        "real_atomic = outputs.atomic_file\n"
        "from coder.cli import main\n"
        "sys.argv = ['coder', 'report', sys.argv[1], '-o', sys.argv[2]]\n"
        "main()\n"
    )
    page = tmp_path / "page.html"
    result = subprocess.run([sys.executable, "-c", script, str(events), str(page)], capture_output=True, text=True,
                            cwd=ROOT, check=False, timeout=120)
    assert result.returncode == 143, result.stderr
    assert sorted(os.listdir(tmp_path)) == ["events.csv"]


# -- resume


def test_resume_after_an_interrupt_gives_the_same_output(tmp_path, monkeypatch):
    corpus = mixed_corpus(tmp_path)
    ref, ref_rej, ref_rep = tmp_path / "ref.csv", tmp_path / "ref-rejects.jsonl", tmp_path / "ref.json"
    cli("run", corpus, "-o", ref, "--rejects", ref_rej, "--report", ref_rep)

    out, rej, rep = tmp_path / "out.csv", tmp_path / "rejects.jsonl", tmp_path / "run.json"
    parts = tmp_path / ".out.csv.parts"

    def stop_after_two(n):
        if n == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(coder.engines.resume, "after_part", stop_after_two)
    code, _, err = cli("run", corpus, "-o", out, "--rejects", rej, "--report", rep, "--resume")
    assert code == 130
    assert f"interrupted: no output file was written; finished input files are kept in {parts}" in err
    assert not out.exists() and not rej.exists()
    assert sorted(os.listdir(parts)) == ["000001.part", "000002.part", "done.jsonl", "manifest.json"]
    assert json.loads(rep.read_text())["status"] == "interrupted"

    monkeypatch.setattr(coder.engines.resume, "after_part", None)
    coded = []
    real = coder.pipeline.code_document
    monkeypatch.setattr(coder.pipeline, "code_document", lambda c, d, **kw: coded.append(d.id) or real(c, d, **kw))
    code, _, err = cli("run", corpus, "-o", out, "--rejects", rej, "--report", rep, "--resume")
    assert code == 1
    assert not [i for i in coded if i.startswith(("f0-", "f1-"))]  # the finished files were not coded again
    assert [i for i in coded if i.startswith("f2-")]
    assert out.read_bytes() == ref.read_bytes()
    assert rej.read_bytes() == ref_rej.read_bytes()
    a, b = json.loads(rep.read_text()), json.loads(ref_rep.read_text())
    for key in ("documents", "sentences", "events", "skipped", "problems", "status"):
        assert a[key] == b[key], key
    assert not parts.exists()


@pytest.mark.parametrize("fmt", ["xml", "csv"])
def test_resume_without_interruption_is_a_plain_run(tmp_path, fmt):
    cli("run", SAMPLES, "-o", tmp_path / f"a.{fmt}")
    code, _, _ = cli("run", SAMPLES, "-o", tmp_path / f"b.{fmt}", "--resume")
    assert code == 0
    assert (tmp_path / f"a.{fmt}").read_bytes() == (tmp_path / f"b.{fmt}").read_bytes()
    assert sorted(os.listdir(tmp_path)) == [f"a.{fmt}", f"b.{fmt}"]


def test_resume_redoes_changed_files_and_starts_over_for_another_codebook(tmp_path, monkeypatch):
    corpus = mixed_corpus(tmp_path, files=3)
    out = tmp_path / "out.csv"

    def stop(n):
        raise KeyboardInterrupt

    monkeypatch.setattr(coder.engines.resume, "after_part", stop)
    assert cli("run", corpus, "-o", out, "--resume")[0] == 130
    monkeypatch.setattr(coder.engines.resume, "after_part", None)
    # the finished file changes: it is coded again
    (corpus / "part00.jsonl").write_text(json.dumps({"id": "new", "date": DOC_DATE, "text": EVENT}) + "\n")
    code, _, err = cli("run", corpus, "-o", out, "--resume")
    assert "new" in [r["doc_id"] for r in csv.DictReader(io.StringIO(out.read_text()))]
    # another codebook: the parts are not used
    assert cli("run", corpus, "-o", out, "--resume")[0] == 1
    monkeypatch.setattr(coder.engines.resume, "after_part", stop)
    assert cli("run", corpus, "-o", out, "--resume")[0] == 130
    monkeypatch.setattr(coder.engines.resume, "after_part", None)
    cb = shipped_copy(tmp_path / "mine", "cb.yaml")  # an edit of an included file is another codebook too
    edit(tmp_path / "mine" / "default" / "actors.yaml", "\nactors:\n", "\n# changed\nactors:\n")
    code, _, err = cli("run", corpus, "-o", out, "--resume", "-c", cb)
    assert "note: " in err and "another codebook or other options" in err
    assert not (tmp_path / ".out.csv.parts").exists()


def test_resume_survives_a_journal_cut_short(tmp_path, monkeypatch):
    corpus = mixed_corpus(tmp_path, files=3)
    ref, out = tmp_path / "ref.csv", tmp_path / "out.csv"
    cli("run", corpus, "-o", ref)
    monkeypatch.setattr(
        coder.engines.resume, "after_part", lambda n: (_ for _ in ()).throw(KeyboardInterrupt) if n == 2 else None
    )
    assert cli("run", corpus, "-o", out, "--resume")[0] == 130
    journal = tmp_path / ".out.csv.parts" / "done.jsonl"
    journal.write_bytes(journal.read_bytes()[:-40])  # a crash in the middle of the last line
    monkeypatch.setattr(coder.engines.resume, "after_part", None)
    assert cli("run", corpus, "-o", out, "--resume")[0] == 1
    assert out.read_bytes() == ref.read_bytes()


def test_resume_needs_an_output_file_and_a_corpus_on_disk(tmp_path):
    assert cli("run", SAMPLES, "--resume") == (2, "", "error: --resume: needs an output file (-o)\n")
    code, _, err = cli("run", "-", "-o", tmp_path / "o.csv", "--resume", input="{}")
    assert code == 2 and "cannot resume reading standard input" in err


def test_a_plain_run_says_when_parts_of_an_interrupted_run_are_there(tmp_path, monkeypatch):
    out = tmp_path / "out.csv"
    monkeypatch.setattr(coder.engines.resume, "after_part", lambda n: (_ for _ in ()).throw(KeyboardInterrupt))
    cli("run", SAMPLES, "-o", out, "--resume")
    code, _, err = cli("run", SAMPLES, "-o", out)
    assert code == 0 and "add --resume to go on with it" in err


def test_sigint_then_resume_in_real_processes(tmp_path):
    """Ctrl-C a resumable run of a directory once some files are done, run it
    again, and get the bytes of an uninterrupted run."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(12):
        big_corpus(corpus / f"f{i:02d}.jsonl", 80, prefix=f"f{i}-")  # ids of their own: no document is skipped
    ref, out = tmp_path / "ref.csv", tmp_path / "out.csv"
    journal = tmp_path / ".out.csv.parts" / "done.jsonl"
    command = [sys.executable, "-m", "coder", "run", str(corpus), "-o", str(out), "--resume", "-q"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    try:
        _wait_for(lambda: journal.exists() and journal.read_bytes().count(b"\n") >= 2)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    assert not out.exists()
    done = journal.read_bytes().count(b"\n")
    assert 2 <= done < 12
    assert subprocess.run(command, cwd=ROOT).returncode == 0
    assert cli("run", corpus, "-o", ref, "-q")[0] == 0
    assert out.read_bytes() == ref.read_bytes()
    assert not journal.parent.exists()


# -- the same input gives the same bytes


def test_same_input_and_codebook_give_byte_identical_output_across_processes(tmp_path):
    outs = []
    for seed in ("1", "2"):
        out = tmp_path / f"out{seed}.xml"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run(
            [sys.executable, "-m", "coder", "run", SAMPLES, "-o", str(out), "-q"], cwd=ROOT, env=env, check=True
        )
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    code, csv1, _ = cli("run", SAMPLES)
    code, csv2, _ = cli("run", SAMPLES)
    assert csv1 == csv2


def test_event_ids_are_stable_hashes_of_document_sentence_rule_and_slots(code):
    r = code("The weather was mild. " + EVENT, DOC_DATE, doc_id="doc-1")[0]
    key = "\x1f".join(("doc-1", "2", r.rule_id, r.actor1_code, r.actor2_code, r.location, r.event_date))
    assert r.event_id == hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]
    assert r.event_id == event_id("doc-1", 2, r.rule_id, r.actor1_code, r.actor2_code, r.location, r.event_date)
    # another document, sentence, place or date: another id; the same: the same id
    assert code(EVENT, DOC_DATE, doc_id="doc-2")[0].event_id != r.event_id
    assert code(EVENT, DOC_DATE, doc_id="doc-1")[0].event_id != r.event_id
    assert (
        code("The weather was mild. Iraqi forces captured Mosul on Friday.", DOC_DATE, doc_id="doc-1")[0].event_id
        != r.event_id
    )
    assert code("It rained. " + EVENT, DOC_DATE, doc_id="doc-1")[0].event_id == r.event_id
    assert code("It rained. " + EVENT, "2017-11-10", doc_id="doc-1")[0].event_id != r.event_id


# -- spreadsheet-safe CSV


def _csv_rows(records, **kw) -> list[dict]:
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "o.csv")
        with open_writer(path, "csv", **kw) as w:
            for r in records:
                w.write(r)
        return list(csv.DictReader(open(path, newline="", encoding="utf-8")))


def test_excel_safe_neutralises_formulas_and_keeps_numbers(code):
    r = code(EVENT, DOC_DATE, doc_id='=HYPERLINK("http://x")')[0]
    r.latitude, r.longitude, r.goldstein = -12.5, -3.5, -10.0
    r.sentence = "=1+1 " + r.sentence
    r.source = "@SUM(A1)"
    r.actor1 = "+cmd"
    r.actor2 = "-2+3"
    r.matched_text = "\tx"
    r.admin1 = "\rx"
    assert validate_record(r.non_empty()) == []
    safe = _csv_rows([r], excel_safe=True)[0]
    assert safe["doc_id"] == '\'=HYPERLINK("http://x")'
    assert (safe["sentence"][:3], safe["source"], safe["actor1"], safe["actor2"]) == (
        "'=1",
        "'@SUM(A1)",
        "'+cmd",
        "'-2+3",
    )
    assert (safe["matched_text"], safe["admin1"]) == ("'\tx", "'\rx")
    assert (safe["latitude"], safe["longitude"], safe["goldstein"]) == ("-12.5", "-3.5", "-10.0")
    assert safe["event_id"] == r.event_id and safe["location"] == "Rawa"
    plain = _csv_rows([r])[0]  # without it every value keeps its exact text
    assert (plain["doc_id"], plain["sentence"][:4], plain["matched_text"], plain["admin1"]) == (
        '=HYPERLINK("http://x")',
        "=1+1",
        "\tx",
        "\rx",
    )
    assert excel_safe_cell("Rawa") == "Rawa" and excel_safe_cell("") == ""


def test_excel_safe_on_the_command_line(tmp_path):
    corpus = ROOT / "tests" / "torture" / "jsonl" / "formula_values.jsonl"
    code, out, _ = cli("run", corpus, "--excel-safe")
    rows = list(csv.DictReader(io.StringIO(out, newline="")))
    assert [r["doc_id"] for r in rows] == ["'=1+1", "'+cmd|' /C calc'!A0", "'\ttab"]
    assert [r["sentence"][:2] for r in rows] == ["'=", "'-", "Ir"]
    code, out, _ = cli("run", corpus)
    assert [r["doc_id"] for r in csv.DictReader(io.StringIO(out, newline=""))] == [
        "=1+1",
        "+cmd|' /C calc'!A0",
        "\ttab",
    ]


# -- property tests

WORDS = [
    "Iraqi",
    "forces",
    "captured",
    "recaptured",
    "Rawa",
    "al-Qaim",
    "from",
    "Islamic",
    "State",
    "IS",
    "on",
    "Sunday",
    "Friday",
    "in",
    "June",
    "the",
    "town",
    "of",
    "was",
    "by",
    "not",
    "would",
    "and",
    ",",
    ".",
    "!",
    "?",
    "(",
    ")",
    "\u201c",
    "\u2019s",
    "s",
    "which",
    "said",
    "they",
    "shelled",
    "Mosul",
    "near",
    "SDF",
    "12",
    "March",
    "2019",
    "last",
    "week",
    "U.S.",
    "Col.",
    "\n",
    "\u200b",
    "\u200f",
    "\x00",
    "\ud800",
    "\u0301",
    "\t",
]
texts = st.one_of(st.text(max_size=200), st.lists(st.sampled_from(WORDS), max_size=50).map(" ".join))
dates = st.one_of(st.none(), st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)).map(str))
ids = st.one_of(st.text(min_size=1, max_size=20), st.integers(min_value=0, max_value=10**12).map(str))
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FAST
@given(text=texts, date=dates)
def test_property_sentences_and_tokens_stay_in_range(text, date):
    cleaned = clean_text(text)
    cleaned.encode("utf-8")  # always writable
    sentences = split_sentences(cleaned)
    assert [s.index for s in sentences] == list(range(1, len(sentences) + 1))
    last = 0
    for s in sentences:
        assert last <= s.start < s.end <= len(cleaned) and cleaned[s.start : s.end] == s.text
        last = s.end
        for t in tokenize(s.text):
            assert 0 <= t.start < t.end <= len(s.text) and s.text[t.start : t.end] == t.text


@FAST
@given(docs=st.lists(st.tuples(ids, texts, dates), min_size=1, max_size=4))
def test_property_a_corpus_never_fails_and_every_record_is_valid(compiled, tmp_path_factory, docs):
    corpus = tmp_path_factory.mktemp("p") / "c.jsonl"
    corpus.write_text(
        "".join(json.dumps({"id": i, "text": t, "date": d}) + "\n" for i, t, d in docs),
        encoding="utf-8",
        errors="surrogatepass",
    )
    report = Report()
    records = list(code_corpus(compiled, read_corpus(str(corpus)), report, raise_errors=True))
    assert (
        report.documents_read
        == report.documents_with_events + report.documents_without_events + report.documents_skipped
    )
    assert report.documents_read == len(docs)
    most = max(len(split_sentences(clean_text(t))) for _, t, _ in docs)
    for r in records:
        assert validate_record(r.non_empty()) == []
        assert 1 <= r.sentence_index <= most
        assert r.matched_text and r.matched_text in r.sentence
        "".join(r.to_row()).encode("utf-8")


@FAST
@given(docs=st.lists(st.tuples(texts, dates), min_size=1, max_size=4), pick=st.integers(min_value=0, max_value=3))
def test_property_a_document_codes_the_same_alone_or_in_a_corpus(compiled, docs, pick):
    pick %= len(docs)
    corpus = [Document(f"d{i}", t, d) for i, (t, d) in enumerate(docs)]
    alone, _ = code_document(compiled, corpus[pick])
    inside = list(code_corpus(compiled, corpus, Report(), raise_errors=True))
    assert [r for r in inside if r.doc_id == f"d{pick}"] == alone


@FAST
@given(data=st.binary(max_size=300), suffix=st.sampled_from([".jsonl", ".csv", ".txt", ".xml"]))
def test_property_any_bytes_are_read_or_refused_never_crash(compiled, tmp_path_factory, data, suffix):
    path = tmp_path_factory.mktemp("b") / f"f{suffix}"
    path.write_bytes(data)
    report, rejects = Report(), []
    from coder.engines.report import reject_entry

    records = list(
        code_corpus(
            compiled,
            read_corpus(str(path), doc_date=DOC_DATE, max_doc_bytes=1000),
            report,
            max_doc_bytes=1000,
            on_skip=lambda p: rejects.append(reject_entry(p)),
            raise_errors=True,
        )
    )
    assert (
        report.documents_read
        == report.documents_with_events + report.documents_without_events + report.documents_skipped
    )
    assert (
        len(rejects) == report.documents_skipped >= (1 if not report.documents_read - report.documents_skipped else 0)
    )
    json.dumps(rejects)
    for r in records:
        assert validate_record(r.non_empty()) == []


@FAST
@given(
    date=st.dates(min_value=dt.date(1000, 1, 1), max_value=dt.date(9999, 12, 31)),
    when=st.sampled_from(
        ["on Sunday", "on Friday", "yesterday", "last week", "in June", "on 12 March 2019", "3 days ago", ""]
    ),
)
def test_property_dates_are_never_after_the_document_date(code, date, when):
    for r in code(f"Iraqi forces captured Rawa {when}.", str(date)):
        assert r.event_date <= str(date)[: len(r.event_date)] or r.event_date[:7] <= str(date)[:7]
        assert validate_record(r.non_empty()) == []


# -- signals while worker processes start -----------------------------------------


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_worker_forked_before_it_resets_its_handlers_dies_of_the_signal_quietly():
    """A worker process forked from a run holds the run's SIGTERM handler until
    its initialiser replaces it; a SIGTERM then (the run terminating its pool,
    or the whole process group signalled) raised the run's exception in the
    worker, whose traceback followed the user's one-line message.  It dies of
    the signal now, as by default."""
    from coder.engines.common import InterruptGuard

    guard = InterruptGuard()
    try:
        pid = os.fork()
        if pid == 0:  # the worker, still starting
            try:
                os.kill(os.getpid(), signal.SIGTERM)
                time.sleep(5)
            finally:
                os._exit(3)
        _, status = os.waitpid(pid, 0)
    finally:
        guard.restore()
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGTERM


def test_the_executor_threads_invalid_state_error_is_not_printed(capsys):
    """Python < 3.12: the executor's manager thread, finding the pool broken by
    terminated workers, sets an exception on a cancelled future and dies of
    InvalidStateError; that one error of that thread is left out, any other
    still reaches the hook."""
    import threading
    from concurrent.futures import InvalidStateError

    from coder.engines.parallel import _quiet_manager_thread

    previous = threading.excepthook
    seen = []
    threading.excepthook = lambda args: seen.append(args.exc_type)
    try:
        _quiet_manager_thread()

        class _ExecutorManagerThread(threading.Thread):
            def run(self):
                raise InvalidStateError("CANCELLED")

        class Other(threading.Thread):
            def run(self):
                raise ValueError("other")

        for cls in (_ExecutorManagerThread, Other):
            t = cls()
            t.start()
            t.join()
    finally:
        threading.excepthook = previous
    assert seen == [ValueError]
