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

The frame is read once into plain rows and judged in Python: a write or a load judges tens of
rows, where each pandas operation costs more than the whole judgement (60 ms → under 2 ms at
seed size); a bulk load of 100,000 rows stays well under a second.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import pandas as pd

from civic.dates import parse_date
from civic.fields import LOCATOR_MAX
from civic.models import Basis, Figure, Metric, Source
from civic.problems import Coded, number
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


class _Row(NamedTuple):
    """One figure as the rules read it; `row` is its label in the frame."""

    row: Any
    program: str
    metric: str
    group: str  # "" for the program-wide figure
    source: Any
    date: dt.date | None
    date_end: dt.date | None
    period: str
    value: float
    unit: Any
    locator: Any
    basis: str
    correction: Any
    new: bool
    check: bool


def _day(value: Any) -> dt.date | None:
    """A day from a date, a timestamp or a day's text; None for a missing or unreadable one."""
    if _missing(value) or value is pd.NaT:
        return None
    try:
        return parse_date(value)
    except Coded:
        return None


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def _rows(frame: pd.DataFrame) -> list[_Row]:
    def column(name: str, default: Any = None) -> list[Any]:
        return frame[name].tolist() if name in frame else [default] * len(frame)

    def days(name: str) -> list[dt.date | None]:  # a frame holds few distinct days
        seen: dict[Any, dt.date | None] = {}
        return [seen[v] if v in seen else seen.setdefault(v, _day(v)) for v in column(name)]

    def texts(name: str) -> list[str]:
        return [v if isinstance(v, str) else "" if _missing(v) else str(v) for v in column(name)]

    values = pd.to_numeric(frame["value"], errors="coerce").astype(float).tolist() \
        if "value" in frame else [float("nan")] * len(frame)
    return list(map(_Row._make, zip(
        frame.index.tolist(), texts("program"), texts("metric"), texts("group_zh"),
        column("source"), days("date"), days("date_end"), texts("period"), values,
        column("unit"), column("locator"), texts("basis"), column("correction"),
        column("new", True), column("check", True), strict=True)))


def problems(frame: pd.DataFrame, known: Known) -> list[Found]:
    """Every rule `frame` breaks (see the module), the rows named by their index labels."""
    rows = _rows(frame)
    return (_twice(rows) + _units(rows, known) + _locators(rows) + _after_source(rows, known)
            + _exceeds(rows, known) + _series(rows, known))


def warnings(frame: pd.DataFrame) -> list[Found]:
    """Reports far outside their series (more than `JUMP` times the one before, or under its
    `JUMP`th), for the new rows: worth a second look, not refused."""
    found = []
    for row, before in _pairs(_rows(frame)):
        if not (row.new or before.new) or before.value <= 0 or row.value <= 0:
            continue
        if row.value > before.value * JUMP or row.value * JUMP < before.value:
            found.append(Found(row.row if row.new else before.row, "reported", "series_jump",
                               {"metric": row.metric, "value": number(row.value),
                                "period": row.period, "previous": number(before.value),
                                "previous_period": before.period}))
    return found


def _twice(rows: list[_Row]) -> list[Found]:
    seen: set[tuple[str, str, str, str]] = set()
    found = []
    for r in rows:
        key = (r.program, r.metric, r.period, r.group)
        if key in seen:
            found.append(Found(r.row, "period", "twice", {}))
        seen.add(key)
    return found


def _units(rows: list[_Row], known: Known) -> list[Found]:
    dimensions = {code: unit.dimension for code, unit in UNITS.items()}
    reported = str(Basis.REPORTED)
    calculated, wrong = [], []
    for r in rows:
        if not r.check:
            continue
        expected = known.dimensions.get(r.metric)
        if r.metric in known.derived and r.basis == reported:
            calculated.append(Found(r.row, "metric", "derived_reported", {"metric": r.metric}))
        elif expected is not None and expected != dimensions.get(r.unit):
            wrong.append(Found(r.row, "reported", "unit", {"unit": r.unit, "metric": r.metric}))
    return calculated + wrong


def _locators(rows: list[_Row]) -> list[Found]:
    reported = str(Basis.REPORTED)
    missing, long = [], []
    for r in rows:
        if not r.check or r.basis != reported:
            continue
        locator = None if _missing(r.locator) else str(r.locator).strip()
        if not locator:
            missing.append(Found(r.row, "locator", "locator", {}))
        elif len(locator) > LOCATOR_MAX:
            long.append(Found(r.row, "locator", "too_long",
                              {"limit": LOCATOR_MAX, "count": len(str(r.locator))}))
    return missing + long


def _latest_possible_end(period: str, end: dt.date | None) -> dt.date | None:
    """The earliest day a period may be taken to end: a written year or month may be the one
    the report is in (its end is then "so far"), a day is that day."""
    last = period.split("/")[-1]
    if len(last) == 10:
        return end
    return _day(last[:7] + "-01" if len(last) == 7 else last[:4] + "-01-01")


def _after_source(rows: list[_Row], known: Known) -> list[Found]:
    found = []
    cites = {source: _day(day) for source, day in known.source_dates.items()}
    for r in rows:
        cited = cites.get(r.source) if r.check else None
        latest = cited and _latest_possible_end(r.period, r.date_end)
        if cited and latest and latest > cited:
            found.append(Found(r.row, "period", "after_source",
                               {"period": r.period, "source": r.source,
                                "source_date": known.source_dates[r.source]}))
    return found


def _exceeds(rows: list[_Row], known: Known) -> list[Found]:
    """A metric `at_most` another never exceeds it on the same program, group and period end
    (of two figures of the limit there, the later in the frame counts)."""
    found = []
    for metric, limit in known.at_most.items():
        limits = {(r.program, r.group, r.date_end): r for r in rows if r.metric == limit}
        for top in (r for r in rows if r.metric == metric):
            bound = limits.get((top.program, top.group, top.date_end))
            if bound is None or not top.value > bound.value or not (top.new or bound.new):
                continue
            params = {"value": number(top.value), "metric": metric,
                      "limit": number(bound.value), "limit_metric": limit}
            found.append(Found(top.row, "reported", "exceeds", params) if top.new
                         else Found(bound.row, "reported", "exceeded", params))
    return found


def _pairs(rows: Iterable[_Row], by_start: bool = False) -> list[tuple[_Row, _Row]]:
    """Each report of a series (program, metric, group) beside the one before it (by the
    day its period ends, then starts); `by_start`: beside the one before it of the same
    start, where there is one (else the one before it)."""
    far = dt.date.max  # a missing day sorts last, as pandas sorts it

    def order(r: _Row) -> tuple[str, str, str, dt.date, dt.date]:
        return r.program, r.metric, r.group, r.date_end or far, r.date or far

    pairs = []
    last: dict[tuple[str, str, str], _Row] = {}
    last_of_start: dict[tuple[str, str, str, dt.date | None], _Row] = {}
    for r in sorted(rows, key=order):
        series = (r.program, r.metric, r.group)
        before = (last_of_start.get((*series, r.date)) if by_start else None) or last.get(series)
        if before is not None:
            pairs.append((r, before))
        last[series] = last_of_start[(*series, r.date)] = r
    return pairs


def _series(rows: list[_Row], known: Known) -> list[Found]:
    """A running total goes on from where it was: the same start, never smaller. A report is
    measured against the last one of its start (a correction between them, of another start,
    stands apart); one of a start the series has not had breaks it."""
    found = []
    for row, before in _pairs((r for r in rows if r.metric in known.cumulative), by_start=True):
        judged = row.row if row.new else before.row if before.new else None
        corrected = row.correction if row.new else before.correction
        if judged is None or (isinstance(corrected, str) and corrected.strip()):
            continue
        params = {"metric": row.metric, "period": row.period, "value": number(row.value),
                  "previous": number(before.value), "previous_period": before.period,
                  "start": before.period.split("/")[0]}
        later = "" if row.new else "_next"
        if row.date != before.date:
            single = "/" not in row.period and "/" in before.period
            code = "series_single" if single and row.new else "series_start"
            found.append(Found(judged, "period", code + later, params))
        elif row.value < before.value:
            found.append(Found(judged, "reported", "series_smaller" + later, params))
    return found
