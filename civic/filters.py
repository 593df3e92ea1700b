"""The filter state of a view, to and from the URL, and applied to frames.

A link reopens the same view: `?lang=en&dept=zz_drc&dept=zz_cdc&district=lusong&category=
investment&from=2023-01-01&to=2023-12-31`. Values that do not parse or name nothing known
are dropped with a notice the page shows; they never crash it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from civic.departments import city_wide, with_units
from civic.i18n import DEFAULT_LANG, LANGS
from civic.models import Category, Dataset

QUERY_KEYS = ("lang", "dept", "district", "category", "from", "to")


@dataclass(frozen=True)
class Filters:
    lang: str = DEFAULT_LANG
    departments: tuple[str, ...] = ()
    district: str | None = None
    category: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


@dataclass(frozen=True)
class Notice:
    """A query value that was ignored: an i18n key and the offending value."""

    key: str
    value: str


@dataclass(frozen=True)
class Options:
    """What the data offers to filter by."""

    departments: tuple[str, ...]
    districts: tuple[str, ...]
    categories: tuple[str, ...] = field(default=tuple(str(c) for c in Category))

    @classmethod
    def of(cls, dataset: Dataset) -> Options:
        return cls(
            departments=tuple(d.id for d in dataset.departments),
            districts=tuple(d.id for d in dataset.districts),
        )


def _values(params: Mapping[str, str | list[str]], key: str) -> list[str]:
    value = params.get(key)
    if value is None:
        return []
    return [v for v in ([value] if isinstance(value, str) else list(value)) if v != ""]


def _single(params: Mapping[str, str | list[str]], key: str, notices: list[Notice]) -> str | None:
    values = _values(params, key)
    for extra in values[1:]:
        notices.append(Notice(f"notice.repeated_{key}", extra))
    return values[0] if values else None


def _date(text: str | None, key: str, notices: list[Notice]) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        notices.append(Notice(f"notice.bad_{key}", text))
        return None


def from_query(params: Mapping[str, str | list[str]], options: Options) -> tuple[Filters, list[Notice]]:
    """Filters from URL query parameters; every value ignored comes back as a notice."""
    notices: list[Notice] = []
    lang = _single(params, "lang", notices)
    if lang is not None and lang not in LANGS:
        notices.append(Notice("notice.bad_lang", lang))
        lang = None
    departments = []
    for dept in _values(params, "dept"):
        if dept not in options.departments:
            notices.append(Notice("notice.bad_dept", dept))
        elif dept not in departments:
            departments.append(dept)
    district = _single(params, "district", notices)
    if district is not None and district not in options.districts:
        notices.append(Notice("notice.bad_district", district))
        district = None
    category = _single(params, "category", notices)
    if category is not None and category not in options.categories:
        notices.append(Notice("notice.bad_category", category))
        category = None
    date_from = _date(_single(params, "from", notices), "from", notices)
    date_to = _date(_single(params, "to", notices), "to", notices)
    if date_from and date_to and date_to < date_from:
        notices.append(Notice("notice.bad_range", f"{date_from}/{date_to}"))
        date_from = date_to = None
    filters = Filters(
        lang=lang or DEFAULT_LANG,
        departments=tuple(departments),
        district=district,
        category=category,
        date_from=date_from,
        date_to=date_to,
    )
    return filters, notices


def to_query(filters: Filters) -> dict[str, str | list[str]]:
    """The query parameters that reopen this view; defaults are left out."""
    query: dict[str, str | list[str]] = {}
    if filters.lang != DEFAULT_LANG:
        query["lang"] = filters.lang
    if filters.departments:
        query["dept"] = list(filters.departments)
    if filters.district:
        query["district"] = filters.district
    if filters.category:
        query["category"] = filters.category
    if filters.date_from:
        query["from"] = filters.date_from.isoformat()
    if filters.date_to:
        query["to"] = filters.date_to.isoformat()
    return query


def matching_programs(filters: Filters, programs: pd.DataFrame, participation: pd.DataFrame,
                      departments: pd.DataFrame) -> list[str]:
    """Programs a department (or one of its units) leads or takes part in, in the district
    and category chosen.

    A district keeps the programs its departments take part in and the city-wide ones, led
    by a department that works for the whole city (the flu advisory applies there too).
    They come in category order (that of the pages), then by id.
    """
    keep = programs
    if filters.category:
        keep = keep[keep["category"] == filters.category]
    ids = set(keep["program"])
    if filters.departments:
        chosen = with_units(departments, filters.departments)
        ids &= set(participation.loc[participation["department"].isin(chosen), "program"])
    if filters.district:
        in_district = departments.loc[departments["district"] == filters.district, "department"]
        local = set(participation.loc[participation["department"].isin(in_district), "program"])
        ids &= local | set(programs.loc[programs["lead"].isin(city_wide(departments)), "program"])
    order = {str(c): i for i, c in enumerate(Category)}
    ranked = programs.assign(rank=programs["category"].map(order)).sort_values(["rank", "program"])
    return [p for p in ranked["program"] if p in ids]


def in_date_range(filters: Filters, start: pd.Series, end: pd.Series | None = None) -> pd.Series:
    """Rows whose date (or span from `start` to `end`) overlaps the chosen range; none when
    the range is reversed."""
    end = start if end is None else end
    reversed_range = bool(filters.date_from and filters.date_to
                          and filters.date_to < filters.date_from)
    keep = pd.Series(not reversed_range, index=start.index)
    if filters.date_from:
        keep &= end >= pd.Timestamp(filters.date_from)
    if filters.date_to:
        keep &= start <= pd.Timestamp(filters.date_to)
    return keep


def select(frame: pd.DataFrame, filters: Filters, programs: Iterable[str], start: str = "date",
           end: str | None = None) -> pd.DataFrame:
    """Rows of a record frame that belong to the programs kept and the date range chosen.

    When every row is kept, the frame itself: not a copy held by each session's view.
    """
    keep = frame["program"].isin(list(programs))
    if start in frame:
        keep &= in_date_range(filters, frame[start], frame[end] if end else None)
    return frame if keep.all() else frame[keep]
