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
A winner is then checked against negation, modality and reference cues.  Every candidate
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
    CONJUNCTIONS,
    CONTRAST,
    DETERMINERS,
    DIRECTIONS,
    HARD,
    NOT_FILLER,
    PREPOSITIONS,
    QUANTITY,
    RELATIVE,
    REPORTING,
    SUBJECT_PRONOUNS,
    SUBORDINATORS,
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
    #: per token, whether it may be a filler leaving mentions aside, when
    #: :func:`may_fire` worked it out already (it is the same for the view)
    word_filler: list[bool] | None = None
    #: the tokens' norms, and their set, when the caller has them already
    norms: list[str] | None = None
    norm_set: frozenset[str] | None = None
    #: what :func:`check_cues` says for (anchor token, event type), when
    #: :func:`may_fire` worked it out already
    cue_reasons: dict[tuple[int, str], str] | None = None

    def __post_init__(self) -> None:
        self.subjects: dict[tuple[int, str], Mention | None] = {}
        n = self.n = len(self.tokens)
        if self.norms is None:
            self.norms = [t.norm for t in self.tokens]
        norms = self.norms
        if self.norm_set is None:
            self.norm_set = frozenset(norms)
        in_mention = [False] * n
        # a word filler outside mentions: the word test, cleared over the mentions (slices,
        # not a pass over every token)
        filler = list(self.word_filler) if self.word_filler is not None else None
        starts: dict[int, list[Mention]] = {}
        ends: dict[int, list[Mention]] = {}
        for m in self.mentions:
            starts.setdefault(m.start, []).append(m)
            if m.head != m.start:  # "base near Manbij" can also be found at "Manbij"
                starts.setdefault(m.head, []).append(m)
            ends.setdefault(m.end, []).append(m)
            if not m.generic_place:  # "a patrol base", "an army checkpoint": words a pattern may pass
                in_mention[m.start:m.end] = [True] * (m.end - m.start)
                if filler is not None:
                    filler[m.start:m.end] = [False] * (m.end - m.start)
        self.starts, self.ends = starts, ends
        in_date = self.in_date = [False] * n
        self.date_starts = [a for a, _ in self.date_spans]
        for a, b in self.date_spans:
            in_date[a:b] = [True] * (b - a)
        # a word (not a closed-class word), a bracket or quote, or a date, outside mentions
        if filler is not None:
            self.filler = filler
        else:
            self.filler = [
                not mention and (dated or nm in TRANSPARENT_PUNCT or (nm[:1].isalnum() and nm not in NOT_FILLER))
                for nm, mention, dated in zip(norms, in_mention, in_date, strict=True)
            ]
        stop = self.stop = list(map(_STOPS.__contains__, norms))  # (map: no Python step per token)
        self.boundaries = [k for k, nm in enumerate(norms) if nm in _BOUNDARIES]
        # ", who ... ," and ", backed by ... ," segments: closing comma -> opening comma
        self.paren_comma: dict[int, int] = {}
        self.comma_close: dict[int, int] = {}  # the other way: opening comma -> closing comma
        self.paren_open: dict[int, int] = {}
        if "," in self.norm_set:
            commas = [k for k, nm in enumerate(norms) if nm == ","]
            for a, b in pairwise(commas):
                first = norms[a + 1] if a + 1 < b else ""
                second = norms[a + 2] if a + 2 < b else ""
                if first in RELATIVE or (first.endswith("ed") and second == "by") \
                        or ((first in _APPOSITION or first == "including") and a in ends
                            and not any(nm in REPORTING for nm in norms[a + 1:b])):
                    # ", who ...,", ", backed by ...,", and an apposition after a
                    # name (", the capital of Shan State,", ", including two commanders,")
                    self.paren_comma[b] = a
                    self.comma_close[a] = b
                    stop[b] = True  # a gap never leaves a parenthetical clause
        if "(" in self.norm_set:
            stack: list[int] = []
            for k, nm in enumerate(norms):
                if nm == "(":
                    stack.append(k)
                elif nm == ")" and stack:
                    self.paren_open[k] = stack.pop()


_STOPS = HARD | CONTRAST
#: Adverbs that make the participle after them an adjective when a determiner comes first.
_PARTICIPLE_ADVERBS = frozenset({"newly", "recently", "freshly", "hastily", "heavily", "lightly"})
_APPOSITION = frozenset({"the", "a", "an"})
_BOUNDARIES = HARD | {","}


def _slot_kind_ok(m: Mention, name: str) -> bool:
    return m.is_place if name == "location" else m.actor is not None


def _owner_of(view: SentenceView, k: int) -> Mention | None:
    """The actor whose name token ``k`` ends or stands inside, its name
    starting before ``k`` ("Military aircraft", "Russian fighter jets" for
    the "aircraft", "fighter" a rule starts with); None if none."""
    ends = view.ends
    for end in range(k + 1, min(k + 4, view.n + 1)):
        for m in ends.get(end, ()):
            if m.start < k and m.actor is not None:
                return m
    return None


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
        # one bound checked per step: the rule's own, or what the sentence has left
        self.limit = MAX_STEPS if work is None else min(MAX_STEPS, max(work.left, 0))

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
        """The boundaries a gap ``...`` may end at: up to ``max_gap`` tokens
        on, not past a clause boundary; an apposition or a relative clause
        between commas (", a strategic town in North Darfur,") is passed whole,
        as one token."""
        out = [p]
        v = self.v
        jumps = v.comma_close if d > 0 else v.paren_comma
        for _ in range(self.s.max_gap):
            idx = p if d > 0 else p - 1
            if idx < 0 or idx >= v.n:
                break
            if jumps and idx in jumps:
                p = jumps[idx] + 1 if d > 0 else jumps[idx]
            elif v.stop[idx]:
                break
            else:
                p += d
            out.append(p)
        return out

    def mentions_at(self, found: list[Mention], d: int, name: str) -> list[Mention]:
        """Of the mentions ``found`` at a boundary (starting there, ending there
        when ``d`` < 0), those that can fill slot ``name``."""
        v = self.v
        out = []
        for m in found:
            if name == "location" and d > 0 and m.possessive:
                # "Syria's second city Aleppo": the place is Aleppo; "the town's airport in
                # Goma": the airport named right after the possessive
                after = self._places_after(m.end)
                if after:
                    out.extend(x for x in after if x not in out)
                    continue
            if not _slot_kind_ok(m, name):
                continue
            # an actor right before "said" is the speaker, not a participant
            if name != "location" and m.end < v.n and v.norms[m.end] in REPORTING:
                continue
            out.append(m)
        return out

    def _places_after(self, k: int) -> list[Mention]:
        """The first named place that starts within a few tokens after k
        (with the ones starting at the same token), else []."""
        starts = self.v.starts
        for j in range(k + 1, min(k + 5, self.v.n)):
            here = [m for m in starts.get(j, ()) if m.place is not None]
            if here:
                return here
        return []

    # -- sequence matching ---------------------------------------------------
    def match(self, items: tuple, k: int, p: int, d: int, slots: dict, words: list,
              emit: Emit, filler: bool = True) -> bool:
        """Call ``emit(boundary, slots, word positions)`` for every way
        items[k:] match from p, in order, until it returns True; then return
        True (stop).  A callback, not a generator: no generator frame per
        item, and no result passed up through every level."""
        self.steps += 1
        if self.steps > self.limit:
            if self.work is not None:
                self.work.cut = True
            return False
        if k == len(items):
            return emit(p, slots, words)
        item = items[k]
        kind = type(item)
        if kind is Word:
            # the word right at p, or past the fillers allowed (a date's words are free)
            v = self.v
            norms, n, forms = v.norms, v.n, item.forms
            is_filler, in_date, most = v.filler, v.in_date, self.s.max_filler
            q, count = p, 0
            while True:
                idx = q if d > 0 else q - 1
                if idx < 0 or idx >= n:
                    return False
                if norms[idx] in forms and self.match(items, k + 1, q + d, d, slots, words + [idx], emit):
                    return True
                if not filler or not is_filler[idx]:
                    return False
                if not in_date[idx]:
                    count += 1
                    if count > most:
                        return False
                q += d
        if kind is Gap:
            # what follows a gap stands right at its end: when that is a word (or
            # a group whose every alternative starts with one), only the ends
            # where such a word stands are tried
            starts = _gap_next_forms(items[k + 1], d) if k + 1 < len(items) else None
            norms, n = self.v.norms, self.v.n
            for q in self.gap_positions(p, d):
                if starts is not None:
                    idx = q if d > 0 else q - 1
                    if idx < 0 or idx >= n or norms[idx] not in starts:
                        continue
                if self.match(items, k + 1, q, d, slots, words, emit, False):
                    return True
            return False
        # the boundaries the next token may start at (past fillers): made only
        # where a branch below reads them
        if kind is Slot:
            if item.name not in slots:
                at = self.v.starts if d > 0 else self.v.ends
                for q in self.filler_positions(p, d) if filler else (p,):
                    found = at.get(q)
                    if not found:
                        continue  # no mention there (most places): no list to make
                    for m in self.mentions_at(found, d, item.name):
                        fill = _fill(m, item.name)
                        if len(fill) == 1:  # most fills (no generator for the edge of one mention)
                            edge = fill[0].end if d > 0 else fill[0].start
                        else:
                            edge = max(x.end for x in fill) if d > 0 else min(x.start for x in fill)
                        if self.match(items, k + 1, edge, d, {**slots, item.name: fill}, words, emit):
                            return True
            # a required slot already filled (by a later optional repeat matched
            # first) does not count: "[{actor2}|{location}] be hit ... {location?}"
            if item.optional or not self.strict:
                return self.match(items, k + 1, p, d, slots, words, emit, filler)
            return False
        if kind is Group:
            # only the alternatives that can start with a word that could come
            # next (or with a slot): the others would fail at once
            if d > 0:
                (table, anything), alts = item.by_first, item.alts
            else:
                (table, anything), alts = item.by_last, item.reversed_alts
            if table:
                chosen = set(anything)
                norms, n = self.v.norms, self.v.n
                for q in self.filler_positions(p, d) if filler else (p,):  # the norms a word item could take
                    idx = q if d > 0 else q - 1
                    if 0 <= idx < n:
                        found = table.get(norms[idx])
                        if found:
                            chosen.update(found)
                order = sorted(chosen) if len(chosen) > 1 else chosen
            else:
                order = anything
            rest = items[k + 1:]
            for a in order:
                if self.match(alts[a] + rest, 0, p, d, slots, words, emit, filler):
                    return True
            if item.optional:
                if filler and item.singles:
                    # the group left out before a word that is one of its alternatives ("launched
                    # an offensive" without "(a|an|...)"): passing over that word as a filler
                    # finds again what matching it did, one word less; only what starts right here
                    idx = p if d > 0 else p - 1
                    if 0 <= idx < self.v.n and self.v.filler[idx] and self.v.norms[idx] in item.singles:
                        return self.match(items, k + 1, p, d, slots, words, emit, False)
                return self.match(items, k + 1, p, d, slots, words, emit, filler)
            return False
        if kind is Regex:
            for q in self.filler_positions(p, d) if filler else (p,):
                idx = q if d > 0 else q - 1
                if 0 <= idx < self.v.n and item.matches(self.v.tokens[idx].text) \
                        and self.match(items, k + 1, q + d, d, slots, words + [idx], emit):
                    return True
            return False
        raise TypeError(item)  # pragma: no cover

    # -- subject search ------------------------------------------------------
    def after_preposition(self, m: Mention, clause: bool = False) -> bool:
        """Whether ``m`` is the object of a preposition ("backed by X").  With
        ``clause``, a preposition that also opens a clause ("after X
        captured ...") does not count: the subject search asks with it."""
        j = m.start - 1
        norms = self.v.norms
        while j >= 0 and (norms[j] in DETERMINERS or norms[j] == "(" or norms[j] in DIRECTIONS):
            j -= 1  # "in southern Afghanistan" is after "in" too
        if j >= 1 and norms[j] == "of" and (norms[j - 1] in QUANTITY or norms[j - 1].isdigit()):
            return False  # "dozens of gunmen", "members of the NPA": the head of the phrase
        return j >= 0 and norms[j] in PREPOSITIONS and not (clause and norms[j] in SUBORDINATORS)

    def subject(self, p: int, name: str) -> Mention | None:
        """The subject of the clause that ends at boundary p (see module doc)."""
        v = self.v
        i = p - 1
        if name == "location" and i >= 0 and v.norms[i] in CONJUNCTIONS:
            # "... arrested 14 members of the Sahel branch and seized rifles": a verb after "and" is
            # the active verb of the clause's subject, not a passive whose subject is a place
            return None
        crossed_comma = False
        steps = words = 0
        while i >= 0 and steps < self.s.subject_reach:
            steps += 1
            nm = v.norms[i]
            if nm == "," and i in v.paren_comma:
                i = v.paren_comma[i] - 1
                crossed_comma = True
                continue
            if v.stop[i] or (nm in REPORTING and not (i + 1 < v.n and v.norms[i + 1] == "to")):
                # "X said Y captured ...": X is not the subject; but "X claimed to have
                # overrun ...", "X is said to have taken ...": X is
                return None
            ending = v.ends.get(i + 1, ())
            if ending:
                m = ending[0]
                wanted = [x for x in ending if _slot_kind_ok(x, name)]
                if wanted:
                    m = wanted[0]
                    if not (name == "location" and m.possessive) and not self.after_preposition(m, clause=True):
                        return m
                elif name == "location" and not crossed_comma and m.actor is not None \
                        and not m.possessive and not self.after_preposition(m, clause=True):
                    # an actor is the subject of this clause ("Rawa, which the army had
                    # taken"): active voice, so no place is the subject of a passive
                    return None
                i = m.start - 1
                continue
            if nm == ")" and i in v.paren_open:
                i = v.paren_open[i] - 1
                continue
            if name == "location" and not crossed_comma and nm not in _AUX and nm not in DETERMINERS:
                words += 1  # a place is the subject of a passive right before it ("Rawa was captured")
                if words > 3:
                    return None
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
        words = 0  # words crossed before any comma: "the town that" is near; "a shooting attack that" names no actor
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
            elif not commas:
                words += 1
                if words > 2:
                    return None
            j -= 1
        return None


def _named(c: Candidate) -> int:
    return sum(1 for m in c.slots.get("location", ()) if m.place is not None)


def _better(a: Candidate, b: Candidate) -> bool:
    """Whether candidate a beats b: complete first, then more actors, then
    more slots filled, then more named places, then more pattern words, then
    the earlier rule."""
    ka = (a.complete, _actors(a), len(a.slots), _named(a), len(range(*a.core)), -a.rule.index)
    kb = (b.complete, _actors(b), len(b.slots), _named(b), len(range(*b.core)), -b.rule.index)
    return ka > kb


def _better_here(a: Candidate, b: Candidate) -> bool:
    """Between two ways one rule matches from one anchor: as ``_better``, but
    the nearer filling wins a tie (a gap ``...`` takes the first preposition
    and phrase that fit, not the last one in the sentence)."""
    ka = (a.complete, _actors(a), len(a.slots), _named(a), -a.span[1], len(range(*a.core)))
    kb = (b.complete, _actors(b), len(b.slots), _named(b), -b.span[1], len(range(*b.core)))
    return ka > kb


def _actors(c: Candidate) -> int:
    """How many actor slots a candidate fills: who fought matters more than
    where (a place the slots miss is taken from the clause, coder.events.build)."""
    return ("actor1" in c.slots) + ("actor2" in c.slots)


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
        if found is not None and not found.missing:
            # a required group of slots ("[{actor2}|{location}]") left empty: the
            # strict pass failed, so this match lacks one of them
            found.missing = tuple(s for s in trigger.rule.slots if s not in found.slots) or ("slot",)
    return found


def _match_rule(view: SentenceView, settings: Settings, trigger: Trigger, i: int, strict: bool) -> Candidate | None:
    m = _Matcher(view, settings, strict, view.work)
    try:
        return _match_with(m, view, settings, trigger, i)
    finally:
        if m.work is not None:
            m.work.left -= m.steps  # the sentence's steps, spent


def _match_with(m: _Matcher, view: SentenceView, settings: Settings, trigger: Trigger, i: int) -> Candidate | None:
    cr, alt, right, left_items, lead = trigger.rule, trigger.alt, trigger.right, trigger.left, trigger.lead
    subjects = view.subjects  # the subject search depends on the sentence only: once per place
    caps = cr.caps
    required = cr.required
    required_set = cr.required_set
    head_actor1 = cr.head_actor1
    one_word = len(alt) == 1  # a one-word anchor ends right after it: no scan
    best: Candidate | None = None
    found = 0
    r_end = 0  # where the match of the items after the anchor ends (on_right sets it)

    def on_left(l_start: int, slots: dict, all_words: list) -> bool:
        nonlocal best, found
        start = l_start
        if lead is not None:
            key = (l_start, lead.name)
            subj = subjects.get(key, subjects)
            if subj is subjects:
                subj = subjects[key] = m.subject(l_start, lead.name)
            if subj is not None:
                slots = {**slots, lead.name: _fill(subj, lead.name)}
                start = min(x.start for x in slots[lead.name])
            elif m.strict and not lead.optional:
                return False
        if head_actor1 and "actor1" not in slots:
            owner = _owner_of(view, min(all_words))
            if owner is not None:
                slots = {**slots, "actor1": [owner]}
                start = min(start, owner.start)
        # (most matches fill every required slot: one C-level test, no tuple to build)
        missing = () if slots.keys() >= required_set else tuple(s for s in required if s not in slots)
        anchor_end = i + 1
        if not one_word:
            while anchor_end - i < len(alt) and anchor_end in all_words:
                anchor_end += 1
        first, last = min(all_words), max(all_words) + 1
        cand = Candidate(cr, (i, anchor_end), (first, last), (min(start, first), max(r_end, last)), slots, missing)
        if best is None or _better_here(cand, best):
            best = cand
        found += 1
        if found >= MAX_MATCHES:
            return True
        if best.missing or (len(best.slots), _actors(best)) != caps:
            return False
        for x in best.slots.get("location", ()):
            if x.place is None:
                return False
        return True

    def on_right(end: int, r_slots: dict, r_words: list) -> bool:
        # one on_left for every match of the items after the anchor (not a closure each)
        nonlocal r_end
        r_end = end
        return m.match(left_items, 0, i, -1, r_slots, r_words, on_left)

    m.match(right, 0, i + 1, +1, {}, [i], on_right)
    return best


_EXACT = Settings(max_gap=0, max_filler=0)
_LOOSE = Settings(max_gap=8, max_filler=1)


def _cue_parts(cue: CompiledCue) -> tuple[tuple, frozenset[str] | dict | None]:
    """A cue's items right to left, and the forms the word before its last
    word can take when the cue says (its last item one word, the one before
    a word or a required group): made once per cue."""
    got = _CUE_PARTS.get(id(cue))
    if got is None or got[0] is not cue:
        items = tuple(reversed(cue.pattern.items))
        second = None
        if len(items) > 1 and type(items[0]) is Word:
            second = _gap_next_forms(items[1], -1)
        got = _CUE_PARTS[id(cue)] = (cue, items, second)
    return got[1], got[2]


_CUE_PARTS: dict[int, tuple] = {}


def _cue_hit(view: SentenceView, cue: CompiledCue, end: int) -> tuple[int, int] | None:
    """Span of ``cue`` if it ends exactly at boundary ``end``."""
    items, second = _cue_parts(cue)
    # the word before the cue's last one is not one it can take (most cues, most places);
    # a date's words may stand between a cue's words, so a date there says nothing
    if second is not None and end >= 2 and not view.in_date[end - 2] and view.norms[end - 2] not in second:
        return None
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
    if first is None:
        starts = range(view.n)
    elif view.norm_set.isdisjoint(first):
        return False  # the first word occurs nowhere: most phrases, most sentences
    else:
        starts = [i for i, nm in enumerate(view.norms) if nm in first]
    m = _Matcher(view, _LOOSE)
    for i in starts:
        m.steps = 0  # each start on its own bound
        if m.match(pattern.items, 0, i, +1, {}, [], _first, False):
            return True
    return False


def check_cues(view: SentenceView, compiled: Compiled, cand: Candidate) -> str:
    """Reason the candidate is blocked by a negation, modality or reference cue, or ''.

    A cue counts when it ends at most ``window`` tokens before the anchor word
    (``was not captured``, ``would attack``), with no comma in between.
    """
    a = cand.anchor[0]
    if view.cue_reasons:
        known = view.cue_reasons.get((a, cand.event_type))
        if known is not None:
            return known  # worked out before the mentions (:func:`may_fire`)
    return _cue_reason(view, compiled, a, cand.event_type)


def _no_cue_before(compiled: Compiled, norms: list[str], a: int) -> bool:
    """Whether no cue's last word stands where a cue blocking an anchor at
    token ``a`` could end (most anchors): the cheap test before any search."""
    widest, lasts = compiled.cue_edges
    return lasts is not None and lasts.isdisjoint(norms[max(0, a - widest - 1):a])


def _cue_reason(view: SentenceView | _CueView, compiled: Compiled, a: int, event_type: str) -> str:
    """:func:`check_cues` for an anchor at token ``a`` of a rule of ``event_type``:
    all a cue depends on (not the slots)."""
    if _no_cue_before(compiled, view.norms, a):
        return ""
    widest = compiled.cue_edges[0]
    # the cues whose last word stands at each place a cue could end, nearest first (a
    # comma or a hard stop between cue and anchor ends the search); the first cue of the
    # codebook that holds, at its nearest place, is the reason
    by_last, anywhere = compiled.cue_index
    norms, stop = view.norms, view.stop
    best: tuple[int, int, tuple[int, int]] | None = None
    for gap in range(0, widest + 1):
        end = a - gap
        if end <= 0 or (gap > 0 and (norms[end] == "," or stop[end])):
            break
        for k in (*by_last.get(norms[end - 1], ()), *anywhere):
            if best is not None and k >= best[0]:
                continue
            cue = compiled.cues[k]
            if gap > cue.window or (cue.event_types and event_type not in cue.event_types):
                continue
            hit = _cue_hit(view, cue, end)
            if hit:
                best = (k, gap, hit)
    if best is None:
        return ""
    k, _gap, hit = best
    text = " ".join(t.text for t in view.tokens[hit[0]:hit[1]])
    return f"{compiled.cues[k].cue.kind} cue '{text}' at token {hit[0] + 1}"


def _word_near(view: SentenceView | _Loose, settings: Settings, k: int, d: int, forms: frozenset[str]) -> bool:
    """Whether a word of ``forms`` stands where a pattern's next item can
    match from boundary ``k`` in direction ``d`` (right there, or past the
    fillers the settings allow), as :meth:`_Matcher.filler_positions` finds."""
    norms, filler, in_date, n = view.norms, view.filler, view.in_date, view.n
    count = 0
    p = k + 1 if d > 0 else k
    while True:
        idx = p if d > 0 else p - 1
        if idx < 0 or idx >= n:
            return False
        if norms[idx] in forms:
            return True
        if not filler[idx]:
            return False
        if not in_date[idx]:
            count += 1
            if count > settings.max_filler:
                return False
        p += d


#: Lexicon entries an actor mention is built on (a name, a generic armed
#: noun, a state word, a country word, a word that refers back).
ACTOR_KINDS = frozenset({"actor", "generic_actor", "state_generic", "country", "ref"})


def may_fire(compiled: Compiled, norms: list[str], date_spans: list[tuple[int, int]],
             actor_end: int | None = -1, keep: list | None = None, present: frozenset[str] | None = None,
             tokens: list[Token] | None = None, cues: dict[tuple[int, str], str] | None = None) -> bool:
    """Cheap test before looking for mentions: can some rule match strictly?

    Each anchor's trigger needs its other required words somewhere
    (:meth:`Compiled.may_match`) and, when the pattern goes on (or starts)
    with a word, that word right next to the anchor or past the fillers the
    settings allow.  Mentions are not known yet, so every word counts as a
    possible filler.  ``actor_end``: where the first lexicon hit an actor
    mention can be built on ends (None: there is none; -1: not known); a
    rule that needs an actor, or one before its anchor, needs it there.
    False means certainly no match.  ``keep``: a list that gets the
    per-token filler test it worked out (for :class:`SentenceView`).
    ``present``: the set of ``norms``, when the caller has it.

    ``cues`` (a dict; ``tokens`` then given): a rule that could match but
    whose anchor a cue certainly blocks (:func:`check_cues`
    would drop whatever it matched) does not count; ``cues`` gets what
    :func:`check_cues` will say for each (anchor, event type) looked at, for
    :class:`SentenceView`.  False with a non-empty ``cues`` means every rule
    that could match is blocked.
    """
    anchors = compiled.anchors
    filler = None
    settings = compiled.codebook.settings
    for i, nm in enumerate(norms):
        entries = anchors.get(nm)
        if not entries:
            continue
        if filler is None:
            if present is None:
                present = frozenset(norms)
            in_date = [False] * len(norms)
            for a, b in date_spans:
                in_date[a:b] = [True] * (b - a)
            filler = [
                dated or x in TRANSPARENT_PUNCT or (x[:1].isalnum() and x not in NOT_FILLER)
                for x, dated in zip(norms, in_date, strict=True)
            ]
            loose = _Loose(norms, filler, in_date)
            if keep is not None:
                keep.append(filler)
        for trigger in entries:
            if not has_words(present, trigger.needs):
                continue
            if actor_end != -1 and (
                (trigger.needs_actor and actor_end is None)
                or (trigger.lead_kind == "actor" and (actor_end is None or actor_end > i))
            ):
                continue
            if trigger.next_forms is not None and not _word_near(loose, settings, i, +1, trigger.next_forms):
                continue
            if trigger.prev_forms is not None and not _word_near(loose, settings, i, -1, trigger.prev_forms):
                continue
            if cues is not None and _blocked(compiled, loose, tokens, i, trigger.rule.rule.event_type, cues):
                continue
            return True
    return False


def _blocked(compiled: Compiled, loose: _Loose, tokens: list[Token], i: int, event_type: str,
             known: dict[tuple[int, str], str]) -> bool:
    """Whether a cue certainly blocks an anchor at token ``i`` before mentions are
    known.  :func:`check_cues` reads no mention, except that a cue's words may pass
    a date's words outside mentions: so this decides only with no date before the
    anchor (then the answer is the same whatever the mentions), and keeps the
    answer in ``known``."""
    if _no_cue_before(compiled, loose.norms, i):
        return False
    key = (i, event_type)
    reason = known.get(key)
    if reason is None:
        if True in loose.in_date[:i]:
            return False
        view = loose.cues
        if view is None:
            view = loose.cues = _CueView(loose.norms, loose.in_date, tokens)
        reason = known[key] = _cue_reason(view, compiled, i, event_type)
    return bool(reason)


def _gap_next_forms(item, d: int):
    """The word forms that must stand right after a gap (before it, ``d`` < 0)
    for ``item`` to match there; None when any word may (a slot, a regex, an
    optional item, an alternative that starts with a slot)."""
    kind = type(item)
    if kind is Word:
        return item.forms
    if kind is Group and not item.optional:
        table, anything = item.by_first if d > 0 else item.by_last
        if not anything:
            return table
    return None


class _Loose:
    """What :func:`_word_near` reads of a sentence, before its mentions are known."""

    __slots__ = ("cues", "filler", "in_date", "n", "norms")

    def __init__(self, norms: list[str], filler: list[bool], in_date: list[bool]) -> None:
        self.norms, self.filler, self.in_date, self.n = norms, filler, in_date, len(norms)
        self.cues: _CueView | None = None  # made when a cue is looked for


class _CueView:
    """What the cue search (:func:`_cue_reason`) reads of a sentence: its words,
    dates and stops; no mention (cue patterns have no slots).  A date's words
    are fillers, as in a :class:`SentenceView` where no mention covers them."""

    __slots__ = ("comma_close", "ends", "filler", "in_date", "n", "norms", "paren_comma", "starts", "stop", "tokens")

    def __init__(self, norms: list[str], in_date: list[bool], tokens: list[Token]) -> None:
        self.norms, self.in_date, self.filler, self.tokens, self.n = norms, in_date, in_date, tokens, len(norms)
        self.stop = list(map(_STOPS.__contains__, norms))
        self.starts: dict = {}
        self.ends: dict = {}
        self.comma_close: dict = {}
        self.paren_comma: dict = {}


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
        # a verb rule's anchor right after a determiner is an adjective: "the
        # occupied West Bank", "the besieged city", and so is one after a determiner
        # and "newly" / "recently": "a newly opened camp", "the recently set up base"
        after_determiner = i > 0 and (
            (nm.endswith("ed") and view.norms[i - 1] in DETERMINERS)
            or (i > 1 and view.norms[i - 1] in _PARTICIPLE_ADVERBS and view.norms[i - 2] in DETERMINERS))
        if work.left < 0:
            break  # the sentence's steps are spent: the triggers after this one are not tried
        for trigger in entries:
            if after_determiner and trigger.lead is not None:
                continue
            if not relaxed and (
                # a strict match needs every required word and a mention for
                # every required slot: say no at once when the sentence lacks one
                not has_words(present, trigger.needs)
                or (trigger.needs_place and place_end > n)
                or (trigger.needs_actor and actor_end > n)
                or (trigger.lead_kind and (place_end if trigger.lead_kind == "place" else actor_end) > i)
            ):
                continue
            if trigger.next_forms is not None and not _word_near(view, settings, i, +1, trigger.next_forms):
                continue
            if trigger.prev_forms is not None and not _word_near(view, settings, i, -1, trigger.prev_forms):
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
        else:
            _one_actor_once(c, view)
    winners: list[Candidate] = []
    position: dict[int, int] = {}
    active: dict[str, list[Candidate]] = {}  # per event type: winners whose words reach this far
    for c in cands:
        if c.status == "dropped":
            continue
        event_type = c.event_type
        live = [w for w in active.get(event_type, ()) if w.core[1] > c.core[0] and w.status == "kept"]
        active[event_type] = live
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
    return cands


#: Verbs whose subject an actor right before them is ("a site the government
#: described as a depot", "the army said"): a speaker, not a side.
_SPEAKING = REPORTING | frozenset({"described", "describes", "called", "calls", "termed", "labelled", "labeled",
                                   "identified", "denied", "denies", "blamed", "accused"})


def _one_actor_once(c: Candidate, view: SentenceView | None = None) -> None:
    """An actor on both sides: an {actor2} the rule may leave empty on its
    own that took it again is left empty ("Sudanese military aircraft struck
    Nyala, hitting a site the army described as ...": no second side); else
    the candidate is dropped, before it competes with the others (it used to
    win over them first, and then leave nothing).  Such an optional {actor2}
    is left empty too when it is the subject of a verb of speaking right
    after it ("hitting a site the government described as a depot")."""
    a1, a2 = c.slots.get("actor1"), c.slots.get("actor2")
    if a2 and c.rule.actor2_optional and view is not None and a2[0].end < view.n \
            and view.norms[a2[0].end] in _SPEAKING:
        c.slots = {k: v for k, v in c.slots.items() if k != "actor2"}
        return
    if not (a1 and a2 and a1[0].actor is a2[0].actor):
        return
    if c.rule.actor2_optional:
        c.slots = {k: v for k, v in c.slots.items() if k != "actor2"}
    else:
        c.status, c.reason = "dropped", "actor1 and actor2 are the same actor"


__all__ = ["ACTOR_KINDS", "Candidate", "SentenceView", "match_sentence", "may_fire", "occurs"]
