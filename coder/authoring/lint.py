"""``coder codebook lint``: every check of :mod:`coder.codebook.checks` and
:mod:`coder.authoring.checks` on a codebook file, as yamllint-style findings::

    path:line:col: level: message (check-id)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from coder.authoring.checks import CHECKS, LintContext
from coder.codebook.checks import problem_order, run_checks
from coder.codebook.load import inspect_codebook
from coder.errors import Problem, printable


@dataclass(frozen=True)
class Finding:
    """One lint problem: a level (error/warning) and where it is."""

    level: str
    problem: Problem

    @property
    def check(self) -> str:
        return self.problem.code

    def __str__(self) -> str:
        p = self.problem
        where = printable(str(p.path))
        if p.line is not None:
            where += f":{p.line}"
            if p.col is not None:
                where += f":{p.col}"
        return f"{where}: {self.level}: {printable(p.message)} ({p.code})"

    def to_dict(self) -> dict:
        p = self.problem
        return {
            "path": p.path, "line": p.line, "column": p.col, "level": self.level,
            "check": p.code, "field": p.field, "message": p.message,
        }


def lint_codebook(path: str | Path | None = None) -> list[Finding]:
    """All problems of a codebook: load errors first stop the deeper checks
    (a codebook that does not load cannot be matched against its examples)."""
    cb, ctx, problems = inspect_codebook(path)
    found = [Finding("error", p) for p in problems]
    if cb is not None:
        found += [Finding(level, p) for level, p in run_checks(LintContext.of(ctx), CHECKS)]
    if ctx is not None:  # else the load's problems, in their order
        order = problem_order(ctx.path, list(ctx.texts))
        found.sort(key=lambda f: (order(f.problem), f.check))
    return found
