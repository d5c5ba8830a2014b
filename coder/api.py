"""The Python API: load a codebook, code documents, read corpora, write records.

::

    import coder

    codebook = coder.load_codebook()                 # the shipped one, or a path
    for record in codebook.code(["Iraqi forces recaptured Rawa on Friday."]):
        print(record.event_type, record.actor1, record.location)

    docs = coder.read_corpus("samples/")             # Document objects
    coder.write(codebook.code(docs), "events.csv")   # validated, atomic

    import petl
    table = petl.fromdicts([{"id": "a", "text": "...", "date": "2017-11-03"}])
    events = coder.code_table(table, codebook)       # a petl table of records

Everything streams: ``code`` and ``code_table`` yield records one document at a
time, so memory does not grow with the corpus.  docs/api.md documents it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from coder.codebook.model import Codebook as CodebookModel
from coder.errors import Problem, UsageError
from coder.events.record import FIELDS, Record
from coder.io.readers import read_corpus as _read_corpus
from coder.io.writers import format_for, open_writer
from coder.match.compile import Compiled, compile_codebook
from coder.pipeline import code_document
from coder.text.document import Document

__all__ = ["Codebook", "Document", "Record", "code", "code_table", "load_codebook", "read_corpus", "write"]


class Codebook:
    """A loaded, checked and compiled codebook: what :func:`load_codebook`
    returns.  Its attributes are those of the codebook model
    (:class:`coder.codebook.model.Codebook`: ``name``, ``version``,
    ``rules``...); :meth:`code` codes documents with it."""

    __slots__ = ("compiled",)

    def __init__(self, compiled: Compiled):
        self.compiled = compiled

    @property
    def model(self) -> CodebookModel:
        """The codebook as data (:class:`coder.codebook.model.Codebook`)."""
        return self.compiled.codebook

    def __getattr__(self, name: str):
        if name == "compiled" or name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.compiled.codebook, name)

    def __repr__(self) -> str:
        return f"<coder.Codebook {self.model.name} {self.model.version}>"

    def code(self, documents: Iterable[Document | str | dict]) -> Iterator[Record]:
        """Code documents (Document objects, strings or dicts) with this
        codebook, yielding records: see :func:`code`."""
        return code(documents, self)


def load_codebook(path: str | Path | None = None) -> Codebook:
    """Load and check a codebook (the shipped ``codebooks/default.yaml`` when
    ``path`` is None).  Raises :class:`coder.errors.CodebookError` listing every
    problem.  The codebook's :meth:`Codebook.code` codes documents."""
    from coder.codebook.files import check_codebook_file
    from coder.match.cache import load_compiled

    check_codebook_file(path)  # before the cache reads it: not /dev/zero, not 10 GB
    return Codebook(load_compiled(path))


def _compiled(codebook: Codebook | CodebookModel) -> Compiled:
    """The compiled form of an API codebook, or of a codebook model (compiled
    on first use and kept with it)."""
    if isinstance(codebook, Codebook):
        return codebook.compiled
    compiled = getattr(codebook, "_compiled", None)
    if compiled is None:
        compiled = compile_codebook(codebook)
        codebook._compiled = compiled
    return compiled


def _document(item, n: int) -> Document:
    if isinstance(item, Document):
        return item
    if isinstance(item, str):
        return Document(f"doc-{n}", item)
    if isinstance(item, dict):
        if not isinstance(item.get("text"), str):
            raise UsageError(Problem("usage", f"document {n} has no 'text' string", field="text"))
        return Document(str(item.get("id", f"doc-{n}")), item["text"], item.get("date") or None,
                        item.get("source") or "", item.get("title") or "")
    raise UsageError(Problem("usage", f"document {n} is a {type(item).__name__}: give a Document, a str or a dict"))


def code(
    documents: Iterable[Document | str | dict], codebook: Codebook | CodebookModel | None = None
) -> Iterator[Record]:
    """Code documents into records, one document at a time.

    ``documents`` are :class:`Document` objects, plain strings (ids
    ``doc-1``, ``doc-2`` ...) or dicts with ``text`` and optional ``id``,
    ``date`` (YYYY-MM-DD), ``source``, ``title``.  The codebook (default: the
    shipped one) is compiled once and kept with it.
    """
    compiled = _compiled(codebook if codebook is not None else _default())
    for n, item in enumerate(documents, 1):
        records, _ = code_document(compiled, _document(item, n))
        yield from records


_DEFAULT: list[Codebook] = []


def _default() -> Codebook:
    if not _DEFAULT:
        _DEFAULT.append(load_codebook(None))
    return _DEFAULT[0]


def read_corpus(
    path: str | Path,
    *,
    doc_date: str | None = None,
    input_format: str | None = None,
    on_problem: Callable[[Problem], None] | None = None,
) -> Iterator[Document]:
    """The documents of a file or directory, read as ``coder run`` reads them
    (txt, jsonl, csv, PETRARCH xml, gzipped).  A document that cannot be read
    is skipped and passed to ``on_problem`` (ignored when None)."""
    for item in _read_corpus(str(path), doc_date=doc_date, input_format=input_format):
        if isinstance(item, Document):
            yield item
        elif on_problem is not None:
            on_problem(item)


def write(
    records: Iterable[Record],
    path: str | Path | None,
    format: str | None = None,
    codebook: Codebook | None = None,
    *,
    excel_safe: bool = False,
) -> int:
    """Write records to ``path`` (None or "-": standard output) in ``format``
    (csv, xml, jsonl, acled, phoenix; default from the suffix), validating each
    against its schema; the file appears atomically.  ``codebook`` supplies
    the ACLED inter codes (default: the shipped codebook).  Returns the number
    of records written."""
    from coder.io.formats import ActorTable

    cb = codebook if codebook is not None else _default()
    target = None if path is None else str(path)
    fmt = format_for(target, format)
    n = 0
    with open_writer(
        target,
        fmt,
        codebook=cb.name,
        codebook_version=cb.version,
        excel_safe=excel_safe,
        actors=ActorTable.from_compiled(_compiled(cb)),
    ) as writer:
        for record in records:
            writer.write(record)
            n += 1
    return n


class _RecordTable:
    """A petl table of the records of a table of documents (lazy: coded each
    time it is iterated, as petl tables are)."""

    def __init__(self, table, codebook: Codebook | None, fields: dict[str, str]):
        self.table, self.codebook, self.fields = table, codebook, fields

    def _documents(self) -> Iterator[dict]:
        it = iter(self.table)
        header = [str(h) for h in next(it, [])]
        missing = [self.fields["text"]] if self.fields["text"] not in header else []
        if missing:
            raise UsageError(Problem("usage", f"the table has no '{missing[0]}' column (columns: {', '.join(header)})"))
        for n, row in enumerate(it, 1):
            values = dict(zip(header, row, strict=False))
            doc = {key: values.get(column) for key, column in self.fields.items() if column in values}
            doc.setdefault("id", f"row-{n}")
            if doc.get("id") is not None:
                doc["id"] = str(doc["id"])
            yield doc

    def __iter__(self):
        yield FIELDS
        for record in code(self._documents(), self.codebook):
            yield tuple(getattr(record, f) for f in FIELDS)


def code_table(
    table,
    codebook: Codebook | None = None,
    *,
    text: str = "text",
    id: str = "id",
    date: str = "date",
    source: str = "source",
    title: str = "title",
):
    """Code a petl table of documents (one row per document; column names
    given by the keyword arguments) into a petl table of records with the
    columns of :data:`coder.events.record.FIELDS` (typed values, ``None`` for
    empty numbers)."""
    import petl

    rows = _RecordTable(table, codebook, {"text": text, "id": id, "date": date, "source": source, "title": title})
    return petl.wrap(rows)
