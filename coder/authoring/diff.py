"""``coder codebook diff``: code one corpus with two codebooks and report the
records that appear, disappear or change, per rule, with sample sentences.

Records of the two runs are paired inside each sentence, most specific key
first: same fields; same rule and place; same event type and place; same
event type; same sentence.  A pair whose fields differ is a *change* (the
``event_id`` is left out of the comparison: it is a hash of the rule and
slots, so it changes with them); an unpaired old record is *removed*, an
unpaired new one *added*.  Memory holds one document at a time plus the
samples.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from coder.codebook.load import load_codebook
from coder.events.record import FIELDS, Record
from coder.io.readers import read_corpus
from coder.match.compile import compile_codebook
from coder.pipeline import code_document
from coder.text.document import Document

COMPARED = tuple(f for f in FIELDS if f != "event_id")

_KEYS = (
    lambda r: tuple(getattr(r, f) for f in COMPARED),
    lambda r: (r.sentence_index, r.rule_id, r.location),
    lambda r: (r.sentence_index, r.event_type, r.location),
    lambda r: (r.sentence_index, r.event_type),
    lambda r: (r.sentence_index,),
)


@dataclass
class Change:
    kind: str  # added | removed | changed
    old: Record | None
    new: Record | None
    fields: tuple[str, ...] = ()

    @property
    def rule_id(self) -> str:
        return (self.new or self.old).rule_id

    def to_dict(self) -> dict:
        out = {"kind": self.kind, "rule_id": self.rule_id}
        r = self.new or self.old
        out.update(doc_id=r.doc_id, sentence_index=r.sentence_index, sentence=r.sentence)
        if self.kind == "changed":
            out["fields"] = {f: [getattr(self.old, f), getattr(self.new, f)] for f in self.fields}
        else:
            out["record"] = r.non_empty()
        return out


@dataclass
class DiffReport:
    old_path: str
    new_path: str
    documents: int = 0
    skipped: int = 0
    old_records: int = 0
    new_records: int = 0
    unchanged: int = 0
    counts: Counter = field(default_factory=Counter)  # (kind, rule_id) -> n
    changed_fields: Counter = field(default_factory=Counter)
    samples: dict = field(default_factory=dict)  # (kind, rule_id) -> [Change]

    @property
    def totals(self) -> Counter:
        out: Counter = Counter()
        for (kind, _rule), n in self.counts.items():
            out[kind] += n
        return out

    @property
    def differs(self) -> bool:
        return bool(self.counts)

    def to_dict(self) -> dict:
        rules = sorted({rule for _k, rule in self.counts})
        return {
            "old": self.old_path, "new": self.new_path,
            "documents": self.documents, "documents_skipped": self.skipped,
            "old_records": self.old_records, "new_records": self.new_records,
            "unchanged": self.unchanged,
            "added": self.totals["added"], "removed": self.totals["removed"], "changed": self.totals["changed"],
            "by_rule": {r: {k: self.counts[(k, r)] for k in ("added", "removed", "changed")} for r in rules},
            "changed_fields": dict(sorted(self.changed_fields.items())),
            "samples": [c.to_dict() for key in sorted(self.samples) for c in self.samples[key]],
        }


def pair_records(old: list[Record], new: list[Record]) -> list[Change]:
    """Pair the records of one document (see the module doc)."""
    old, new = list(old), list(new)
    changes: list[Change] = []
    for key in _KEYS:
        index: dict = {}
        for r in new:
            index.setdefault(key(r), []).append(r)
        rest = []
        for r in old:
            bucket = index.get(key(r))
            if bucket:
                n = bucket.pop(0)
                new.remove(n)
                diff = tuple(f for f in COMPARED if getattr(r, f) != getattr(n, f))
                changes.append(Change("changed" if diff else "same", r, n, diff))
            else:
                rest.append(r)
        old = rest
    changes += [Change("removed", r, None) for r in old]
    changes += [Change("added", None, r) for r in new]
    return changes


def diff_codebooks(old_path: str, new_path: str, corpus: str, *, sample: int = 3,
                   doc_date: str | None = None, input_format: str | None = None) -> DiffReport:
    """Code ``corpus`` with both codebooks; count and sample the differences."""
    old_cb, new_cb = compile_codebook(load_codebook(old_path)), compile_codebook(load_codebook(new_path))
    report = DiffReport(old_path, new_path)
    for item in read_corpus(corpus, doc_date=doc_date, input_format=input_format):
        if not isinstance(item, Document):
            report.skipped += 1
            continue
        report.documents += 1
        old, _ = code_document(old_cb, item)
        new, _ = code_document(new_cb, item)
        report.old_records += len(old)
        report.new_records += len(new)
        for change in pair_records(old, new):
            if change.kind == "same":
                report.unchanged += 1
                continue
            key = (change.kind, change.rule_id)
            report.counts[key] += 1
            report.changed_fields.update(change.fields)
            kept = report.samples.setdefault(key, [])
            if len(kept) < sample:
                kept.append(change)
    return report


def _brief(r: Record) -> str:
    return (f"{r.event_type}: {r.actor1 or '-'} / {r.actor2 or '-'} / {r.location or '-'}"
            f" ({r.event_date or 'no date'})")


def render(report: DiffReport) -> str:
    t = report.totals
    lines = [
        f"old: {report.old_path}",
        f"new: {report.new_path}",
        f"corpus: {report.documents} documents" + (f" ({report.skipped} skipped)" if report.skipped else ""),
        f"records: {report.old_records} -> {report.new_records} "
        f"({t['added']} added, {t['removed']} removed, {t['changed']} changed, {report.unchanged} unchanged)",
    ]
    if not report.differs:
        lines.append("no difference")
        return "\n".join(lines)
    rules = sorted({rule for _k, rule in report.counts})
    width = max(len("rule"), *(len(r) for r in rules))
    lines += ["", f"{'rule'.ljust(width)}  added  removed  changed"]
    for r in rules:
        lines.append(f"{r.ljust(width)}  {report.counts[('added', r)]:5}  {report.counts[('removed', r)]:7}  "
                     f"{report.counts[('changed', r)]:7}")
    if report.changed_fields:
        lines += ["", "changed fields: " + ", ".join(f"{f} ({n})" for f, n in sorted(report.changed_fields.items()))]
    for kind in ("added", "removed", "changed"):
        for r in rules:
            samples = report.samples.get((kind, r))
            if not samples:
                continue
            lines += ["", f"{kind} by {r} ({report.counts[(kind, r)]}, showing {len(samples)}):"]
            for c in samples:
                rec = c.new or c.old
                lines.append(f"  {rec.doc_id} sentence {rec.sentence_index}: {rec.sentence}")
                if kind == "added":
                    lines.append(f"    + {_brief(c.new)}")
                elif kind == "removed":
                    lines.append(f"    - {_brief(c.old)}")
                else:
                    for f in c.fields:
                        lines.append(f"    {f}: {getattr(c.old, f)!r} -> {getattr(c.new, f)!r}")
    return "\n".join(lines)
