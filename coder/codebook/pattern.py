"""The pattern language of codebook rules and cues.

A pattern is a sequence of items separated by spaces::

    {actor1} [capture|seize|take control of] {location} (from {actor2})

* ``word`` -- a lemma: matches every inflection (capture, captured, captures,
  capturing), in any capitalisation.  ``"word"`` in double quotes matches only
  that exact form.
* ``[a|b c|d]`` -- one of the alternatives (each a sequence of words and slots).
* ``(a|b)`` -- optionally one of the alternatives.
* ``{actor1}``, ``{actor2}``, ``{location}`` -- slots, filled with an actor or a
  place found in the sentence; ``{actor2?}`` makes a slot optional.
* ``/regex/`` -- one token whose whole text matches the regular expression
  (``/[0-9]+/``).  Regular expressions run on google-re2, a linear-time
  engine: a pattern re2 cannot run (backreferences, lookaround) is refused
  when the codebook loads, so no codebook can make matching take
  super-linear time.  Matching is case-sensitive; write ``(?i)`` for not.
* ``...`` -- a gap: skips up to ``settings.max_gap`` tokens, never across a
  clause boundary (``;``, ``:`` or whereas/but/although ...).

Between two items the matcher allows a few filler words (determiners,
adjectives, adverbs: ``launched a major offensive``); see docs/codebook.md.
The first required word (or required group of words) is the pattern's anchor:
the codebook compiler indexes anchors so that a sentence is only tried against
the rules whose anchor occurs in it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import re2

from coder.codebook.inflect import forms
from coder.text.tokens import words as phrase_words

SLOT_NAMES = ("actor1", "actor2", "location")


class PatternError(ValueError):
    """A pattern that cannot be parsed; ``offset`` is the 0-based column in the pattern."""

    def __init__(self, message: str, offset: int, kind: str = "syntax"):
        super().__init__(message)
        self.message = message
        self.offset = offset
        self.kind = kind  # "syntax" or "regex"


@dataclass(frozen=True, slots=True)
class Word:
    forms: frozenset[str]
    text: str  # as written, for explanations


@dataclass(frozen=True, slots=True)
class Regex:
    """One token whose whole text matches ``source`` (run on re2)."""

    source: str
    compiled: object = field(compare=False, hash=False, repr=False, default=None)
    #: token text -> whether it matches: a call into re2 costs more than a
    #: look-up, and the same tokens ("the", "2", "Monday") come back often
    memo: dict = field(compare=False, hash=False, repr=False, default_factory=dict)

    def matches(self, text: str) -> bool:
        memo = self.memo
        found = memo.get(text)
        if found is None:
            if len(memo) >= 4096:  # bounded: a long corpus of new tokens does not grow it
                memo.clear()
            found = memo[text] = self.compiled.fullmatch(text) is not None
        return found

    def __reduce__(self):  # re2 objects do not pickle: compile again (codebook cache)
        return (_regex, (self.source,))


def _regex(source: str) -> Regex:
    return Regex(source, compile_regex(source))


#: Regular expressions longer than this are refused (re2 would accept them,
#: but nobody writes one on purpose).
MAX_REGEX = 500
_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False
_RE2_OPTIONS.max_mem = 1 << 20  # a regex whose program needs more is refused


def compile_regex(source: str, offset: int = 0):
    """Compile a user regular expression on re2, or raise PatternError."""
    if not source:
        raise PatternError("empty regular expression '//'", offset, "regex")
    if len(source) > MAX_REGEX:
        raise PatternError(f"regular expression longer than {MAX_REGEX} characters", offset, "regex")
    try:
        return re2.compile(source, _RE2_OPTIONS)
    except re2.error as exc:
        detail = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise PatternError(
            f"regular expression /{source}/ cannot run on the linear-time engine (re2): {detail}", offset, "regex"
        ) from None


@dataclass(frozen=True, slots=True)
class Slot:
    name: str
    optional: bool = False


@dataclass(frozen=True, slots=True)
class Group:
    alts: tuple[tuple, ...]  # each alt: a tuple of Word | Slot
    optional: bool
    #: per alternative, the forms its first (last) item can take when that
    #: item is a word, else None: the matcher skips an alternative that
    #: cannot start where it stands
    firsts: tuple = field(default=(), compare=False, repr=False)
    lasts: tuple = field(default=(), compare=False, repr=False)
    #: (form -> indexes of the alternatives that can start with it, indexes
    #: of those that can start with anything), forwards and backwards: the
    #: matcher looks up the few alternatives the next word allows
    by_first: tuple = field(default=(), compare=False, repr=False)
    by_last: tuple = field(default=(), compare=False, repr=False)
    #: the alternatives reversed, for matching backwards from an anchor
    #: (reversed once here, not at every try)
    reversed_alts: tuple = field(default=(), compare=False, repr=False)
    #: the forms of the alternatives that are one word ("a", "an", "heavy"): an
    #: optional group skipped before such a word need not let the next item
    #: pass over it as a filler (matching the word as the group finds that)
    singles: frozenset = field(default=frozenset(), compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "reversed_alts", tuple(alt[::-1] for alt in self.alts))
        object.__setattr__(self, "singles", frozenset().union(
            *(alt[0].forms for alt in self.alts if len(alt) == 1 and isinstance(alt[0], Word))))
        object.__setattr__(self, "firsts", tuple(
            alt[0].forms if alt and isinstance(alt[0], Word) else None for alt in self.alts))
        object.__setattr__(self, "lasts", tuple(
            alt[-1].forms if alt and isinstance(alt[-1], Word) else None for alt in self.alts))
        object.__setattr__(self, "by_first", _edge_index(self.firsts))
        object.__setattr__(self, "by_last", _edge_index(self.lasts))


def _edge_index(edges: tuple) -> tuple[dict[str, tuple[int, ...]], tuple[int, ...]]:
    """(form -> indexes of the alternatives whose edge word can be that form,
    indexes of the alternatives whose edge can be any word)."""
    table: dict[str, list[int]] = {}
    anything = []
    for k, edge in enumerate(edges):
        if edge is None:
            anything.append(k)
            continue
        for f in edge:
            table.setdefault(f, []).append(k)
    return {f: tuple(v) for f, v in table.items()}, tuple(anything)


@dataclass(frozen=True, slots=True)
class Gap:
    pass


@dataclass(frozen=True, slots=True)
class Pattern:
    source: str
    items: tuple  # Word | Slot | Group | Gap
    anchor: int  # index of the anchor item (-1 for cue patterns without one)

    @property
    def slots(self) -> tuple[str, ...]:
        names: list[str] = []
        for item in self.items:
            if isinstance(item, Slot):
                names.append(item.name)
            elif isinstance(item, Group):
                for alt in item.alts:
                    names.extend(x.name for x in alt if isinstance(x, Slot))
        return tuple(dict.fromkeys(names))

    @property
    def required_slots(self) -> tuple[str, ...]:
        return tuple(x.name for x in self.items if isinstance(x, Slot) and not x.optional)

    def anchor_alternatives(self) -> list[tuple[Word, ...]]:
        """The word sequences the anchor can start with (for the trigger index)."""
        item = self.items[self.anchor]
        if isinstance(item, Word):
            return [(item,)]
        return [tuple(alt) for alt in item.alts]


_LEX = re.compile(
    r"""
      (?P<space>\s+)
    | (?P<slot>\{\s*(?P<slotname>[^{}?\s]*)\s*(?P<opt>\?)?\s*\})
    | (?P<gap>\.\.\.)
    | /(?P<regex>(?:[^/\\]|\\.)*)/
    | (?P<open>[\[(])
    | (?P<close>[\])])
    | (?P<bar>\|)
    | "(?P<quoted>[^"]*)"
    | (?P<word>[^\s\[\](){}|"]+)
    | (?P<bad>.)
    """,
    re.VERBOSE,
)


def _words(text: str, offset: int, exact: bool, extra) -> list[Word]:
    parts = phrase_words(text)
    if not parts:
        raise PatternError(f"'{text}' has no word in it", offset)
    if exact:
        return [Word(frozenset((p,)), p) for p in parts]
    return [Word(forms(p, extra), p) for p in parts]


def parse(source: str, *, slots_allowed: bool = True, extra_forms=None) -> Pattern:
    """Parse a pattern; raise PatternError with the offset of the problem."""
    items: list = []
    group_alts: list[list] | None = None
    group_open = ("", 0)
    seen_slots: set[str] = set()

    def add(item, pos: int) -> None:
        if group_alts is not None:
            if isinstance(item, Gap):
                raise PatternError("a gap '...' cannot stand inside a group", pos)
            group_alts[-1].append(item)
        else:
            items.append(item)

    for m in _LEX.finditer(source):
        kind, pos = m.lastgroup, m.start()
        if kind == "space":
            continue
        if kind == "bad":
            raise PatternError(f"unexpected character '{m.group()}'", pos)
        if kind == "slot":
            name = m.group("slotname")
            if not slots_allowed:
                raise PatternError("slots are not allowed here", pos)
            if name not in SLOT_NAMES:
                raise PatternError(f"unknown slot '{{{name}}}': use {{actor1}}, {{actor2}} or {{location}}", pos)
            if name in seen_slots and not m.group("opt"):
                # a later optional {location?} may repeat a slot that an item
                # before it may have filled: "[{actor2}|{location}] ... {location?}"
                raise PatternError(f"slot '{{{name}}}' appears twice", pos)
            seen_slots.add(name)
            add(Slot(name, bool(m.group("opt"))), pos)
        elif kind == "regex":
            source = m.group("regex").replace("\\/", "/")
            add(Regex(source, compile_regex(source, pos)), pos)
        elif kind == "gap":
            if group_alts is None and (not items or isinstance(items[-1], Gap)):
                raise PatternError("a gap '...' must stand between two items", pos)
            add(Gap(), pos)
        elif kind == "open":
            if group_alts is not None:
                raise PatternError("groups cannot be nested", pos)
            group_alts = [[]]
            group_open = (m.group(), pos)
        elif kind == "bar":
            if group_alts is None:
                raise PatternError("'|' outside a group: write [a|b] or (a|b)", pos)
            if not group_alts[-1]:
                raise PatternError("empty alternative in a group", pos)
            group_alts.append([])
        elif kind == "close":
            if group_alts is None:
                raise PatternError(f"'{m.group()}' closes nothing", pos)
            want = "]" if group_open[0] == "[" else ")"
            if m.group() != want:
                raise PatternError(f"'{group_open[0]}' at column {group_open[1] + 1} is closed by '{m.group()}'", pos)
            if not group_alts[-1]:
                raise PatternError("empty alternative in a group", pos)
            alts = sorted((tuple(a) for a in group_alts), key=len, reverse=True)
            items.append(Group(tuple(alts), optional=(want == ")")))
            group_alts = None
        else:
            exact = kind == "quoted"
            text = m.group("quoted") if exact else m.group("word")
            for w in _words(text, pos, exact, extra_forms):
                add(w, pos)
    if group_alts is not None:
        raise PatternError(f"'{group_open[0]}' is never closed", group_open[1])
    if not items:
        raise PatternError("the pattern is empty", 0)
    if isinstance(items[-1], Gap):
        raise PatternError("a gap '...' must stand between two items", len(source.rstrip()) - 3)
    anchor = _find_anchor(items)
    if anchor < 0:
        raise PatternError("a pattern needs at least one required word outside optional groups", 0)
    return Pattern(source, tuple(items), anchor)


def _find_anchor(items: list) -> int:
    for i, item in enumerate(items):
        if isinstance(item, Word):
            return i
        if isinstance(item, Group) and not item.optional and all(isinstance(alt[0], Word) for alt in item.alts):
            return i
    return -1


def edge_forms(items: tuple, last: bool = False) -> frozenset[str] | None:
    """Word forms the first (or last) token of a match must have, or None
    when any token could start it (a slot or gap comes first)."""
    seq = list(reversed(items)) if last else list(items)
    out: set[str] = set()
    for item in seq:
        if isinstance(item, Word):
            return frozenset(out | item.forms)
        if isinstance(item, Group):
            for alt in item.alts:
                alt = tuple(reversed(alt)) if last else alt
                if not isinstance(alt[0], Word):
                    return None
                out |= alt[0].forms
            if not item.optional:
                return frozenset(out)
            continue
        return None
    return frozenset(out) if out else None
