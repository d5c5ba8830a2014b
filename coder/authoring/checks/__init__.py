"""The checks only ``coder codebook lint`` runs, one module per check.

They use the interface of the load-time checks (:mod:`coder.codebook.checks`:
``ID``, ``LEVEL``, ``DESCRIPTION``, ``check(ctx)``), on a :class:`LintContext`,
which can also compile the codebook and code its examples: that is how they
find rules that match nothing or are always beaten.  None of them makes a
codebook unusable, so ``coder run`` never runs them.
"""

from __future__ import annotations

from functools import cached_property

from coder.authoring.checks import (
    broad_rule,
    common_word_alias,
    example_coverage,
    example_no_match,
    shadowed_rule,
)
from coder.codebook.checks import Context

#: Every lint-only check, in the order they run.
CHECKS = (common_word_alias, example_coverage, example_no_match, shadowed_rule, broad_rule)


class LintContext(Context):
    """A check context that can also compile the codebook and code its examples."""

    @classmethod
    def of(cls, ctx: Context) -> LintContext:
        return cls(ctx.path, ctx.text, ctx.data, ctx.pos, ctx.cb)

    @cached_property
    def compiled(self):
        from coder.match.compile import compile_codebook

        return compile_codebook(self.cb)

    @cached_property
    def example_traces(self) -> list[tuple]:
        """(rule, example number, example, trace, records) for every example
        of every rule, coded with the whole codebook."""
        from coder.pipeline import code_document
        from coder.text.document import Document

        out = []
        for rule in self.cb.rules:
            for n, ex in enumerate(rule.examples, 1):
                trace: list = []
                records, _ = code_document(self.compiled, Document(f"{rule.id}#{n}", ex.text, ex.date), trace=trace)
                out.append((rule, n, ex, trace, records))
        return out
