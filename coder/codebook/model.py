"""Plain data classes for a loaded, validated codebook."""

from __future__ import annotations

from dataclasses import dataclass, field

from coder.codebook.positions import Positions

SLOTS = ("actor1", "actor2", "location")


@dataclass(slots=True)
class Alias:
    text: str
    case_sensitive: bool = False


@dataclass(slots=True)
class Actor:
    code: str
    name: str
    inter: int
    aliases: list[Alias]
    country: str = ""
    fights_for: str = ""
    refs: list[str] = field(default_factory=list)
    description: str = ""


@dataclass(slots=True)
class StateRole:
    """One role of the generated state actors: MIL, GOV, POL, or "" (the country)."""

    code: str
    name: str  # template
    inter: int
    aliases: list[str]  # templates
    generic: list[str] = field(default_factory=list)
    generic_name: str = ""
    where: tuple = ()
    event_nouns: list[str] = field(default_factory=list)  # "Israeli [shelling]": the country's actor of this role


@dataclass(slots=True)
class StateActors:
    countries: list[str] | None  # None: all
    roles: list[StateRole]


@dataclass(slots=True)
class GenericActor:
    """Rebels, militants, gunmen: kept generic when no named actor claims the word."""

    code: str
    name: str
    inter: int
    words: list[str]
    where: tuple = ()
    standalone: bool = True  # False: an actor only with a word before it that says whose
    country_role: str = ""  # with a country word: that country's state actor of this role


@dataclass(slots=True)
class Place:
    name: str
    geo_precision: int
    aliases: list[Alias] = field(default_factory=list)
    kind: str = "town"
    country: str = ""
    iso3: str = ""
    admin1: str = ""
    latitude: float | None = None
    longitude: float | None = None
    #: a place of the gazetteer: what the entry lacks is taken from it (coder.gazetteer.places)
    gazetteer: bool = False
    admin2: str = ""  # second-level unit (district, raion, LGA...): towns only
    admin3: str = ""


@dataclass(slots=True)
class Condition:
    words: list[str] = field(default_factory=list)
    no_words: list[str] = field(default_factory=list)
    actor1: list[str] = field(default_factory=list)
    actor2: list[str] = field(default_factory=list)
    events: list[str] = field(default_factory=list)  # other kept event types in the sentence (exclude only)
    place_kinds: list[str] = field(default_factory=list)  # every named place of the event is of these kinds


@dataclass(slots=True)
class Variant:
    when: Condition
    situation: str = ""
    cameo: str = ""
    acled_event_type: str = ""
    acled_sub_event_type: str = ""


@dataclass(slots=True)
class EventType:
    name: str
    cameo: str
    acled_event_type: str
    acled_sub_event_type: str
    description: str = ""
    variants: list[Variant] = field(default_factory=list)
    excludes: list[Variant] = field(default_factory=list)  # situations that are not this event type
    other_side: str = "slots"  # "slots" | "sentence": where an empty actor2 may come from
    #: event types whose sides an event of this type told with no side takes,
    #: from an event of its sentence ("took Ghazni after a five-day battle")
    sides_from: list[str] = field(default_factory=list)


#: The kinds of cue a codebook may list (the keys of ``cues``); a candidate
#: a cue drops gives the reason "<kind> cue '...' at token N".
CUE_KINDS = ("negation", "modality", "reference")
#: The beginnings of those reasons.
CUE_REASONS = tuple(f"{kind} cue" for kind in CUE_KINDS)


@dataclass(slots=True)
class Cue:
    kind: str  # one of CUE_KINDS
    pattern: str
    window: int | None = None
    event_types: list[str] = field(default_factory=list)
    except_after: list[str] = field(default_factory=list)
    where: tuple = ()  # path in the YAML document, for messages


@dataclass(slots=True)
class Example:
    text: str
    expect: list[dict]  # empty list: the sentence must give no event
    date: str | None = None


@dataclass(slots=True)
class Rule:
    id: str
    event_type: str
    pattern: str
    examples: list[Example]
    cameo: str = ""
    description: str = ""
    where: tuple = ()


@dataclass(slots=True)
class Settings:
    max_gap: int = 12
    max_filler: int = 3
    cue_window: int = 3
    subject_reach: int = 40
    gazetteer: bool = False
    unlisted_places: bool = False  # keep place names no gazetteer knows, where the words say they are places


@dataclass
class Codebook:
    name: str
    version: str
    event_types: dict[str, EventType]
    actors: list[Actor]
    rules: list[Rule]
    places: list[Place] = field(default_factory=list)
    place_nouns: list[str] = field(default_factory=list)
    place_refs: list[str] = field(default_factory=list)
    cues: list[Cue] = field(default_factory=list)
    inflections: dict[str, list[str]] = field(default_factory=dict)
    settings: Settings = field(default_factory=Settings)
    state_actors: StateActors | None = None
    generic_actors: list[GenericActor] = field(default_factory=list)
    description: str = ""
    path: str = ""
    sha256: str = ""  # of the file's bytes followed by each included file's (codebook_digest)
    positions: Positions = field(default_factory=Positions, repr=False)
    includes: list[str] = field(default_factory=list)  # the files its 'include' names, in order

    def actor(self, code: str) -> Actor | None:
        for actor in self.actors:
            if actor.code == code:
                return actor
        return None
