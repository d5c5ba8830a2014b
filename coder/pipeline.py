"""Code documents into records: the one place the stages meet.

``document -> sentences -> tokens -> mentions -> candidates -> records``.  A
sentence in which no rule's anchor word can occur is set aside before it is
tokenized (and one whose tokens hold no anchor right after); it is only read
again if a later sentence needs it to resolve a generic word such as ``the
jihadists`` or ``the town``.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace

from coder.errors import CodebookError, Problem
from coder.events import fatalities
from coder.events.build import DateInfo, Draft, draft_events, finalize, to_record
from coder.events.record import Record
from coder.match.compile import Compiled, letter_runs
from coder.match.engine import ACTOR_KINDS, Candidate, SentenceView, match_sentence, may_fire
from coder.match.mentions import CorefMemory, Mention, find_mentions, gazetteer_place
from coder.match.words import DATE_LEADS
from coder.text.clean import clean_text
from coder.text.dates import find_dates, resolve
from coder.text.document import Document
from coder.text.sentences import Sentence, split_sentences
from coder.text.tokens import Token, tokenize


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
    drafts: list[tuple[Draft, Record]] = field(default_factory=list)  # the draft each record was made from


class _LazyMemory(CorefMemory):
    """Coreference memory that reads skipped sentences only when a generic
    word needs them ("the jihadists", "the town").

    Two levels: the codebook's words (actors, places, country names) are read
    for any need; the gazetteer's places only when "the town" needs the last
    town named (they are the costly part, and country counts do without them).
    """

    def __init__(self, compiled: Compiled):
        super().__init__(compiled.refs, compiled.place_refs)
        self.lexicon = compiled.lexicon
        self.compiled = compiled
        self.pending: list[tuple[int, str]] = []  # (sentence index, text) not looked at yet
        # read, but not for gazetteer places: (index, text, token spans of the codebook's words); the
        # tokens are made again if "the town" ever needs them, rather than kept for every sentence of
        # the document (they were most of the memory a long document took: about 25 bytes a byte)
        self.pending_places: list[tuple[int, str, tuple]] = []

    def flush(self, places: bool = False) -> None:
        if self.pending:
            pending, self.pending = self.pending, []
            keep = self.compiled.codebook.settings.gazetteer
            for index, text in pending:
                tokens = tokenize(text)
                hits = self.lexicon.scan(tokens)
                for hit in hits:
                    actor, place = hit.first("actor"), hit.first("place")
                    if actor is not None:
                        self.note(actor.value, (index, hit.start))
                    if place is not None:
                        self.note_place(place.value, (index, hit.start))
                    if actor is None and place is None:
                        country = hit.first("country")
                        if country is not None:
                            self.note_country(country.value)
                if keep:
                    self.pending_places.append((index, text, tuple((h.start, h.end) for h in hits)))
        if places and self.pending_places:
            gazetteer = self.compiled.gazetteer()
            pending, self.pending_places = self.pending_places, []
            for index, text, spans in pending:
                tokens = tokenize(text)
                taken = {k for start, end in spans for k in range(start, end)}
                for start, end, candidates in gazetteer.find(tokens):
                    if taken.isdisjoint(range(start, end)):
                        place = gazetteer_place(candidates, self.countries,
                                                text[tokens[start].start: tokens[end - 1].end])
                        if place is not None:
                            self.note_place(place, (index, start))

    def resolve(self, term: str):
        self.flush()
        return super().resolve(term)

    def last_town(self):
        self.flush(places=True)
        return super().last_town()

    def country(self):
        self.flush()
        return super().country()

    def country_counts(self):
        self.flush()
        return super().country_counts()


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


def document_memory(compiled: Compiled) -> CorefMemory:
    """A document's coreference memory, as :func:`code_document` keeps one."""
    return _LazyMemory(compiled)


def sentence_mentions(compiled: Compiled, tokens: list[Token], text: str, memory: CorefMemory, index: int,
                      hits: list | None = None) -> list[Mention]:
    """The mentions of one sentence, as :func:`code_document` finds them."""
    return find_mentions(tokens, text, compiled.lexicon, memory, index, compiled.states, compiled.gazetteer(),
                         compiled.generics,
                         compiled.place_words if compiled.codebook.settings.unlisted_places else None, hits=hits)


def fill_gazetteer_places(compiled: Compiled) -> None:
    """Fill the codebook's ``gazetteer: true`` places from the gazetteer, once
    (:mod:`coder.gazetteer.places`); raise :class:`CodebookError` for one it
    does not know."""
    from coder.gazetteer.places import fill_places, needs_filling

    cb = compiled.codebook
    if not needs_filling(cb):
        return
    gazetteer = compiled.gazetteer()  # the codebook's, when it uses one
    if gazetteer is None:
        from coder.gazetteer import GazetteerError, open_gazetteer

        try:
            gazetteer = open_gazetteer()
        except GazetteerError as exc:
            raise CodebookError(Problem("gazetteer", str(exc), cb.path, field="places")) from None
    problems = fill_places(cb, gazetteer)
    if problems:
        raise CodebookError(problems)


def _sentence_list(indexes: list[int]) -> tuple[str, str]:
    """("3, 7, 12" (at most ten, then "..."), "sentence" or "sentences") for a note."""
    shown = ", ".join(map(str, indexes[:10])) + (", ..." if len(indexes) > 10 else "")
    return shown, "sentence" if len(indexes) == 1 else "sentences"


def code_document(compiled: Compiled, doc: Document, *, trace: list | None = None,
                  max_sentence_chars: int | None = None,
                  too_long: list[int] | None = None,
                  cut_short: list[int] | None = None) -> tuple[list[Record], int]:
    """Records of one document (duplicates removed) and its number of sentences.

    A sentence longer than ``max_sentence_chars`` is not looked at (not
    matched, not used to resolve a generic word); its index is appended to
    ``too_long``.  A sentence whose matching reached the matcher's step bound
    (:data:`coder.match.engine.SENTENCE_STEPS_PER_TOKEN`: matches may be
    missing) has its index appended to ``cut_short``.
    """
    fill_gazetteer_places(compiled)
    doc_date = dt.date.fromisoformat(doc.date) if doc.date else None
    memory = _LazyMemory(compiled)
    drafts: list[Draft] = []
    sentences = split_sentences(clean_text(doc.text))
    telling = fatalities.telling_words()
    quiet: set[int] = set()  # sentences with no word a death figure needs (an int each: memory stays small)
    for sentence in sentences:
        if max_sentence_chars is not None and len(sentence.text) > max_sentence_chars:
            if too_long is not None:
                too_long.append(sentence.index)
            if trace is not None:
                trace.append(SentenceTrace(sentence, [], False))
            continue
        runs, plain = letter_runs(sentence.text)
        if plain and telling.isdisjoint(runs):
            quiet.add(sentence.index)  # the fatality counter need not read it again
        if not compiled.may_trigger(sentence.text, runs):
            memory.pending.append((sentence.index, sentence.text))
            if trace is not None:
                trace.append(SentenceTrace(sentence, tokenize(sentence.text), False))
            continue
        tokens = tokenize(sentence.text)
        norms = [t.norm for t in tokens]
        present = frozenset(norms)  # made once for the checks and the view
        if not compiled.may_match(norms, present):
            # no anchor word, or none whose rules find all their other words
            memory.pending.append((sentence.index, sentence.text))
            if trace is not None:
                trace.append(SentenceTrace(sentence, tokens, False))
            continue
        dates = _dates(sentence, tokens, doc_date)
        spans = [d.span for d in dates]
        hits = compiled.lexicon.scan(tokens)
        # hits come left to right without overlapping: the first actor hit ends first
        actor_end = next((h.end for h in hits if any(e.kind in ACTOR_KINDS for e in h.entries)), None)
        keep: list = []
        cues: dict[tuple[int, str], str] = {}
        if trace is None and not may_fire(compiled, norms, spans, actor_end, keep, present, tokens, cues):
            # no rule can match, whatever the mentions, or a negation or modality cue blocks every
            # one that could ("did not capture", "plans to attack"): the mentions are found only
            # if a later sentence needs this one's actors (coreference)
            memory.pending.append((sentence.index, sentence.text))
            continue
        mentions = sentence_mentions(compiled, tokens, sentence.text, memory, sentence.index, hits)
        view = SentenceView(tokens, mentions, spans, word_filler=keep[0] if keep else None, norms=norms,
                            norm_set=present, cue_reasons=cues)
        candidates = match_sentence(view, compiled, relaxed=trace is not None)
        if view.cut_short and cut_short is not None:
            cut_short.append(sentence.index)
        drafts.extend(draft_events(compiled, doc.date, sentence.index, sentence.text, view, candidates, dates))
        if trace is not None:
            trace.append(SentenceTrace(sentence, tokens, True, mentions, dates, candidates))
    kept = finalize(drafts)
    records = [to_record(compiled, doc.id, d) for d in kept]
    if records:
        fatalities.fill({s.index: s.text for s in sentences}, kept, records, quiet)
    for record in records:
        record.source = doc.source
    if trace is not None:
        by_sentence = {t.sentence.index: t for t in trace}
        for d, r in zip(kept, records, strict=True):
            by_sentence[d.sentence_index].records.append(r)
            by_sentence[d.sentence_index].drafts.append((d, r))
            for m in d.merged:
                by_sentence[m.sentence_index].merged.append((m, r))
    return records, len(sentences)


@dataclass
class Report:
    """What a run did: counts, problems and time.

    Every document read is counted once, as coded with events, coded without
    events or skipped: ``documents_read == documents_with_events +
    documents_without_events + documents_skipped`` at every moment.  A file
    that cannot be read at all (or a line that is not a document) counts as
    one skipped document.
    """

    documents_read: int = 0
    documents_with_events: int = 0
    documents_without_events: int = 0
    documents_skipped: int = 0
    sentences: int = 0
    sentences_too_long: int = 0  #: sentences over the length limit, not matched
    sentences_cut_short: int = 0  #: sentences whose matching reached the step bound (matches may be missing)
    events: int = 0
    seconds: float = 0.0
    problems: list[Problem] = field(default_factory=list)  #: every problem (skipped documents first-hand)
    skipped: list[Problem] = field(default_factory=list)  #: one per skipped document, why and where
    notes: list[Problem] = field(default_factory=list)  #: things worth knowing that skip nothing

    @property
    def documents_coded(self) -> int:
        return self.documents_with_events + self.documents_without_events

    def summary(self) -> str:
        long = f" ({self.sentences_too_long} too long, not matched)" if self.sentences_too_long else ""
        if self.sentences_cut_short:
            long += f" ({self.sentences_cut_short} cut short: the matcher's step bound)"
        return (
            f"documents: {self.documents_read} read, {self.documents_coded} coded "
            f"({self.documents_with_events} with events, {self.documents_without_events} without), "
            f"{self.documents_skipped} skipped; "
            f"sentences: {self.sentences}{long}; events: {self.events}; seconds: {self.seconds:.2f}"
        )

    def to_dict(self) -> dict:
        return {
            "documents_read": self.documents_read,
            "documents_coded": self.documents_coded,
            "documents_with_events": self.documents_with_events,
            "documents_without_events": self.documents_without_events,
            "documents_skipped": self.documents_skipped,
            "sentences": self.sentences,
            "sentences_too_long": self.sentences_too_long,
            "sentences_cut_short": self.sentences_cut_short,
            "events": self.events,
            "seconds": round(self.seconds, 3),
            "skipped": [_where(p) for p in self.skipped],
            "notes": [_where(p) for p in self.notes],
            "problems": [p.to_dict() for p in self.problems],
        }


def _where(p: Problem) -> dict:
    """A skipped document or note as the run report lists it: file, line, reason."""
    out = {"file": p.path, "line": p.line, "code": p.code, "field": p.field, "reason": p.message}
    return {k: v for k, v in out.items() if v is not None}


def _utf8_size(text: str, limit: int) -> int:
    """The UTF-8 size of ``text`` (exact when it may be over ``limit``)."""
    if len(text) * 4 <= limit:  # cannot be over: skip the encoding
        return len(text)
    return len(text.encode("utf-8", "surrogatepass"))


_SURROGATE = re.compile("[\ud800-\udfff]")


def _not_text(doc: Document) -> tuple[str, str] | None:
    """The field (id, source) holding a lone surrogate, and the surrogate; None if none.

    Such a value cannot be written as UTF-8 and, unlike text, cannot be
    cleaned: an id must stay what it is.
    """
    for name in ("id", "source"):
        value = getattr(doc, name, "")
        if value and not value.isascii() and (m := _SURROGATE.search(value)):
            return name, m.group()
    return None


def document_fields(doc: Document) -> dict:
    """A document as the fields of a JSONL line (for ``--rejects``)."""
    out = {"id": doc.id, "date": doc.date, "source": doc.source, "title": doc.title, "text": doc.text}
    return {k: v for k, v in out.items() if v}


def code_corpus(compiled: Compiled, items: Iterable[Document | Problem], report: Report, *,
                max_doc_bytes: int | None = None, max_sentence_chars: int | None = None,
                on_skip: Callable[[Problem], None] | None = None,
                raise_errors: bool = False) -> Iterator[Record]:
    """Code a stream of documents (and reader problems), counting into ``report``.

    A document whose text is over ``max_doc_bytes`` (UTF-8) is skipped, not
    cut.  Each skipped document's problem is passed to ``on_skip`` with its
    ``raw`` content (the report keeps it without).  An exception while coding
    one document skips that document ("coding-failed") unless
    ``raise_errors``.
    """
    start = time.perf_counter()

    # a document is counted as read together with its outcome, so that the
    # counts add up even when the run is interrupted in the middle of one
    def skip(problem: Problem) -> None:
        report.documents_read += 1
        report.documents_skipped += 1
        if on_skip is not None:
            on_skip(problem)
        problem = replace(problem, raw=None) if problem.raw is not None else problem
        report.problems.append(problem)
        report.skipped.append(problem)

    try:
        for item in items:
            if isinstance(item, Problem):
                skip(item)
                continue
            if (bad := _not_text(item)) is not None:
                name, char = bad
                skip(Problem("input-field", f"holds {char!r}, a lone surrogate, which is not a "
                             "character (a broken \\u escape, or a file name that is not UTF-8)",
                             path=item.path or None, line=item.line, field=name,
                             raw=document_fields(item)))
                continue
            if max_doc_bytes is not None and (size := _utf8_size(item.text, max_doc_bytes)) > max_doc_bytes:
                skip(Problem("input-too-large", f"document is {size:,} bytes, more than "
                             f"--max-doc-bytes {max_doc_bytes:,}", path=item.path or item.id,
                             line=item.line))
                continue
            too_long: list[int] = []
            cut_short: list[int] = []
            try:
                records, n = code_document(compiled, item, max_sentence_chars=max_sentence_chars,
                                           too_long=too_long, cut_short=cut_short)
            except CodebookError:
                raise  # the codebook's gazetteer cannot be opened: no document can be coded
            except Exception as exc:  # RecursionError and MemoryError too
                if raise_errors:
                    raise
                skip(Problem("coding-failed", f"the coder failed on this document: "
                             f"{type(exc).__name__}: {exc} (a bug: please report it)",
                             path=item.path or item.id, line=item.line, raw=document_fields(item)))
                continue
            report.documents_read += 1
            report.sentences += n
            if too_long:
                report.sentences_too_long += len(too_long)
                shown, s = _sentence_list(too_long)
                report.notes.append(Problem(
                    "sentence-too-long", f"document {item.id}: {len(too_long)} {s} over "
                    f"--max-sentence-chars {max_sentence_chars:,} not matched ({s} {shown})",
                    path=item.path or item.id, line=item.line))
            if cut_short:
                report.sentences_cut_short += len(cut_short)
                shown, s = _sentence_list(cut_short)
                report.notes.append(Problem(
                    "sentence-cut-short", f"document {item.id}: {len(cut_short)} {s} matched only in part: the "
                    f"rules took more than the matcher's bound of steps ({s} {shown}; a rule with many '...' gaps? "
                    "coder codebook lint says which)", path=item.path or item.id, line=item.line))
            if records:
                report.documents_with_events += 1
                report.events += len(records)
                yield from records
            else:
                report.documents_without_events += 1
    finally:
        report.seconds = time.perf_counter() - start
