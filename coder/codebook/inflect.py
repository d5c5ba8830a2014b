"""Word forms from one lemma, so codebook authors never list inflections.

``forms("capture")`` gives capture, captures, captured, capturing;
``forms("take")`` adds took and taken from the irregular table.  Every word is
treated as both a verb and a noun (``offensive`` -> offensives); generating a
form that does not exist costs nothing, since it never occurs in text.
Function words (of, the, to ...) are never inflected.  Codebooks can extend the
irregular table with an ``inflections:`` section.
"""

from __future__ import annotations

#: lemma -> irregular forms (past, past participle, and any others).
IRREGULAR: dict[str, tuple[str, ...]] = {
    "be": ("am", "is", "are", "was", "were", "been", "being", "'s", "'re", "'m"),
    "have": ("has", "had", "having", "'ve", "'d"),
    "do": ("does", "did", "done", "doing"),
    "beat": ("beat", "beaten"),
    "become": ("became",),
    "begin": ("began", "begun"),
    "blow": ("blew", "blown"),
    "break": ("broke", "broken"),
    "bring": ("brought",),
    "build": ("built",),
    "buy": ("bought",),
    "catch": ("caught",),
    "come": ("came",),
    "dig": ("dug", "digging"),
    "drive": ("drove", "driven"),
    "fall": ("fell", "fallen"),
    "fight": ("fought",),
    "flee": ("fled",),
    "fly": ("flew", "flown", "flies"),
    "forbid": ("forbade", "forbidden"),
    "get": ("got", "gotten", "getting"),
    "give": ("gave", "given"),
    "go": ("went", "gone", "goes"),
    "hide": ("hid", "hidden"),
    "hit": ("hit", "hitting"),
    "hold": ("held",),
    "keep": ("kept",),
    "lay": ("laid", "laying", "lays"),
    "lead": ("led",),
    "leave": ("left",),
    "lose": ("lost",),
    "make": ("made",),
    "mean": ("meant",),
    "meet": ("met",),
    "overrun": ("overran", "overrunning"),
    "overtake": ("overtook", "overtaken"),
    "put": ("put", "putting"),
    "rebuild": ("rebuilt",),
    "regroup": ("regrouped",),
    "retake": ("retook", "retaken"),
    "ride": ("rode", "ridden"),
    "rise": ("rose", "risen"),
    "run": ("ran", "running"),
    "say": ("said",),
    "see": ("saw", "seen"),
    "seek": ("sought",),
    "send": ("sent",),
    "set": ("set", "setting"),
    "shoot": ("shot",),
    "shut": ("shut", "shutting"),
    "show": ("shown",),
    "sit": ("sat", "sitting"),
    "speak": ("spoke", "spoken"),
    "spread": ("spread",),
    "stand": ("stood",),
    "strike": ("struck", "stricken"),
    "sweep": ("swept",),
    "take": ("took", "taken"),
    "tell": ("told",),
    "think": ("thought",),
    "throw": ("threw", "thrown"),
    "undertake": ("undertook", "undertaken"),
    "win": ("won", "winning"),
    "withdraw": ("withdrew", "withdrawn"),
    "write": ("wrote", "written"),
}

#: Words that are never inflected (prepositions, determiners, pronouns ...).
FUNCTION_WORDS = frozenset(
    """
    a an the this that these those its their his her our my your some any all both each
    of to in on at by for from with into onto out up down off over under near
    around across through against between among toward towards within without
    behind beyond along alongside despite after before since until upon via per
    and or but nor so yet as than then there here
    it they he she we i you them him us me who whom whose which what where when
    not no never n't 's
    """.split()
)

_VOWELS = set("aeiou")


def _regular(word: str) -> set[str]:
    out = {word}
    # third person singular / plural
    if word.endswith(("s", "x", "z", "ch", "sh")):
        out.add(word + "es")
    elif word.endswith("y") and len(word) > 1 and word[-2] not in _VOWELS:
        out.add(word[:-1] + "ies")
    else:
        out.add(word + "s")
    # past tense / participle and -ing
    if word.endswith("e"):
        out.add(word + "d")
        if word.endswith(("ee", "ye", "oe")):
            out.add(word + "ing")
        elif word.endswith("ie"):
            out.add(word[:-2] + "ying")
        else:
            out.add(word[:-1] + "ing")
    elif word.endswith("y") and len(word) > 1 and word[-2] not in _VOWELS:
        out.add(word[:-1] + "ied")
        out.add(word + "ing")
    else:
        out.add(word + "ed")
        out.add(word + "ing")
        if (
            len(word) >= 3
            and word[-1] not in _VOWELS
            and word[-1] not in "wxy"
            and word[-2] in _VOWELS
            and word[-3] not in _VOWELS
        ):
            # consonant-vowel-consonant: both spellings (control -> controlled, target -> targeted)
            out.add(word + word[-1] + "ed")
            out.add(word + word[-1] + "ing")
    return out


def forms(word: str, extra: dict[str, list[str]] | None = None) -> frozenset[str]:
    """All forms of ``word`` (already normalised: lower case)."""
    if word in FUNCTION_WORDS or not word[:1].isalpha():
        return frozenset((word,))
    out = _regular(word) if word.replace("-", "").isalpha() else {word}
    out.update(IRREGULAR.get(word, ()))
    if extra and word in extra:
        out.update(extra[word])
    return frozenset(out)
