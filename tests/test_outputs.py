"""Nothing a user owns is destroyed by an output: no output onto an input,
links followed, devices and FIFOs written into, modes and hard links kept,
a full disk one clear line (coder/io/outputs.py; docs/reliability.md)."""

from __future__ import annotations

import errno
import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

import coder.io.outputs
from coder.cli import app
from coder.errors import UsageError
from coder.io.outputs import atomic_file, refuse_inputs

ROOT = Path(__file__).resolve().parents[1]
LINE = b'{"id": "a", "date": "2017-11-03", "text": "Iraqi forces captured Rawa on Friday."}\n'
BAD = b'{"id": "b", "text": ""}\n'


def cli(*args, input=None):
    result = CliRunner().invoke(app, [str(a) for a in args], input=input)
    return result.exit_code, result.stdout, result.stderr


def listing(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


@pytest.fixture
def corpus(tmp_path) -> Path:
    path = tmp_path / "a.jsonl"
    path.write_bytes(LINE + BAD)
    return path


# -- an output is never an input -----------------------------------------------


@pytest.mark.parametrize("option", ["-o", "--report", "--rejects"])
def test_an_output_onto_the_corpus_file_is_refused_before_coding(corpus, option):
    code, out, err = cli("run", corpus, option, corpus)
    assert code == 2
    assert err == f"error: {corpus}: {option if option != '-o' else '--output'}: is an input file: " \
                  "writing it would destroy it; write the output to another file\n"
    assert corpus.read_bytes() == LINE + BAD
    assert listing(corpus.parent) == ["a.jsonl"]


def test_resume_onto_the_corpus_is_refused(corpus):
    code, _, err = cli("run", corpus, "-o", corpus, "--resume", "-f", "jsonl")
    assert code == 2 and "is an input file" in err
    assert corpus.read_bytes() == LINE + BAD
    assert listing(corpus.parent) == ["a.jsonl"]  # no parts directory either


def test_a_link_or_hard_link_to_the_input_is_refused(corpus, tmp_path):
    (tmp_path / "link.jsonl").symlink_to(corpus)
    os.link(corpus, tmp_path / "hard.jsonl")
    for name in ("link.jsonl", "hard.jsonl"):
        code, _, err = cli("run", corpus, "-o", tmp_path / name)
        assert code == 2
        assert err == f"error: {tmp_path / name}: --output: is the input file {corpus} (the same file): " \
                      "writing it would destroy it; write the output to another file\n"
    assert corpus.read_bytes() == LINE + BAD


def test_an_input_inside_a_corpus_directory_is_refused_by_any_spelling(tmp_path):
    news = tmp_path / "news"
    (news / "sub").mkdir(parents=True)
    (news / "sub" / "b.jsonl").write_bytes(LINE)
    spelled = news / "sub" / ".." / "sub" / "b.jsonl"
    code, _, err = cli("run", news, "--rejects", spelled)
    assert code == 2
    assert err.startswith(f"error: {spelled}: --rejects: is an input file: writing it would destroy it")
    assert (news / "sub" / "b.jsonl").read_bytes() == LINE


def test_an_existing_file_in_the_corpus_directory_that_is_not_read_may_be_written(tmp_path):
    news = tmp_path / "news"
    news.mkdir()
    (news / "b.jsonl").write_bytes(LINE)
    (news / "events.dat").write_text("old\n")  # no input suffix: not read
    code, _, err = cli("run", news, "-o", news / "events.dat", "-f", "csv")
    assert code == 0, err
    assert (news / "events.dat").read_text().startswith("event_id,")


def test_standard_input_from_the_output_file_is_refused(corpus):
    result = subprocess.run([sys.executable, "-m", "coder", "run", "-", "-o", str(corpus), "-f", "jsonl"],
                            stdin=open(corpus, "rb"), capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert result.stderr == f"error: {corpus}: --output: is the file standard input reads: writing it would " \
                            "destroy it; write the output to another file\n"
    assert corpus.read_bytes() == LINE + BAD


def test_two_outputs_that_are_one_file_through_a_link_are_refused(corpus, tmp_path):
    (tmp_path / "r.json").write_text("{}")
    (tmp_path / "r-link.json").symlink_to(tmp_path / "r.json")
    code, _, err = cli("run", corpus, "-o", tmp_path / "e.csv", "--report", tmp_path / "r.json",
                       "--rejects", tmp_path / "r-link.json")
    assert code == 2
    assert err == f"error: {tmp_path / 'r-link.json'}: --rejects: is the --report file too\n"


def test_report_onto_one_of_its_event_files_is_refused(tmp_path):
    events = tmp_path / "events.csv"
    assert cli("run", ROOT / "samples", "-o", events)[0] == 0
    before = events.read_bytes()
    code, _, err = cli("report", events, "-o", events)
    assert code == 2 and err.startswith(f"error: {events}: --output: is an input file: writing it would destroy it")
    assert events.read_bytes() == before


def test_refuse_inputs_walks_only_when_an_output_exists(tmp_path):
    def inputs():
        raise AssertionError("walked the corpus although no output exists")
        yield  # pragma: no cover

    refuse_inputs([("--output", str(tmp_path / "new.csv")), ("--report", None)], inputs())
    (tmp_path / "x.csv").write_text("")
    with pytest.raises(UsageError):
        refuse_inputs([("--output", str(tmp_path / "x.csv"))], [str(tmp_path / "x.csv")])


# -- links, devices, modes, hard links -----------------------------------------------


def test_outputs_through_a_symbolic_link_keep_the_link(corpus, tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    for name in ("e.csv", "r.json", "x.jsonl"):
        (real / name).write_text("old\n")
        (tmp_path / name).symlink_to(real / name)
    code, _, err = cli("run", corpus, "-o", tmp_path / "e.csv", "--report", tmp_path / "r.json",
                       "--rejects", tmp_path / "x.jsonl")
    assert code == 1, err  # one document skipped
    for name in ("e.csv", "r.json", "x.jsonl"):
        assert (tmp_path / name).is_symlink()
        assert os.readlink(tmp_path / name) == str(real / name)
    assert (real / "e.csv").read_text().startswith("event_id,")
    assert json.loads((real / "r.json").read_text())["documents"]["read"] == 2
    assert json.loads((real / "x.jsonl").read_text())["document"]["id"] == "b"
    assert listing(real) == ["e.csv", "r.json", "x.jsonl"]  # no temporary file left


def test_report_page_through_a_symbolic_link_keeps_the_link(tmp_path):
    events = tmp_path / "events.csv"
    assert cli("run", ROOT / "samples", "-o", events)[0] == 0
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_text("old")
    (tmp_path / "page.html").symlink_to(tmp_path / "site" / "index.html")
    code, _, err = cli("report", events, "-o", tmp_path / "page.html")
    assert code == 0, err
    assert (tmp_path / "page.html").is_symlink()
    assert (tmp_path / "site" / "index.html").read_text().startswith("<!DOCTYPE html>")


def test_a_dangling_link_gets_its_target_created(tmp_path):
    (tmp_path / "out.csv").symlink_to(tmp_path / "later.csv")
    with atomic_file(str(tmp_path / "out.csv")) as f:
        f.write(b"x\n")
    assert (tmp_path / "out.csv").is_symlink() and (tmp_path / "later.csv").read_bytes() == b"x\n"


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o444])
def test_an_existing_file_keeps_its_mode_while_written_and_after(tmp_path, mode):
    target = tmp_path / "events.csv"
    target.write_text("old\n")
    target.chmod(mode)
    with atomic_file(str(target)) as f:
        [tmp] = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
        assert stat.S_IMODE(tmp.stat().st_mode) & ~mode == 0  # never wider than the file it replaces
        f.write(b"new\n")
    assert stat.S_IMODE(target.stat().st_mode) == mode
    assert target.read_bytes() == b"new\n"


def test_a_file_with_hard_links_is_written_in_place(tmp_path):
    target = tmp_path / "events.csv"
    target.write_text("old\n")
    os.link(target, tmp_path / "backup-name.csv")
    inode = target.stat().st_ino
    with atomic_file(str(target)) as f:
        f.write(b"new\n")
    assert target.stat().st_ino == inode and target.stat().st_nlink == 2
    assert (tmp_path / "backup-name.csv").read_bytes() == b"new\n"
    assert listing(tmp_path) == ["backup-name.csv", "events.csv"]


def test_a_failed_write_leaves_a_hard_linked_file_untouched(tmp_path):
    target = tmp_path / "events.csv"
    target.write_text("old\n")
    os.link(target, tmp_path / "other.csv")
    with pytest.raises(KeyboardInterrupt):
        with atomic_file(str(target)) as f:
            f.write(b"new\n")
            raise KeyboardInterrupt
    assert (tmp_path / "other.csv").read_bytes() == b"old\n"
    assert listing(tmp_path) == ["events.csv", "other.csv"]


def test_a_fifo_is_written_into_not_replaced(corpus, tmp_path):
    fifo = tmp_path / "events.fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    code, _, err = cli("run", corpus, "-o", fifo, "-f", "csv")
    reader.join(10)
    assert code == 1, err
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert got[0].startswith(b"event_id,") and b"Rawa" in got[0]
    assert listing(tmp_path) == ["a.jsonl", "events.fifo"]


needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root")


@needs_root
def test_a_device_is_written_into_not_replaced(corpus, tmp_path):
    null = tmp_path / "null"
    os.mknod(null, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # a second /dev/null, in the test's directory
    for option in ("-o", "--report", "--rejects"):
        args = ["-o", tmp_path / "e.csv"] if option != "-o" else []
        code, _, err = cli("run", corpus, option, null, "-f", "csv", *args)
        assert code == 1, err
        assert stat.S_ISCHR(os.lstat(null).st_mode), option
    assert sorted(listing(tmp_path)) == ["a.jsonl", "e.csv", "null"]


# -- a full disk ------------------------------------------------------------------


@needs_root
def test_a_full_device_is_one_clear_line(corpus, tmp_path):
    full = tmp_path / "full"
    os.mknod(full, 0o666 | stat.S_IFCHR, os.makedev(1, 7))  # a second /dev/full
    code, out, err = cli("run", corpus, "-o", full, "-f", "csv", "--report", tmp_path / "r.json")
    assert code == 1
    assert err.splitlines()[1] == (f"error: {full}: cannot write: no space left on the device (or the disk quota is "
                                   "used up); nothing was written there and an existing file was left as it was: "
                                   "free some space and run again")
    assert "internal error" not in err
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["status"] == "failed" and report["errors"][0]["code"] == "output-no-space"
    assert stat.S_ISCHR(os.lstat(full).st_mode)


class _FillsUp:
    """A file whose disk fills up after ``room`` bytes."""

    def __init__(self, file, room: int):
        self.file, self.room = file, room

    def write(self, data):
        if len(data) > self.room:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.room -= len(data)
        return self.file.write(data)

    def __getattr__(self, name):
        return getattr(self.file, name)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_full_disk_keeps_the_old_output_and_says_so_in_one_line(tmp_path, monkeypatch, jobs):
    corpus = tmp_path / "news.jsonl"
    corpus.write_bytes(b"".join(LINE.replace(b'"a"', f'"d{i}"'.encode()) for i in range(300)))
    target = tmp_path / "events.csv"
    target.write_text("old events\n")
    real = os.fdopen
    monkeypatch.setattr(coder.io.outputs.os, "fdopen", lambda fd, mode: _FillsUp(real(fd, mode), 20_000))
    code, out, err = cli("run", corpus, "-o", target, "-j", jobs, "--report", tmp_path / "r.json")
    assert code == 1
    lines = err.splitlines()
    assert lines[0] == (f"error: {target}: cannot write: no space left on the device (or the disk quota is used up); "
                        "nothing was written there and an existing file was left as it was: free some space and run "
                        "again")
    assert lines[1].startswith("documents: ") and len(lines) == 2
    assert target.read_text() == "old events\n"
    assert listing(tmp_path) == ["events.csv", "news.jsonl", "r.json"]
    monkeypatch.undo()
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["status"] == "failed"
    assert report["errors"] == [{"code": "output-no-space", "message": lines[0][len(f"error: {target}: "):],
                                 "path": str(target)}]
