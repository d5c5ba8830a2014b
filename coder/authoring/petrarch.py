"""Convert PETRARCH2 / TABARI dictionaries into a coder codebook.

``coder codebook import-petrarch DIR -o codebook.yaml`` reads the actor,
agent and verb-pattern dictionaries of PETRARCH2 (and of TABARI and
PETRARCH 1, whose verb patterns use ``$ + % ^``), converts what our codebook
can express and reports, with file and line, everything it converts and
everything it cannot.  docs/import.md describes every mapping; in short:

* an **actor** entry (a phrase, its ``+`` synonyms and its codes, some with
  date restrictions) becomes aliases of the actor with that code; one actor
  per code.  Of date-restricted codes the one valid at the latest date (or at
  ``date``) is kept, the others are written in a comment beside the alias;
* an **agent** entry (``TROOP [~MIL]``) becomes an alias of a generic actor
  with the agent's code (``MIL``, named "military"): our actors do not
  combine a country with a role;
* a **verb block** gives one rule per code for its isolated verbs
  (``{actor1} [attack|assault|...] {actor2}``) and one rule per pattern line,
  the ``*`` standing for the block's verbs.  By default only CAMEO 15x and 19x
  codes are imported (to the ``consolidation``, ``offensive`` and ``capture``
  event types of the shipped codebook, per mapping.csv); ``all_codes`` adds
  every other code as an event type ``cameo_<code>``.

Every converted rule gets an example sentence built from its own pattern; a
rule that does not code its example with the finished codebook is dropped and
reported.  The codebook is written atomically, and only after it loaded.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import time
from collections import Counter
from contextlib import suppress
from dataclasses import dataclass, field, replace
from pathlib import Path

from coder.codebook.inflect import forms as word_forms
from coder.codebook.pattern import PatternError, parse
from coder.errors import CodebookError, InputError, OutputError, Problem, UsageError, printable
from coder.io.outputs import io_error, refuse_inputs, write_bytes
from coder.reference import cameo
from coder.text.tokens import words as token_words

# --------------------------------------------------------------------------
# the report


@dataclass(frozen=True)
class ReportLine:
    """One line of the report: ``path:line: kind: message``."""

    path: str
    line: int
    kind: str  # converted | skipped | duplicate | note
    message: str
    section: str = ""  # actors | agents | verbs
    code: str = ""  # the CAMEO code of a verb pattern, for the counts per code

    def __str__(self) -> str:
        kind = "skipped" if self.kind == "duplicate" else self.kind
        return printable(f"{self.path}:{self.line}: {kind}: {self.message}")


@dataclass
class ImportReport:
    """What an import converted and what it could not."""

    lines: list[ReportLine] = field(default_factory=list)
    files: list[tuple[str, str]] = field(default_factory=list)  # (path, what it was read as)
    actors: int = 0  # actors written (from actor and agent dictionaries)
    aliases: int = 0
    rules: int = 0
    not_selected: int = 0  # verb patterns whose code was not imported
    null: int = 0  # verb patterns with the null code [---] that no converted rule needed
    seconds: float = 0.0
    output: str = ""

    def count(self, section: str, kind: str) -> int:
        return sum(1 for r in self.lines if r.section == section and r.kind == kind)

    def per_code(self) -> dict[str, Counter]:
        out: dict[str, Counter] = {}
        for r in self.lines:
            if r.section == "verbs" and r.code and r.kind in ("converted", "skipped", "duplicate"):
                out.setdefault(r.code, Counter())[r.kind] += 1
        return dict(sorted(out.items()))

    def summary(self) -> str:
        """Counts per section, one line each."""
        out = []
        for path, what in self.files:
            out.append(f"read {path} ({what})")
        for section in ("actors", "agents"):
            c, s, d = (self.count(section, k) for k in ("converted", "skipped", "duplicate"))
            out.append(f"{section}: {c} entries converted; skipped: {s}; duplicate aliases: {d}")
        c, s, d = (self.count("verbs", k) for k in ("converted", "skipped", "duplicate"))
        out.append(f"verbs: {c} rules converted; skipped: {s}; duplicate patterns: {d}; not imported: "
                   f"{self.not_selected} patterns of other codes, {self.null} of the null code [---]")
        for code, n in self.per_code().items():
            out.append(f"  {code}: {n['converted']} converted; skipped: {n['skipped']}; duplicates: {n['duplicate']}")
        out.append(f"codebook: {self.actors} actors ({self.aliases} aliases), {self.rules} rules"
                   + (f", written to {self.output}" if self.output else "")
                   + f"; seconds: {self.seconds:.2f}")
        return "\n".join(out)


# --------------------------------------------------------------------------
# reading dictionary files


@dataclass
class _Line:
    number: int
    text: str  # without comments, not stripped


def _read_lines(path: Path, shown: str, report: list[ReportLine], section: str) -> list[_Line]:
    """The lines of a dictionary file with ``#`` and ``;`` comments (TABARI's)
    and ``<!-- ... -->`` comments removed; blank lines left out."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(Problem("petrarch-io", f"cannot read dictionary: {exc.strerror}", shown)) from None
    out: list[_Line] = []
    in_xml = False
    for number, bline in enumerate(raw.split(b"\n"), 1):
        try:
            text = bline.decode("utf-8")
        except UnicodeDecodeError as exc:
            text = bline.decode("cp1252", errors="replace")
            report.append(
                ReportLine(
                    shown, number, "note", f"not UTF-8 (byte 0x{bline[exc.start]:02x}): read as Windows-1252", section
                )
            )
        text = text.rstrip("\r")
        if in_xml:
            end = text.find("-->")
            if end < 0:
                continue
            text = " " * (end + 3) + text[end + 3 :]
            in_xml = False
        while "<!--" in text:
            start = text.find("<!--")
            end = text.find("-->", start + 4)
            if end < 0:
                text = text[:start]
                in_xml = True
                break
            text = text[:start] + " " * (end + 3 - start) + text[end + 3 :]
        for mark in "#;":
            cut = text.find(mark)
            if cut >= 0:
                text = text[:cut]
        if text.strip():
            out.append(_Line(number, text.rstrip()))
    return out


# --------------------------------------------------------------------------
# names, codes and roles

#: CAMEO actor role codes: display name and ACLED inter code.
ROLES: dict[str, tuple[str, int]] = {
    "GOV": ("government", 1),
    "MIL": ("military", 1),
    "COP": ("police", 1),
    "SPY": ("intelligence services", 1),
    "JUD": ("judiciary", 1),
    "LEG": ("legislature", 1),
    "REB": ("rebels", 2),
    "INS": ("insurgents", 2),
    "SEP": ("separatists", 2),
    "IMG": ("militarized group", 2),
    "UAF": ("armed group", 3),
    "OPP": ("opposition", 7),
    "PTY": ("political party", 7),
    "ELI": ("elites", 7),
    "CVL": ("civilians", 7),
    "BUS": ("business", 7),
    "MED": ("media", 7),
    "EDU": ("education", 7),
    "HLH": ("health", 7),
    "REF": ("refugees", 7),
    "LAB": ("labour", 7),
    "AGR": ("agriculture", 7),
    "HRI": ("human rights", 7),
    "ENV": ("environment", 7),
    "DEV": ("development", 7),
    "NGO": ("non-governmental organisation", 7),
    "NGM": ("non-governmental movement", 7),
    "MNC": ("multinational corporation", 7),
    "REL": ("religious", 7),
    "MUS": ("Muslim", 7),
    "CHR": ("Christian", 7),
    "JEW": ("Jewish", 7),
    "HIN": ("Hindu", 7),
    "BUD": ("Buddhist", 7),
    "CTH": ("Catholic", 7),
    "PPL": ("people", 7),
    "MOD": ("moderates", 7),
    "RAD": ("radicals", 7),
    "CRM": ("criminals", 8),
    "IGO": ("intergovernmental organisation", 8),
}

#: CAMEO region and transnational codes: three letters, but not a country.
NOT_COUNTRY = frozenset(ROLES) | frozenset(
    """AFR ASA BLK CRB CAU CFR CAS CEU EIN EAF EEU EUR LAM MEA MDT NAF NMR PGS SCN SAM SAS
    SEA SAF WAF WST UIS""".split()
)

#: Role codes that are also ISO 3166 country codes: at the start of a code of
#: an actor dictionary they are the country (MUS: Mauritius, not Muslim).
COUNTRY_FIRST = frozenset({"MUS"})

_ACTOR_CODE = re.compile(r"^[A-Z0-9]{3,15}$")
_SMALL = frozenset("of the and for in on at to de da du des la le el al bin ibn i e y van von der".split())


def _chunks(code: str) -> list[str]:
    return [code[i : i + 3] for i in range(0, len(code), 3)]


def _country(code: str, agent: bool = False) -> str:
    """The country an actor code starts with ('' for agents, regions,
    international and transnational codes)."""
    first = code[:3]
    if agent or len(first) < 3 or not first.isalpha():
        return ""
    return first if first in COUNTRY_FIRST or first not in NOT_COUNTRY else ""


def _inter(code: str, agent: bool = False) -> int:
    """ACLED inter code from the first role in the code (see docs/import.md)."""
    chunks = _chunks(code)
    country = bool(_country(code, agent))
    for chunk in chunks[1:] if country else chunks:
        if chunk in ROLES:
            return ROLES[chunk][1]
    return 1 if country and len(chunks) == 1 else 8


def _display(phrase: str, acronyms: bool = True) -> str:
    """AFGHAN_NATIONAL_ARMY -> Afghan National Army; small words stay small
    (of, al-, d'); a lone acronym of up to three letters stays in capitals."""
    parts = phrase.split()
    if acronyms and len(parts) == 1 and len(parts[0]) <= 3 and parts[0].isalpha():
        return parts[0]
    out = []
    for i, word in enumerate(parts):
        if "." in word or any(ch.isdigit() for ch in word):
            out.append(word)
            continue
        pieces = re.split(r"([-'’])", word.lower())
        done = []
        for j, piece in enumerate(pieces):
            first = i == 0 and j == 0
            after_quote = j > 0 and pieces[j - 1] in "'’"
            before_quote = j + 1 < len(pieces) and pieces[j + 1] in "'’"
            if not piece or piece in "-'’":
                done.append(piece)
            elif not first and (piece in _SMALL or (before_quote and piece in ("d", "l"))):
                done.append(piece)  # bin, al-, d'Ivoire
            elif after_quote and len(piece) <= 2:
                done.append(piece)  # Afghan's
            else:
                done.append(piece[:1].upper() + piece[1:])
        out.append("".join(done))
    return " ".join(out)


def _phrase(raw: str) -> tuple[str, bool]:
    """A dictionary phrase -> (words joined by spaces, ends with '_')."""
    raw = raw.strip()
    stopped = raw.endswith("_")
    return " ".join(raw.replace("_", " ").split()), stopped


# --------------------------------------------------------------------------
# dates


def check_date(value: str | None) -> dt.date | None:
    """The --date option: YYYY-MM-DD, else UsageError."""
    if value is None:
        return None
    try:
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            raise ValueError
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(Problem("usage", f"not a date: '{value}' (expected YYYY-MM-DD)", field="--date")) from None


def _date(text: str) -> dt.date | None:
    """YYYYMMDD or YYMMDD (YY of 30 or less is 20YY, else 19YY)."""
    if not text.isdigit() or len(text) not in (6, 8):
        return None
    if len(text) == 8:
        year, rest = int(text[:4]), text[4:]
    else:
        year = int(text[:2])
        year += 2000 if year <= 30 else 1900
        rest = text[2:]
    try:
        return dt.date(year, int(rest[:2]), int(rest[2:4]))
    except ValueError:
        return None


@dataclass(frozen=True)
class _Restriction:
    code: str  # "" for the null code [---]
    lo: dt.date | None = None
    hi: dt.date | None = None
    dated: bool = False

    def holds(self, day: dt.date) -> bool:
        return (self.lo is None or self.lo <= day) and (self.hi is None or day <= self.hi)

    def __str__(self) -> str:
        code = self.code or "---"
        if not self.dated:
            return code
        lo = self.lo.isoformat() if self.lo else ""
        hi = self.hi.isoformat() if self.hi else ""
        return f"{code} {lo}..{hi}"


def _restriction(spec: str) -> _Restriction | str:
    """``IRQGOV >20050101`` -> a restriction, or the reason it is not one."""
    parts = spec.split(None, 1)
    if not parts:
        return "empty code '[]'"
    code, when = parts[0], "".join(parts[1:]).replace(" ", "")
    if code == "---":
        code = ""
    elif not _ACTOR_CODE.match(code):
        return f"'{code}' is not an actor code (3-15 capital letters or digits)"
    if not when:
        return _Restriction(code)
    if not re.fullmatch(r"[<>]?[0-9]+(-[0-9]+)?", when):
        return f"bad date '{when}' in [{spec.strip()}] (>DATE, <DATE or DATE-DATE)"
    if when[0] in "<>":
        day = _date(when[1:])
        if day is None:
            return f"bad date '{when[1:]}' in [{spec.strip()}] (YYYYMMDD or YYMMDD)"
        return _Restriction(code, day, None, True) if when[0] == ">" else _Restriction(code, None, day, True)
    lo_s, _, hi_s = when.partition("-")
    lo, hi = _date(lo_s), _date(hi_s)
    if lo is None or hi is None:
        return f"bad date range '{when}' in [{spec.strip()}] (YYYYMMDD-YYYYMMDD)"
    return _Restriction(code, lo, hi, True)


def _choose(restrictions: list[_Restriction], day: dt.date | None) -> _Restriction | None:
    """The code an entry gets: on ``day``, else at the latest date (see module doc)."""
    dated = [r for r in restrictions if r.dated]
    default = next((r for r in restrictions if not r.dated), None)
    if day is not None:
        return next((r for r in dated if r.holds(day)), default)
    latest = next((r for r in dated if r.hi is None), None)
    if latest is not None:
        return latest
    if default is not None:
        return default
    if dated:
        return max(dated, key=lambda r: r.hi)
    return None


# --------------------------------------------------------------------------
# actors and agents


@dataclass
class _Alias:
    text: str
    case_sensitive: bool
    path: str
    line: int
    note: str = ""


@dataclass
class _ActorOut:
    code: str
    first_phrase: str
    aliases: list[_Alias] = field(default_factory=list)
    agent: bool = False
    name: str = ""


def _alias_key(text: str, case_sensitive: bool) -> tuple:
    """The same key as the duplicate-alias check of coder codebook lint."""
    if case_sensitive:
        return (True, tuple(text.split()))
    return (False, tuple(t.lower() for t in token_words(text)))


class _Actors:
    """Actors by code, and which actor claims each alias."""

    def __init__(self) -> None:
        self.by_code: dict[str, _ActorOut] = {}
        self.claimed: dict[tuple, tuple[str, str, int]] = {}  # key -> (code, path, line)

    def add(
        self,
        code: str,
        text: str,
        case_sensitive: bool,
        path: str,
        line: int,
        note: str,
        report: list[ReportLine],
        section: str,
        first_phrase: str,
        agent: bool,
    ) -> bool:
        key = _alias_key(text, case_sensitive)
        if not key[1]:
            report.append(ReportLine(path, line, "skipped", f"'{text}' has no word in it", section))
            return False
        owner = self.claimed.get(key)
        if owner is not None:
            if owner[0] == code:
                if (owner[1], owner[2]) != (path, line):
                    report.append(
                        ReportLine(
                            path,
                            line,
                            "duplicate",
                            f"'{text}' is already an alias of {code} ({os.path.basename(owner[1])}:{owner[2]})",
                            section,
                        )
                    )
                return False
            report.append(
                ReportLine(
                    path,
                    line,
                    "skipped",
                    f"'{text}' is already an alias of {owner[0]} ({os.path.basename(owner[1])}:{owner[2]}), so not of "
                    f"{code}",
                    section,
                )
            )
            return False
        actor = self.by_code.get(code)
        if actor is None:
            actor = self.by_code[code] = _ActorOut(code, first_phrase, agent=agent)
        self.claimed[key] = (code, path, line)
        actor.aliases.append(_Alias(text, case_sensitive, path, line, note))
        return True


def _actor_alias(phrase: str) -> tuple[str, bool]:
    """Alias text and case sensitivity: a lone word of up to three letters is
    an acronym (US, UN, IS) and must match in capitals only."""
    if " " not in phrase and len(phrase) <= 3 and phrase.isalpha():
        return phrase.upper(), True
    return _display(phrase), False


def _read_actors(path: Path, shown: str, actors: _Actors, day: dt.date | None, report: list[ReportLine]) -> None:
    lines = _read_lines(path, shown, report, "actors")
    entries: list[dict] = []
    current: dict | None = None
    for ln in lines:
        text = ln.text
        stripped = text.strip()
        if text[:1].isspace() and stripped.startswith("["):
            if current is None:
                report.append(
                    ReportLine(shown, ln.number, "skipped", "a code line without an actor phrase before it", "actors")
                )
                continue
            current["specs"] += [(s, ln.number) for s in re.findall(r"\[([^\]]*)\]", stripped)]
            continue
        if stripped.startswith("+"):
            if current is None:
                report.append(
                    ReportLine(shown, ln.number, "skipped", "a synonym (+) without an actor phrase before it", "actors")
                )
                continue
            body = stripped[1:]
            if "[" in body:
                current["specs"] += [(s, ln.number) for s in re.findall(r"\[([^\]]*)\]", body)]
                body = body[: body.find("[")]
            current["phrases"].append((body, ln.number))
            continue
        if text[:1].isspace():
            report.append(
                ReportLine(shown, ln.number, "skipped", f"unexpected indented line '{stripped[:40]}'", "actors")
            )
            continue
        body = stripped
        specs = re.findall(r"\[([^\]]*)\]", body)
        if "[" in body:
            body = body[: body.find("[")]
        current = {"line": ln.number, "phrases": [(body, ln.number)], "specs": [(s, ln.number) for s in specs]}
        entries.append(current)

    for entry in entries:
        restrictions: list[_Restriction] = []
        for spec, number in entry["specs"]:
            r = _restriction(spec)
            if isinstance(r, str):
                report.append(ReportLine(shown, number, "skipped", r, "actors"))
            else:
                restrictions.append(r)
        first, _ = _phrase(entry["phrases"][0][0])
        chosen = _choose(restrictions, day)
        if not restrictions and entry["specs"]:
            continue  # every code was bad, and said so
        if not restrictions:
            report.append(
                ReportLine(
                    shown,
                    entry["line"],
                    "skipped",
                    f"'{_display(first)}' has no code (PETRARCH uses such entries to stop a name from matching)",
                    "actors",
                )
            )
            continue
        if chosen is None or not chosen.code:
            when = f"on {day.isoformat()}" if day else "at the latest date"
            report.append(
                ReportLine(
                    shown,
                    entry["line"],
                    "skipped",
                    f"'{_display(first)}' has no code {when} ({', '.join(map(str, restrictions))})",
                    "actors",
                )
            )
            continue
        others = [r for r in restrictions if r is not chosen]
        note = ""
        if others:
            note = f"PETRARCH: {', '.join(map(str, restrictions))}; kept {chosen}"
        added = 0
        for raw, number in entry["phrases"]:
            phrase, _stopped = _phrase(raw)
            if not phrase:
                report.append(ReportLine(shown, number, "skipped", "empty actor phrase", "actors"))
                continue
            text, cs = _actor_alias(phrase)
            if actors.add(chosen.code, text, cs, shown, number, note, report, "actors", first, False):
                added += 1
        if added:
            extra = (
                f"; {len(others)} other date-restricted code{'s' if len(others) != 1 else ''} in a comment"
                if others
                else ""
            )
            report.append(
                ReportLine(
                    shown,
                    entry["line"],
                    "converted",
                    f"{chosen.code}: {_display(first)} ({added} alias{'es' if added != 1 else ''}){extra}",
                    "actors",
                )
            )


def _plural(word: str) -> str:
    if word.endswith(("S", "X", "Z", "CH", "SH")):
        return word + "ES"
    if word.endswith("Y") and len(word) > 1 and word[-2] not in "AEIOU":
        return word[:-1] + "IES"
    return word + "S"


def _read_agents(path: Path, shown: str, actors: _Actors, report: list[ReportLine]) -> None:
    markers: dict[str, list[str]] = {}
    renamed: dict[str, str] = {}  # agent code -> actor code, where an actor has the agent's code
    for ln in _read_lines(path, shown, report, "agents"):
        text = ln.text.strip()
        m = re.match(r"^(![A-Z0-9_]+!)\s*=\s*(.*)$", text)
        if m:
            markers[m.group(1)] = [x.strip() for x in m.group(2).split(",") if x.strip()]
            continue
        m = re.match(r"^([^\[{]+?)\s*(\{[^}]*\})?\s*\[([^\]]*)\]\s*$", text)
        if not m:
            report.append(
                ReportLine(
                    shown,
                    ln.number,
                    "skipped",
                    f"not an agent entry (PHRASE {{PLURAL}} [~CODE]): '{text[:40]}'",
                    "agents",
                )
            )
            continue
        raw, plural, spec = m.group(1).strip(), m.group(2), m.group(3).strip()
        code = spec.replace("~", "")
        if spec.count("~") != 1 or not _ACTOR_CODE.match(code):
            report.append(
                ReportLine(shown, ln.number, "skipped", f"'[{spec}]' is not an agent code ([~ABC] or [ABC~])", "agents")
            )
            continue
        used = re.findall(r"![A-Z0-9_]+!", raw)
        undefined = [u for u in used if u not in markers]
        if undefined:
            report.append(
                ReportLine(shown, ln.number, "skipped", f"substitution marker {undefined[0]} is not defined", "agents")
            )
            continue
        phrases = [raw]
        for marker in dict.fromkeys(used):
            phrases = [p.replace(marker, sub, 1) for p in phrases for sub in markers[marker]]
        texts: list[str] = []
        for p in phrases:
            phrase, _ = _phrase(p)
            if not phrase:
                continue
            texts.append(phrase)
            if not used:  # substitutions give every form already
                if plural is None:
                    texts.append(phrase[: len(phrase) - len(phrase.split()[-1])] + _plural(phrase.split()[-1]))
                elif plural.strip("{} "):
                    texts.append(_phrase(plural.strip("{} "))[0])
        if " " in raw.strip().rstrip("_"):
            report.append(
                ReportLine(
                    shown,
                    ln.number,
                    "note",
                    "words separated by blanks are matched next to each other (PETRARCH lets other words stand "
                    "between them)",
                    "agents",
                )
            )
        first = texts[0] if texts else raw
        owner = actors.by_code.get(code)
        if (owner is not None and not owner.agent and _country(code) == code) or code in renamed:
            # MUS is Muslim as an agent and Mauritius as a country; an agent
            # code that an actor dictionary uses as a role (ELI) is the same
            if code not in renamed:
                renamed[code] = f"AGT{code}"[:15]
                report.append(
                    ReportLine(
                        shown,
                        ln.number,
                        "note",
                        f"agent code {code} is also the code of actor '{_display(owner.first_phrase)}': these agents "
                        f"become actor {renamed[code]}",
                        "agents",
                    )
                )
            code = renamed[code]
        added = 0
        for text in dict.fromkeys(texts):
            if actors.add(
                code, _display(text, acronyms=False), False, shown, ln.number, "", report, "agents", first, True
            ):
                added += 1
        if added:
            report.append(
                ReportLine(
                    shown,
                    ln.number,
                    "converted",
                    f"{code}: {_display(first, acronyms=False)} ({added} alias{'es' if added != 1 else ''})",
                    "agents",
                )
            )


def _name_actors(actors: _Actors) -> None:
    """Give every actor a display name no other actor claims."""
    names = {code: a for code, a in actors.by_code.items()}

    def derived(code: str, agent: bool) -> str:
        chunks = _chunks(code)
        if agent:
            if chunks[0] == "AGT":
                chunks = chunks[1:]
            if all(c in ROLES for c in chunks):
                roles = [ROLES[c][0] for c in chunks]
                return roles[0] + (f" ({', '.join(roles[1:])})" if len(roles) > 1 else "")
            return ""
        country = _country(code)
        if country and len(chunks) > 1 and all(c in ROLES for c in chunks[1:]):
            c_actor = names.get(country)
            c_name = _display(c_actor.first_phrase) if c_actor else country
            roles = [ROLES[c][0] for c in chunks[1:]]
            return f"{c_name} {roles[0]}" + (f" ({', '.join(roles[1:])})" if len(roles) > 1 else "")
        return ""

    for code, actor in actors.by_code.items():
        # else the first alias; an acronym gets its code, as a name always
        # matches in any capitalisation ("UN (IGOUNO)" does not match "un")
        plain = next((al.text for al in actor.aliases if not al.case_sensitive), None)
        name = derived(code, actor.agent) or plain or f"{actor.aliases[0].text} ({code})"
        key = _alias_key(name, False)
        owner = actors.claimed.get(key)
        if owner is not None and owner[0] != code:
            name = f"{name} ({code})"
            key = _alias_key(name, False)
        actors.claimed.setdefault(key, (code, "", 0))
        actor.name = name


# --------------------------------------------------------------------------
# verbs


@dataclass
class _Verb:
    words: list[tuple[str, bool]]  # (word, exact)
    lemma: str  # the word that is the verb
    forms: list[str]  # irregular forms of the lemma given in {...}
    code: str
    line: int


@dataclass
class _PatternLine:
    line: int
    body: str
    code: str
    source: str  # the line as written, for the rule description


@dataclass
class _Block:
    name: str
    code: str
    line: int
    verbs: list[_Verb] = field(default_factory=list)
    patterns: list[_PatternLine] = field(default_factory=list)


@dataclass
class _Synset:
    line: int
    exact: bool
    members: list[tuple[str, bool]] = field(default_factory=list)  # (phrase, exact)


_FORBIDDEN = re.compile(r'[\[\](){}|"/]')


def _word_ok(word: str) -> bool:
    return bool(word) and not _FORBIDDEN.search(word) and "..." not in word and bool(token_words(word))


def _render_words(words: list[tuple[str, bool]]) -> str:
    return " ".join(f'"{w}"' if exact else w for w, exact in words)


def _group(alts: list[str]) -> str:
    """``[a|b c]``; one alternative stands alone."""
    alts = list(dict.fromkeys(alts))
    return alts[0] if len(alts) == 1 else "[" + "|".join(alts) + "]"


def _parse_verb_line(text: str, block: _Block, number: int) -> _Verb | str:
    m = re.match(r"^\s*([^\s{\[]+)\s*(\{[^}]*\})?\s*(\[[^\]]*\])?\s*$", text)
    if not m:
        return f"not a verb line (VERB {{FORMS}} [CODE]): '{text.strip()[:40]}'"
    phrase, forms_s, code_s = m.group(1), m.group(2), m.group(3)
    code = code_s[1:-1].strip() if code_s else block.code
    parts = [p for p in phrase.split("_") if p]
    marked = next((i for i, p in enumerate(parts) if p.startswith("+")), 0)
    parts = [p.lstrip("+") for p in parts]
    if not parts or not all(_word_ok(p.lower()) for p in parts):
        return f"verb '{phrase}' has a character the pattern language cannot hold"
    exact = forms_s is not None and not forms_s.strip("{} ,")
    words = [(p.lower(), exact) for p in parts]
    extra: list[str] = []
    if forms_s and not exact:
        for form in forms_s.strip("{}").replace(",", " ").split():
            fparts = [p for p in form.split("_") if p]
            fmarked = next(
                (i for i, p in enumerate(fparts) if p.startswith("+")), marked if len(fparts) == len(parts) else 0
            )
            if fmarked < len(fparts):
                extra.append(fparts[fmarked].lstrip("+").lower())
    return _Verb(words, parts[marked].lower(), extra, code, number)


def _read_verbs(
    path: Path, shown: str, report: list[ReportLine]
) -> tuple[dict[str, _Synset], list[_Block], list[tuple[int, str]], str]:
    lines = _read_lines(path, shown, report, "verbs")
    synsets: dict[str, _Synset] = {}
    blocks: list[_Block] = []
    transformations: list[tuple[int, str]] = []
    context: object = None  # the current _Synset or _Block
    for ln in lines:
        text = ln.text
        stripped = text.strip()
        if stripped.startswith("---"):
            m = re.match(r"^-{3}\s*([^\s\[]+)\s*(?:\[([^\]]*)\])?", stripped)
            if not m:
                report.append(
                    ReportLine(
                        shown,
                        ln.number,
                        "skipped",
                        f"not a block header (--- NAME [CODE] ---): '{stripped[:40]}'",
                        "verbs",
                    )
                )
                context = None
                continue
            context = _Block(m.group(1), (m.group(2) or "---").strip(), ln.number)
            blocks.append(context)
        elif stripped.startswith("&"):
            label = stripped.split()[0]
            context = synsets[label.rstrip("_")] = _Synset(ln.number, label.endswith("_"))
        elif stripped.startswith("~"):
            transformations.append((ln.number, stripped))
        elif stripped.startswith("-"):
            if not isinstance(context, _Block):
                report.append(ReportLine(shown, ln.number, "skipped", "a pattern line outside a verb block", "verbs"))
                continue
            m = re.match(r"^-(.*?)\[([^\]]*)\]\s*$", stripped)
            if not m:
                report.append(ReportLine(shown, ln.number, "skipped", "a pattern line without a [code]", "verbs"))
                continue
            source = " ".join(stripped.split())
            context.patterns.append(_PatternLine(ln.number, m.group(1), m.group(2).strip(), source))
        elif isinstance(context, _Synset) and stripped.startswith("+"):
            for member in stripped[1:].split("/"):  # MI-24VM/HIND: two names
                phrase, stopped = _phrase(member)
                if not all(_word_ok(w) for w in phrase.lower().split()):
                    report.append(
                        ReportLine(
                            shown,
                            ln.number,
                            "skipped",
                            f"synset member '{member.strip()}' has a character the pattern language cannot hold",
                            "verbs",
                        )
                    )
                elif phrase:
                    context.members.append((phrase.lower(), stopped or context.exact))
        elif isinstance(context, _Block):
            verb = _parse_verb_line(stripped, context, ln.number)
            if isinstance(verb, str):
                report.append(ReportLine(shown, ln.number, "skipped", verb, "verbs"))
            else:
                context.verbs.append(verb)
        else:
            report.append(ReportLine(shown, ln.number, "skipped", f"unexpected line '{stripped[:40]}'", "verbs"))
    petrarch2 = any(("(" in p.body or "{" in p.body) for b in blocks for p in b.patterns)
    return synsets, blocks, transformations, "PETRARCH2" if petrarch2 else "TABARI"


# --------------------------------------------------------------------------
# codes and event types

#: event type of the shipped codebook for each CAMEO root we import by default
_ROOT_TYPES = {"15": "consolidation", "19": "offensive"}
_GAP_WORD = "then"  # a word no filler skipping passes over, for example sentences


def _event_type_of(code: str) -> str:
    if code[:3] == "192":
        return "capture"
    if code[:2] in _ROOT_TYPES:
        return _ROOT_TYPES[code[:2]]
    return f"cameo_{code}"


def _default_selected(code: str) -> bool:
    return (code[:2] == "15" and (len(code) == 2 or code[2] in "012345")) or (
        code[:2] == "19" and (len(code) == 2 or code[2] in "0123456")
    )


@dataclass(frozen=True)
class _Code:
    written: str  # as in the dictionary: 190, :190, 190:190
    cameo: str  # the CAMEO code used
    event_type: str
    passive: bool  # only a passive code: the subject is the target
    note: str = ""


def _code(written: str, all_codes: bool) -> _Code | str | None:
    """The code of a pattern or verb; a reason string if it cannot be used,
    None if it is null or not imported."""
    active, sep, passive = written.partition(":")
    active, passive = active.strip(), passive.strip()
    main = active or passive
    if main in ("", "---") or set(main) <= {"-"}:
        return None
    if not re.fullmatch(r"[0-9]{2,4}", main):
        return f"[{written}] is not a CAMEO code"
    if not all_codes and not _default_selected(main):
        return None
    codes = cameo()
    use, note = main, ""
    if main not in codes:
        if len(main) == 4 and main[:3] in codes:
            use, note = main[:3], f"{main} is not in the CAMEO list: coded as {main[:3]}"
        else:
            return f"[{written}] {main} is not in the CAMEO list"
    if sep and active and passive and passive != active:
        note = (note + "; " if note else "") + f"passive code {passive} dropped"
    return _Code(written, use, _event_type_of(use), not active, note)


# --------------------------------------------------------------------------
# patterns


@dataclass
class _Piece:
    text: str  # in the pattern language
    example: str  # words for the example sentence ('' for none)
    kind: str  # word | verb | slot | gap


class _Skip(Exception):
    pass


def _tokens(body: str) -> list[str]:
    return re.findall(r"[(){}]|[^\s(){}]+", body)


def _parts(token: str) -> list[str]:
    """``$_&WEAPON_*`` -> ``$``, ``&WEAPON``, ``*``: words joined by ``_`` stand
    next to each other; a trailing ``_`` stays on the last word (no stemming)."""
    parts = token.split("_")
    if len(parts) > 1 and parts[-1] == "" and parts[-2]:
        parts = parts[:-2] + [parts[-2] + "_"]
    return [p for p in parts if p]


_SLOTS = {"$": "actor1", "+": "actor2"}
_UNEXPRESSIBLE = {
    "%": "a compound actor (%), source and target in one phrase",
    "^": "an actor to skip (^), neither source nor target",
}


class _PatternBuilder:
    """Turn one pattern line into pieces of a pattern (see docs/import.md)."""

    def __init__(self, synsets: dict[str, _Synset], verbs: list[_Verb], line: int, petrarch2: bool):
        self.synsets = synsets
        self.verbs = verbs
        self.line = line
        self.petrarch2 = petrarch2

    def part(self, token: str) -> _Piece:
        """One part: the verb, a slot, a synset, 'A/B' alternatives or a word."""
        if token == "*":
            if not self.verbs:
                raise _Skip("the block has no verbs for '*'")
            example = " ".join(w for w, _ in self.verbs[0].words)
            return _Piece(_group([_render_words(v.words) for v in self.verbs]), example, "verb")
        if token in _SLOTS:
            return _Piece("{" + _SLOTS[token] + "}", token, "slot")
        if token in _UNEXPRESSIBLE:
            raise _Skip(f"pattern uses {_UNEXPRESSIBLE[token]}: no slot can express it")
        if token.startswith("&"):
            name = token.rstrip("_")
            syn = self.synsets.get(name)
            if syn is None:
                raise _Skip(f"pattern uses a synset not defined ({name})")
            if syn.line > self.line:
                raise _Skip(f"pattern uses a synset defined later ({name}, line {syn.line})")
            alts = [_render_words([(w, exact) for w in phrase.split()]) for phrase, exact in syn.members]
            if not alts:
                raise _Skip(f"synset {name} is empty")
            return _Piece(_group(alts), syn.members[0][0], "word")
        if "/" in token:
            options = token.split("/")
            if not all(options):
                raise _Skip(f"'{token}' has an empty alternative")
            pieces = [self.part(o) for o in options]
            if any(p.kind != "word" for p in pieces):
                raise _Skip(f"'{token}': only words can be alternatives")
            return _Piece(_group([p.text for p in pieces]), pieces[0].example, "word")
        exact = token.endswith("_")
        word = token.rstrip("_").lower()
        if not _word_ok(word):
            raise _Skip(f"'{token}' has a character the pattern language cannot hold")
        return _Piece(f'"{word}"' if exact else word, word, "word")

    def units(self, body: str) -> list[tuple[str, list[list[str]]]]:
        """Top-level units, each a list of tokens, each token a list of parts:
        ("w", ...) a word, ("pp", ...) a (prepositional phrase), ("np", ...)
        a {noun phrase}.  A {noun phrase} inside a (phrase) is flattened."""
        toks = _tokens(body)
        out: list[tuple[str, list[list[str]]]] = []
        i = 0
        while i < len(toks):
            t = toks[i]
            if t in "({":
                close = ")" if t == "(" else "}"
                inner: list[list[str]] = []
                j = i + 1
                while j < len(toks) and toks[j] != close:
                    if toks[j] not in "({)}":
                        inner.append(_parts(toks[j]))
                    j += 1
                if j >= len(toks):
                    raise _Skip(f"'{t}' is never closed")
                out.append(("pp" if t == "(" else "np", inner))
                i = j + 1
                continue
            if t in ")}":
                raise _Skip(f"'{t}' closes nothing")
            out.append(("w", [_parts(t)]))
            i += 1
        return out

    def build(self, body: str, code: _Code) -> list[_Piece]:
        units = self.units(body)
        flat = [(k, p) for k, (_, toks) in enumerate(units) for tok in toks for p in tok]
        for _k, p in flat:
            if p in _UNEXPRESSIBLE:
                raise _Skip(f"pattern uses {_UNEXPRESSIBLE[p]}: no slot can express it")
        stars = [k for k, p in flat if p == "*"]
        if not stars:
            raise _Skip("pattern has no '*' (the verb)")
        if len(stars) > 1:
            raise _Skip("pattern has more than one '*'")
        for mark in _SLOTS:
            if sum(1 for _k, p in flat if p == mark) > 1:
                raise _Skip(f"pattern has '{mark}' more than once")
        star = stars[0]
        src = next((k for k, p in flat if p == "$"), None)
        tgt = next((k for k, p in flat if p == "+"), None)
        if code.passive and (src is not None or tgt is not None):
            raise _Skip(f"a passive-only code [{code.written}] with $ or + in the pattern")
        pieces: list[_Piece] = []
        target_placed = tgt is not None
        for kind, toks in units:
            unit = [self.part(p) for tok in toks for p in tok]
            if kind == "pp" and len(toks) == 1 and not target_placed and not code.passive and self.petrarch2:
                unit.append(_Piece("{actor2}", "+", "slot"))  # (AGAINST): the object of the preposition
                target_placed = True
            if not self.petrarch2 and pieces:
                pieces.append(_Piece("...", _GAP_WORD, "gap"))  # TABARI: words may stand between
            pieces.extend(unit)
        # the implicit subject and object (PETRARCH: the subject is the source)
        if code.passive:
            pieces.insert(0, _Piece("{actor2}", "+", "slot"))
        elif src is None and (tgt is None or tgt > star):
            pieces.insert(0, _Piece("{actor1}", "$", "slot"))
        elif src is not None and src > star and tgt is None:
            pieces.insert(0, _Piece("{actor2}", "+", "slot"))  # "* BY $": the subject is the target
            target_placed = True
        if not target_placed and not code.passive:
            pieces += [_Piece("...", _GAP_WORD, "gap"), _Piece("{actor2?}", "+", "slot")]
        # no gap right after a leading slot: the subject search finds it
        if len(pieces) > 2 and pieces[0].kind == "slot" and pieces[1].kind == "gap":
            del pieces[1]
        return pieces


# --------------------------------------------------------------------------
# rules


@dataclass
class _Rule:
    id: str
    event_type: str
    pattern: str
    cameo: str  # "" when the event type's default applies
    description: str
    example: str  # with $ and + for the actor names
    slots: tuple[str, ...]
    path: str
    line: int
    code: _Code
    verbs: list[_Verb] = field(default_factory=list)
    pair: tuple[str, str] = ("", "")  # the actor names of the example sentence


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9_]+", "_", name.lower()).strip("_") or "block"


def _rule_from_pieces(pieces: list[_Piece]) -> tuple[str, str, tuple[str, ...]]:
    pattern = " ".join(p.text for p in pieces)
    example = " ".join(p.example for p in pieces if p.example)
    slots = tuple(p.text.strip("{}?") for p in pieces if p.kind == "slot")
    return pattern, example, slots


def _convert_verbs(
    path: Path, shown: str, all_codes: bool, report: list[ReportLine], rules: list[_Rule], stats: dict
) -> str:
    synsets, blocks, transformations, fmt = _read_verbs(path, shown, report)
    petrarch2 = fmt == "PETRARCH2"
    for block in blocks:
        slug = _slug(block.name)
        verb_rules: dict[str, _Rule] = {}
        # (specificity, rule): the rules of a block, most pattern words first, so
        # that where two match the same words the more specific one wins, as in
        # PETRARCH (coder prefers the earlier of two equally complete matches)
        block_rules: list[tuple[int, _Rule]] = []
        # isolated verbs: one rule per code
        by_code: dict[str, list[_Verb]] = {}
        for verb in block.verbs:
            by_code.setdefault(verb.code, []).append(verb)
        for written, verbs in by_code.items():
            code = _code(written, all_codes)
            line = block.line if written == block.code else verbs[0].line
            if code is None:
                continue
            if isinstance(code, str):
                report.append(ReportLine(shown, line, "skipped", f"verbs of {block.name}: {code}", "verbs"))
                continue
            pattern = f"{{actor1}} {_group([_render_words(v.words) for v in verbs])} {{actor2}}"
            example = "$ " + " ".join(w for w, _ in verbs[0].words) + " +"
            rid = f"{slug}.{code.cameo}.verbs"
            desc = f"{os.path.basename(shown)}:{line}: verbs of {block.name} coded [{written}]" + (
                f" ({code.note})" if code.note else ""
            )
            rule = _Rule(
                rid, code.event_type, pattern, "", desc, example, ("actor1", "actor2"), shown, line, code, verbs
            )
            block_rules.append((0, rule))
            verb_rules[written] = rule
        for pl in block.patterns:
            code = _code(pl.code, all_codes)
            if code is None:
                if pl.code.strip() in ("---", "") and verb_rules:
                    ids = [r.id for r in verb_rules.values()]
                    which = (
                        f"rule {ids[0]} still codes it" if len(ids) == 1 else f"rules {', '.join(ids)} still code it"
                    )
                    report.append(
                        ReportLine(
                            shown,
                            pl.line,
                            "skipped",
                            f"null code [---]: PETRARCH uses it to stop {block.name} verbs from coding this phrase; "
                            f"coder has no such exception, so {which}",
                            "verbs",
                        )
                    )
                elif pl.code.strip() in ("---", ""):
                    stats["null"] += 1
                else:
                    stats["not_selected"] += 1
                continue
            if isinstance(code, str):
                report.append(ReportLine(shown, pl.line, "skipped", code, "verbs"))
                continue
            try:
                pieces = _PatternBuilder(synsets, block.verbs, pl.line, petrarch2).build(pl.body, code)
            except _Skip as exc:
                report.append(ReportLine(shown, pl.line, "skipped", f"[{pl.code}] {exc}", "verbs", code.cameo))
                continue
            pattern, example, slots = _rule_from_pieces(pieces)
            desc = f"{os.path.basename(shown)}:{pl.line}: {block.name}: {pl.source}" + (
                f" ({code.note})" if code.note else ""
            )
            rid = f"{slug}.{'p' if code.passive else ''}{code.cameo}.line{pl.line}"
            specific = sum(len(p.example.split()) for p in pieces if p.kind == "word")
            block_rules.append(
                (
                    specific,
                    _Rule(rid, code.event_type, pattern, "", desc, example, slots, shown, pl.line, code, block.verbs),
                )
            )
        block_rules.sort(key=lambda sr: -sr[0])
        rules.extend(r for _, r in block_rules)
    for number, text in transformations:
        m = re.search(r"=\s*\S+\s+\S+\s+(\S+)\s*$", text)
        target = m.group(1) if m else ""
        code = _code(target, all_codes) if target != "Q" else "Q"
        if code is None:
            stats["not_selected"] += 1
            continue
        report.append(
            ReportLine(
                shown,
                number,
                "skipped",
                f"[{target}] a verb transformation (~) has no equivalent in the pattern language",
                "verbs",
                code.cameo if isinstance(code, _Code) else "",
            )
        )
    return fmt


# --------------------------------------------------------------------------
# finding the files


@dataclass
class Sources:
    """The dictionary files to import, by kind (paths as shown in reports)."""

    actors: list[tuple[Path, str]] = field(default_factory=list)
    agents: list[tuple[Path, str]] = field(default_factory=list)
    verbs: list[tuple[Path, str]] = field(default_factory=list)
    config: str = ""


def _config_names(config: Path) -> dict[str, list[str]]:
    import configparser

    parser = configparser.ConfigParser(inline_comment_prefixes=("#",), interpolation=None)
    try:
        parser.read_string(config.read_text(encoding="utf-8", errors="replace"))
    except (OSError, configparser.Error):
        return {}
    if not parser.has_section("Dictionaries"):
        return {}
    sec = parser["Dictionaries"]

    def names(key: str) -> list[str]:
        return [x.strip() for x in sec.get(key, "").split(",") if x.strip()]

    return {"verbs": names("verbfile_name"), "actors": names("actorfile_list"), "agents": names("agentfile_name")}


def find_sources(
    directory: str, *, verbs: list[str] | None = None, actors: list[str] | None = None, agents: list[str] | None = None
) -> Sources:
    """Which files to read: named ones (relative to ``directory``; an empty
    list: none), else those a PETRARCH config (``PETR_config.ini`` in the
    directory or in ``../config``) names, else ``*.verbs.txt``,
    ``*.actors.txt`` and ``*.agents.txt``."""
    base = Path(directory)
    if not base.is_dir():
        raise InputError(Problem("petrarch-io", "not a directory of PETRARCH dictionaries", directory))
    src = Sources()
    config = next(
        (c for c in (base / "PETR_config.ini", base.parent / "config" / "PETR_config.ini") if c.is_file()), None
    )
    from_config = _config_names(config) if config else {}
    if from_config:
        src.config = os.path.join(directory, os.path.relpath(config, base))
    listing = sorted(p.name for p in base.iterdir() if p.is_file() and not p.name.startswith("."))
    for kind, given in (("verbs", verbs), ("actors", actors), ("agents", agents)):
        if given is not None:
            names = list(given)
        elif from_config.get(kind):
            names = from_config[kind]
        else:
            names = [n for n in listing if n.lower().endswith((f".{kind}.txt", f".{kind}"))]
        out = getattr(src, kind)
        for name in names:
            path = base / name
            shown = os.path.join(directory, name)
            if not path.is_file():
                where = f" (named in {src.config})" if not given and from_config.get(kind) else ""
                raise InputError(Problem("petrarch-io", f"no such dictionary file{where}", shown))
            out.append((path, shown))
    if not src.actors:
        raise InputError(
            Problem("petrarch-empty", "no actor dictionary (*.actors.txt); name one with --actors", directory)
        )
    if not src.verbs:
        raise InputError(
            Problem("petrarch-empty", "no verb dictionary (*.verbs.txt); name one with --verbs", directory)
        )
    return src


# --------------------------------------------------------------------------
# YAML


_PLAIN = re.compile(r"^[A-Za-z][A-Za-z0-9 ._'-]*$")
_RESERVED = frozenset("true false null yes no on off y n".split())


def _q(value: str) -> str:
    if _PLAIN.match(value) and not value.endswith(" ") and value.lower() not in _RESERVED:
        return value
    return json.dumps(value, ensure_ascii=False)


def _comment(text: str) -> str:
    return " ".join(text.split())


def _flow_list(items: list[str]) -> str:
    return "[" + ", ".join(_q(x) for x in items) + "]"


def _shipped() -> dict:
    """The sections the imported codebook takes from the shipped one, as data
    (read with coder's own YAML loader: ``no`` and dates stay strings)."""
    from coder.codebook.load import default_codebook_path
    from coder.codebook.yamlpos import load as load_yaml

    path = default_codebook_path()
    data, _ = load_yaml(Path(path).read_text(encoding="utf-8"), path)
    # a JSON round trip: no shared objects, so no YAML anchors on output
    return json.loads(json.dumps({k: data[k] for k in ("settings", "event_types", "cues", "inflections") if k in data}))


def _dump(key: str, value) -> str:
    import yaml

    return yaml.safe_dump({key: value}, sort_keys=False, allow_unicode=True, width=120, default_flow_style=False)


def _emit(
    shipped: dict,
    actors: list[_ActorOut],
    rules: list[_Rule],
    event_types: dict[str, tuple[str, str]],
    inflections: dict[str, list[str]],
    files: list[tuple[str, str]],
) -> str:
    out: list[str] = []
    w = out.append
    w("# Converted from PETRARCH dictionaries by `coder codebook import-petrarch`;")
    w("# docs/import.md explains how each entry maps.  Read:")
    for path, what in files:
        w(f"#   {_comment(path)} ({what})")
    w("codebook: petrarch")
    w('version: "1"')
    w(
        "description: "
        + _q(
            "Actors, agents and verb patterns converted from PETRARCH dictionaries; "
            "event types, cues and settings from the codebook shipped with coder."
        )
    )
    if "settings" in shipped:
        w("")
        w(_dump("settings", shipped["settings"]).rstrip("\n"))
    types = {name: et for name, et in shipped["event_types"].items() if name in event_types}
    for name, (code, desc) in event_types.items():
        if name not in types:
            types[name] = {
                "description": desc,
                "cameo": code,
                "acled_event_type": "Strategic developments",
                "acled_sub_event_type": "Other",
            }
    w("")
    w(_dump("event_types", types).rstrip("\n"))
    w("")
    w("actors:")
    for a in actors:
        w(f"  - code: {a.code}")
        w(f"    name: {_q(a.name)}")
        if _country(a.code, a.agent):
            w(f"    country: {_country(a.code, a.agent)}")
        w(f"    inter: {_inter(a.code, a.agent)}")
        if a.agent:
            w(f"    description: {_q(f'PETRARCH agent code {a.code}: a role without a country')}")
        w("    aliases:")
        for al in a.aliases:
            text = f"{{text: {_q(al.text)}, case_sensitive: true}}" if al.case_sensitive else _q(al.text)
            note = f"; {al.note}" if al.note else ""
            w(f"      - {text}  # {_comment(os.path.basename(al.path))}:{al.line}{_comment(note)}")
    if shipped.get("cues"):
        w("")
        w(_dump("cues", shipped["cues"]).rstrip("\n"))
    merged = {k: list(v) for k, v in (shipped.get("inflections") or {}).items()}
    for k, v in inflections.items():
        merged.setdefault(k, [])
        merged[k] += [f for f in v if f not in merged[k]]
    if merged:
        w("")
        w("inflections:")
        for k in sorted(merged):
            w(f"  {k}: {_flow_list(merged[k])}")
    w("")
    w("rules:")
    for r in rules:
        w(f"  - id: {r.id}")
        w(f"    event_type: {r.event_type}")
        if r.cameo:
            w(f'    cameo: "{r.cameo}"')
        w(f"    description: {_q(r.description)}")
        w(f"    pattern: {json.dumps(r.pattern, ensure_ascii=False)}")
        w("    examples:")
        w(f"      - text: {_q(_example_text(r.example, r.pair))}")
        expect = [f"{k}: {_q(v) if v else json.dumps(v)}" for k, v in _expect(r, r.pair).items()]
        w("        expect: {" + ", ".join(expect) + "}")
    return "\n".join(out) + "\n"


def _example_text(example: str, names: tuple[str, str]) -> str:
    words = [names[0] if t == "$" else names[1] if t == "+" else t for t in example.split()]
    text = " ".join(words)
    return text[:1].upper() + text[1:] + "."


# --------------------------------------------------------------------------
# the import


@dataclass
class Conversion:
    """Everything read from the dictionaries, ready to be written."""

    shipped: dict  # settings, event_types, cues, inflections of the shipped codebook
    actors: list[_ActorOut]
    rules: list[_Rule]
    event_types: dict[str, tuple[str, str]]
    inflections: dict[str, list[str]]
    pairs: list[tuple[str, str]]  # actor names for the example sentences, best first
    report: ImportReport

    def yaml(self, rules: list[_Rule] | None = None) -> str:
        return _emit(
            self.shipped,
            self.actors,
            self.rules if rules is None else rules,
            self.event_types,
            self.inflections,
            self.report.files,
        )


def _example_pairs(registry: _Actors, directory: str) -> list[tuple[str, str]]:
    """Pairs of actor names for the example sentences, best first: countries
    whose name is not the start or the end of a longer alias ("Afghanistan"
    is the start of "Afghanistan military"), which would swallow the pattern
    word next to it."""
    inner: set[tuple] = set()
    for _cs, toks in registry.claimed:
        toks = tuple(t.lower() for t in toks)
        for i in range(1, len(toks)):
            inner.add(("start",) + toks[:i])
            inner.add(("end",) + toks[i:])

    def ok(a: _ActorOut) -> bool:
        toks = tuple(t.lower() for t in token_words(a.name))
        return (
            not a.agent
            and all(w.isalpha() for w in a.name.split())
            and len(toks) <= 3
            and ("start",) + toks not in inner
            and ("end",) + toks not in inner
        )

    actors = list(registry.by_code.values())
    if len(actors) < 2:
        raise InputError(
            Problem(
                "petrarch-empty",
                "the actor dictionaries give fewer than two actors (the example sentences of the rules need two)",
                directory,
            )
        )
    countries = [
        a.name for a in actors if _country(a.code, a.agent) == a.code and len(a.name.split()) == 1 and a.name.isalpha()
    ]
    safe = [a.name for a in sorted((a for a in actors if ok(a)), key=lambda a: (len(a.code) != 3, len(a.name.split())))]
    rest = [a.name for a in actors]
    pairs: list[tuple[str, str]] = []
    for names in (countries, safe, safe[2:], rest):
        if len(names) >= 2 and (names[0], names[1]) not in pairs:
            pairs.append((names[0], names[1]))
    return pairs


def _expect(r: _Rule, pair: tuple[str, str]) -> dict:
    out = {"event_type": r.event_type, "actor1": pair[0] if "actor1" in r.slots else ""}
    if "actor2" in r.slots:
        out["actor2"] = pair[1]
    if r.cameo:
        out["cameo_code"] = r.cameo
    return out


def convert(
    directory: str,
    *,
    all_codes: bool = False,
    date: dt.date | None = None,
    verbs: list[str] | None = None,
    actors: list[str] | None = None,
    agents: list[str] | None = None,
) -> Conversion:
    """Read the dictionaries and convert them (before the example check)."""
    report = ImportReport()
    lines = report.lines
    sources = find_sources(directory, verbs=verbs, actors=actors, agents=agents)
    registry = _Actors()
    for path, shown in sources.actors:
        _read_actors(path, shown, registry, date, lines)
        report.files.append((shown, "actors"))
    for path, shown in sources.agents:
        _read_agents(path, shown, registry, lines)
        report.files.append((shown, "agents"))
    _name_actors(registry)
    actor_list = list(registry.by_code.values())
    pairs = _example_pairs(registry, directory)
    rules: list[_Rule] = []
    stats = {"not_selected": 0, "null": 0}
    for path, shown in sources.verbs:
        fmt = _convert_verbs(path, shown, all_codes, lines, rules, stats)
        report.files.append((shown, f"verb patterns, {fmt} format"))
    report.not_selected, report.null = stats["not_selected"], stats["null"]

    shipped = _shipped()
    kept: list[_Rule] = []
    seen_ids: set[str] = set()
    seen: dict[tuple, _Rule] = {}
    inflections: dict[str, list[str]] = {}
    for r in rules:
        et = shipped["event_types"].get(r.event_type)
        r.cameo = r.code.cameo if et is not None and et["cameo"] != r.code.cameo else ""
        try:
            parsed = parse(r.pattern)
        except PatternError as exc:  # pragma: no cover - the builder only writes valid patterns
            lines.append(
                ReportLine(
                    r.path,
                    r.line,
                    "skipped",
                    f"the converted pattern does not parse: {exc.message}",
                    "verbs",
                    r.code.cameo,
                )
            )
            continue
        key = (r.event_type, parsed.items)
        first = seen.get(key)
        if first is not None:
            where = f"rule {first.id} ({os.path.basename(first.path)}:{first.line})"
            if first.cameo == r.cameo:
                lines.append(ReportLine(r.path, r.line, "duplicate", f"same pattern as {where}", "verbs", r.code.cameo))
            else:
                lines.append(
                    ReportLine(
                        r.path,
                        r.line,
                        "skipped",
                        f"same pattern as {where}, which codes {first.code.cameo}",
                        "verbs",
                        r.code.cameo,
                    )
                )
            continue
        seen[key] = r
        rid, n = r.id, 2
        while rid in seen_ids:
            rid, n = f"{r.id}.{n}", n + 1
        r.id = rid
        r.pair = pairs[0]
        seen_ids.add(rid)
        kept.append(r)
        for v in r.verbs:
            if re.fullmatch(r"[a-z][a-z'-]*", v.lemma):
                known = word_forms(v.lemma, inflections)
                new = [f for f in v.forms if f not in known and re.fullmatch(r"[a-z][a-z'.-]*", f)]
                if new:
                    inflections.setdefault(v.lemma, []).extend(dict.fromkeys(new))
    if not kept:
        raise InputError(
            Problem(
                "petrarch-empty",
                "no verb pattern could be converted into a rule"
                + ("" if all_codes else " (only CAMEO 15x and 19x codes are imported without --all-codes)"),
                directory,
            )
        )
    event_types: dict[str, tuple[str, str]] = {n: ("", "") for n in ("capture", "offensive", "consolidation")}
    for r in sorted(kept, key=lambda r: (len(r.code.cameo), r.code.cameo)):
        if r.event_type not in event_types:
            event_types[r.event_type] = (
                r.code.cameo,
                f"CAMEO {r.code.cameo}: {cameo()[r.code.cameo].name} (from PETRARCH)",
            )
    report.actors = len(actor_list)
    report.aliases = sum(len(a.aliases) for a in actor_list)
    return Conversion(shipped, actor_list, kept, event_types, inflections, pairs, report)


def _write_temp(path: str, text: str) -> str:
    """Write ``text`` to a new temporary file (to load and check it before
    ``path`` is written); return its name."""
    import tempfile

    if os.path.isdir(path):
        raise OutputError(Problem("output-io", "cannot write: is a directory", path))
    try:
        fd, tmp = tempfile.mkstemp(prefix=".coder-import-", suffix=".yaml")
    except OSError as exc:
        raise io_error(path, exc) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
    except OSError as exc:
        with suppress(OSError):
            os.unlink(tmp)
        raise io_error(path, exc) from None
    return tmp


def import_petrarch(
    directory: str,
    output: str,
    *,
    all_codes: bool = False,
    date: dt.date | None = None,
    verbs: list[str] | None = None,
    actors: list[str] | None = None,
    agents: list[str] | None = None,
) -> ImportReport:
    """Convert the dictionaries in ``directory`` into the codebook ``output``.

    The codebook is written to a temporary file, loaded with
    :func:`coder.codebook.load_codebook`, every rule's example is coded, rules
    that do not code their example are dropped (and reported), and only then
    is the file renamed into place."""
    from coder.authoring.examples import check_example
    from coder.codebook.load import load_codebook
    from coder.codebook.model import Example
    from coder.match.compile import compile_codebook

    start = time.perf_counter()
    sources = find_sources(directory, verbs=verbs, actors=actors, agents=agents)
    refuse_inputs([("--output", output)], [path for group in (sources.actors, sources.agents, sources.verbs)
                                           for path, _ in group])
    conv = convert(directory, all_codes=all_codes, date=date, verbs=verbs, actors=actors, agents=agents)
    report = conv.report
    rules = conv.rules
    tmp = _write_temp(output, conv.yaml())
    try:
        try:
            compiled = compile_codebook(load_codebook(tmp))
        except CodebookError as exc:  # a limit (yaml-limit), or a bug of the importer
            raise CodebookError(
                [replace(p, path=output, message=f"{p.message} (nothing was written)") for p in exc.problems]
            ) from None
        by_id = {r.id: r for r in rules}
        failed: dict[str, str] = {}
        changed = False
        for cr in compiled.rules:
            r = by_id[cr.rule.id]
            result = check_example(compiled, cr.rule, 1, cr.rule.examples[0])
            for pair in conv.pairs[1:]:
                if result.passed:
                    break
                other = check_example(compiled, cr.rule, 1, Example(_example_text(r.example, pair), [_expect(r, pair)]))
                if other.passed:
                    r.pair, result, changed = pair, other, True
            if not result.passed:
                failed[r.id] = "; ".join(result.failures)
        if failed or changed:
            for r in rules:
                if r.id in failed:
                    report.lines.append(
                        ReportLine(
                            r.path,
                            r.line,
                            "skipped",
                            f"the converted rule {r.id} does not code its example "
                            f"'{_example_text(r.example, r.pair)}': {failed[r.id]}",
                            "verbs",
                            r.code.cameo,
                        )
                    )
            rules = [r for r in rules if r.id not in failed]
            if not rules:
                raise InputError(Problem("petrarch-empty", "no verb pattern could be converted into a rule", directory))
            # dropping rules, or changing the actor names of examples, cannot
            # make a codebook that loaded fail to load: no second load
            os.unlink(tmp)
            tmp = _write_temp(output, conv.yaml(rules))
        with open(tmp, "rb") as f:
            checked = f.read()
        write_bytes(output, checked)  # as every output: through a link, keeping the mode
        os.unlink(tmp)
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise
    for r in rules:
        report.lines.append(
            ReportLine(
                r.path,
                r.line,
                "converted",
                f"rule {r.id} ({r.event_type}{', cameo ' + r.cameo if r.cameo else ''}): {_short_pattern(r)}"
                + (f" ({r.code.note})" if r.code.note else ""),
                "verbs",
                r.code.cameo,
            )
        )
    report.rules = len(rules)
    report.output = output
    order = {path: i for i, (path, _) in enumerate(report.files)}
    report.lines.sort(key=lambda r: (order.get(r.path, len(order)), r.line, r.kind != "converted"))
    report.seconds = time.perf_counter() - start
    return report


def _short_pattern(r: _Rule) -> str:
    """The pattern with the block's verb group written as '*'."""
    if not r.verbs:
        return r.pattern
    return r.pattern.replace(_group([_render_words(v.words) for v in r.verbs]), "*", 1)
