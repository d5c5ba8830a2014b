"""The compiled-codebook cache: same result, rebuilt when broken, never
trusted in a directory others can write."""

import os
import pickle

import pytest
from shipped import edit, shipped_copy

from coder.errors import CodebookError
from coder.match.cache import load_compiled


def _files(d):
    return sorted(p for p in os.listdir(d) if p.endswith(".pickle"))


def test_cold_then_warm_give_the_same_codebook(tmp_path, monkeypatch):
    monkeypatch.setenv("CODER_CACHE_DIR", str(tmp_path / "c"))
    cold = load_compiled()
    (name,) = _files(tmp_path / "c")
    assert oct((tmp_path / "c").stat().st_mode & 0o777) == "0o700"
    warm = load_compiled()
    assert warm is not cold
    assert [r.rule.id for r in warm.rules] == [r.rule.id for r in cold.rules]
    assert warm.lexicon.size == cold.lexicon.size and warm.codebook.sha256 == cold.codebook.sha256
    from coder.pipeline import code_document
    from coder.text.document import Document

    doc = Document("d", "Iraqi forces recaptured Rawa from Islamic State on Friday.", "2017-11-17")
    assert code_document(warm, doc)[0] == code_document(cold, doc)[0]


def test_a_changed_codebook_gets_a_new_entry(tmp_path, monkeypatch):
    monkeypatch.setenv("CODER_CACHE_DIR", str(tmp_path / "c"))
    mine = shipped_copy(tmp_path, "mine.yaml")
    load_compiled(mine)
    edit(mine, 'version: "0.3.0"', 'version: "0.3.1"')
    assert load_compiled(mine).codebook.version == "0.3.1"
    assert len(_files(tmp_path / "c")) == 2


def test_an_edit_of_an_included_file_is_compiled_again(tmp_path, monkeypatch):
    """The cache key covers the main file; a hit is used only while every
    file its ``include`` names holds what was compiled."""
    monkeypatch.setenv("CODER_CACHE_DIR", str(tmp_path / "c"))
    mine = shipped_copy(tmp_path, "mine.yaml")
    before = load_compiled(mine)
    assert before.codebook.includes == [str(tmp_path / "default" / "actors.yaml"),
                                        str(tmp_path / "default" / "places.yaml"),
                                        str(tmp_path / "default" / "rules" / "capture.yaml"),
                                        str(tmp_path / "default" / "rules" / "offensive.yaml"),
                                        str(tmp_path / "default" / "rules" / "consolidation.yaml")]
    edit(tmp_path / "default" / "rules" / "capture.yaml", "- id: capture.active\n", "- id: capture.active2\n")
    after = load_compiled(mine)
    assert "capture.active2" in [r.id for r in after.codebook.rules]
    assert after.codebook.sha256 != before.codebook.sha256
    assert len(_files(tmp_path / "c")) == 1  # the same key: the entry is replaced
    (tmp_path / "default" / "places.yaml").unlink()
    with pytest.raises(CodebookError) as exc:
        load_compiled(mine)
    line = mine.read_text().splitlines().index("  - default/places.yaml") + 1
    assert [str(p) for p in exc.value.problems] == [
        f"{mine}:{line}:5: include[1]: cannot open included file 'default/places.yaml': no such file"]


def test_a_corrupt_cache_file_is_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setenv("CODER_CACHE_DIR", str(tmp_path / "c"))
    load_compiled()
    (name,) = _files(tmp_path / "c")
    (tmp_path / "c" / name).write_bytes(b"\x80\x05garbage")
    assert load_compiled().rules
    with open(tmp_path / "c" / name, "rb") as f:
        assert pickle.load(f).rules  # rewritten whole


def test_a_directory_others_can_write_is_not_trusted(tmp_path, monkeypatch):
    d = tmp_path / "shared"
    d.mkdir()
    d.chmod(0o777)
    monkeypatch.setenv("CODER_CACHE_DIR", str(d))
    load_compiled()
    assert _files(d) == []
    planted = tmp_path / "planted"
    monkeypatch.setenv("CODER_CACHE_DIR", str(tmp_path / "c"))
    load_compiled()
    assert not planted.exists()


def test_no_cache_when_asked(tmp_path, monkeypatch):
    monkeypatch.setenv("CODER_CACHE_DIR", str(tmp_path / "c"))
    monkeypatch.setenv("CODER_NO_CACHE", "1")
    load_compiled()
    assert not (tmp_path / "c").exists()


def test_a_warm_run_does_not_import_what_only_cold_starts_and_other_formats_need(tmp_path, gazetteer_built):
    """The serial start of every run (and of --jobs N) stays short: with the
    codebook cache warm, coding JSONL into CSV imports neither the YAML
    parser, nor jsonschema (needed only to explain an invalid record), nor lxml."""
    import json
    import subprocess
    import sys

    corpus = tmp_path / "one.jsonl"
    corpus.write_text(json.dumps({"id": "d", "date": "2017-11-17",
                                  "text": "Iraqi forces recaptured Rawa from Islamic State on Friday."}) + "\n")
    script = (
        "import sys\n"
        "from coder.engines.runner import run\n"
        f"run({str(corpus)!r}, {str(tmp_path / 'out.csv')!r})\n"  # the first run fills the cache
        "heavy = ('yaml', 'jsonschema', 'lxml')\n"
        "print(sorted({m.split('.')[0] for m in sys.modules if m.split('.')[0] in heavy}))\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True)
    warm = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True)
    assert warm.stdout.strip() == "[]"
    assert (tmp_path / "out.csv").read_text().count("\n") == 2


def test_the_cache_keeps_only_the_most_recently_used_codebooks(tmp_path, monkeypatch):
    """Each codebook edit adds an entry: storing one deletes all but the
    KEEP most recently used (a hit counts as a use); other files stay."""
    from coder.match import cache

    d = tmp_path / "c"
    monkeypatch.setenv("CODER_CACHE_DIR", str(d))
    load_compiled()  # the shipped codebook's entry
    (mine,) = _files(d)
    old = []
    for k in range(cache.KEEP + 3):  # entries of earlier edits, older than it
        p = d / f"codebook-old{k:02d}.pickle"
        p.write_bytes(b"stale")
        os.utime(p, ns=(10**18 + k, 10**18 + k))
        old.append(p.name)
    os.utime(d / mine, ns=(10**9, 10**9))  # the oldest of all ...
    (d / "gazetteer-x.sqlite").write_bytes(b"")
    load_compiled()  # ... until this hit uses it
    edited = shipped_copy(tmp_path, "edited.yaml")
    edited.write_text(edited.read_text(encoding="utf-8") + "\n# an edit\n")
    load_compiled(edited)  # a new entry: the oldest ones go
    kept = _files(d)
    assert len(kept) == cache.KEEP
    assert mine in kept and set(old[-(cache.KEEP - 2):]) <= set(kept)
    assert not set(old[:5]) & set(kept)
    assert (d / "gazetteer-x.sqlite").exists()
