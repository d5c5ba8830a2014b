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

from coder.codebook.model import Example, Rule
from coder.events.record import Record, format_value
from coder.text.document import Document


@dataclass
class ExampleResult:
    rule: Rule
    number: int  # 1-based position in the rule's examples
    example: Example
    records: list[Record]
    passed: bool
    failures: list[str] = field(default_factory=list)
    #: (expected fields, the closest record of the rule or None) per expected record
    pairs: list[tuple[dict, Record | None]] = field(default_factory=list)
    #: records no expectation accounts for
    unexpected: list[Record] = field(default_factory=list)


def _matches(record: Record, expected: dict) -> bool:
    return all(format_value(getattr(record, k)) == format_value(v) for k, v in expected.items())


def _diff(record: Record, expected: dict) -> list[str]:
    return [
        f"{k}: expected {format_value(v)!r}, got {format_value(getattr(record, k))!r}"
        for k, v in expected.items()
        if format_value(getattr(record, k)) != format_value(v)
    ]


def check_example(compiled, rule: Rule, number: int, example: Example) -> ExampleResult:
    from coder.pipeline import code_document

    doc = Document(id=f"{rule.id}#{number}", text=example.text, date=example.date)
    records, _ = code_document(compiled, doc)
    failures: list[str] = []
    pairs: list[tuple[dict, Record | None]] = []
    if not example.expect:
        for r in records:
            failures.append(
                f"expected no event, got {r.event_type} by rule {r.rule_id} ({r.actor1 or '-'} / {r.actor2 or '-'} / "
                f"{r.location or '-'})"
            )
        return ExampleResult(rule, number, example, records, not failures, failures, [], list(records))
    own = [r for r in records if r.rule_id == rule.id]
    unmatched = list(own)
    for i, expected in enumerate(example.expect, 1):
        want = {"rule_id": rule.id, **expected}
        hit = next((r for r in unmatched if _matches(r, want)), None)
        if hit is not None:
            unmatched.remove(hit)
            pairs.append((want, hit))
            continue
        if not own:
            others = ", ".join(sorted({r.rule_id for r in records})) or "none"
            failures.append(f"record {i}: rule gave no record (records from other rules: {others})")
            pairs.append((want, None))
        else:
            closest = min(unmatched or own, key=lambda r: len(_diff(r, want)))
            failures.append(f"record {i}: " + "; ".join(_diff(closest, want)))
            pairs.append((want, closest))
            if closest in unmatched:
                unmatched.remove(closest)
    for r in unmatched:
        failures.append(
            f"unexpected record: {r.event_type} ({r.actor1 or '-'} / {r.actor2 or '-'} / {r.location or '-'} / "
            f"{r.event_date or '-'})"
        )
    return ExampleResult(rule, number, example, records, not failures, failures, pairs, unmatched)


def run_examples(compiled) -> list[ExampleResult]:
    """Check every example of every rule of a compiled codebook."""
    results = []
    for cr in compiled.rules:
        for number, example in enumerate(cr.rule.examples, 1):
            results.append(check_example(compiled, cr.rule, number, example))
    return results


#: Fields shown for a record no expectation lists.
SUMMARY_FIELDS = ("rule_id", "event_type", "actor1", "actor2", "location", "event_date")


def _table(rows: list[tuple[str, str, str]]) -> list[str]:
    """field | expected | actual, with a marker on the rows that differ."""
    head = ("field", "expected", "actual")
    width = [max(len(r[i]) for r in [head, *rows]) for i in range(3)]
    out = ["    " + "  ".join(h.ljust(w) for h, w in zip(head, width, strict=True)).rstrip()]
    for f, e, a in rows:
        mark = "" if e == a else "   <- differs"
        out.append("    " + "  ".join(x.ljust(w) for x, w in zip((f, e, a), width, strict=True)).rstrip() + mark)
    return out


def _show(value) -> str:
    text = format_value(value)
    return repr(text) if text else "''"


def format_failure(result: ExampleResult, where: str) -> list[str]:
    """A failed example, expected and actual record fields side by side."""
    ex = result.example
    lines = [f"___ {result.rule.id} example {result.number} ({where}) ___", f"  sentence: {ex.text}"]
    if ex.date:
        lines.append(f"  doc date: {ex.date}")
    if not ex.expect:
        lines.append("  expected: no event")
    for i, (want, got) in enumerate(result.pairs, 1):
        if got is not None and _matches(got, want):
            continue
        lines.append(f"  record {i} of {len(ex.expect)}:")
        if got is None:
            others = ", ".join(sorted({r.rule_id for r in result.records})) or "none"
            lines.append(f"    the rule gave no record (records from other rules: {others})")
            rows = [(k, _show(v), "-") for k, v in want.items()]
        else:
            rows = [(k, _show(v), _show(getattr(got, k))) for k, v in want.items()]
        lines += _table(rows)
    for r in result.unexpected:
        lines.append("  unexpected record:")
        lines += ["    " + f"{k}: {_show(getattr(r, k))}" for k in SUMMARY_FIELDS]
    return lines


def format_report(results: list[ExampleResult], positions, path: str, seconds: float) -> str:
    """A pytest-like report: one line per rule, then every failure."""
    lines: list[str] = []
    by_rule: dict[str, list[ExampleResult]] = {}
    for r in results:
        by_rule.setdefault(r.rule.id, []).append(r)
    width = max((len(k) for k in by_rule), default=0)
    for rid, rs in by_rule.items():
        dots = "".join("." if r.passed else "F" for r in rs)
        failed = sum(1 for r in rs if not r.passed)
        tail = f"{len(rs) - failed} passed" + (f", {failed} failed" if failed else "")
        lines.append(f"{rid.ljust(width)} {dots}  {tail}")
    failures = [r for r in results if not r.passed]
    if failures:
        lines += ["", "FAILURES"]
        for r in failures:
            file, line, col = positions.where(r.rule.where + ("examples", r.number - 1))
            lines += [""] + format_failure(r, f"{file or path}:{line}:{col}")
    passed = len(results) - len(failures)
    lines += ["", f"{passed} passed, {len(failures)} failed, {len(by_rule)} rules in {seconds:.2f}s"]
    return "\n".join(lines)
