"""Turn the candidates a sentence kept into event records.

* one record per named place of the location slot (``Rawa and al-Qaim`` gives
  two), or one record with an empty location;
* the event date comes from the date expression in the trigger's clause, else
  from a date that opens the sentence (``On 12 March 2019, ...``), else from
  the document date; a perfect-tense event reported with a date of saying
  (``said on Thursday they had taken``) happened on or before that day, so
  its time precision is widened to 2 (week);
* CAMEO code, ACLED event and sub-event type from the event type and its
  first matching variant (the rule may override the CAMEO code); Goldstein
  score and quad class from the CAMEO list;
* drafts of one document that report the same event (same type and place,
  no conflicting actor or date) are merged into the first one;
* an agentless passive capture (``the field, which was captured from IS``)
  takes as actor1 the actor that holds or consolidates the same place in the
  same sentence (``The SDF's priority was to shore up its control over the
  field``).
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_left
from dataclasses import dataclass, field
from operator import itemgetter

from coder.codebook.model import Actor, EventType, Place
from coder.events.record import Record
from coder.match.compile import Compiled, has_words
from coder.match.engine import Candidate, SentenceView, occurs
from coder.match.mentions import Mention
from coder.match.words import CONTRAST, HARD, RELATIVE, REPORTING, SUBORDINATORS
from coder.reference import cameo


@dataclass(slots=True)
class DateInfo:
    span: tuple[int, int]  # token span, lead word included
    value: str
    precision: int


_PERFECT = frozenset({"having", "had", "has", "have", "'ve", "'d"})


def event_id(doc_id: str, sentence_index: int, rule_id: str, *parts: str) -> str:
    """A stable id: the same document, sentence, rule and slots give the same id."""
    key = "\x1f".join((doc_id, str(sentence_index), rule_id, *parts))
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def _segment(view: SentenceView, core: tuple[int, int]) -> tuple[int, int]:
    """The clause segment (between commas and hard boundaries) around ``core``."""
    bounds = view.boundaries  # sorted indexes of ',' and hard punctuation
    k = bisect_left(bounds, core[0])
    a = bounds[k - 1] + 1 if k else 0
    k = bisect_left(bounds, core[1])
    b = bounds[k] if k < len(bounds) else view.n
    return a, b


def attach_date(
    view: SentenceView, cand: Candidate, dates: list[DateInfo], doc_date: str | None
) -> tuple[str, int | None, bool]:
    """(event_date, time_precision, taken from the document date) for a candidate."""
    if not dates:
        return (doc_date, 1, True) if doc_date else ("", None, True)
    seg = _segment(view, cand.core)
    starts = view.date_starts  # dates are sorted by start
    lo, hi = bisect_left(starts, seg[0]), bisect_left(starts, seg[1])
    anchor = cand.anchor[0]
    chosen: DateInfo | None = None
    if lo < hi:
        k = bisect_left(starts, anchor, lo, hi)
        near = [dates[j] for j in (k - 1, k) if lo <= j < hi and dates[j].span[1] <= seg[1]]
        if near:
            chosen = min(near, key=lambda d: min(abs(d.span[0] - anchor), abs(d.span[1] - anchor)))
    if chosen is None:
        chosen = _after_apposition(view, seg, dates)
    if chosen is None:
        chosen = _before_participle(view, seg, dates)
    if chosen is None and dates[0].span[0] == 0 and dates[0].span[1] < view.n and view.norms[dates[0].span[1]] == ",":
        chosen = dates[0]
    if chosen is None:
        chosen = _later_in_sentence(view, cand, dates)
    if chosen is None:
        return (doc_date, 1, True) if doc_date else ("", None, True)
    precision = chosen.precision
    reported = chosen.span[0] > 0 and view.norms[chosen.span[0] - 1] in REPORTING
    perfect = any(view.norms[k] in _PERFECT for k in range(max(0, cand.anchor[0] - 3), cand.anchor[0]))
    if reported and perfect and chosen.span[1] <= cand.anchor[0] and precision == 1:
        precision = 2
    return chosen.value, precision, False


def _before_participle(view: SentenceView, seg: tuple[int, int], dates: list[DateInfo]) -> DateInfo | None:
    """The date of the clause before a participle clause that continues it:
    "captured him near Culiacan on Thursday, setting off hours of gun battles"
    (the battles are of Thursday); not a date someone said something on."""
    norms, a = view.norms, seg[0]
    if a < 2 or norms[a - 1] != "," or not norms[a].endswith("ing") or len(norms[a]) < 6:
        return None
    k = bisect_left(view.boundaries, a - 1)
    prev = view.boundaries[k - 1] + 1 if k else 0
    inside = [d for d in dates if prev <= d.span[0] and d.span[1] <= a - 1]
    if not inside or (inside[-1].span[0] > 0 and norms[inside[-1].span[0] - 1] in REPORTING):
        return None
    return inside[-1]


#: Words that open another clause: a date after one is that clause's.
_OTHER_CLAUSE = SUBORDINATORS | CONTRAST | RELATIVE | frozenset({"when", "following", "because", "that", "amid"})


def _later_in_sentence(view: SentenceView, cand: Candidate, dates: list[DateInfo]) -> DateInfo | None:
    """The first date after the event's words, past commas, lists and
    phrases of place, when no other clause opens in between and no one said
    something on it: "seized the city's airport, about 30 km to the north,
    on Friday", "struck oil facilities, power stations and positions of
    Kurdish fighters in northeastern Syria on Saturday"."""
    norms, end = view.norms, cand.core[1]
    for d in dates:
        a = d.span[0]
        if a < end:
            continue
        if any(nm in HARD or nm in _OTHER_CLAUSE or nm in REPORTING for nm in norms[end:a]):
            return None
        if a > 0 and norms[a - 1] in REPORTING:
            return None  # "officials said on Sunday"
        return d
    return None


#: Words that open an apposition (", the capital of Shan State,").
_APPOSITION = frozenset({"the", "a", "an", "its", "their", "his", "her"})


def _after_apposition(view: SentenceView, seg: tuple[int, int], dates: list[DateInfo]) -> DateInfo | None:
    """A date that follows the event's clause after one or two appositions:
    "took control of Lashio, the capital of northern Shan State, on Saturday"."""
    norms, end = view.norms, seg[1]
    for _ in range(2):
        if end >= view.n or norms[end] != "," or end + 1 >= view.n:
            return None
        k = bisect_left(view.boundaries, end + 1)
        if k >= len(view.boundaries) or norms[view.boundaries[k]] != ",":
            return None
        nxt = view.boundaries[k]
        # ", the capital of Shan State," or a place alone: ", Basilan," or ", in Oudalan province,"
        if (
            norms[end + 1] not in _APPOSITION
            and not _only_place(view, end + 1, nxt)
            and not (norms[end + 1] == "in" and nxt - end <= 8 and _has_place(view, end + 2, nxt))
        ):
            return None
        end = nxt
        date = next((d for d in dates if d.span[0] == end + 1), None)
        if date is not None:
            # ", on Saturday," or ", on Saturday after days of clashes"
            nxt = date.span[1]
            if nxt >= view.n or norms[nxt] in _AFTER_DATE or view.stop[nxt]:
                return date
            return None
    return None


_AFTER_DATE = frozenset({",", ".", "after", "following", "amid", "when", "as", "before", "in"})


def _has_place(view: SentenceView, a: int, b: int) -> bool:
    return any(m.place is not None and a <= m.start and m.end <= b for m in view.mentions)


_REGION_WORDS = frozenset("province state region district department county governorate municipality".split())


def _only_place(view: SentenceView, a: int, b: int) -> bool:
    """Whether tokens [a, b) are a place name, perhaps with a region word ("Basilan", "Soum province")."""
    covered = [False] * (b - a)
    for m in view.mentions:
        if m.place is not None and a <= m.start and m.end <= b:
            covered[m.start - a: m.end - a] = [True] * (m.end - m.start)
    return any(covered) and all(c or view.norms[a + i] in _REGION_WORDS for i, c in enumerate(covered))


def _actor_kinds(actor: Actor | None, iso3: str) -> set[str]:
    if actor is None:
        return {"unknown"}
    if actor.inter == 1:
        kinds = {"state"}
        if actor.code == "GOV" or (actor.country and actor.code == actor.country + "GOV"):
            kinds.add("government")  # "clashed with the government": a political actor
        if (
            not iso3 or not actor.country or actor.country == iso3
        ):  # a state actor of no named country: the government's own
            kinds.add("own_state")
        else:
            kinds.add("foreign_state")
        return kinds
    if actor.fights_for and (not iso3 or actor.fights_for == iso3):
        return {"own_state", "non_state"}
    return {"non_state"}


class _Words:
    """Which variant word patterns occur in a sentence (computed once each)."""

    def __init__(self, view: SentenceView, compiled: Compiled):
        self.view = view
        self.compiled = compiled
        self.cache: dict[str, bool] = {}
        self.possible: set[str] | None = None  # phrases all of whose words are in the sentence

    def _possible(self) -> set[str]:
        """The phrases every word of which the sentence holds (only they can occur)."""
        by_form, anywhere = self.compiled.variant_index
        needs = self.compiled.variant_needs
        norms = self.view.norm_set
        possible = self.possible = set(anywhere)
        for norm in by_form.keys() & norms:  # the few words phrases are filed under
            for phrase in by_form[norm]:
                if has_words(norms, needs[phrase]):
                    possible.add(phrase)
        return possible

    def any_of(self, phrases) -> bool:
        """Whether one of ``phrases`` occurs (each is looked for once a
        sentence, and only if its first word is in the sentence)."""
        return bool(self.first_of(phrases))

    def first_of(self, phrases) -> str:
        """The first of ``phrases`` that occurs in the sentence, or ""."""
        possible = self.possible
        if possible is None:
            possible = self._possible()
        if len(phrases) > 4 and possible.isdisjoint(phrases):
            return ""  # none of them can occur: most lists, most sentences
        for phrase in phrases:
            if phrase in possible:
                found = self.cache.get(phrase)
                if found is None:
                    pattern, first = self.compiled.variant_words[phrase]
                    found = self.cache[phrase] = occurs(self.view, pattern, first)
                if found:
                    return phrase
        return ""


def _holds(w, words: _Words, k1: set, k2: set, events: frozenset = frozenset(),
           place_kinds: frozenset = frozenset()) -> bool:
    # the cheap tests first, the word searches last
    if w.place_kinds and (not place_kinds or not place_kinds <= set(w.place_kinds)):
        return False
    if w.actor1 and k1.isdisjoint(w.actor1):
        return False
    if w.actor2 and k2.isdisjoint(w.actor2):
        return False
    if w.events and events.isdisjoint(w.events):
        return False
    if w.words and not words.any_of(w.words):
        return False
    if w.no_words and words.any_of(w.no_words):
        return False
    return True


_EXCLUSION_WORDS: dict[int, tuple] = {}


def _exclusion_words(et: EventType) -> tuple:
    """((exclusion, the set of its required phrases or None) for each of an
    event type's exclusions; the same for those that need no phrase; every
    phrase any of them needs), built once per event type."""
    got = _EXCLUSION_WORDS.get(id(et))
    if got is None or got[0] is not et:
        items = tuple((x, frozenset(x.when.words) if x.when.words else None) for x in et.excludes)
        got = _EXCLUSION_WORDS[id(et)] = (et, items, tuple(item for item in items if item[1] is None),
                                          frozenset().union(*(w for _, w in items if w is not None)))
    return got[1:]


def excluded(
    et: EventType, words: _Words, a1: Actor | None, a2: Actor | None, iso3: str, events: frozenset = frozenset(),
    place_kinds: frozenset = frozenset(),
) -> str:
    """The situation of the first ``exclude`` entry of ``et`` that holds ("" if none)."""
    if not et.excludes:
        return ""
    possible = words.possible if words.possible is not None else words._possible()
    k1 = k2 = None
    items, wordless, every = _exclusion_words(et)
    if possible.isdisjoint(every):
        items = wordless  # no phrase of any exclusion can occur (most sentences): only those that need none
    for x, phrases in items:
        if phrases is not None and possible.isdisjoint(phrases):
            continue  # no first word of its phrases is in the sentence: it cannot hold
        if k1 is None:
            k1, k2 = _actor_kinds(a1, iso3), _actor_kinds(a2, iso3)
        if _holds(x.when, words, k1, k2, events, place_kinds):
            why = []  # what made it hold, for coder explain
            if x.when.words:
                why.append(f"the words '{words.first_of(x.when.words)}'")
            if x.when.place_kinds:
                why.append(f"a place of kind {'/'.join(sorted(place_kinds))}")
            if x.when.actor2 and "unknown" not in x.when.actor2:
                why.append(f"actor2 {a2.name}" if a2 else "no actor2")
            return x.situation + (f" ({', '.join(why)})" if why else "")
    return ""


def classify(et: EventType, words: _Words, a1: Actor | None, a2: Actor | None, iso3: str) -> tuple[str, str, str]:
    """(cameo, acled_event_type, acled_sub_event_type) from the first variant that holds."""
    k1, k2 = _actor_kinds(a1, iso3), _actor_kinds(a2, iso3)
    for v in et.variants:
        if not _holds(v.when, words, k1, k2):
            continue
        return (
            v.cameo or et.cameo,
            v.acled_event_type or et.acled_event_type,
            v.acled_sub_event_type or (et.acled_sub_event_type if not v.acled_event_type else ""),
        )
    return et.cameo, et.acled_event_type, et.acled_sub_event_type


def _infer_holders(kept: list[Candidate]) -> dict[int, Mention]:
    """Agentless passive captures -> actor1 of a co-located event in the sentence."""
    holders_at: dict[int, list[Candidate]] = {}  # id(place) -> candidates with an actor1 there
    for c in kept:
        if "actor1" in c.slots:
            for m in c.slots.get("location", ()):
                if m.place is not None:
                    holders_at.setdefault(id(m.place), []).append(c)
    out: dict[int, Mention] = {}
    for c in kept:
        if c.event_type != "capture" or "actor1" in c.slots or "location" not in c.slots:
            continue
        a2 = c.slots.get("actor2")
        for m in c.slots["location"]:
            if m.place is None:
                continue
            holder = next(
                (
                    o.slots["actor1"][0]
                    for o in holders_at.get(id(m.place), ())
                    if o is not c and (not a2 or a2[0].actor is not o.slots["actor1"][0].actor)
                ),
                None,
            )
            if holder is not None:
                out[id(c)] = holder
                break
    return out


@dataclass
class Draft:
    """An event before the document is complete: merged by :func:`finalize`,
    then classified and given an id by :func:`to_record`."""

    sentence_index: int
    sentence_text: str
    rule_id: str
    event_type: str
    cameo_override: str
    words: _Words
    a1: Actor | None
    a2: Actor | None
    place: Place | None
    near: bool
    date: str
    precision: int | None
    date_from_doc: bool
    matched: str
    merged: list[Draft] = field(default_factory=list)
    assoc1: list[Actor] = field(default_factory=list)  # actors coordinated with actor1
    assoc2: list[Actor] = field(default_factory=list)
    #: told in a participle clause right after a comma (", killing seven soldiers"):
    #: the outcome of the event told before it in the sentence, not an event of its own
    continues: bool = False
    #: the index of the sentence the place was taken from, when it is not this one
    place_from: int | None = None
    #: the event's words name a place that is not known and the sentence puts it at a
    #: distance ("driven IS out of a base some 70 km away"): not the place of another
    #: sentence's event
    unnamed_place: bool = False


def draft_events(
    compiled: Compiled,
    doc_date: str | None,
    sentence_index: int,
    sentence_text: str,
    view: SentenceView,
    candidates: list[Candidate],
    dates: list[DateInfo],
) -> list[Draft]:
    """One draft per kept candidate and named place of its location slot."""
    kept = [c for c in candidates if c.status == "kept"]
    if not kept:
        return []
    holders = _infer_holders(kept)
    words = _Words(view, compiled)
    out: list[Draft] = []
    toks = view.tokens
    types = frozenset(c.event_type for c in kept)
    # the named places of the sentence's events: an event told without a place
    # ("after weeks of fighting") happened where the other events of its sentence did
    sentence_places = [m for c in kept for m in c.slots.get("location", ()) if m.place is not None]
    for c in kept:
        rule = c.rule.rule
        a1m = c.slots.get("actor1", [None])[0] or holders.get(id(c))
        a2m = c.slots.get("actor2", [None])[0]
        a1m, assoc1 = _first_of_group(a1m, a2m)
        a2m, assoc2 = _first_of_group(a2m, a1m)
        if a1m is not None and a1m.actor is not None:
            assoc1 = assoc1 + _backers(view, a1m, a2m, c.core[0])
        a1 = a1m.actor if a1m else None
        a2 = a2m.actor if a2m else None
        if a2 is None or (a2m is not None and a2m.via == "generic"):
            # "overran an army base": the base's holder is the other side; and it names it
            # better than an armed noun further on ("struck Boko Haram camps, killing dozens
            # of fighters": the fighters are Boko Haram's)
            owner = next((m.owner for m in c.slots.get("location", ()) if m.owner is not None), None)
            if owner is None:
                # "struck army positions in nearby Hantoub": the held place the match passes
                # on its way to the named one
                owner = next((m.owner for m in view.mentions if m.owner is not None and m.generic_place
                              and c.anchor[0] < m.start and m.end <= c.span[1]), None)
            if owner is not None and owner is not a1:
                a2, assoc2 = owner, []
            elif owner is not None and "actor2" in c.rule.slots \
                    and compiled.codebook.event_types[rule.event_type].other_side != "sentence":
                # "Islamic State fighters attacked Islamic State positions": in a rule that names a
                # second side, the holder of the place is that side, and a side does not attack a
                # place it holds (a rule with no second side may act on it: "fortified army
                # positions"; an event type that takes its other side from the sentence may retake
                # it: "retook army positions")
                c.status, c.reason = "dropped", "actor1 holds the place it acts on"
                continue
        et = compiled.codebook.event_types[rule.event_type]
        if a2 is None and et.other_side == "sentence":
            # "Malian troops took control of Kidal, ending years of rule by Tuareg-led rebels"
            a2 = _other_side(view, c, a1m)
        places = [m for m in c.slots.get("location", []) if m.place is not None]
        if not places:
            # "killed in a gunfight with Maoists near Wandoli": the place named in the clause; an
            # event told without one ("captured Tabqa after weeks of fighting") is where its sentence's is
            # (a slot that holds only an unnamed place, "the bridges", counts as empty, but not for
            # a country: "seized a base in Syria" took a base, not Syria)
            place = _clause_place(view, c)
            if place is not None and c.slots.get("location") and (
                (place.place.kind == "country" and _whole_country_excluded(et)) or place.start < c.core[0]
            ):
                # ... and one before the clause's verb names another place: "would march on
                # the town having driven IS out of a base" took the base, not the town
                place = None
            if place is None and not c.slots.get("location"):
                # "... territory held by Islamic State, the areas of Rawa and al-Qaim": the places
                # an apposition right after the clause names
                places = _apposition_places(view, c)
            place = place or (None if places else next(iter(sentence_places), None))
            if place is not None:
                places = [place]
        if et.excludes:
            iso3 = next((m.place.iso3 for m in places if m.place.iso3), "")
            why = excluded(
                et, words, a1, a2, iso3, types - {c.event_type}, frozenset(m.place.kind for m in places)
            )
            if why:
                c.status, c.reason = "dropped", f"excluded: {why}"
                continue
        date, precision, from_doc = attach_date(view, c, dates, doc_date)
        first = min(c.span[0], a1m.start) if a1m is not None else c.span[0]  # coordinated actors included
        matched = sentence_text[toks[first].start : toks[c.span[1] - 1].end]
        at = c.anchor[0]
        continues = at > 0 and view.norms[at - 1] == "," and view.norms[at].endswith("ing")
        far = not places and _DISTANCE.search(sentence_text) is not None
        for m in places or [None]:
            out.append(
                Draft(
                    sentence_index,
                    sentence_text,
                    rule.id,
                    rule.event_type,
                    rule.cameo,
                    words,
                    a1,
                    a2,
                    m.place if m else None,
                    m.near if m else False,
                    date,
                    precision,
                    from_doc,
                    matched,
                    assoc1=assoc1,
                    assoc2=assoc2,
                    continues=continues,
                    unnamed_place=m is None and bool(c.slots.get("location")) and far,
                )
            )
    _take_sides(compiled, out)
    return out


def _whole_country_excluded(et: EventType) -> bool:
    """Whether an event type refuses a country as its place ("seized a base
    in Syria" took a base, not Syria: the capture keeps no place rather than
    be dropped; "attacked army positions in eastern Congo" happened in Congo)."""
    return any("country" in (x.when.place_kinds or ()) for x in et.excludes)


def _take_sides(compiled: Compiled, drafts: list[Draft]) -> None:
    """An event told with no side takes the sides of an event of its sentence
    of a type its event type's ``sides_from`` names (at the same place, or
    any when it has none): "took the provincial capital of Ghazni after a
    five-day battle" is a battle between the captor and the side that lost it."""
    types = compiled.codebook.event_types
    for d in drafts:
        if d.a1 is not None or d.a2 is not None:
            continue
        wanted = types[d.event_type].sides_from
        if not wanted:
            continue
        source = next((k for k in drafts if k.event_type in wanted and k.a1 is not None
                       and (d.place is None or k.place is None or k.place == d.place)), None)
        if source is not None:
            d.a1, d.a2 = source.a1, source.a2


def _clause_place(view: SentenceView, cand: Candidate) -> Mention | None:
    """The named place of the clause around a candidate that fills no place
    slot: the nearest after its words, else the nearest before them; not a
    place the text says someone came from, nor one in the possessive.  The
    clause reaches as far as the match does ("struck depots, bridges and
    positions of Kurdish fighters near Qamishli": the match ends at the
    fighters, whose segment names the place)."""
    a, b = _segment(view, cand.core)
    if cand.span[1] > b:
        b = max(b, _segment(view, (cand.span[1] - 1, cand.span[1]))[1])
    best: Mention | None = None
    for m in view.mentions:
        if m.place is None or m.possessive or m.start < a or m.end > b:
            continue
        if any(x is m for ms in cand.slots.values() for x in ms):
            continue
        if m.start > 0 and view.norms[m.start - 1] == "from":
            continue
        if m.start >= cand.core[0]:
            if best is None or best.start < cand.core[0] or m.start < best.start:
                best = m
        elif best is None or (best.start < cand.core[0] and m.start > best.start):
            best = m
    if best is None and a > 0:
        best = _heading_place(view, a)
    return best


_APPOSITION_LEAD = frozenset({"the", "a", "an", "its", "their"})


def _apposition_places(view: SentenceView, cand: Candidate) -> list[Mention]:
    """The named places of an apposition that follows the candidate's clause:
    ", the areas of Rawa and al-Qaim" (a determiner, one or two words, "of",
    then the places, coordinated ones all)."""
    _a, b = _segment(view, cand.core)
    norms = view.norms
    if b + 4 >= view.n or norms[b] != "," or cand.span[1] < b or norms[b + 1] not in _APPOSITION_LEAD:
        return []
    if "of" not in norms[b + 2 : b + 4]:
        return []
    for m in view.mentions:
        if b + 1 < m.start <= b + 4 and m.place is not None and "of" in norms[b + 2 : m.start + 2]:
            return list(m.group) if len(m.group) > 1 else [m]
    return []


def _heading_place(view: SentenceView, a: int) -> Mention | None:
    """The place an event note opens with ("Kidal (Kidal region): FAMa and
    Wagner took control of ..."): a named place, an optional bracket, then a
    colon, before the clause that starts at ``a``."""
    norms = view.norms
    if norms[a - 1] != ":":
        return None
    for m in view.mentions:
        if m.place is None or m.start > 2:
            continue
        k = m.end
        if k < a - 1 and norms[k] == "(" and ")" in norms[k:a - 1]:
            k = norms.index(")", k) + 1
        if k == a - 1:
            return m
    return None


#: ACLED inter codes of armed actors (state forces, rebels, political and identity militias).
_ARMED = frozenset({1, 2, 3, 4})


def _other_side(view: SentenceView, cand: Candidate, a1m: Mention | None) -> Actor | None:
    """The armed actor of the sentence that is the other side of an event
    whose slots name only one: the nearest after the match, else the nearest
    before it; not one of actor1's group, not the same actor, not the forces
    of actor1's own state."""
    a1 = a1m.actor if a1m is not None else None
    group = {id(x) for x in (a1m.group if a1m is not None else ())}
    best: Mention | None = None
    for m in view.mentions:
        act = m.actor
        if act is None or m.place is not None or act.inter not in _ARMED or id(m) in group or m is a1m:
            continue
        if a1 is not None and (act is a1 or act.code == a1.code or (
                act.inter == 1 and a1.inter == 1 and act.country and act.country == a1.country)):
            continue
        if act.code == act.country:
            continue  # a state's name is where, or who speaks, more often than a side
        if _on_the_side(view.norms, m.start):
            continue  # "backed by Russian warplanes", "alongside Wagner fighters"
        if (m.end < view.n and view.norms[m.end] in REPORTING) or view.norms[max(0, m.start - 2) : m.start] == [
            "according", "to"]:
            continue  # "the army said the rebels had seized Kidal": who tells it, not who lost it
        after = m.start >= cand.span[1]
        if best is None:
            best = m
        elif after and (best.start < cand.span[1] or m.start < best.start):
            best = m
        elif not after and best.start < cand.span[1] and m.start > best.start:
            best = m
    return best.actor if best is not None else None


_WITH = frozenset({"with", "alongside", "including", "and"})
_HELPED = frozenset(
    {"backed", "supported", "aided", "assisted", "helped", "joined", "accompanied", "reinforced", "escorted"}
)


def _on_the_side(norms: list[str], k: int) -> bool:
    """Whether the actor at token ``k`` is told as fighting with someone."""
    before = norms[max(0, k - 3) : k]
    if not before:
        return False
    if before[-1] in _WITH:
        return True
    return before[-1] == "by" and len(before) >= 2 and before[-2] in _HELPED


def _backers(view: SentenceView, a1m: Mention, a2m: Mention | None, verb: int) -> list[Actor]:
    """Actors told as fighting on actor1's side between it and the verb:
    "Congolese troops, backed by Wazalendo militias, attacked ...", "the
    army, alongside Wagner fighters, ..." (ACLED's associated actors)."""
    out: list[Actor] = []
    for m in view.mentions:
        act = m.actor
        if act is None or m.place is not None or not a1m.end <= m.start < verb:
            continue
        if act is a1m.actor or (a2m is not None and act is a2m.actor) or act.name == a1m.actor.name:
            continue
        before = view.norms[max(0, m.start - 3): m.start]
        if before and (before[-1] == "alongside" or (before[-1] == "by" and len(before) >= 2
                                                    and before[-2] in _HELPED)):
            out.append(act)
    return out


def _first_of_group(m: Mention | None, other: Mention | None) -> tuple[Mention | None, list[Actor]]:
    """(the first of coordinated actors, the actors associated with it):
    "Malian troops and Wagner mercenaries attacked" is an attack by Malian
    troops with Wagner, as ACLED codes actor1 and assoc_actor_1; not when the
    other side is one of them ("X and Y clashed")."""
    if m is None or len(m.group) < 2 or (other is not None and other in m.group):
        return m, []
    first = m.group[0]
    return first, [x.actor for x in m.group[1:] if x.actor is not None and x.actor is not first.actor]


def _compatible(a: Draft, b: Draft) -> bool:
    """Whether two drafts of one document report the same event.

    Same event type and place; each actor the same or missing on one side;
    the same date, or one of the dates only the document's.  Drafts without a
    place are the same event only when everything is the same.
    """
    if a.event_type != b.event_type or a.place is not b.place:
        return False
    if a.place is None:
        return (a.a1, a.a2, a.date) == (b.a1, b.a2, b.date)
    for x, y in ((a.a1, b.a1), (a.a2, b.a2)):
        if x is not None and y is not None and x is not y:
            return False
    return a.date == b.date or a.date_from_doc or b.date_from_doc


def _merge(into: Draft, other: Draft) -> None:
    if into.a1 is None and other.a1 is not None:
        into.a1, into.assoc1 = other.a1, other.assoc1
    if into.a2 is None and other.a2 is not None:
        into.a2, into.assoc2 = other.a2, other.assoc2
    _absorb(into, other)


def _absorb(into: Draft, other: Draft) -> None:
    """What every merge does: the explicit date of ``other`` where ``into``
    has only the document's, and ``other`` kept as a report of ``into``."""
    if into.date_from_doc and not other.date_from_doc:
        into.date, into.precision, into.date_from_doc = other.date, other.precision, False
    into.merged.append(other)


def _continue(into: Draft, other: Draft, by_key: dict[tuple, list[Draft]]) -> None:
    """Merge a participle clause's draft into the event it continues: its
    object may name the other side ("killing seven soldiers") and its place
    or date may be the only ones given; its subject is not looked at."""
    if into.a2 is None and other.a2 is not None and other.a2 is not into.a1:
        into.a2, into.assoc2 = other.a2, other.assoc2
    if into.place is None and other.place is not None:
        by_key[(into.event_type, id(None))].remove(into)
        into.place, into.near = other.place, other.near
        by_key.setdefault((into.event_type, id(into.place)), []).append(into)
    _absorb(into, other)


def _same_clause_event(a: Draft, b: Draft) -> bool:
    """Whether ``b``, without a place, is ``a`` told again in the same
    sentence: "RSF fighters attacked El Fasher, clashing with the army" is
    one attack on El Fasher, not a second fight somewhere."""
    if b.place is not None or a.place is None or a.sentence_index != b.sentence_index:
        return False
    if a.event_type != b.event_type:
        return False
    for x, y in ((a.a1, b.a1), (a.a2, b.a2)):
        if x is not None and y is not None and x is not y:
            return False
    return a.date == b.date or b.date_from_doc


def finalize(drafts: list[Draft]) -> list[Draft]:
    """Merge the drafts of a document that report the same event (the first
    one keeps its provenance and takes what the others add)."""
    kept: list[Draft] = []
    by_key: dict[tuple, list[Draft]] = {}
    for d in drafts:
        if d.continues:
            # "Taliban fighters attacked an army base, killing 17 soldiers": one attack; the
            # participle clause's subject is the first clause's, whatever the search found
            # (the event before it may have been merged into an earlier report of it)
            target = next((k for k in reversed(kept) if k.event_type == d.event_type and not k.continues and (
                k.sentence_index == d.sentence_index
                or any(m.sentence_index == d.sentence_index and not m.continues for m in k.merged))), None)
            # ... at the same place: "advanced on Kidal, clashing with rebels at Anefis" is a clash at Anefis
            if target is not None and (d.place is None or target.place is None or d.place == target.place):
                _continue(target, d, by_key)
                continue
        bucket = by_key.setdefault((d.event_type, id(d.place)), [])
        target = next((k for k in bucket if _compatible(k, d)), None)
        if target is None and d.place is None:
            target = next((k for k in reversed(kept) if _same_clause_event(k, d)), None)
        if target is None:
            kept.append(d)
            bucket.append(d)
        else:
            _merge(target, d)
    # a placeless draft kept before its placed twin of the same sentence
    out: list[Draft] = []
    for d in kept:
        if d.place is None:
            twin = next((k for k in kept if k is not d and _same_clause_event(k, d)), None)
            if twin is not None:
                _merge(twin, d)
                continue
        out.append(d)
    # an event told again elsewhere in the document with less said ("The troops were
    # attacked as they returned", "after an hour-long gunfight"): one record, the fuller one
    told = [d for d in out if d.place is None and any(_tells_again(k, d) for k in out if k is not d)]
    for d in told:
        target = next(k for k in out if k is not d and _tells_again(k, d))
        _merge(target, d)
        out.remove(d)
    _context_places(out)
    return out


#: A distance ("some 70 km away", "40 miles from"): a place given so is not the one
#: the story is at.
_DISTANCE = re.compile(r"\b(?:\d[\d,.]*|a few|several|some|dozens of|hundreds of)\s*"
                       r"(?:km|kms|kilomet(?:er|re)s?|miles?)\b", re.IGNORECASE)

#: How many sentences back an event told without a place takes the place of the
#: last event that had one.
PLACE_REACH = 2


def _context_places(drafts: list[Draft]) -> None:
    """An event told with no place ("Troops were battling the militants on
    Wednesday", "opened fire on the camp") is where the last event before it
    in the document was, at most :data:`PLACE_REACH` sentences back: the
    story has not moved.  A report merged into a record counts where it was
    told; an event whose unnamed place its sentence puts at a distance
    ("driven IS out of a base some 70 km away") keeps no place."""
    placed = sorted(
        ((m.sentence_index, i, m.place if m.place is not None else k.place, k.near)
         for i, k in enumerate(drafts) if k.place is not None for m in (k, *k.merged)),
        key=itemgetter(0, 1))  # (not by place: places have no order)
    told = [p[0] for p in placed]
    for d in drafts:
        if d.place is not None or d.unnamed_place:
            continue
        k = bisect_left(told, d.sentence_index)  # the last one told before this sentence: k - 1
        if k and told[k - 1] >= d.sentence_index - PLACE_REACH:
            index, _i, place, near = placed[k - 1]
            d.place, d.near, d.place_from = place, near, index


def _tells_again(k: Draft, d: Draft) -> bool:
    """Whether placeless ``d`` says nothing that ``k`` (of the same type, with
    a place) does not: each actor missing or the same, the date the
    document's or the same."""
    if k.place is None or k.event_type != d.event_type:
        return False
    for x, y in ((k.a1, d.a1), (k.a2, d.a2)):
        if y is not None and y is not x:
            return False
    return d.date == k.date or d.date_from_doc


def _names(assoc: list[Actor], actor: Actor) -> str:
    """The names of the actors associated with ``actor``, once each, joined as ACLED joins them."""
    return "; ".join(dict.fromkeys(a.name for a in assoc if a is not actor and a.name != actor.name))


def to_record(compiled: Compiled, doc_id: str, d: Draft) -> Record:
    et = compiled.codebook.event_types[d.event_type]
    place = d.place
    iso3 = place.iso3 if place else ""
    code, acled_type, acled_sub = classify(et, d.words, d.a1, d.a2, iso3)
    code = d.cameo_override or code
    info = cameo()[code]
    a1, a2 = d.a1, d.a2
    names1 = _names(d.assoc1, a1) if d.assoc1 and a1 else ""
    names2 = _names(d.assoc2, a2) if d.assoc2 and a2 else ""
    return Record(
        event_id=event_id(
            doc_id,
            d.sentence_index,
            d.rule_id,
            a1.code if a1 else "",
            a2.code if a2 else "",
            place.name if place else "",
            d.date,
        ),
        doc_id=doc_id,
        sentence_index=d.sentence_index,
        event_date=d.date,
        time_precision=d.precision,
        event_type=d.event_type,
        actor1=a1.name if a1 else "",
        actor1_code=a1.code if a1 else "",
        assoc_actor_1=names1,
        actor2=a2.name if a2 else "",
        actor2_code=a2.code if a2 else "",
        assoc_actor_2=names2,
        location=place.name if place else "",
        admin1=place.admin1 if place else "",
        admin2=place.admin2 if place else "",
        admin3=place.admin3 if place else "",
        country=place.country if place else "",
        iso3=iso3,
        latitude=place.latitude if place else None,
        longitude=place.longitude if place else None,
        geo_precision=(max(place.geo_precision, 2) if d.near else place.geo_precision) if place else None,
        cameo_code=code,
        goldstein=info.goldstein,
        quad_class=info.quad_class,
        acled_event_type=acled_type,
        acled_sub_event_type=acled_sub,
        rule_id=d.rule_id,
        matched_text=d.matched,
        sentence=d.sentence_text,
    )
