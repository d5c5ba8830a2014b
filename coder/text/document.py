"""A document: one news article (or one line of a JSONL/CSV corpus)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class Document:
    """One document to code.

    ``date`` is the document date as ``YYYY-MM-DD`` (or ``None`` when unknown);
    relative dates in the text ("on Sunday", "in June") are resolved against it.
    ``path`` and ``line`` say where the document came from, for messages.
    """

    id: str
    text: str
    date: str | None = None
    source: str = ""
    title: str = ""
    path: str = ""
    line: int | None = None
