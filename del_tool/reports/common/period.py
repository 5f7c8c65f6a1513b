"""Report periods: quarters, half-years, years and custom date ranges, parsed from short text.

Accepted forms (case and surrounding spaces do not matter):

    2026Q3                  the third quarter of 2026 (1 July - 30 September); also 2026K3,
                            Q3 2026, K3 2026, "3. kvartal 2026", "3rd quarter 2026"
    2026H1                  the first half of 2026 (1 January - 30 June); also H1 2026,
                            "1. halvår 2026", "first half 2026"
    2026                    the calendar year 2026
    2026-01-01..2026-06-30  a custom range, both dates included; dates may also be written
                            01.01.2026 or 01-01-2026 (as the reports print them), and the two
                            joined by "..", " - ", "–" or "til"/"to"
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

PeriodKind = Literal["quarter", "half", "year", "custom"]

_YEAR_PART = r"(?P<year>\d{4})"
_QUARTERS = tuple(
    re.compile(pattern)
    for pattern in (
        rf"^{_YEAR_PART}\s*-?\s*[QK]\s*(?P<n>[1-4])$",
        rf"^[QK]\s*(?P<n>[1-4])\s*[-/]?\s*{_YEAR_PART}$",
        rf"^(?P<n>[1-4])\s*(?:\.|ST|ND|RD|TH)?\s*(?:KVARTAL|KVT\.?|QUARTER)\s*(?:AF\s+|OF\s+)?"
        rf"{_YEAR_PART}$",
    )
)
_HALVES = tuple(
    re.compile(pattern)
    for pattern in (
        rf"^{_YEAR_PART}\s*-?\s*H\s*(?P<n>[12])$",
        rf"^H\s*(?P<n>[12])\s*[-/]?\s*{_YEAR_PART}$",
        rf"^(?P<n>[12])\s*(?:\.|ST|ND)?\s*(?:HALVÅR|HALVAAR|HALF(?:-YEAR| YEAR)?)\s*"
        rf"(?:AF\s+|OF\s+)?{_YEAR_PART}$",
        rf"^(?P<word>FØRSTE|ANDET|FIRST|SECOND)\s+(?:HALVÅR|HALVAAR|HALF(?:-YEAR| YEAR)?)\s*"
        rf"(?:AF\s+|OF\s+)?{_YEAR_PART}$",
    )
)
_HALF_WORDS = {"FØRSTE": 1, "FIRST": 1, "ANDET": 2, "SECOND": 2}
_YEAR = re.compile(r"^(\d{4})$")
_DAY = r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[.\-/]\d{1,2}[.\-/]\d{4}"
_RANGE = re.compile(rf"^({_DAY})\s*(?:\.\.|\s-\s|–|—|\sTIL\s|\sTO\s)\s*({_DAY})$")
#: Dashes and spaces people paste from documents.
_DASHES = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2212": "-", "\xa0": " "})
MIN_YEAR, MAX_YEAR = 1990, 2100
#: A custom range longer than this is almost certainly a typing mistake.
MAX_RANGE_DAYS = 366 * 10


class PeriodError(ValueError):
    """The text is not a period DEL understands; the message says what is accepted.

    `reason` is one of "format", "year", "date", "order", "length" (for messages in the UI).
    """

    def __init__(self, message: str, reason: str = "format") -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Period:
    """A closed range of calendar dates [start, end] with the text it was given as."""

    start: date
    end: date
    kind: PeriodKind
    key: str

    @property
    def days(self) -> int:
        """Number of days in the period, both ends included."""
        return (self.end - self.start).days + 1

    def contains(self, day: date) -> bool:
        """Whether `day` lies in the period."""
        return self.start <= day <= self.end

    def quarters(self, count: int | None = None) -> list[Period]:
        """The calendar quarters that overlap the period, or the `count` quarters ending with
        the quarter that holds the period's last day (for trends)."""
        last = quarter_of(self.end)
        if count is None:
            out = []
            current = quarter_of(self.start)
            while current.start <= last.start:
                out.append(current)
                current = quarter_of(current.end + timedelta(days=1))
            return out
        out = [last]
        while len(out) < count:
            out.insert(0, quarter_of(out[0].start - timedelta(days=1)))
        return out


def previous_period(period: Period) -> Period:
    """The period of the same kind and length just before `period` (the quarter, half-year
    or year before; for a custom range, as many days ending the day before it starts)."""
    before = period.start - timedelta(days=1)
    if period.kind == "quarter":
        return quarter_of(before)
    if period.kind == "half":
        return _half(before.year, 1 if before.month <= 6 else 2)
    if period.kind == "year":
        return Period(date(before.year, 1, 1), date(before.year, 12, 31), "year", str(before.year))
    return _custom(before - timedelta(days=period.days - 1), before)


def quarter_of(day: date) -> Period:
    """The calendar quarter that holds `day`."""
    q = (day.month - 1) // 3 + 1
    return _quarter(day.year, q)


def latest_complete_quarter(today: date) -> Period:
    """The last quarter that ended before `today`."""
    return quarter_of(quarter_of(today).start - timedelta(days=1))


def last_twelve_months(today: date) -> Period:
    """The twelve months up to and including `today` (the reports' default: today's work is in
    it, and a report says its figures are status at today)."""
    try:
        start = today.replace(year=today.year - 1) + timedelta(days=1)
    except ValueError:  # 29 February
        start = date(today.year - 1, 3, 1)
    return _custom(start, today)


def last_four_quarters(today: date) -> Period:
    """The four complete quarters before `today`, as one custom period."""
    end = latest_complete_quarter(today)
    start = end.quarters(4)[0]
    return _custom(start.start, end.end)


def parse_period(text: str) -> Period:
    """Parse "2026Q3", "2026H1", "2026" or "2026-01-01..2026-06-30"; raises PeriodError."""
    value = " ".join((text or "").translate(_DASHES).upper().split())
    for pattern in _QUARTERS:
        if match := pattern.match(value):
            return _quarter(_year(match.group("year")), int(match.group("n")))
    for pattern in _HALVES:
        if match := pattern.match(value):
            parts = match.groupdict()
            half = _HALF_WORDS[parts["word"]] if parts.get("word") else int(parts["n"])
            return _half(_year(match.group("year")), half)
    if match := _YEAR.match(value):
        year = _year(match.group(1))
        return Period(date(year, 1, 1), date(year, 12, 31), "year", str(year))
    if match := _RANGE.match(value):
        start, end = _day(match.group(1)), _day(match.group(2))
        if end < start:
            raise PeriodError(f"the period ends ({end}) before it starts ({start})", "order")
        if (end - start).days > MAX_RANGE_DAYS:
            raise PeriodError("a custom period can be at most ten years long", "length")
        return _custom(start, end)
    raise PeriodError(
        f"{text!r} is not a period; use e.g. 2026Q3, 2026H1, 2026 or 2026-01-01..2026-06-30"
    )


def _quarter(year: int, q: int) -> Period:
    start = date(year, 3 * q - 2, 1)
    end = date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1) - timedelta(days=1)
    return Period(start, end, "quarter", f"{year}Q{q}")


def _half(year: int, half: int) -> Period:
    start = date(year, 1 if half == 1 else 7, 1)
    end = date(year, 6, 30) if half == 1 else date(year, 12, 31)
    return Period(start, end, "half", f"{year}H{half}")


def _custom(start: date, end: date) -> Period:
    return Period(start, end, "custom", f"{start.isoformat()}..{end.isoformat()}")


def _year(text: str) -> int:
    year = int(text)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise PeriodError(
            f"the year must lie between {MIN_YEAR} and {MAX_YEAR}, not {year}", "year"
        )
    return year


def _day(text: str) -> date:
    """An ISO date (2026-01-31) or a Danish one (31.01.2026, 31-01-2026, 31/01/2026)."""
    if re.match(r"^\d{4}-", text):
        year, month, day = (int(part) for part in text.split("-"))
    else:
        day, month, year = (int(part) for part in re.split(r"[.\-/]", text))
    try:
        parsed = date(year, month, day)
    except ValueError:
        raise PeriodError(f"{text!r} is not a valid date", "date") from None
    _year(str(parsed.year))
    return parsed
