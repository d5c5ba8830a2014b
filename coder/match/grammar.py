"""Armed actors by grammar: actors the codebook never listed, built from the
words around a generic armed noun.

The lexicon finds named actors, country words (names and demonyms), generic
state words ("troops", "security forces") and generic armed words ("rebels",
"gunmen").  This module joins them the way an English noun phrase does
(docs/coding.md, "Armed actors by grammar"):

* a country word before a state word is that country's state actor:
  "Chadian artillery", "Nigeria's army", "Malian army units", "troops from
  Chad" (``TCDMIL``);
* a country word before a generic armed word is a rebel, militant or militia
  actor of that country: "Sudanese rebels" (``SDNREB``, inter of ``REB``);
* a named actor before an armed noun is that actor: "Houthi fighters",
  "RSF drones", "a CRPF patrol";
* an armed noun "loyal to" / "of" / "from" a named actor is that actor:
  "gunmen loyal to the RSF", "fighters of the Islamic State";
* a capitalised word no entry covers before a generic armed word describes
  it: "Druze militiamen", "Fulani gunmen" (the generic actor's code, the
  words as the name);
* "X-led" before an armed noun is the named actor X ("HTS-led rebels");
  "X-backed", "X-allied", "X-linked"... keep the generic actor under the
  phrase's name ("Turkish-backed fighters");
* coordinated country words share the noun: "Iraqi and Kurdish forces"
  are two actors, "Iraqi forces" and "Kurdish forces";
* an actor word before a place noun owns the place: "an army checkpoint",
  "a police outpost near Kidal", "the RSF's base" are places (the target of
  an attack, the place of a capture) held by that actor.

Actors built here are made once per process for each (code, name), so the
same words always give the same actor object, code and name.
"""

from __future__ import annotations

from coder.codebook.model import Actor
from coder.match.words import DETERMINERS, NOT_FILLER
from coder.text.tokens import Token

#: Most modifier words between a country word and its noun ("Malian army units").
MAX_MODIFIERS = 2

#: Endings of a hyphenated modifier that ties an armed noun to a sponsor.
SPONSORED = ("-backed", "-allied", "-aligned", "-linked", "-affiliated", "-supported", "-sponsored", "-funded",
             "-armed", "-trained", "-controlled")
LED = ("-led",)

_DERIVED: dict[tuple, Actor] = {}


def derived_actor(code: str, name: str, inter: int, country: str = "", fights_for: str = "") -> Actor:
    """The actor built by grammar for this code and name (one object each)."""
    key = (code, name, inter, country, fights_for)
    actor = _DERIVED.get(key)
    if actor is None:
        if len(_DERIVED) > 50_000:  # pragma: no cover - bound the cache
            _DERIVED.clear()
        actor = _DERIVED[key] = Actor(code, name, inter, [], country, fights_for=fights_for)
    return actor


#: Past participles that are adjectives before an armed noun ("Chadian armed units").
_ADJECTIVE_ED = frozenset("armed backed led based trained allied aligned linked affiliated supported sponsored "
                          "unidentified suspected masked hooded heavily".split())


def is_modifier(tok: Token) -> bool:
    """A word that may stand between a country word and its noun: not a
    closed-class word, not punctuation, not a verb in the past ("Malian *army*
    units"; not "Sudanese *attacked* soldiers")."""
    nm = tok.norm
    if not tok.is_word or nm in NOT_FILLER or nm in DETERMINERS or nm == "'s":
        return False
    return not (nm.endswith("ed") and nm not in _ADJECTIVE_ED)


__all__ = ["LED", "MAX_MODIFIERS", "SPONSORED", "derived_actor", "is_modifier"]
