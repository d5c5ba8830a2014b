"""Read PETRARCH XML input: ``<Sentences><Sentence ...><Text>...</Text></Sentence>``.

The file is read as a stream (a :class:`lxml.etree.XMLPullParser` fed a
megabyte at a time): each ``<Sentence>`` is turned into one :class:`Document`
as soon as its end tag is read, then cleared and unlinked from the tree, so
memory use does not grow with the file; one ``<Sentence>`` may take at most
:func:`coder.io.readers.line_limit` bytes (64 MiB, or 8 times
``--max-doc-bytes``), the limit of a JSONL line, and no text size limit of
libxml2's own applies (it stopped the file at a ``<Text>`` over 10 MB).

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
(cut short, say) gives the documents before the break and one problem, in our
words for the common errors (an undefined entity, a mismatched or unclosed
tag) at the line and column libxml2 gives; an empty file is ``input-empty``.
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


#: Bytes handed to the parser at a time.
_CHUNK = 1 << 20


def read_petrarch(f: BinaryIO, head: bytes, path: str, rel: str,
                  doc_date: str | None, max_bytes: int | None = None) -> Iterator[Document | Problem]:
    """Yield one document (or problem) per ``<Sentence>`` of a PETRARCH XML file.

    ``head`` holds bytes already read from ``f``; ``rel`` is the base of
    default ids (``rel:LINE``); ``doc_date`` the date of sentences without one.
    ``max_bytes`` (``--max-doc-bytes``) bounds the memory one ``<Sentence>``
    may take: one over :func:`coder.io.readers.line_limit` of it stops the
    file (a text over ``max_bytes`` but within that is read, and the coder
    skips it as too large).  OSErrors of ``f`` (a corrupt gzip stream, say)
    are left to the caller.
    """
    head, doctype = _read_prolog(head, f)
    if doctype:
        yield Problem("input-xml", "a DOCTYPE is not allowed (PETRARCH files have "
                      "none; DTDs and entities are never read): the file is "
                      "skipped", path=path)
        return
    first = head or f.read(_CHUNK)
    if not first.strip(b" \t\r\n\xef\xbb\xbf\x00\xfe\xff"):
        more = f.read(_CHUNK)
        if not more:
            yield Problem("input-empty", "empty file: no <Sentence> elements", path=path)
            return
        first += more
    from coder.io.readers import line_limit

    cap = line_limit(max_bytes) if max_bytes else None
    # no text-size limit of libxml2's own (10 MB a text node, which stopped the
    # file at a long <Text>): the size of one <Sentence> is bounded here instead
    parser = etree.XMLPullParser(
        events=("start", "end"), resolve_entities=False, no_network=True, load_dtd=False,
        dtd_validation=False, huge_tree=True, remove_comments=True, remove_pis=True)
    state = {"found": False, "inside": 0}  # a document seen; how many <Sentence> elements we are in
    open_tags: list[tuple[str, int]] = []  # the elements we are in: (tag, line)
    fed = 0  # bytes handed to the parser so far
    sentence_from = 0  # ... when the current <Sentence> started

    def documents() -> Iterator[Document | Problem]:
        """The documents of the events the parser has ready."""
        nonlocal sentence_from
        for event, element in parser.read_events():
            if event == "start":
                open_tags.append((element.tag, element.sourceline))
                if element.tag == SENTENCE:
                    if state["inside"] == 0:
                        sentence_from = fed
                    state["inside"] += 1
                continue
            if open_tags:
                open_tags.pop()
            if element.tag == SENTENCE:
                state["inside"] -= 1
                if state["inside"] == 0:
                    state["found"] = True
                    yield _document(element, path, rel, doc_date)
            if state["inside"] == 0:
                _forget(element)

    data = first
    closing = False
    try:
        while data:
            try:
                parser.feed(data)
            finally:
                fed += len(data)
            yield from documents()
            errors = parser.feed_error_log.filter_from_errors()
            if errors:  # libxml2 stopped (an undefined entity) without raising: it would go on wrongly
                state["found"] = True
                yield _problem_of(errors[0], None, path, open_tags[-1] if open_tags else None, "input-xml",
                                  "; the rest of the file is skipped")
                return
            if cap is not None and state["inside"] and fed - sentence_from > cap:
                line = next(line for tag, line in open_tags if tag == SENTENCE)
                yield Problem("input-too-large", f"<{SENTENCE}> is over {cap:,} bytes, more than a document within "
                              "--max-doc-bytes can take; the rest of the file is skipped", path=path, line=line)
                return
            data = f.read(_CHUNK)
        closing = True
        parser.close()
        yield from documents()  # the last end tags
    except etree.XMLSyntaxError as exc:
        # an error met while feeding leaves the events before it: their
        # documents are whole; one met at the end (the file is cut short)
        # comes with end events made up for what was left open: not those
        if not closing:
            yield from documents()
        state["found"] = True
        yield syntax_problem(exc, path, open_tags[-1] if open_tags else None, "input-xml",
                             "; the rest of the file is skipped")
    if not state["found"]:
        yield Problem("input-empty", f"no <{SENTENCE}> elements in file", path=path)


#: Our words for the well-formedness errors met in practice (by libxml2's
#: error type, a stable code; its own wording changes between releases).
_XML_ERRORS = {
    "ERR_UNDECLARED_ENTITY": "an undefined entity (XML defines only &amp; &lt; &gt; &quot; &apos; and character "
                             "references such as &#160;)",
    "ERR_DOCUMENT_EMPTY": "no element where the document should start (not XML?)",
    "ERR_DOCUMENT_END": "text or an element after the end of the root element",
    "ERR_TAG_NOT_FINISHED": "the file ends inside {open} (cut short?)",
    "ERR_TAG_NAME_MISMATCH": "an end tag that does not close {open}",
    "ERR_LT_IN_ATTRIBUTE": "a '<' in an attribute value",
    "ERR_ATTRIBUTE_REDEFINED": "an attribute given twice in one tag",
    "ERR_INVALID_CHAR": "a character XML does not allow",
}


def syntax_problem(exc: etree.XMLSyntaxError, path: str, open_tag: tuple[str, int] | None,
                   code: str, tail: str = "") -> Problem:
    """The problem of a well-formedness error: ``not well-formed XML: ...``
    at its line and column, in our words for the errors of :data:`_XML_ERRORS`
    (``open_tag``: the innermost element open there, and its line)."""
    line, col = exc.position if exc.position else (exc.lineno, None)
    if not line or line <= 0:  # raised only at the end ("no element found"): the log says where
        entry = exc.error_log.last_error if exc.error_log else None
        if entry is not None:
            return _problem_of(entry, None, path, open_tag, code, tail)
    return _problem_of(None, exc, path, open_tag, code, tail)


def _problem_of(entry, exc, path: str, open_tag: tuple[str, int] | None, code: str, tail: str) -> Problem:
    """The problem of a libxml2 error log ``entry``, or else of ``exc``."""
    if entry is not None:
        line, col, kind, text = entry.line, entry.column, entry.type_name, entry.message
    else:
        line, col = exc.position if exc.position else (exc.lineno, None)
        kind, text = _ERROR_NAMES.get(exc.code), exc.msg
    message = _XML_ERRORS.get(kind or "")
    if message is None:
        message = _WHERE.sub("", (text or "syntax error").strip())
    elif "{open}" in message:
        message = message.format(open=f"<{open_tag[0]}> (opened on line {open_tag[1]})" if open_tag
                                 else "an element")
    return Problem(code, f"not well-formed XML: {message}{tail}", path=path, line=line or None,
                   col=col or None)


def open_element_at_error(f: BinaryIO) -> tuple[str, int] | None:
    """The innermost element open where the XML in ``f`` stops being
    well-formed, and its line (for the message of an error met by a parser
    that does not say it)."""
    parser = etree.XMLPullParser(events=("start", "end"), resolve_entities=False, no_network=True,
                                 load_dtd=False, huge_tree=True)
    stack: list[tuple[str, int]] = []
    def follow() -> None:
        for event, element in parser.read_events():
            if event == "start":
                stack.append((element.tag, element.sourceline))
            elif stack:
                stack.pop()
                element.clear()

    try:
        while data := f.read(_CHUNK):
            parser.feed(data)
            follow()
        parser.close()
    except etree.XMLSyntaxError:
        follow()
    return stack[-1] if stack else None


_ERROR_NAMES = {number: name for name, number in vars(etree.ErrorTypes).items() if name.startswith("ERR_")}


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
