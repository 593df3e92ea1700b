"""Dates and periods in a report's text: every date expression resolved against the report's
date, the date a report gives itself, and the period a figure covers.

A date without its year (11月15日) takes the report's year, or the year before where that
would put it months after the report; such a date says so (`year_guessed`), and so does the
period of a figure dated by it.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from dataclasses import dataclass

from civic.extraction.rules import SENTENCE_END, bounds
from civic.quantities import parse_quantity

_YEAR = r"(?:19|20)\d{2}|[一二][〇零九][〇零一二三四五六七八九]{2}"
_MONTH = r"1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九]"
_DAY = r"3[01]|[12]\d|0?[1-9]|[二三]?十[一二三四五六七八九]?|三十一|[一二三四五六七八九]"
_Y = rf"(?P<y>{_YEAR})年"
_M = rf"(?P<m>{_MONTH})月份?"
_D = rf"(?P<d>{_DAY})[日号]"
_REL = r"(?P<rel>今年|本年|去年|上年|前年|明年)"
_RANGE_SEP = r"(?:至|到|-|—|–|~)"
_RELATIVE_YEARS = {"今年": 0, "本年": 0, "去年": -1, "上年": -1, "前年": -2, "明年": 1}
_RELATIVE_DAYS = {"今天": 0, "今日": 0, "昨天": 1, "昨日": 1, "前天": 2}
_HALVES = {"上半年": (1, 6), "下半年": (7, 12), "前三季度": (1, 9), "一季度": (1, 3),
           "第一季度": (1, 3), "二季度": (4, 6), "第二季度": (4, 6), "三季度": (7, 9),
           "第三季度": (7, 9), "四季度": (10, 12), "第四季度": (10, 12)}

# Longest forms first: a day beats its month, a month range beats a month.

# Longest forms first: a day beats its month, a month range beats a month.
_DATE_PATTERNS = [
    re.compile(r"(?P<y>(?:19|20)\d{2})[-/.](?P<m>1[0-2]|0?[1-9])[-/.]"
               r"(?P<d>3[01]|[12]\d|0?[1-9])(?!\d)"),
    re.compile(rf"(?:{_Y})?{_M}{_D}{_RANGE_SEP}(?:(?P<m2>{_MONTH})月)?(?P<d2>{_DAY})[日号]"),
    # The days of an event: 11月14—16日, 14-16日.
    re.compile(rf"(?:{_Y})?(?:{_M})?(?<![\d.])(?P<d>{_DAY}){_RANGE_SEP}(?P<d2>{_DAY})[日号]"),
    re.compile(rf"{_Y}{_M}{_D}"),
    re.compile(rf"(?:{_Y}|{_REL})?(?P<m>1[0-2]|0?[1-9])月?{_RANGE_SEP}"
               rf"(?P<m2>1[0-2]|0?[1-9])月份?(?!龄)"),
    re.compile(rf"(?P<y>(?:19|20)\d{{2}})年?{_RANGE_SEP}(?P<y2>(?:19|20)\d{{2}})年"),
    re.compile(rf"(?:{_Y}|{_REL})?(?P<half>{'|'.join(sorted(_HALVES, key=len, reverse=True))})"),
    re.compile(rf"{_Y}{_M}"),
    re.compile(rf"{_REL}{_M}(?:{_D})?"),
    re.compile(rf"(?<![\d.]){_M}{_D}"),
    re.compile(rf"{_Y}度?"),
    re.compile(_REL),
    re.compile(r"(?P<day>今天|今日|昨天|昨日|前天)"),
    re.compile(rf"(?<![\d.个第]){_M}(?!龄)"),
    # A day of the report's month, as news writes it: `15日上午`, `3日，`.
    re.compile(rf"(?<![\d.月]){_D}(?=[，,、上下中晚凌早起前至到当])"),
]


@dataclass(frozen=True)
class Date:
    """A date expression of the text and the days it covers."""

    start: int
    end: int
    first: dt.date  # first day the expression covers
    last: dt.date  # last day
    text: str  # as a Period: 2023-11-15, 2023-07, 2023-01/2023-10, 2021
    year_guessed: bool = False  # written without its year: the report's year was taken

    @property
    def days(self) -> bool:
        """Days of an event (14-16日, at most a fortnight), not a month or a window."""
        return (len(self.text) == 21
                and dt.timedelta(days=1) <= self.last - self.first <= dt.timedelta(days=14))


def _month_text(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def _month_last(year: int, month: int) -> dt.date:
    return dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)


_AHEAD = dt.timedelta(days=92)  # a date without its year is at most this far past the report


def _number(numeral: str) -> int:
    """A year, month or day in Arabic or Chinese numerals; a Chinese year digit by digit."""
    if numeral.isdigit() and numeral.isascii():
        return int(numeral)
    if len(numeral) == 4 and "十" not in numeral:
        return int(numeral.translate(str.maketrans("〇零一二三四五六七八九", "00123456789")))
    return int(parse_quantity(numeral).value)


def _resolve(m: re.Match[str], report: dt.date) -> Date | None:  # noqa: C901 - one branch per way of writing a date
    """A date expression as the period it names, a year left out taken from the report:
    the nearest such date that is not months after it."""
    groups = {k: (v if k in ("rel", "half", "day") else _number(v))
              for k, v in m.groupdict().items() if v}
    guessed = not (groups.get("y") or groups.get("rel") or groups.get("day"))

    def date(first: dt.date, last: dt.date, text: str) -> Date:
        return Date(m.start(), m.end(), first, last, text, guessed)

    if "d" in groups and "m" not in groups:  # 15日: a day of the report's month or the last
        day = report.replace(day=1)
        if groups["d"] > report.day:
            day = (day - dt.timedelta(days=1)).replace(day=1)
        groups["m"], groups["y"] = day.month, day.year
    if groups.get("day"):
        day = report - dt.timedelta(days=_RELATIVE_DAYS[groups["day"]])
        return date(day, day, day.isoformat())
    year_given = groups.get("y")
    if groups.get("y2"):
        y1, y2 = groups["y"], groups["y2"]
        if y1 > y2:
            return None
        return date(dt.date(y1, 1, 1), dt.date(y2, 12, 31), f"{y1}/{y2}")
    if year_given:
        year = year_given
    elif groups.get("rel"):
        year = report.year + _RELATIVE_YEARS[groups["rel"]]
    else:
        year = report.year
    try:
        if groups.get("half"):
            a, b = _HALVES[groups["half"]]
            return date(dt.date(year, a, 1), _month_last(year, b),
                        f"{_month_text(year, a)}/{_month_text(year, b)}")
        if groups.get("d2"):
            first = dt.date(year, groups["m"], groups["d"])
            last = dt.date(year, groups.get("m2", groups["m"]), groups["d2"])
            if last <= first:
                return None
            return date(first, last, f"{first}/{last}")
        if groups.get("m2"):
            a, b = groups["m"], groups["m2"]
            if a >= b:
                return None
            return date(dt.date(year, a, 1), _month_last(year, b),
                        f"{_month_text(year, a)}/{_month_text(year, b)}")
        if groups.get("d"):
            day = dt.date(year, groups["m"], groups["d"])
            if guessed and day > report + _AHEAD:
                day = day.replace(year=year - 1)
            return date(day, day, day.isoformat())
        if groups.get("m"):
            month = groups["m"]
            if guessed and dt.date(year, month, 1) > report + _AHEAD:
                year -= 1
            return date(dt.date(year, month, 1), _month_last(year, month),
                        _month_text(year, month))
        return date(dt.date(year, 1, 1), dt.date(year, 12, 31), f"{year}")
    except ValueError:  # 2月30日: not a calendar date, so not a date
        return None



def find_dates(text: str, report: dt.date) -> list[Date]:
    """Every date expression of the text, resolved against the report's date, left to right.
    A longer form found first holds its characters: one pass per pattern, linear in the text."""
    held = bytearray(len(text))
    taken: list[Date] = []
    for pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            if held.find(1, m.start(), m.end()) >= 0:
                continue
            if (date := _resolve(m, report)) is not None:
                taken.append(date)
                held[m.start():m.end()] = b"\x01" * (m.end() - m.start())
    return sorted(taken, key=lambda d: d.start)


_FULL_DATE = re.compile(
    rf"({_YEAR})\s*(?:年\s*({_MONTH})\s*月\s*({_DAY})\s*日"
    r"|[-/.](1[0-2]|0?[1-9])[-/.](3[01]|[12]\d|0?[1-9])(?!\d))"
)
_DATE_LABEL = re.compile(r"(?:发布|印发|报送|日期|时间|发稿)[^\n\d]{0,6}$")


def report_date(text: str) -> dt.date | None:
    """The date a report gives itself: a full date on a line of its own (a header or the date
    under the signature) or after 日期/发布时间; else the first full date of the text."""
    first: dt.date | None = None
    for m in _FULL_DATE.finditer(text):
        try:
            day = dt.date(_number(m[1]), _number(m[2] or m[4]), _number(m[3] or m[5]))
        except ValueError:
            continue
        line_start = text.rfind("\n", 0, m.start()) + 1
        line_end = text.find("\n", m.end())
        line = text[line_start:line_end if line_end >= 0 else len(text)].strip(" \t（）()")
        if line == m[0].strip() or _DATE_LABEL.search(text[line_start:m.start()]):
            return day
        first = first or day
    return first


_SINCE = re.compile(r"(?:从|自)$")
_COMPARED = re.compile(r"(?:较|比|与|同比|环比|相比|比上)$")  # 较去年: a base, not the period
_SINCE_AFTER = re.compile(r"^(?:起|以来|开始|启动|至今)")
_UNTIL = re.compile(r"(?:截至|截止到|截止|截至到|到|至)$")
_NOW = re.compile(r"截至目前|截止目前|截至今日|至今|目前为止")


class Dates:
    """The dates of a text, sorted, for the period of each figure in logarithmic time."""

    def __init__(self, text: str, report: dt.date):
        self.text, self.report = text, report
        self.found = find_dates(text, report)
        self._starts = [d.start for d in self.found]

    def period_for(self, start: int) -> tuple[str, bool]:
        """The period of a figure, and whether a year was taken from the report: the dates of
        its sentence before it; `从2018年5月…截至目前` is 2018-05 until the report's date."""
        text, report = self.text, self.report
        sentence_start, _ = bounds(text, start, start, SENTENCE_END)
        since = until = plain = None
        low = bisect.bisect_left(self._starts, sentence_start)
        high = bisect.bisect_left(self._starts, start)
        for date in self.found[low:high]:
            lead, tail = text[max(0, date.start - 4):date.start], text[date.end:date.end + 3]
            if _COMPARED.search(lead):
                continue
            if _SINCE.search(lead) or _SINCE_AFTER.match(tail):
                since = date
            elif _UNTIL.search(lead):
                until = date
            else:
                plain = date
        now = report.isoformat() if (until is None
                                     and _NOW.search(text[sentence_start:start])) else None
        if since is not None:
            last = until.text.split("/")[-1] if until else now or report.isoformat()
            first = since.text.split("/")[0]
            guessed = since.year_guessed or bool(until and until.year_guessed)
            return (first if first == last else f"{first}/{last}"), guessed
        for date in (until, plain):
            if date is not None:
                return date.text, date.year_guessed
        return now or report.isoformat(), False
