"""Actors, places and generic words found in a sentence.

A :class:`Mention` is a span of tokens that names an actor or a place.  Found
by the lexicon (aliases), then:

* a generic word (``the jihadists``) becomes a mention of the most recent named
  actor in the document whose ``refs`` list it (no pronouns are resolved);
* ``the town of Rawa`` is one mention of Rawa; ``Mosul, the Iraqi city`` makes
  ``the Iraqi city`` point back to Mosul (apposition); any other place noun
  (``a base``) is an unnamed place;
* coordinated places (``Rawa and al-Qaim``, ``both al-Qaim and in Albu
  Kamal``) form a group, which fills a location slot as a whole.
"""

from __future__ import annotations

from bisect import insort
from collections import Counter
from dataclasses import dataclass, field
from operator import itemgetter

from coder.codebook.model import Actor, Place
from coder.gazetteer.normalize import without_diacritics
from coder.gazetteer.places import lower_units
from coder.gazetteer.store import particle_start, stop_words
from coder.match.grammar import LED, MAX_MODIFIERS, SPONSORED, derived_actor, is_modifier
from coder.match.lexicon import Hit, Lexicon
from coder.match.words import DETERMINERS, DIRECTIONS, NEAR, REPORTING
from coder.text.tokens import Token


@dataclass(slots=True)
class Mention:
    start: int  # token span [start, end)
    end: int
    text: str
    alias: str  # the codebook phrase that matched
    actor: Actor | None = None
    place: Place | None = None
    generic_place: bool = False  # a place noun that names no place ("a base")
    via: str = "alias"  # alias | ref | apposition | coref | generic | country | gazetteer | feature
    possessive: bool = False
    near: bool = False  # "a base near Palmyra": the event is near the place
    head: int = -1  # where the name itself starts ("Palmyra" in "a base near Palmyra")
    noun: str = ""  # an armed noun's kind: a state role ("MIL") or a generic actor code ("REB")
    owner: Actor | None = None  # a place noun's holder: "an army checkpoint", "a Karen guerrilla stronghold"

    def __post_init__(self) -> None:
        if self.head < 0:
            self.head = self.start
    group: list[Mention] = field(default_factory=list, repr=False)

    @property
    def is_place(self) -> bool:
        return self.place is not None or self.generic_place


_GROUP_LINKS = frozenset({",", "and", "or", "in", "at", "both"})


class CorefMemory:
    """Named actors and towns seen so far in a document, in text order.

    ``refs`` maps an actor code to the generic words that may refer to it;
    ``place_refs`` lists the place nouns that refer back to the last town.
    Entries are kept with their position (sentence, token), so sentences can
    be noted out of order (see ``coder.pipeline``, which reads skipped
    sentences only when a generic word needs them).
    """

    def __init__(self, refs: dict[str, frozenset[str]], place_refs: frozenset[str] = frozenset()) -> None:
        self.refs = refs
        self.place_refs = place_refs
        self.actors: list[tuple[tuple[int, int], Actor]] = []
        self.town: tuple[tuple[int, int], Place] | None = None
        self.countries: Counter[str] = Counter()  # ISO3 -> mentions (actors, places, names)

    def note(self, actor: Actor, where: tuple[int, int]) -> None:
        if actor.country:
            self.countries[actor.country] += 1
        if self.refs.get(actor.code):
            actors = self.actors
            if not actors or actors[-1][0] <= where:
                actors.append((where, actor))  # in text order (most notes): where insort puts it
            else:
                insort(actors, (where, actor), key=itemgetter(0))

    def note_place(self, place: Place, where: tuple[int, int]) -> None:
        if place.iso3:
            self.countries[place.iso3] += 1
        if place.kind == "town" and (self.town is None or self.town[0] < where):
            self.town = (where, place)

    def note_country(self, iso3: str) -> None:
        self.countries[iso3] += 1

    def country_counts(self) -> Counter[str]:
        """Country mentions so far (ISO3 -> count), to tell places apart."""
        return self.countries

    def country(self) -> str | None:
        """The country the document is about so far, when it is clear: the
        one named (by actors, places, names, demonyms or capitals) more often
        than any other."""
        top = self.countries.most_common(2)
        if not top or (len(top) == 2 and top[0][1] == top[1][1]):
            return None
        return top[0][0]

    def resolve(self, term: str) -> Actor | None:
        """The most recent actor for which ``term`` is a generic word."""
        for _, actor in reversed(self.actors):
            if term in self.refs[actor.code]:
                return actor
        return None

    def last_town(self) -> Place | None:
        return self.town[1] if self.town else None


def find_mentions(tokens: list[Token], text: str, lexicon: Lexicon, memory: CorefMemory,
                  sentence_index: int = 0, states=None, gazetteer=None, generics: dict | None = None,
                  unlisted: frozenset[str] | None = None, hits: list[Hit] | None = None) -> list[Mention]:
    """All mentions in a sentence, in order; notes them in the coreference memory.

    ``states`` (a :class:`~coder.codebook.states.StateActorTable`) resolves
    generic state words ("government forces") to the document's country;
    ``gazetteer`` (a :class:`~coder.gazetteer.Gazetteer`) adds the places the
    codebook does not list; ``generics`` (generic actor code ->
    :class:`~coder.match.compile.GenericInfo`) drives the actor grammar;
    ``unlisted`` (the word forms rules put before a place; None: off) keeps
    place names no gazetteer knows when the words around them say they are
    places ("the village of Tekalguda", "near Boulkessi", "overran Kelbo").
    ``hits``: the lexicon's hits in the tokens, when the caller has them.
    """
    mentions: list[Mention] = []
    if hits is None:
        hits = lexicon.scan(tokens)
    generic_state: list[tuple[Mention, str]] = []
    hinted: list[tuple[int, int]] = []  # country names and demonyms: no mention, but not places either
    country_words: list[tuple[int, int, str]] = []  # (start, end, ISO3) of those
    event_nouns: list[tuple[int, str]] = []  # (start, state role) of nouns of armed action ("shelling")
    for hit in hits:
        span = _span(text, tokens, hit.start, hit.end)
        actor_e, place_e = hit.first("actor"), hit.first("place")
        if actor_e or place_e:
            m = Mention(
                hit.start, hit.end, span, (actor_e or place_e).alias,
                actor=actor_e.value if actor_e else None,
                place=place_e.value if place_e else None,
            )
            if place_e is not None and gazetteer is not None:
                lower_units(place_e.value, gazetteer)  # a listed town's district, once
            if m.actor is not None and m.actor.country and m.actor.code.startswith(m.actor.country):
                m.noun = m.actor.code[len(m.actor.country):]  # "Russian troops": the MIL role
            if m.actor is not None:
                memory.note(m.actor, (sentence_index, hit.start))
            mentions.append(m)
            continue
        ref_e = hit.first("ref")
        generic_e = hit.first("generic_actor")
        if ref_e is not None:
            actor = memory.resolve(ref_e.value)
            if actor is not None:
                mentions.append(Mention(hit.start, hit.end, span, ref_e.alias, actor=actor, via="ref",
                                        noun=generic_e.value.code if generic_e else ""))
                continue
        if generic_e is not None:
            mentions.append(Mention(hit.start, hit.end, span, generic_e.alias, actor=generic_e.value, via="generic",
                                    noun=generic_e.value.code))
            continue
        state_e = hit.first("state_generic")
        if state_e is not None and states is not None:
            m = Mention(hit.start, hit.end, span, state_e.alias, via="generic", noun=state_e.value)
            generic_state.append((m, state_e.value))
            mentions.append(m)
            continue
        country_e = hit.first("country")
        if country_e is not None:
            memory.note_country(country_e.value)
            if not _is_capital(country_e):
                hinted.append((hit.start, hit.end))  # a capital is a place too
                country_words.append((hit.start, hit.end, country_e.value))
            continue
        noun_e = hit.first("place_noun")
        if noun_e is not None:
            mentions.append(Mention(hit.start, hit.end, span, noun_e.alias, generic_place=True))
            continue
        event_e = hit.first("event_noun")
        if event_e is not None:
            event_nouns.append((hit.start, event_e.value))
    if len(mentions) > 1:
        _descriptors(mentions, tokens, text)
    if states is not None and (mentions or event_nouns):
        generic_state = _compose(mentions, tokens, text, country_words, generic_state, states, lexicon,
                                 generics or {}, event_nouns)
    if gazetteer is not None:
        _gazetteer_places(mentions, tokens, text, gazetteer, memory, hinted)
    if unlisted is not None:
        _unlisted_places(mentions, tokens, text, memory, hinted, unlisted)
    places_noted = bool(generic_state)
    if generic_state:
        for m in mentions:  # places of this sentence count too ("troops ... in Kidal")
            if m.place is not None:
                memory.note_place(m.place, (sentence_index, m.start))
        iso3 = memory.country()
        for m, role in generic_state:
            m.actor = states.by_role.get((iso3, role)) if iso3 else None
            if m.actor is None:
                m.actor = states.generic[role]
            else:
                m.via = "country"
    if "post" in text or "osition" in text:  # (a substring test first: most sentences have neither)
        _positions(mentions, tokens, text)
    if any(m.generic_place for m in mentions):
        # what a place noun ("base", "the town") makes of the names around it (no pass
        # below creates one; without one, each has nothing to do)
        _owners(mentions, tokens, text, lexicon, states)
        _merge_of(mentions, tokens)
        _features(mentions, tokens)
        _possessive_place(mentions, tokens)
        _apposition(mentions, tokens)
        _definite(mentions, tokens, memory)
    _near(mentions, tokens)
    if "of" in (t.norm for t in tokens):
        _of_unit(mentions, tokens, text)
    for m in mentions:
        if m.place is not None and m.via != "coref" and not places_noted:
            memory.note_place(m.place, (sentence_index, m.start))
    _possessive(mentions, tokens)
    _countries_as_places(mentions, tokens)
    if " its " in text or " their " in text:  # (a substring test first: most sentences have neither)
        _speakers_own(mentions, tokens, generics or {})
    _groups(mentions, tokens)
    return mentions


def _compose(mentions: list[Mention], tokens: list[Token], text: str, country_words: list[tuple[int, int, str]],
             generic_state: list[tuple[Mention, str]], states, lexicon: Lexicon,
             generics: dict, event_nouns: list[tuple[int, str]] = ()) -> list[tuple[Mention, str]]:
    """Armed actors by grammar (see :mod:`coder.match.grammar`): join country
    words, named actors, descriptors and sponsors with the armed nouns next to
    them.  Returns the generic state words still to resolve by the document's
    country."""
    if not event_nouns and (not any(m.noun for m in mentions) or (not country_words and not any(
            m.via == "generic" or (m.via == "ref" and m.noun) for m in mentions))):
        # no armed noun and no noun of armed action; or no country word and no armed noun but
        # a named actor's own ("Iraqi forces" listed whole, which joins nothing alone): nothing to join
        return list(generic_state)
    pending = {id(m): role for m, role in generic_state}
    n = len(tokens)
    removed: set[int] = set()
    covered = [False] * n
    by_start: dict[int, list[Mention]] = {}
    for m in mentions:
        by_start.setdefault(m.start, []).append(m)
        covered[m.start:m.end] = [True] * (m.end - m.start)
    for cs, ce, _iso3 in country_words:
        covered[cs:ce] = [True] * (ce - cs)

    def armed(m: Mention) -> bool:  # an armed noun not yet joined to whose it is
        return bool(m.noun) and (id(m) in pending or m.via in ("generic", "ref"))

    def noun_after(j: int) -> Mention | None:
        """The armed noun starting at j or after at most MAX_MODIFIERS modifier words."""
        for _ in range(MAX_MODIFIERS + 1):
            for m in by_start.get(j, ()):
                if armed(m):
                    return m
            if j >= n or covered[j] or not is_modifier(tokens[j]):
                return None
            j += 1
        return None

    def actor_for(noun: str, iso3: str, words: str, head: str) -> Actor | None:
        """The actor of a country word + an armed noun of this kind."""
        if noun in states.generic:  # a state role: "Chadian artillery"
            return states.by_role.get((iso3, noun))
        info = generics.get(noun)
        if info is None:
            return None
        if info.country_role:  # "Iraqi units": the state's forces
            return states.by_role.get((iso3, info.country_role))
        return derived_actor(iso3 + noun, f"{words} {head}", info.actor.inter, iso3)

    def take(m: Mention, start: int, end: int, actor: Actor) -> None:
        m.start, m.end = start, end
        m.text = _span(text, tokens, start, end)
        m.actor, m.via = actor, "grammar"
        pending.pop(id(m), None)
        covered[start:end] = [True] * (end - start)

    # 0. country word or country (+ 's) (+ modifiers) + noun of armed action: "Israeli tank shelling",
    # "U.S. air strikes", "Russia's offensive" are the country's forces (the noun stays a word)
    if event_nouns:
        country_ends = {ce: (cs, iso3) for cs, ce, iso3 in country_words}
        actor_ends = {m.end: m for m in mentions
                      if m.actor is not None and m.via == "alias" and m.actor.code == m.actor.country}
        for es, role in event_nouns:
            j = es
            for _ in range(MAX_MODIFIERS + 1):
                at = j - 1 if j > 0 and tokens[j - 1].norm in ("'s", "'") else j
                if at in country_ends or at in actor_ends:
                    break
                if j == 0 or covered[j - 1] or not is_modifier(tokens[j - 1]):
                    at = -1
                    break
                j -= 1
            else:
                at = -1
            if at in country_ends:
                cs, iso3 = country_ends.pop(at)
                actor = states.by_role.get((iso3, role))
                if actor is not None:
                    words = _span(text, tokens, cs, at)
                    m = Mention(cs, at, words, words, actor=actor, via="grammar", noun=role)
                    mentions.append(m)
                    by_start.setdefault(cs, []).append(m)
            elif at in actor_ends:
                m = actor_ends.pop(at)
                actor = states.by_role.get((m.actor.country, role))
                if actor is not None:
                    m.actor, m.via, m.noun = actor, "grammar", role
        mentions.sort(key=lambda x: x.start)
        country_words = [(cs, ce, iso3) for cs, ce, iso3 in country_words if ce in country_ends]
    # 1. country word (+ 's) (+ modifiers) + armed noun: "Chadian artillery", "Nigeria's army units"
    for cs, ce, iso3 in country_words:
        j = ce + 1 if ce < n and tokens[ce].norm in ("'s", "'") else ce
        m = noun_after(j)
        if m is None:
            continue
        if m.via == "ref" and m.actor.country in ("", iso3):
            actor = m.actor  # "Sudanese rebels" after "SPLM-N": the group named before
        else:
            actor = actor_for(m.noun, iso3, _span(text, tokens, cs, ce), _head(tokens, m))
        if actor is not None:
            take(m, cs, m.end, actor)
    # 2. descriptor or sponsor + generic armed noun: "Druze militiamen", "Turkish-backed fighters", "HTS-led rebels"
    for g in mentions:
        if g.via != "generic" or id(g) in pending or g.start == 0:
            continue
        k = g.start - 1
        tok = tokens[k]
        sponsor = next((x for x in SPONSORED + LED if tok.norm.endswith(x) and len(tok.norm) > len(x)), None)
        if sponsor in LED:
            leader = _single_actor(lexicon, tok.norm[: -len(sponsor)])
            if leader is not None:
                take(g, k, g.end, leader)
                continue
        if sponsor is not None or (not covered[k] and _descriptor(tok)):
            take(g, k, g.end, derived_actor(g.actor.code, f"{tok.text} {_head(tokens, g)}", g.actor.inter))
    # 2b. two generic armed nouns in a row are one ("dissident fighters", "jihadist gunmen"): the first
    # says who, so its actor is kept
    for a, g in zip(list(mentions), list(mentions[1:]), strict=False):
        if a.via == "generic" and g.via == "generic" and g.start == a.end and id(a) not in pending \
                and id(g) not in pending and id(a) not in removed and a.actor is not None:
            take(g, a.start, g.end, a.actor)
            g.via, g.noun = "generic", a.noun or g.noun
            removed.add(id(a))
    # 3. named actor (+ modifier) + armed noun: "Houthi fighters", "a CRPF patrol", "Mali troops"
    ordered = sorted(mentions, key=lambda x: (x.start, -x.end))
    for a, g in zip(ordered, ordered[1:], strict=False):
        if a.actor is None or a.via != "alias" or a.place is not None or id(a) in removed or not armed(g):
            continue
        gap = g.start - a.end
        # "Houthi fighters", "FAMa Special units", "the SDF's fighters"; not "M23 rebels shelled army positions"
        between = tokens[a.end].norm if gap == 1 else ""
        if (
            gap < 0
            or gap > 1
            or (
                gap == 1
                and between not in ("'s", "'", "s")
                and not (is_modifier(tokens[a.end]) and tokens[a.end].text[:1].isupper())
            )
        ):
            continue
        if a.actor.country and a.actor.code == a.actor.country:  # "Mali troops": the country's
            actor = actor_for(g.noun, a.actor.country, a.text, _head(tokens, g))
            if actor is not None:
                take(g, a.start, g.end, actor)
                removed.add(id(a))
            continue
        a.end = g.end
        a.text = _span(text, tokens, a.start, a.end)
        a.noun = a.noun or g.noun
        pending.pop(id(g), None)
        removed.add(id(g))
    # 4. armed noun loyal to / of / from a named actor: "gunmen loyal to the RSF", "troops from Chad"
    ordered = [m for m in ordered if id(m) not in removed]
    for g, x in zip(ordered, ordered[1:], strict=False):
        if not armed(g) or x.actor is None or x.place is not None:
            continue
        # (a hedge is no link word: "a column of suspected JNIM fighters")
        link = [t.norm for t in tokens[g.end : x.start] if t.norm not in DETERMINERS and t.norm not in _HEDGES]
        country = x.actor.code == x.actor.country and x.actor.country
        if link in _LOYAL and not country:
            actor = x.actor
        elif link in (["of"], ["from"]) and not country and id(g) not in pending and g.via != "ref":
            actor = x.actor  # "fighters of the Islamic State"
        elif link == ["from"] and country:
            actor = actor_for(g.noun, country, x.text, _head(tokens, g))
        else:
            continue
        if actor is not None:
            take(g, g.start, x.end, actor)
            removed.add(id(x))
    # 5. coordinated country words share the noun: "Iraqi and Kurdish forces", "Malian and Russian troops"
    ends = {ce: (cs, iso3) for cs, ce, iso3 in country_words}
    added: list[Mention] = []
    for m in mentions:
        if not m.noun or m.actor is None or id(m) in removed or m.via not in ("alias", "grammar"):
            continue
        k = m.start
        while k >= 2 and tokens[k - 1].norm in ("and", "or", ",") and (k - 1) in ends:
            ps, piso = ends[k - 1]
            if piso == m.actor.country:
                break
            words = _span(text, tokens, ps, k - 1)
            other = actor_for(m.noun, piso, words, _head(tokens, m))
            if other is None:
                break
            added.append(Mention(ps, k - 1, words, m.alias, actor=other, via="grammar", noun=m.noun))
            k = ps
    # 7. armed nouns that are not actors alone ("the forces withdrew"); after "its" / "their" one
    # may be a speaker's ("the army said its forces ...": _speakers_own decides, and drops the rest)
    owned = " its " in text or " their " in text
    for g in mentions:
        if _names_nobody_alone(g, generics):
            if owned and g.start >= 2 and tokens[g.start - 1].norm in _OWN:
                continue
            removed.add(id(g))
    if removed or added:
        mentions[:] = sorted([m for m in mentions if id(m) not in removed] + added, key=lambda x: x.start)
    return [(m, role) for m, role in generic_state if id(m) in pending]


#: Words between armed men and the named actor whose they are: "gunmen loyal to the RSF",
#: "forces aligned with the government".
_LOYAL = (["loyal", "to"], ["aligned", "with"], ["aligned", "to"], ["affiliated", "with"], ["affiliated", "to"])


def _owners(mentions: list[Mention], tokens: list[Token], text: str, lexicon: Lexicon, states) -> None:
    """An actor right before a place noun holds the place: "an army base",
    "a Karen guerrilla stronghold", "an RSF camp" are one place mention (the
    place of a capture, the target of an attack) whose owner is the actor; so
    an actor before "-held" / "-controlled" / "-occupied" ("RSF-held
    neighbourhoods", "rebel-held areas", "Ukrainian-held positions": a named
    actor, a generic armed noun, a country word's forces)."""
    removed = set()
    for a, b in zip(mentions, mentions[1:], strict=False):
        if b.generic_place and b.start == a.end and a.actor is not None and a.place is None and not a.possessive \
                and id(a) not in removed:
            b.start, b.owner = a.start, a.actor
            b.text = _span(text, tokens, b.start, b.end)
            removed.add(id(a))
    if removed:
        mentions[:] = [m for m in mentions if id(m) not in removed]
    for b in mentions:
        if b.generic_place and b.owner is None and b.start > 0:
            owner = _held_by(lexicon, states, tokens[b.start - 1])
            if owner is not None and all(m.end != b.start for m in mentions):
                b.start, b.owner = b.start - 1, owner
                b.text = _span(text, tokens, b.start, b.end)


#: The last words of an actor's name that make it a place that actor holds
#: ("army post", "military positions", "Sudanese positions").
POSITION_NOUNS = frozenset("post posts position positions outpost outposts".split())


def _positions(mentions: list[Mention], tokens: list[Token], text: str) -> None:
    """A side's posts or positions are a place that side holds (taken,
    attacked), as "an army checkpoint" is: an actor whose name ends with one
    of :data:`POSITION_NOUNS` ("an army post", "Sudanese positions"), or an
    actor right before one that no mention covers ("RSF positions", "junta
    positions").  The words name the holder, not a side that acts; a post or
    position with no holder named ("took positions around the town") stays
    no place."""
    starts = {m.start for m in mentions}
    for m in mentions:
        if m.actor is None or m.place is not None or m.possessive:
            continue
        if m.end - m.start > 1 and tokens[m.end - 1].norm in POSITION_NOUNS:
            pass
        elif m.end < len(tokens) and tokens[m.end].norm in POSITION_NOUNS and m.end not in starts:
            m.end += 1
            m.text = _span(text, tokens, m.start, m.end)
        else:
            continue
        m.owner, m.actor, m.generic_place = m.actor, None, True


def _countries_as_places(mentions: list[Mention], tokens: list[Token]) -> None:
    """A country's name after "in" / "across" / "throughout" (a direction
    between allowed) is where something happened, not the state as a side:
    "struck Kurdish positions in northern Syria", "attacked army positions in
    eastern Congo" (the name holds both until here, and a rule's
    ``[{actor2}|{location}]`` took the side)."""
    for m in mentions:
        if m.place is None or m.actor is None or m.actor.code != m.actor.country:
            continue
        k = m.start - 1
        while k >= 0 and tokens[k].norm in DIRECTIONS:
            k -= 1
        if k >= 0 and tokens[k].norm in _IN_COUNTRY:
            m.actor = None


_IN_COUNTRY = frozenset({"in", "across", "throughout", "inside", "into"})


#: Endings of a hyphenated word that say who holds a place ("RSF-held").
HELD = ("-held", "-controlled", "-occupied", "-run", "-dominated")


def _held_by(lexicon: Lexicon, states, tok: Token) -> Actor | None:
    """Who an "X-held" word says holds a place, or None."""
    norm = tok.norm
    if "-" not in norm or not norm.endswith(HELD):
        return None
    node = lexicon.root.get(norm.rsplit("-", 1)[0])
    for entry in (node.get("") if node else None) or ():
        if entry.kind in ("actor", "generic_actor"):
            return entry.value
        if entry.kind == "country" and states is not None:
            return states.by_role.get((entry.value, "MIL"))
    return None


def _head(tokens: list[Token], m: Mention) -> str:
    """The armed noun of a mention as written, lower case ("militiamen")."""
    return " ".join(t.text.lower() for t in tokens[m.end - 1 : m.end]) if m.end > m.start else ""


def _single_actor(lexicon: Lexicon, norm: str) -> Actor | None:
    """The named actor a one-word alias names ("hts" in "HTS-led"), if any."""
    node = lexicon.root.get(norm)
    bucket = node.get("") if node else None
    for entry in bucket or ():
        if entry.kind == "actor":
            return entry.value
    return None


def _name_goes_on(tok: Token, taken: bool) -> bool:
    """Whether the word before a gazetteer name starts a longer name the
    gazetteer does not have: a capitalised word that is no mention and no
    common word."""
    text = tok.text
    return (
        not taken and tok.is_word and text[:1].isupper() and not text.isupper()
        and tok.norm not in _common_words() and tok.norm not in NOT_DESCRIPTORS and tok.norm not in stop_words()
    )


def _descriptor(tok: Token) -> bool:
    """A capitalised word before an armed noun that describes who they are
    ("Druze", "Fulani"): a name, not a common word starting a sentence."""
    text = tok.text
    if not tok.is_word or not text[:1].isupper() or text.isupper() and len(text) <= 2:
        return False
    norm = tok.norm
    return norm not in NOT_DESCRIPTORS and norm not in _common_words()


#: Capitalised words before an armed noun that do not say who they are.
NOT_DESCRIPTORS = frozenset(
    """
    suspected unidentified unknown armed heavily alleged masked hooded several dozens hundreds many some
    other rival local foreign hostile enemy allied government opposition suicide islamist armed
    january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday
    one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen twenty thirty forty
    fifty hundred hundreds thousands dozen dozens scores
    """.split()
)


def _common_words() -> frozenset[str]:
    global _COMMON
    if _COMMON is None:
        from importlib.resources import files  # (here: an import statement runs at every call)

        text = (files("coder") / "data" / "common_words.txt").read_text(encoding="utf-8")
        _COMMON = frozenset(w.strip().lower() for w in text.split() if w.strip() and not w.startswith("#"))
    return _COMMON


_COMMON: frozenset[str] | None = None


_PLACES: dict = {}  # geonameid -> Place (one object per gazetteer place)


#: Without a hint from the document, the most populous same-name place wins
#: when it has this many times the people of the best in any other country.
DOMINANCE = 5
#: A name the text uses for a place in none of the countries the document
#: names must belong to a place at least this large ("Ber" in a story about
#: Mali is not Veroia in Greece, also called Ber).
FOREIGN_MIN_POPULATION = 100_000


def gazetteer_place(candidates: list, counts, name: str = "") -> Place | None:
    """The codebook Place for a gazetteer name, chosen among same-name places
    (docs/gazetteer.md):

    1. places whose main name is the name as written come first ("Tokmak" is
       the Ukrainian town, not Kyrgyzstan's Tokmok, also called Tokmak); a
       short name (4 letters or fewer) that is only an alternate name of
       every candidate is not trusted at all;
    2. the document's country mentions decide; when the document names
       countries but none of the candidates', only a large place (100,000
       people) is taken;
    3. else the most populous, if it has 5 times the people of any other
       country's best.

    The record's location is the name as the text writes it ("Arbinda",
    not GeoNames' "Aribinda"); country, admin1 and coordinates are
    GeoNames'."""
    from coder.gazetteer import disambiguate, normalize_name

    if name:
        key = normalize_name(name)
        main = [c for c in candidates if normalize_name(c.name) == key]
        if main:
            candidates = main
        elif len(key.replace(" ", "")) <= 4:
            return None
    isos = {c.iso3 for c in candidates}
    if len(isos) > 1:
        mentioned = counts() if callable(counts) else counts
        if mentioned and not isos & set(mentioned):
            candidates = [c for c in candidates if (c.population or 0) >= FOREIGN_MIN_POPULATION]
            if not candidates:
                return None
        geo = disambiguate(candidates, mentioned, dominance=DOMINANCE)
    else:
        geo = disambiguate(candidates, {}, dominance=DOMINANCE)
    if geo is None:
        return None
    label = name.strip() or geo.name
    key = (geo.geonameid, label)
    place = _PLACES.get(key)
    if place is None:
        if len(_PLACES) > 200_000:  # pragma: no cover - bound the cache
            _PLACES.clear()
        place = geo.to_place()
        place.name, place.country = label, without_diacritics(place.country)
        place.admin1 = without_diacritics(place.admin1)
        place.admin2, place.admin3 = without_diacritics(place.admin2), without_diacritics(place.admin3)
        _PLACES[key] = place
    return place


def _covered(n: int, mentions: list[Mention], spans: list[tuple[int, int]] = ()) -> list[bool]:
    """Per token of a sentence of ``n`` tokens, whether a mention (or one of
    ``spans``, token ranges) covers it."""
    covered = [False] * n
    for m in mentions:
        covered[m.start : m.end] = [True] * (m.end - m.start)
    for a, b in spans:
        covered[a:b] = [True] * (b - a)
    return covered


def _gazetteer_places(
    mentions: list[Mention],
    tokens: list[Token],
    text: str,
    gazetteer,
    memory: CorefMemory,
    hinted: list[tuple[int, int]] = (),
) -> None:
    """Places the codebook does not list, from the gazetteer: a name not
    covered by a mention (or by a demonym: "Somali" is not a village) becomes
    a place mention; a country actor's name ("Syria" the state, "Syria" the
    country) gets the place too, and the slot decides which is meant."""
    taken = _covered(len(tokens), mentions, hinted)
    if not _may_name_place(tokens, taken, mentions):
        return
    # a name that would start inside an actor, a listed place or a country word is dropped
    # below whatever it is (only a place noun or a country actor may be part of a longer
    # name, "Port Sudan"): the gazetteer need not look there
    skip = [False] * len(tokens)
    for m in mentions:
        if not _weak_inside(m):
            skip[m.start : m.end] = [True] * (m.end - m.start)
    for a, b in hinted:
        skip[a:b] = [True] * (b - a)
    found = gazetteer.find(tokens, skip=skip)
    if not found:
        return
    by_span = {(m.start, m.end): m for m in mentions}
    added = False
    for start, end, candidates in found:
        same = by_span.get((start, end))
        if same is None and any(taken[start:end]):
            # "Port Sudan", "Camp Bastion": a name made of a place noun and a
            # country's name is one place, not a port and the state of Sudan
            inside = [m for m in mentions if start <= m.start and m.end <= end]
            if (
                not inside
                or any(not _weak_inside(m) or m.end - m.start >= end - start for m in inside)
                or any(taken[k] for k in range(start, end) if not any(m.start <= k < m.end for m in inside))
                or not tokens[start].text[:1].isupper()
            ):
                continue
            for m in inside:
                mentions.remove(m)
        if same is not None and (
            same.place is not None
            or same.generic_place
            or same.via != "alias"
            or same.actor is None
            or same.actor.code != same.actor.country
        ):
            continue
        if same is None and start > 0 and _name_goes_on(tokens[start - 1], taken[start - 1]):
            continue  # "Ovidio Guzman", "Datu Saudi Ampatuan": part of a longer name, not this place
        if same is not None:
            candidates = _of_country(candidates, same.actor.country, gazetteer)
            if not candidates:
                continue
        name = _span(text, tokens, start, end)
        place = gazetteer_place(candidates, memory.country_counts, name)
        if place is None:
            continue
        if same is not None:
            same.place = place
        else:
            mentions.append(Mention(start, end, name, name, place=place, via="gazetteer"))
            added = True
    if added:
        mentions.sort(key=lambda m: m.start)


def _descriptors(mentions: list[Mention], tokens: list[Token], text: str) -> None:
    """"the paramilitary Rapid Support Forces", "the rebel M23": a generic
    armed word right before the name of a non-state group describes it; one
    mention of the group (it was a second actor, unidentified gunmen, and
    "the army and the paramilitary Rapid Support Forces fought" had three
    sides)."""
    i = 0
    while i < len(mentions) - 1:
        a, b = mentions[i], mentions[i + 1]
        if a.via == "generic" and a.actor is not None and b.start == a.end and b.via == "alias" \
                and b.actor is not None and b.actor.inter in (2, 3, 4) and b.actor.code != b.actor.country:
            b.start = a.start
            b.text = _span(text, tokens, a.start, b.end)
            del mentions[i]
            continue
        i += 1


def _of_country(candidates: list, iso3: str, gazetteer) -> list:
    """The places a country actor's name can be: those of its country ("Syria"
    the country, "Djibouti" the city); when the gazetteer gives that name only
    to other countries' places ("Congo", a town in Brazil and the Republic of
    the Congo, where the country table says DR Congo), the country itself,
    found by its table name."""
    mine = [c for c in candidates if c.iso3 == iso3]
    if mine:
        return mine
    from coder.countries import countries

    c = countries().get(iso3)
    return [g for g in gazetteer.lookup(c.name) if g.iso3 == iso3 and g.kind == "country"] if c else []


#: Words between a place noun and a named place that make them one mention:
#: "the town of Rawa", "a base in Kismayo", "positions near Palmyra" (near).
_LINKS = {
    ("of",): False,
    ("in",): False,
    ("at",): False,
    ("near",): True,
    ("outside",): True,
    ("close", "to"): True,
    ("on", "the", "outskirts", "of"): True,
    ("outskirts", "of"): True,
}
_MAX_LINK = max(len(k) for k in _LINKS)


def _merge_of(mentions: list[Mention], tokens: list[Token]) -> None:
    """``the town of Rawa``, ``a base in Kismayo`` -> one mention of the named
    place, starting at the place noun.  Not for countries ("a town in Syria")."""
    i = 0
    while i < len(mentions) - 1:
        a, b = mentions[i], mentions[i + 1]
        gap = b.start - a.end
        if a.generic_place and b.place is not None and 0 < gap <= _MAX_LINK:
            link = tuple(t.norm for t in tokens[a.end : b.start])
            near = _LINKS.get(link)
            if near is not None and (link == ("of",) or b.place.kind != "country"):
                b.start = a.start
                b.text = _join(tokens, a.start, b.end)
                b.near = b.near or near
                b.owner = b.owner or a.owner
                del mentions[i]
                continue
        i += 1


#: Words right before a name that say it is a place ("near Boulkessi").
_PLACE_PREPOSITIONS = frozenset("in near at outside around into toward towards across throughout".split())
#: Nouns whose "of" introduces a place: "control of Chipwi", "the outskirts of Kelbo".
_OF_PLACE = frozenset("control outskirts fall capture recapture siege seizure edge centre center heart".split())
_APPOSITION_COUNT = frozenset("a an the two three four five several both".split())
#: Words between such a preposition and the name: "in nearby Hantoub".
_NEARBY = frozenset("nearby neighbouring neighboring".split())


def _apposition_noun(tokens: list[Token], j: int, nouns_at: dict, taken: list[bool]) -> bool:
    """Whether the name ending at ``j`` is followed, maybe through other
    names joined by "and" or commas, by ", (a|two|...) <place noun>"."""
    n = len(tokens)
    k = j
    for _ in range(4):
        if k + 2 < n and tokens[k].norm == "," and tokens[k + 1].norm in _APPOSITION_COUNT:
            noun = nouns_at.get(k + 2)
            if noun is not None and noun.alias not in FEATURE_NOUNS:
                return True
        if k < n and tokens[k].norm in ("and", ","):
            k += 1
            while k < n and not taken[k] and _name_word(tokens[k]):
                k += 1
            continue
        return False
    return False


_OWN = frozenset({"its", "their"})
#: Words that hedge who an armed actor is without changing who it is.
_HEDGES = frozenset({"suspected", "alleged", "presumed", "so-called"})


def _speakers_own(mentions: list[Mention], tokens: list[Token], generics: dict) -> None:
    """An armed noun after "its" / "their" right after a reporting verb (and
    "that", a few words after the verb: "said on Thursday that") belongs to
    the speaker named before the verb: "Al-Shabaab said its fighters stormed
    the base", "the army claimed that its troops retook the town", "the
    army said its forces ..." (an armed noun that names nobody alone, which
    :func:`_compose` keeps after "its" / "their" for this; dropped here when
    no speaker claims it).  Elsewhere the owner is not clear ("X attacked their fighters")."""
    speakers = {m.end: m for m in mentions if m.actor is not None}
    for m in mentions:
        if m.via not in ("generic", "country") or m.start < 2 or tokens[m.start - 1].norm not in _OWN:
            continue
        verb = m.start - 2
        if tokens[verb].norm == "that" and verb > 0:
            # "said that its", "said on Thursday that its", "told reporters that their"
            that = verb
            verb -= 1
            while verb > 0 and that - verb < 4 and tokens[verb].norm not in REPORTING and tokens[verb].is_word:
                verb -= 1
        speaker = speakers.get(verb) if tokens[verb].norm in REPORTING else None
        if speaker is not None and speaker is not m:
            m.actor, m.via = speaker.actor, "ref"
    # an armed noun that names nobody alone ("forces") and is no speaker's: as in _compose
    mentions[:] = [m for m in mentions if not _names_nobody_alone(m, generics)]


def _names_nobody_alone(m: Mention, generics: dict) -> bool:
    """A generic armed noun marked ``standalone: false`` ("forces", "units"), still generic."""
    return m.via == "generic" and m.noun in generics and not generics[m.noun].standalone


#: Most words of a place name no gazetteer knows.
_MAX_UNLISTED = 3
_UNLISTED: dict[tuple[str, str], Place] = {}


def _unlisted_places(
    mentions: list[Mention],
    tokens: list[Token],
    text: str,
    memory: CorefMemory,
    hinted: list[tuple[int, int]] = (),
    place_words: frozenset[str] = frozenset(),
) -> None:
    """Place names the codebook and the gazetteer do not know (villages under
    1,000 people, new camps), kept where the words around a capitalised name
    say it is a place: after a place noun and its link ("the village of
    Tekalguda", "a camp near Boulkessi"), before a place noun ("Wandoli
    village"), after in / near / at / outside / around / into / toward /
    across / throughout (and
    "nearby" or "neighbouring" after one: "in nearby Hantoub"), or
    after a word a rule puts before a place ("reoccupied Kelbo").
    The record keeps the name as written, the document's country when it is
    clear, and no coordinates."""
    # where a name may start, in order: capitalised or hyphenated (most words are lower
    # case: one pass with the cheap test), a word that can open a place name, not taken
    opens = _NAME_OPENS
    starts = [k for k, tok in enumerate(tokens) if (tok.text[:1].isupper() or "-" in tok.text) and (
        opens[tok.text] if tok.text in opens else _opens(tok))]
    if not starts:
        return  # most sentences: only names the mentions hold, weekdays, demonyms, acronyms
    n = len(tokens)
    taken = _covered(n, mentions, hinted)
    starts = [k for k in starts if not taken[k]]
    if not starts:
        return
    nouns_at = {m.start: m for m in mentions if m.generic_place}
    nouns_end = {m.end: m for m in mentions if m.generic_place}
    added: list[Mention] = []
    k = 0  # no name starts before k (the end of the last name kept)
    for start in starts:
        if start < k:
            continue
        k = j = start
        while (
            j < n
            and j - k < _MAX_UNLISTED
            and not taken[j]
            and _name_word(tokens[j])
            and tokens[j].norm not in _common_words()
        ):
            j += 1
        if j == k:
            k += 1
            continue
        prev = tokens[k - 1].norm if k else ""
        after_noun = (
            k >= 2 and prev in ("of", "near", "in", "at", "outside", "called", "named") and (k - 1) in nouns_end
        )
        before_noun = j in nouns_at and nouns_at[j].alias not in FEATURE_NOUNS  # "Tishrin dam" is a feature
        after_preposition = k > 0 and (prev in _PLACE_PREPOSITIONS or prev in place_words or (
            prev == "of" and k >= 2 and tokens[k - 2].norm in _OF_PLACE) or (
            prev in _NEARBY and k >= 2 and tokens[k - 2].norm in _PLACE_PREPOSITIONS))
        appositive = not (after_noun or before_noun or after_preposition) and _apposition_noun(
            tokens, j, nouns_at, taken)  # "Chipwi and Pangwa, two towns near the border"
        if (after_noun or before_noun or after_preposition or appositive) and not (
            j in nouns_at and nouns_at[j].alias in FEATURE_NOUNS
        ):
            name = _span(text, tokens, k, j)
            iso3 = memory.country() or ""
            key = (name, iso3)
            place = _UNLISTED.get(key)
            if place is None:
                if len(_UNLISTED) > 50_000:  # pragma: no cover - bound the cache
                    _UNLISTED.clear()
                from coder.countries import countries

                c = countries().get(iso3) if iso3 else None
                place = _UNLISTED[key] = Place(
                    name, 1, kind="town", country=c.name if c else "", iso3=iso3 if c else ""
                )
            m = Mention(k, j, name, name, place=place, via="unlisted")
            if before_noun:  # "Wandoli village": one mention of Wandoli
                noun = nouns_at[j]
                m.end = noun.end
                m.text = _span(text, tokens, k, noun.end)
                mentions.remove(noun)
            added.append(m)
        k = j
    if added:
        mentions.extend(added)
        mentions.sort(key=lambda m: m.start)


#: Capitalised words that open names of units, operations and offices, not places.
_NOT_PLACE_STARTS = frozenset(
    """
    operation battalion brigade division front regiment corps unit units army police force forces commander
    general colonel major captain lieutenant sergeant president minister governor chief mr mrs ms dr
    islamic national federal joint special ministry council court
    """.split()
)


#: token text -> :func:`_name_start` (the same capitalised words come back in every
#: sentence: "Monday", "Iraqi", "UN")
_NAME_OPENS: dict[str, bool] = {}


def _opens(tok: Token) -> bool:
    if len(_NAME_OPENS) > 50_000:  # pragma: no cover - bound the cache
        _NAME_OPENS.clear()
    got = _NAME_OPENS[tok.text] = _name_start(tok)
    return got


def _name_start(tok: Token) -> bool:
    """A token that can open a place name: capitalised, not a stop word,
    not a common English word, not a month or weekday."""
    if not _name_word(tok):
        return False
    norm = tok.norm
    if norm.endswith(HELD):
        return False  # "RSF-held neighbourhoods": who holds them, not their name
    if norm in stop_words() or norm in _common_words() or norm in NOT_DESCRIPTORS or norm in _NOT_PLACE_STARTS:
        return False
    if norm.endswith(("ish", "ese")) or norm in _demonyms():
        return False  # "Kurdish positions", "Sudanese troops": who, not where
    text = tok.text
    return not (text.isupper() and len(text) <= 5)  # an acronym (UN, NATO, RSF) is not a village


def _demonyms() -> frozenset[str]:
    global _DEMONYMS
    if _DEMONYMS is None:
        from coder.countries import countries

        _DEMONYMS = frozenset(d.lower() for c in countries().values() for d in c.demonyms)
    return _DEMONYMS


_DEMONYMS: frozenset[str] | None = None


def _weak_inside(m: Mention) -> bool:
    """A mention a longer gazetteer name may swallow: a place noun ("Port"),
    or a country as an actor ("Sudan")."""
    if m.generic_place:
        return True
    return m.actor is not None and m.place is None and m.via == "alias" and m.actor.code == m.actor.country


def _may_name_place(tokens: list[Token], taken: list[bool], mentions: list[Mention]) -> bool:
    """Cheap test before scanning the gazetteer: is there a capitalised word
    (or an "al-" particle) that no mention covers and that is not a stop word
    ("Friday", "President")?  Country actors' names count too (they may be
    places as well)."""
    stop = None
    for k, tok in enumerate(tokens):
        if taken[k]:
            continue
        norm = tok.norm
        if tok.text[:1].isupper() or particle_start(norm):
            if stop is None:
                stop = stop_words()
            if norm not in stop:
                return True
    return any(m.actor is not None and m.actor.code == m.actor.country and m.place is None for m in mentions)


def _is_capital(entry) -> bool:
    from coder.countries import countries

    c = countries().get(entry.value)
    return c is not None and c.capital == entry.alias


#: Place nouns that name a feature when a name stands before them ("Tabqa
#: dam", "al-Omar oil field", "Ain al-Asad air base").
FEATURE_NOUNS = frozenset(
    {
        "dam",
        "oil field",
        "oilfield",
        "gas field",
        "air base",
        "airbase",
        "airport",
        "airfield",
        "base",
        "bridge",
        "border crossing",
        "crossing",
        "camp",
        "prison",
        "refinery",
        "power station",
        "power plant",
    }
)


def _features(mentions: list[Mention], tokens: list[Token]) -> None:
    """Named features that are not towns keep their name ("Tabqa dam") and
    take the coordinates of the place they are named after ("Tabqa") or stand
    near when the text says so ("the Tishrin dam near Manbij"), with the
    coarser precision 2; a feature whose place is unknown keeps its name with
    precision 3 and no coordinates."""
    i = 0
    while i < len(mentions):
        m = mentions[i]
        noun = None
        if m.generic_place and m.alias in FEATURE_NOUNS:
            noun = m  # "al-Omar oil field": a name of unknown words before the noun
        elif (
            m.place is not None
            and m.start < m.end
            and tokens[m.start].norm in _FEATURE_FIRST
            and m.head > m.start
            and _feature_noun(tokens, m.start) is not None
        ):
            noun = m  # "dam near Manbij", "air base in Anbar", merged by _merge_of
        if noun is not None:
            j = noun.start
            while (
                j > 0
                and tokens[j - 1].is_word
                and _name_word(tokens[j - 1])
                and not (i > 0 and mentions[i - 1].end > j - 1)
                and tokens[j - 1].norm not in _demonyms()  # "the Saudi base": whose, not its name
                and tokens[j - 1].norm not in DETERMINERS  # "The airport of Goma" opening a sentence
            ):
                j -= 1
            name_start = j
            if (
                i > 0
                and mentions[i - 1].place is not None
                and not mentions[i - 1].possessive
                and mentions[i - 1].end == noun.start
            ):
                name_start = mentions[i - 1].start  # "Tabqa dam": named after Tabqa
                base = mentions[i - 1].place
                del mentions[i - 1]
                i -= 1
            elif noun.place is not None:
                base = noun.place  # "the Tishrin dam near Manbij"
            else:
                base = None
            if name_start < noun.start or base is not None and noun is not m:
                end = noun.start + len(_feature_noun(tokens, noun.start) or ()) if noun.place is not None else noun.end
                name = _join(tokens, name_start, end)
                if name_start < noun.start or noun.place is None:
                    m.place = _feature_place(name, base)
                    m.generic_place = False
                    m.start = min(m.start, name_start)
                    m.text = _join(tokens, m.start, m.end)
                    m.via = "feature"
        i += 1


_FEATURE_FIRST = frozenset(n.split()[0] for n in FEATURE_NOUNS)


def _name_word(tok: Token) -> bool:
    """A word of a name: capitalised, or an "al-Asad" particle form."""
    text = tok.text
    if text[:1].isupper():
        return True
    return "-" in text and particle_start(tok.norm) and any(c.isupper() for c in text)


def _feature_noun(tokens: list[Token], k: int) -> tuple[str, ...] | None:
    for n in sorted(FEATURE_NOUNS, key=len, reverse=True):
        parts = tuple(n.split())
        if (
            tuple(t.norm for t in tokens[k : k + len(parts)]) == parts
            or tuple(t.norm.rstrip("s") for t in tokens[k : k + len(parts)]) == parts
        ):
            return parts
    return None


def _feature_place(name: str, base: Place | None) -> Place:
    if base is None:
        return Place(name, 3, kind="feature")
    return Place(
        name,
        max(2, base.geo_precision),
        kind="feature",
        country=base.country,
        iso3=base.iso3,
        admin1=base.admin1,
        admin2=base.admin2,
        admin3=base.admin3,
        latitude=base.latitude,
        longitude=base.longitude,
    )


def _possessive_place(mentions: list[Mention], tokens: list[Token]) -> None:
    """``Aden's international airport``, ``Mosul's old city`` -> one mention of
    the named place, ending at the place noun (up to two words between)."""
    i = 0
    while i < len(mentions) - 1:
        a, b = mentions[i], mentions[i + 1]
        if a.place is not None and b.generic_place and a.end < len(tokens) and tokens[a.end].norm in ("'s", "'"):
            between = tokens[a.end + 1 : b.start]
            named_next = i + 2 < len(mentions) and mentions[i + 2].place is not None and mentions[i + 2].start == b.end
            if named_next:  # "Syria's second city Aleppo": the name that follows is the place
                i += 1
                continue
            if len(between) <= 2 and all(t.is_word and t.norm not in DETERMINERS for t in between):
                a.end = b.end
                a.text = _join(tokens, a.start, b.end)
                del mentions[i + 1]
                continue
        i += 1


def _apposition(mentions: list[Mention], tokens: list[Token]) -> None:
    """``Mosul, the Iraqi city`` -> the generic ``city`` names Mosul."""
    for k, m in enumerate(mentions):
        if not m.generic_place or k == 0:
            continue
        prev = mentions[k - 1]
        if prev.place is None:
            continue
        j = m.start - 1
        skipped = 0
        while (
            j > prev.end
            and skipped < 3
            and tokens[j].norm != ","
            and (tokens[j].norm in DETERMINERS or tokens[j].norm[:1].isalpha())
        ):
            j -= 1
            skipped += 1
        if j == prev.end and tokens[j].norm == ",":
            m.place = prev.place
            m.generic_place = False
            m.via = "apposition"


_DEFINITE = frozenset({"the", "this", "that"})


def _definite(mentions: list[Mention], tokens: list[Token], memory: CorefMemory) -> None:
    """``the town`` -> the most recent named town of the document (this
    sentence first), for the place nouns listed in ``place_refs``."""
    last: Place | None = None
    covered = _covered(len(tokens), mentions)
    for m in mentions:
        if m.place is not None and m.via != "coref":
            if m.place.kind == "town":
                last = m.place
            continue
        if not m.generic_place or m.alias not in memory.place_refs:
            continue
        if m.end + 1 < len(tokens) and tokens[m.end].norm == "of" and tokens[m.end + 1].text[:1].isupper():
            continue  # "the town of Baga": a town we do not know, not the last one named
        j = m.start - 1
        for _ in range(3):
            if j < 0:
                break
            norm = tokens[j].norm
            if norm in _DEFINITE:
                town = last or memory.last_town()
                if town is not None:
                    m.place, m.generic_place, m.via = town, False, "coref"
                break
            if norm in DETERMINERS or not tokens[j].is_word or covered[j]:
                break
            j -= 1


def _near(mentions: list[Mention], tokens: list[Token]) -> None:
    """``near Palmyra``, ``outside Marib``, ``south of the city``: the event is
    near the place, not in it (``a base near X`` is marked by ``_merge_of``)."""
    for m in mentions:
        if m.place is None or m.near:
            continue
        j = m.start - 1
        while j >= 0 and tokens[j].norm in DETERMINERS:
            j -= 1
        if j < 0:
            continue
        norm = tokens[j].norm
        m.near = norm in NEAR or (norm == "of" and j > 0 and tokens[j - 1].norm in DIRECTIONS | NEAR)


#: Nouns that end the name of an armed unit: "the 33rd Front", "the 2nd Mechanized Brigade".
_UNIT_NOUNS = frozenset("front brigade battalion division regiment corps column bloc command company".split())


def _of_unit(mentions: list[Mention], tokens: list[Token], text: str) -> None:
    """An armed actor "of the <unit>" is that actor, the unit's name a part of
    the mention: "FARC dissidents of the 33rd Front", "troops of the army's
    6th Infantry Division" (a pattern word after the mention then stands right
    after it: "drove FARC dissidents of the 33rd Front out of Teorama").  The
    unit's words are capitalised or numbers, at most five, the last a unit
    noun; none is part of another mention, but for an owner before "'s"."""
    n = len(tokens)
    starts = {m.start for m in mentions}
    covered = _covered(n, mentions)
    joined: list[Mention] = []
    for m in mentions:
        j = m.end
        if m.actor is None or m.place is not None or j + 2 >= n or any(m is x for x in joined):
            continue
        if tokens[j].norm != "of" or tokens[j + 1].norm != "the":
            continue
        k = j + 2
        unit = next((x for x in mentions if x.start == k and x.actor is not None and x.place is None), None)
        if unit is not None and tokens[unit.end - 1].norm in _UNIT_NOUNS:
            # a unit the codebook lists ("FARC dissidents of the 33rd Front"): the unit, the
            # more precise actor, named by the whole phrase
            m.end, m.actor, m.noun, m.via = unit.end, unit.actor, unit.noun, unit.via
            m.text = _span(text, tokens, m.start, m.end)
            joined.append(unit)
            continue
        owner = next((x for x in mentions if x.start == k and x.actor is not None), None)
        if owner is not None and owner.end < n and tokens[owner.end].norm == "'s":
            k = owner.end + 1  # "the army's 6th Infantry Division"
        elif k + 1 < n and tokens[k + 1].norm == "'s" and tokens[k].text[:1].isupper():
            k += 2
        end = k
        while end < n and end - k < 5 and not covered[end] and end not in starts and (
                tokens[end].text[:1].isupper() or tokens[end].text[:1].isdigit()):
            end += 1
        if end == k or tokens[end - 1].norm not in _UNIT_NOUNS:
            continue
        m.end = end
        m.text = _span(text, tokens, m.start, end)
        covered[j:end] = [True] * (end - j)
    for unit in joined:
        mentions.remove(unit)


def _possessive(mentions: list[Mention], tokens: list[Token]) -> None:
    n = len(tokens)
    for m in mentions:
        if (
            m.end < n
            and tokens[m.end].norm in ("'s", "'", "s")
            and (tokens[m.end].norm != "s" or (m.end + 1 < n and tokens[m.end + 1].is_word))
        ):
            m.possessive = True


def _groups(mentions: list[Mention], tokens: list[Token]) -> None:
    """Coordinated named places share one group list.

    Places are linked by commas, ``and``/``or`` and the odd ``in``/``both``
    (``both al-Qaim and in Albu Kamal``); a group needs at least one ``and``
    or ``or`` (``Mosul, Iraq`` is an apposition, not a list), and a place in
    the possessive (``Syria's largest``) is never part of one.
    """
    runs: list[list[Mention]] = []
    conj: list[bool] = []
    for m in mentions:
        m.group = [m]
        if m.place is None or m.via == "apposition" or m.possessive:
            runs.append([])
            conj.append(False)
            continue
        if runs and runs[-1]:
            links = [t.norm for t in tokens[runs[-1][-1].end : m.start]]
            if 0 < len(links) <= 3 and all(x in _GROUP_LINKS for x in links):
                runs[-1].append(m)
                conj[-1] = conj[-1] or "and" in links or "or" in links
                continue
        runs.append([m])
        conj.append(False)
    for run, has_conj in zip(runs, conj, strict=True):
        if len(run) > 1 and has_conj:
            for m in run:
                m.group = run
    _actor_groups(mentions, tokens)


#: Words that may join coordinated actors ("Malian troops and Wagner
#: mercenaries", "the army, the police and the VDP").
_ACTOR_LINKS = frozenset({",", "and", "the", "its", "their", "allied", "affiliated"})


def _actor_groups(mentions: list[Mention], tokens: list[Token]) -> None:
    """Coordinated actors share one group list, in text order: the first is
    the one a record names as the actor, the others are associated with it."""
    run: list[Mention] = []
    has_and = False

    def close() -> None:
        if len(run) > 1 and has_and:
            group = list(run)
            for x in group:
                x.group = group

    for m in mentions:
        if m.actor is None or m.place is not None or m.possessive:
            close()
            run, has_and = [], False
            continue
        if run:
            links = [t.norm for t in tokens[run[-1].end : m.start]]
            if 0 < len(links) <= 3 and all(x in _ACTOR_LINKS for x in links) and (links[0] in (",", "and")):
                run.append(m)
                has_and = has_and or "and" in links
                continue
            close()
        run, has_and = [m], False
    close()


def _span(text: str, tokens: list[Token], start: int, end: int) -> str:
    """The text of tokens [start, end) as the sentence writes it."""
    return text[tokens[start].start : tokens[end - 1].end]


def _join(tokens: list[Token], start: int, end: int) -> str:
    out = []
    for k in range(start, end):
        if k > start and tokens[k].start > tokens[k - 1].end:
            out.append(" ")
        out.append(tokens[k].text)
    return "".join(out)
