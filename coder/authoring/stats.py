"""``coder codebook stats``: what a codebook holds and, with a corpus, how
its rules behave on it: how often each rule matched and gave records, which
never fired, and the sentences that triggered a rule but gave no record (the
near misses worth reading)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from coder.codebook.model import CUE_REASONS, Codebook
from coder.io.readers import read_corpus
from coder.match.compile import compile_codebook
from coder.pipeline import code_document
from coder.text.document import Document


def codebook_counts(cb: Codebook) -> dict[str, int]:
    """Counts per section of a codebook."""
    examples = [ex for r in cb.rules for ex in r.examples]
    return {
        "event_types": len(cb.event_types),
        "variants": sum(len(et.variants) for et in cb.event_types.values()),
        "actors": len(cb.actors),
        "actor_aliases": sum(len(a.aliases) for a in cb.actors),
        "actor_refs": sum(len(a.refs) for a in cb.actors),
        "places": len(cb.places),
        "place_aliases": sum(len(p.aliases) for p in cb.places),
        "place_nouns": len(cb.place_nouns),
        "cues": len(cb.cues),
        "rules": len(cb.rules),
        "examples": len(examples),
        "positive_examples": sum(1 for e in examples if e.expect),
        "near_miss_examples": sum(1 for e in examples if not e.expect),
    }


@dataclass
class CorpusStats:
    documents: int = 0
    skipped: int = 0
    sentences: int = 0
    triggered: int = 0  # sentences in which some rule matched
    with_records: int = 0  # sentences that gave a record
    records: int = 0
    matches: Counter = field(default_factory=Counter)  # rule -> candidates
    complete: Counter = field(default_factory=Counter)  # rule -> candidates with every slot filled
    kept: Counter = field(default_factory=Counter)  # rule -> records
    reasons: Counter = field(default_factory=Counter)  # why candidates were dropped (kind)
    near_misses: list = field(default_factory=list)  # (doc id, index, text, [(rule, reason)])

    @property
    def near_miss_sentences(self) -> int:
        return self.triggered - self.with_records


def _reason_kind(reason: str) -> str:
    for prefix in (*CUE_REASONS, "missing slot", "overlaps rule"):
        if reason.startswith(prefix):
            return prefix
    return reason


def corpus_stats(cb: Codebook, corpus: str, *, sample: int = 10, doc_date: str | None = None,
                 input_format: str | None = None) -> CorpusStats:
    compiled = compile_codebook(cb)
    st = CorpusStats()
    for item in read_corpus(corpus, doc_date=doc_date, input_format=input_format):
        if not isinstance(item, Document):
            st.skipped += 1
            continue
        st.documents += 1
        trace: list = []
        records, n = code_document(compiled, item, trace=trace)
        st.sentences += n
        st.records += len(records)
        for r in records:
            st.kept[r.rule_id] += 1
        for t in trace:
            if not t.candidates:
                continue
            st.triggered += 1
            for c in t.candidates:
                st.matches[c.rule.rule.id] += 1
                if not c.missing:
                    st.complete[c.rule.rule.id] += 1
                if c.status != "kept":
                    st.reasons[_reason_kind(c.reason)] += 1
            if t.records or t.merged:
                st.with_records += 1
            elif len(st.near_misses) < sample:
                st.near_misses.append((item.id, t.sentence.index, t.sentence.text,
                                       [(c.rule.rule.id, c.reason or c.status) for c in t.candidates]))
    return st


def _pct(a: int, b: int) -> str:
    return f"{100 * a / b:.1f}%" if b else "-"


def to_dict(cb: Codebook, st: CorpusStats | None) -> dict:
    out = {"codebook": cb.name, "version": cb.version, "path": cb.path, "counts": codebook_counts(cb)}
    if st is not None:
        out["corpus"] = {
            "documents": st.documents, "documents_skipped": st.skipped, "sentences": st.sentences,
            "records": st.records, "sentences_triggered": st.triggered,
            "sentences_with_records": st.with_records, "sentences_triggered_without_record": st.near_miss_sentences,
            "rules": {r.id: {"matches": st.matches[r.id], "complete": st.complete[r.id], "records": st.kept[r.id]}
                      for r in cb.rules},
            "never_fired": [r.id for r in cb.rules if not st.matches[r.id]],
            "drop_reasons": dict(st.reasons.most_common()),
            "near_misses": [{"doc_id": d, "sentence_index": i, "sentence": s,
                             "candidates": [{"rule_id": r, "reason": why} for r, why in cands]}
                            for d, i, s, cands in st.near_misses],
        }
    return out


def render(cb: Codebook, st: CorpusStats | None) -> str:
    counts = codebook_counts(cb)
    lines = [f"codebook {cb.name} {cb.version} ({cb.path})"]
    width = max(len(k) for k in counts)
    lines += [f"  {k.replace('_', ' ').ljust(width)}  {v}" for k, v in counts.items()]
    if st is None:
        return "\n".join(lines)
    lines += [
        "",
        f"corpus: {st.documents} documents" + (f" ({st.skipped} skipped)" if st.skipped else "")
        + f", {st.sentences} sentences, {st.records} records",
        f"  sentences where a rule matched: {st.triggered} ({_pct(st.triggered, st.sentences)} of sentences)",
        f"  ... and gave a record:          {st.with_records}",
        f"  ... but gave no record:         {st.near_miss_sentences} "
        f"({_pct(st.near_miss_sentences, st.triggered)} of those where a rule matched)",
        "",
    ]
    rw = max(len("rule"), *(len(r.id) for r in cb.rules)) if cb.rules else 4
    lines.append(f"{'rule'.ljust(rw)}  matches  complete  records")
    for r in cb.rules:
        lines.append(f"{r.id.ljust(rw)}  {st.matches[r.id]:7}  {st.complete[r.id]:8}  {st.kept[r.id]:7}")
    lines.append("(matches: the rule's words matched; complete: with every slot filled; records: kept after cues and "
                 "overlaps)")
    never = [r.id for r in cb.rules if not st.matches[r.id]]
    lines += ["", "never fired: " + (", ".join(never) if never else "none")]
    if st.reasons:
        lines.append("why matches were dropped: " + ", ".join(f"{k} ({n})" for k, n in st.reasons.most_common()))
    if st.near_misses:
        lines += ["", f"near misses (first {len(st.near_misses)}):"]
        for doc_id, index, text, cands in st.near_misses:
            lines.append(f"  {doc_id} sentence {index}: {text}")
            for rule, why in cands:
                lines.append(f"    {rule}: {why}")
    return "\n".join(lines)
