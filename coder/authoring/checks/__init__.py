"""The checks only ``coder codebook lint`` runs, one module per check.

They use the interface of the load-time checks (:mod:`coder.codebook.checks`:
``ID``, ``LEVEL``, ``DESCRIPTION``, ``check(ctx)``), on a :class:`LintContext`,
which can also compile the codebook and code its examples: that is how they
find rules that match nothing or are always beaten.  None of them makes a
codebook unusable, so ``coder run`` never runs them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

from coder.authoring.checks import (
    broad_rule,
    codebook_name,
    common_word_alias,
    costly_rule,
    example_coverage,
    example_no_match,
    gazetteer_place,
    shadowed_rule,
)
from coder.codebook.checks import Context

#: Every lint-only check, in the order they run (gazetteer_place first: the
#: checks that code the examples need the places it fills).
CHECKS = (gazetteer_place, common_word_alias, example_coverage, example_no_match, shadowed_rule, broad_rule,
          costly_rule, codebook_name)


@dataclass
class ExampleRun:
    """What coding every example of every rule showed, for the checks that
    need it (one pass, nothing else kept: memory grows with the rules, not
    with the examples)."""

    #: rule id -> whether its pattern matched one of its own positive examples
    matched: dict[str, bool] = field(default_factory=dict)
    #: rule id -> how many of its matches on the examples gave a record
    kept: Counter = field(default_factory=Counter)
    #: rule id -> the rules that took its matches, and how often
    takers: dict[str, Counter] = field(default_factory=dict)
    #: rule id -> the earlier rule with the same event type and pattern
    same_as: dict[str, str] = field(default_factory=dict)


class LintContext(Context):
    """A check context that can also compile the codebook and code its examples."""

    @classmethod
    def of(cls, ctx: Context) -> LintContext:
        return cls(ctx.path, ctx.text, ctx.data, ctx.pos, ctx.cb, ctx.texts)

    @cached_property
    def compiled(self):
        from coder.match.compile import compile_codebook

        return compile_codebook(self.cb)

    @cached_property
    def parsed(self) -> dict[str, object]:
        """rule id -> its parsed pattern (parsed once for every check)."""
        return {cr.rule.id: cr.pattern for cr in self.compiled.rules}

    @cached_property
    def examples(self) -> ExampleRun:
        """Every example of every rule coded with the whole codebook, once.

        A rule with the same event type and pattern as an earlier rule
        matches exactly where that one does and never wins over it, so it is
        left out of the matching (its examples are coded all the same, and
        the earlier rule's matches stand for it): a codebook of many copies
        of a few rules is linted in the time of the few, not of the copies
        squared."""
        from coder.pipeline import code_document
        from coder.text.document import Document

        run = ExampleRun()
        first: dict = {}
        for rule in self.cb.rules:
            key = (rule.event_type, self.parsed[rule.id].items)
            if key in first:
                run.same_as[rule.id] = first[key]
            else:
                first[key] = rule.id
        compiled = self._without(set(run.same_as))
        for rule in self.cb.rules:
            own = run.same_as.get(rule.id, rule.id)
            for n, ex in enumerate(rule.examples, 1):
                trace: list = []
                records, _ = code_document(self._for_text(compiled, ex.text), Document(f"{rule.id}#{n}", ex.text,
                                                                                       ex.date), trace=trace)
                winners = {r.rule_id for r in records}
                hit = False
                for t in trace:
                    for c in t.candidates:
                        rid = c.rule.rule.id
                        hit = hit or rid == own
                        if c.status == "kept" and rid in winners:
                            run.kept[rid] += 1
                        elif c.reason.startswith("overlaps rule "):
                            taker = c.reason.split()[2].rstrip(",")
                            run.takers.setdefault(rid, Counter())[taker] += 1
                if ex.expect:
                    run.matched[rule.id] = run.matched.get(rule.id, False) or hit
        return run

    def _without(self, rule_ids: set[str]):
        """The compiled codebook with the rules ``rule_ids`` left out of matching."""
        compiled = self.compiled
        compiled.gazetteer()  # opened once, shared by the copies
        _ = compiled.variant_index, compiled.cue_edges  # computed once, shared by the copies
        if not rule_ids:
            return compiled
        return _with_anchors(compiled, {form: kept for form, triggers in compiled.anchors.items()
                                        if (kept := [t for t in triggers if t.rule.rule.id not in rule_ids])})

    @staticmethod
    def _for_text(compiled, text: str):
        """``compiled`` with only the rules that can match somewhere in
        ``text``: those whose anchor occurs and whose other required words all
        occur (the matcher's own quick test, ``has_words``).  A rule left out
        could give no candidate, not even a near miss, so the trace is the
        same; but an example is not tried against every rule sharing its verb."""
        from coder.match.compile import has_words
        from coder.text.clean import clean_text
        from coder.text.sentences import split_sentences
        from coder.text.tokens import tokenize

        present = {t.norm for s in split_sentences(clean_text(text)) for t in tokenize(s.text)}
        anchors = compiled.anchors
        return _with_anchors(compiled, {form: kept for form in present if form in anchors
                                        if (kept := [t for t in anchors[form] if has_words(present, t.needs)])})


def _with_anchors(compiled, anchors: dict):
    """A shallow copy of a compiled codebook that triggers only ``anchors``."""
    copy = object.__new__(type(compiled))
    copy.__dict__.update(compiled.__dict__)
    copy.anchors = anchors
    return copy
