"""Date expressions resolved against the article's date, with a precision."""

from __future__ import annotations

import datetime as dt

import pytest

from kg.dates import expand_year, parse_date, parse_dateline
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
