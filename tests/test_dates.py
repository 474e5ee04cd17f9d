"""Date expressions resolved against the article's date, with a precision."""

from __future__ import annotations

import datetime as dt

import pytest

from kg.dates import date_by_weekday, expand_year, parse_date, parse_dateline, written_days
from kg.records import Precision

REF = dt.date(1990, 2, 4)  # a Sunday


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("yesterday", dt.date(1990, 2, 3)),
        ("YESTERDAY AFTERNOON", dt.date(1990, 2, 3)),
        ("last night", dt.date(1990, 2, 3)),
        ("this morning", dt.date(1990, 2, 4)),
        ("early this morning", dt.date(1990, 2, 4)),
        ("today", dt.date(1990, 2, 4)),
        ("last Tuesday", dt.date(1990, 1, 30)),
        ("on Tuesday", dt.date(1990, 1, 30)),
        ("Monday night", dt.date(1990, 1, 29)),
        ("on 2 February", dt.date(1990, 2, 2)),
        ("30 DECEMBER", dt.date(1989, 12, 30)),  # a day after the reference is last year's
        ("on the night of 2 February", dt.date(1990, 2, 2)),
        ("2 days ago", dt.date(1990, 2, 2)),
        ("two days ago", dt.date(1990, 2, 2)),
        ("10 NOV 89", dt.date(1989, 11, 10)),
        ("March 21, 2024", dt.date(2024, 3, 21)),
        ("2024-03-21", dt.date(2024, 3, 21)),
    ],
)
def test_day_expressions(expression: str, expected: dt.date) -> None:
    resolved = parse_date(expression, REF)
    assert resolved is not None
    assert resolved.value == expected
    assert resolved.precision == Precision.DAY


def test_week_and_month_have_coarser_precision() -> None:
    week = parse_date("last week", REF)
    assert week is not None and week.precision == Precision.MONTH
    assert week.earliest == dt.date(1990, 1, 28) and week.latest == REF
    month = parse_date("in January", REF)
    assert month is not None and month.precision == Precision.MONTH
    assert (month.earliest, month.latest) == (dt.date(1990, 1, 1), dt.date(1990, 1, 31))


def test_relative_needs_a_reference_and_verbs_are_not_months() -> None:
    assert parse_date("yesterday") is None
    assert parse_date("may", REF) is None
    assert parse_date("the government", REF) is None


def test_a_month_named_after_a_preposition_is_a_month_even_when_it_is_also_a_verb() -> None:
    march = parse_date("last March", REF)
    assert march is not None and march.precision == Precision.MONTH
    assert (march.earliest, march.latest) == (dt.date(1989, 3, 1), dt.date(1989, 3, 31))
    may = parse_date("in May", REF)
    assert may is not None and may.value == dt.date(1989, 5, 1)
    february = parse_date("last February", REF)  # said in February: a year before
    assert february is not None and february.value == dt.date(1989, 2, 1)


def test_two_digit_years() -> None:
    assert expand_year(89) == 1989 and expand_year(24) == 2024


def test_date_lines() -> None:
    muc = parse_dateline("SAN SALVADOR, 3 JAN 90 -- [REPORT] [TEXT] THE ARMY REPORTED")
    assert muc is not None and muc.date == dt.date(1990, 1, 3) and muc.place == "SAN SALVADOR"
    wire = parse_dateline(
        "KAYA, Burkina Faso, March 21 (Reuters) - Gunmen killed", dt.date(2024, 3, 22)
    )
    assert wire is not None and wire.date == dt.date(2024, 3, 21) and wire.source == "Reuters"
    assert parse_dateline("Gunmen killed three people on Monday.") is None


# -- the forms of modern wire copy ---------------------------------------------------------
def test_the_weekend_is_the_saturday_and_sunday_before() -> None:
    monday = dt.date(2023, 5, 8)
    resolved = parse_date("over the weekend", monday)
    assert resolved is not None
    assert (resolved.earliest, resolved.latest) == (dt.date(2023, 5, 6), dt.date(2023, 5, 7))


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("the night of 3 to 4 May", dt.date(2023, 5, 3), dt.date(2023, 5, 4)),
        ("between 1 and 3 May 2021", dt.date(2021, 5, 1), dt.date(2021, 5, 3)),
        ("May 3-4", dt.date(2023, 5, 3), dt.date(2023, 5, 4)),
    ],
)
def test_a_span_of_days_keeps_both_bounds(text: str, first: dt.date, last: dt.date) -> None:
    resolved = parse_date(text, dt.date(2023, 5, 20))
    assert resolved is not None
    assert (resolved.value, resolved.earliest, resolved.latest) == (first, first, last)


def test_around_a_day_is_that_day() -> None:
    resolved = parse_date("around 8 May 2020")
    assert resolved is not None and resolved.value == dt.date(2020, 5, 8)


def test_an_undated_wire_line_gives_place_and_agency() -> None:
    line = parse_dateline("NIAMEY, Niger (AP) — Gunmen on motorbikes attacked a village.")
    assert line is not None
    assert (line.date, line.place, line.source) == (None, "NIAMEY, Niger", "AP")
    assert parse_dateline("The Army (the statement said) - nothing") is None


def test_a_weekday_before_the_date_it_names_is_that_date() -> None:
    ref = dt.date(2020, 7, 20)
    for text in ("Friday, July 10", "on Friday, July 10", "Friday, 10 July 2020"):
        resolved = parse_date(text, ref)
        assert resolved is not None and resolved.value == dt.date(2020, 7, 10), text


def test_a_weekday_and_day_on_an_undated_page_take_the_year_that_fits_one_it_names() -> None:
    # 9 March fell on a Saturday in 2024, on a Sunday in 2025, on a Thursday in 2023
    found = date_by_weekday("Saturday, March 9", {2024})
    assert found is not None and found.value == dt.date(2024, 3, 9)
    found = date_by_weekday("on Sunday 9 March", {2024})
    assert found is not None and found.value == dt.date(2025, 3, 9)
    assert date_by_weekday("Monday, March 9", {2024}) is None  # no year near fits
    assert date_by_weekday("Saturday, March 9", set()) is None  # nothing to go by
    assert date_by_weekday("March 9", {2024}) is None  # no weekday, no year


def test_today_or_yesterday_before_the_date_they_name_is_that_date() -> None:
    ref = dt.date(2023, 8, 6)
    for text, day in (("today, August 6", 6), ("yesterday, 5 August", 5)):
        resolved = parse_date(text, ref)
        assert resolved is not None and resolved.value == dt.date(2023, 8, day), text


def test_days_written_in_full_are_found_anywhere_in_a_text() -> None:
    found = written_days("Around 3 July 2024 (as reported), and on August 9, 2023; in May 2022.")
    assert [(text, day.value) for _, text, day in found] == [
        ("3 July 2024", dt.date(2024, 7, 3)),
        ("August 9, 2023", dt.date(2023, 8, 9)),
    ]
