"""How a metric moves: its history, the change since its previous report, its peers.

Pure functions on figures frames (the columns of `civic.frames.FIGURE_COLUMNS`): a frame in,
a frame out. A series is one program's figures of one metric and group, ordered by the date
each period ends. A change is measured from the previous report of the same series; for a
running total (`cumulative`) it is what was added between the two reports. A range has no
single value, so no change is computed from or to it; a bound or an approximate value gives
an approximate change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from civic.quantities import Qualifier

SERIES = ["program", "metric", "group_zh"]
SPARK_POINTS = 3
"""A sparkline needs at least three reports; two make a line that says no more than the change."""

_EXACT = {Qualifier.EXACT.value}


def _key(frame: pd.DataFrame) -> list[pd.Series]:
    # Ungrouped figures have no group; group them together rather than dropping them.
    return [frame["program"].astype(str), frame["metric"].astype(str),
            frame["group_zh"].fillna("").astype(str)]


def with_changes(figures: pd.DataFrame) -> pd.DataFrame:
    """Every figure with the change since the previous report of its series.

    Adds `previous` (value), `previous_date` (when the previous report's period ends),
    `previous_period` (that period as written),
    `change`, `change_pct` (of the previous value; none from zero) and `change_approx`
    (either side is qualified). A series' first figure, and any next to a range, has none.
    """
    frame = figures.sort_values("date_end", kind="stable")
    grouped = frame.groupby(_key(frame), sort=False)
    previous = grouped["value"].shift()
    previous_date = grouped["date_end"].shift()
    previous_period = grouped["period"].shift()
    previous_qualifier = grouped["qualifier"].shift()
    ranged = (frame["qualifier"].astype(str) == Qualifier.RANGE) | (
        previous_qualifier.astype(str) == Qualifier.RANGE)
    change = (frame["value"] - previous).where(~ranged & previous.notna())
    base = previous.where(previous != 0)
    out = frame.assign(
        previous=previous.where(change.notna()),
        previous_date=previous_date.where(change.notna()),
        previous_period=previous_period.where(change.notna()),
        change=change,
        change_pct=(change / base.abs() * 100).where(change.notna()),
        change_approx=change.notna() & ~(frame["qualifier"].astype(str).isin(_EXACT)
                                         & previous_qualifier.astype(str).isin(_EXACT)),
    )
    return out.loc[figures.index]


KEPT_SERIES = 20_000
"""Series kept once asked for (each a few rows): every page of every session asks again."""


class Histories:
    """Every series of a figures frame with its changes, computed in one pass: a page asks for
    dozens of series, and each is then a lookup rather than a pass over the whole frame.

    Series asked for are kept, with their newest report, for the next run of any session;
    callers read them and never change them.
    """

    def __init__(self, figures: pd.DataFrame):
        self.frame = with_changes(figures).sort_values("date_end", kind="stable")
        """Every figure with its change, oldest first (ties in the frame's order)."""
        self._rows = self.frame.groupby(_key(self.frame), sort=False).indices
        self._kept: dict[tuple, pd.DataFrame] = {}
        self._kept_newest: dict[tuple, object | None] = {}

    def _series(self, key: tuple) -> pd.DataFrame:
        found = self._kept.get(key)
        if found is None:
            program, metric, group, end = key
            found = self.frame.iloc[self._rows.get((program, metric, group), [])]
            if end is not None:
                found = found[found["date_end"] <= end]
            found = found.reset_index(drop=True)
            if len(self._kept) >= KEPT_SERIES:
                self._kept.clear()
            self._kept[key] = found
        return found

    @cached_property
    def _newest_of_all(self) -> dict[tuple, object]:
        """Every series' newest report, made in one `itertuples` over the last rows: a row made
        per series cost about 1 ms (pandas builds the row's type each call), a first page's
        cards ask for hundreds. Each row is as `newest` gives it, its Index its series'."""
        keys = list(self._rows)
        last = self.frame.iloc[[self._rows[k][-1] for k in keys]]
        last = last.set_axis([len(self._rows[k]) - 1 for k in keys], axis=0)
        return dict(zip(keys, last.itertuples()))

    def series(self, program: str, metric: str, group: str | None = None,
               end: pd.Timestamp | None = None) -> pd.DataFrame:
        """One series as reported up to `end` (every report where `end` is None), oldest
        first, with its changes."""
        return self._series((program, metric, group or "", end))

    def newest(self, program: str, metric: str, group: str | None = None,
               end: pd.Timestamp | None = None) -> object | None:
        """The series' newest report up to `end`, a row as `DataFrame.itertuples` gives it."""
        if end is None:
            return self._newest_of_all.get((program, metric, group or ""))
        key = (program, metric, group or "", end)
        if key not in self._kept_newest:
            if len(self._kept_newest) >= KEPT_SERIES:
                self._kept_newest.clear()
            self._kept_newest[key] = next(self._series(key).tail(1).itertuples(), None)
        return self._kept_newest[key]


def series(figures: pd.DataFrame, program: str, metric: str, group: str | None = None,
           end: pd.Timestamp | None = None) -> pd.DataFrame:
    """One series of `figures` (see `Histories.series`)."""
    rows = figures[(figures["program"] == program) & (figures["metric"] == metric)]
    return Histories(rows).series(program, metric, group, end)


def verdict(change: float, higher_is_better: bool | None) -> str:
    """better, worse, same, or changed (where the metric does not say which way is good)."""
    if change == 0:
        return "same"
    if higher_is_better is None:
        return "changed"
    return "better" if (change > 0) == higher_is_better else "worse"


def progress(value: float, target: float, at_least: bool = True) -> float | None:
    """How far a value has come towards its target, 1.0 being there; None where it cannot say."""
    if at_least:
        return value / target if target > 0 else None
    return target / value if value > 0 else None


_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONTH = re.compile(r"^\d{4}-\d{2}$")
_YEAR = re.compile(r"^\d{4}$")


def period_kind(text: str) -> str:
    """What kind of period a figure covers: a date (a day or a month: the state then), a
    year (an annual figure), or a span (a running total from one date to another)."""
    if _DAY.match(text) or _MONTH.match(text):
        return "date"
    return "year" if _YEAR.match(text) else "span"


COMPARE_BY = ("department", "district", "program", "group")
"""What a metric is compared across: departments, districts, programs (each investment project is
one) or the groups of a breakdown (age groups, cases)."""


@dataclass(frozen=True)
class Comparison:
    """One metric across departments, districts, programs or groups: the figures that compare,
    largest first, and the rest with the reason each cannot stand with them."""

    comparable: pd.DataFrame
    not_comparable: pd.DataFrame


def _side(rows: pd.DataFrame, by: str) -> pd.Series:
    """What each figure stands for when compared `by`: its department, district, program, or
    its program's group; missing where it has none."""
    if by == "group":
        return (rows["program"].astype(str) + "/" + rows["group_zh"].astype("string")).astype(
            object).where(rows["group_zh"].notna())
    return rows[by].astype(object).where(rows[by].notna())


def sides(figures: pd.DataFrame) -> dict[str, list[str]]:
    """Each metric that can be compared (in the figures' order) → the ways it can: those of
    `COMPARE_BY` with two or more of a kind. One pass over the figures for all metrics (one
    filter per metric took half a second for the seed's 46)."""
    whole = figures[figures["group_zh"].isna()]
    kinds = {by: _side(figures if by == "group" else whole, by).groupby(
        (figures if by == "group" else whole)["metric"].astype(str)).nunique()
        for by in COMPARE_BY}
    found = {metric: [by for by in COMPARE_BY if kinds[by].get(metric, 0) >= 2]
             for metric in dict.fromkeys(figures["metric"].astype(str))}
    return {metric: ways for metric, ways in found.items() if ways}


def compare(figures: pd.DataFrame, metric: str, by: str,
            end: pd.Timestamp | None = None) -> Comparison:
    """The latest figure of `metric` for each department, district, program or group (`by`) up
    to `end`, its date shown whatever it is: figures of different dates stand together.

    Figures compare when they share the unit and the kind of period (a date, a year, a span)
    of the most common such pair (the largest first); a part of a breakdown (but by group), a
    whole (by group), a range, a figure with no district (city-wide), another unit or another
    kind of period is listed with its reason (`reason`). `side` says what each stands for.
    """
    rows = figures[figures["metric"] == metric]
    if end is not None:
        rows = rows[rows["date_end"] <= end]
    rows = rows.assign(kind=rows["period"].astype(str).map(period_kind), side=_side(rows, by))
    reasons = pd.Series("", index=rows.index)
    if by == "group":
        reasons[rows["group_zh"].isna()] = "whole"
    else:
        reasons[rows["group_zh"].notna()] = "group"
    reasons[(reasons == "") & (rows["qualifier"].astype(str) == Qualifier.RANGE)] = "range"
    reasons[(reasons == "") & rows["side"].isna()] = f"no_{by}"
    candidates = rows[reasons == ""].sort_values("date_end", kind="stable")
    latest = candidates.groupby(candidates["side"].astype(str), sort=False).tail(1)
    if not latest.empty:
        unit, kind = latest.groupby(["unit", "kind"], sort=False).size().idxmax()
        reasons[latest.index[latest["unit"] != unit]] = "unit"
        reasons[latest.index[(latest["unit"] == unit) & (latest["kind"] != kind)]] = "period_kind"
    older = candidates.index.difference(latest.index)
    reasons[older] = "older"
    rows = rows.assign(reason=reasons)
    comparable = rows[rows["reason"] == ""].sort_values("value", ascending=False, kind="stable")
    rest = rows[~rows["reason"].isin(["", "older"])]
    return Comparison(comparable.reset_index(drop=True), rest.reset_index(drop=True))
