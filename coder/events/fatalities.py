"""Fatalities: how many people an event killed, as ACLED counts them.

The words are data, in ``coder/data/fatalities.txt``; docs/coding.md
("Fatalities") gives the conventions.  In short:

* a *death mention* is a number phrase next to a death word: before words
  such as "killed", "dead", "died", "KIA" ("at least 12 soldiers were
  killed"), after words such as "killing", "the bodies of", "toll at"
  ("killing eight soldiers and 15 militants": the coordinated figures are
  added up);
* the most conservative figure: "at least 30" is 30, "between 12 and 20" is
  12, vague words have ACLED's values ("dozens" 12, "hundreds" 100);
* injured, wounded, missing or abducted people are not counted, nor a toll
  of a whole war told in the background ("the war has killed 13,000 since
  2019");
* the mentions of one incident are combined: figures for different kinds
  of victim are added, two figures for one kind are two reports of the same
  dead (the smaller is kept), a total ("17 people") caps the sum of the
  parts, and a toll that "rose to" a figure replaces the others;
* a sentence that tells deaths but produced no record of its own ("Twelve
  soldiers died in the fighting.") belongs to the nearest record sentence
  before it (else after it); the count of an incident goes to its first
  record, the other records of the same sentence get 0, so the deaths are
  never counted twice.

Only documents that produced records are searched, and in them only the
sentences one of whose words is the telling word of a death phrase.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files

# -- the word lists ---------------------------------------------------------


@dataclass(frozen=True)
class _Words:
    numbers: dict[str, int]
    multipliers: dict[str, int]
    vague: dict[tuple[str, ...], int]
    hedges_by_first: dict[str, tuple[tuple[str, ...], ...]]  # the hedges a word can start, longest first
    hedges_by_last: dict[str, tuple[tuple[str, ...], ...]]  # ... and end
    before: tuple[tuple[str, ...], ...]
    after: tuple[tuple[str, ...], ...]
    updates: tuple[tuple[str, ...], ...]
    not_counts: frozenset[str]
    not_counts_after: frozenset[str]
    abbreviations: frozenset[str]  # words of the lists written with their full stop ("civ.")
    not_persons: frozenset[str]  # "killed a bill"
    stop: frozenset[str]
    victims: dict[str, str]
    civilian_targets: re.Pattern
    background: re.Pattern
    #: a clause of an earlier incident, after a comma ([earlier]), or a reference to another
    #: incident ([referred]): patterns searched apart (one alternation of all ran 3 times slower
    #: on Python's engine), the earliest start counts
    earlier: tuple[re.Pattern, ...]
    after_by_first: dict[str, tuple[tuple[str, ...], ...]]  # first word -> phrases, longest first
    firsts: frozenset[str]  # the first words of every death phrase, and "toll"
    telling: frozenset[str]  # a telling word of each death phrase (the cheap test of a sentence)
    before_by_first: dict[str, tuple[tuple[str, ...], ...]]


_FUNCTION_WORDS = frozenset({"the", "a", "an", "of", "to", "at", "in", "on", "their", "his", "her"})


def _by_first(phrases: tuple[tuple[str, ...], ...]) -> dict[str, tuple[tuple[str, ...], ...]]:
    out: dict[str, list[tuple[str, ...]]] = {}
    for p in phrases:  # already longest first
        out.setdefault(p[0], []).append(p)
    return {k: tuple(v) for k, v in out.items()}


def _phrases(items) -> tuple[tuple[str, ...], ...]:
    # longest first, so that "killed at least" is tried before "killed"
    return tuple(sorted({tuple(str(i).lower().split()) for i in items}, key=len, reverse=True))


#: The sections of the data file that map a word to a number ("twelve = 12").
_MAPPINGS = ("numbers", "multipliers", "vague")


def parse_words(text: str, source: str = "fatalities.txt") -> dict:
    """The sections of the word-list format of ``coder/data/fatalities.txt``:
    ``[section]`` lines, then one entry a line (``word = number`` in the
    sections of :data:`_MAPPINGS`); ``#`` lines are comments.  ``[victims
    KIND]`` sections are gathered under ``victims``."""
    data: dict = {"victims": {}}
    section: list | dict | None = None
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            name = line[1:-1].strip()
            if name.startswith("victims "):
                section = data["victims"].setdefault(name.split(None, 1)[1], [])
            else:
                section = data.setdefault(name, {} if name in _MAPPINGS else [])
            continue
        if section is None:
            raise ValueError(f"{source}:{n}: an entry before any [section]")
        if isinstance(section, dict):
            key, sep, value = line.rpartition("=")
            if not sep or not value.strip().isdigit():
                raise ValueError(f"{source}:{n}: expected 'words = number', got {line!r}")
            section[key.strip()] = int(value)
        else:
            section.append(line)
    return data


@cache
def words() -> _Words:
    """The word lists of ``coder/data/fatalities.txt`` (read once)."""
    data = parse_words((files("coder") / "data" / "fatalities.txt").read_text(encoding="utf-8"))
    before, after = _phrases(data["count_before"]), _phrases(data["count_after"])
    hedges = _phrases(data["hedges"])
    firsts = {p[0] for p in before + after} | {"toll"}
    # the sentence test looks for a telling word of each phrase: "lives", not the "the" of "the lives of"
    telling = {next((x for x in p if x not in _FUNCTION_WORDS), p[0]) for p in before + after} | {"toll"}
    return _Words(
        numbers={k.lower(): int(v) for k, v in data["numbers"].items()},
        multipliers={k.lower(): int(v) for k, v in data["multipliers"].items()},
        vague={tuple(k.lower().split()): int(v) for k, v in data["vague"].items()},
        hedges_by_first=_by_first(hedges),
        hedges_by_last={k: tuple(h for h in hedges if h[-1] == k) for k in {h[-1] for h in hedges}},
        before=before,
        after=after,
        updates=_phrases(data["updates"]),
        not_counts=frozenset(str(w).lower() for w in data["not_counts"]),
        not_counts_after=frozenset(str(w).lower() for w in data["not_counts_after"]),
        not_persons=frozenset(str(x).lower() for x in data.get("not_persons", [])),
        abbreviations=frozenset(
            x.lower() for section in (data["vague"], *data["victims"].values(), data["stop_words"],
                                      data["not_counts"]) for x in section if x.endswith(".")),
        stop=frozenset(str(w).lower() for w in data["stop_words"]),
        victims={w.lower(): kind for kind, ws in data["victims"].items() for w in ws},
        civilian_targets=re.compile(r"\b(?:" + "|".join(
            r"\s+".join(re.escape(x) for x in p) for p in _phrases(data["civilian_targets"])) + r")\b",
            re.IGNORECASE),
        background=re.compile("|".join(f"(?:{p})" for p in data["background"])),
        earlier=tuple(re.compile(p) for p in (
            *(lead + r"(?:(?:just|only|barely|some|about|nearly|more than)\s+)?(?:"
              + "|".join(f"(?:{p})" for p in data.get("earlier", [r"(?!)"])) + ")"
              for lead in (r",\s*", r"\b(?:came|comes|happened|occurred|took place)\s+")),
            *(["|".join(f"(?:{p})" for p in data["referred"])] if data.get("referred") else []))),
        after_by_first=_by_first(after),
        firsts=frozenset(firsts),
        telling=frozenset(telling),
        before_by_first=_by_first(before),
    )


# -- tokens -----------------------------------------------------------------

_TOKEN = re.compile(r"\d{1,3}(?:,\d{3})+(?!\d)|\d+(?:\.\d+)?"
                    r"|[A-Za-z\u00c0-\u024f]+(?:[-'\u2019][A-Za-z\u00c0-\u024f]+)*"
                    r"|[,;:.()&+\u2013\u2014~$%-]")
_BOUNDARY = frozenset({";", ":", ".", "(", ")", "\u2013", "\u2014"})
_PER = frozenset({"cent", "capita", "day", "week", "month", "year", "hour", "km", "head"})
#: Words that join two figures: "eight soldiers and 15 militants", "1 TB fighter + 2 IR guards".
_AND = frozenset({"and", "&", "+"})
#: Where a noun phrase ends: a clause boundary, a comma or a word that joins figures.
_BREAKS = _BOUNDARY | _AND | {","}
#: Nouns of one person that are no victim kind of their own: "a 67-year-old man and a woman" is two.
_ONE_PERSON = frozenset({"man", "woman", "boy", "girl", "child", "person", "teenager", "baby", "toddler"})
_DETERMINERS = frozenset({"a", "an", "one", "their", "his", "her", "its"})


@dataclass(slots=True)
class _Tok:
    text: str
    low: str
    start: int
    end: int


#: The words of _TOKEN, in lower-cased text.
_WORD = re.compile(r"[a-z\u00c0-\u024f]+(?:[-'\u2019][a-z\u00c0-\u024f]+)*")


def _tokens(text: str) -> list[_Tok]:
    toks = [_Tok(m.group(), m.group().lower(), m.start(), m.end()) for m in _TOKEN.finditer(text)]
    abbreviations = words().abbreviations
    if abbreviations and "." in text:  # "4 civ. killed": "civ." is one word, not a sentence end
        out: list[_Tok] = []
        for t in toks:
            if t.low == "." and out and out[-1].end == t.start and out[-1].low + "." in abbreviations:
                last = out[-1]
                out[-1] = _Tok(last.text + ".", last.low + ".", last.start, t.end)
            else:
                out.append(t)
        toks = out
    return toks


def _at(toks: list[_Tok], i: int, phrase: tuple[str, ...]) -> bool:
    return i + len(phrase) <= len(toks) and all(toks[i + k].low == w for k, w in enumerate(phrase))


def _ends_at(toks: list[_Tok], j: int, phrase: tuple[str, ...]) -> bool:
    """Whether ``phrase`` ends just before token ``j``."""
    return _at(toks, j - len(phrase), phrase) if j - len(phrase) >= 0 else False


# -- numbers ----------------------------------------------------------------


@dataclass(slots=True)
class _Number:
    value: int
    start: int  # token span of the number itself (hedges not included)
    end: int
    vague: bool = False


def _word_value(w: _Words, low: str) -> int | None:
    if low in w.numbers:
        return w.numbers[low]
    if "-" in low:
        parts = low.split("-")
        if len(parts) == 2 and parts[0] in w.numbers and parts[1] in w.numbers and w.numbers[parts[0]] >= 20:
            return w.numbers[parts[0]] + w.numbers[parts[1]]
    return None


def _number_at(w: _Words, toks: list[_Tok], i: int) -> _Number | None:
    """The number that starts at token ``i`` ("12", "1,200", "twenty-five",
    "two dozen", "a dozen", "dozens", "several"), or None."""
    t = toks[i]
    for phrase, value in w.vague.items():  # "a number of", "a few", "dozens"
        if _at(toks, i, phrase):
            end = i + len(phrase)
            if phrase == ("some",) and end < len(toks) and _number_at(w, toks, end) is not None:
                return None  # "some 25": a hedge
            if end < len(toks) and toks[end].low in w.multipliers:
                return None  # "a few hundred" is read below
            return _Number(value, i, end, vague=True)
    value: int | None = None
    end = i + 1
    if t.low[0].isdigit():
        if "." in t.low:
            return None
        value = int(t.low.replace(",", ""))
        if 1900 <= value <= 2099 and "," not in t.low:
            return None  # a year
    else:
        value = _word_value(w, t.low)
        if value is None and t.low in ("a", "an") and i + 1 < len(toks) and toks[i + 1].low in w.multipliers:
            value = 1
        if value is None:
            return None
        # "twenty five"
        if value >= 20 and value % 10 == 0 and end < len(toks):
            unit = _word_value(w, toks[end].low)
            if unit is not None and unit < 10:
                value += unit
                end += 1
    while end < len(toks) and toks[end].low in w.multipliers:  # "two dozen", "a hundred"
        value *= w.multipliers[toks[end].low]
        end += 1
    return _Number(value, i, end)


def _counts(w: _Words, toks: list[_Tok], n: _Number) -> bool:
    """Whether the number is a head count (not "5 km", "Rs 25 lakh", "9 WIA")."""
    if n.end < len(toks):
        nxt = toks[n.end].low
        if nxt == "-" and n.end + 1 < len(toks):
            nxt = toks[n.end + 1].low  # "25-year-old", "12-hour"
        following = toks[n.end + 1].low if n.end + 1 < len(toks) else ""
        if nxt in w.not_counts or nxt.endswith("-year-old") or nxt.endswith("-old"):
            # ... but "five displaced people" are people
            return nxt == "displaced" and w.victims.get(following) in ("generic", "civilian")
        if nxt == "per" and (following in _PER or following[:1].isdigit()):
            return False  # "3 per cent", "2 per day"; not "dozens per SNA" (according to)
        if nxt == "%":
            return False
    if n.start > 0 and toks[n.start - 1].low in w.not_counts_after:
        return False
    return True


# -- victims ----------------------------------------------------------------


def _victim(w: _Words, toks: list[_Tok], k: int, limit: int) -> tuple[str, int]:
    """(kind of victim, token after the noun) of the words from ``k``: the
    first victim word within four words ("at least 12 Nigerien soldiers":
    state), "of the attackers", a capitalised name ("several ISGS"), else
    generic."""
    j = k
    if j < limit and toks[j].low == "of":
        j += 1
        if j < limit and toks[j].low in ("the", "its", "their", "his", "her"):
            j += 1
    for m in range(j, min(limit, j + 4)):
        low = toks[m].low
        if low in w.victims:
            kind = w.victims[low]
            return kind, m + 1
        if low in _BREAKS or low in w.stop:
            break
    if j < limit and toks[j].text[:1].isupper() and toks[j].low not in w.victims and toks[j].low.isalpha():
        return "name:" + toks[j].low, j + 1
    return "generic", k


# -- death mentions ---------------------------------------------------------


@dataclass
class Mention:
    """One death figure of a sentence: ``value`` people, of ``kinds`` of victim."""

    value: int
    kinds: tuple[str, ...]
    text: str  # the words that gave it
    update: bool = False  # "the toll rose to 37"
    vague: bool = False
    used: tuple[int, ...] = ()  # token indexes of its numbers


def _hedged_start(w: _Words, toks: list[_Tok], i: int) -> int:
    """The start of the hedge before token ``i`` ("at least", "more than")."""
    if i == 0:
        return i
    for h in w.hedges_by_last.get(toks[i - 1].low, ()):
        if _ends_at(toks, i, h):
            return i - len(h)
    return i


def _range_low(w: _Words, toks: list[_Tok], n: _Number) -> _Number:
    """"between 12 and 20", "12 to 20", "12 or 13", "12-20": the lower figure."""
    k = n.start
    if k >= 2 and toks[k - 1].low in ("and", "to", "or", "-", "\u2013"):
        for back in (2, 3):
            if k - back < 0:
                break
            prev = _number_at(w, toks, k - back)
            if prev is not None and prev.end == k - 1 and not prev.vague:
                return _Number(min(prev.value, n.value), prev.start, n.end, prev.vague)
    return n


def _past_name(toks: list[_Tok], k: int, limit: int) -> int:
    """The "and" after the rest of a name that follows a victim noun at
    token ``k`` ("Volunteers for the Defence of the Homeland (VDP) and", "jawans
    of the District Reserve Guard and"); ``k`` if no "and" ends one."""
    j = k
    while j < limit and j - k < 12:
        t = toks[j]
        if t.low in _AND:
            return j
        if not (t.text[:1].isupper() or t.low in ("of", "for", "the", "(", ")")):
            break
        j += 1
    return k


def _coordinated_after(w: _Words, toks: list[_Tok], k: int, limit: int) -> list[tuple[_Number, str]]:
    """Figures coordinated after token ``k``: "and 15 militants", "& 1
    civilian", "and their driver" (one more)."""
    out: list[tuple[_Number, str]] = []
    while True:
        k = _past_name(toks, k, limit)
        if not (k + 1 < limit and toks[k].low in _AND):
            break
        j = k + 1
        for h in w.hedges_by_first.get(toks[j].low, ()):
            if _at(toks, j, h):
                j += len(h)
                break
        n = _number_at(w, toks, j)
        if n is not None and _counts(w, toks, n):
            kind, k2 = _victim(w, toks, n.end, limit)
            out.append((n, kind))
            k = k2 if k2 > n.end else n.end
            continue
        if toks[j].low in _DETERMINERS and _one_victim(w, toks, j, limit):
            kind, k2 = _victim(w, toks, j + 1, limit)
            out.append((_Number(1, j, j + 1), kind))
            k = k2
            continue
        break
    return out


def _coordinated_before(w: _Words, toks: list[_Tok], i: int, floor: int) -> list[tuple[_Number, str]]:
    """Figures coordinated before the number at token ``i``: "eight soldiers and"."""
    out: list[tuple[_Number, str]] = []
    while i - 2 >= floor and (toks[i - 1].low in _AND or toks[i - 1].low == ","):
        j = i - 2
        found = None
        if toks[i - 1].low == ",":  # a note's list: "9 SDF, 14 tribal fighters KIA"
            n = next((n for s in range(j, max(floor, j - 2) - 1, -1)
                      if (n := _number_at(w, toks, s)) is not None and not n.vague), None)
            between = [toks[s].low for s in range(n.end, i - 1)] if n is not None else []
            if n is None or not _counts(w, toks, n) or (n.start > 0 and toks[n.start - 1].low in w.stop) \
                    or any(not x.isalpha() or x in w.firsts for x in between):
                break  # not after "incl.", not across a death word ("3 FP KIA, 1 ISIS KIA": two figures)
            out.append((n, _victim(w, toks, n.end, i - 1)[0]))
            i = _hedged_start(w, toks, n.start)
            continue
        for s in range(j, max(floor, j - 4) - 1, -1):  # the number of the previous figure
            low = toks[s].low
            if low in _BOUNDARY or low in w.stop or low in _PASSIVE or low in w.firsts:
                break  # "eight insurgents were killed and one ...": another clause's figure
            n = _number_at(w, toks, s)
            if n is None and low in ("a", "an", "one") and _one_victim(w, toks, s, i - 1) \
                    and (toks[i - 2].low in w.victims or toks[i - 2].low in _ONE_PERSON):
                n = _Number(1, s, s + 1)  # "an officer and three soldiers", "a senior army commander and three"
            if n is not None and n.end <= i - 1:
                found = n
                break
        if found is None or not _counts(w, toks, found):
            break
        kind, _ = _victim(w, toks, found.end, i - 1)
        out.append((found, kind))
        i = _hedged_start(w, toks, found.start)
    return out


def _one_victim(w: _Words, toks: list[_Tok], j: int, limit: int) -> bool:
    """Whether "a"/"an"/"one" at token ``j`` begins one victim: "a soldier",
    "an elderly woman", "a 67-year-old man" (not "a dozen", "one of the")."""
    for m in range(j + 1, min(limit, j + 5)):  # "a 67-year-old man"
        low = toks[m].low
        if low in _ONE_PERSON:
            return True
        if low in _BREAKS or low in w.victims:
            break
    kind, after = _victim(w, toks, j + 1, limit)
    return kind != "generic" and not kind.startswith("name:") and not toks[after - 1].low.endswith("s")


def _a_someone(w: _Words, toks: list[_Tok], j: int, limit: int) -> int:
    """Right after a killing verb, "a"/"an" and a singular noun within three
    words is one person whatever the noun: "beheading a caretaker", "shot dead
    a traditional ruler", "killing a self-styled 'general'" (not "a family of
    nine").  The token after the noun, or 0."""
    for m in range(j + 1, min(limit, j + 4)):
        low = toks[m].low
        if not low.isalpha() and "-" not in low:
            return 0
        nxt = toks[m + 1].low if m + 1 < limit else ""
        if nxt == "of":
            return 0  # "a family of nine", "a group of"
        if not nxt.isalpha() or nxt in _AND or nxt in ("in", "at", "on", "near", "from", "who", "with", "during"):
            return m + 1 if not low.endswith("s") and toks[m].text[:1].islower() \
                and low not in w.not_persons else 0
    return 0


def _one(w: _Words, toks: list[_Tok], n: _Number, limit: int) -> tuple[_Number, str, int]:
    kind, after = _victim(w, toks, n.end, limit)
    return n, kind, after


def _left_figure(w: _Words, toks: list[_Tok], t: int, floor: int) -> list[tuple[_Number, str]] | None:
    """The figure before the death word at token ``t``: the nearest number
    within 14 words of the same clause (a comma-bounded "including ..."
    aside is stepped over), with the figures coordinated before it."""
    j = t - 1
    steps = 0
    while j >= floor and steps < 14:
        low = toks[j].low
        if low in _BOUNDARY or low in w.stop:
            return None
        if low == ",":
            # step over ", including a village volunteer," / ", most of them civilians,"
            k = j - 1
            while k >= floor and toks[k].low not in (",",) and toks[k].low not in _BOUNDARY:
                k -= 1
            if k >= floor and toks[k].low == "," and toks[k + 1].low in ("including", "incl", "among", "most",
                                                                          "mostly", "all", "both"):
                j = k - 1
                continue
            return None
        n = _number_at(w, toks, j)
        if n is None and low in ("a", "an", "one") and (
                _one_victim(w, toks, j, t)
                or (toks[t - 1].low == "was" and t - j <= 5 and all(x.low.isalpha() for x in toks[j:t]))):
            n = _Number(1, j, j + 1)  # "an elderly nun was killed"
        if n is None and low in ("no", "nobody", "none"):  # "no soldiers were killed": a figure, 0
            n = _Number(0, j, j + 1)
        if n is not None and n.end + 2 <= t and toks[n.end].low == "of" and toks[n.end + 1].low in ("the", "those") \
                and toks[n.end + 2].low in ("dead", "killed", "victims", "deceased"):
            return None  # "some of the dead were civilians": a part of a figure told before
        if n is not None and n.end <= t and _counts(w, toks, n):
            n = _range_low(w, toks, n)
            kind, _ = _victim(w, toks, n.end, t)
            if kind == "generic" and n.end == t and toks[t].low == "kia":
                kind = "state"  # "5 KIA": killed in action, a force's own dead
            figures = [(n, kind)]
            figures.extend(_coordinated_before(w, toks, _hedged_start(w, toks, n.start), floor))
            # "Six jawans of the District Reserve Guard and their driver were killed"
            figures.extend(_coordinated_after(w, toks, _victim(w, toks, n.end, t)[1], t))
            return figures
        j -= 1
        steps += 1
    return None


def _right_figure(w: _Words, toks: list[_Tok], t: int) -> list[tuple[_Number, str]] | None:
    """The figure after the death word ending at token ``t``: a number
    within six words (hedges and "a family of" stepped over), with the
    figures coordinated after it."""
    limit = len(toks)
    j = t
    steps = 0
    while j < limit and steps < 6:
        low = toks[j].low
        if low in _BREAKS or low in w.stop:
            return None
        for h in w.hedges_by_first.get(low, ()):
            if _at(toks, j, h):
                j += len(h)
                break
        if j >= limit:
            return None
        n = _number_at(w, toks, j)
        someone = 0
        if n is None and toks[j].low in ("a", "an", "one") and (
                _one_victim(w, toks, j, limit) or (steps == 0 and (someone := _a_someone(w, toks, j, limit)))):
            n = _Number(1, j, j + 1)
        if n is None and toks[j].low in w.victims and not toks[j].low.endswith("s") \
                and (j == t or toks[j - 1].low not in ("the", "a", "an", "of", "their", "its", "his", "her")):
            # a title before a name: "killed senior insurgent leader Abu X and two of his aides"
            k = j + 1
            while k < limit and k - j < 3 and toks[k].low in w.victims and not toks[k].text[:1].isupper():
                k += 1  # "insurgent leader"
            name = k
            while k < limit and k - name < 5 and toks[k].text[:1].isupper() and toks[k].low.isalpha():
                k += 1
            if k > name:
                figures = [(_Number(1, j, j), w.victims[toks[j].low])]
                figures.extend(_coordinated_after(w, toks, k, limit))
                return figures
        if n is not None and _counts(w, toks, n):
            if j + 2 < limit and toks[n.end].low in ("and", "to", "or", "-", "\u2013"):
                high = _number_at(w, toks, n.end + 1)
                if high is not None and not n.vague and high.start == n.end + 1:
                    n = _Number(min(n.value, high.value), n.start, high.end)
            kind, after = _victim(w, toks, n.end, limit)
            figures = [(n, kind)]
            figures.extend(_coordinated_after(w, toks, max(after, n.end, someone), limit))
            return figures
        j += 1
        steps += 1
    return None


_OWN_LOSSES = frozenset({"lost", "losing"})
_RAISED = frozenset({"raised", "revised", "updated", "increased", "lifted", "raising", "raises"})
_PASSIVE = frozenset({"was", "were", "been", "be", "being", "is", "are", "got", "get", "reportedly", "also",
                      "all", "later", "allegedly"})


def sentence_mentions(text: str) -> list[Mention]:
    """The death figures of one sentence, left to right (none for a
    background toll)."""
    w = words()
    lowered = text.lower()
    # substring tests first (a few C-level scans), the word-bounded regex only if one hits
    # a phrase matches words, so a sentence none of whose words is a telling one has none
    if w.telling.isdisjoint(_WORD.findall(lowered)):
        return []
    toks = _tokens(text)
    out: list[Mention] = []
    used: set[int] = set()
    floor = 0
    cut = len(text)  # figures from here on are an earlier incident's
    for pattern in w.earlier:
        earlier = pattern.search(lowered)
        if earlier and earlier.start() < cut:
            cut = earlier.start()
    firsts = w.firsts
    for t, tok in enumerate(toks):
        low = tok.low
        if low in _BOUNDARY:
            floor = t + 1
            continue
        if low not in firsts:
            continue
        figures = None
        trigger_end = t
        update = False
        if toks[t].low == "toll" and t >= 2 and t + 1 < len(toks) and toks[t + 1].low == "to" \
                and toks[t - 2].low in _RAISED:  # "the centre had raised the toll to 55"
            figures = _right_figure(w, toks, t + 2)
            update = figures is not None
            trigger_end = t + 2
        if toks[t].low == "toll" and figures is None:
            for u in w.updates:  # "the death toll had risen to five"
                k = next((k for k in range(t + 1, min(len(toks), t + 14)) if _at(toks, k, u)
                          and not any(toks[x].low in _BOUNDARY for x in range(t + 1, k))), None)
                if k is not None:
                    figures = _right_figure(w, toks, k + len(u))
                    update = figures is not None
                    trigger_end = k + len(u)
                    break
        after = next((p for p in w.after_by_first.get(low, ()) if _at(toks, t, p)), None)
        before = next((p for p in w.before_by_first.get(low, ()) if _at(toks, t, p)), None)
        if figures is None and after is None and before is None:
            continue
        if figures is None and after is not None:
            passive = t > 0 and toks[t - 1].low in _PASSIVE and after[0] in ("killed", "neutralised", "neutralized",
                                                                              "eliminated", "executed", "beheaded",
                                                                              "massacred", "shot", "gunned")
            if not passive:
                figures = _right_figure(w, toks, t + len(after))
                trigger_end = t + len(after)
        if figures is None and before is not None:
            figures = _left_figure(w, toks, t, floor)
            trigger_end = t + len(before)
        if not figures:
            continue
        idx = tuple(k for n, _ in figures for k in range(n.start, n.end))
        if used.intersection(idx):
            continue
        used.update(idx)
        first = min(min(n.start for n, _ in figures), t)
        last = max(max(n.end for n, _ in figures), trigger_end)
        for n, kind in figures:  # the victims' noun too: "killing eight soldiers and 15 militants"
            if kind != "generic" and n.end >= trigger_end:
                last = max(last, _victim(w, toks, n.end, len(toks))[1])
        first = _hedged_start(w, toks, first) if first < t else first
        if toks[first].start >= cut:
            break
        if not out and w.background.search(lowered):
            return []  # a background toll: "the war has killed 13,000 people since 2019"
        kinds = tuple(sorted({k for _, k in figures})) if len(figures) > 1 else (figures[0][1],)
        if after is not None and after[0] in _OWN_LOSSES and trigger_end == t + len(after):
            kinds = ("own losses",)  # "the attackers also lost nine men": the other side's dead
        out.append(Mention(
            value=sum(n.value for n, _ in figures),
            kinds=kinds,
            text=text[toks[first].start: toks[last - 1].end],
            update=update,
            vague=any(n.vague for n, _ in figures),
            used=idx,
        ))
    return out


# -- combining --------------------------------------------------------------


@dataclass
class Count:
    """The fatalities of one incident and the words that gave them."""

    value: int = 0
    texts: list[str] = field(default_factory=list)
    civilian: bool = False  # every figure counted is of civilians

    @property
    def text(self) -> str:
        return " + ".join(self.texts)


def combine(mentions: list[Mention]) -> Count:
    """One incident's count from its mentions (the rules of the module docstring)."""
    if not mentions:
        return Count()
    updates = [m for m in mentions if m.update]
    if updates:
        m = updates[-1]
        return Count(m.value, [m.text], m.kinds == ("civilian",))
    totals = [m for m in mentions if m.kinds == ("generic",)]
    by_kind: dict[tuple[str, ...], Mention] = {}
    for m in mentions:
        if m.kinds == ("generic",):
            continue
        if m.kinds not in by_kind or m.value < by_kind[m.kinds].value:
            by_kind[m.kinds] = m
    parts = list(by_kind.values())
    total = min(totals, key=lambda m: m.value) if totals else None
    parts_sum = sum(m.value for m in parts)
    if total is not None and (not parts or total.value <= parts_sum):
        return Count(total.value, [total.text], False)
    kinds = {k for m in parts for k in m.kinds}
    parts.sort(key=lambda m: mentions.index(m))
    return Count(parts_sum, [m.text for m in parts], kinds == {"civilian"})


def document_count(sentences: list[str]) -> Count:
    """The count of a document told as one incident (every death figure of
    every sentence): what ``coder eval`` scores the counter on."""
    return combine([m for s in sentences for m in sentence_mentions(s)])


#: Sentences that open another incident: their figures are not an earlier record's.
_ANOTHER = re.compile(r"\b(?:separately|in a separate|in another|elsewhere|meanwhile|earlier this"
                      r"|last (?:week|month|year)|a day earlier|the previous day)\b", re.IGNORECASE)
#: How many sentences after a record sentence a figure may be told.
FOLLOW = 4


def telling_words() -> frozenset[str]:
    """The words one of which a sentence with a death figure holds (as a
    whole lower-case word): a sentence without any has no figure."""
    return words().telling


def assign(sentences: dict[int, str], record_sentences: list[int],
           quiet: set[int] | frozenset[int] = frozenset()) -> dict[int, list[Mention]]:
    """sentence index of a record -> the death figures that belong to it.

    ``sentences``: index -> text of every sentence of the document;
    ``record_sentences``: the indexes of the sentences that gave records.
    Figures of a record sentence are its own; a sentence without a record
    gives its figures to the nearest record sentence before it (at most
    :data:`FOLLOW` sentences back, and not when it opens another incident:
    "In a separate attack, ..."), else to the first record sentence after it.
    ``quiet``: indexes of sentences known to hold none of :func:`telling_words`
    (not looked at).
    """
    own = sorted(set(record_sentences))
    if not own:
        return {}
    found: dict[int, list[Mention]] = {i: [] for i in own}
    near = {i + k for i in own for k in range(FOLLOW + 1)}
    for index, text in sentences.items():
        if index not in near and index > own[0]:
            continue  # too far after every record sentence: its figures belong to none
        if index in quiet:
            continue
        ms = sentence_mentions(text)
        if not ms:
            continue
        if index in found:
            found[index].extend(ms)
            continue
        earlier = [i for i in own if i < index]
        if earlier and index - earlier[-1] <= FOLLOW and not _ANOTHER.search(text):
            found[earlier[-1]].extend(ms)
        elif not earlier:
            found[own[0]].extend(ms)
    return found


_CIVILIANS = 7  #: ACLED inter code of civilians
_REMOTE = "Explosions/Remote violence"


def fill(sentences: dict[int, str], drafts: list, records: list,
         quiet: set[int] | frozenset[int] = frozenset()) -> None:
    """Set ``fatalities``, ``fatalities_text`` and ``civilian_targeting`` of
    a document's records (``drafts[i]`` made ``records[i]``).

    The figures of a sentence (and of the sentences that follow it without
    a record of their own) go to the first record that comes from it or
    merged a draft from it; every other record of the sentence gets 0, so
    one incident's dead are counted once.  ``quiet``: as for :func:`assign`.
    """
    record_sentences = [i for d in drafts for i in (d.sentence_index, *(m.sentence_index for m in d.merged))]
    found = assign(sentences, record_sentences, quiet)
    for d, r in zip(drafts, records, strict=True):
        mentions: list[Mention] = []
        for i in (d.sentence_index, *(m.sentence_index for m in d.merged)):
            mentions.extend(found.pop(i, ()))
        count = combine(mentions)
        r.fatalities = count.value
        r.fatalities_text = count.text
        if r.acled_event_type == _REMOTE and (
            (d.a2 is not None and d.a2.inter == _CIVILIANS)
            or (count.value and count.civilian)
            or (d.a2 is None and civilian_target(d.sentence_text))
        ):
            r.civilian_targeting = "Civilian targeting"


def civilian_target(text: str) -> bool:
    """Whether a sentence names a civilian target ("a market", "a village")."""
    return words().civilian_targets.search(text) is not None
