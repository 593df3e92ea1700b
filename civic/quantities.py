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
from fractions import Fraction

from pydantic import BaseModel, ConfigDict, Field, model_validator

from civic.dates import ascii_digits
from civic.problems import Coded
from civic.units import (
    INFIXES,
    MULTIPLIERS,
    NEUTRAL_PREFIXES,
    PREFIXES,
    SCALES,
    SUFFIXES,
    SURFACES,
    UNITS,
    Qualifier,
    Unit,
)

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


class QuantityError(Coded):
    """A figure that cannot be read: a code, the text quoted (`value`) and what is wrong."""


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
    rf"(?P<more1>[{''.join(INFIXES)}])?"
    rf"(?P<mult>{_alternation(MULTIPLIERS)})?"
    rf"(?P<more2>[{''.join(INFIXES)}])?"
)
_FIGURE = re.compile(rf"{_HEAD}(?P<unit>{_alternation(SURFACES)})?")
_FIGURE_ANY_TAIL = re.compile(rf"{_HEAD}(?P<rest>.*)")
_LOOSE_NUMBER = re.compile(rf"[\d.,]+|[{_CN_NUMERAL_CHARS}]+")
_SPLIT_NUMERAL = re.compile(rf"\d\s+\d|[{_CN_NUMERAL_CHARS}]\s+[{_CN_NUMERAL_CHARS}]")
_ANY_NUMERAL = re.compile(rf"[\d{_CN_NUMERAL_CHARS}]")
_NEGATIVE = re.compile(r"^[-−负]")

# `6个多小时`, `3个多月`: the 多 inside the measure word, read as `6多个小时`.
_MORE_INSIDE = re.compile(rf"个([{''.join(INFIXES)}])(?=小时|月|星期)")
# `四个半月`, `两个半小时`, `一年半`: a half more than the number.
_HALF = re.compile(r"个半(?=小时|月|星期)|(?<=年)半$")

# A figure as it stands in running text, for `find_quantities`: the same words as above,
# without the names, so that both ends of a range fit in one pattern.
_TEXT_NUMBER = rf"(?:{_PERCENT_WORD}(?:{_ARABIC}|{_CN_NUMERAL})|{_ARABIC}|{_CN_NUMERAL})"
_TEXT_ONE = (
    rf"{_TEXT_NUMBER}[{''.join(INFIXES)}]?(?:{_alternation(MULTIPLIERS)})?"
    rf"[{''.join(INFIXES)}]?(?:个[{''.join(INFIXES)}半](?:小时|月|星期)|年半"
    rf"|{_alternation(SURFACES)})?"
)
_TEXT_WORDS = (
    rf"(?:{_alternation(NEUTRAL_PREFIXES)})*(?:{_alternation(PREFIXES)})*",
    rf"(?:{_alternation(SUFFIXES)})*",
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
    surface: str | None  # the measure word as written, a key of SURFACES
    qualifier: Qualifier | None

    def value(self) -> Fraction:
        factor = SURFACES[self.surface][1] if self.surface else Fraction(1)
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
        multiplier=MULTIPLIERS[m["mult"]] if m["mult"] else None,
        surface=m["unit"],
        qualifier=INFIXES[more] if more else None,
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
    known = next((s for s in sorted(SURFACES, key=len, reverse=True) if rest.startswith(s)), None)
    if known:
        return _error(text, "after_unit", rest=repr(rest[len(known):]), surface=repr(known))
    return _error(text, "unknown_surface", surface=repr(rest), known=" ".join(SURFACES))


def _combine(qualifiers: list[Qualifier], text: str) -> Qualifier:
    distinct = list(dict.fromkeys(qualifiers))
    if len(distinct) > 1:
        raise _error(text, "qualifiers", qualifiers=", ".join(distinct))
    return distinct[0] if distinct else Qualifier.EXACT


def _code(surface: str | None) -> str:
    return SURFACES[surface][0] if surface else "count"


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
    s = re.sub(f"^(?:{_alternation(NEUTRAL_PREFIXES)})+", "", s)
    s = _MORE_INSIDE.sub(r"\1个", s)
    s, before = _strip_words(s, PREFIXES, at_start=True)
    s, after = _strip_words(s, SUFFIXES, at_start=False)
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
        lo_value = lo_value * SCALES[low_code][1] / SCALES[high_code][1]
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
    return SCALES.get(a, ("",))[0] == SCALES.get(b, ("",))[0] == "mass"


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
        SCALES.get(code, (code, Fraction(1))) for code in (from_unit, to_unit)
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


_LONGEST_PREFIX = max(len(w) for w in [*PREFIXES, *NEUTRAL_PREFIXES]) * 2
# No figure a report states is written with more characters than this (1,234,567,890.5 has
# 15): a longer run of digits or numerals is skipped whole, so the search stays linear.
_LONGEST_NUMERAL = 24
_NUMERAL_RUN = re.compile(rf"[\d,.{_CN_NUMERAL_CHARS}]+")
