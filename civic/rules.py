"""The rules that span figures, written once: the loader, the store's writer and its bulk path
all judge figures by these, on a frame of figures (`FRAME_COLUMNS`), so the three cannot drift.

- a figure (program, metric, period, group) is given once;
- its unit fits its metric, which is not a derived one, and a reported figure has a locator
  of at most 20 characters;
- it does not end after the report it cites (a period written as a month or a year may end in
  the report's own month or year: 本月, 今年);
- a metric declared `at_most` another (problems solved, found) never exceeds it on the same
  program, group and period end;
- a running total (`cumulative`) continues its series: the same start, and never smaller than
  the report before it, unless the figure is marked a correction, with a note.

Rules of one figure judge the rows of `check`; rules of two (the key, `at_most`, the series)
judge every pair with a row of `new`, and name the new one. Jumps of more than 10× (or falls
below a tenth) are warnings, for the preview to show, never refusals.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from civic.fields import LOCATOR_MAX
from civic.models import Basis, Figure, Metric, Source
from civic.problems import number
from civic.quantities import UNITS

FRAME_COLUMNS = ["program", "metric", "group_zh", "department", "source", "date", "date_end",
                 "period", "value", "unit", "qualifier", "locator", "basis", "correction"]
"""What the rules read of a figure; `new` and `check` (booleans) say which rows they judge."""

JUMP = 10
"""A report more than this many times the one before it, or under its tenth, is a warning."""


@dataclass(frozen=True)
class Known:
    """What the rules need to know beyond the figures: each metric's dimension, which metrics
    are running totals, which never exceed which, and each source's date."""

    dimensions: Mapping[str, str] = field(default_factory=dict)
    cumulative: frozenset[str] = frozenset()
    at_most: Mapping[str, str] = field(default_factory=dict)
    source_dates: Mapping[str, dt.date] = field(default_factory=dict)
    derived: frozenset[str] = frozenset()

    @classmethod
    def of(cls, metrics: Iterable[Metric], sources: Iterable[Source]) -> Known:
        metrics = list(metrics)
        return cls(dimensions={m.id: m.dimension for m in metrics},
                   cumulative=frozenset(m.id for m in metrics if m.cumulative),
                   at_most={m.id: m.at_most for m in metrics if m.at_most},
                   source_dates={s.id: s.edition_date for s in sources},
                   derived=frozenset(m.id for m in metrics if m.derived))


@dataclass(frozen=True)
class Found:
    """A rule broken by the frame's row `row` (its index label), in `field`."""

    row: Any
    field: str
    code: str
    params: dict[str, Any]


def figure_frame(figures: Sequence[Figure], index: Sequence[Any] | None = None) -> pd.DataFrame:
    """The rules' frame of figure models (all new and checked); `index` labels their rows."""
    frame = pd.DataFrame([{
        "program": f.program, "metric": f.metric, "group_zh": f.group.zh if f.group else None,
        "department": f.department, "source": f.source, "date": f.period.start,
        "date_end": f.period.end, "period": f.period.text, "value": f.value, "unit": f.unit,
        "qualifier": str(f.qualifier), "locator": f.locator, "basis": str(f.basis),
        "correction": f.correction,
    } for f in figures], columns=FRAME_COLUMNS,
        index=list(index) if index is not None else None)
    return frame.assign(new=True, check=True)


def _key(frame: pd.DataFrame) -> pd.Series:
    return (frame["program"].astype(str) + "/" + frame["metric"].astype(str) + "/"
            + frame["period"].astype(str) + "/" + frame["group_zh"].fillna("").astype(str))


def _dates(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values).dt.normalize()


def problems(frame: pd.DataFrame, known: Known) -> list[Found]:
    """Every rule `frame` breaks (see the module), the rows named by their index labels."""
    frame = frame.assign(group_zh=frame["group_zh"].where(frame["group_zh"].notna(), None),
                         date=_dates(frame["date"]), date_end=_dates(frame["date_end"]))
    return (_twice(frame) + _units(frame, known) + _locators(frame) + _after_source(frame, known)
            + _exceeds(frame, known) + _series(frame, known))


def warnings(frame: pd.DataFrame) -> list[Found]:
    """Reports far outside their series (more than `JUMP` times the one before, or under its
    `JUMP`th), for the new rows: worth a second look, not refused."""
    found = []
    frame = frame.assign(date=_dates(frame["date"]), date_end=_dates(frame["date_end"]))
    for pair in _pairs(frame, pd.Series(True, index=frame.index)).itertuples():
        if not (pair.new or pair.prev_new) or pair.prev_value <= 0 or pair.value <= 0:
            continue
        if pair.value > pair.prev_value * JUMP or pair.value * JUMP < pair.prev_value:
            found.append(Found(pair.row if pair.new else pair.prev_row, "reported",
                               "series_jump", {"metric": pair.metric,
                                               "value": number(pair.value),
                                               "period": pair.period,
                                               "previous": number(pair.prev_value),
                                               "previous_period": pair.prev_period}))
    return found


def _twice(frame: pd.DataFrame) -> list[Found]:
    twice = _key(frame).duplicated(keep="first")
    return [Found(row, "period", "twice", {}) for row in frame.index[twice.to_numpy(bool)]]


def _units(frame: pd.DataFrame, known: Known) -> list[Found]:
    rows = frame[frame["check"]]
    expected = rows["metric"].map(known.dimensions)
    actual = rows["unit"].map({code: unit.dimension for code, unit in UNITS.items()})
    wrong = expected.notna() & (expected != actual)
    calculated = rows["metric"].isin(known.derived) & (rows["basis"].astype(str)
                                                       == str(Basis.REPORTED))
    return [Found(row, "metric", "derived_reported", {"metric": r.metric})
            for row, r in rows[calculated].iterrows()] + [
        Found(row, "reported", "unit", {"unit": r.unit, "metric": r.metric})
        for row, r in rows[wrong & ~calculated].iterrows()]


def _locators(frame: pd.DataFrame) -> list[Found]:
    rows = frame[frame["check"] & (frame["basis"].astype(str) == str(Basis.REPORTED))]
    locator = rows["locator"].astype("string").str.strip()
    found = [Found(row, "locator", "locator", {})
             for row in rows.index[(locator.isna() | (locator == "")).to_numpy(bool)]]
    long = locator.str.len() > LOCATOR_MAX
    return found + [Found(row, "locator", "too_long", {"limit": LOCATOR_MAX,
                                                      "count": len(rows.at[row, "locator"])})
                    for row in rows.index[long.fillna(False).to_numpy(bool)]]


def _latest_possible_end(periods: pd.Series, ends: pd.Series) -> pd.Series:
    """The earliest day a period may be taken to end: a written year or month may be the one
    the report is in (its end is then "so far"), a day is that day."""
    last = periods.astype(str).str.split("/").str[-1]
    year = pd.to_datetime(last.str[:4] + "-01-01", errors="coerce")
    month = pd.to_datetime(last.str[:7] + "-01", errors="coerce")
    return ends.where(last.str.len() == 10, month.where(last.str.len() == 7, year))


def _after_source(frame: pd.DataFrame, known: Known) -> list[Found]:
    rows = frame[frame["check"]]
    dates = _dates(rows["source"].map(known.source_dates))
    after = dates.notna() & (_latest_possible_end(rows["period"], rows["date_end"]) > dates)
    return [Found(row, "period", "after_source",
                  {"period": r.period, "source": r.source,
                   "source_date": known.source_dates[r.source]})
            for row, r in rows[after].iterrows()]


def _exceeds(frame: pd.DataFrame, known: Known) -> list[Found]:
    """A metric `at_most` another never exceeds it on the same program, group and period end
    (of two figures of the limit there, the later in the frame counts)."""
    found = []
    where = ["program", "group_zh", "date_end"]
    for metric, limit in known.at_most.items():
        tops = frame[frame["metric"] == metric].reset_index(names="row")
        limits = (frame[frame["metric"] == limit].reset_index(names="limit_row")
                  .drop_duplicates(where, keep="last"))
        if tops.empty or limits.empty:
            continue
        pairs = tops.merge(limits[[*where, "limit_row", "value", "new"]], on=where,
                           suffixes=("", "_limit"), how="inner")
        over = pairs[(pairs["value"] > pairs["value_limit"]) & (pairs["new"] | pairs["new_limit"])]
        for pair in over.itertuples():
            params = {"value": number(pair.value), "metric": metric,
                      "limit": number(pair.value_limit), "limit_metric": limit}
            if pair.new:
                found.append(Found(pair.row, "reported", "exceeds", params))
            else:
                found.append(Found(pair.limit_row, "reported", "exceeded", params))
    return found


def _pairs(frame: pd.DataFrame, keep: pd.Series, by_start: bool = False) -> pd.DataFrame:
    """Each report of a series (program, metric, group) beside the one before it (by the
    day its period ends, then starts), for the rows `keep` marks; `by_start`: beside the one
    before it of the same start, where there is one (else the one before it)."""
    rows = frame[keep.reindex(frame.index, fill_value=False).to_numpy(bool)]
    rows = rows.assign(row=pd.Series(rows.index, index=rows.index, dtype=object),
                       group_key=rows["group_zh"].fillna("").astype(str))
    rows = rows.sort_values(["program", "metric", "group_key", "date_end", "date"],
                            kind="stable")
    columns = [c for c in ("row", "value", "date", "date_end", "period", "new", "correction")
               if c in rows]
    series = ["program", "metric", "group_key"]
    before = rows.groupby(series, sort=False)[columns].shift()
    if by_start:
        same = rows.groupby([*series, "date"], sort=False)[columns].shift()
        before = same.where(same["row"].notna(), before)
    pairs = rows.assign(**{f"prev_{c}": before[c] for c in columns})
    return pairs[pairs["prev_row"].notna()]


def _series(frame: pd.DataFrame, known: Known) -> list[Found]:
    """A running total goes on from where it was: the same start, never smaller. A report is
    measured against the last one of its start (a correction between them, of another start,
    stands apart); one of a start the series has not had breaks it."""
    pairs = _pairs(frame, frame["metric"].isin(known.cumulative), by_start=True)
    found = []
    for pair in pairs.itertuples():
        judged = pair.row if pair.new else pair.prev_row if pair.prev_new else None
        corrected = pair.correction if pair.new else pair.prev_correction
        if judged is None or (isinstance(corrected, str) and corrected.strip()):
            continue
        params = {"metric": pair.metric, "period": pair.period, "value": number(pair.value),
                  "previous": number(pair.prev_value), "previous_period": pair.prev_period,
                  "start": pair.prev_period.split("/")[0]}
        later = "" if pair.new else "_next"
        if pair.date != pair.prev_date:
            single = "/" not in pair.period and "/" in pair.prev_period
            code = "series_single" if single and pair.new else "series_start"
            found.append(Found(judged, "period", code + later, params))
        elif pair.value < pair.prev_value:
            found.append(Found(judged, "reported", "series_smaller" + later, params))
    return found
