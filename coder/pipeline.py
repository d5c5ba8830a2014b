"""Code documents into records: the one place the stages meet.

``document -> sentences -> tokens -> mentions -> candidates -> records``.  A
sentence in which no rule's anchor word can occur is set aside before it is
tokenized (and one whose tokens hold no anchor right after); it is only read
again if a later sentence needs it to resolve a generic word such as ``the
jihadists`` or ``the town``.
"""

from __future__ import annotations

import datetime as dt
import time
from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Iterable, Iterator

from .errors import Problem
from .events.build import DateInfo, Draft, draft_events, finalize, to_record
from .events.record import Record
from .match.compile import Compiled
from .match.engine import Candidate, SentenceView, match_sentence
from .match.mentions import CorefMemory, Mention, find_mentions
from .match.words import DATE_LEADS
from .text.clean import clean_text
from .text.dates import find_dates, resolve
from .text.document import Document
from .text.sentences import Sentence, split_sentences
from .text.tokens import Token, tokenize


@dataclass
class SentenceTrace:
    """Everything the coder saw in one sentence (for ``coder explain``)."""

    sentence: Sentence
    tokens: list[Token]
    triggered: bool
    mentions: list[Mention] = field(default_factory=list)
    dates: list[DateInfo] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    merged: list[tuple[Draft, Record]] = field(default_factory=list)  # drafts folded into a record


class _LazyMemory(CorefMemory):
    """Coreference memory that reads skipped sentences only when a generic
    word needs them ("the jihadists", "the town")."""

    def __init__(self, compiled: Compiled):
        super().__init__(compiled.refs, compiled.place_refs)
        self.lexicon = compiled.lexicon
        self.pending: list[tuple[int, str]] = []  # (sentence index, text) not looked at yet

    def flush(self) -> None:
        for index, text in self.pending:
            for hit in self.lexicon.scan(tokenize(text)):
                actor, place = hit.first("actor"), hit.first("place")
                if actor is not None:
                    self.note(actor.value, (index, hit.start))
                if place is not None:
                    self.note_place(place.value, (index, hit.start))
        self.pending.clear()

    def resolve(self, term: str):
        self.flush()
        return super().resolve(term)

    def last_town(self):
        self.flush()
        return super().last_town()


def _dates(sentence: Sentence, tokens: list[Token], doc_date: dt.date | None) -> list[DateInfo]:
    out: list[DateInfo] = []
    starts = None
    for expr in find_dates(sentence.text):
        resolved = resolve(expr, doc_date)
        if resolved is None:
            continue
        if starts is None:
            starts = [t.start for t in tokens]
        a = bisect_left(starts, expr.start)
        b = a
        while b < len(tokens) and tokens[b].end <= expr.end:
            b += 1
        if a == b:
            continue
        if a > 0 and tokens[a - 1].norm in DATE_LEADS:
            a -= 1
        out.append(DateInfo((a, b), resolved[0], resolved[1]))
    return out


def code_document(compiled: Compiled, doc: Document, *, trace: list | None = None) -> tuple[list[Record], int]:
    """Records of one document (duplicates removed) and its number of sentences."""
    doc_date = dt.date.fromisoformat(doc.date) if doc.date else None
    anchors = compiled.anchors
    memory = _LazyMemory(compiled)
    drafts: list[Draft] = []
    sentences = split_sentences(clean_text(doc.text))
    for sentence in sentences:
        if not compiled.may_trigger(sentence.text):
            memory.pending.append((sentence.index, sentence.text))
            if trace is not None:
                trace.append(SentenceTrace(sentence, tokenize(sentence.text), False))
            continue
        tokens = tokenize(sentence.text)
        if not any(t.norm in anchors for t in tokens):
            memory.pending.append((sentence.index, sentence.text))
            if trace is not None:
                trace.append(SentenceTrace(sentence, tokens, False))
            continue
        mentions = find_mentions(tokens, sentence.text, compiled.lexicon, memory, sentence.index)
        dates = _dates(sentence, tokens, doc_date)
        view = SentenceView(tokens, mentions, [d.span for d in dates])
        candidates = match_sentence(view, compiled)
        drafts.extend(draft_events(compiled, doc.date, sentence.index, sentence.text, view, candidates, dates))
        if trace is not None:
            trace.append(SentenceTrace(sentence, tokens, True, mentions, dates, candidates))
    kept = finalize(drafts)
    records = [to_record(compiled, doc.id, d) for d in kept]
    if trace is not None:
        by_sentence = {t.sentence.index: t for t in trace}
        for d, r in zip(kept, records):
            by_sentence[d.sentence_index].records.append(r)
            for m in d.merged:
                by_sentence[m.sentence_index].merged.append((m, r))
    return records, len(sentences)


@dataclass
class Report:
    """What a run did: counts, problems and time."""

    documents_read: int = 0
    documents_with_events: int = 0
    documents_without_events: int = 0
    documents_skipped: int = 0
    sentences: int = 0
    events: int = 0
    seconds: float = 0.0
    problems: list[Problem] = field(default_factory=list)

    @property
    def documents_coded(self) -> int:
        return self.documents_with_events + self.documents_without_events

    def summary(self) -> str:
        return (
            f"documents: {self.documents_read} read, {self.documents_coded} coded "
            f"({self.documents_with_events} with events), {self.documents_skipped} skipped; "
            f"sentences: {self.sentences}; events: {self.events}; seconds: {self.seconds:.2f}"
        )

    def to_dict(self) -> dict:
        return {
            "documents_read": self.documents_read,
            "documents_coded": self.documents_coded,
            "documents_with_events": self.documents_with_events,
            "documents_without_events": self.documents_without_events,
            "documents_skipped": self.documents_skipped,
            "sentences": self.sentences,
            "events": self.events,
            "seconds": round(self.seconds, 3),
            "problems": [p.to_dict() for p in self.problems],
        }


def code_corpus(compiled: Compiled, items: Iterable[Document | Problem], report: Report) -> Iterator[Record]:
    """Code a stream of documents (and reader problems), counting into ``report``."""
    start = time.perf_counter()
    try:
        for item in items:
            report.documents_read += 1
            if isinstance(item, Problem):
                report.documents_skipped += 1
                report.problems.append(item)
                continue
            records, n = code_document(compiled, item)
            report.sentences += n
            if records:
                report.documents_with_events += 1
                report.events += len(records)
                yield from records
            else:
                report.documents_without_events += 1
    finally:
        report.seconds = time.perf_counter() - start
