"""Compile a codebook once into the structures the matcher uses.

* one :class:`Lexicon` trie for every actor alias, place name, generic actor
  word and place noun;
* every rule pattern parsed, and an index from each word form that can start
  a rule's anchor to the rules it may trigger -- so a sentence is tried only
  against the rules whose anchor word occurs in it, never rules x sentences;
* cue and variant patterns parsed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

from coder.codebook.inflect import FUNCTION_WORDS, forms
from coder.codebook.model import Actor, Codebook, Cue, Rule
from coder.codebook.pattern import Group, Pattern, Slot, Word, edge_forms, parse
from coder.codebook.states import StateActorTable, expand_state_actors
from coder.countries import countries
from coder.match.lexicon import Entry, Lexicon
from coder.text.tokens import words

_RUNS = re.compile(r"[^\W\d_]+")
#: The same runs in lower-case ASCII text (nearly all text): a character
#: range is a third cheaper for the regex engine than Unicode letter classes.
_ASCII_RUNS = re.compile(r"[a-z]+")
_PLAIN = re.compile(r"[a-z]+(?:[ -][a-z]+)*")

#: Auxiliary verbs make poor anchors: the anchor is the first required word
#: that is not one of these (or the first required word if all are).
_WEAK = FUNCTION_WORDS | forms("be") | forms("have") | forms("do") | forms("get")


@dataclass(slots=True)
class CompiledRule:
    index: int
    rule: Rule
    pattern: Pattern
    anchor: int  # item index of the anchor
    slots: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    #: the most slots, and the most actor slots, one match can fill (an
    #: alternation "[{actor2}|{location}]" fills one of two): a match that
    #: fills them all, with a named place, cannot be beaten
    caps: tuple[int, int] = (0, 0)
    required_set: frozenset[str] = frozenset()  #: ``required`` as a set
    #: the rule starts with words and may leave {actor1} empty: a match that
    #: starts inside an actor's name ("Russian jets bombed ..." for
    #: "[jet|drone|...] bombed ...") takes that actor as actor1
    head_actor1: bool = False
    #: an {actor2} the rule may leave empty on its own ("{actor2?}", "(by
    #: {actor2})"), not one of a required alternation ("[{actor2}|{location}]")
    actor2_optional: bool = False


def _only_optional(pattern: Pattern, name: str) -> bool:
    """Whether slot ``name`` stands in ``pattern`` only where it may be left
    empty on its own: an optional slot, or a slot in an optional group."""
    where = []
    for item in pattern.items:
        if isinstance(item, Slot):
            where.append(item.optional if item.name == name else None)
        elif isinstance(item, Group):
            where += [item.optional for alt in item.alts for x in alt if isinstance(x, Slot) and x.name == name]
    found = [w for w in where if w is not None]
    return bool(found) and all(found)


@dataclass(frozen=True, slots=True)
class Trigger:
    """One alternative of a rule's anchor, and how the rule is matched from it."""

    rule: CompiledRule
    alt: tuple  # the anchor alternative: its first word is the trigger word
    #: word forms the sentence must also hold, one of each set (a required
    #: word, any first word of a required group, the alternative's other
    #: words): a quick "no" before matching
    needs: tuple[frozenset[str], ...]
    right: tuple  # the items after the anchor word, in order
    left: tuple  # the items before the anchor, reversed, without the lead slot
    lead: Slot | None  # the leading slot the subject search fills
    #: a required slot takes a place / an actor: the sentence must have a mention of that kind
    needs_place: bool = False
    needs_actor: bool = False
    #: "place" or "actor" when the lead slot is required: a mention of that
    #: kind must end before the anchor (the subject search looks left only)
    lead_kind: str = ""
    #: the forms the first word after the anchor (the last word before it)
    #: can take, or None when a slot, a gap or the end can come there: a word
    #: the matcher reaches only past fillers, so checked near the anchor
    next_forms: frozenset[str] | None = None
    prev_forms: frozenset[str] | None = None


class GenericInfo(NamedTuple):
    """A generic actor as the actor grammar uses it (coder.match.grammar)."""

    actor: Actor
    standalone: bool = True  # an actor on its own ("rebels"), or only with a word that says whose ("forces")
    country_role: str = ""  # with a country word: that country's state actor of this role


@dataclass(slots=True)
class CompiledCue:
    cue: Cue
    pattern: Pattern
    window: int
    event_types: frozenset[str]
    except_after: list[Pattern]
    last: frozenset[str] | None = None  # forms the cue's last word can take


@dataclass
class Compiled:
    codebook: Codebook
    lexicon: Lexicon
    rules: list[CompiledRule]
    anchors: dict[str, list[Trigger]]  # first word form of an anchor -> what it can trigger
    cues: list[CompiledCue]
    variant_words: dict[str, tuple[Pattern, frozenset[str] | None]] = field(default_factory=dict)
    refs: dict[str, frozenset[str]] = field(default_factory=dict)
    place_refs: frozenset[str] = frozenset()

    prefilter: frozenset[str] = frozenset()  # first letter-run of every anchor form
    states: StateActorTable = field(default_factory=lambda: StateActorTable([], {}, {}, []))
    generics: dict[str, GenericInfo] = field(default_factory=dict)  # generic actor code -> what grammar needs
    #: word forms a rule puts right before a place ("captured", "stormed"): a
    #: capitalised name after one is a place even if no gazetteer knows it
    place_words: frozenset[str] = frozenset()

    def may_match(self, norms: list[str], present: frozenset[str] | None = None) -> bool:
        """Whether ``norms`` (a sentence's token norms) hold an anchor word
        of a rule whose other required words all occur in the sentence; if
        not, no rule can match it, whatever its actors and places.
        ``present``: the set of ``norms``, when the caller has it."""
        anchors = self.anchors
        for nm in norms:
            entries = anchors.get(nm)
            if not entries:
                continue
            if present is None:
                present = frozenset(norms)
            for trigger in entries:
                if has_words(present, trigger.needs):
                    return True
        return False

    def gazetteer(self):
        """The GeoNames gazetteer when the codebook asks for it (opened on
        first use, not pickled with the compiled codebook), else None."""
        if not self.codebook.settings.gazetteer:
            return None
        gaz = self.__dict__.get("_gazetteer")
        if gaz is None:
            from coder.errors import CodebookError, Problem
            from coder.gazetteer import GazetteerError, open_gazetteer

            try:
                gaz = open_gazetteer()
            except GazetteerError as exc:
                raise CodebookError(
                    Problem("gazetteer", str(exc), self.codebook.path, field="settings.gazetteer")
                ) from None
            self.__dict__["_gazetteer"] = gaz
        return gaz

    @cached_property
    def variant_index(self) -> tuple[dict[str, list[str]], frozenset[str]]:
        """(word form -> the variant and exclusion phrases that need it, the
        phrases that need no word): a sentence's words give at once the few
        phrases worth looking for.  A phrase is filed under one of the words
        it needs, the rarest by a rough guess (the set whose shortest form is
        longest: "without (a) [fight|battle]" under "without", "/[0-9]+/
        points" under "points")."""
        by_form: dict[str, list[str]] = {}
        anywhere = set()
        for phrase, needs in self.variant_needs.items():
            if not needs:
                anywhere.add(phrase)
                continue
            for form in max(needs, key=lambda need: (min(map(len, need)), -len(need))):
                by_form.setdefault(form, []).append(phrase)
        return by_form, frozenset(anywhere)

    @cached_property
    def variant_needs(self) -> dict[str, tuple[frozenset[str], ...]]:
        """Variant and exclusion phrase -> the word forms a sentence must
        hold for it to occur (:func:`word_needs`): most phrases whose first
        word is in a sentence ("on strike", "in custody") lack another word,
        a set look-up instead of a search."""
        return {phrase: tuple(word_needs(pattern.items)) for phrase, (pattern, _first) in self.variant_words.items()}

    @cached_property
    def cue_edges(self) -> tuple[int, frozenset[str] | None]:
        """(the widest cue window, every form a cue's last word can take, or
        None when some cue can end with any word): no such form just before
        an anchor means no cue applies."""
        widest = max((c.window for c in self.cues), default=0)
        if any(c.last is None for c in self.cues):
            return widest, None
        return widest, frozenset().union(*(c.last for c in self.cues))

    @cached_property
    def cue_index(self) -> tuple[dict[str, tuple[int, ...]], tuple[int, ...]]:
        """(word form -> indexes of the cues whose last word can take it,
        indexes of the cues that can end with any word)."""
        table: dict[str, list[int]] = {}
        anywhere = []
        for k, c in enumerate(self.cues):
            if c.last is None:
                anywhere.append(k)
                continue
            for f in c.last:
                table.setdefault(f, []).append(k)
        return {f: tuple(v) for f, v in table.items()}, tuple(anywhere)

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_gazetteer", None)
        return state

    def may_trigger(self, text: str, runs: set[str] | None = None) -> bool:
        """Cheap test, before tokenizing: can any rule anchor occur in ``text``?

        False means certainly not; True means tokenize and look.  ``runs``:
        the text's :func:`letter_runs`, when the caller has them.
        """
        if runs is None:
            runs = letter_runs(text)[0]
        found = self.prefilter.intersection(runs)
        if not found:
            return False
        table = self.run_needs
        for run in found:
            for needs in table.get(run, ((),)):
                if has_words(runs, needs):
                    return True
        return False

    @cached_property
    def run_needs(self) -> dict[str, tuple[tuple[frozenset[str], ...], ...]]:
        """For :meth:`may_trigger`: anchor letter run -> for each trigger it
        may start, the letter runs its other required words can start with
        (one of each set).  A word that is not plain lowercase ASCII words
        (an apostrophe, an accent the tokenizer may fold) asks nothing."""
        table: dict[str, set] = {}
        of_need: dict[frozenset[str], frozenset[str] | None] = {}  # triggers share their needs: each worked out once
        for form, triggers in self.anchors.items():
            m = _RUNS.search(form)
            if not m:
                continue
            for t in triggers:
                needs = []
                for need in t.needs:
                    if need not in of_need:
                        runs: set[str] | None = set()
                        for f in need:
                            if not _PLAIN.fullmatch(f):
                                runs = None
                                break
                            runs.add(_RUNS.search(f).group())
                        of_need[need] = frozenset(runs) if runs is not None else None
                    if of_need[need] is not None:
                        needs.append(of_need[need])
                table.setdefault(m.group(), set()).add(tuple(needs))
        return {k: tuple(v) for k, v in table.items()}


def letter_runs(text: str) -> tuple[set[str], bool]:
    """The runs of letters of ``text`` lower-cased, and whether that text is
    ASCII (then every run is a whole run of ASCII letters: a plain lower-case
    word of the text, standing between non-letters, is one of them)."""
    low = text.lower()
    if low.isascii():
        return set(_ASCII_RUNS.findall(low)), True
    return set(_RUNS.findall(low)), False


def has_words(present: frozenset[str] | set[str], needs: tuple[frozenset[str], ...]) -> bool:
    """Whether a sentence's set of word forms holds one form of each set."""
    for need in needs:  # a loop, not all(): called for every trigger of every sentence
        if present.isdisjoint(need):
            return False
    return True


def word_needs(items: tuple, skip: int = -1) -> list[frozenset[str]]:
    """The word forms a match of ``items`` must hold, one of each set: a
    required word, any first word of a required group (leaving out item
    ``skip``)."""
    needs = []
    for k, item in enumerate(items):
        if k == skip or not isinstance(item, (Word, Group)) or getattr(item, "optional", False):
            continue
        forms_ = edge_forms((item,))
        if forms_:
            needs.append(forms_)
    return needs


#: The possessive word alone ("{location} 's fall"), not "be" (whose forms hold "'s" too).
_POSSESSIVE = frozenset({"'s"})


def _trigger(cr: CompiledRule, alt: tuple) -> Trigger:
    items = cr.pattern.items
    needs = word_needs(items, cr.anchor)
    needs.extend(x.forms for x in alt[1:] if isinstance(x, Word))
    left = items[: cr.anchor]
    lead = left[0] if left and isinstance(left[0], Slot) else None
    if lead is not None and len(left) > 1 and isinstance(left[1], Word) and left[1].forms == _POSSESSIVE:
        lead = None  # "{location} 's fall": the possessor stands right there, no subject search
    lead_kind = "" if lead is None or lead.optional else ("place" if lead.name == "location" else "actor")
    right = alt[1:] + items[cr.anchor + 1 :]
    left_items = tuple(reversed(left[1:] if lead else left))
    return Trigger(
        cr,
        alt,
        tuple(needs),
        right,
        left_items,
        lead,
        needs_place="location" in cr.required,
        needs_actor=any(name != "location" for name in cr.required),
        lead_kind=lead_kind,
        next_forms=_first_forms(right, +1),
        prev_forms=_first_forms(left_items, -1),
    )


def _caps(items: tuple) -> tuple[int, int]:
    """(most slots, most actor slots) one path through ``items`` fills."""
    paths: set[frozenset[str]] = {frozenset()}
    for item in items:
        if isinstance(item, Slot):
            paths = {p | {item.name} for p in paths} | (paths if item.optional else set())
        elif isinstance(item, Group):
            options = {frozenset(x.name for x in alt if isinstance(x, Slot)) for alt in item.alts}
            if item.optional:
                options.add(frozenset())
            paths = {p | o for p in paths for o in options}
    return max(len(p) for p in paths), max(len(p - {"location"}) for p in paths)


def _first_forms(items: tuple, d: int) -> frozenset[str] | None:
    """The forms the first word ``items`` match (in direction ``d``) can take,
    or None when the first thing matched may be a slot, a regex, a gap or
    nothing at all."""
    if not items:
        return None
    item = items[0]
    if isinstance(item, Word):
        return item.forms
    if isinstance(item, Group):
        out: set[str] = set()
        for alt in item.alts:
            seq = alt if d > 0 else tuple(reversed(alt))
            f = _first_forms(seq + items[1:], d)
            if f is None:
                return None
            out |= f
        if item.optional:
            f = _first_forms(items[1:], d)
            if f is None:
                return None
            out |= f
        return frozenset(out)
    return None


def _anchor(pattern: Pattern) -> int:
    for i, item in enumerate(pattern.items):
        if isinstance(item, Word) and not (item.forms & _WEAK):
            return i
        if (
            isinstance(item, Group)
            and not item.optional
            and all(isinstance(alt[0], Word) and not (alt[0].forms & _WEAK) for alt in item.alts)
        ):
            return i
    return pattern.anchor


def _inflected_variants(phrase: str, extra) -> list[list[str]]:
    """Token sequences for a generic phrase (a noun: "militant", "base",
    "air strike"): its last word singular and plural, never a verb form
    ("based", "posted", "attacked" are not place or actor nouns)."""
    toks = words(phrase)
    if not toks:
        return []
    last = toks[-1]
    nouns = {f for f in forms(last, extra) if f == last or (f.endswith("s") and not f.endswith("'s"))}
    return [toks[:-1] + [f] for f in sorted(nouns)]


def compile_codebook(cb: Codebook) -> Compiled:
    """Build the matcher structures.  The codebook must already be validated."""
    extra = {k: list(v) for k, v in cb.inflections.items()}
    lex = Lexicon()
    refs: dict[str, frozenset[str]] = {}
    for actor in cb.actors:
        lex.add(actor.name, Entry("actor", actor, actor.name))
        for alias in actor.aliases:
            exact = () if alias.case_sensitive else None
            lex.add(alias.text, Entry("actor", actor, alias.text, exact))
        terms: set[str] = set()
        for ref in actor.refs:
            variants = _inflected_variants(ref, extra)
            terms.update(" ".join(v) for v in variants)
            for v in variants:
                lex.add(ref, Entry("ref", " ".join(v), ref), variants=[v])
        refs[actor.code] = frozenset(terms)
    states = expand_state_actors(cb)
    for actor in states.actors:
        for alias in actor.aliases:
            lex.add(alias.text, Entry("actor", actor, alias.text, () if alias.case_sensitive else None))
    for actor, alias in states.extra or ():
        lex.add(alias.text, Entry("actor", actor, alias.text, () if alias.case_sensitive else None))
    if cb.state_actors is not None:
        for role in cb.state_actors.roles:
            for phrase in role.generic:
                lex.add(phrase, Entry("state_generic", role.code, phrase), variants=_inflected_variants(phrase, extra))
            for phrase in role.event_nouns:
                lex.add(phrase, Entry("event_noun", role.code, phrase), variants=_inflected_variants(phrase, extra))
        wanted = set(countries()) if cb.state_actors.countries is None else set(cb.state_actors.countries)
        for iso3 in sorted(wanted):
            c = countries().get(iso3)
            if c is None:
                continue
            for hint in (*c.names, *c.demonyms, c.capital):
                if hint:
                    lex.add(hint, Entry("country", iso3, hint, () if len(words(hint)) == 1 else None))
    generics: dict[str, GenericInfo] = {}
    for g in cb.generic_actors:
        generic = Actor(g.code, g.name, g.inter, [], "")
        generics[g.code] = GenericInfo(generic, g.standalone, g.country_role)
        for word in g.words:
            lex.add(word, Entry("generic_actor", generic, word), variants=_inflected_variants(word, extra))
    for place in cb.places:
        lex.add(place.name, Entry("place", place, place.name))
        for alias in place.aliases:
            exact = () if alias.case_sensitive else None
            lex.add(alias.text, Entry("place", place, alias.text, exact))
    for noun in cb.place_nouns:
        lex.add(noun, Entry("place_noun", noun, noun), variants=_inflected_variants(noun, extra))

    rules: list[CompiledRule] = []
    anchors: dict[str, list] = {}
    for i, rule in enumerate(cb.rules):
        pattern = parse(rule.pattern, extra_forms=extra)
        anchor = _anchor(pattern)
        cr = CompiledRule(i, rule, pattern, anchor, pattern.slots, pattern.required_slots, _caps(pattern.items),
                          frozenset(pattern.required_slots),
                          "actor1" in pattern.slots and "actor1" not in pattern.required_slots
                          and not isinstance(pattern.items[0], Slot),
                          _only_optional(pattern, "actor2"))
        rules.append(cr)
        item = pattern.items[cr.anchor]
        alts = [(item,)] if isinstance(item, Word) else list(item.alts)
        for alt in alts:
            trigger = _trigger(cr, tuple(alt))
            for form in alt[0].forms:
                anchors.setdefault(form, []).append(trigger)

    cues: list[CompiledCue] = []
    for cue in cb.cues:
        pattern = parse(cue.pattern, slots_allowed=False, extra_forms=extra)
        cues.append(
            CompiledCue(
                cue,
                pattern,
                cb.settings.cue_window if cue.window is None else cue.window,
                frozenset(cue.event_types),
                [parse(p, slots_allowed=False, extra_forms=extra) for p in cue.except_after],
                edge_forms(pattern.items, last=True),
            )
        )
    variant_words: dict[str, Pattern] = {}
    for et in cb.event_types.values():
        for variant in et.variants + et.excludes:
            for phrase in variant.when.words + variant.when.no_words:
                if phrase not in variant_words:
                    pattern = parse(phrase, slots_allowed=False, extra_forms=extra)
                    variant_words[phrase] = (pattern, edge_forms(pattern.items))
    prefilter = frozenset(m.group() for form in anchors for m in [_RUNS.search(form)] if m)
    return Compiled(cb, lex, rules, anchors, cues, variant_words, refs, frozenset(cb.place_refs), prefilter, states,
                    generics, _place_words(rules))


def _place_words(rules: list[CompiledRule]) -> frozenset[str]:
    """The forms of the words rules put right before a {location} slot
    ("captured", "stormed", "overran"), function words left out."""
    out: set[str] = set()

    def last_words(item) -> set[str]:
        if isinstance(item, Word):
            return set(item.forms)
        if isinstance(item, Group):
            return {f for alt in item.alts if alt and isinstance(alt[-1], Word) for f in alt[-1].forms}
        return set()

    for cr in rules:
        items = cr.pattern.items
        for k in range(1, len(items)):
            item = items[k]
            slot = item if isinstance(item, Slot) else None
            if isinstance(item, Group):
                slot = next((x for alt in item.alts for x in alt[:1] if isinstance(x, Slot)), None)
            if slot is not None and slot.name == "location":
                out |= last_words(items[k - 1])
    return frozenset(f for f in out if f not in FUNCTION_WORDS)
