"""The fields records are made of: ids, short phrases, text in both languages, days and
periods as officials write them, figures as printed, officials in their public role. Every
record is frozen and forbids unknown fields, so a typo in a data file is an error."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    StringConstraints,
    model_validator,
)

from civic.dates import parse_date, parse_period
from civic.problems import Coded
from civic.quantities import Quantity, parse_quantity

LOCATOR_MAX = 20


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


Id = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=48)]
NonEmpty = Annotated[str, StringConstraints(min_length=1)]


def _short(text: str) -> str:
    if len(text) > LOCATOR_MAX:
        raise Coded("too_long", limit=LOCATOR_MAX, count=len(text))
    return text


ShortPhrase = Annotated[NonEmpty, AfterValidator(_short)]


def _day(value: Any) -> Any:
    return parse_date(value) if isinstance(value, str) else value


Day = Annotated[dt.date, BeforeValidator(_day)]
"""A day, written as officials write it (`2024/1/31`, `2024年1月31日`: see `civic.dates`)."""


class LocalText(Frozen):
    """A name or label in both languages of the dashboard."""

    zh: NonEmpty
    en: NonEmpty



class Period(Frozen):
    """The date or span a fact refers to, as precise as the source is.

    Written in data as `2023-11-15`, `2023-07`, `2021`, or `START/END` for a span
    (`2021/2023-11-15`: from some time in 2021 until the edition date), or as officials write
    dates (`2024/1/31`, `2024年1月`, `2021至2024-06-30`: see `civic.dates`); `text` is always
    the one written form, so the same period written two ways is the same.
    """

    start: dt.date
    end: dt.date
    text: str

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, data: Any) -> Any:
        if isinstance(data, dt.datetime):
            data = data.date()
        if isinstance(data, dt.date):
            data = data.isoformat()
        if isinstance(data, int):
            data = str(data)
        if not isinstance(data, str):
            return data
        start, end, text = parse_period(data)
        return {"start": start, "end": end, "text": text}

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end < self.start:
            raise Coded("period_order", value=repr(self.text))
        return self

    def __str__(self) -> str:
        return self.text


def span_text(periods: list[tuple[str, dt.date, dt.date]]) -> str:
    """The span several periods (text, start, end) cover together, as precisely as they are
    written: from the first one's start (2022-12) to the last one's end (2023-11-15)."""
    start = min(periods, key=lambda p: p[1])[0].split("/")[0]
    end = max(periods, key=lambda p: p[2])[0].split("/")[-1]
    return start if start == end else f"{start}/{end}"


class Official(Frozen):
    """An official named in a public role; private persons are never recorded."""

    name: NonEmpty
    pinyin: str | None = None
    """The name in Latin letters, shown beside the characters in English."""
    title: LocalText


def _quantity(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)  # YAML reads `reported: 14` as a number
    return parse_quantity(value) if isinstance(value, str) else value


ReportedQuantity = Annotated[Quantity, BeforeValidator(_quantity)]
