"""Dates and periods as officials write them, and times as they read them (Beijing time),
read by one parser wherever a date comes in: data files, uploads (Excel's date cells
included), the one-figure form and the command line.

A date: `2024-01-31`, `2024/1/31`, `2024.1.31`, `2024年1月31日`; a month: `2024-01`, `2024/1`,
`2024年1月`; a year: `2024`, `2024年`. A period: one of these, or START/END, START至END,
START到END, START–END (`2021/2023-11-15`: from some time in 2021 until that day). Full-width
digits (`２０２４`) and other scripts' digits are read as 0–9. Whether `/` separates a date's
parts or a period's ends is decided by the shape of the parts: `2024/1/31` is a day, and
`2021/2024-06-30` a period, since `1/31` is no date and `2021` and `2024-06-30` both are.

Every period is kept in one written form (`2024-01-31`, `2024-01`, `2024`, `START/END`), so the
same period written two ways is the same figure.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from civic.problems import Coded

# A span's ends are separated by one of these; `-` and `/` only where both sides are dates.
SPAN_SEPARATORS = "/至到–—~-"
_DAY = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})|(\d{4})年(\d{1,2})月(\d{1,2})[日号]?")
_MIDNIGHT = re.compile(r"(?<=\d)[ T]00:00(?::00(?:\.0+)?)?$")
"""The time a spreadsheet's date cell comes with when read as text."""
_MONTH = re.compile(r"(\d{4})[-/.](\d{1,2})|(\d{4})年(\d{1,2})月份?")
_YEAR = re.compile(r"(\d{4})年?")


def ascii_digits(text: str) -> str:
    """Every decimal digit, of any script (full-width ２, Arabic-Indic ٢ …), as 0–9."""
    if text.isascii():
        return text
    return "".join(str(unicodedata.decimal(c)) if not c.isascii()
                   and unicodedata.decimal(c, None) is not None else c for c in text)


def _clean(text: str) -> str:
    """Full-width forms as their ASCII (／, －, ．), digits as 0–9, no spaces, no midnight."""
    text = _MIDNIGHT.sub("", ascii_digits(unicodedata.normalize("NFKC", text)).strip())
    return re.sub(r"\s+", "", text)


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)


def _bound(text: str) -> tuple[dt.date, dt.date, str] | None:
    """(first day, last day, written form) of a day, month or year; None where `text` is none
    of them. Raises `ValueError` for a day or month the calendar does not have."""
    if found := _DAY.fullmatch(text):
        parts = found.groups()
        year, month, day = (int(p) for p in ((parts[0], parts[2], parts[3]) if parts[0]
                                             else parts[4:7]))
        date = dt.date(year, month, day)
        return date, date, date.isoformat()
    if found := _MONTH.fullmatch(text):
        year, month = (int(p) for p in (found.groups()[:2] if found[1] else found.groups()[2:]))
        start = dt.date(year, month, 1)
        return start, _month_end(year, month), f"{year:04d}-{month:02d}"
    if found := _YEAR.fullmatch(text):
        year = int(found[1])
        return dt.date(year, 1, 1), dt.date(year, 12, 31), f"{year:04d}"
    return None


def parse_period(text: str) -> tuple[dt.date, dt.date, str]:
    """(start, end, written form) of a period as people write it; `Coded` naming the whole
    input where it is not one (`period_format`), is no calendar date (`date_invalid`) or ends
    before it starts (`period_order`)."""
    cleaned = _clean(text)
    try:
        whole = _bound(cleaned)
        if whole is not None:
            return whole
        spans = []
        for at, char in enumerate(cleaned):
            if char in SPAN_SEPARATORS and 0 < at < len(cleaned) - 1:
                first, last = _bound(cleaned[:at]), _bound(cleaned[at + 1:])
                if first and last:
                    spans.append((first, last))
    except ValueError:
        raise Coded("date_invalid", value=repr(text.strip())) from None
    if len(spans) != 1:
        raise Coded("period_format", value=repr(text.strip()))
    (start, _, first), (_, end, last) = spans[0]
    if end < start:
        raise Coded("period_order", value=repr(text.strip()))
    return start, end, f"{first}/{last}"


def parse_date(text: str | dt.date) -> dt.date:
    """One day as people write it (`2024/1/31`, `2024年1月31日`, an Excel date cell);
    `Coded` naming the whole input otherwise."""
    if isinstance(text, dt.datetime):
        return text.date()
    if isinstance(text, dt.date):
        return text
    try:
        found = _bound(_clean(str(text)))
    except ValueError:
        raise Coded("date_invalid", value=repr(str(text).strip())) from None
    if found is None or found[0] != found[1]:
        raise Coded("date_format", value=repr(str(text).strip()))
    return found[0]


TIMEZONE_ENV = "CIVIC_TIMEZONE"
"""The zone times are shown in (an IANA name such as Asia/Shanghai); Beijing time unless set."""
_BEIJING = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")


def display_zone() -> dt.tzinfo:
    """The zone of every time shown to officials: `CIVIC_TIMEZONE`, else Beijing time (an
    unknown name falls back to Beijing rather than to UTC)."""
    wanted = os.environ.get(TIMEZONE_ENV, "").strip()
    if wanted:
        try:
            return ZoneInfo(wanted)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return _BEIJING


def shown_time(at: dt.datetime | None) -> str:
    """A stored time (UTC) as officials read it: `2026-12-05 22:08` in the display zone."""
    if at is None or at != at:  # NaT is not equal to itself
        return ""
    at = at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at
    return at.astimezone(display_zone()).strftime("%Y-%m-%d %H:%M")
