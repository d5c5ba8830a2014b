"""Run the ``examples`` of every rule: the codebook's own test suite.

Each example is a sentence (optionally with a document date) and the records
it must give.  An example passes when

* ``expect: none`` -- the sentence gives no record at all;
* otherwise every expected record is matched by a record of *this* rule with
  the same value in every field the example lists, and the rule gives no
  record that no expected entry matches.

Records of other rules are shown but do not fail the example.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..events.record import Record, format_value
from ..text.document import Document
from .model import Example, Rule


@dataclass
class ExampleResult:
    rule: Rule
    number: int  # 1-based position in the rule's examples
    example: Example
    records: list[Record]
    passed: bool
    failures: list[str] = field(default_factory=list)


def _matches(record: Record, expected: dict) -> bool:
    return all(format_value(getattr(record, k)) == format_value(v) for k, v in expected.items())


def _diff(record: Record, expected: dict) -> list[str]:
    return [
        f"{k}: expected {format_value(v)!r}, got {format_value(getattr(record, k))!r}"
        for k, v in expected.items()
        if format_value(getattr(record, k)) != format_value(v)
    ]


def check_example(compiled, rule: Rule, number: int, example: Example) -> ExampleResult:
    from ..pipeline import code_document

    doc = Document(id=f"{rule.id}#{number}", text=example.text, date=example.date)
    records, _ = code_document(compiled, doc)
    failures: list[str] = []
    if not example.expect:
        for r in records:
            failures.append(f"expected no event, got {r.event_type} by rule {r.rule_id} ({r.actor1 or '-'} / {r.actor2 or '-'} / {r.location or '-'})")
        return ExampleResult(rule, number, example, records, not failures, failures)
    own = [r for r in records if r.rule_id == rule.id]
    unmatched = list(own)
    for i, expected in enumerate(example.expect, 1):
        want = {"rule_id": rule.id, **expected}
        hit = next((r for r in unmatched if _matches(r, want)), None)
        if hit is not None:
            unmatched.remove(hit)
            continue
        if not own:
            others = ", ".join(sorted({r.rule_id for r in records})) or "none"
            failures.append(f"record {i}: rule gave no record (records from other rules: {others})")
        else:
            closest = min(unmatched or own, key=lambda r: len(_diff(r, want)))
            failures.append(f"record {i}: " + "; ".join(_diff(closest, want)))
            if closest in unmatched:
                unmatched.remove(closest)
    for r in unmatched:
        failures.append(f"unexpected record: {r.event_type} ({r.actor1 or '-'} / {r.actor2 or '-'} / {r.location or '-'} / {r.event_date or '-'})")
    return ExampleResult(rule, number, example, records, not failures, failures)


def run_examples(compiled) -> list[ExampleResult]:
    """Check every example of every rule of a compiled codebook."""
    results = []
    for cr in compiled.rules:
        for number, example in enumerate(cr.rule.examples, 1):
            results.append(check_example(compiled, cr.rule, number, example))
    return results
