"""The reporting calendar: which report of each indicator is expected when, and which are due or
overdue on a given day.

An indicator is a program's metric (a breakdown's parts, such as age groups, report with it). A
metric with a recurring `cadence`
(data/metrics.yaml) is reported for each calendar month, quarter, half-year or year, due
`due_days` after that period ends. The last report covers the period its date falls in; the next
period is expected once it has ended: *due* until its due date, *overdue* after it. A metric
reported `once`, a derived metric (it follows its inputs) and a completed program expect nothing
more. Only what a program has reported is expected of it.

Each report belongs to the indicator's owning department (`models.owning_department`). The last
report of every indicator is found once per catalog (`Calendar`); a day's list is then a pass over
those few rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import pandas as pd

from civic.models import Cadence, ProgramStatus, owning_department
from civic.schedule import BEIJING

if TYPE_CHECKING:
    from civic.catalog import Catalog

OVERDUE, DUE = "overdue", "due"
MONTHS = {Cadence.MONTHLY: 1, Cadence.QUARTERLY: 3, Cadence.HALF_YEARLY: 6, Cadence.YEARLY: 12}
"""Months in a recurring period."""

COLUMNS = ["program", "metric", "department", "period", "period_end", "due", "status",
           "days_overdue", "periods_missed", "last_reported", "last_period", "cadence"]
"""A row of `Calendar.due`: the report expected (its period as written, `2024-Q1`), when it was
due, how late it is (negative: days left), how many periods have ended since the last report,
and that last report (the day its period ends, and its period as written)."""


def period_of(cadence: Cadence, day: dt.date) -> tuple[dt.date, dt.date, str]:
    """The period of `cadence` that `day` falls in: first day, last day and its name (2024-01,
    2024-Q1, 2024-H1, 2024)."""
    months = MONTHS[cadence]
    first_month = (day.month - 1) // months * months + 1
    start = dt.date(day.year, first_month, 1)
    end = _month_after(start, months) - dt.timedelta(days=1)
    if cadence is Cadence.MONTHLY:
        name = f"{day.year}-{first_month:02d}"
    elif cadence is Cadence.QUARTERLY:
        name = f"{day.year}-Q{(first_month - 1) // 3 + 1}"
    elif cadence is Cadence.HALF_YEARLY:
        name = f"{day.year}-H{(first_month - 1) // 6 + 1}"
    else:
        name = str(day.year)
    return start, end, name


def _month_after(day: dt.date, months: int) -> dt.date:
    """The first day of the month `months` after `day`'s."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def periods_ended(cadence: Cadence, last: dt.date, as_of: dt.date) -> int:
    """How many periods after the one `last` falls in have ended before `as_of`."""
    months = MONTHS[cadence]
    _, end, _ = period_of(cadence, last)
    first_open = period_of(cadence, as_of)[0]  # the period `as_of` is in has not ended
    ended = ((first_open.year * 12 + first_open.month) - (end.year * 12 + end.month + 1)) // months
    return max(ended, 0)


@dataclass(frozen=True)
class Expected:
    """One report the calendar expects: the next one after an indicator's last."""

    program: str
    metric: str
    department: str
    period: str
    period_end: dt.date
    due: dt.date
    cadence: str
    last_reported: dt.date
    last_period: str

    def row(self, as_of: dt.date) -> dict[str, object]:
        late = (as_of - self.due).days
        return {"program": self.program, "metric": self.metric, "department": self.department,
                "period": self.period, "period_end": self.period_end, "due": self.due,
                "status": OVERDUE if late > 0 else DUE, "days_overdue": late,
                "periods_missed": periods_ended(Cadence(self.cadence), self.last_reported,
                                                as_of),
                "last_reported": self.last_reported, "last_period": self.last_period,
                "cadence": self.cadence}


class Calendar:
    """The reporting calendar of a catalog: each indicator's last report and the next one
    expected, found once; the list due on a day, kept for that day."""

    KEPT_DAYS = 8

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self._kept: dict[dt.date, pd.DataFrame] = {}

    @cached_property
    def last_reports(self) -> pd.DataFrame:
        """Each tracked indicator's newest report (of any of its groups): program, metric,
        date_end, period."""
        catalog = self.catalog
        tracked = {m.id for m in catalog.dataset.metrics
                   if m.cadence not in (None, Cadence.ONCE) and m.derived is None}
        live = {p.id for p in catalog.dataset.programs
                if p.status is not ProgramStatus.COMPLETED}
        figures = catalog.frames.figures
        rows = figures[figures["metric"].isin(tracked) & figures["program"].isin(live)]
        rows = rows[["program", "metric", "date_end", "period"]].astype(
            {"program": str, "metric": str})
        return rows.sort_values("date_end", kind="stable").groupby(
            ["program", "metric"], sort=False).tail(1).reset_index(drop=True)

    @cached_property
    def last_by_department(self) -> pd.DataFrame:
        """Each department's reports by the day their periods end (department, date_end), for
        `last_report`: one row per department and day."""
        figures = self.catalog.frames.figures
        return (figures[["department", "date_end"]].astype({"department": str})
                .drop_duplicates().sort_values("date_end").reset_index(drop=True))

    def last_report(self, department: str, as_of: dt.date) -> dt.date | None:
        """The day the newest report of a department on or before `as_of` ends."""
        rows = self.last_by_department
        rows = rows[(rows["department"] == department)
                    & (rows["date_end"] <= pd.Timestamp(as_of))]
        return rows["date_end"].iloc[-1].date() if len(rows) else None

    def expected(self, up_to: dt.date | None = None) -> list[Expected]:
        """The next report of every tracked indicator, from its last report on or before
        `up_to` (every report where None)."""
        catalog = self.catalog
        rows = self.last_reports
        if up_to is not None and len(rows) and rows["date_end"].max() > pd.Timestamp(up_to):
            figures = catalog.frames.figures
            cut = figures[figures["date_end"] <= pd.Timestamp(up_to)]
            known = rows[["program", "metric"]]
            cut = cut[cut["program"].astype(str).isin(known["program"])
                      & cut["metric"].astype(str).isin(known["metric"])]
            rows = (cut[["program", "metric", "date_end", "period"]]
                    .astype({"program": str, "metric": str})
                    .merge(known, on=["program", "metric"])
                    .sort_values("date_end", kind="stable")
                    .groupby(["program", "metric"], sort=False).tail(1))
        found = []
        for row in rows.itertuples(index=False):
            metric = catalog.metrics[row.metric]
            program = catalog.programs[row.program]
            last = pd.Timestamp(row.date_end).date()
            _, end, _ = period_of(metric.cadence, last)
            start, next_end, name = period_of(metric.cadence, end + dt.timedelta(days=1))
            found.append(Expected(
                row.program, row.metric, owning_department(program, metric), name, next_end,
                next_end + dt.timedelta(days=metric.due_days), str(metric.cadence), last,
                str(row.period)))
        return found

    def due(self, as_of: dt.date) -> pd.DataFrame:
        """The reports expected by `as_of` (their period has ended) and not yet made, by
        reports up to that day: the most overdue first (`COLUMNS`)."""
        if as_of not in self._kept:
            if len(self._kept) >= self.KEPT_DAYS:
                self._kept.clear()
            rows = [e.row(as_of) for e in self.expected(as_of) if e.period_end < as_of]
            frame = pd.DataFrame(rows, columns=COLUMNS)
            order = {p: i for i, p in enumerate(self.catalog.programs)}
            self._kept[as_of] = frame.assign(rank=frame["program"].map(order)).sort_values(
                ["days_overdue", "rank"], ascending=[False, True], kind="stable"
            ).drop(columns="rank").reset_index(drop=True)
        return self._kept[as_of]


def beijing_today() -> dt.date:
    """Today in Beijing time: the day officials read the calendar by."""
    return dt.datetime.now(BEIJING).date()
