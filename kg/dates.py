"""Date expressions: absolute ("21 March 2024", "4 FEB 90", "2024-03-21"), partial ("in March")
and relative ("yesterday", "last Tuesday", "two days ago") resolved against a reference date.

Pure functions over strings; no spaCy. The NLP stage finds candidate expressions (spaCy's DATE
entities and the date line), this module turns them into a :class:`DateValue`-ready tuple.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from kg.records import Precision

MONTHS: dict[str, int] = {}
for _number in range(1, 13):
    MONTHS[calendar.month_name[_number].lower()] = _number
    MONTHS[calendar.month_abbr[_number].lower()] = _number
MONTHS["sept"] = 9
for _name, _number in {
    "janvier": 1,
    "février": 2,
    "fevrier": 2,
    "mars": 3,
    "avril": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "août": 8,
    "aout": 8,
    "septembre": 9,
    "octobre": 10,
    "novembre": 11,
    "décembre": 12,
    "decembre": 12,
}.items():
    MONTHS.setdefault(_name, _number)

WEEKDAYS = {calendar.day_name[i].lower(): i for i in range(7)}

_MONTH_RE = "|".join(sorted((re.escape(m) for m in MONTHS), key=len, reverse=True))
NUMBER_WORDS = {
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
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "hundred": 100,
    "a dozen": 12,
    "dozen": 12,
}
"""Counts written as words, for "three days ago" and "killing twelve"."""
_COUNT_WORDS = {**NUMBER_WORDS, "a": 1, "an": 1}


@dataclass(frozen=True, slots=True)
class ResolvedDate:
    value: dt.date
    earliest: dt.date
    latest: dt.date
    precision: Precision


def expand_year(year: int) -> int:
    """Two-digit years as news agencies write them: 89 -> 1989, 24 -> 2024."""
    if year >= 100:
        return year
    return 1900 + year if year >= 50 else 2000 + year


def _day(year: int, month: int, day: int) -> ResolvedDate | None:
    try:
        value = dt.date(year, month, day)
    except ValueError:
        return None
    return ResolvedDate(value, value, value, Precision.DAY)


def _month(year: int, month: int) -> ResolvedDate:
    last = calendar.monthrange(year, month)[1]
    return ResolvedDate(
        dt.date(year, month, 1),
        dt.date(year, month, 1),
        dt.date(year, month, last),
        Precision.MONTH,
    )


def _year_before(reference: dt.date | None, month: int, day: int = 1) -> int | None:
    """Year of a month/day written without one: the latest such day not after the reference."""
    if reference is None:
        return None
    year = reference.year
    try:
        if dt.date(year, month, day) > reference:
            year -= 1
    except ValueError:
        return year
    return year


_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DMY = re.compile(rf"^(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH_RE})\.?,?\s+(\d{{2,4}})$")
_MDY = re.compile(rf"^({_MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{2,4}})$")
_DM = re.compile(rf"^(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH_RE})\.?$")
_MD = re.compile(rf"^({_MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?$")
_MY = re.compile(rf"^({_MONTH_RE})\.?,?\s+(\d{{4}})$")
_M = re.compile(rf"^({_MONTH_RE})\.?$")
_AGO = re.compile(r"^(\d+|" + "|".join(_COUNT_WORDS) + r")\s+(day|week)s?\s+ago$")
_WEEKDAY = re.compile(
    r"^(?:(last|this|past)\s+)?("
    + "|".join(WEEKDAYS)
    + r")(?:\s+(?:night|morning|afternoon|evening))?$"
)
_LEAD = re.compile(
    r"^(?:on or about|on|in|since|during|early|late|the|last|this|past|around|about|circa)\s+",
    re.I,
)


_WRITTEN_DAY = re.compile(
    rf"\b(?:\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTH_RE})\.?,?\s+\d{{4}}"
    rf"|(?:{_MONTH_RE})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})\b",
    re.I,
)


def written_days(text: str) -> list[tuple[int, str, ResolvedDate]]:
    """The days a text writes out in full, with their year ("3 July 2024", "July 3, 2024"),
    and where each begins: what the entity recogniser can miss at the start of a sentence
    ("Around 3 July 2024 (as reported), ...") is still a date. Each as (offset, words, day)."""
    found = []
    for match in _WRITTEN_DAY.finditer(text):
        resolved = parse_date(match.group(0))
        if resolved is not None and resolved.precision == Precision.DAY:
            found.append((match.start(), match.group(0), resolved))
    return found


def _normalised(expression: str) -> str:
    """Lower case, single spaces, a space after each comma, no punctuation at the ends."""
    text = " ".join(expression.lower().replace(",", ", ").split()).strip(" .,;:")
    return text.replace(" ,", ",")


def parse_date(expression: str, reference: dt.date | None = None) -> ResolvedDate | None:
    """Resolve one date expression; ``None`` when it is not a date this module understands.

    Relative and year-less expressions need ``reference`` (the article's date) and are taken
    to point backwards from it, as news reports past events.
    """
    text = _PART_OF_DAY.sub("", _normalised(expression))  # "the night of 15 january"
    if reference is not None and (relative := _relative_day(text, reference)) is not None:
        return relative
    if (span := _day_range(text, reference)) is not None:
        return span
    last = text.startswith(("last ", "past "))
    led = bool(_LEAD.match(text))
    for _ in range(2):
        stripped = _LEAD.sub("", text) if not _WEEKDAY.match(text) else text
        if stripped == text:
            break
        text = stripped
    named_day = re.match(
        r"^(" + "|".join([*WEEKDAYS, "today", "yesterday"]) + r"),?\s+(?=\S*\d|\w+\.?\s+\d)",
        text,
    )
    if named_day and (rest := parse_date(text[named_day.end():], reference)) is not None:
        return rest  # "Friday, July 10", "today, July 30": the date it names
    if match := _ISO.match(text):
        return _day(int(match[1]), int(match[2]), int(match[3]))
    if match := _DMY.match(text):
        return _day(expand_year(int(match[3])), MONTHS[match[2]], int(match[1]))
    if match := _MDY.match(text):
        return _day(expand_year(int(match[3])), MONTHS[match[1]], int(match[2]))
    if match := _MY.match(text):
        return _month(int(match[2]), MONTHS[match[1]])
    if reference is None:
        return None
    if match := _DM.match(text) or _MD.match(text):
        day_part, month_part = (match[1], match[2]) if match.re is _DM else (match[2], match[1])
        month, day = MONTHS[month_part], int(day_part)
        year = _year_before(reference, month, day)
        return _day(year, month, day) if year is not None else None
    if match := _M.match(text):
        if text in {"may", "march"} and not led:  # alone, too often a verb ("in March" is not)
            return None
        month = MONTHS[match[1]]
        year = _year_before(reference, month)
        if year is not None and last and (year, month) == (reference.year, reference.month):
            year -= 1  # "last March", said in March: a year ago
        return _month(year, month) if year is not None else None
    if text in {"today", "tonight", "this morning", "this afternoon", "this evening"}:
        return ResolvedDate(reference, reference, reference, Precision.DAY)
    if text in {"yesterday", "last night", "yesterday morning", "yesterday afternoon"}:
        value = reference - dt.timedelta(days=1)
        return ResolvedDate(value, value, value, Precision.DAY)
    if text == "day before yesterday":
        value = reference - dt.timedelta(days=2)
        return ResolvedDate(value, value, value, Precision.DAY)
    if match := _AGO.match(text):
        count = int(match[1]) if match[1].isdigit() else _COUNT_WORDS[match[1]]
        days = count * (7 if match[2] == "week" else 1)
        value = reference - dt.timedelta(days=days)
        if match[2] == "week":
            return ResolvedDate(
                value, value - dt.timedelta(days=3), value + dt.timedelta(days=3), Precision.MONTH
            )
        return ResolvedDate(value, value, value, Precision.DAY)
    if match := _WEEKDAY.match(text):
        weekday = WEEKDAYS[match[2]]
        back = (reference.weekday() - weekday) % 7
        if back == 0 and match[1] in {"last", "past"}:
            back = 7
        value = reference - dt.timedelta(days=back)
        return ResolvedDate(value, value, value, Precision.DAY)
    return None


_NAMED_DAY = re.compile(
    rf"^({'|'.join(WEEKDAYS)}),?\s+(?:(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH_RE})"
    rf"|({_MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?)$"
)


def date_by_weekday(expression: str, years: set[int]) -> ResolvedDate | None:
    """ "Friday, January 8" on a page with no date: the year is the one next to a year the
    page names in which that day falls on that weekday (within a year either side, at most
    one does). ``None`` when the expression is not of that form or no year, or more than one,
    fits."""
    match = _NAMED_DAY.match(_LEAD.sub("", _normalised(expression)))
    if match is None:
        return None
    weekday = WEEKDAYS[match[1]]
    month = MONTHS[match[3] or match[4]]
    day = int(match[2] or match[5])
    fits = set()
    for near in years:
        for year in (near - 1, near, near + 1):
            try:
                if dt.date(year, month, day).weekday() == weekday:
                    fits.add(year)
            except ValueError:
                continue
    if len(fits) != 1:
        return None
    return _day(fits.pop(), month, day)


# "3 to 4 May", "between 1 and 3 May 2021", "May 3-4", "the night of 3 to 4 May"
_DAY_RANGE = re.compile(
    rf"^(?:between\s+)?(\d{{1,2}})(?:st|nd|rd|th)?\s*(?:to|and|-|–)\s*(\d{{1,2}})(?:st|nd|rd|th)?"
    rf"\s+(?:of\s+)?({_MONTH_RE})\.?(?:,?\s+(\d{{4}}))?$"
)
_DAY_RANGE_MD = re.compile(
    rf"^({_MONTH_RE})\.?\s+(\d{{1,2}})\s*(?:to|and|-|–)\s*(\d{{1,2}})(?:,?\s+(\d{{4}}))?$"
)


def _day_range(text: str, reference: dt.date | None) -> ResolvedDate | None:
    """Two days of one month: the first is the value, both are the bounds (precision day
    when they are consecutive, as a night "of 3 to 4 May" is, else week)."""
    text = re.sub(r"^(?:on|in|from)\s+", "", text)
    if match := _DAY_RANGE.match(text):
        first, last, month, year = int(match[1]), int(match[2]), MONTHS[match[3]], match[4]
    elif match := _DAY_RANGE_MD.match(text):
        month, first, last, year = MONTHS[match[1]], int(match[2]), int(match[3]), match[4]
    else:
        return None
    if year is not None:
        full = int(year)
    elif reference is not None:
        found = _year_before(reference, month, last)
        if found is None:
            return None
        full = found
    else:
        return None
    start, end = _day(full, month, first), _day(full, month, last)
    if start is None or end is None or end.value < start.value:
        return None
    precision = Precision.DAY if (end.value - start.value).days <= 1 else Precision.WEEK
    return ResolvedDate(start.value, start.value, end.value, precision)


_PART_OF_DAY = re.compile(
    r"^(?:(?:on|in|during)\s+)?(?:the\s+)?(?:early\s+|late\s+)?(?:hours\s+of\s+)?"
    r"(?:morning|afternoon|evening|night|dawn|early hours)\s+of\s+"
)
_DAY_PARTS = r"(?:\s+(?:morning|afternoon|evening|night))?"
_TODAY = re.compile(
    rf"^(?:(?:early|late|earlier|later)\s+)?(?:today{_DAY_PARTS}|tonight|"
    r"this\s+(?:morning|afternoon|evening)|earlier\s+today)$"
)
_YESTERDAY = re.compile(
    rf"^(?:(?:early|late)\s+)?(?:yesterday{_DAY_PARTS}|last\s+night|"
    r"overnight)$"
)


def _relative_day(text: str, reference: dt.date) -> ResolvedDate | None:
    """Today, yesterday and the last week, month or year, relative to ``reference``."""
    text = re.sub(r"^(?:on|in|during|since)\s+", "", text)
    if _TODAY.match(text):
        return ResolvedDate(reference, reference, reference, Precision.DAY)
    if _YESTERDAY.match(text):
        value = reference - dt.timedelta(days=1)
        return ResolvedDate(value, value, value, Precision.DAY)
    if text in {"last week", "the past week", "past week", "this week", "earlier this week"}:
        return ResolvedDate(
            reference - dt.timedelta(days=7),
            reference - dt.timedelta(days=7),
            reference,
            Precision.MONTH,
        )
    if text in {"weekend", "the weekend", "last weekend", "this weekend", "over the weekend",
                "during the weekend", "at the weekend", "the past weekend"}:
        # the Saturday and Sunday before the reference day
        sunday = reference - dt.timedelta(days=(reference.weekday() + 1) % 7 or 7)
        if reference.weekday() == 6 and text in {"this weekend", "the weekend"}:
            sunday = reference
        saturday = sunday - dt.timedelta(days=1)
        return ResolvedDate(saturday, saturday, sunday, Precision.WEEK)
    if text in {"last month", "the past month"}:
        first = (reference.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
        return _month(first.year, first.month)
    if text in {"this month", "earlier this month"}:
        return ResolvedDate(
            reference.replace(day=1), reference.replace(day=1), reference, Precision.MONTH
        )
    return None


_ISO_LINE = re.compile(r"^\s*(?:date|dated|published)\s*[:=]?\s*(\d{4}-\d{2}-\d{2})\b\s*", re.I)
# "LIMA, 20 DEC 89 (TELEVISION PERUANA) --", "KAYA, Burkina Faso, March 21 (Reuters) -"
_AGENCY_LINE = re.compile(
    r"^\s*(?P<place>[A-Z][A-Za-z.'\- ]{1,40}?(?:,\s*[A-Z][A-Za-z.'\- ]{1,30}?)?),\s*"
    rf"(?P<date>\d{{1,2}}\s+(?:{_MONTH_RE})\.?\s+\d{{2,4}}|(?:{_MONTH_RE})\.?\s+\d{{1,2}}(?:,\s*\d{{4}})?)"
    r"\s*(?:\((?P<source>[^)]{1,60})\))?\s*(?:--|—|–|-)\s*(?:\[[A-Z ]+\]\s*)?",
    re.I,
)


# "DAKAR (Reuters) -", "MAIDUGURI, Nigeria (AP) —": a wire date line that gives no date
_UNDATED_AGENCY_LINE = re.compile(
    r"^\s*(?P<place>[A-Z][A-Z.'\- ]{1,40}?(?:,\s*[A-Z][A-Za-z.'\- ]{1,30}?)?)\s*"
    r"\((?P<source>[^)]{1,40})\)\s*(?:--|—|–|-)\s*"
)


@dataclass(frozen=True, slots=True)
class Dateline:
    date: dt.date | None
    place: str | None
    source: str | None
    end: int  # offset where the article body starts


def parse_dateline(text: str, published: dt.date | None = None) -> Dateline | None:
    """Recognise a date line at the start of an article; ``None`` when there is none."""
    head = text[:300]
    if match := _ISO_LINE.match(head):
        resolved = parse_date(match[1])
        return Dateline(resolved.value if resolved else None, None, None, match.end())
    if match := _AGENCY_LINE.match(head):
        resolved = parse_date(match["date"], published)
        place = " ".join(match["place"].split())
        return Dateline(resolved.value if resolved else None, place, match["source"], match.end())
    if match := _UNDATED_AGENCY_LINE.match(head):
        place = " ".join(match["place"].split())
        return Dateline(None, place, match["source"], match.end())
    return None
