"""The load-time codebook checks, one module per check (the yamllint model).

A problem found here makes the codebook unusable, so that
:func:`coder.codebook.load_codebook` refuses it (every check here is an
error).  The checks that only ``coder codebook lint`` runs, some of which code
the examples with the whole pipeline, live one layer up, in
:mod:`coder.authoring.checks`, and use the same interface.

Each module defines

* ``ID`` -- the check id printed after each problem (``(duplicate-alias)``);
* ``LEVEL`` -- ``"error"`` or ``"warning"``;
* ``DESCRIPTION`` -- one line for ``docs/codebook.md``;
* ``check(ctx)`` -- yields :class:`~coder.errors.Problem` objects whose
  ``code`` is the check id.

The YAML and JSON-Schema stages run before any check (their problems carry
the ids ``yaml-syntax``, ``yaml-duplicate-key``, ``yaml-limit``, ``schema``,
``example-expect``); the checks here run on a codebook that passed them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from coder.codebook.checks import (
    acled_type,
    bad_cameo,
    bad_pattern,
    bad_regex,
    duplicate_alias,
    duplicate_id,
    place_country,
    undefined_reference,
)
from coder.codebook.model import Codebook
from coder.codebook.yamlpos import Positions
from coder.errors import Problem

#: Every load-time check, in the order they run.
CHECKS = (duplicate_id, duplicate_alias, undefined_reference, bad_pattern, bad_regex, bad_cameo, acled_type,
          place_country)


def field_name(path: tuple) -> str:
    """``('rules', 3, 'pattern')`` -> ``rules[3].pattern``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


@dataclass
class Context:
    """What a check may look at: the file, its data with positions, the model."""

    path: str
    text: str
    data: dict
    pos: Positions
    cb: Codebook
    #: file -> its text, for a codebook split into files (the main file's is ``text``)
    texts: dict[str, str] = field(default_factory=dict, repr=False)
    _lines: dict[str, list[str]] = field(default_factory=dict, repr=False)

    def problem(self, code: str, message: str, where: tuple, offset: int | None = None,
                key: bool = False) -> Problem:
        """A problem at the value (or key) at ``where``; ``offset`` is a
        0-based column inside that value's text (for patterns)."""
        file, line, col = self.pos.where(where, key)
        file = file or self.path
        if offset is not None:
            col = self._text_col(file, line, col) + offset
        return Problem(code, message, file, line, col, field_name(where) or None)

    def ref(self, where: tuple, here: tuple) -> str:
        """Where the value at ``where`` stands, said from the problem at
        ``here``: "line 12", or "line 12 of rules/capture.yaml" when the two
        stand in different files."""
        file, line, _col = self.pos.where(where)
        return f"line {line}" if file == self.pos.file_of(here) else f"line {line} of {file or self.path}"

    def _text_col(self, file: str, line: int, col: int) -> int:
        """Column where a scalar's text starts (after an opening quote)."""
        lines = self._lines.get(file)
        if lines is None:
            lines = self._lines[file] = self.texts.get(file, self.text if file == self.path else "").splitlines()
        if 0 < line <= len(lines):
            src = lines[line - 1]
            if 0 < col <= len(src) and src[col - 1] in "\"'":
                return col + 1
        return col

    @cached_property
    def patterns(self) -> list[tuple[tuple, str, bool]]:
        """Every pattern in the codebook: (where, source, slots allowed)."""
        cb, out = self.cb, []
        for rule in cb.rules:
            out.append((rule.where + ("pattern",), rule.pattern, True))
        for name, et in cb.event_types.items():
            for section, items in (("variants", et.variants), ("exclude", et.excludes)):
                for i, v in enumerate(items):
                    for key in ("words", "no_words"):
                        for j, phrase in enumerate(getattr(v.when, key)):
                            out.append((("event_types", name, section, i, "when", key, j), phrase, False))
        for cue in cb.cues:
            raw = self.data["cues"][cue.where[1]][cue.where[2]]
            out.append((cue.where if isinstance(raw, str) else cue.where + ("pattern",), cue.pattern, False))
            for j, phrase in enumerate(cue.except_after):
                out.append((cue.where + ("except_after", j), phrase, False))
        return out

    @cached_property
    def pattern_errors(self) -> dict[tuple, object]:
        """where -> PatternError for every pattern that does not parse."""
        from coder.codebook.pattern import PatternError, parse

        out = {}
        for where, source, slots in self.patterns:
            try:
                parse(source, slots_allowed=slots, extra_forms=self.cb.inflections)
            except PatternError as exc:
                out[where] = exc
        return out


def run_checks(ctx: Context, checks: tuple = CHECKS) -> list[tuple[str, Problem]]:
    """Run ``checks`` (the load-time ones by default); return (level,
    problem) pairs sorted by position."""
    out: list[tuple[str, Problem]] = []
    for module in checks:
        for problem in module.check(ctx):
            out.append((module.LEVEL, problem))
    order = problem_order(ctx.path, list(ctx.texts))
    out.sort(key=lambda lp: order(lp[1]))
    return out


def problem_order(main: str, files: list[str]):
    """Sort key of problems: the main file's first, then each included file's
    in the order ``include`` names them; in a file, by line and column."""
    rank = {f: i for i, f in enumerate([main] + [f for f in files if f != main])}
    return lambda p: (rank.get(str(p.path), len(rank)), str(p.path or ""), p.line or 0, p.col or 0)
