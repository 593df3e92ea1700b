"""KPIs: the latest figure of each metric a page shows, and targets.

Derived values (a solution rate, investment per 亩) are rows of the same figures frames with
`basis=derived`, computed by `civic.derived` from the catalogue's formulas.

A target is set for a period; the one in force for a report is the first whose period ends on
or after the report's (the goal ahead), or, past them all, the last. A value meets it or not
(`Status`); an indicator stands on track (met), at risk (within `AT_RISK_SHARE` of it) or off
track (further), or has no target (`Standing`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from enum import StrEnum

import pandas as pd

from civic.models import Target
from civic.quantities import UNITS, convert


class Status(StrEnum):
    MET = "met"
    NOT_MET = "not_met"


class Standing(StrEnum):
    """Where an indicator stands against its target; the order is that of attention."""

    OFF_TRACK = "off_track"
    AT_RISK = "at_risk"
    NO_TARGET = "no_target"
    ON_TRACK = "on_track"


AT_RISK_SHARE = 0.10
"""A value that misses its target by no more than this share of it is at risk, not off track."""


def in_target_unit(value: float, unit: str | None, target: Target) -> float | None:
    """`value` (in `unit`) in the target's unit; None where the units do not compare."""
    if target.unit is None or unit is None or unit == target.unit:
        return value
    if unit in UNITS and UNITS[unit].dimension == UNITS[target.unit].dimension:
        return convert(value, unit, target.unit)
    return None


def target_in(unit: str, target: Target) -> float | None:
    """The target's value in `unit` (a chart's); None where the units do not compare."""
    if target.unit is None or target.unit == unit:
        return target.value
    if unit in UNITS and UNITS[unit].dimension == UNITS[target.unit].dimension:
        return convert(target.value, target.unit, unit)
    return None


def status(value: float, target: Target, unit: str | None = None) -> Status | None:
    """Whether `value` (in `unit`) meets the target; None where the units do not compare."""
    value = in_target_unit(value, unit, target)
    if value is None:
        return None
    reached = value >= target.value if target.at_least else value <= target.value
    return Status.MET if reached else Status.NOT_MET


def standing(value: float, target: Target | None, unit: str | None = None) -> Standing:
    """On track, at risk or off track against `target`, or no target."""
    shown = None if target is None else in_target_unit(value, unit, target)
    if target is None or shown is None:
        return Standing.NO_TARGET
    if status(shown, target) is Status.MET:
        return Standing.ON_TRACK
    gap = abs(shown - target.value)
    return Standing.AT_RISK if gap <= abs(target.value) * AT_RISK_SHARE else Standing.OFF_TRACK


def target_for(targets: Sequence[Target], day: dt.date | pd.Timestamp | None) -> Target | None:
    """The target in force for a report ending on `day`, of an indicator's `targets` (ordered
    by the end of their periods): the first that ends on or after it, else the last."""
    if not targets:
        return None
    if day is None:
        return targets[-1]
    day = pd.Timestamp(day).date()
    return next((g for g in targets if g.period.end >= day), targets[-1])


def kpis(figures: pd.DataFrame, program: str, metrics: list[str]) -> pd.DataFrame:
    """The latest ungrouped figure of each metric of a program, in the order asked.

    Metrics with no figure under the current filters are left out, so a page shows what
    there is rather than a zero it cannot source.
    """
    rows = figures[(figures["program"] == program) & figures["metric"].isin(metrics)]
    latest = latest_figures(rows)
    order = {m: i for i, m in enumerate(metrics)}
    return latest.sort_values("metric", key=lambda s: s.map(order).astype(int)).reset_index(drop=True)


def latest_figures(figures: pd.DataFrame) -> pd.DataFrame:
    """The latest ungrouped figure of each metric of each program, in one pass (of two
    reports ending the same day, the later in the frame)."""
    rows = figures[figures["group_zh"].isna()].sort_values("date_end", kind="stable")
    return rows.groupby(["program", "metric"], observed=True, sort=False).tail(1)
