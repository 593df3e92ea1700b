"""Figures as Chinese news text reports them: `近2亿元`, `630多名`, `6至35月龄`.

A reported figure is kept as value, canonical unit and qualifier, so that `近2亿元` is
never shown as if it were exactly 200,000,000 CNY. Parsing is strict: text that is not
understood raises `QuantityError` rather than yielding a plausible but wrong number.
Arithmetic goes through `Fraction`, so `10亿元` is exactly 1e9 and `7 ha` exactly 105 mu.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from enum import StrEnum
from fractions import Fraction
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict, Field, model_validator

from civic.dates import ascii_digits
from civic.problems import Coded

__all__ = [
    "UNITS",
    "Qualifier",
    "Quantity",
    "QuantityError",
    "Unit",
    "convert",
    "find_quantities",
    "parse_quantity",
]


class Qualifier(StrEnum):
    """How the reported figure qualifies its number."""

    EXACT = "exact"  # 4023人次
    ABOUT = "about"  # 约7公顷, 350人左右
    NEARLY = "nearly"  # 近2亿元
    MORE_THAN = "more_than"  # 超20亿元, 逾
    AT_LEAST = "at_least"  # 630多名, 百余家, 3岁以上 (shown as "630+")
    UP_TO = "up_to"  # 可达30亿元, 最高
    RANGE = "range"  # 2周至4周, 6至35月龄
    # Only calculated values carry these: a bound divided by an approximate amount
    # (超20亿元 / 约7公顷 is more than about 2.9亿元 per hectare).
    MORE_THAN_ABOUT = "more_than_about"
    UP_TO_ABOUT = "up_to_about"
    LESS_THAN = "less_than"  # 不到100人, 不足


class QuantityError(Coded):
    """A figure that cannot be read: a code, the text quoted (`value`) and what is wrong."""


class Unit(NamedTuple):
    code: str
    dimension: str  # what metrics declare they measure, e.g. "money", "persons"
    zh: str
    en: str


UNITS: dict[str, Unit] = {
    unit.code: unit
    for unit in [
        Unit("CNY", "money", "元", "CNY"),
        Unit("person", "persons", "人", "persons"),
        Unit("person_time", "person_times", "人次", "person-times"),
        Unit("organization", "organizations", "家", "organizations"),
        Unit("prefecture", "prefectures", "个市州", "cities and prefectures"),
        Unit("count", "count", "", ""),
        Unit("item", "count", "项", ""),
        Unit("piece", "count", "个", ""),  # the noun is in the metric's label: 639个 problems
        Unit("entry", "count", "条", ""),
        Unit("issue", "count", "期", "sessions"),
        Unit("session", "count", "场", "sessions"),
        Unit("building", "count", "栋", "buildings"),
        Unit("kind", "count", "种", "kinds"),
        Unit("time", "count", "次", "times"),
        Unit("household", "households", "户", "households"),
        Unit("vehicle", "count", "辆", "vehicles"),
        Unit("set", "count", "套", "sets"),
        Unit("place", "count", "处", "places"),
        Unit("facility", "count", "座", ""),  # bridges, toilets, stations: noun in the label
        Unit("institution", "count", "所", ""),  # schools, hospitals
        Unit("machine", "count", "台", "units"),
        Unit("copy", "count", "份", "copies"),
        Unit("plant", "count", "株", "plants"),
        Unit("sheet", "count", "张", ""),  # beds, tickets, cards: the noun is in the label
        Unit("round", "count", "轮", "rounds"),
        Unit("batch", "count", "批", "batches"),
        Unit("article", "count", "篇", "articles"),
        Unit("volume", "count", "册", "volumes"),
        # Goods as relief and aid reports count them, each in its own measure word.
        Unit("quilt", "count", "床", "quilts"),
        Unit("box", "count", "箱", "boxes"),
        Unit("barrel", "count", "桶", "barrels"),
        Unit("bag", "count", "袋", "bags"),
        Unit("bottle", "count", "瓶", "bottles"),
        Unit("pack", "count", "盒", "packs"),
        Unit("pair", "count", "双", "pairs"),
        Unit("room", "count", "间", "rooms"),
        Unit("head", "count", "头", "head"),  # livestock: 生猪出栏38.5万头
        Unit("tent", "count", "顶", "tents"),
        Unit("dose", "count", "剂次", "doses"),
        Unit("t", "mass", "吨", "t"),
        Unit("kg", "mass", "公斤", "kg"),
        Unit("jin", "mass", "斤", "jin"),
        Unit("m2", "area", "平方米", "m²"),
        Unit("mu", "area", "亩", "mu"),
        Unit("ha", "area", "公顷", "ha"),
        Unit("km2", "area", "平方公里", "km²"),
        Unit("m", "length", "米", "m"),
        Unit("km", "length", "公里", "km"),
        Unit("minute", "duration", "分钟", "minutes"),
        Unit("hour", "duration", "小时", "hours"),
        Unit("day", "duration", "天", "days"),
        Unit("week", "duration", "周", "weeks"),
        Unit("month", "duration", "个月", "months"),
        Unit("year", "duration", "年", "years"),
        Unit("month_of_age", "age", "月龄", "months of age"),
        Unit("year_of_age", "age", "岁", "years of age"),
        Unit("percent", "ratio", "%", "%"),
        Unit("percentage_point", "ratio", "个百分点", "percentage points"),
        Unit("fold", "ratio", "倍", "times"),
    ]
}

# Measure words as written after the number → canonical unit code. A bare `月` is left
# out: `3月` is more often March than three months.
_MEASURE_WORDS: dict[str, str] = {
    "元": "CNY",
    "名": "person",
    "人": "person",
    "位": "person",
    "个人": "person",
    "人次": "person_time",
    "家": "organization",
    "市州": "prefecture",
    "个市州": "prefecture",
    "项": "item",
    "个": "piece",
    "件": "item",
    "条": "entry",
    "期": "issue",
    "场": "session",
    "栋": "building",
    "种": "kind",
    "次": "time",
    "户": "household",
    "辆": "vehicle",
    "套": "set",
    "台": "machine",
    "处": "place",
    "份": "copy",
    "株": "plant",
    "棵": "plant",
    "张": "sheet",
    "轮": "round",
    "批": "batch",
    "篇": "article",
    "册": "volume",
    "本": "volume",
    "座": "facility",
    "所": "institution",
    "吨": "t",
    "公斤": "kg",
    "千克": "kg",
    "斤": "jin",
    "床": "quilt",
    "箱": "box",
    "桶": "barrel",
    "袋": "bag",
    "瓶": "bottle",
    "盒": "pack",
    "双": "pair",
    "间": "room",
    "头": "head",
    "顶": "tent",
    "剂次": "dose",
    "剂": "dose",
    "平方米": "m2",
    "平米": "m2",
    "亩": "mu",
    "公顷": "ha",
    "平方公里": "km2",
    "平方千米": "km2",
    "米": "m",
    "公里": "km",
    "千米": "km",
    "分钟": "minute",
    "小时": "hour",
    "个小时": "hour",
    "天": "day",
    "日": "day",
    "工作日": "day",
    "个工作日": "day",
    "周": "week",
    "星期": "week",
    "个星期": "week",
    "个月": "month",
    "年": "year",
    "月龄": "month_of_age",
    "岁": "year_of_age",
    "周岁": "year_of_age",
    "%": "percent",
    "个百分点": "percentage_point",
    "百分点": "percentage_point",
    "倍": "fold",
}

# Measure words that are a fraction of their canonical unit.
_SCALED_WORDS: dict[str, tuple[str, Fraction]] = {
    "成": ("percent", Fraction(10)),  # 七成 is 70%
}

_SURFACES: dict[str, tuple[str, Fraction]] = {
    **{word: (code, Fraction(1)) for word, code in _MEASURE_WORDS.items()},
    **_SCALED_WORDS,
}

# Size of each unit within a group of exactly interconvertible units. Units in different
# groups of one dimension (days and months) have no exact conversion.
_SCALES: dict[str, tuple[str, Fraction]] = {
    "m2": ("area", Fraction(1)),
    "mu": ("area", Fraction(10_000, 15)),
    "ha": ("area", Fraction(10_000)),
    "km2": ("area", Fraction(1_000_000)),
    "kg": ("mass", Fraction(1)),
    "jin": ("mass", Fraction(1, 2)),
    "t": ("mass", Fraction(1_000)),
    "m": ("length", Fraction(1)),
    "km": ("length", Fraction(1_000)),
    "minute": ("clock", Fraction(1)),
    "hour": ("clock", Fraction(60)),
    "day": ("clock", Fraction(24 * 60)),
    "week": ("clock", Fraction(7 * 24 * 60)),
    "month": ("calendar", Fraction(1)),
    "year": ("calendar", Fraction(12)),
    "month_of_age": ("age", Fraction(1)),
    "year_of_age": ("age", Fraction(12)),
}

# Multipliers written between an Arabic number and its unit: `1.5万`, `10亿`, `3千`.
_MULTIPLIERS: dict[str, Fraction] = {
    "百": Fraction(100),
    "千": Fraction(1_000),
    "万": Fraction(10**4),
    "百万": Fraction(10**6),
    "千万": Fraction(10**7),
    "亿": Fraction(10**8),
    "万亿": Fraction(10**12),
}

# Qualifier words before the number; the longest is matched first (`超过` before `超`).
_PREFIXES: dict[str, Qualifier] = {
    "近": Qualifier.NEARLY,
    "将近": Qualifier.NEARLY,
    "接近": Qualifier.NEARLY,
    "约": Qualifier.ABOUT,
    "大约": Qualifier.ABOUT,
    "大概": Qualifier.ABOUT,
    "超": Qualifier.MORE_THAN,
    "超过": Qualifier.MORE_THAN,
    "超出": Qualifier.MORE_THAN,
    "逾": Qualifier.MORE_THAN,
    "至少": Qualifier.AT_LEAST,
    "可达": Qualifier.UP_TO,
    "高达": Qualifier.UP_TO,
    "最高": Qualifier.UP_TO,
    "最多": Qualifier.UP_TO,
    "不超过": Qualifier.UP_TO,
    "不到": Qualifier.LESS_THAN,
    "不足": Qualifier.LESS_THAN,
    "少于": Qualifier.LESS_THAN,
    "低于": Qualifier.LESS_THAN,
    "不少于": Qualifier.AT_LEAST,
    "不低于": Qualifier.AT_LEAST,
}

# Words before the number that say how it was counted, not how exact it is: `累计4023人次`,
# `达到62%` (reached: as exact as the number; `可达`, `高达` are upper bounds).
_NEUTRAL_PREFIXES = ("累计", "共计", "合计", "总计", "达到", "达")

# Qualifier words after the unit: `350人左右`, `3岁以上`.
_SUFFIXES: dict[str, Qualifier] = {
    "左右": Qualifier.ABOUT,
    "上下": Qualifier.ABOUT,
    "以上": Qualifier.AT_LEAST,
    "及以上": Qualifier.AT_LEAST,
    "以下": Qualifier.UP_TO,
    "以内": Qualifier.UP_TO,
}

# Between number and unit: `630多名`, `百余家`, `10多万元`, `十几个`.
_INFIXES: dict[str, Qualifier] = {
    "多": Qualifier.AT_LEAST, "余": Qualifier.AT_LEAST, "几": Qualifier.AT_LEAST,
}

_PERCENT_WORD = "百分之"
_RANGE_SEPARATORS = "至到~〜—–-"
_CN_DIGITS = "〇零一二两三四五六七八九"
_CN_NUMERAL_CHARS = _CN_DIGITS + "十百千万亿点"
# Colloquial numerals leave off the last unit: `三万五` is 三万五千, `二百五` is 二百五十.
_IMPLIED_UNIT = {"百": "十", "千": "百", "万": "千", "亿": "千万"}


def _alternation(words: Iterable[str]) -> str:
    """Regex alternation trying longer words first, so `个小时` wins over `个`."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_CN_NUMERAL = rf"[{_CN_DIGITS}十百千万亿]+(?:点[{_CN_DIGITS}]+)?"
_ARABIC = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_HEAD = (
    rf"(?:(?P<arabic>{_ARABIC})|(?P<cn>{_CN_NUMERAL}))"
    rf"(?P<more1>[{''.join(_INFIXES)}])?"
    rf"(?P<mult>{_alternation(_MULTIPLIERS)})?"
    rf"(?P<more2>[{''.join(_INFIXES)}])?"
)
_FIGURE = re.compile(rf"{_HEAD}(?P<unit>{_alternation(_SURFACES)})?")
_FIGURE_ANY_TAIL = re.compile(rf"{_HEAD}(?P<rest>.*)")
_LOOSE_NUMBER = re.compile(rf"[\d.,]+|[{_CN_NUMERAL_CHARS}]+")
_SPLIT_NUMERAL = re.compile(rf"\d\s+\d|[{_CN_NUMERAL_CHARS}]\s+[{_CN_NUMERAL_CHARS}]")
_ANY_NUMERAL = re.compile(rf"[\d{_CN_NUMERAL_CHARS}]")
_NEGATIVE = re.compile(r"^[-−负]")

# `6个多小时`, `3个多月`: the 多 inside the measure word, read as `6多个小时`.
_MORE_INSIDE = re.compile(rf"个([{''.join(_INFIXES)}])(?=小时|月|星期)")
# `四个半月`, `两个半小时`, `一年半`: a half more than the number.
_HALF = re.compile(r"个半(?=小时|月|星期)|(?<=年)半$")

# A figure as it stands in running text, for `find_quantities`: the same words as above,
# without the names, so that both ends of a range fit in one pattern.
_TEXT_NUMBER = rf"(?:{_PERCENT_WORD}(?:{_ARABIC}|{_CN_NUMERAL})|{_ARABIC}|{_CN_NUMERAL})"
_TEXT_ONE = (
    rf"{_TEXT_NUMBER}[{''.join(_INFIXES)}]?(?:{_alternation(_MULTIPLIERS)})?"
    rf"[{''.join(_INFIXES)}]?(?:个[{''.join(_INFIXES)}半](?:小时|月|星期)|年半"
    rf"|{_alternation(_SURFACES)})?"
)
_TEXT_WORDS = (
    rf"(?:{_alternation(_NEUTRAL_PREFIXES)})*(?:{_alternation(_PREFIXES)})*",
    rf"(?:{_alternation(_SUFFIXES)})*",
)
_TEXT_RANGE = re.compile(
    rf"{_TEXT_WORDS[0]}{_TEXT_ONE}[{re.escape(_RANGE_SEPARATORS)}]{_TEXT_ONE}{_TEXT_WORDS[1]}"
)
_TEXT_SINGLE = re.compile(rf"{_TEXT_WORDS[0]}{_TEXT_ONE}{_TEXT_WORDS[1]}")
_TEXT_START = re.compile(rf"[\d{_CN_NUMERAL_CHARS}]")


class Quantity(BaseModel):
    """A reported figure: value in the canonical unit, its qualifier and the text as given."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    value: float  # for a RANGE its lower end
    value_max: float | None = None  # upper end, only for a RANGE
    unit: str
    qualifier: Qualifier = Qualifier.EXACT
    reported: str = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Quantity:
        if self.unit not in UNITS:
            raise QuantityError("unit_unknown", value=repr(self.unit), known=", ".join(UNITS))
        if (self.qualifier is Qualifier.RANGE) != (self.value_max is not None):
            raise QuantityError("range_max")
        if self.value_max is not None and self.value > self.value_max:
            raise QuantityError("range_backwards", value=f"{self.value:g}–{self.value_max:g}")
        return self


@dataclass(frozen=True)
class _Figure:
    """One number with what was written around it; a range's lower end may borrow its
    multiplier and measure word from the upper end."""

    number: Fraction
    multiplier: Fraction | None
    surface: str | None  # the measure word as written, a key of _SURFACES
    qualifier: Qualifier | None

    def value(self) -> Fraction:
        factor = _SURFACES[self.surface][1] if self.surface else Fraction(1)
        return self.number * (self.multiplier or Fraction(1)) * factor


def _error(text: str, code: str, **params: object) -> QuantityError:
    return QuantityError(code, value=repr(text), **params)


def _normalise(text: str) -> str:
    """Full-width to half-width (`４０２３`, `％`), other scripts' digits to 0–9, and drop
    spaces, unless they split a number (`10 20元` is not 1020 CNY)."""
    s = ascii_digits(unicodedata.normalize("NFKC", text))
    if _SPLIT_NUMERAL.search(s):
        raise _error(text, "space_in_number")
    return re.sub(r"\s+", "", s)


def _strip_words(
    s: str, words: dict[str, Qualifier], at_start: bool
) -> tuple[str, list[Qualifier]]:
    """Peel qualifier words off one end: `最高可达30亿元` → `30亿元`, [up_to, up_to]."""
    found: list[Qualifier] = []
    ordered = sorted(words, key=len, reverse=True)
    while word := next(
        (w for w in ordered if (s.startswith(w) if at_start else s.endswith(w))), None
    ):
        found.append(words[word])
        s = s[len(word) :] if at_start else s[: -len(word)]
    return s, found


def _cn_number(numeral: str, text: str) -> Fraction:
    """Chinese numeral via cn2an in strict mode: its smart mode reads garbage such as
    `十十万二` or `七九` as numbers. Accepted beyond strict: 两 and 〇, a leading `百`
    meaning one hundred (`百余家`), and the colloquial `三万五`."""
    import cn2an  # here: it takes half a second to import, and most texts need no numeral

    canonical = numeral.translate(str.maketrans("两〇", "二零"))
    if canonical[0] in "百千万亿":
        canonical = "一" + canonical
    # cn2an reads `一亿十万` as 1e8; written out, `一亿一十万` it reads right.
    canonical = re.sub("(?<=[百千万亿零])十", "一十", canonical)
    candidates = [canonical]
    if canonical[-2:-1] in _IMPLIED_UNIT and canonical[-1] in "一二三四五六七八九":
        candidates.append(canonical + _IMPLIED_UNIT[canonical[-2]])
    for candidate in candidates:
        try:
            return Fraction(str(cn2an.cn2an(candidate, "strict")))
        except (ValueError, KeyError):  # cn2an raises KeyError on some malformed numerals
            continue
    raise _error(text, "cn_numeral", number=repr(numeral))


def _parse_figure(part: str, text: str) -> _Figure:
    """One number with optional 多/余/几, multiplier and measure word, nothing else."""
    if part.startswith(_PERCENT_WORD):
        number = part[len(_PERCENT_WORD) :]
        if re.fullmatch(_ARABIC, number):
            return _Figure(Fraction(number.replace(",", "")), None, "%", None)
        if re.fullmatch(_CN_NUMERAL, number):
            return _Figure(_cn_number(number, text), None, "%", None)
        raise _error(text, "percent_number", number=repr(number))
    if not (m := _FIGURE.fullmatch(part)):
        raise _diagnose(part, text)
    if m["more1"] and m["more2"]:
        raise _error(text, "more_twice")
    if m["arabic"]:
        if len(m["arabic"]) > _LONGEST_NUMERAL:
            raise _error(text, "too_large")
        number = Fraction(m["arabic"].replace(",", ""))
    else:
        number = _cn_number(m["cn"], text)
    more = m["more1"] or m["more2"]
    return _Figure(
        number=number,
        multiplier=_MULTIPLIERS[m["mult"]] if m["mult"] else None,
        surface=m["unit"],
        qualifier=_INFIXES[more] if more else None,
    )


def _diagnose(part: str, text: str) -> QuantityError:
    """Say what is wrong with a figure that does not match, for a useful message."""
    loose = _LOOSE_NUMBER.match(part)
    if not loose:
        return _error(text, "number_at", number=repr(part))
    head = _FIGURE_ANY_TAIL.fullmatch(part)
    if not head or (head["arabic"] or head["cn"]) != loose[0]:
        return _error(text, "malformed_number", number=repr(loose[0]))
    rest = head["rest"]
    known = next((s for s in sorted(_SURFACES, key=len, reverse=True) if rest.startswith(s)), None)
    if known:
        return _error(text, "after_unit", rest=repr(rest[len(known):]), surface=repr(known))
    return _error(text, "unknown_surface", surface=repr(rest), known=" ".join(_SURFACES))


def _combine(qualifiers: list[Qualifier], text: str) -> Qualifier:
    distinct = list(dict.fromkeys(qualifiers))
    if len(distinct) > 1:
        raise _error(text, "qualifiers", qualifiers=", ".join(distinct))
    return distinct[0] if distinct else Qualifier.EXACT


def _code(surface: str | None) -> str:
    return _SURFACES[surface][0] if surface else "count"


def parse_quantity(text: str) -> Quantity:
    """Read one reported figure, e.g. `近2亿元` → 2e8 CNY, nearly."""
    if not isinstance(text, str):
        raise QuantityError("text_expected", value=repr(text)[:60])
    return _parse_text(text)


@functools.lru_cache(maxsize=100_000)
def _parse_text(text: str) -> Quantity:
    """Parses of the same text are shared: a Quantity is frozen, and large stores repeat their
    reported strings (Fraction arithmetic costs about 200 µs a parse)."""
    reported = text.strip()
    if not reported:
        raise _error(reported, "no_figure")
    s = _normalise(reported)
    s = re.sub(f"^(?:{_alternation(_NEUTRAL_PREFIXES)})+", "", s)
    s = _MORE_INSIDE.sub(r"\1个", s)
    s, before = _strip_words(s, _PREFIXES, at_start=True)
    s, after = _strip_words(s, _SUFFIXES, at_start=False)
    s, halves = _HALF.subn(lambda m: "个" if m[0].startswith("个") else "", s)
    if _NEGATIVE.match(s):
        raise _error(reported, "negative")
    if not _ANY_NUMERAL.search(s):
        raise _error(reported, "no_number")
    parts = re.split(f"[{re.escape(_RANGE_SEPARATORS)}]", s)
    if len(parts) > 2:
        raise _error(reported, "range_twice")
    if len(parts) == 1:
        figure = _parse_figure(s, reported)
        if halves:
            figure = replace(figure, number=figure.number + Fraction(1, 2))
        infix = [figure.qualifier] if figure.qualifier else []
        return Quantity(
            value=_float(figure.value(), reported),
            unit=_code(figure.surface),
            qualifier=_combine(before + after + infix, reported),
            reported=reported,
        )
    if halves:
        raise _error(reported, "half_in_range")
    return _parse_range(parts[0], parts[1], before + after, reported)


def _float(value: Fraction, text: str) -> float:
    """An exact value as a float; a number past what a float holds is a problem, not a crash."""
    try:
        return float(value)
    except OverflowError:
        raise _error(text, "too_large") from None


def _parse_range(low: str, high: str, qualifiers: list[Qualifier], text: str) -> Quantity:
    """`2周至4周`, `6至35月龄`, `2至3万元`: a bare lower end takes the upper end's
    multiplier and unit, as Chinese writes it (`2至3万元` is 20,000 to 30,000 CNY)."""
    if not low or not high:
        raise _error(text, "range_ends")
    lo, hi = _parse_figure(low, text), _parse_figure(high, text)
    if qualifiers or lo.qualifier or hi.qualifier:
        raise _error(text, "range_qualified")
    if lo.surface and not hi.surface:
        raise _error(text, "range_unit_last")
    low_code, high_code = _code(lo.surface), _code(hi.surface)
    if lo.surface and low_code != high_code and not _convertible(low_code, high_code):
        raise _error(text, "range_units", low=repr(lo.surface), high=repr(hi.surface))
    converted = lo.surface is not None and low_code != high_code
    if lo.surface is None:
        lo = replace(lo, multiplier=lo.multiplier or hi.multiplier, surface=hi.surface)
    lo_value, hi_value = lo.value(), hi.value()
    if converted:  # 500千克至2吨: the lower end in the upper end's unit
        lo_value = lo_value * _SCALES[low_code][1] / _SCALES[high_code][1]
    if lo_value > hi_value:
        raise _error(text, "range_backwards")
    return Quantity(
        value=_float(lo_value, text),
        value_max=_float(hi_value, text),
        unit=_code(hi.surface),
        qualifier=Qualifier.RANGE,
        reported=text,
    )


def _convertible(a: str, b: str) -> bool:
    """Ends of one range in two units: weights only (500千克至2吨); 2周至4天 stays an error."""
    return _SCALES.get(a, ("",))[0] == _SCALES.get(b, ("",))[0] == "mass"


def convert(value: float, from_unit: str, to_unit: str) -> float:
    """Convert between units of one dimension where the ratio is exact (ha↔亩, 岁↔月龄)."""
    for code in (from_unit, to_unit):
        if code not in UNITS:
            raise QuantityError("unit_unknown", value=repr(code), known=", ".join(UNITS))
    if not math.isfinite(value):
        raise QuantityError("not_finite", value=repr(value))
    if from_unit == to_unit:
        return float(value)
    source, target = UNITS[from_unit], UNITS[to_unit]
    if source.dimension != target.dimension:
        raise QuantityError("dimensions_differ", from_unit=from_unit, to_unit=to_unit)
    (group_from, size_from), (group_to, size_to) = (
        _SCALES.get(code, (code, Fraction(1))) for code in (from_unit, to_unit)
    )
    if group_from != group_to:
        raise QuantityError("no_conversion", from_unit=from_unit, to_unit=to_unit)
    # The decimal the float prints as, so that 0.1 day is 2.4 hours, not 2.4000000000000004.
    return float(Fraction(repr(float(value))) * size_from / size_to)


def find_quantities(text: str) -> Iterator[tuple[int, int, Quantity]]:
    """Every figure `parse_quantity` reads in running text, as (start, end, quantity), left
    to right: a range where both ends read as one (`2至4周`), else the single figure.

    The text is searched as it is, so positions point into it; what a figure *means* in its
    sentence (a date, an ordinal, a phone number) is for the caller to judge.
    """
    pos = 0
    while match := _TEXT_START.search(text, pos):
        # Qualifier words stand before the number: look back for the longest that fits.
        start = match.start()
        run = _NUMERAL_RUN.match(text, start)
        if run.end() - start > _LONGEST_NUMERAL:  # a code or a table's digits, read once
            pos = run.end()
            continue
        for back in range(min(start - pos, _LONGEST_PREFIX), -1, -1):
            found = _read_at(text, start - back)
            if found and found[0] <= start < found[1]:
                break
        else:
            found = None
        if found is None:
            pos = start + 1
            continue
        yield found
        pos = found[1]


def _read_at(text: str, start: int) -> tuple[int, int, Quantity] | None:
    for pattern in (_TEXT_RANGE, _TEXT_SINGLE):
        m = pattern.match(text, start)
        if not m or not _TEXT_START.search(m[0]):
            continue
        try:
            return m.start(), m.end(), parse_quantity(m[0])
        except QuantityError:
            continue
    return None


_LONGEST_PREFIX = max(len(w) for w in [*_PREFIXES, *_NEUTRAL_PREFIXES]) * 2
# No figure a report states is written with more characters than this (1,234,567,890.5 has
# 15): a longer run of digits or numerals is skipped whole, so the search stays linear.
_LONGEST_NUMERAL = 24
_NUMERAL_RUN = re.compile(rf"[\d,.{_CN_NUMERAL_CHARS}]+")
