"""Date expressions in English news sentences, resolved ACLED-style.

``find_dates(sentence)`` finds the date expressions in one sentence and
``resolve(expr, doc_date)`` turns one of them into ``(event_date,
time_precision)``: ``event_date`` is ``YYYY-MM-DD`` for precision 1 (the day is
known) and 2 (only the week is known), ``YYYY-MM`` for precision 3 (only the
month is known).  ``resolve`` returns ``None`` when the expression cannot be
resolved: a relative expression without a document date, a date after the
document date (future events are not events), or an impossible date such as
31 February.

``DateExpr.text`` (and ``start``/``end``) cover only the words that fix the
date.  Words that merely introduce it (``on``, ``in``, ``since``, ``around``,
``about`` ...) are not part of it, nor are words that narrow it inside the day
or month (``early``, ``late``, ``mid-``, ``earlier``, ``later``, ``overnight``
before it; ``night``, ``morning``, ``afternoon``, ``evening`` after it) -- those
are reported in ``DateExpr.qualifier``.  Words that change the date
(``last``, ``next``, ``this``, ``the day before``, ``ago``) are part of it.
So "an offensive on Thursday" gives ``"Thursday"``, "late on Sunday night"
gives ``"Sunday"`` (qualifier ``"late night"``), "in early June 2017" gives
``"June 2017"`` (qualifier ``"early"``) and "last week" gives ``"last week"``.

Resolution.  Examples are for a document dated Friday 2017-11-03; a
``[bracketed]`` word is context, not part of ``text``; "None" means ``resolve``
returns ``None``.  Precision is ACLED's ``time_precision``: 1 day, 2 week,
3 month.

Each form below is followed by its kind and precision, then what it resolves to:

* "12 March 2019", "12th of March 2019", "March 12, 2019", "March 12 2019", "Mar. 12, 2019",
  "2019-03-12", "Sunday, 12 March 2019", [on/around/about] "3 June 2019" (day, precision 1): that
  date ("12 October 2017" -> 2017-10-12); a date after the document date -> None.
* "12 March", "March 12", "Oct. 12" (no year) (day, precision 1): the most recent such date on or
  before the document date ("October 12" -> 2017-10-12, "December 12" -> 2016-12-12); "31 February"
  -> None.
* "Sunday", [on / late on / early] "Sunday", "Sunday" [night/morning/afternoon/evening],
  "Sunday"['s] (weekday, precision 1): the most recent Sunday on or before the document date
  ("Sunday" -> 2017-10-29, "Thursday" -> 2017-11-02, "Friday" -> 2017-11-03).
* "last Sunday", "this past Sunday" (weekday, precision 1): the most recent Sunday strictly before
  the document date ("last Friday" -> 2017-10-27).
* "this Sunday" (weekday, precision 1): the document date if it is a Sunday, else None (upcoming).
* "next Sunday", "this coming Sunday" (weekday): None (future).
* "today", "tonight", "this morning", "this afternoon", "this evening", [earlier] "today"
  (relative_day, precision 1): the document date (2017-11-03).
* "yesterday", "last night", "overnight" (relative_day, precision 1): the document date - 1
  (2017-11-02).
* "the day before yesterday" (relative_day, precision 1): the document date - 2 (2017-11-01).
* "a day ago", "3 days ago", "three days ago" (relative_day, precision 1): the document date - N ("3
  days ago" -> 2017-10-31).
* "tomorrow", "the day after tomorrow" (relative_day): None (future).
* "this week", [earlier] "this week", [in] "recent days", "the past few days", "the last few days"
  (week, precision 2): the document date (2017-11-03).
* "last week", "the past week", "the last week" (week, precision 2): the document date - 7
  (2017-10-27).
* "a week ago", "two weeks ago" (week, precision 2): the document date - 7 N ("two weeks ago" ->
  2017-10-20).
* [over/during/at/on] "the weekend", "the weekend"['s], "last weekend", "this past weekend" (week,
  precision 2): the most recent Saturday strictly before the document date (2017-10-28; for a Sunday
  document the day before).
* "this weekend" (week, precision 2): that Saturday if the document date is a Saturday or Sunday,
  else None (upcoming).
* "next week", "next weekend" (week): None (future).
* "June 2017", "June of 2017", "May 2017", "Jan. 2017", [in / early / mid- / late] "June 2017"
  (month, precision 3): that month (2017-06); a month after the document's month -> None.
* [in/on/since/until/till/by/from/during/of/around/about/between/through/throughout/before/after/early/late/mid-]
  "June" (month, precision 3): the most recent June on or before the document's month ("June" ->
  2017-06, "November" -> 2017-11, "December" -> 2016-12).
* "last June" (month, precision 3): the most recent June strictly before the document's month
  (2017-06).
* "this June" (month, precision 3): June of the document's year, None if that is after the
  document's month.
* "this month", [earlier] "this month" (relative_month, precision 3): the document's month
  (2017-11).
* "last month", "a month ago" (relative_month, precision 3): the month before (2017-10).
* "two months ago" (relative_month, precision 3): N months before (2017-09).
* "next month" (relative_month): None (future).

Explicit dates with a year resolve without a document date; everything else
needs one.  A date after the document date resolves to ``None`` (for months:
a month after the document's month).  An explicit weekday next to an explicit
date ("Sunday, 12 March 2019") is not checked against it: the date wins.

Strictness (wire news is cased, and "May"/"March" are also words):

* Weekday and month names count only capitalised (``Sunday``, ``June``).
  Plurals ("on Sundays") do not count.  Weekday names in names are skipped:
  "Good Friday", "Black Friday", "Bloody Sunday", "Super Tuesday",
  "Ash Wednesday", "Cyber Monday" and newspaper titles ("the Sunday Times",
  "Sunday Telegraph", ...).
* A month name without a day or year counts only right after one of the
  context words above (a single space or ``mid-`` between them), or as
  "last June"/"this June".  "May" without a day or year counts only after
  in/since/until/early/late/mid- or as "last May", and never as "May's"
  (Theresa May).  Abbreviated months (Jan, Feb, Mar, Apr, Jun, Jul, Aug,
  Sep, Sept, Oct, Nov, Dec, with or without a period) count only with a day
  or a year.  So "forces may march", "would march on the town", "the Long
  March" and "in may" give nothing.  A month directly followed by a number
  is taken as a date, except in the names of movements and places that are
  dates without a year ("the March 23 Movement", "the 14 March Alliance",
  "6 April Youth Movement", "February 17 Revolution"): a day without a
  year followed by Movement, Alliance, Coalition, Front, Group, Brigade(s),
  Battalion, Revolution, Uprising, Party, Bloc, Youth, Martyrs, Agreement,
  Accord, Declaration, Square, Street, Avenue, Bridge, Stadium, Hospital,
  University, Camp or Memorial is skipped.  "in June 12" (no year) is read as
  the month followed by a number ("in June 12 people were killed"): dates
  with a day take "on", not "in".
* A bare year ("in 2016") is not an expression: too coarse for ACLED.
  Times of day, distances and durations ("70 km", "for two weeks") are not
  expressions; "ago" forms are ("two weeks ago").
* Numbers in "ago" forms are digits or the words a/one ... ten.
* Relative words (today, last week, ...) are matched in any case
  ("Today", "Last week"), but all-capitals text is not supported.
* Candidates never overlap: at each position the longest form is tried
  first ("12 March 2019", not "March 2019"; "the day before yesterday", not
  "yesterday").

The whole search is one precompiled regular expression, after a cheap
substring pre-check that returns ``[]`` at once for sentences without a date
word; the few context checks above run in Python on the matches only.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass

__all__ = ["DateExpr", "find_dates", "resolve"]


@dataclass(frozen=True, slots=True)
class DateExpr:
    """One date expression found in a sentence.

    ``start``/``end`` are character offsets into the sentence and ``text`` is
    ``sentence[start:end]``: only the date words (see the module docstring).
    ``kind`` is one of ``day``, ``weekday``, ``relative_day``, ``week``,
    ``month``, ``relative_month``.

    The remaining fields drive ``resolve``:

    * ``year``, ``month``, ``day``: explicit parts (``None`` when absent).
    * ``weekday``: 0 = Monday ... 6 = Sunday, for ``weekday`` (and for a
      ``day`` written with its weekday).
    * ``offset``: days (``relative_day``, ``week``) or months
      (``relative_month``) from the document date; negative is the past.
    * ``rel``: ``""``, ``"last"``, ``"this"``, ``"next"`` (future),
      ``"weekend"`` or ``"this_weekend"``.
    * ``qualifier``: words around the expression that narrow it without
      changing the date, space-separated: ``early``, ``late``, ``mid``,
      ``earlier``, ``later``, ``overnight``, ``night``, ``morning``,
      ``afternoon``, ``evening``.
    """

    start: int
    end: int
    text: str
    kind: str
    year: int | None = None
    month: int | None = None
    day: int | None = None
    weekday: int | None = None
    offset: int = 0
    rel: str = ""
    qualifier: str = ""


# --------------------------------------------------------------------------
# Vocabulary

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_MONTH_NUM = {name[:3].lower(): i for i, name in enumerate(_MONTHS, 1)}
_WEEKDAY_NUM = {name[:3].lower(): i for i, name in enumerate(_WEEKDAYS)}
_NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # Feb: leap max

# --------------------------------------------------------------------------
# The one big pattern.  Every alternative is a named group spanning exactly the
# date words, so ``m.lastgroup`` names the alternative and ``m.span()`` is the
# expression.  At a given position alternatives are tried longest form first.

_WD = "(?:" + "|".join(_WEEKDAYS) + ")"
_MON_FULL = "(?:" + "|".join(_MONTHS) + r")(?!\w)"
# Abbreviations: the period belongs to the date only when a number follows.
_MON_ANY = "(?:" + "|".join(_MONTHS) + r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)(?:\.(?=\s+\d))?)(?!\w)"
_DAY = r"(?:3[01]|[12][0-9]|0?[1-9])(?:st|nd|rd|th)?(?!\w)"
_YEAR = r"(?:1[89]|20)[0-9]{2}(?!\w)"
_NUM = r"(?:\d{1,3}|(?i:an|a|one|two|three|four|five|six|seven|eight|nine|ten))"

_PATTERN = rf"""
(?<!\w)
# Gate: a cheap look at the start of the word, a superset of the starts of
# the alternatives below (it makes the scan about 2.5 times faster).
(?=\d|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec|Mon|Tue|Wed|Thu|Fri|Sat|Sun)
   |(?i:last\s|next\s|this\s|the\s+(?:day|weekend|past|last)|to(?:day|night|morrow)|yesterday
       |overnight|recent\s|past\s|an?\s+(?:day|week|month)
       |(?:one|two|three|four|five|six|seven|eight|nine|ten)\s))
(?:
    (?P<iso>(?P<iso_y>(?:1[89]|20)\d\d)-(?P<iso_m>0[1-9]|1[0-2])-(?P<iso_d>0[1-9]|[12]\d|3[01]))
        (?!\d|-\d)
  | (?P<dmy>(?<![.,:/])(?:(?P<dmy_wd>{_WD}),?\s+(?:the\s+)?)?
        (?P<dmy_d>{_DAY})\s+(?:of\s+)?(?P<dmy_m>{_MON_ANY})(?:,?\s+(?P<dmy_y>{_YEAR}))?)
  | (?P<mdy>(?:(?P<mdy_wd>{_WD}),?\s+)?
        (?P<mdy_m>{_MON_ANY})\s+(?P<mdy_d>{_DAY})(?![.,]\d)(?:,?\s+(?P<mdy_y>{_YEAR}))?)
  | (?P<my>(?P<my_m>{_MON_ANY})\s+(?:of\s+)?(?P<my_y>{_YEAR}))
  | (?P<wd>(?P<wd_rel>(?i:last|next|this(?:\s+coming|\s+past)?)\s+)?(?P<wd_name>{_WD})(?!\w))
  | (?P<lastm>(?P<lastm_rel>[Ll]ast|[Tt]his)\s+(?P<lastm_m>{_MON_FULL}))(?!\s+(?:of\s+)?\d)
  | (?P<mon>{_MON_FULL})
  | (?P<relday>(?i:the\s+day\s+before\s+yesterday|the\s+day\s+after\s+tomorrow|yesterday|today
        |tonight|tomorrow|this\s+(?:morning|afternoon|evening)|last\s+night
        |overnight(?!\s+(?:on\s+)?{_WD})))(?!\w)
  | (?P<week>(?i:this\s+past\s+weekend|last\s+weekend|this\s+weekend|next\s+weekend|the\s+weekend
        |this\s+week|last\s+week|next\s+week|(?:the\s+)?(?:past|last)\s+few\s+days
        |(?:the\s+)?past\s+week|the\s+last\s+week|recent\s+days))(?!\w)(?!\s+of\b)
  | (?P<mrel>(?i:this|last|next)\s+(?i:month))(?!\w)(?!\s+of\b)
  | (?P<ago>(?<![.,])(?P<ago_n>{_NUM})\s+(?P<ago_u>(?i:days?|weeks?|months?))\s+(?i:ago))(?!\w)
)
"""
_DATE_RE = re.compile(_PATTERN, re.VERBOSE)

# Cheap pre-check: every expression this module finds contains one of these
# (weekday names contain "day"; ISO dates "-0" or "-1").  Plain substring
# tests are much faster than a regular expression alternation.
_TRIGGERS = (
    "day",
    "night",
    "week",
    "month",
    "morning",
    "afternoon",
    "evening",
    "omorrow",
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
    "-0",
    "-1",
)

# Context checks, run on the text just before / after a match.
_CTX_WINDOW = 16
_MONTH_CTX_RE = re.compile(
    r"(?:\b(?i:in|on|since|until|till|by|from|during|of|around|about|between|through"
    r"|throughout|before|after|early|late)\s|\b(?i:mid)[-\s])\Z"
)
_MAY_CTX_RE = re.compile(r"(?:\b(?i:in|since|until|early|late)\s|\b(?i:mid)[-\s])\Z")
_WEEKEND_CTX_RE = re.compile(r"\b(?i:over|during|at|on|across|through|throughout)\s\Z")
_WD_NAME_BEFORE_RE = re.compile(r"\b(?:Good|Black|Bloody|Super|Ash|Cyber)\s\Z")
_SUNDAY_PAPER_RE = re.compile(  # "the Sunday Times" and friends
    r"\s(?:Times|Telegraph|Express|Mirror|Mail|Herald|Independent|Tribune|Observer"
    r"|Post|Sport|Business|Guardian|Standard|Monitor|Vision|Punch)\b"
)
_QUAL_BEFORE_RE = re.compile(r"\b(?i:(early|late|mid|earlier|later|overnight))(?:-|\s(?:on\s|in\s)?)\Z")
_QUAL_AFTER_RE = re.compile(r"(?:['’]s)?\s(?i:(night|morning|afternoon|evening))\b")
_POSSESSIVE_RE = re.compile(r"['’]s\b")
_IN_RE = re.compile(r"\b(?i:in)\s\Z")
_DATE_NAME_RE = re.compile(  # "March 23 Movement", "14 March Alliance"
    r"\s+(?:Movement|Alliance|Coalition|Front|Group|Brigades?|Battalion|Revolution|Uprising"
    r"|Party|Bloc|Youth|Martyrs|Agreement|Accord|Declaration|Square|Street|Avenue|Bridge"
    r"|Stadium|Hospital|University|Camp|Memorial)\b"
)


def find_dates(sentence: str) -> list[DateExpr]:
    """Return the date expressions in ``sentence``, sorted, non-overlapping."""
    for trigger in _TRIGGERS:
        if trigger in sentence:
            break
    else:
        return []
    found: list[DateExpr] = []
    for m in _DATE_RE.finditer(sentence):
        expr = _build(m, sentence)
        if expr is not None:
            found.append(expr)
    return found


def _qualifier(sentence: str, start: int, end: int) -> str:
    words = []
    before = _QUAL_BEFORE_RE.search(sentence, max(0, start - _CTX_WINDOW), start)
    if before:
        words.append(before.group(1).lower())
    after = _QUAL_AFTER_RE.match(sentence, end)
    if after:
        words.append(after.group(1).lower())
    return " ".join(words)


def _int_or_none(s: str | None) -> int | None:
    return int(s) if s else None


def _day_num(s: str) -> int:
    return int(s.rstrip("stndrh"))


def _build(m: re.Match[str], s: str) -> DateExpr | None:
    alt = m.lastgroup
    start, end = m.span()
    text = m.group()
    g = m.group

    if alt == "dmy" or alt == "mdy":
        year = g(alt + "_y")
        if not year:
            if _DATE_NAME_RE.match(s, end):
                return None
            if alt == "mdy" and g("mdy_d").isdigit() and _IN_RE.search(s, max(0, start - 4), start):
                # "in June 12 people were killed": a month, then a count.
                month_text = g("mdy_m")
                if month_text not in _MONTHS:
                    return None
                m_start, m_end = m.span("mdy_m")
                return DateExpr(
                    m_start,
                    m_end,
                    month_text,
                    "month",
                    month=_MONTH_NUM[month_text[:3].lower()],
                    qualifier=_qualifier(s, m_start, m_end),
                )
        wd = g(alt + "_wd")
        return DateExpr(
            start,
            end,
            text,
            "day",
            year=_int_or_none(year),
            month=_MONTH_NUM[g(alt + "_m")[:3].lower()],
            day=_day_num(g(alt + "_d")),
            weekday=_WEEKDAY_NUM[wd[:3].lower()] if wd else None,
            qualifier=_qualifier(s, start, end),
        )
    if alt == "iso":
        return DateExpr(
            start,
            end,
            text,
            "day",
            year=int(g("iso_y")),
            month=int(g("iso_m")),
            day=int(g("iso_d")),
            qualifier=_qualifier(s, start, end),
        )
    if alt == "my":
        return DateExpr(
            start,
            end,
            text,
            "month",
            year=int(g("my_y")),
            month=_MONTH_NUM[g("my_m")[:3].lower()],
            qualifier=_qualifier(s, start, end),
        )
    if alt == "wd":
        lo = max(0, start - _CTX_WINDOW)
        weekday = _WEEKDAY_NUM[g("wd_name")[:3].lower()]
        if _WD_NAME_BEFORE_RE.search(s, lo, start) or (weekday == 6 and _SUNDAY_PAPER_RE.match(s, end)):
            return None
        rel_words = (g("wd_rel") or "").lower().split()
        if not rel_words:
            rel = ""
        elif rel_words[-1] in ("coming", "next"):
            rel = "next"
        elif rel_words[-1] in ("past", "last"):
            rel = "last"
        else:
            rel = "this"
        return DateExpr(
            start,
            end,
            text,
            "weekday",
            weekday=weekday,
            rel=rel,
            qualifier=_qualifier(s, start, end),
        )
    if alt == "lastm":
        month = _MONTH_NUM[g("lastm_m")[:3].lower()]
        rel = g("lastm_rel").lower()
        if month == 5 and (rel != "last" or _POSSESSIVE_RE.match(s, end)):
            return None
        return DateExpr(start, end, text, "month", month=month, rel=rel, qualifier=_qualifier(s, start, end))
    if alt == "mon":
        month = _MONTH_NUM[text[:3].lower()]
        lo = max(0, start - _CTX_WINDOW)
        if month == 5:
            if not _MAY_CTX_RE.search(s, lo, start) or _POSSESSIVE_RE.match(s, end):
                return None
        elif not _MONTH_CTX_RE.search(s, lo, start):
            return None
        return DateExpr(start, end, text, "month", month=month, qualifier=_qualifier(s, start, end))
    if alt == "relday":
        key = " ".join(text.lower().split())
        if key == "today" and s[max(0, start - 4) : start] == "USA ":
            return None
        offset = _RELDAY_OFFSET[key]
        return DateExpr(start, end, text, "relative_day", offset=offset, qualifier=_qualifier(s, start, end))
    if alt == "week":
        key = " ".join(text.lower().split())
        if (
            key == "the weekend"
            and not _WEEKEND_CTX_RE.search(s, max(0, start - _CTX_WINDOW), start)
            and not _POSSESSIVE_RE.match(s, end)
        ):
            return None
        offset, rel = _WEEK_FORMS[key]
        return DateExpr(start, end, text, "week", offset=offset, rel=rel, qualifier=_qualifier(s, start, end))
    if alt == "mrel":
        offset = _MREL_OFFSET[text.split()[0].lower()]
        return DateExpr(
            start,
            end,
            text,
            "relative_month",
            offset=offset,
            rel="next" if offset > 0 else "",
            qualifier=_qualifier(s, start, end),
        )
    if alt == "ago":
        n_text = g("ago_n").lower()
        n = int(n_text) if n_text.isdigit() else _NUMBER_WORDS[n_text]
        unit = g("ago_u").lower()
        if unit.startswith("day"):
            kind, offset = "relative_day", -n
        elif unit.startswith("week"):
            kind, offset = "week", -7 * n
        else:
            kind, offset = "relative_month", -n
        return DateExpr(start, end, text, kind, offset=offset, qualifier=_qualifier(s, start, end))
    raise AssertionError(f"unhandled date alternative {alt!r}")  # pragma: no cover


_RELDAY_OFFSET = {
    "the day before yesterday": -2,
    "the day after tomorrow": 2,
    "yesterday": -1,
    "today": 0,
    "tonight": 0,
    "tomorrow": 1,
    "this morning": 0,
    "this afternoon": 0,
    "this evening": 0,
    "last night": -1,
    "overnight": -1,
}
_WEEK_FORMS = {  # text -> (offset in days, rel)
    "this past weekend": (0, "weekend"),
    "last weekend": (0, "weekend"),
    "the weekend": (0, "weekend"),
    "this weekend": (0, "this_weekend"),
    "next weekend": (0, "next"),
    "next week": (0, "next"),
    "this week": (0, ""),
    "recent days": (0, ""),
    "past few days": (0, ""),
    "the past few days": (0, ""),
    "last few days": (0, ""),
    "the last few days": (0, ""),
    "last week": (-7, ""),
    "past week": (-7, ""),
    "the past week": (-7, ""),
    "the last week": (-7, ""),
}
_MREL_OFFSET = {"this": 0, "last": -1, "next": 1}


# --------------------------------------------------------------------------
# Resolution


def resolve(expr: DateExpr, doc_date: _dt.date | str | None) -> tuple[str, int] | None:
    """Resolve ``expr`` against the document date.

    Returns ``(event_date, time_precision)`` -- ``"YYYY-MM-DD"`` with
    precision 1 (day) or 2 (week), ``"YYYY-MM"`` with precision 3 (month) --
    or ``None`` when it cannot be resolved (see the module docstring).
    ``doc_date`` may be a ``date``, a ``datetime`` (its date is used), an ISO
    ``"YYYY-MM-DD"`` string (as in ``Document.date``; a bad string raises
    ``ValueError``) or ``None``.
    """
    doc = _as_date(doc_date)
    try:
        return _resolve(expr, doc)
    except OverflowError:  # arithmetic past year 1 or 9999
        return None


def _as_date(value: _dt.date | str | None) -> _dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    return _dt.date.fromisoformat(value[:10])


def _day_result(d: _dt.date, doc: _dt.date | None, precision: int) -> tuple[str, int] | None:
    if doc is not None and d > doc:
        return None
    return d.isoformat(), precision


def _month_result(y: int, m: int, doc: _dt.date | None) -> tuple[str, int] | None:
    if doc is not None and (y, m) > (doc.year, doc.month):
        return None
    if not 1 <= y <= 9999:
        return None
    return f"{y:04d}-{m:02d}", 3


def _resolve(e: DateExpr, doc: _dt.date | None) -> tuple[str, int] | None:
    kind = e.kind
    if kind == "day":
        month, day = e.month, e.day
        if month is None or day is None or day > _DAYS_IN_MONTH[month - 1]:
            return None
        if e.year is not None:
            try:
                return _day_result(_dt.date(e.year, month, day), doc, 1)
            except ValueError:  # 29 February in a common year
                return None
        if doc is None:
            return None
        year = doc.year if (month, day) <= (doc.month, doc.day) else doc.year - 1
        for y in range(year, year - 8, -1):  # 29 February: back to a leap year
            try:
                return _dt.date(y, month, day).isoformat(), 1
            except ValueError:
                continue
        return None

    if kind == "month":
        month = e.month
        if e.year is not None:
            return _month_result(e.year, month, doc)
        if doc is None:
            return None
        if e.rel == "last":
            year = doc.year if month < doc.month else doc.year - 1
        elif e.rel == "this":
            year = doc.year
        else:
            year = doc.year if month <= doc.month else doc.year - 1
        return _month_result(year, month, doc)

    if doc is None:
        return None

    if kind == "weekday":
        if e.rel == "next":
            return None
        back = (doc.weekday() - e.weekday) % 7
        if e.rel == "this" and back:
            return None
        if e.rel == "last" and back == 0:
            back = 7
        return (doc - _dt.timedelta(days=back)).isoformat(), 1

    if kind == "relative_day":
        return _day_result(doc + _dt.timedelta(days=e.offset), doc, 1)

    if kind == "week":
        if e.rel == "next":
            return None
        if e.rel == "weekend":  # the Saturday strictly before the document date
            back = (doc.weekday() - 5) % 7 or 7
            return (doc - _dt.timedelta(days=back)).isoformat(), 2
        if e.rel == "this_weekend":
            if doc.weekday() < 5:
                return None
            return (doc - _dt.timedelta(days=doc.weekday() - 5)).isoformat(), 2
        return _day_result(doc + _dt.timedelta(days=e.offset), doc, 2)

    if kind == "relative_month":
        index = doc.year * 12 + doc.month - 1 + e.offset
        return _month_result(index // 12, index % 12 + 1, doc)

    return None
