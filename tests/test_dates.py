"""Tests for coder.text.dates: finding date expressions and resolving them."""

from __future__ import annotations

import datetime as dt
from itertools import pairwise

import pytest

from coder.text.dates import DateExpr, find_dates, resolve

DOC = dt.date(2017, 11, 3)  # a Friday


def only(sentence: str) -> DateExpr:
    """The one date expression in ``sentence`` (offsets checked)."""
    found = find_dates(sentence)
    assert len(found) == 1, found
    expr = found[0]
    assert sentence[expr.start:expr.end] == expr.text
    return expr


def texts(sentence: str) -> list[str]:
    found = find_dates(sentence)
    for e in found:
        assert sentence[e.start:e.end] == e.text
    return [e.text for e in found]


def test_doc_date_is_a_friday():
    assert DOC.weekday() == 4


# --------------------------------------------------------------------------
# Every form: sentence -> (text, kind, resolution against DOC)

FORMS = [
    # weekdays
    ("Clashes broke out on Sunday.", "Sunday", "weekday", ("2017-10-29", 1)),
    ("Clashes broke out on Thursday.", "Thursday", "weekday", ("2017-11-02", 1)),
    ("Clashes broke out on Friday.", "Friday", "weekday", ("2017-11-03", 1)),
    ("Clashes broke out on Saturday.", "Saturday", "weekday", ("2017-10-28", 1)),
    ("Clashes broke out Sunday.", "Sunday", "weekday", ("2017-10-29", 1)),
    ("Clashes broke out on Sunday night.", "Sunday", "weekday", ("2017-10-29", 1)),
    ("Clashes broke out on Sunday morning.", "Sunday", "weekday", ("2017-10-29", 1)),
    ("Clashes broke out on Sunday evening.", "Sunday", "weekday", ("2017-10-29", 1)),
    ("Clashes broke out on Sunday afternoon.", "Sunday", "weekday", ("2017-10-29", 1)),
    ("Clashes broke out late on Sunday.", "Sunday", "weekday", ("2017-10-29", 1)),
    ("Clashes broke out early on Sunday.", "Sunday", "weekday", ("2017-10-29", 1)),
    ("Clashes broke out early Sunday.", "Sunday", "weekday", ("2017-10-29", 1)),
    ("Sunday's clashes left five dead.", "Sunday", "weekday", ("2017-10-29", 1)),
    ("Sunday’s clashes left five dead.", "Sunday", "weekday", ("2017-10-29", 1)),
    ("Clashes broke out last Sunday.", "last Sunday", "weekday", ("2017-10-29", 1)),
    ("Clashes broke out last Friday.", "last Friday", "weekday", ("2017-10-27", 1)),
    ("Clashes broke out this past Friday.", "this past Friday", "weekday", ("2017-10-27", 1)),
    ("Last Sunday, clashes broke out.", "Last Sunday", "weekday", ("2017-10-29", 1)),
    ("Talks will resume next Sunday.", "next Sunday", "weekday", None),
    ("Talks will resume this coming Sunday.", "this coming Sunday", "weekday", None),
    ("Talks will resume this Sunday.", "this Sunday", "weekday", None),
    ("Protesters rallied this Friday.", "this Friday", "weekday", ("2017-11-03", 1)),
    ("Fighting raged overnight Saturday.", "Saturday", "weekday", ("2017-10-28", 1)),
    # relative days
    ("Protesters gathered today.", "today", "relative_day", ("2017-11-03", 1)),
    ("Today, protesters gathered.", "Today", "relative_day", ("2017-11-03", 1)),
    ("Protesters will gather tonight.", "tonight", "relative_day", ("2017-11-03", 1)),
    ("Protesters gathered this morning.", "this morning", "relative_day", ("2017-11-03", 1)),
    ("Protesters gathered this afternoon.", "this afternoon", "relative_day", ("2017-11-03", 1)),
    ("Protesters gathered this evening.", "this evening", "relative_day", ("2017-11-03", 1)),
    ("Protesters gathered earlier today.", "today", "relative_day", ("2017-11-03", 1)),
    ("Protesters gathered yesterday.", "yesterday", "relative_day", ("2017-11-02", 1)),
    ("Protesters gathered yesterday morning.", "yesterday", "relative_day", ("2017-11-02", 1)),
    ("Protesters gathered last night.", "last night", "relative_day", ("2017-11-02", 1)),
    ("Shelling continued overnight.", "overnight", "relative_day", ("2017-11-02", 1)),
    (
        "Protesters gathered the day before yesterday.",
        "the day before yesterday", "relative_day", ("2017-11-01", 1),
    ),
    ("Protesters will gather tomorrow.", "tomorrow", "relative_day", None),
    ("Troops arrived 3 days ago.", "3 days ago", "relative_day", ("2017-10-31", 1)),
    ("Troops arrived three days ago.", "three days ago", "relative_day", ("2017-10-31", 1)),
    ("Troops arrived a day ago.", "a day ago", "relative_day", ("2017-11-02", 1)),
    ("Troops arrived ten days ago.", "ten days ago", "relative_day", ("2017-10-24", 1)),
    # weeks
    ("Riots erupted this week.", "this week", "week", ("2017-11-03", 2)),
    ("Riots erupted earlier this week.", "this week", "week", ("2017-11-03", 2)),
    ("Riots erupted last week.", "last week", "week", ("2017-10-27", 2)),
    ("Riots erupted over the past week.", "the past week", "week", ("2017-10-27", 2)),
    ("Riots erupted in recent days.", "recent days", "week", ("2017-11-03", 2)),
    ("Riots erupted over the past few days.", "the past few days", "week", ("2017-11-03", 2)),
    ("Riots erupted over the weekend.", "the weekend", "week", ("2017-10-28", 2)),
    ("Riots erupted last weekend.", "last weekend", "week", ("2017-10-28", 2)),
    ("Riots erupted this past weekend.", "this past weekend", "week", ("2017-10-28", 2)),
    ("Riots are expected this weekend.", "this weekend", "week", None),
    ("Talks resume next week.", "next week", "week", None),
    ("Troops arrived a week ago.", "a week ago", "week", ("2017-10-27", 2)),
    ("Troops arrived two weeks ago.", "two weeks ago", "week", ("2017-10-20", 2)),
    ("Troops arrived 2 weeks ago.", "2 weeks ago", "week", ("2017-10-20", 2)),
    # full dates
    ("Houthis attacked on 12 March 2019.", "12 March 2019", "day", None),  # future
    ("Houthis attacked on 12 October 2017.", "12 October 2017", "day", ("2017-10-12", 1)),
    ("Houthis attacked on 12th October 2017.", "12th October 2017", "day", ("2017-10-12", 1)),
    ("Houthis attacked on the 12th of October 2017.", "12th of October 2017", "day",
     ("2017-10-12", 1)),
    ("Houthis attacked on October 12, 2017.", "October 12, 2017", "day", ("2017-10-12", 1)),
    ("Houthis attacked on October 12 2017.", "October 12 2017", "day", ("2017-10-12", 1)),
    ("Houthis attacked on Oct. 12, 2017.", "Oct. 12, 2017", "day", ("2017-10-12", 1)),
    ("Houthis attacked on Oct 12, 2017.", "Oct 12, 2017", "day", ("2017-10-12", 1)),
    ("Houthis attacked on Sept. 12, 2017.", "Sept. 12, 2017", "day", ("2017-09-12", 1)),
    ("Houthis attacked on 12 Sep 2017.", "12 Sep 2017", "day", ("2017-09-12", 1)),
    ("Houthis attacked on 2017-10-12.", "2017-10-12", "day", ("2017-10-12", 1)),
    ("Houthis attacked on 12 October.", "12 October", "day", ("2017-10-12", 1)),
    ("Houthis attacked on October 12.", "October 12", "day", ("2017-10-12", 1)),
    ("Houthis attacked on Oct. 12.", "Oct. 12", "day", ("2017-10-12", 1)),
    ("Houthis attacked on 3 November.", "3 November", "day", ("2017-11-03", 1)),
    ("Houthis attacked on 12 December.", "12 December", "day", ("2016-12-12", 1)),
    ("Houthis attacked on 4 November.", "4 November", "day", ("2016-11-04", 1)),
    ("Houthis attacked around 3 June.", "3 June", "day", ("2017-06-03", 1)),
    ("Houthis attacked on 3 May.", "3 May", "day", ("2017-05-03", 1)),
    ("Houthis attacked on May 3.", "May 3", "day", ("2017-05-03", 1)),
    ("Houthis attacked on 1st May 2017.", "1st May 2017", "day", ("2017-05-01", 1)),
    ("Houthis attacked on Sunday, 29 October 2017.", "Sunday, 29 October 2017", "day",
     ("2017-10-29", 1)),
    ("Houthis attacked on Sunday, Oct. 29.", "Sunday, Oct. 29", "day", ("2017-10-29", 1)),
    ("Houthis attacked on 12 December 2017.", "12 December 2017", "day", None),  # future
    # months
    ("The city was recaptured in June.", "June", "month", ("2017-06", 3)),
    ("The city was recaptured in December.", "December", "month", ("2016-12", 3)),
    ("The city was recaptured in November.", "November", "month", ("2017-11", 3)),
    ("The city was recaptured in June 2017.", "June 2017", "month", ("2017-06", 3)),
    ("The city was recaptured in June 2016.", "June 2016", "month", ("2016-06", 3)),
    ("The city was recaptured in June of 2016.", "June of 2016", "month", ("2016-06", 3)),
    ("June 2016 was the deadliest month.", "June 2016", "month", ("2016-06", 3)),
    ("The city was recaptured in Jan. 2016.", "Jan. 2016", "month", ("2016-01", 3)),
    ("The city was recaptured early June.", "June", "month", ("2017-06", 3)),
    ("The city was recaptured in early June.", "June", "month", ("2017-06", 3)),
    ("The city was recaptured in mid-June.", "June", "month", ("2017-06", 3)),
    ("The city was recaptured mid-June.", "June", "month", ("2017-06", 3)),
    ("The city was recaptured in late June.", "June", "month", ("2017-06", 3)),
    ("The city was recaptured late June.", "June", "month", ("2017-06", 3)),
    ("The city was recaptured last June.", "last June", "month", ("2017-06", 3)),
    ("The city was recaptured last November.", "last November", "month", ("2016-11", 3)),
    ("The city has been besieged since June.", "June", "month", ("2017-06", 3)),
    ("The city has been besieged since December.", "December", "month", ("2016-12", 3)),
    ("The city was recaptured this June.", "this June", "month", ("2017-06", 3)),
    ("Elections are due this December.", "this December", "month", None),
    ("The city was recaptured in May.", "May", "month", ("2017-05", 3)),
    ("The city was recaptured in May 2017.", "May 2017", "month", ("2017-05", 3)),
    ("The city was recaptured last May.", "last May", "month", ("2017-05", 3)),
    ("The siege lasted until May.", "May", "month", ("2017-05", 3)),
    ("The town was shelled during the night of March.", "March", "month", ("2017-03", 3)),
    ("Elections are due in June 2018.", "June 2018", "month", None),  # future
    ("Prices rose last month.", "last month", "relative_month", ("2017-10", 3)),
    ("Prices rose this month.", "this month", "relative_month", ("2017-11", 3)),
    ("Prices rose earlier this month.", "this month", "relative_month", ("2017-11", 3)),
    ("Prices will rise next month.", "next month", "relative_month", None),
    ("Prices rose a month ago.", "a month ago", "relative_month", ("2017-10", 3)),
    ("Prices rose two months ago.", "two months ago", "relative_month", ("2017-09", 3)),
    ("Prices rose 11 months ago.", "11 months ago", "relative_month", ("2016-12", 3)),
]


@pytest.mark.parametrize("sentence, text, kind, expected", FORMS)
def test_forms(sentence, text, kind, expected):
    expr = only(sentence)
    assert expr.text == text
    assert expr.kind == kind
    assert resolve(expr, DOC) == expected


# --------------------------------------------------------------------------
# The sentences named in the brief

def test_offensive_on_thursday():
    s = ("Iraq launched an offensive on Thursday to capture the last Iraqi "
         "territory held by Islamic State")
    e = only(s)
    assert (e.text, e.kind) == ("Thursday", "weekday")
    assert e.start == s.index("Thursday")
    assert e.end == e.start + len("Thursday")
    assert resolve(e, DOC) == ("2017-11-02", 1)


def test_recaptured_in_june():
    s = "the Iraqi city recaptured from IS in June."
    e = only(s)
    assert (e.start, e.end, e.text, e.kind) == (37, 41, "June", "month")
    assert resolve(e, DOC) == ("2017-06", 3)


def test_captured_on_sunday():
    s = "which was captured from IS on Sunday, he said."
    e = only(s)
    assert (e.start, e.end, e.text) == (30, 36, "Sunday")
    assert resolve(e, DOC) == ("2017-10-29", 1)


@pytest.mark.parametrize("sentence", [
    "Right now, we are seeing the buildup",
    "some 70 km (40 miles) away",
])
def test_brief_negatives(sentence):
    assert find_dates(sentence) == []


def test_on_12_march_2019():
    s = "On 12 March 2019, Houthi forces clashed with"
    e = only(s)
    assert (e.start, e.end, e.text, e.kind) == (3, 16, "12 March 2019", "day")
    assert resolve(e, dt.date(2019, 3, 20)) == ("2019-03-12", 1)
    assert resolve(e, None) == ("2019-03-12", 1)
    assert resolve(e, DOC) is None  # after the document date


def test_around_3_june():
    s = "Around 3 June, JNIM took control of"
    e = only(s)
    assert (e.start, e.end, e.text, e.kind) == (7, 13, "3 June", "day")
    assert resolve(e, DOC) == ("2017-06-03", 1)
    assert resolve(e, dt.date(2019, 6, 10)) == ("2019-06-03", 1)
    assert resolve(e, None) is None


def test_on_3_june_2019_with_comma():
    e = only("On 3 June 2019, militants attacked")
    assert e.text == "3 June 2019"
    assert resolve(e, None) == ("2019-06-03", 1)


# --------------------------------------------------------------------------
# Resolution details

def test_month_day_without_year_rolls_back_a_year():
    e = only("Militants attacked on March 12.")
    assert resolve(e, dt.date(2017, 3, 1)) == ("2016-03-12", 1)
    assert resolve(e, dt.date(2017, 3, 12)) == ("2017-03-12", 1)
    assert resolve(e, dt.date(2017, 3, 13)) == ("2017-03-12", 1)


def test_29_february_without_year_goes_back_to_a_leap_year():
    e = only("Militants attacked on 29 February.")
    assert resolve(e, DOC) == ("2016-02-29", 1)
    assert resolve(e, dt.date(2016, 2, 28)) == ("2012-02-29", 1)


@pytest.mark.parametrize("sentence", [
    "Militants attacked on 31 February 2017.",
    "Militants attacked on 29 February 2017.",
    "Militants attacked on 31 April.",
    "Militants attacked on February 30.",
])
def test_impossible_dates_do_not_resolve(sentence):
    e = only(sentence)
    assert e.kind == "day"
    assert resolve(e, DOC) is None
    assert resolve(e, None) is None


def test_leap_day_with_year_resolves():
    assert resolve(only("on 29 February 2016"), DOC) == ("2016-02-29", 1)


def test_no_doc_date():
    relatives = [
        "on Sunday", "yesterday", "last week", "in June", "last month",
        "two weeks ago", "over the weekend", "on 12 March", "last June",
    ]
    for s in relatives:
        assert resolve(only(s), None) is None, s
    assert resolve(only("on 12 March 2019"), None) == ("2019-03-12", 1)
    assert resolve(only("on March 12, 2019"), None) == ("2019-03-12", 1)
    assert resolve(only("on 2019-03-12"), None) == ("2019-03-12", 1)
    assert resolve(only("in June 2017"), None) == ("2017-06", 3)


def test_doc_date_may_be_datetime_or_iso_string():
    e = only("on Sunday")
    assert resolve(e, dt.datetime(2017, 11, 3, 23, 59)) == ("2017-10-29", 1)
    assert resolve(e, "2017-11-03") == ("2017-10-29", 1)
    assert resolve(e, "") is None


def test_weekday_on_or_before_doc_date_every_day():
    # A Monday document: "Monday" is that day, "Tuesday" six days before.
    monday = dt.date(2017, 10, 30)
    names = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    for back, name in zip([0, 6, 5, 4, 3, 2, 1], names, strict=True):
        expected = (monday - dt.timedelta(days=back)).isoformat()
        assert resolve(only(f"on {name}"), monday) == (expected, 1), name


def test_weekend_from_weekend_documents():
    e = only("Riots erupted over the weekend.")
    assert resolve(e, dt.date(2017, 10, 29)) == ("2017-10-28", 2)  # Sunday
    assert resolve(e, dt.date(2017, 10, 28)) == ("2017-10-21", 2)  # Saturday
    assert resolve(e, dt.date(2017, 10, 30)) == ("2017-10-28", 2)  # Monday
    this = only("Riots erupted this weekend.")
    assert resolve(this, dt.date(2017, 10, 29)) == ("2017-10-28", 2)
    assert resolve(this, dt.date(2017, 10, 28)) == ("2017-10-28", 2)
    assert resolve(this, dt.date(2017, 10, 30)) is None


def test_last_month_in_january():
    assert resolve(only("last month"), dt.date(2017, 1, 15)) == ("2016-12", 3)
    assert resolve(only("two months ago"), dt.date(2017, 1, 15)) == ("2016-11", 3)


def test_last_june_in_june():
    e = only("The city was recaptured last June.")
    assert resolve(e, dt.date(2017, 6, 20)) == ("2016-06", 3)
    assert resolve(only("in June"), dt.date(2017, 6, 20)) == ("2017-06", 3)


def test_relative_day_across_month_and_year():
    assert resolve(only("yesterday"), dt.date(2017, 1, 1)) == ("2016-12-31", 1)
    assert resolve(only("the day before yesterday"), dt.date(2016, 3, 1)) == ("2016-02-28", 1)


def test_fields():
    e = only("Clashes broke out late on Sunday night.")
    assert (e.weekday, e.rel, e.qualifier) == (6, "", "late night")
    e = only("The city was recaptured in early June 2017.")
    assert (e.text, e.year, e.month, e.qualifier) == ("June 2017", 2017, 6, "early")
    e = only("Houthis attacked on Sunday, 29 October 2017.")
    assert (e.year, e.month, e.day, e.weekday) == (2017, 10, 29, 6)
    assert only("next Sunday").rel == "next"
    assert only("last week").offset == -7
    assert only("two months ago").offset == -2
    assert only("mid-June").qualifier == "mid"
    assert only("earlier this week").qualifier == "earlier"


def test_dateexpr_is_frozen():
    e = only("on Sunday")
    with pytest.raises(AttributeError):
        e.start = 0  # type: ignore[misc]


# --------------------------------------------------------------------------
# Finding: negatives, overlaps, offsets

@pytest.mark.parametrize("sentence", [
    "Rebel forces may march on the capital.",
    "They said they would march on the town.",
    "Forces may capture the town within days.",
    "The city fell in may, officials said.",
    "The city fell in june, officials said.",
    "Veterans of the Long March gathered.",
    "Prime Minister Theresa May said the talks would continue.",
    "The talks were chaired by May, who said they would continue.",
    "Theresa May's government faces a vote.",
    "The offensive was launched in May's final week.",
    "They will March on the capital.",
    "June Carter visited the camp.",
    "A spokesman for April Foods said nothing.",
    "Rallies are held on fridays.",
    "Militants have held the town since 2016.",
    "Militants have held the town in 2016.",
    "The Good Friday Agreement ended the conflict.",
    "He told the Sunday Times that talks had failed.",
    "The Bloody Sunday inquiry reported.",
    "Markets fell on Black Friday.",
    "He spoke on Super Tuesday.",
    "Marines and members of the Mayday coalition met in Marseille.",
    "The convoy travelled for two weeks.",
    "Some 70 km (40 miles) away, 1,200 people fled at 10:30.",
    "The March 23 Movement (M23) seized Goma.",
    "The 14 March Alliance won the vote.",
    "The 6 April Youth Movement called a strike.",
    "Libya's February 17 Revolution was recalled.",
    "He met Jan Egeland in Oslo.",
    "The weekend was quiet.",
    "The dispute was mediated by the Sun.",
    "USA Today reported the attack.",
    "Attacks are common on Sundays.",
    "The deal was signed in the last week of October.",
])
def test_negatives(sentence):
    found = [(e.text, e.kind) for e in find_dates(sentence)]
    if sentence == "The deal was signed in the last week of October.":
        # "the last week" is not a relative week here, but "of October" is a month.
        assert found == [("October", "month")]
    else:
        assert found == []


def test_longest_wins():
    assert texts("on 12 March 2019") == ["12 March 2019"]
    assert texts("on March 12, 2019") == ["March 12, 2019"]
    assert texts("in early June 2017") == ["June 2017"]
    assert texts("the day before yesterday") == ["the day before yesterday"]
    assert texts("this past weekend") == ["this past weekend"]
    assert texts("last weekend") == ["last weekend"]
    assert texts("Sunday, 12 March 2019") == ["Sunday, 12 March 2019"]


def test_several_expressions_sorted_with_exact_offsets():
    s = ("On Sunday, after clashes on 12 March 2019 and again last week, "
         "officials said yesterday that fighting had eased since June.")
    found = find_dates(s)
    assert [e.text for e in found] == [
        "Sunday", "12 March 2019", "last week", "yesterday", "June",
    ]
    assert [e.start for e in found] == sorted(e.start for e in found)
    for e in found:
        assert s[e.start:e.end] == e.text
    for a, b in pairwise(found):
        assert a.end <= b.start


def test_offsets_with_unicode_prefix():
    s = "Ça va — «on Sunday» — in June."
    found = find_dates(s)
    assert [e.text for e in found] == ["Sunday", "June"]
    for e in found:
        assert s[e.start:e.end] == e.text


def test_range_takes_last_day():
    assert texts("Fighting on 12-14 March 2019") == ["14 March 2019"]


def test_in_month_then_number_is_a_month():
    e = only("In June 12 people were killed.")
    assert (e.text, e.kind) == ("June", "month")
    assert texts("on June 12 there was an attack") == ["June 12"]


def test_month_followed_by_number_is_a_date():
    assert texts("The attack happened March 8 near the border.") == ["March 8"]


def test_may_contexts():
    assert texts("in May") == ["May"]
    assert texts("since May") == ["May"]
    assert texts("until May") == ["May"]
    assert texts("early May") == ["May"]
    assert texts("in late May") == ["May"]
    assert texts("mid-May") == ["May"]
    assert texts("last May") == ["last May"]
    assert texts("by May") == []
    assert texts("of May") == []
    assert texts("this May") == []
    assert texts("May 2017") == ["May 2017"]
    assert texts("May 5") == ["May 5"]
    assert texts("5 May") == ["5 May"]


def test_other_month_contexts():
    for word in ["in", "on", "since", "until", "by", "from", "during", "early", "late",
                 "of", "around", "about", "between", "through", "before", "after"]:
        assert texts(f"It happened {word} June.") == ["June"], word
    assert texts("It happened In June.") == ["June"]
    assert texts("It happened June.") == []


def test_sentence_initial_capitals():
    assert texts("Yesterday, protesters gathered.") == ["Yesterday"]
    assert texts("Last week, protesters gathered.") == ["Last week"]
    assert texts("This morning, protesters gathered.") == ["This morning"]
    assert texts("Two days ago, protesters gathered.") == ["Two days ago"]


def test_the_weekend_possessive():
    assert texts("The weekend's clashes killed five.") == ["The weekend"]


def test_iso_date_with_time():
    assert texts("at 2019-03-12T10:00Z") == ["2019-03-12"]
    assert texts("ref 12019-03-12") == []


def test_empty_and_no_trigger():
    assert find_dates("") == []
    assert find_dates("Security forces fired tear gas at protesters.") == []


def test_friday_prayers_is_a_date():
    # "after Friday prayers" dates the event (to the most recent Friday).
    e = only("Protesters marched after Friday prayers.")
    assert resolve(e, DOC) == ("2017-11-03", 1)


def test_easter_sunday_is_a_date():
    e = only("Bombs struck churches on Easter Sunday.")
    assert resolve(e, dt.date(2019, 4, 23)) == ("2019-04-21", 1)
