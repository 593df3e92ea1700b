"""KPIs: the latest figure of each metric a page shows, and targets.

Derived values (a solution rate, investment per 亩) are rows of the same figures frames with
`basis=derived`, computed by `civic.derived` from the catalogue's formulas.
"""

from __future__ import annotations

from enum import StrEnum

import pandas as pd

from civic.models import Target


class Status(StrEnum):
    MET = "met"
    NOT_MET = "not_met"


def status(value: float, target: Target) -> Status:
    reached = value >= target.value if target.at_least else value <= target.value
    return Status.MET if reached else Status.NOT_MET


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
