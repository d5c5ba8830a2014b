"""Match compiled rules against one sentence.

For every token whose form starts a rule anchor, the rule's pattern is matched
outwards from the anchor: the items after it forwards, the items before it
backwards.  A leading slot (``{actor1} launched ...``) is found by the subject
search, which walks left from the trigger over the clause the way a reader
finds a subject: it passes over actors that are objects of prepositions
(``backed by the Russian air force``), parenthetical relative clauses, and
the pronoun that opens reported speech (``X said on Thursday they had ...``);
inside a relative clause it takes the antecedent of ``which``/``who``.

Every rule that triggers becomes a :class:`Candidate`.  Candidates of one
event type whose trigger words overlap compete; the most complete one wins.
A winner is then checked against negation and modality cues.  Every candidate
keeps the reason it was dropped, for ``coder explain``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise

from coder.codebook.model import Settings
from coder.codebook.pattern import Gap, Group, Pattern, Regex, Slot, Word
from coder.match.compile import Compiled, CompiledCue, CompiledRule, Trigger, has_words
from coder.match.mentions import Mention
from coder.match.words import (
    CONTRAST,
    DETERMINERS,
    HARD,
    NOT_FILLER,
    PREPOSITIONS,
    RELATIVE,
    REPORTING,
    SUBJECT_PRONOUNS,
    TRANSPARENT_PUNCT,
)
from coder.text.tokens import Token

#: Auxiliaries after "that": "the town that was captured" is a relative clause.
_AUX = frozenset("is are was were has have had be been being will would".split())

#: What the matcher calls with each match found: (boundary, slots, word
#: positions) -> True to stop looking.
Emit = Callable[[int, dict, list], bool]


def _first(p: int, slots: dict, words: list) -> bool:
    """An Emit that stops at the first match (to ask "is there one?")."""
    return True


#: Most partial matches tried per trigger (a bound on backtracking).
MAX_STEPS = 5000
#: Most partial matches tried in a whole sentence, per token of it: the work
#: on a sentence grows with its length whatever the rules (a rule of many
#: ``...`` gaps could take 5,000 steps at each of a thousand triggers).
SENTENCE_STEPS_PER_TOKEN = 50
#: Alternative complete matches compared per trigger.
MAX_MATCHES = 16


@dataclass(slots=True)
class Candidate:
    rule: CompiledRule
    anchor: tuple[int, int]  # token span of the anchor words
    core: tuple[int, int]  # token span of all matched words (not slots)
    span: tuple[int, int]  # token span of the whole match
    slots: dict[str, list[Mention]]
    missing: tuple[str, ...] = ()
    status: str = "kept"  # kept | dropped
    reason: str = ""

    @property
    def event_type(self) -> str:
        return self.rule.rule.event_type

    @property
    def complete(self) -> bool:
        return not self.missing


@dataclass
class SentenceView:
    """What the matcher knows of a sentence: tokens, mentions, dates."""

    tokens: list[Token]
    mentions: list[Mention]
    date_spans: list[tuple[int, int]] = field(default_factory=list)  # token spans, lead word included
    #: set by :func:`match_sentence` when it stopped before trying every way a
    #: rule could match (a step bound was reached): matches may be missing
    cut_short: bool = False
    #: the steps left while :func:`match_sentence` runs (None otherwise)
    work: _Work | None = None

    def __post_init__(self) -> None:
        n = self.n = len(self.tokens)
        norms = self.norms = [t.norm for t in self.tokens]
        self.norm_set = frozenset(norms)
        in_mention = [False] * n
        starts: dict[int, list[Mention]] = {}
        ends: dict[int, list[Mention]] = {}
        for m in self.mentions:
            starts.setdefault(m.start, []).append(m)
            if m.head != m.start:  # "base near Manbij" can also be found at "Manbij"
                starts.setdefault(m.head, []).append(m)
            ends.setdefault(m.end, []).append(m)
            in_mention[m.start:m.end] = [True] * (m.end - m.start)
        self.starts, self.ends = starts, ends
        in_date = self.in_date = [False] * n
        self.date_starts = [a for a, _ in self.date_spans]
        for a, b in self.date_spans:
            in_date[a:b] = [True] * (b - a)
        # a word (not a closed-class word), a bracket or quote, or a date, outside mentions
        self.filler = [
            not mention and (dated or nm in TRANSPARENT_PUNCT or (nm[:1].isalnum() and nm not in NOT_FILLER))
            for nm, mention, dated in zip(norms, in_mention, in_date, strict=True)
        ]
        stop = self.stop = [nm in _STOPS for nm in norms]
        self.boundaries = [k for k, nm in enumerate(norms) if nm in _BOUNDARIES]
        # ", who ... ," and ", backed by ... ," segments: closing comma -> opening comma
        self.paren_comma: dict[int, int] = {}
        self.paren_open: dict[int, int] = {}
        if "," in self.norm_set:
            commas = [k for k, nm in enumerate(norms) if nm == ","]
            for a, b in pairwise(commas):
                first = norms[a + 1] if a + 1 < b else ""
                second = norms[a + 2] if a + 2 < b else ""
                if first in RELATIVE or (first.endswith("ed") and second == "by"):
                    self.paren_comma[b] = a
                    stop[b] = True  # a gap never leaves a parenthetical clause
        if "(" in self.norm_set:
            stack: list[int] = []
            for k, nm in enumerate(norms):
                if nm == "(":
                    stack.append(k)
                elif nm == ")" and stack:
                    self.paren_open[k] = stack.pop()


_STOPS = HARD | CONTRAST
_BOUNDARIES = HARD | {","}


def _slot_kind_ok(m: Mention, name: str) -> bool:
    return m.is_place if name == "location" else m.actor is not None


def _fill(m: Mention, name: str) -> list[Mention]:
    if name == "location" and m.group:
        return list(m.group)
    return [m]


class _Work:
    """The steps a sentence may still take, and whether a bound was reached."""

    __slots__ = ("left", "cut")

    def __init__(self, left: int):
        self.left, self.cut = left, False


class _Matcher:
    def __init__(self, view: SentenceView, settings: Settings, strict: bool = True, work: _Work | None = None):
        self.v = view
        self.s = settings
        self.strict = strict
        self.steps = 0
        self.work = work

    # -- positions -----------------------------------------------------------
    def filler_positions(self, p: int, d: int) -> list[int]:
        out = [p]
        count = 0
        v = self.v
        while True:
            idx = p if d > 0 else p - 1
            if idx < 0 or idx >= v.n or not v.filler[idx]:
                return out
            if not v.in_date[idx]:
                count += 1
                if count > self.s.max_filler:
                    return out
            p += d
            out.append(p)

    def gap_positions(self, p: int, d: int) -> list[int]:
        out = [p]
        v = self.v
        for _ in range(self.s.max_gap):
            idx = p if d > 0 else p - 1
            if idx < 0 or idx >= v.n or v.stop[idx]:
                break
            p += d
            out.append(p)
        return out

    def mentions_at(self, q: int, d: int, name: str) -> list[Mention]:
        v = self.v
        found = v.starts.get(q, ()) if d > 0 else v.ends.get(q, ())
        return [
            m for m in found
            if _slot_kind_ok(m, name)
            # an actor right before "said" is the speaker, not a participant
            and not (name != "location" and m.end < v.n and v.norms[m.end] in REPORTING)
        ]

    def _next_norms(self, positions: list[int], d: int) -> set[str]:
        """The norms of the tokens a word item could take from ``positions``."""
        n = self.v.n
        norms = self.v.norms
        out = set()
        for q in positions:
            idx = q if d > 0 else q - 1
            if 0 <= idx < n:
                out.add(norms[idx])
        return out

    # -- sequence matching ---------------------------------------------------
    def match(self, items: tuple, k: int, p: int, d: int, slots: dict, words: list,
              emit: Emit, filler: bool = True) -> bool:
        """Call ``emit(boundary, slots, word positions)`` for every way
        items[k:] match from p, in order, until it returns True; then return
        True (stop).  A callback, not a generator: no generator frame per
        item, and no result passed up through every level."""
        self.steps += 1
        work = self.work
        if work is not None:
            work.left -= 1
            if self.steps > MAX_STEPS or work.left < 0:
                work.cut = True
                return False
        elif self.steps > MAX_STEPS:
            return False
        if k == len(items):
            return emit(p, slots, words)
        item = items[k]
        if isinstance(item, Gap):
            for q in self.gap_positions(p, d):
                if self.match(items, k + 1, q, d, slots, words, emit, False):
                    return True
            return False
        positions = self.filler_positions(p, d) if filler else [p]
        if isinstance(item, Word):
            norms, n, forms = self.v.norms, self.v.n, item.forms
            for q in positions:
                idx = q if d > 0 else q - 1
                if 0 <= idx < n and norms[idx] in forms \
                        and self.match(items, k + 1, q + d, d, slots, words + [idx], emit):
                    return True
            return False
        if isinstance(item, Regex):
            for q in positions:
                idx = q if d > 0 else q - 1
                if 0 <= idx < self.v.n and item.matches(self.v.tokens[idx].text) \
                        and self.match(items, k + 1, q + d, d, slots, words + [idx], emit):
                    return True
            return False
        if isinstance(item, Slot):
            if item.name not in slots:
                for q in positions:
                    for m in self.mentions_at(q, d, item.name):
                        fill = _fill(m, item.name)
                        edge = max(x.end for x in fill) if d > 0 else min(x.start for x in fill)
                        if self.match(items, k + 1, edge, d, {**slots, item.name: fill}, words, emit):
                            return True
            if item.optional or not self.strict or item.name in slots:
                return self.match(items, k + 1, p, d, slots, words, emit, filler)
            return False
        if isinstance(item, Group):
            # the words that could come next: an alternative starting with a
            # word none of them is would fail at once, so it is not tried
            here = None
            for alt, edge in zip(item.alts, item.firsts if d > 0 else item.lasts, strict=True):
                if edge is not None:
                    if here is None:
                        here = self._next_norms(positions, d)
                    if here.isdisjoint(edge):
                        continue
                seq = tuple(alt) if d > 0 else tuple(reversed(alt))
                if self.match(seq + items[k + 1:], 0, p, d, slots, words, emit, filler):
                    return True
            if item.optional:
                return self.match(items, k + 1, p, d, slots, words, emit, filler)
            return False
        raise TypeError(item)  # pragma: no cover

    # -- subject search ------------------------------------------------------
    def after_preposition(self, m: Mention) -> bool:
        j = m.start - 1
        norms = self.v.norms
        while j >= 0 and (norms[j] in DETERMINERS or norms[j] == "("):
            j -= 1
        return j >= 0 and norms[j] in PREPOSITIONS

    def subject(self, p: int, name: str) -> Mention | None:
        """The subject of the clause that ends at boundary p (see module doc)."""
        v = self.v
        i = p - 1
        crossed_comma = False
        steps = 0
        while i >= 0 and steps < self.s.subject_reach:
            steps += 1
            nm = v.norms[i]
            if nm == "," and i in v.paren_comma:
                i = v.paren_comma[i] - 1
                crossed_comma = True
                continue
            if v.stop[i] or nm in REPORTING:
                return None
            ending = v.ends.get(i + 1, ())
            if ending:
                m = ending[0]
                wanted = [x for x in ending if _slot_kind_ok(x, name)]
                if wanted:
                    m = wanted[0]
                    if not (name == "location" and m.possessive) and not self.after_preposition(m):
                        return m
                i = m.start - 1
                continue
            if nm == ")" and i in v.paren_open:
                i = v.paren_open[i] - 1
                continue
            if nm == ",":
                crossed_comma = True
            elif nm in SUBJECT_PRONOUNS and name != "location":
                j = i - 1
                while j >= 0 and (v.in_date[j] or v.norms[j] == "that"):
                    j -= 1
                if j >= 0 and v.norms[j] in REPORTING:
                    i = j - 1
                    continue
                return None
            elif nm in RELATIVE or (nm == "that" and i + 1 < v.n and v.norms[i + 1] in _AUX):
                if not crossed_comma:
                    return self.antecedent(i, name)
            i -= 1
        return None

    def antecedent(self, rel: int, name: str) -> Mention | None:
        v = self.v
        j = rel - 1
        commas = 0
        if j >= 0 and v.norms[j] == ",":
            j -= 1
        steps = 0
        while j >= 0 and steps < 12:
            steps += 1
            if v.stop[j]:
                return None
            ending = v.ends.get(j + 1, ())
            if ending:
                wanted = [x for x in ending if _slot_kind_ok(x, name) and not x.possessive]
                if wanted:
                    return wanted[0]
                j = ending[0].start - 1
                continue
            if v.norms[j] == ",":
                commas += 1
                if commas > 1:
                    return None
            j -= 1
        return None


def _named(c: Candidate) -> int:
    return sum(1 for m in c.slots.get("location", ()) if m.place is not None)


def _better(a: Candidate, b: Candidate) -> bool:
    """Whether candidate a beats b: complete first, then more slots filled,
    then more named places, then more pattern words, then the earlier rule."""
    ka = (a.complete, len(a.slots), _named(a), len(range(*a.core)), -a.rule.index)
    kb = (b.complete, len(b.slots), _named(b), len(range(*b.core)), -b.rule.index)
    return ka > kb


def match_rule(view: SentenceView, settings: Settings, trigger: Trigger, i: int,
               relaxed: bool = True) -> Candidate | None:
    """Match the rule of ``trigger``, whose anchor alternative starts at token ``i``.

    First strictly (required slots must be filled); if that fails and
    ``relaxed``, once more with every slot optional, to say which slot was
    missing (only explanations need that: a candidate with a missing slot is
    always dropped, so plain coding skips the second pass).
    """
    found = _match_rule(view, settings, trigger, i, strict=True)
    if found is None and relaxed:
        found = _match_rule(view, settings, trigger, i, strict=False)
    return found


def _match_rule(view: SentenceView, settings: Settings, trigger: Trigger, i: int, strict: bool) -> Candidate | None:
    m = _Matcher(view, settings, strict, view.work)
    cr, alt, right, left_items, lead = trigger.rule, trigger.alt, trigger.right, trigger.left, trigger.lead
    all_slots = cr.slots
    required = cr.required
    best: Candidate | None = None
    found = 0

    def on_right(r_end: int, r_slots: dict, r_words: list) -> bool:
        def on_left(l_start: int, slots: dict, all_words: list) -> bool:
            nonlocal best, found
            start = l_start
            if lead is not None:
                subj = m.subject(l_start, lead.name)
                if subj is not None:
                    slots = {**slots, lead.name: _fill(subj, lead.name)}
                    start = min(x.start for x in slots[lead.name])
                elif strict and not lead.optional:
                    return False
            missing = tuple(s for s in required if s not in slots)
            anchor_end = i + 1
            while anchor_end in all_words and anchor_end - i < len(alt):
                anchor_end += 1
            cand = Candidate(
                cr,
                (i, anchor_end),
                (min(all_words), max(all_words) + 1),
                (min([start] + all_words), max([r_end] + [w + 1 for w in all_words])),
                slots,
                missing,
            )
            if best is None or _better(cand, best):
                best = cand
            found += 1
            return found >= MAX_MATCHES or (
                best.complete and len(best.slots) == len(all_slots)
                and all(x.place is not None for x in best.slots.get("location", ()))
            )

        return m.match(left_items, 0, i, -1, r_slots, r_words, on_left)

    m.match(right, 0, i + 1, +1, {}, [i], on_right)
    return best


_EXACT = Settings(max_gap=0, max_filler=0)
_LOOSE = Settings(max_gap=8, max_filler=1)


def _cue_hit(view: SentenceView, cue: CompiledCue, end: int) -> tuple[int, int] | None:
    """Span of ``cue`` if it ends exactly at boundary ``end``."""
    items = tuple(reversed(cue.pattern.items))
    hit: list = []

    def on_cue(start: int, _slots: dict, words: list) -> bool:
        if not words:
            return False
        for exc in cue.except_after:
            if _Matcher(view, _EXACT).match(tuple(reversed(exc.items)), 0, start, -1, {}, [], _first, False):
                hit.append(None)
                return True
        hit.append((start, end))
        return True

    _Matcher(view, _EXACT).match(items, 0, end, -1, {}, [], on_cue, False)
    return hit[0] if hit else None


def occurs(view: SentenceView, pattern: Pattern, first: frozenset[str] | None) -> bool:
    """Whether a slot-less pattern occurs anywhere in the sentence (``first``:
    the forms its first word can take, to skip hopeless positions)."""
    norms = view.norms
    if first is not None:
        present = view.norm_set
        if present.isdisjoint(first):
            return False  # the first word occurs nowhere: most phrases, most sentences
    for i in range(view.n):
        if first is not None and norms[i] not in first:
            continue
        if _Matcher(view, _LOOSE).match(pattern.items, 0, i, +1, {}, [], _first, False):
            return True
    return False


def check_cues(view: SentenceView, compiled: Compiled, cand: Candidate) -> str:
    """Reason the candidate is blocked by a negation or modality cue, or ''.

    A cue counts when it ends at most ``window`` tokens before the anchor word
    (``was not captured``, ``would attack``), with no comma in between.
    """
    a = cand.anchor[0]
    widest, lasts = compiled.cue_edges
    if lasts is not None:
        norms = view.norms
        if not any(norms[j] in lasts for j in range(max(0, a - widest - 1), a)):
            return ""  # no cue's last word stands where a cue could end
    for cue in compiled.cues:
        if cue.event_types and cand.event_type not in cue.event_types:
            continue
        for gap in range(0, cue.window + 1):
            end = a - gap
            if end <= 0:
                break
            if gap > 0 and (view.norms[end] in (",",) or view.stop[end]):
                break
            if cue.last is not None and view.norms[end - 1] not in cue.last:
                continue
            hit = _cue_hit(view, cue, end)
            if hit:
                text = " ".join(t.text for t in view.tokens[hit[0]:hit[1]])
                return f"{cue.cue.kind} cue '{text}' at token {hit[0] + 1}"
    return ""


def match_sentence(view: SentenceView, compiled: Compiled, relaxed: bool = True) -> list[Candidate]:
    """All candidates for a sentence, with the winners marked kept
    (``relaxed=False``: leave out the candidates with a missing slot)."""
    settings = compiled.codebook.settings
    cands: list[Candidate] = []
    anchors = compiled.anchors
    if not relaxed:
        present = view.norm_set
        # where the first place and the first actor end (past the end: none);
        # the subject search fills a leading slot only with a mention that
        # ends before the anchor
        n = view.n
        place_end = min((m.end for m in view.mentions if m.is_place), default=n + 1)
        actor_end = min((m.end for m in view.mentions if m.actor is not None), default=n + 1)
    work = view.work = _Work(SENTENCE_STEPS_PER_TOKEN * max(view.n, MAX_STEPS // SENTENCE_STEPS_PER_TOKEN))
    for i, nm in enumerate(view.norms):
        entries = anchors.get(nm)
        if not entries:
            continue
        if work.left < 0:
            break  # the sentence's steps are spent: the triggers after this one are not tried
        for trigger in entries:
            if not relaxed and (
                # a strict match needs every required word and a mention for
                # every required slot: say no at once when the sentence lacks one
                not has_words(present, trigger.needs)
                or (trigger.needs_place and place_end > n)
                or (trigger.needs_actor and actor_end > n)
                or (trigger.lead_kind and (place_end if trigger.lead_kind == "place" else actor_end) > i)
            ):
                continue
            cand = match_rule(view, settings, trigger, i, relaxed)
            if cand is not None:
                cands.append(cand)
    view.cut_short, view.work = work.cut, None
    # one winner per event type among overlapping triggers
    cands.sort(key=lambda c: (c.core[0], c.rule.index))
    for c in cands:
        if not c.complete:
            c.status, c.reason = "dropped", "missing slot " + ", ".join(f"{{{s}}}" for s in c.missing)
    winners: list[Candidate] = []
    position: dict[int, int] = {}
    active: dict[str, list[Candidate]] = {}  # per event type: winners whose words reach this far
    for c in cands:
        if c.status == "dropped":
            continue
        live = [w for w in active.get(c.event_type, ()) if w.core[1] > c.core[0] and w.status == "kept"]
        active[c.event_type] = live
        rival = live[0] if live else None
        if rival is None:
            position[id(c)] = len(winners)
            winners.append(c)
            live.append(c)
        elif _better(c, rival):
            rival.status, rival.reason = "dropped", f"overlaps rule {c.rule.rule.id}, which matched more"
            winners[position[id(rival)]] = c
            position[id(c)] = position.pop(id(rival))
            live[0] = c
        else:
            c.status, c.reason = "dropped", f"overlaps rule {rival.rule.rule.id}, which matched more"
    for c in winners:
        reason = check_cues(view, compiled, c)
        if reason:
            c.status, c.reason = "dropped", reason
        else:
            a1, a2 = c.slots.get("actor1"), c.slots.get("actor2")
            if a1 and a2 and a1[0].actor is a2[0].actor:
                c.status, c.reason = "dropped", "actor1 and actor2 are the same actor"
    return cands


__all__ = ["Candidate", "SentenceView", "match_sentence", "occurs"]
