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

import unicodedata
from bisect import insort
from collections import Counter
from dataclasses import dataclass, field

from coder.codebook.model import Actor, Place
from coder.gazetteer.store import particle_start, stop_words
from coder.match.lexicon import Hit, Lexicon
from coder.match.words import DETERMINERS, DIRECTIONS, NEAR
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
            insort(self.actors, (where, actor), key=lambda x: x[0])

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
                  sentence_index: int = 0, states=None, gazetteer=None) -> list[Mention]:
    """All mentions in a sentence, in order; notes them in the coreference memory.

    ``states`` (a :class:`~coder.codebook.states.StateActorTable`) resolves
    generic state words ("government forces") to the document's country;
    ``gazetteer`` (a :class:`~coder.gazetteer.Gazetteer`) adds the places the
    codebook does not list.
    """
    mentions: list[Mention] = []
    hits: list[Hit] = lexicon.scan(tokens)
    generic_state: list[tuple[Mention, str]] = []
    hinted: list[tuple[int, int]] = []  # country names and demonyms: no mention, but not places either
    for hit in hits:
        span = text[tokens[hit.start].start: tokens[hit.end - 1].end]
        actor_e, place_e = hit.first("actor"), hit.first("place")
        if actor_e or place_e:
            m = Mention(
                hit.start, hit.end, span, (actor_e or place_e).alias,
                actor=actor_e.value if actor_e else None,
                place=place_e.value if place_e else None,
            )
            if m.actor is not None:
                memory.note(m.actor, (sentence_index, hit.start))
            mentions.append(m)
            continue
        ref_e = hit.first("ref")
        if ref_e is not None:
            actor = memory.resolve(ref_e.value)
            if actor is not None:
                mentions.append(Mention(hit.start, hit.end, span, ref_e.alias, actor=actor, via="ref"))
                continue
        generic_e = hit.first("generic_actor")
        if generic_e is not None:
            mentions.append(Mention(hit.start, hit.end, span, generic_e.alias, actor=generic_e.value, via="generic"))
            continue
        state_e = hit.first("state_generic")
        if state_e is not None and states is not None:
            m = Mention(hit.start, hit.end, span, state_e.alias, via="generic")
            generic_state.append((m, state_e.value))
            mentions.append(m)
            continue
        country_e = hit.first("country")
        if country_e is not None:
            memory.note_country(country_e.value)
            if not _is_capital(country_e):
                hinted.append((hit.start, hit.end))  # a capital is a place too
            continue
        noun_e = hit.first("place_noun")
        if noun_e is not None:
            mentions.append(Mention(hit.start, hit.end, span, noun_e.alias, generic_place=True))
    if gazetteer is not None:
        _gazetteer_places(mentions, tokens, text, gazetteer, memory, hinted)
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
    _merge_of(mentions, tokens)
    _features(mentions, tokens)
    _possessive_place(mentions, tokens)
    _apposition(mentions, tokens)
    _definite(mentions, tokens, memory)
    _near(mentions, tokens)
    for m in mentions:
        if m.place is not None and m.via != "coref" and not generic_state:
            memory.note_place(m.place, (sentence_index, m.start))
    _possessive(mentions, tokens)
    _groups(mentions, tokens)
    return mentions


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
        place.name, place.admin1, place.country = label, _ascii(place.admin1), _ascii(place.country)
        _PLACES[key] = place
    return place


def _ascii(text: str) -> str:
    """GeoNames' names without diacritics ("Al Ḩudaydah" -> "Al Hudaydah"),
    as ACLED writes locations; letters with no ASCII form are kept."""
    if not text or text.isascii():
        return text
    out = []
    for ch in unicodedata.normalize("NFKD", text):
        if unicodedata.combining(ch):
            continue
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


def _gazetteer_places(mentions: list[Mention], tokens: list[Token], text: str, gazetteer, memory: CorefMemory,
                      hinted: list[tuple[int, int]] = ()) -> None:
    """Places the codebook does not list, from the gazetteer: a name not
    covered by a mention (or by a demonym: "Somali" is not a village) becomes
    a place mention; a country actor's name ("Syria" the state, "Syria" the
    country) gets the place too, and the slot decides which is meant."""
    taken = [False] * len(tokens)
    for m in mentions:
        for k in range(m.start, m.end):
            taken[k] = True
    for a, b in hinted:
        for k in range(a, b):
            taken[k] = True
    if not _may_name_place(tokens, taken, mentions):
        return
    found = gazetteer.find(tokens)
    if not found:
        return
    by_span = {(m.start, m.end): m for m in mentions}
    added = False
    for start, end, candidates in found:
        same = by_span.get((start, end))
        if same is None and any(taken[start:end]):
            continue
        if same is not None and (same.place is not None or same.generic_place or same.via != "alias"
                                 or same.actor is None or same.actor.code != same.actor.country):
            continue
        place = gazetteer_place(candidates, memory.country_counts, text[tokens[start].start: tokens[end - 1].end])
        if place is None:
            continue
        if same is not None:
            same.place = place
        else:
            mentions.append(Mention(start, end, text[tokens[start].start: tokens[end - 1].end],
                                    text[tokens[start].start: tokens[end - 1].end], place=place, via="gazetteer"))
            added = True
    if added:
        mentions.sort(key=lambda m: m.start)


#: Words between a place noun and a named place that make them one mention:
#: "the town of Rawa", "a base in Kismayo", "positions near Palmyra" (near).
_LINKS = {("of",): False, ("in",): False, ("at",): False, ("near",): True, ("outside",): True,
          ("close", "to"): True, ("on", "the", "outskirts", "of"): True, ("outskirts", "of"): True}
_MAX_LINK = max(len(k) for k in _LINKS)


def _merge_of(mentions: list[Mention], tokens: list[Token]) -> None:
    """``the town of Rawa``, ``a base in Kismayo`` -> one mention of the named
    place, starting at the place noun.  Not for countries ("a town in Syria")."""
    i = 0
    while i < len(mentions) - 1:
        a, b = mentions[i], mentions[i + 1]
        gap = b.start - a.end
        if a.generic_place and b.place is not None and 0 < gap <= _MAX_LINK:
            link = tuple(t.norm for t in tokens[a.end: b.start])
            near = _LINKS.get(link)
            if near is not None and (link == ("of",) or b.place.kind != "country"):
                b.start = a.start
                b.text = _join(tokens, a.start, b.end)
                b.near = b.near or near
                del mentions[i]
                continue
        i += 1


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
FEATURE_NOUNS = frozenset({"dam", "oil field", "oilfield", "gas field", "air base", "airbase", "airport",
                           "airfield", "base", "bridge", "border crossing", "crossing", "camp", "prison",
                           "refinery", "power station", "power plant"})


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
        elif m.place is not None and m.start < m.end and tokens[m.start].norm in _FEATURE_FIRST \
                and m.head > m.start and _feature_noun(tokens, m.start) is not None:
            noun = m  # "dam near Manbij", "air base in Anbar", merged by _merge_of
        if noun is not None:
            j = noun.start
            while j > 0 and tokens[j - 1].is_word and _name_word(tokens[j - 1]) \
                    and not (i > 0 and mentions[i - 1].end > j - 1):
                j -= 1
            name_start = j
            if i > 0 and mentions[i - 1].place is not None and not mentions[i - 1].possessive \
                    and mentions[i - 1].end == noun.start:
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
        if tuple(t.norm for t in tokens[k: k + len(parts)]) == parts or \
                tuple(t.norm.rstrip("s") for t in tokens[k: k + len(parts)]) == parts:
            return parts
    return None


def _feature_place(name: str, base: Place | None) -> Place:
    if base is None:
        return Place(name, 3, kind="feature")
    return Place(name, max(2, base.geo_precision), kind="feature", country=base.country, iso3=base.iso3,
                 admin1=base.admin1, latitude=base.latitude, longitude=base.longitude)


def _possessive_place(mentions: list[Mention], tokens: list[Token]) -> None:
    """``Aden's international airport``, ``Mosul's old city`` -> one mention of
    the named place, ending at the place noun (up to two words between)."""
    i = 0
    while i < len(mentions) - 1:
        a, b = mentions[i], mentions[i + 1]
        if a.place is not None and b.generic_place and a.end < len(tokens) and tokens[a.end].norm in ("'s", "'"):
            between = tokens[a.end + 1: b.start]
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
        while j > prev.end and skipped < 3 and tokens[j].norm != "," and (
            tokens[j].norm in DETERMINERS or tokens[j].norm[:1].isalpha()
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
    covered = [False] * len(tokens)
    for m in mentions:
        for k in range(m.start, m.end):
            covered[k] = True
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


def _possessive(mentions: list[Mention], tokens: list[Token]) -> None:
    n = len(tokens)
    for m in mentions:
        if m.end < n and tokens[m.end].norm in ("'s", "'", "s") and (
            tokens[m.end].norm != "s" or (m.end + 1 < n and tokens[m.end + 1].is_word)
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
            links = [t.norm for t in tokens[runs[-1][-1].end: m.start]]
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


def _join(tokens: list[Token], start: int, end: int) -> str:
    out = []
    for k in range(start, end):
        if k > start and tokens[k].start > tokens[k - 1].end:
            out.append(" ")
        out.append(tokens[k].text)
    return "".join(out)

