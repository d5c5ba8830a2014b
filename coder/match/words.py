"""Closed word classes the matcher relies on (English).

These are facts about English, not codebook content: a codebook says *what*
to code; these lists help the matcher see the shape of a sentence without a
parser (where a clause ends, which actor is the object of a preposition, which
pronoun opens reported speech).
"""

from __future__ import annotations

PREPOSITIONS = frozenset(
    """
    of to in on at by for from with into onto out near around over under
    against between among toward towards within without across through behind
    beyond along alongside despite including like versus via upon inside outside
    off about after before since until during amid amidst throughout
    """.split()
)

#: Prepositions that also open a clause ("after Houthi fighters captured
#: Marib"): an actor right after one of them can be the subject of the verb
#: that follows it.
SUBORDINATORS = frozenset("after before since until till once as".split())

#: Words before "of" that make the noun after it the head of the phrase:
#: "dozens of gunmen attacked" -- the gunmen attacked.
QUANTITY = frozenset("""
    dozens hundreds thousands scores tens some many several most all few number numbers group groups band bands
    members member elements element one two three four five six seven eight nine ten eleven twelve fifteen
    twenty thirty forty fifty hundred thousand remnants column columns unit units squad squads contingent
    """.split())

#: Words that end a clause for the purposes of gaps and slot search.
CONTRAST = frozenset("whereas while but although though however meanwhile".split())

#: Punctuation that no gap, filler or subject search crosses.
HARD = frozenset({";", ":", "-", "—", "–", "."})

RELATIVE = frozenset("who which whom whose".split())

CONJUNCTIONS = frozenset("and or nor".split())

REPORTING = frozenset(
    """
    said says say saying told tells added adds announced announces claimed claims
    stated states reported reports confirmed confirms insisted warned according
    """.split()
)

SUBJECT_PRONOUNS = frozenset("they it he she we i you".split())

MODALS = frozenset("would will could can may might should must shall 'll 'd".split())

DETERMINERS = frozenset(
    "a an the this that these those its their his her our my your some any both each all another".split()
)

#: Tokens that filler skipping passes over although they are not words.
TRANSPARENT_PUNCT = frozenset({"(", ")", '"', "“", "”", "'", "‘", "’"})

#: Verbs of reacting to an event ("the government condemned the attack"):
#: the event after one is another's, never the reacting side's own.
REACTION = frozenset(
    """
    condemn condemns condemned condemning denounce denounces denounced denouncing
    deplore deplores deplored decry decries decried criticise criticises criticised
    criticize criticizes criticized slam slams slammed welcome welcomes welcomed
    praise praises praised hailed mourn mourns mourned lamented
    """.split()
)

#: Words that are never filler between two pattern items.
NOT_FILLER = (
    PREPOSITIONS | CONTRAST | RELATIVE | CONJUNCTIONS | REPORTING | MODALS
    | frozenset({"that", "to", "if", "when", "because", "as", "than", "then"})
    # "attacks blamed on the cartel": who made the attacks, not their target
    | frozenset({"blamed", "attributed", "ascribed"})
    | REACTION
)

#: Words before a date that belong with it ("on Sunday", "in June").
DATE_LEADS = frozenset("on in at since by around about early late last this from during until".split())

#: Words before a place that say the event was near it, not in it.
NEAR = frozenset("near nearby outside around outskirts close".split())
DIRECTIONS = frozenset(
    "north south east west northeast northwest southeast southwest northern southern eastern western".split()
)
