"""KPIs: the reported figures a page shows, and the values derived from them.

Derived values (a solution rate, investment per 亩) are built as `Figure`s with
`basis=derived` and the metrics they come from, so that every page, table and export marks
them as derived and traces them to the same source as their inputs.
"""

from __future__ import annotations

from enum import StrEnum

import pandas as pd

from civic.models import Basis, Dataset, Figure, Period, Target
from civic.quantities import Qualifier, Quantity, convert

# How a ratio's qualifier follows from its parts: a qualified numerator over an exact
# denominator keeps its qualifier (近2亿 / 6 ha is still "nearly"); anything else is "about".


def _ratio_qualifier(numerator: Figure, denominator: Figure) -> Qualifier:
    if denominator.qualifier is Qualifier.EXACT:
        return numerator.qualifier if numerator.qualifier is not Qualifier.RANGE else Qualifier.ABOUT
    return Qualifier.ABOUT


def _span(*figures: Figure) -> Period:
    """The period the inputs cover together, written as they are when they agree."""
    if len({f.period for f in figures}) == 1:
        return figures[0].period
    start = min(f.period.start for f in figures)
    end = max(f.period.end for f in figures)
    text = start.isoformat() if start == end else f"{start.isoformat()}/{end.isoformat()}"
    return Period.model_validate(text)


def _derived(metric: str, value: float, unit: str, qualifier: Qualifier, inputs: list[Figure],
             reported: str) -> Figure:
    first = inputs[0]
    return Figure(
        program=first.program,
        metric=metric,
        reported=Quantity(value=value, unit=unit, qualifier=qualifier, reported=reported),
        period=_span(*inputs),
        department=first.department,
        source=first.source,
        basis=Basis.DERIVED,
        derived_from=[f.metric for f in inputs],
    )


def _latest(figures: list[Figure], program: str, metric: str) -> Figure | None:
    """The newest ungrouped figure of a metric in a program."""
    matches = [f for f in figures if f.program == program and f.metric == metric and not f.group]
    return max(matches, key=lambda f: f.period.end, default=None)


def _problem_figures(figures: list[Figure], program: str) -> list[Figure]:
    found = _latest(figures, program, "problems_found")
    solved = _latest(figures, program, "problems_solved")
    if not found or not solved or found.value <= 0:
        return []
    rate = solved.value / found.value * 100
    qualifier = Qualifier.EXACT if found.qualifier is solved.qualifier is Qualifier.EXACT else Qualifier.ABOUT
    return [
        _derived("solution_rate", rate, "percent", qualifier, [solved, found],
                 f"{solved.value:g}/{found.value:g}"),
        _derived("problems_open", found.value - solved.value, found.unit, qualifier, [found, solved],
                 f"{found.value:g}−{solved.value:g}"),
    ]


_PER_AREA = {
    "total_investment": ("investment_per_ha", "investment_per_mu"),
    "expected_annual_output": ("output_per_ha", "output_per_mu"),
}


def _per_area_figures(figures: list[Figure], program: str) -> list[Figure]:
    land = _latest(figures, program, "land_area")
    if not land or land.value <= 0:
        return []
    hectares = convert(land.value, land.unit, "ha")
    mu = convert(land.value, land.unit, "mu")
    derived = []
    for metric, (per_ha, per_mu) in _PER_AREA.items():
        amount = _latest(figures, program, metric)
        if not amount or amount.unit != "CNY":
            continue
        qualifier = _ratio_qualifier(amount, land)
        derived.append(_derived(per_ha, amount.value / hectares, "CNY", qualifier, [amount, land],
                                f"{amount.text}/{land.text}"))
        derived.append(_derived(per_mu, amount.value / mu, "CNY", qualifier, [amount, land],
                                f"{amount.text}/{mu:g}亩"))
    return derived


DERIVATION_INPUTS = {"problems_found", "problems_solved", "land_area", *_PER_AREA}
"""The metrics derived values are computed from."""


def derived_figures(dataset: Dataset) -> list[Figure]:
    """Every value the dashboard derives from reported figures, program by program."""
    figures = dataset.figures
    derived: list[Figure] = []
    for program in dataset.programs:
        derived += _problem_figures(figures, program.id)
        derived += _per_area_figures(figures, program.id)
    return derived


def all_figures(dataset: Dataset) -> list[Figure]:
    """Reported figures first, then the derived ones."""
    return [*dataset.figures, *derived_figures(dataset)]


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
    rows = figures[(figures["program"] == program) & figures["metric"].isin(metrics)
                   & figures["group_zh"].isna()]
    latest = rows.sort_values("date_end").groupby("metric", observed=True).tail(1)
    order = {m: i for i, m in enumerate(metrics)}
    return latest.sort_values("metric", key=lambda s: s.map(order).astype(int)).reset_index(drop=True)
