"""Tests for coder.io.readers: reading txt, JSONL and CSV corpora."""

from __future__ import annotations

import inspect
import io
import itertools
import json
import os
import time
import tracemalloc
from collections import deque

import pytest

from coder.errors import Problem, UsageError
from coder.io.readers import INPUT_FORMATS, read_corpus
from coder.text.document import Document


def write(path, data: bytes | str) -> str:
    """Write ``data`` to ``path`` (making parent directories); return the path as str."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return str(path)


def read(corpus, **kwargs) -> list:
    return list(read_corpus(str(corpus), **kwargs))


# -- directories


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "corpus"
    write(root / "b.txt", "B")
    write(root / "a.txt", "A")
    write(root / "a-b.txt", "AB")
    write(root / "a" / "x.txt", "AX")
    write(root / "a" / "sub" / "deep.txt", "DEEP")
    write(root / "a" / "y.jsonl", '{"text": "Y1"}\n{"id": "y2", "text": "Y2"}\n')
    write(root / "c.csv", "id,text\nc1,C\n")
    write(root / ".hidden" / "z.txt", "hidden")
    write(root / ".h.txt", "hidden")
    write(root / "notes.md", "not read")
    return root


def test_directory_sorted_recursive_hidden_skipped_unknown_ignored(tree):
    corpus = str(tree) + "/"
    items = read(corpus, doc_date="2020-05-06")
    assert all(isinstance(d, Document) for d in items)
    assert [(d.id, d.text) for d in items] == [
        ("a-b.txt", "AB"),
        ("a.txt", "A"),
        ("a/sub/deep.txt", "DEEP"),
        ("a/x.txt", "AX"),
        ("a/y.jsonl:1", "Y1"),
        ("y2", "Y2"),
        ("b.txt", "B"),
        ("c1", "C"),
    ]
    assert [(d.path, d.line) for d in items] == [
        (corpus + "a-b.txt", None),
        (corpus + "a.txt", None),
        (corpus + "a/sub/deep.txt", None),
        (corpus + "a/x.txt", None),
        (corpus + "a/y.jsonl", 1),
        (corpus + "a/y.jsonl", 2),
        (corpus + "b.txt", None),
        (corpus + "c.csv", 2),
    ]
    assert {d.date for d in items} == {"2020-05-06"}


def test_directory_path_without_trailing_slash(tree):
    items = read(tree)
    assert items[0].path == f"{tree}/a-b.txt"


def test_directory_with_input_format_reads_every_visible_file(tree):
    items = read(tree, input_format="txt")
    assert [d.id for d in items] == [
        "a-b.txt", "a.txt", "a/sub/deep.txt", "a/x.txt", "a/y.jsonl",
        "b.txt", "c.csv", "notes.md",
    ]
    assert items[4].text == '{"text": "Y1"}\n{"id": "y2", "text": "Y2"}\n'


def test_empty_directory(tmp_path):
    assert read(tmp_path) == []


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_in_directory_is_a_problem_not_a_hang(tmp_path):
    write(tmp_path / "a.txt", "A")
    os.mkfifo(tmp_path / "b.txt")
    write(tmp_path / "c.txt", "C")
    items = read(tmp_path)
    assert items[0].id == "a.txt"
    assert items[1] == Problem("input-io", "cannot open: not a regular file",
                               path=f"{tmp_path}/b.txt")
    assert items[2].id == "c.txt"


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="needs a non-root user for permissions")
def test_unreadable_file(tmp_path):
    path = write(tmp_path / "a.txt", "A")
    os.chmod(path, 0)
    try:
        assert read(tmp_path) == [
            Problem("input-io", "cannot open: Permission denied", path=path)]
    finally:
        os.chmod(path, 0o644)


def test_open_and_read_errors(tmp_path, monkeypatch):
    import errno

    import coder.io.readers as readers

    class Broken(io.BytesIO):
        def __iter__(self):
            raise OSError(errno.EIO, os.strerror(errno.EIO))

    def fake_open(path, mode):
        if path.endswith("a.txt"):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)
        return Broken(b"")

    write(tmp_path / "a.txt", "A")
    write(tmp_path / "b.jsonl", "{}")
    monkeypatch.setattr(readers, "open", fake_open, raising=False)
    assert read(tmp_path) == [
        Problem("input-io", "cannot open: Permission denied", path=f"{tmp_path}/a.txt"),
        Problem("input-io", "cannot read: Input/output error", path=f"{tmp_path}/b.jsonl"),
    ]


def test_symlink_loop_is_reported_once(tmp_path):
    write(tmp_path / "d" / "a.txt", "A")
    os.symlink(".", tmp_path / "d" / "loop")
    items = read(tmp_path / "d")
    assert items == [
        Document(id="a.txt", text="A", path=f"{tmp_path}/d/a.txt"),
        Problem("input-io", "cannot open: symbolic link loop", path=f"{tmp_path}/d/loop"),
    ]


# -- txt


def test_txt_single_file_id_is_file_name_and_bom_is_stripped(tmp_path):
    path = write(tmp_path / "sub" / "story.txt", b"\xef\xbb\xbfPolice fired.\r\n")
    assert read(path, doc_date="2017-01-02") == [Document(
        id="story.txt", text="Police fired.\r\n", date="2017-01-02", path=path)]


def test_txt_undecodable_bytes(tmp_path):
    path = write(tmp_path / "bad.txt", b"line one\nline two \xff here\n")
    assert read(path) == [Problem(
        "input-decode", "cannot decode as UTF-8: byte 0xff at offset 18", path=path, line=2)]


def test_txt_undecodable_offset_counts_the_bom(tmp_path):
    path = write(tmp_path / "bad.txt", b"\xef\xbb\xbfab\xc3")
    assert read(path) == [Problem(
        "input-decode", "cannot decode as UTF-8: byte 0xc3 at offset 5", path=path, line=1)]


@pytest.mark.parametrize("data", [b"", b"  \n\t\n", b"\xef\xbb\xbf"])
def test_txt_empty(tmp_path, data):
    path = write(tmp_path / "e.txt", data)
    assert read(path) == [Problem("input-empty", "empty document", path=path)]


# -- jsonl


JSONL_LINES = [
    '{"id": "a", "text": "first", "date": "2017-01-02", "source": "AFP", "title": "T", "x": 1}',
    '{"text": "x" "y"}',
    '[1, 2]',
    '{"id": "m"}',
    '{"text": ""}',
    '{"text": 5}',
    '{"text": "d", "date": "2017-13-45"}',
    '{"text": "e", "date": "yesterday"}',
    '{"id": 42, "text": "int id", "date": null}',
    '{"id": 4.5, "text": "f"}',
    '{"id": true, "text": "g"}',
    '{"text": "h", "source": 3}',
    '"just a string"',
    '{"text": "last"}',
]


def test_jsonl_bad_lines_among_good_ones(tmp_path):
    path = write(tmp_path / "f.jsonl", "\n".join(JSONL_LINES) + "\n")
    assert read(path, doc_date="2020-01-01") == [
        Document(id="a", text="first", date="2017-01-02", source="AFP", title="T",
                 path=path, line=1),
        Problem("input-json", "not valid JSON: Expecting ',' delimiter (column 14)",
                path=path, line=2),
        Problem("input-json", "expected a JSON object, got a list", path=path, line=3),
        Problem("input-field", "is required", path=path, line=4, field="text"),
        Problem("input-field", "must be a non-empty string", path=path, line=5, field="text"),
        Problem("input-field", "must be a non-empty string", path=path, line=6, field="text"),
        Problem("input-date", "not a date: '2017-13-45' (expected YYYY-MM-DD)",
                path=path, line=7, field="date"),
        Problem("input-date", "not a date: 'yesterday' (expected YYYY-MM-DD)",
                path=path, line=8, field="date"),
        Document(id="42", text="int id", date="2020-01-01", path=path, line=9),
        Problem("input-field", "must be a non-empty string or an integer",
                path=path, line=10, field="id"),
        Problem("input-field", "must be a non-empty string or an integer",
                path=path, line=11, field="id"),
        Problem("input-field", "must be a string", path=path, line=12, field="source"),
        Problem("input-json", "expected a JSON object, got a string", path=path, line=13),
        Document(id="f.jsonl:14", text="last", date="2020-01-01", path=path, line=14),
    ]


@pytest.mark.parametrize("date", ["20170102", "2017-1-02", "2017-02-30", "２０１７-01-02",
                                  "2017-01-02\n", "2017-01-02T00:00"])
def test_jsonl_strict_dates(tmp_path, date):
    path = write(tmp_path / "f.jsonl", f'{{"text": "t", "date": {json.dumps(date)}}}\n')
    [problem] = read(path)
    assert problem == Problem("input-date", f"not a date: '{date}' (expected YYYY-MM-DD)",
                              path=path, line=1, field="date")


def test_jsonl_blank_lines_are_skipped_but_counted(tmp_path):
    path = write(tmp_path / "f.jsonl", b'\n  \r\n{"text": "a"}\r\n\t\n{"text": "b"}')
    assert read(path) == [
        Document(id="f.jsonl:3", text="a", path=path, line=3),
        Document(id="f.jsonl:5", text="b", path=path, line=5),
    ]


def test_jsonl_undecodable_line_does_not_lose_the_next(tmp_path):
    path = write(tmp_path / "f.jsonl",
                 b'{"text": "a"}\n{"text": "b\xe9"}\n{"text": "c"}\n')
    assert read(path) == [
        Document(id="f.jsonl:1", text="a", path=path, line=1),
        Problem("input-decode", "cannot decode as UTF-8: byte 0xe9 at offset 25",
                path=path, line=2),
        Document(id="f.jsonl:3", text="c", path=path, line=3),
    ]


def test_jsonl_bom_on_first_line(tmp_path):
    path = write(tmp_path / "f.jsonl", b'\xef\xbb\xbf{"text": "a"}\n')
    assert read(path) == [Document(id="f.jsonl:1", text="a", path=path, line=1)]


@pytest.mark.parametrize("data", [b"", b"\n \n\r\n", b"\xef\xbb\xbf\n"])
def test_jsonl_empty(tmp_path, data):
    path = write(tmp_path / "e.jsonl", data)
    assert read(path) == [Problem("input-empty", "no documents in file", path=path)]


def test_jsonl_too_deep_is_a_problem(tmp_path):
    path = write(tmp_path / "f.jsonl", "[" * 100_000 + "\n" + '{"text": "ok"}\n')
    items = read(path)
    assert items[0].code == "input-json" and items[0].line == 1
    assert items[1] == Document(id="f.jsonl:2", text="ok", path=path, line=2)


# -- csv


def test_csv_good_ragged_and_multiline_rows(tmp_path):
    data = (
        "id,text,date,source,title\n"                        # 1
        'r1,"Police fired\non protesters",2017-01-02,AFP,T\n'  # 2-3
        "r2,too,few\n"                                       # 4
        "\n"                                                 # 5
        ',"a\n\nb",,,\n'                                     # 6-8
        "r4,x,2017-01-02,s,t,extra\n"                        # 9
        "r5,bad,2017-13-45,,\n"                              # 10
        ",,,,\n"                                             # 11: blank cells, skipped
        "r6,,,,\n"                                           # 12
        "r7,last,,,"                                         # 13, no final newline
    )
    path = write(tmp_path / "f.csv", data)
    assert read(path, doc_date="2020-01-01") == [
        Document(id="r1", text="Police fired\non protesters", date="2017-01-02",
                 source="AFP", title="T", path=path, line=2),
        Problem("input-csv", "row has 3 cells, header has 5", path=path, line=4),
        Document(id="f.csv:6", text="a\n\nb", date="2020-01-01", path=path, line=6),
        Problem("input-csv", "row has 6 cells, header has 5", path=path, line=9),
        Problem("input-date", "not a date: '2017-13-45' (expected YYYY-MM-DD)",
                path=path, line=10, field="date"),
        Problem("input-field", "must be a non-empty string", path=path, line=12,
                field="text"),
        Document(id="r7", text="last", date="2020-01-01", path=path, line=13),
    ]


def test_csv_crlf_and_bom(tmp_path):
    data = b'\xef\xbb\xbftext,id\r\n"one\r\ntwo",a\r\nthree,b\r\n'
    path = write(tmp_path / "f.csv", data)
    assert read(path) == [
        Document(id="a", text="one\r\ntwo", path=path, line=2),
        Document(id="b", text="three", path=path, line=4),
    ]


def test_csv_single_cell_row(tmp_path):
    path = write(tmp_path / "f.csv", "id,text\nonly\n")
    assert read(path) == [
        Problem("input-csv", "row has 1 cell, header has 2", path=path, line=2)]


def test_csv_undecodable_row_does_not_lose_the_next(tmp_path):
    data = b'text,id\n"multi\nline \xff here",a\nfine,b\n'
    path = write(tmp_path / "f.csv", data)
    assert read(path) == [
        Problem("input-decode", "cannot decode as UTF-8: byte 0xff at offset 20",
                path=path, line=3),
        Document(id="b", text="fine", path=path, line=4),
    ]


def test_csv_without_text_column(tmp_path):
    path = write(tmp_path / "f.csv", "id,body\n1,a\n2,b\n")
    assert read(path) == [
        Problem("input-field", "column is required", path=path, line=1, field="text")]


@pytest.mark.parametrize("data", ["", "\n\n", "text,id\n", "text,id\n\n,\n"])
def test_csv_empty(tmp_path, data):
    path = write(tmp_path / "e.csv", data)
    assert read(path) == [Problem("input-empty", "no documents in file", path=path)]


def test_csv_unterminated_quote_stops_the_file(tmp_path):
    big = "x" * (16 << 20)  # cells up to 16 MiB are read: a long article is a cell
    path = write(tmp_path / "f.csv", f'text\nok\n"{big}\nmore\n')
    items = read(path)
    assert items[0] == Document(id="f.csv:2", text="ok", path=path, line=2)
    assert items[1] == Problem(
        "input-csv", "cannot read the row: field larger than field limit (16777216); "
        "the rest of the file is skipped", path=path, line=3)
    assert len(items) == 2


# -- stdin


def test_stdin_jsonl_is_sniffed():
    stdin = io.BytesIO(b'\n  {"text": "a"}\n{"id": 7, "text": "b"}\n')
    assert read("-", stdin=stdin, doc_date="2017-01-02") == [
        Document(id="-:2", text="a", date="2017-01-02", path="<stdin>", line=2),
        Document(id="7", text="b", date="2017-01-02", path="<stdin>", line=3),
    ]


def test_stdin_txt_is_sniffed():
    stdin = io.BytesIO(b"\xef\xbb\xbf\n  Police fired {on} protesters.\n")
    assert read("-", stdin=stdin) == [Document(
        id="-", text="\n  Police fired {on} protesters.\n", path="<stdin>")]


def test_stdin_empty():
    assert read("-", stdin=io.BytesIO(b"")) == [
        Problem("input-empty", "empty document", path="<stdin>")]


def test_stdin_forced_formats():
    assert read("-", stdin=io.BytesIO(b'{"text": "a"}'), input_format="txt") == [
        Document(id="-", text='{"text": "a"}', path="<stdin>")]
    assert read("-", stdin=io.BytesIO(b"text\nhello\n"), input_format="csv") == [
        Document(id="-:2", text="hello", path="<stdin>", line=2)]


# -- paths and formats


def test_nonexistent_path(tmp_path):
    missing = str(tmp_path / "nope")
    assert read(missing) == [Problem("input-io", "no such file or directory", path=missing)]


def test_unknown_suffix_single_file(tmp_path):
    path = write(tmp_path / "story.xyz", "text")
    assert read(path) == [Problem(
        "input-format",
        "cannot tell the input format from the suffix '.xyz'; use --input-format txt|jsonl|csv|xml",
        path=path)]
    assert read(path, input_format="txt") == [Document(id="story.xyz", text="text", path=path)]


def test_no_suffix_single_file(tmp_path):
    path = write(tmp_path / "README", "text")
    assert read(path) == [Problem(
        "input-format",
        "cannot tell the input format of a file without a suffix; "
        "use --input-format txt|jsonl|csv|xml", path=path)]


def test_suffix_is_case_insensitive(tmp_path):
    path = write(tmp_path / "A.TXT", "text")
    assert read(path) == [Document(id="A.TXT", text="text", path=path)]


def test_bad_input_format_raises_at_once(tmp_path):
    with pytest.raises(UsageError) as info:
        read_corpus(str(tmp_path / "nope"), input_format="yaml")  # not iterated
    assert info.value.problems == [Problem(
        "usage", "unknown input format 'yaml' (expected txt, jsonl, csv or xml)",
        field="--input-format")]
    assert INPUT_FORMATS == ("txt", "jsonl", "csv", "xml")


# -- streaming


def test_jsonl_is_streamed(tmp_path):
    path = tmp_path / "big.jsonl"
    with open(path, "w") as f:
        for i in range(200_000):
            f.write(f'{{"id": {i}, "text": "Police fired on protesters in Cairo."}}\n')
    assert path.stat().st_size > 10_000_000

    tracemalloc.start()
    try:
        started = time.perf_counter()
        items = read_corpus(str(path))
        assert inspect.isgenerator(items)
        first = list(itertools.islice(items, 1))
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        items.close()
    finally:
        tracemalloc.stop()
    assert first == [Document(id="0", text="Police fired on protesters in Cairo.",
                              path=str(path), line=1)]
    assert peak < 1_000_000
    assert elapsed < 1.0


def test_csv_memory_does_not_grow(tmp_path):
    path = tmp_path / "big.csv"
    with open(path, "w") as f:
        f.write("id,text\n")
        for i in range(20_000):
            f.write(f'{i},"Police fired\non protesters.{" " * 200}"\n')
    assert path.stat().st_size > 4_000_000

    tracemalloc.start()
    try:
        [last] = deque(read_corpus(str(path)), maxlen=1)  # streamed: one document kept at a time
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert last == Document(id="19999", text="Police fired\non protesters." + " " * 200,
                            path=str(path), line=2 + 2 * 19_999)
    assert peak < 1_000_000


# -- UTF-16 and UTF-32 with a byte order mark (issue 19, item 11)

WIDE = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff", "utf-32-le": b"\xff\xfe\x00\x00",
        "utf-32-be": b"\x00\x00\xfe\xff"}
TEXTS = {
    "txt": "Iraqi forces captured Rawa.\nCafé in Mosul: 😀\n",
    "jsonl": '{"id": "a", "text": "Iraqi forces captured Rawa."}\n\n{"id": "b", "text": "Café 😀"}\n[1]\n',
    "csv": 'id,text\na,"Iraqi forces\ncaptured Rawa."\nb,Café 😀\nc\n',
}


def _view(items):
    return [(d.id, d.text, d.line) if isinstance(d, Document) else (p := d, p.line, p.code)[1:] for d in items]


@pytest.mark.parametrize("codec", list(WIDE))
@pytest.mark.parametrize("fmt", list(TEXTS))
def test_a_byte_order_mark_of_utf16_or_utf32_says_how_to_decode_the_file(tmp_path, fmt, codec):
    """It was refused ("coder reads UTF-8 only") although the mark says
    exactly how to decode it: the documents, line numbers and problems are
    those of the same file in UTF-8."""
    utf8 = read(write(tmp_path / f"u8.{fmt}", TEXTS[fmt]))
    wide = read(write(tmp_path / f"w.{fmt}", WIDE[codec] + TEXTS[fmt].encode(codec)))
    assert _view(wide) == [
        (d.id.replace("u8.", "w."), d.text, d.line) if isinstance(d, Document) else (d.line, d.code) for d in utf8]
    assert any(isinstance(d, Document) and "😀" in d.text for d in wide)


def test_utf16_through_gzip_and_standard_input(tmp_path):
    import gzip

    data = WIDE["utf-16-le"] + TEXTS["jsonl"].encode("utf-16-le")
    gz = read(write(tmp_path / "w.jsonl.gz", gzip.compress(data)))
    assert [d.id for d in gz if isinstance(d, Document)] == ["a", "b"]
    stdin = list(read_corpus("-", stdin=io.BytesIO(data)))
    assert [d.id for d in stdin if isinstance(d, Document)] == ["a", "b"]


def test_bytes_that_break_the_encoding_the_mark_says_are_one_problem(tmp_path):
    """A lone surrogate in UTF-16: the documents before are kept, the rest of
    the file is skipped, and the problem says where."""
    good = '{"id": "a", "text": "Iraqi forces captured Rawa."}\n'.encode("utf-16-le")
    path = write(tmp_path / "w.jsonl", b"\xff\xfe" + good + good + "x".encode("utf-16-le") + b"\x00\xd8" +
                 "y\n".encode("utf-16-le"))
    items = read(path)
    assert [d.id for d in items[:-1]] == ["a", "a"]
    assert str(items[-1]) == (f"{path}:3: cannot decode as UTF-16-LE (its byte order mark says so): bytes "
                              f"00 d8 at offset {2 + 2 * len(good) + 2}; the rest of the file is skipped")


# -- quotes in CSV (issue 19, item 15)


def test_a_quote_not_closed_is_one_problem_and_the_next_rows_are_read(tmp_path):
    """A lenient reader merged the rows up to the next quote into one
    document, without a word."""
    path = write(tmp_path / "q.csv", 'id,text\n1,"Iraqi forces captured Rawa.\n2,"Islamic State took Mosul."\n'
                                     '3,"Iraqi forces captured Mosul."\n4,"The town ""fell""."\n')
    items = read(path)
    assert [(d.id, d.text) for d in items if isinstance(d, Document)] == [
        ("3", "Iraqi forces captured Mosul."), ("4", 'The town "fell".')]
    [problem] = [p for p in items if isinstance(p, Problem)]
    assert str(problem) == (f"{path}:2: a quoted cell ends before its cell does (a stray quote, or one not closed): "
                            "the row is skipped (lines 2-3)")
    assert problem.raw == '1,"Iraqi forces captured Rawa.\n2,"Islamic State took Mosul."\n'


def test_a_quote_not_closed_before_the_end_is_one_problem_for_the_rest(tmp_path):
    path = write(tmp_path / "q.csv", 'id,text\n1,Iraqi forces captured Rawa.\n2,"Islamic State took Mosul.\n'
                                     '3,Iraqi forces captured Mosul.\n4,The town fell.\n')
    items = read(path)
    assert items[0] == Document(id="1", text="Iraqi forces captured Rawa.", path=path, line=2)
    assert [str(p) for p in items[1:]] == [
        f"{path}:3: a quote opened in the row on line 3 is not closed before the end of the file: the rest of the "
        "file (lines 3-5) is skipped"]


def test_cells_over_several_lines_and_doubled_quotes_still_read(tmp_path):
    path = write(tmp_path / "q.csv", 'id,text\n1,"Iraqi forces\ncaptured ""Rawa"",\nyesterday."\n2,x\n')
    assert [(d.id, d.text, d.line) for d in read(path)] == [
        ("1", 'Iraqi forces\ncaptured "Rawa",\nyesterday.', 2), ("2", "x", 5)]
