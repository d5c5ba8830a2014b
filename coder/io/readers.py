"""Read a corpus: text, JSONL, CSV and PETRARCH XML files (each possibly
gzip-compressed), a directory tree of them, or stdin.

:func:`read_corpus` streams.  It yields one :class:`Document` at a time, or a
:class:`Problem` for each document or file that cannot be read, and holds no
more than one document (a text file, a JSONL line, a CSV row) in memory.

Where a problem happened is told by ``path`` (the corpus path as the user gave
it, joined with the file's path inside it; ``<stdin>`` for stdin) and ``line``
(1-based).  Byte offsets in decode messages are 0-based offsets into the file.
"""

from __future__ import annotations

import csv
import datetime
import gzip
import io
import json
import os
import re
import stat
import sys
import zlib
from collections.abc import Iterator
from typing import BinaryIO

from coder.errors import Problem, UsageError
from coder.text.document import Document

INPUT_FORMATS = ("txt", "jsonl", "csv", "xml")

STDIN_PATH = "<stdin>"
_STDIN_ID = "-"
_SUFFIXES = {"." + fmt: fmt for fmt in INPUT_FORMATS}
_BOM = b"\xef\xbb\xbf"
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# The csv module refuses cells over 128 KB by default, and with them the rest
# of the file: a long article is a legitimate cell.  Size is limited per
# document (--max-doc-bytes) instead; a cell over 16 MiB (three times the
# default document limit) is an unterminated quote and still stops the file.
_CSV_FIELD_LIMIT = 16 << 20
csv.field_size_limit(max(csv.field_size_limit(), _CSV_FIELD_LIMIT))
_JSON_KINDS = {list: "a list", str: "a string", int: "a number", float: "a number",
               bool: "a boolean", type(None): "null"}


def read_corpus(corpus: str, *, doc_date: str | None = None,
                input_format: str | None = None,
                stdin: BinaryIO | None = None,
                max_doc_bytes: int | None = None) -> Iterator[Document | Problem]:
    """Yield the documents of ``corpus``, and a problem for each one that cannot be read.

    ``corpus`` is a file, a directory (walked recursively in sorted order of
    relative path, skipping entries whose name starts with ".") or "-" for
    ``stdin`` (default ``sys.stdin.buffer``).  ``input_format`` forces the
    format of every file; without it the suffix decides (files with other
    suffixes are ignored in a directory) and stdin is sniffed.  ``doc_date``
    is the date of documents that do not give their own.

    ``max_doc_bytes`` bounds what is read into memory at once (the size
    check of each document is the coder's, :func:`coder.pipeline.code_corpus`):
    a text file over it is not read but yielded as an "input-too-large"
    problem, and a JSONL or CSV line (or a PETRARCH ``<Sentence>``) over
    :func:`line_limit` stops its file with one (a gzip bomb cannot fill the
    memory).

    Raises :class:`UsageError` at once for an unknown ``input_format``;
    everything else that goes wrong is yielded as a :class:`Problem`.
    """
    if input_format is not None and input_format not in INPUT_FORMATS:
        raise UsageError(Problem(
            "usage", f"unknown input format '{input_format}' (expected txt, jsonl, csv or xml)",
            field="--input-format"))
    return _read_corpus(corpus, doc_date, input_format, stdin, max_doc_bytes)


def _read_corpus(corpus, doc_date, fmt, stdin, max_bytes=None):
    """The generator behind :func:`read_corpus`."""
    if corpus == "-":
        yield from _read_stdin(stdin, doc_date, fmt, max_bytes)
        return
    try:
        is_dir = stat.S_ISDIR(os.stat(corpus).st_mode)
    except FileNotFoundError:
        yield Problem("input-io", "no such file or directory", path=corpus)
        return
    except OSError as e:
        yield _io_problem(corpus, e)
        return
    if is_dir:
        root = os.path.realpath(corpus)
        for item in _walk(corpus, "", frozenset(), root):
            if isinstance(item, Problem):
                yield item
                continue
            path, rel = item
            file_fmt = fmt or _format_of(rel)
            if file_fmt and not _inside(path, root):
                yield _outside(path)
            elif file_fmt:
                yield from _read_file(path, rel, file_fmt, doc_date, max_bytes)
        return
    name = os.path.basename(corpus)
    suffix = os.path.splitext(name)[1]
    file_fmt = fmt or _format_of(name)
    if file_fmt:
        yield from _read_file(corpus, name, file_fmt, doc_date, max_bytes)
    elif suffix:
        yield Problem("input-format", f"cannot tell the input format from the suffix "
                      f"'{suffix}'; use --input-format txt|jsonl|csv|xml", path=corpus)
    else:
        yield Problem("input-format", "cannot tell the input format of a file without "
                      "a suffix; use --input-format txt|jsonl|csv|xml", path=corpus)


def input_files(corpus: str, input_format: str | None = None) -> Iterator[str]:
    """The paths of the files :func:`read_corpus` would read from ``corpus``
    (the same walk, the same suffix rule, links out of the corpus left out);
    nothing for ``-`` (standard input).  Nothing is opened."""
    if corpus == "-":
        return
    try:
        is_dir = stat.S_ISDIR(os.stat(corpus).st_mode)
    except OSError:
        return
    if not is_dir:
        yield corpus
        return
    root = os.path.realpath(corpus)
    for item in _walk(corpus, "", frozenset(), root):
        if not isinstance(item, Problem):
            path, rel = item
            if (input_format or _format_of(rel)) and _inside(path, root):
                yield path


def _walk(top: str, rel: str, ancestors: frozenset, root: str) -> Iterator[tuple[str, str] | Problem]:
    """Yield ``(path, relative POSIX path)`` of each non-directory under ``top``.

    Order is that of the sorted relative paths: a directory sorts as its name
    plus "/".  Hidden entries are skipped; symbolic links are followed, but a
    link back to a directory being walked is reported, not walked again, and
    a link to a directory outside ``root`` (the real path of the corpus) is
    reported and not walked at all.
    """
    try:
        st = os.stat(top)
        if (st.st_dev, st.st_ino) in ancestors:
            yield Problem("input-io", "cannot open: symbolic link loop", path=top)
            return
        ancestors |= {(st.st_dev, st.st_ino)}
        with os.scandir(top) as it:
            entries = [(e.name + "/" if _is_dir(e) else e.name, e.name)
                       for e in it if not e.name.startswith(".")]
    except OSError as e:
        yield _io_problem(top, e)
        return
    for key, name in sorted(entries):
        path = os.path.join(top, name)
        if key.endswith("/") and not _inside(path, root):
            yield _outside(path)
        elif key.endswith("/"):
            yield from _walk(path, rel + key, ancestors, root)
        else:
            yield path, rel + name


def _is_dir(entry: os.DirEntry) -> bool:
    """Whether a directory entry is (or links to) a directory."""
    try:
        return entry.is_dir()
    except OSError:
        return False


def _inside(path: str, root: str) -> bool:
    """Whether ``path``, all symbolic links resolved, is ``root`` or under it."""
    real = os.path.realpath(path)
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


def _outside(path: str) -> Problem:
    return Problem("input-link", "symbolic link to outside the corpus directory: not followed",
                   path=path)


def _suffix(name: str) -> str:
    """The lower-cased suffix of a file name ("" if none)."""
    return os.path.splitext(name)[1].lower()


def _format_of(name: str) -> str | None:
    """The input format told by a file name's suffix, looking through a final
    ``.gz`` (``news.jsonl.gz`` is JSONL); None if the suffix tells none."""
    if _suffix(name) == ".gz":
        name = name[:-3]
    return _SUFFIXES.get(_suffix(name))


class GzipError(OSError):
    """A gzip-compressed input file is corrupt or cut short."""


class _GzipReader(io.RawIOBase):
    """The decompressed bytes of a gzip file, with the gzip module's several
    kinds of failure (``BadGzipFile``, ``EOFError``, ``zlib.error``) raised as
    one :class:`GzipError` that says what went wrong."""

    def __init__(self, raw: BinaryIO):
        self._gzip = gzip.GzipFile(fileobj=raw, mode="rb")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        try:
            data = self._gzip.read1(len(buffer))
        except gzip.BadGzipFile as e:
            if str(e).startswith("Not a gzipped file"):
                raise GzipError("not a gzip file (it does not start with the gzip "
                                "magic bytes)") from e
            raise GzipError(f"corrupt gzip data: {e}") from e
        except EOFError as e:
            raise GzipError("gzip data is cut short (the file ends before the end "
                            "of the compressed stream)") from e
        except zlib.error as e:
            raise GzipError(f"corrupt gzip data: {e}") from e
        buffer[:len(data)] = data
        return len(data)

    def close(self) -> None:
        self._gzip.close()
        super().close()


#: Byte order marks of UTF-32 and UTF-16 (UTF-32's first: FF FE 00 00 starts
#: with UTF-16's FF FE) and the codec each says.
_WIDE_BOMS = ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
              (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def _bom_codec(head: bytes) -> tuple[str, int] | None:
    """(codec, length of the mark) for a UTF-16 or UTF-32 byte order mark at
    the start of ``head`` (its first 4 bytes), else None."""
    for bom, codec in _WIDE_BOMS:
        if head.startswith(bom):
            return codec, len(bom)
    return None


class TranscodeError(OSError):
    """A file with a UTF-16 or UTF-32 byte order mark holds bytes that are not
    text in that encoding."""

    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.line = line


class _Transcoder(io.RawIOBase):
    """The text of a UTF-16 or UTF-32 stream, as UTF-8 bytes (the mark left out)."""

    def __init__(self, raw: BinaryIO, head: bytes, codec: tuple[str, int]):
        import codecs

        self.raw, self.name = raw, codec[0]
        self.decoder = codecs.getincrementaldecoder(self.name)("strict")
        self.pending = head[codec[1]:]  # bytes of the text already read with the mark
        self.offset = codec[1]  # of the next byte to decode, in the file
        self.out = b""
        self.lines = 1  # of the text decoded so far
        self.done = False
        self.error: TranscodeError | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self.out and not self.done:
            if self.error is not None:
                raise self.error
            data = self.pending + self.raw.read(1 << 16)
            self.pending = b""
            try:
                text = self.decoder.decode(data, final=not data)
            except UnicodeDecodeError as e:
                # the text before the bad bytes is handed on first: its documents are whole
                seen = bytes(e.object)  # the bytes the decoder held from before, then ``data``
                start = self.offset - (len(seen) - len(data))  # where ``seen`` starts in the file
                self.error = TranscodeError(
                    f"cannot decode as {self.name.upper()} (its byte order mark says so): bytes "
                    f"{seen[e.start:e.end].hex(' ')} at offset {start + e.start}",
                    self.lines + self.decoder_lines(seen, e.start))
                step = 4 if "32" in self.name else 2
                text = seen[: e.start - e.start % step].decode(self.name, "ignore")
            self.offset += len(data)
            self.lines += text.count("\n")
            self.out = text.encode("utf-8")
            self.done = not data and self.error is None
        n = min(len(buffer), len(self.out))
        buffer[:n] = self.out[:n]
        self.out = self.out[n:]
        return n

    def decoder_lines(self, data: bytes, end: int) -> int:
        """Line ends in the part of ``data`` that decodes (for the problem's line)."""
        import codecs

        step = 4 if "32" in self.name else 2
        return codecs.decode(data[: end - end % step], self.name, "ignore").count("\n")


def _transcoded(raw: BinaryIO, head: bytes, codec: tuple[str, int]) -> BinaryIO:
    """A buffered binary stream of the UTF-8 text of a UTF-16/32 file."""
    return io.BufferedReader(_Transcoder(raw, head, codec), buffer_size=1 << 16)


def _gunzip(raw: BinaryIO) -> BinaryIO:
    """A buffered binary stream of the decompressed content of the gzip file ``raw``."""
    return io.BufferedReader(_GzipReader(raw), buffer_size=1 << 16)


def _io_problem(path: str, e: OSError, verb: str = "open") -> Problem:
    """An "input-io" problem for an OSError."""
    return Problem("input-io", f"cannot {verb}: {e.strerror or e}", path=path)


def _read_file(path: str, rel: str, fmt: str, doc_date, max_bytes=None):
    """Yield the documents of one file in format ``fmt`` (problems if it cannot be read)."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # a FIFO would block open()
            yield Problem("input-io", "cannot open: not a regular file", path=path)
            return
        f = open(path, "rb")
    except OSError as e:
        yield _io_problem(path, e)
        return
    with f:
        try:
            if _suffix(path) == ".gz":
                f = _gunzip(f)
            f = _capped(f, fmt, max_bytes)
            head = f.read(4)
            if fmt != "xml" and (codec := _bom_codec(head)) is not None:  # XML says its encoding itself
                # the byte order mark says how to decode it: read on as UTF-8
                f = _capped(_transcoded(getattr(f, "f", f), head, codec), fmt, max_bytes)
                head = b""
            if fmt == "xml":
                yield from _read_xml(f, head, path, rel, doc_date, max_bytes)
            else:
                yield from _READERS[fmt](f, head, path, rel, doc_date)
        except GzipError as e:
            yield Problem("input-gzip", f"{e}; the rest of the file is skipped", path=path)
        except TranscodeError as e:
            yield Problem("input-decode", f"{e}; the rest of the file is skipped", path=path, line=e.line)
        except TooLarge as e:
            yield Problem("input-too-large", str(e), path=path, line=e.line)
        except OSError as e:
            yield _io_problem(path, e, "read")


class TooLarge(OSError):
    """A text file over the document size limit, or a line over :func:`line_limit`."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


def line_limit(max_doc_bytes: int) -> int:
    """The longest JSONL or CSV line read: room for a document of
    ``max_doc_bytes`` written with JSON escapes, and at least 64 MiB."""
    return max(64 << 20, 8 * max_doc_bytes)


class _Capped:
    """A binary file whose reads stop at a size: a whole read (a text file is
    one document) at ``limit`` bytes, a line at ``line_limit`` bytes."""

    def __init__(self, f: BinaryIO, max_bytes: int):
        self.f, self.max_bytes = f, max_bytes
        self.limit = max_bytes + len(_BOM) + 1  # room for a BOM: the coder checks the text exactly
        self.line_cap = line_limit(max_bytes)
        self.lines = 0  # complete lines handed out so far

    def read(self, size: int | None = -1) -> bytes:
        if size is not None and size >= 0:
            data = self.f.read(size)
        else:
            data = self.f.read(self.limit + 1)
            if len(data) > self.limit:
                raise TooLarge(f"document is more than --max-doc-bytes {self.max_bytes:,} "
                               "bytes; the file is not read further")
        self.lines += data.count(b"\n")
        return data

    def readline(self, size: int | None = -1) -> bytes:
        line = self.f.readline(self.line_cap + 1)
        if len(line) > self.line_cap:
            raise TooLarge(f"line is over {self.line_cap:,} bytes, more than a document "
                           "within --max-doc-bytes can take; the rest of the file is skipped",
                           self.lines + 1)
        if line.endswith(b"\n"):
            self.lines += 1
        return line

    def __iter__(self):
        while line := self.readline():
            yield line


def _capped(f: BinaryIO, fmt: str, max_bytes: int | None):
    """``f`` with its reads bounded by ``max_bytes`` (XML: lxml has its own limits)."""
    return f if max_bytes is None or fmt == "xml" else _Capped(f, max_bytes)


def _read_stdin(f: BinaryIO | None, doc_date, fmt, max_bytes=None):
    """Yield the documents read from stdin, sniffing the format if not given.

    Sniffing reads up to the first non-blank byte: "{" means JSONL, anything
    else text.  The bytes read are handed on to the reader as ``head``.
    """
    if f is None:
        f = getattr(sys.stdin, "buffer", None)
        if f is None:
            yield Problem("input-io", "cannot open: there is no standard input", path=STDIN_PATH)
            return
    head = b""
    try:
        if fmt != "xml":  # a byte order mark of UTF-16 or UTF-32 says how to decode the rest
            read = getattr(f, "read1", f.read)
            while len(head) < 4 and (chunk := read(4 - len(head))):
                head += chunk
            if (codec := _bom_codec(head)) is not None:
                f, head = _transcoded(f, head, codec), b""
        if fmt is None:
            read = getattr(f, "read1", f.read)
            while not head.removeprefix(_BOM).strip():
                chunk = read(65536)
                if not chunk:
                    break
                head += chunk
            fmt = "jsonl" if head.removeprefix(_BOM).lstrip()[:1] == b"{" else "txt"
        if fmt == "xml":
            yield from _read_xml(f, head, STDIN_PATH, _STDIN_ID, doc_date, max_bytes)
        else:
            yield from _READERS[fmt](_capped(f, fmt, max_bytes), head, STDIN_PATH, _STDIN_ID, doc_date)
    except TooLarge as e:
        yield Problem("input-too-large", str(e), path=STDIN_PATH, line=e.line)
    except TranscodeError as e:
        yield Problem("input-decode", f"{e}; the rest of the input is skipped", path=STDIN_PATH, line=e.line)
    except OSError as e:
        yield _io_problem(STDIN_PATH, e, "read")


# -- readers: (binary file, bytes already read from it, display path,
#    relative path or id base, doc_date) -> documents and problems

def _read_txt(f: BinaryIO, head: bytes, path: str, rel: str, doc_date):
    """Yield the one document of a text file."""
    data = head + f.read()
    bom = len(_BOM) if data.startswith(_BOM) else 0
    text = _decode(data[bom:], path, 1, bom)
    if isinstance(text, Problem):
        yield text
    elif not text.strip():
        yield Problem("input-empty", "empty document", path=path)
    else:
        yield Document(id=rel, text=text, date=doc_date, path=path)


def _read_jsonl(f: BinaryIO, head: bytes, path: str, rel: str, doc_date):
    """Yield one document (or problem) per non-blank line of a JSONL file."""
    found = False
    for n, raw, offset in _numbered(_lines(head, f)):
        text = _decode(raw, path, n, offset)
        if isinstance(text, Problem):
            found = True
            yield text
        elif text.strip():
            found = True
            yield _json_document(text, path, n, f"{rel}:{n}", doc_date)
    if not found:
        yield Problem("input-empty", "no documents in file", path=path)


def _json_document(text: str, path: str, line: int, default_id: str, doc_date):
    """The document of one JSONL line, or the problem with it."""
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as e:
        return Problem("input-json", f"not valid JSON: {e.msg} (column {e.colno})",
                       path=path, line=line, raw=text)
    except (ValueError, RecursionError) as e:  # e.g. too many digits, too deep
        return Problem("input-json", f"not valid JSON: {e}", path=path, line=line, raw=text)
    if not isinstance(obj, dict):
        return Problem("input-json", f"expected a JSON object, got {_JSON_KINDS[type(obj)]}",
                       path=path, line=line, raw=text)
    return _document(obj, path, line, default_id, doc_date)


def _read_csv(f: BinaryIO, head: bytes, path: str, rel: str, doc_date):
    """Yield one document (or problem) per data row of a CSV file with a header row.

    The csv module reads from :class:`_CsvLines`, which hands it one physical
    line at a time, so after each row ``reader.line_num`` is the row's last
    line and the row started on the line after the previous row's last.
    Lines that are not UTF-8 are passed on with replacement characters and
    their row is reported instead of read.  Rows of blank cells are skipped.

    Quotes are read strictly: a quoted cell that ends before its cell does
    (``"a"b``, or a quote opened and never closed, whose cell then swallows
    the next rows up to the next quote) makes its row one problem, and the
    reading goes on after it; a quote never closed before the end of the
    file is one problem for the rest of the file.  (A lenient reader, as
    the csv module is by default, merged the rows into one document without
    a word.)
    """
    bad: list[Problem] = []
    lines = _CsvLines(f, head, path, bad)
    reader = csv.reader(lines, strict=True)
    header: list[str] | None = None
    found = False
    end = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            start, end = end + 1, reader.line_num
            raw, size = lines.take()
            found = True
            if size > _CSV_FIELD_LIMIT:  # a cell over csv.field_size_limit(): an unterminated quote, surely
                yield Problem("input-csv", f"cannot read the row: {e}; the rest of the file is skipped",
                              path=path, line=start)
                return
            if lines.ended:
                yield Problem("input-csv", f"a quote opened in the row on line {start} is not closed before the "
                              f"end of the file: the rest of the file (lines {start}-{end}) is skipped",
                              path=path, line=start, raw=raw)
                return
            yield Problem("input-csv", "a quoted cell ends before its cell does (a stray quote, or one not "
                          f"closed): the row is skipped (lines {start}-{end})", path=path, line=start, raw=raw)
            bad.clear()
            if header is None:  # cannot tell the columns
                return
            continue
        lines.take()
        start, end = end + 1, reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if bad:
            yield bad[0]
            bad.clear()
            found = True
            if header is None:  # cannot tell the columns
                return
        elif header is None:
            header = [cell.strip() for cell in row]
            if "text" not in header:
                yield Problem("input-field", "column is required", path=path,
                              line=start, field="text")
                return
        elif len(row) != len(header):
            found = True
            yield Problem("input-csv", f"row has {_cells(len(row))}, header has "
                          f"{len(header)}", path=path, line=start, raw=row)
        else:
            found = True
            fields = {k: v for k, v in zip(header, row, strict=False) if k == "text" or v.strip()}
            yield _document(fields, path, start, f"{rel}:{start}", doc_date)
    if not found:
        yield Problem("input-empty", "no documents in file", path=path)


def _cells(n: int) -> str:
    """'1 cell', '3 cells'."""
    return f"{n} cell" if n == 1 else f"{n} cells"


class _CsvLines:
    """The physical lines of a CSV file, decoded one by one, for the csv module.

    Lines end at "\\n", "\\r\\n" or "\\r", as for ``open(newline="")``.  A line
    that is not UTF-8 is appended to ``bad`` as a problem and decoded with
    replacement characters.  The lines handed out since the last
    :meth:`take` are kept (the text of a row the csv module refuses, for the
    rejects file), with their size; ``ended`` says the file has no more.
    """

    def __init__(self, f: BinaryIO, head: bytes, path: str, bad: list[Problem]):
        pieces = (piece for raw in _lines(head, f) for piece in raw.splitlines(keepends=True))
        self.numbered = _numbered(pieces)
        self.path, self.bad = path, bad
        self.row: list[str] = []
        self.size = 0
        self.ended = False

    def __iter__(self):
        return self

    def __next__(self) -> str:
        try:
            n, raw, offset = next(self.numbered)
        except StopIteration:
            self.ended = True
            raise
        text = _decode(raw, self.path, n, offset)
        if isinstance(text, Problem):
            self.bad.append(text)
            text = raw.decode("utf-8", "replace")
        if self.size <= _CSV_FIELD_LIMIT:  # beyond, the row is refused anyway
            self.row.append(text)
        self.size += len(text)
        return text

    def take(self) -> tuple[str, int]:
        """The text of the lines since the last call, and its size; forget them."""
        row, size = "".join(self.row), self.size
        self.row, self.size = [], 0
        return row, size


# -- helpers


def _lines(head: bytes, f: BinaryIO) -> Iterator[bytes]:
    """The lines of ``head`` followed by the rest of ``f``, each ending after b"\\n"."""
    *complete, head = head.split(b"\n")
    for line in complete:
        yield line + b"\n"
    for line in f:
        yield head + line
        head = b""
    if head:
        yield head


def _numbered(lines) -> Iterator[tuple[int, bytes, int]]:
    """Yield ``(line number, line, byte offset)``, with a BOM cut off the first line."""
    offset = 0
    for n, raw in enumerate(lines, 1):
        start, offset = offset, offset + len(raw)
        if n == 1 and raw.startswith(_BOM):
            raw, start = raw[len(_BOM):], start + len(_BOM)
        yield n, raw, start


def _decode(data: bytes, path: str, line: int, offset: int) -> str | Problem:
    """Decode strict UTF-8 bytes that start at ``line`` and byte ``offset`` of a file.

    Bytes that decode but are a quarter or more NUL (in their first 4 KB) are
    refused too: that is UTF-16 or UTF-32 without a byte order mark (or a
    binary file), which would read as letters with spaces between them.
    """
    try:
        text = data.decode("utf-8")
        head = min(len(data), 4096)
        if head >= 8 and data.count(b"\0", 0, head) * 4 >= head:
            return Problem("input-decode", "looks like UTF-16 or UTF-32 without a byte order "
                           "mark, or binary data (a quarter of the bytes are NUL): coder reads "
                           "UTF-8 only", path=path, line=line, raw=data)
        return text
    except UnicodeDecodeError as e:
        return Problem("input-decode", f"cannot decode as UTF-8: byte 0x{data[e.start]:02x} "
                       f"at offset {offset + e.start}", path=path,
                       line=line + data.count(b"\n", 0, e.start), raw=data)


def _document(fields: dict, path: str, line: int, default_id: str, doc_date):
    """A document from the fields of a JSONL object or CSV row, or the problem with them.

    ``None`` (JSON null) in an optional field counts as absent.
    """
    def bad(field, message, code="input-field"):
        return Problem(code, message, path=path, line=line, field=field, raw=fields)

    if "text" not in fields:
        return bad("text", "is required")
    text = fields["text"]
    if not isinstance(text, str) or not text.strip():
        return bad("text", "must be a non-empty string")
    doc_id = fields.get("id")
    if doc_id is None:
        doc_id = default_id
    elif isinstance(doc_id, int) and not isinstance(doc_id, bool):
        doc_id = str(doc_id)
    elif not isinstance(doc_id, str) or not doc_id:
        return bad("id", "must be a non-empty string or an integer")
    date = fields.get("date")
    if date is None:
        date = doc_date
    elif not _is_date(date):
        return bad("date", f"not a date: '{date}' (expected YYYY-MM-DD)", "input-date")
    for name in ("source", "title"):
        if not isinstance(fields.get(name, ""), str | None):
            return bad(name, "must be a string")
    return Document(id=doc_id, text=text, date=date, source=fields.get("source") or "",
                    title=fields.get("title") or "", path=path, line=line)


def _is_date(value) -> bool:
    """Whether ``value`` is a real calendar date written YYYY-MM-DD."""
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        return False
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _read_xml(f, head, path, rel, doc_date, max_bytes=None):
    from coder.io.petrarch import (
        read_petrarch,  # here: lxml is imported only to read XML
    )

    return read_petrarch(f, head, path, rel, doc_date, max_bytes)


_READERS = {"txt": _read_txt, "jsonl": _read_jsonl, "csv": _read_csv, "xml": _read_xml}
