"""coder run --jobs N: the same bytes, rejects and report for any N; limits,
resume, standard input, skipped documents and Ctrl-C work with workers too.

docs/cli.md (--jobs) and coder/engines/parallel.py describe the design.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from interrupts import assert_interrupted
from typer.testing import CliRunner

import coder.engines.parallel
import coder.engines.resume
import coder.io.readers
import coder.pipeline
from coder.cli import app
from coder.engines.parallel import Pool, batches, check_jobs, default_jobs
from coder.match.cache import load_compiled
from coder.pipeline import Report, code_corpus
from coder.text.document import Document

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = str(ROOT / "samples")
DOC_DATE = "2017-11-03"
EVENT = "Iraqi forces captured Rawa on Friday."
SUMMARY = re.compile(r"^documents: .*; events: \d+", re.M)
SECONDS = re.compile(r"; seconds: [0-9.]+$", re.M)
FORK = "fork" in __import__("multiprocessing").get_all_start_methods() and sys.platform != "darwin"
needs_fork = pytest.mark.skipif(not FORK, reason="the test patches the coder in the main process; "
                                "only forked workers inherit the patch")


def cli(*args, input=None):
    result = CliRunner().invoke(app, [str(a) for a in args], input=input)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def pool_at_once(monkeypatch):
    """Start the pool at the first document, with small batches, so that even a
    small corpus goes through the workers (and through many batches)."""
    monkeypatch.setattr(coder.engines.parallel, "POOL_MIN_DOCUMENTS", 0)
    monkeypatch.setattr(coder.engines.parallel, "BATCH_DOCUMENTS", 3)


PLACES = ["Rawa", "Mosul", "al-Qaim", "Albu Kamal", "Ramadi", "Tikrit", "Raqqa", "Tabqa"]


def mixed_corpus(root: Path, docs_per_file: int = 60) -> Path:
    """A directory of every kind of document: with and without events, broken
    JSON, bad dates, bad UTF-8, lone surrogates, a document over the size
    limit, an overlong sentence, text, CSV (a ragged row), gzip (cut short),
    an empty file and a UTF-16 file; over 200 documents in all."""
    corpus = root / "corpus"
    corpus.mkdir()
    for i in range(4):
        lines = []
        for j in range(docs_per_file):
            place = PLACES[(i + j) % len(PLACES)]
            text = (f"Iraqi forces captured {place} on Friday. The weather was mild. "
                    f"Islamic State shelled {PLACES[j % 8]} on Sunday." if j % 3 else
                    "Prices of bread rose sharply. Talks would resume next week.")
            doc = {"id": f"f{i}-{j}", "date": DOC_DATE, "text": text}
            if j % 7 == 0:
                doc.pop("id")  # the id is FILE:LINE
            lines.append(json.dumps(doc))
        lines[5] = '{"id": "broken", "text": '
        lines[9] = json.dumps({"id": f"f{i}-bad-date", "date": "2017-02-30", "text": EVENT})
        lines[13] = json.dumps([1, 2])
        lines[17] = json.dumps({"id": f"f{i}-big", "text": EVENT + " x" * 3000})
        lines[21] = json.dumps({"id": f"f{i}-long", "text": EVENT + " " + "word " * 500 + ". " + EVENT})
        lines[25] = json.dumps({"id": "\ud800", "text": EVENT})
        lines[29] = json.dumps({"id": f"f{i}-empty", "text": "  "})
        lines[33] = '{"id": "=formula", "source": "-cmd", "text": "Iraqi forces captured Rawa on Friday."}'
        data = ("\n".join(lines) + "\n\n").encode()
        data = data.replace(b'"f%d-3"' % i, b'"caf\xe9"')  # not UTF-8
        (corpus / f"part{i:02d}.jsonl").write_bytes(data)
    (corpus / "a.txt").write_text(EVENT + " Mosul fell to Islamic State on Sunday.")
    (corpus / "b.csv").write_text("id,date,text\nc1,2017-11-03,Iraqi forces captured Mosul.\n"
                                  "c2,2017-11-03\nc3,2017-11-03,\"Islamic State captured Rawa on Friday.\"\n")
    good = "".join(json.dumps({"id": f"z{k}", "date": DOC_DATE, "text": EVENT}) + "\n" for k in range(30))
    (corpus / "c.jsonl.gz").write_bytes(gzip.compress(good.encode())[:-30])  # cut short
    (corpus / "d.jsonl").write_text("")
    (corpus / "e.txt").write_bytes("\ufeffIraqi forces captured Rawa.".encode("utf-16-le"))
    sub = corpus / "sub"
    sub.mkdir()
    (sub / "f.jsonl").write_text("".join(json.dumps({"id": f"s{k}", "date": DOC_DATE, "text": EVENT})
                                         + "\n" for k in range(5)))
    return corpus


def _same_report(a: dict, b: dict) -> None:
    """The same run report, but for the time, the file names and --jobs."""
    for doc in (a, b):
        doc.pop("seconds"), doc.pop("output")
        for key in ("jobs", "rejects"):
            doc["options"].pop(key)
    assert a == b


def run_jobs(tmp_path: Path, corpus, jobs: int, *options, fmt: str = "csv"):
    out = tmp_path / f"out-{jobs}.{fmt}"
    rep, rej = tmp_path / f"run-{jobs}.json", tmp_path / f"rejects-{jobs}.jsonl"
    code, _, err = cli("run", corpus, "-o", out, "--report", rep, "--rejects", rej, "--jobs", jobs, *options)
    return code, out.read_bytes(), json.loads(rep.read_text()), rej.read_bytes(), SECONDS.sub("", err)


# -- the same output whatever N


@pytest.mark.parametrize("force", [False, True], ids=["natural", "pool-at-once"])
def test_mixed_corpus_gives_the_same_bytes_rejects_and_report_for_1_2_3_jobs(tmp_path, monkeypatch, force):
    if force:
        monkeypatch.setattr(coder.engines.parallel, "POOL_MIN_DOCUMENTS", 0)
        monkeypatch.setattr(coder.engines.parallel, "BATCH_DOCUMENTS", 5)
    corpus = mixed_corpus(tmp_path)
    options = ("--max-doc-bytes", "5000", "--max-sentence-chars", "1000", "--excel-safe", "--doc-date", DOC_DATE)
    results = [run_jobs(tmp_path, corpus, jobs, *options) for jobs in (1, 2, 3)]
    code, out, report, rejects, err = results[0]
    assert code == 1  # documents were skipped
    assert report["documents"]["read"] > 200 and report["documents"]["skipped"] > 20
    assert report["sentences_too_long"] == 4 and report["events"] > 300
    codes = {s["code"] for s in report["skipped"]}
    assert {"input-json", "input-date", "input-decode", "input-field", "input-too-large", "input-empty",
            "input-csv", "input-gzip"} <= codes
    assert b"'=formula" in out  # --excel-safe reached the writer
    for other in results[1:]:
        assert other[0] == code
        assert other[1] == out
        assert other[3] == rejects
        assert other[4] == err  # the same skipped: and note: lines, in the same order
        _same_report(json.loads(json.dumps(report)), other[2])


@pytest.mark.parametrize("fmt", ["xml", "jsonl", "tsv"])
def test_every_output_format_is_the_same_with_workers(tmp_path, pool_at_once, fmt):
    corpus = mixed_corpus(tmp_path, docs_per_file=40)
    one, two = (run_jobs(tmp_path, corpus, jobs, "--doc-date", DOC_DATE, fmt=fmt) for jobs in (1, 2))
    assert one[1] == two[1] and one[3] == two[3]
    _same_report(one[2], two[2])


def test_samples_are_the_same_for_1_2_3_jobs(tmp_path, pool_at_once):
    outs = {jobs: [SECONDS.sub("", x) if isinstance(x, str) else x for x in cli("run", SAMPLES, "--jobs", jobs)]
            for jobs in (1, 2, 3)}
    assert outs[1][0] == 0 and outs[1][1].count("\n") > 10
    assert outs[1] == outs[2] == outs[3]


def test_standard_input_with_workers(tmp_path):
    lines = "".join(json.dumps({"id": i, "date": DOC_DATE, "text": f"Iraqi forces captured {PLACES[i % 8]} "
                                "on Friday. Nothing else happened."}) + "\n" for i in range(400))
    one = cli("run", "-", "--jobs", "1", input=lines)
    two = cli("run", "-", "--jobs", "2", input=lines)
    assert one[0] == two[0] == 0
    assert one[1] == two[1] and one[1].count("\n") == 401
    assert SUMMARY.search(one[2]).group() == SUMMARY.search(two[2]).group()


@needs_fork
def test_a_document_that_makes_the_coder_fail_is_skipped_by_a_worker_too(tmp_path, monkeypatch, pool_at_once):
    real = coder.pipeline.code_document

    def flaky(compiled, doc, **kw):
        if "Mosul" in doc.text:
            raise RecursionError("maximum recursion depth exceeded")
        return real(compiled, doc, **kw)

    monkeypatch.setattr(coder.pipeline, "code_document", flaky)  # forked workers inherit it
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("".join(json.dumps({"id": i, "date": DOC_DATE, "text": f"Iraqi forces captured "
                                          f"{PLACES[i % 4]} on Friday."}) + "\n" for i in range(20)))
    one, two = (run_jobs(tmp_path, corpus, jobs) for jobs in (1, 2))
    assert one[0] == two[0] == 1
    assert one[1] == two[1] and one[3] == two[3] and one[4] == two[4]
    assert one[2]["documents"] == {"read": 20, "with_events": 15, "without_events": 0, "skipped": 5}
    assert [s["code"] for s in two[2]["skipped"]] == ["coding-failed"] * 5
    assert "the coder failed on this document: RecursionError" in two[4]


@needs_fork
def test_a_worker_that_dies_stops_the_run_with_worker_failed_and_no_file(tmp_path, monkeypatch, pool_at_once):
    real = coder.pipeline.code_document

    def deadly(compiled, doc, **kw):
        if doc.id == "7":
            os._exit(3)  # as if killed by the system
        return real(compiled, doc, **kw)

    monkeypatch.setattr(coder.pipeline, "code_document", deadly)
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("".join(json.dumps({"id": i, "text": EVENT}) + "\n" for i in range(30)))
    out, rep = tmp_path / "out.csv", tmp_path / "run.json"
    code, _, err = cli("run", corpus, "-o", out, "--report", rep, "--jobs", "2")
    assert code == 1
    assert err.startswith("error: a worker process died while coding")
    assert sorted(os.listdir(tmp_path)) == ["c.jsonl", "run.json"]
    doc = json.loads(rep.read_text())
    assert doc["status"] == "failed" and doc["errors"][0]["code"] == "worker-failed"


def test_resume_with_workers_gives_the_bytes_of_a_plain_run(tmp_path, monkeypatch, pool_at_once):
    corpus = mixed_corpus(tmp_path, docs_per_file=40)
    ref, ref_rej = tmp_path / "ref.csv", tmp_path / "ref-rejects.jsonl"
    assert cli("run", corpus, "-o", ref, "--rejects", ref_rej, "--jobs", "1")[0] == 1
    out, rej, rep = tmp_path / "out.csv", tmp_path / "rejects.jsonl", tmp_path / "run.json"

    def stop_after_two(n):
        if n == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(coder.engines.resume, "after_part", stop_after_two)
    code, _, err = cli("run", corpus, "-o", out, "--rejects", rej, "--report", rep, "--resume", "--jobs", "2")
    assert code == 130 and not out.exists()
    parts = tmp_path / ".out.csv.parts"
    assert len((parts / "done.jsonl").read_text().splitlines()) == 2
    monkeypatch.setattr(coder.engines.resume, "after_part", None)
    code, _, _ = cli("run", corpus, "-o", out, "--rejects", rej, "--report", rep, "--resume", "--jobs", "3")
    assert code == 1
    assert out.read_bytes() == ref.read_bytes()
    assert rej.read_bytes() == ref_rej.read_bytes()
    assert not parts.exists()
    # and an uninterrupted resumable run with workers
    code, _, _ = cli("run", corpus, "-o", out, "--resume", "--jobs", "2")
    assert out.read_bytes() == ref.read_bytes()


# -- the pool itself


def test_a_small_run_stays_in_the_main_process():
    compiled = load_compiled(None)
    docs = [Document(str(i), EVENT, DOC_DATE) for i in range(50)]
    with Pool(compiled, None, 2, min_seconds=60) as pool:
        records = list(pool.code(docs, Report()))
        assert not pool.started
    assert len(records) == 50
    with Pool(compiled, None, 2, min_documents=10, min_seconds=60) as pool:
        more = list(pool.code(docs, Report()))
        assert pool.started
    assert more == records


def test_the_pool_starts_once_the_main_process_has_coded_for_a_while():
    """A corpus of long or event-dense documents is not coded on one core
    until 200 of them are done: the pool starts after ``min_seconds`` of coding."""
    compiled = load_compiled(None)
    docs = [Document(str(i), EVENT, DOC_DATE) for i in range(20)]
    started_after = []
    with Pool(compiled, None, 2, min_seconds=1e-9, min_documents=10**9, min_chars=10**9) as pool:
        records = []
        for record in pool.code(docs, Report()):
            records.append(record)
            started_after.append(pool.started)
    assert started_after[0] is False and started_after[-1] is True  # one document, then the pool
    assert sum(not s for s in started_after) == 1
    assert records == list(code_corpus(compiled, docs, Report()))


def test_memory_stays_flat_reading_runs_at_most_a_few_batches_ahead(monkeypatch):
    """The main process reads at most (2 N + 1) batches ahead of what it has written."""
    monkeypatch.setattr(coder.engines.parallel, "BATCH_DOCUMENTS", 4)
    compiled = load_compiled(None)
    pulled = []

    def docs():
        for i in range(300):
            pulled.append(i)
            yield Document(str(i), EVENT, DOC_DATE)

    report = Report()
    ahead = []
    with Pool(compiled, None, 2, min_documents=0) as pool:
        for _ in pool.code(docs(), report):
            ahead.append(len(pulled) - report.documents_read)
    assert report.documents_read == 300 and report.events == 300
    assert max(ahead) <= (2 * 2 + 1) * 4


def test_the_pool_counts_as_code_corpus_does():
    compiled = load_compiled(None)
    items = [Document("a", EVENT, DOC_DATE), Document("b", "Nothing.", DOC_DATE),
             Document("c", "x" * 200, DOC_DATE), Document("\ud800", EVENT, DOC_DATE)] * 20
    kw = {"max_doc_bytes": 100, "max_sentence_chars": None}
    ref, got = Report(), Report()
    ref_skips, got_skips = [], []
    expected = list(code_corpus(compiled, items, ref, on_skip=ref_skips.append, **kw))
    with Pool(compiled, None, 2, min_documents=7, **kw) as pool:
        records = list(pool.code(items, got, on_skip=got_skips.append))
    assert records == expected
    ref.seconds = got.seconds = 0
    assert got == ref
    assert [(p, p.raw) for p in got_skips] == [(p, p.raw) for p in ref_skips]


def test_spawned_workers_load_the_codebook_themselves(tmp_path):
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("".join(json.dumps({"id": i, "date": DOC_DATE, "text": f"Iraqi forces captured "
                                          f"{PLACES[i % 8]} on Friday."}) + "\n" for i in range(60)))
    compiled = load_compiled(None)
    docs = [d for d in coder.io.readers.read_corpus(str(corpus))]
    expected = list(code_corpus(compiled, docs, Report()))
    with Pool(compiled, None, 2, method="spawn", min_documents=0) as pool:
        assert list(pool.code(docs, Report())) == expected


def test_batches_are_cut_by_count_and_by_size():
    docs = [Document(str(i), "x" * 100) for i in range(10)]
    assert [len(b) for b in batches(iter(docs), 4, 10_000)] == [4, 4, 2]
    assert [len(b) for b in batches(iter(docs), 64, 250)] == [3, 3, 3, 1]


def test_jobs_option_values():
    assert check_jobs(None) == check_jobs(0) == default_jobs() >= 1
    assert check_jobs(3) == 3
    code, _, err = cli("run", SAMPLES, "--jobs", "-1")
    assert code == 2 and err == "error: --jobs: must be a positive number (0 for all cores), not -1\n"
    code, _, err = cli("run", SAMPLES, "--scheduler", "tcp://127.0.0.1:1")
    assert code == 2 and err == "error: --scheduler: only with --engine dask\n"
    code, _, err = cli("run", SAMPLES, "--engine", "spark")
    assert code == 2 and "unknown engine 'spark'" in err


# -- Ctrl-C


def _children(pid: int) -> list[int]:
    """The live child processes of ``pid`` (from /proc/*/stat)."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                out.append(int(entry.name))
    return sorted(out)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the process tree from /proc")
@pytest.mark.parametrize("group", [False, True], ids=["main-only", "process-group"])
def test_sigint_with_workers_exits_130_leaves_no_file_and_stops_the_workers(tmp_path, group, gazetteer_built):
    """A real Ctrl-C to a run with two workers, sent to the main process only
    or, as a terminal does, to the whole process group."""
    corpus = tmp_path / "big.jsonl"
    with corpus.open("w") as f:
        for i in range(40_000):
            f.write(json.dumps({"id": i, "date": DOC_DATE, "text": f"Iraqi forces captured {PLACES[i % 4]} "
                                "on Friday. Islamic State shelled Mosul on Sunday."}) + "\n")
    outdir = tmp_path / "out"
    outdir.mkdir()
    out, rep = outdir / "events.csv", outdir / "run.json"
    proc = subprocess.Popen([sys.executable, "-m", "coder", "run", str(corpus), "-o", str(out), "--report",
                             str(rep), "--jobs", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            cwd=ROOT, start_new_session=group)
    try:
        end = time.monotonic() + 60
        while not (len(_children(proc.pid)) == 2 and  # the pool has started, and output is written
                   [p for p in outdir.iterdir() if p.name.endswith(".tmp") and p.stat().st_size > 150_000]):
            assert time.monotonic() < end and proc.poll() is None, "the run did not start writing"
            time.sleep(0.02)
        workers = _children(proc.pid)
        if group:
            os.killpg(proc.pid, signal.SIGINT)
        else:
            proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert_interrupted(proc.returncode, err.decode(), outdir, rep, 40_000)
    time.sleep(0.2)
    assert not [pid for pid in workers if _alive(pid)]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the process tree from /proc")
def test_workers_exit_when_the_main_process_is_killed(tmp_path):
    corpus = tmp_path / "big.jsonl"
    corpus.write_text("".join(json.dumps({"id": i, "text": EVENT + " Islamic State shelled Mosul."}) + "\n"
                              for i in range(20_000)))
    proc = subprocess.Popen([sys.executable, "-m", "coder", "run", str(corpus), "-o", str(tmp_path / "o.csv"),
                             "--jobs", "2"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    try:
        end = time.monotonic() + 60
        while len(_children(proc.pid)) < 2:
            assert time.monotonic() < end and proc.poll() is None
            time.sleep(0.02)
        workers = _children(proc.pid)
        proc.kill()
        proc.wait()
    finally:
        proc.kill()
    end = time.monotonic() + 10
    while [pid for pid in workers if _alive(pid)]:
        assert time.monotonic() < end, "workers outlived the main process"
        time.sleep(0.05)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="orphans are re-parented as on Linux")
def test_a_worker_whose_main_process_died_before_it_started_exits_at_once():
    # The main process can be killed between forking a worker and the
    # worker's initializer running; the worker must compare its parent with
    # the pid the main process gave it, not with whatever parent it has now.
    code = ("import os, time\n"
            "from coder.engines.parallel import _watch_parent\n"
            "_watch_parent(os.getppid() + 1_000_000)\n"
            "time.sleep(30)\n")
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, timeout=60)
    assert result.returncode == 1
    assert time.monotonic() - started < 20


def test_the_multiprocessing_example_of_scale_md_runs_as_written(tmp_path):
    import shutil

    text = (ROOT / "docs" / "scale.md").read_text()
    block = text[text.index("```python\n# code_parallel.py"):]
    block = block[len("```python\n"): block.index("\n```")]
    (tmp_path / "code_parallel.py").write_text(block + "\n")
    shutil.copytree(SAMPLES, tmp_path / "samples")
    result = subprocess.run([sys.executable, "code_parallel.py"], cwd=tmp_path, capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr
    assert cli("run", tmp_path / "samples", "-o", tmp_path / "ref.csv")[0] == 0
    assert (tmp_path / "events.csv").read_bytes() == (tmp_path / "ref.csv").read_bytes()
    assert result.stdout == f"{(tmp_path / 'ref.csv').read_text().count(chr(10)) - 1} records\n"
