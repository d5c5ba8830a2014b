"""coder run --engine dask: partitions, part files, manifest, and the same
records and report as a local run.  docs/scale.md describes the engine."""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from pathlib import Path

import pytest
from shipped import edit, shipped_copy
from typer.testing import CliRunner

import coder.errors
from coder.cli import app

pytest.importorskip("distributed", reason="dask.distributed is not installed (pip install 'coder[dask]')")

import coder.engines.distributed  # noqa: E402
from coder.engines.distributed import count_newlines, plan, read_range  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = str(ROOT / "samples")
DOC_DATE = "2017-11-03"
EVENT = "Iraqi forces captured Rawa on Friday."
PLACES = ["Rawa", "Mosul", "al-Qaim", "Albu Kamal", "Ramadi", "Tikrit", "Raqqa", "Tabqa"]


@pytest.fixture(scope="module")
def scheduler():
    """A local cluster of two single-threaded workers in this process (fast to start)."""
    from distributed import LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None,
                           silence_logs=40)
    yield cluster.scheduler_address
    cluster.close()


def cli(*args, input=None):
    result = CliRunner().invoke(app, [str(a) for a in args], input=input)
    return result.exit_code, result.stdout, result.stderr


def corpus_dir(root: Path) -> Path:
    """Small and large JSONL files (with bad lines, lines without id, blank
    lines, a BOM), text, CSV and gzip files, and an empty file."""
    corpus = root / "corpus"
    corpus.mkdir()
    lines = []
    for j in range(300):
        text = (f"Iraqi forces captured {PLACES[j % 8]} on Friday. The weather was mild."
                if j % 3 else "Prices of bread rose sharply. " * (1 + j % 5))
        doc = {"date": DOC_DATE, "text": text} if j % 4 == 0 else {"id": f"big-{j}", "date": DOC_DATE, "text": text}
        lines.append(json.dumps(doc))
    lines[10] = '{"id": "broken", "text": '
    lines[50] = json.dumps({"id": "bad-date", "date": "2017-02-30", "text": EVENT})
    lines[120] = ""
    lines[121] = "   "
    lines[200] = json.dumps({"id": "long", "text": EVENT + " " + "word " * 500 + ". " + EVENT})
    data = b"\xef\xbb\xbf" + "\n".join(lines).encode() + b"\n"
    data = data.replace(b'"big-7"', b'"caf\xe9"')
    (corpus / "a-big.jsonl").write_bytes(data)
    (corpus / "b.txt").write_text(EVENT + " Mosul fell to Islamic State on Sunday.")
    (corpus / "c.csv").write_text("id,date,text\nc1,2017-11-03,Iraqi forces captured Mosul.\nc2,2017-11-03\n")
    import gzip

    (corpus / "d.jsonl.gz").write_bytes(gzip.compress(
        "".join(json.dumps({"id": f"z{k}", "date": DOC_DATE, "text": EVENT}) + "\n" for k in range(20)).encode()))
    (corpus / "e.jsonl").write_text("")
    (corpus / "f-blank.jsonl").write_text("\n" * 5000)  # split, and nothing in it
    for k in range(5):
        (corpus / f"g{k}.jsonl").write_text(json.dumps({"id": f"g{k}", "date": DOC_DATE, "text": EVENT}) + "\n")
    return corpus


def rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def concatenated(outdir: Path) -> list[list[str]]:
    """The rows of the part files in order, one header."""
    parts = sorted(p for p in outdir.iterdir() if p.name.startswith("part-"))
    out: list[list[str]] = []
    for k, part in enumerate(parts):
        out.extend(rows(part)[(0 if k == 0 else 1):])
    return out


def _comparable(report: dict) -> dict:
    report = dict(report)
    for key in ("seconds", "output", "options"):
        report.pop(key)
    return report


def test_the_parts_hold_the_rows_of_a_local_run_and_the_report_is_the_same(tmp_path, scheduler):
    corpus = corpus_dir(tmp_path)
    options = ("--doc-date", DOC_DATE, "--max-sentence-chars", "1000", "--excel-safe")
    local, local_rep, local_rej = tmp_path / "local.csv", tmp_path / "local.json", tmp_path / "local-rejects.jsonl"
    code, _, local_err = cli("run", corpus, "-o", local, "--report", local_rep, "--rejects", local_rej, *options)
    assert code == 1
    outdir, rep, rej = tmp_path / "out", tmp_path / "run.json", tmp_path / "rejects.jsonl"
    code, _, err = cli("run", corpus, "--engine", "dask", "--scheduler", scheduler, "-o", outdir,
                       "--partition-bytes", "4000", "--report", rep, "--rejects", rej, *options)
    assert code == 1, err
    assert concatenated(outdir) == rows(local)
    assert rej.read_bytes() == local_rej.read_bytes()
    a, b = json.loads(rep.read_text()), json.loads(local_rep.read_text())
    assert _comparable(a) == _comparable(b)
    assert a["sentences_too_long"] == 1
    assert {"input-json", "input-date", "input-decode", "input-csv", "input-empty"} <= {s["code"] for s in a["skipped"]}
    strip = lambda text: [line for line in text.splitlines() if not line.startswith("documents:")]  # noqa: E731
    assert strip(err) == strip(local_err)  # the same skipped: and note: lines, in order

    manifest = json.loads((outdir / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert manifest["codebook"]["sha256"] == b["codebook"]["sha256"] and manifest["codebook"]["name"] == "default"
    parts = manifest["partitions"]
    assert [p["part"] for p in parts] == [f"part-{k:05d}.csv" for k in range(len(parts))]
    assert sorted(os.listdir(outdir)) == sorted([p["part"] for p in parts] + ["manifest.json"])
    assert all(p["status"] == "complete" for p in parts)
    big = [p for p in parts if p["sources"][0]["file"].endswith("a-big.jsonl")]
    size = (corpus / "a-big.jsonl").stat().st_size
    assert len(big) == -(-size // 4000) > 3  # split into byte ranges
    assert [(p["sources"][0]["start"], p["sources"][0]["end"]) for p in big] == \
        [(k, min(k + 4000, size)) for k in range(0, size, 4000)]
    assert sum(p["records"] for p in parts) == a["events"] == manifest["totals"]["records"]
    assert sum(p["documents_read"] for p in parts) == a["documents"]["read"] == \
        manifest["totals"]["documents_read"]
    assert sum(p["documents_skipped"] for p in parts) == a["documents"]["skipped"]
    small = [p for p in parts if len(p["sources"]) > 1]  # small files grouped into one partition
    assert small and small[-1]["sources"][-1]["file"].endswith("g4.jsonl")
    for p in parts:  # each part holds exactly its records
        assert len(rows(outdir / p["part"])) - 1 == p["records"]


@pytest.mark.parametrize("size", [1, 7, 64, 333, 100_000])
def test_every_line_belongs_to_exactly_one_range(tmp_path, size):
    """Ranges begin and end at the first line boundary at or after their
    offsets: read range by range, the lines are those of the whole file,
    numbered the same, whatever the range size (smaller than a line too)."""
    import coder.io.readers as readers

    path = tmp_path / "x.jsonl"
    lines = [json.dumps({"n": k, "text": "w" * (k % 50)}) for k in range(200)]
    lines[3] = ""
    path.write_bytes(b"\xef\xbb\xbf" + "\n".join(lines).encode())  # no final newline
    def seen(item):
        return item.line, getattr(item, "id", None), str(item) if hasattr(item, "code") else item.text

    whole = [seen(d) for d in readers.read_corpus(str(path))]
    total = path.stat().st_size
    got, newlines = [], 0
    for start in range(0, total, size):
        end = min(start + size, total)
        source = coder.engines.distributed.Source(str(path), "x.jsonl", "jsonl", total, start, end, newlines)
        got.extend(seen(d) for d in read_range(source, None, 5_000_000, {}))
        newlines += count_newlines(str(path), start, end)
    assert got == whole and len(whole) == 199  # 200 lines, one blank; 4 of them problems (empty text)


def test_the_default_local_cluster_runs_worker_processes(tmp_path):
    """Without --scheduler: a LocalCluster of --jobs processes, started and stopped."""
    local = tmp_path / "local.csv"
    assert cli("run", SAMPLES, "-o", local)[0] == 0
    outdir = tmp_path / "out"
    code, _, err = cli("run", SAMPLES, "--engine", "dask", "--jobs", "2", "-o", outdir)
    assert code == 0, err
    assert concatenated(outdir) == rows(local)
    manifest = json.loads((outdir / "manifest.json").read_text())
    assert manifest["options"]["scheduler"] is None and manifest["totals"]["records"] == len(rows(local)) - 1


def test_xml_parts_and_a_rerun_replaces_old_parts(tmp_path, scheduler):
    corpus = corpus_dir(tmp_path)
    outdir = tmp_path / "out"
    assert cli("run", corpus, "--engine", "dask", "--scheduler", scheduler, "-o", outdir,
               "--partition-bytes", "2000")[0] == 1
    many = len(os.listdir(outdir))
    code, _, _ = cli("run", corpus, "--engine", "dask", "--scheduler", scheduler, "-o", outdir, "-f", "xml")
    parts = sorted(os.listdir(outdir))
    assert len(parts) < many and all(p.endswith(".xml") for p in parts if p.startswith("part-"))
    from lxml import etree

    events = [e for p in parts if p.startswith("part-") for e in etree.parse(str(outdir / p)).getroot()]
    assert len(events) == json.loads((outdir / "manifest.json").read_text())["totals"]["records"]


def test_workers_load_the_codebook_once(tmp_path, scheduler, monkeypatch):
    calls = []
    real = coder.engines.distributed.load_compiled
    monkeypatch.setattr(coder.engines.distributed, "load_compiled", lambda path=None: calls.append(path) or real(path))
    coder.engines.distributed._CODEBOOKS.clear()
    corpus = corpus_dir(tmp_path)
    for k in range(2):
        assert cli("run", corpus, "--engine", "dask", "--scheduler", scheduler, "-o", tmp_path / f"o{k}",
                   "--partition-bytes", "3000")[0] == 1
    # the client loads it once a run; the (threaded) workers of this process once in all
    assert len(calls) == 3
    assert len(coder.engines.distributed._CODEBOOKS) == 1


def test_a_worker_with_another_codebook_refuses_to_code(tmp_path, scheduler):
    from coder.codebook import load_codebook

    cb = shipped_copy(tmp_path, "cb.yaml")
    task = {"sources": [], "part_path": str(tmp_path / "p.csv"), "codebook": str(cb),
            "codebook_sha256": "0" * 64, "coder_version": coder.__version__, "options": {}, "rejects": False}
    with pytest.raises(coder.errors.CoderError, match="differs from the client's"):
        coder.engines.distributed.code_partition(task)
    # the client's digest covers the files the codebook includes: one edited on the worker differs
    task["codebook_sha256"] = load_codebook(cb).sha256
    edit(tmp_path / "default" / "rules" / "capture.yaml", "\nrules:\n", "\n# edited\nrules:\n")
    with pytest.raises(coder.errors.CoderError, match="differs from the client's"):
        coder.engines.distributed.code_partition(task)


def test_options_that_do_not_apply_are_refused(tmp_path, scheduler):
    code, _, err = cli("run", SAMPLES, "--engine", "dask", "--scheduler", scheduler)
    assert code == 2 and err == "error: --engine: needs an output directory (-o OUTDIR)\n"
    code, _, err = cli("run", SAMPLES, "--engine", "dask", "-o", tmp_path / "o", "--resume")
    assert code == 2 and err.startswith("error: --resume: not with --engine dask")
    (tmp_path / "file.csv").write_text("")
    code, _, err = cli("run", SAMPLES, "--engine", "dask", "-o", tmp_path / "file.csv")
    assert code == 2 and "must be a directory with --engine dask" in err
    code, _, err = cli("run", "-", "--engine", "dask", "-o", tmp_path / "o", input="{}")
    assert code == 2 and "cannot read standard input" in err


def test_the_plan_follows_the_reader(tmp_path):
    corpus = corpus_dir(tmp_path)
    (corpus / ".hidden.jsonl").write_text("{}\n")
    (corpus / "notes.md").write_text("not read")
    units = plan(str(corpus), input_format=None, partition_bytes=1 << 20)
    files = [s.rel for u in units for s in u]
    assert files == ["a-big.jsonl", "b.txt", "c.csv", "d.jsonl.gz", "e.jsonl", "f-blank.jsonl",
                     "g0.jsonl", "g1.jsonl", "g2.jsonl", "g3.jsonl", "g4.jsonl"]
    assert len(units) == 1  # all small: one partition
    missing = plan(str(tmp_path / "nope"), input_format=None, partition_bytes=100)
    assert [p.code for p in missing] == ["input-io"]


def test_without_dask_one_clear_line_and_status_2(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed raises ImportError
    code, out, err = cli("run", SAMPLES, "--engine", "dask", "-o", tmp_path / "out")
    assert code == 2 and out == ""
    assert err == ("error: --engine: needs dask.distributed, which is not installed: "
                   "pip install 'coder[dask]'\n")
    assert not (tmp_path / "out").exists()


def test_a_line_over_the_limit_stops_its_file_as_in_a_local_run(tmp_path, scheduler, monkeypatch):
    """A local run stops reading a file at a line over the line limit; with
    ranges, the later ranges of that file are dropped (their parts empty)."""
    import coder.io.readers

    monkeypatch.setattr(coder.io.readers, "line_limit", lambda max_doc_bytes: 1000)  # workers are threads here
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    lines = [json.dumps({"id": f"d{k}", "date": DOC_DATE, "text": f"Iraqi forces captured {PLACES[k % 8]}."})
             for k in range(120)]
    lines[50] = json.dumps({"id": "huge", "text": EVENT + " x" * 1000})
    (corpus / "a.jsonl").write_text("\n".join(lines) + "\n")
    (corpus / "b.jsonl").write_text(json.dumps({"id": "after", "date": DOC_DATE, "text": EVENT}) + "\n")
    local, local_rep = tmp_path / "local.csv", tmp_path / "local.json"
    assert cli("run", corpus, "-o", local, "--report", local_rep)[0] == 1
    outdir, rep = tmp_path / "out", tmp_path / "run.json"
    code, _, err = cli("run", corpus, "--engine", "dask", "--scheduler", scheduler, "-o", outdir,
                       "--partition-bytes", "1500", "--report", rep)
    assert code == 1, err
    assert concatenated(outdir) == rows(local)
    assert [r[1] for r in rows(local)[-2:]] == ["d49", "after"]
    a, b = json.loads(rep.read_text()), json.loads(local_rep.read_text())
    assert _comparable(a) == _comparable(b)
    assert [s["code"] for s in a["skipped"]] == ["input-too-large"] and a["skipped"][0]["line"] == 51
    statuses = [p["status"] for p in json.loads((outdir / "manifest.json").read_text())["partitions"]]
    assert "dropped" in statuses and statuses[-1] == "complete"


@pytest.mark.parametrize("then_fail", [False, True], ids=["lost", "lost-then-an-error"])
def test_a_ctrl_c_lost_while_the_cluster_starts_still_stops_the_run(tmp_path, scheduler, monkeypatch, then_fail):
    # Starting a cluster forks processes; a KeyboardInterrupt raised inside a
    # fork hook is printed and ignored by Python. The run must still stop as
    # interrupted, not report itself complete, nor report an error that the
    # Ctrl-C caused (a worker it reached first dying) instead of the interrupt.
    import signal
    import time

    connect = coder.engines.distributed._connect

    def connect_and_lose_a_ctrl_c(*args, **kwargs):
        try:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(1)
        except KeyboardInterrupt:
            pass
        if then_fail:
            raise coder.errors.CoderError(coder.errors.Problem("worker-failed", "a worker died"))
        return connect(*args, **kwargs)

    monkeypatch.setattr(coder.engines.distributed, "_connect", connect_and_lose_a_ctrl_c)
    outdir = tmp_path / "out"
    code, _, err = cli("run", SAMPLES, "--engine", "dask", "--scheduler", scheduler, "-o", outdir)
    assert code == 130, err
    assert err.splitlines()[0].startswith("interrupted: the part files of finished partitions are in ")
    assert json.loads((outdir / "manifest.json").read_text())["status"] == "interrupted"
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
