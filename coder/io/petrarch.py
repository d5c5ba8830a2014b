"""Read PETRARCH XML input: ``<Sentences><Sentence ...><Text>...</Text></Sentence>``.

The file is read as a stream (:func:`lxml.etree.iterparse`): each
``<Sentence>`` is turned into one :class:`Document` as soon as its end tag is
read, then cleared and unlinked from the tree, so memory use does not grow
with the file.

One ``<Sentence>`` is one document:

* ``id`` attribute -> document id (``FILE:LINE`` when missing or empty);
* ``date`` attribute, ``YYYYMMDD`` (``YYYY-MM-DD`` is accepted too) ->
  document date ``YYYY-MM-DD`` (the ``--doc-date`` when missing);
* ``source`` attribute -> document source;
* the text of the ``<Text>`` child, its whitespace runs (PETRARCH wraps its
  texts over several lines) joined into single spaces -> document text.

Everything else (``<Parse>``, ``<EventCoding>``, the ``sentence`` and
``category`` attributes, other elements) is ignored.  The root element may have
any name, and ``<Sentence>`` elements are found at any depth, so PETRARCH's
validation files (root ``<Validation>``) read too.

Safety: entities are never expanded, no DTD is loaded and nothing is fetched
from the network; a file with a DOCTYPE is refused as a whole (one problem),
since PETRARCH files have none and a DOCTYPE is where entity tricks (XXE,
"billion laughs") live.  A ``<Sentence>`` without ``<Text>`` or with a bad date
is skipped with a problem naming its line; a file that stops being well-formed
(cut short, say) gives the documents before the break and one problem.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from typing import BinaryIO

from lxml import etree

from coder.errors import Problem
from coder.text.document import Document

SENTENCE = "Sentence"
TEXT = "Text"

_DATE = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})|([0-9]{4})-([0-9]{2})-([0-9]{2})")
_WHERE = re.compile(r", line \d+, column \d+$")


class _Chain:
    """A file-like object that reads ``head`` and then the rest of ``f``."""

    def __init__(self, head: bytes, f: BinaryIO):
        self.head, self.f = head, f

    def read(self, size: int = -1) -> bytes:
        if self.head:
            if size is None or size < 0:
                data, self.head = self.head + self.f.read(), b""
                return data
            data, self.head = self.head[:size], self.head[size:]
            return data
        return self.f.read(size)


def read_petrarch(f: BinaryIO, head: bytes, path: str, rel: str,
                  doc_date: str | None) -> Iterator[Document | Problem]:
    """Yield one document (or problem) per ``<Sentence>`` of a PETRARCH XML file.

    ``head`` holds bytes already read from ``f``; ``rel`` is the base of
    default ids (``rel:LINE``); ``doc_date`` the date of sentences without one.
    OSErrors of ``f`` (a corrupt gzip stream, say) are left to the caller.
    """
    head, doctype = _read_prolog(head, f)
    if doctype:
        yield Problem("input-xml", "a DOCTYPE is not allowed (PETRARCH files have "
                      "none; DTDs and entities are never read): the file is "
                      "skipped", path=path)
        return
    source = _Chain(head, f) if head else f
    events = etree.iterparse(
        source, events=("start", "end"), resolve_entities=False, no_network=True,
        load_dtd=False, dtd_validation=False, huge_tree=False, remove_comments=True,
        remove_pis=True)
    found = False
    inside = 0  # how many <Sentence> elements we are in
    try:
        for event, element in events:
            if event == "start":
                if element.tag == SENTENCE:
                    inside += 1
                continue
            if element.tag == SENTENCE:
                inside -= 1
                if inside == 0:
                    found = True
                    yield _document(element, path, rel, doc_date)
            if inside == 0:
                _forget(element)
    except etree.XMLSyntaxError as exc:
        line, col = exc.position if exc.position else (exc.lineno, None)
        message = _WHERE.sub("", exc.msg or "syntax error")
        found = True
        yield Problem("input-xml", f"not well-formed XML: {message}; the rest of the file "
                      "is skipped", path=path, line=line, col=col)
    if not found:
        yield Problem("input-empty", f"no <{SENTENCE}> elements in file", path=path)


_PROLOG_CHUNK = 1 << 16
_PROLOG_LIMIT = 1 << 20  # a prolog longer than this is left to the parser


def _read_prolog(head: bytes, f: BinaryIO) -> tuple[bytes, bool]:
    """(the bytes read so far, whether the prolog holds a DOCTYPE).

    The prolog (XML declaration, comments, processing instructions) is read
    by coder itself, before the parser sees a byte, so a DOCTYPE is refused
    whatever libxml2 would do with it (its entity limits and their wording
    change between releases).
    """
    while True:
        verdict = _prolog_verdict(head)
        if verdict is not None or len(head) >= _PROLOG_LIMIT:
            return head, bool(verdict)
        more = f.read(_PROLOG_CHUNK)
        if not more:
            return head, False
        head += more


def _prolog_verdict(data: bytes) -> bool | None:
    """True: a DOCTYPE comes before the root element; False: none does;
    None: the prolog goes on past ``data``."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", "ignore")
    else:
        text = data.decode("latin-1")
    i = 1 if text.startswith("\ufeff") else 0
    if text.startswith("\xef\xbb\xbf"):
        i = 3
    n = len(text)
    while True:
        while i < n and text[i] in " \t\r\n":
            i += 1
        if i >= n:
            return None
        for opener, closer in (("<?", "?>"), ("<!--", "-->")):
            if text.startswith(opener, i):
                end = text.find(closer, i + len(opener))
                if end < 0:
                    return None
                i = end + len(closer)
                break
        else:
            if text.startswith("<!DOCTYPE", i):
                return True
            if n - i < len("<!DOCTYPE") and "<!DOCTYPE".startswith(text[i:]):
                return None
            return False


def _forget(element: etree._Element) -> None:
    """Drop a finished element's content and its finished elder siblings."""
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def _document(sentence: etree._Element, path: str, rel: str,
              doc_date: str | None) -> Document | Problem:
    """The document of one ``<Sentence>`` element, or the problem with it."""
    line = sentence.sourceline

    def bad(field: str, message: str, code: str = "input-field") -> Problem:
        return Problem(code, message, path=path, line=line, field=field)

    doc_id = (sentence.get("id") or "").strip() or f"{rel}:{line}"
    date = doc_date
    raw_date = sentence.get("date")
    if raw_date is not None:
        date = _iso_date(raw_date.strip())
        if date is None:
            return bad("date", f"not a date: '{raw_date}' (expected YYYYMMDD)", "input-date")
    text_element = sentence.find(TEXT)
    if text_element is None:
        return bad(TEXT, f"is required: <{SENTENCE}> has no <{TEXT}> element")
    text = " ".join("".join(text_element.itertext()).split())
    if not text:
        return bad(TEXT, "must not be empty")
    return Document(id=doc_id, text=text, date=date,
                    source=(sentence.get("source") or "").strip(), path=path, line=line)


def _iso_date(value: str) -> str | None:
    """``YYYYMMDD`` or ``YYYY-MM-DD`` as ``YYYY-MM-DD`` if it is a real date, else None."""
    match = _DATE.fullmatch(value)
    if not match:
        return None
    iso = "-".join(part for part in match.groups() if part is not None)
    try:
        datetime.date.fromisoformat(iso)
    except ValueError:
        return None
    return iso
