"""KPIs: the reported figures a page shows, and the values derived from them.

Derived values (a solution rate, investment per 亩) are built as `Figure`s with
`basis=derived` and the metrics they come from, so that every page, table and export marks
them as derived and traces them to the same source as their inputs.
"""

from __future__ import annotations

import math
from enum import StrEnum

import pandas as pd

from civic.i18n import LANGS, format_quantity
from civic.models import Basis, Dataset, Figure, LocalText, Period, Target, span_text
from civic.quantities import Qualifier, Quantity, convert

_LOWER_BOUNDS = {Qualifier.MORE_THAN, Qualifier.AT_LEAST}
_UPPER_BOUNDS = {Qualifier.UP_TO, Qualifier.NEARLY}
SIGNIFICANT = 2
"""Figures per area are given to two significant figures: their inputs are round numbers."""


def _ratio_qualifier(numerator: Figure, denominator: Figure) -> Qualifier:
    """How a ratio's qualifier follows from its parts.

    Over an exact denominator the numerator's qualifier stays (近2亿 / 6 ha is still
    "nearly"); a bound over an approximate denominator stays a bound, of an approximate
    value (超20亿元 / 约7公顷 is "more than about"); anything else is "about".
    """
    top, bottom = numerator.qualifier, denominator.qualifier
    if top is Qualifier.RANGE or bottom not in (Qualifier.EXACT, Qualifier.ABOUT):
        return Qualifier.ABOUT
    if bottom is Qualifier.EXACT:
        return top
    if top in _LOWER_BOUNDS:
        return Qualifier.MORE_THAN_ABOUT
    if top in _UPPER_BOUNDS:
        return Qualifier.UP_TO_ABOUT
    return Qualifier.ABOUT


def significant(value: float, digits: int = SIGNIFICANT) -> float:
    """`value` rounded to `digits` significant figures: 142857142.9 → 140000000."""
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, digits - 1 - math.floor(math.log10(abs(value))))


def _span(*figures: Figure) -> Period:
    """The period the inputs cover together, as precisely as the inputs are written."""
    if len({f.period for f in figures}) == 1:
        return figures[0].period
    return Period.model_validate(span_text([(f.period.text, f.period.start, f.period.end)
                                            for f in figures]))


def _derived(metric: str, value: float, unit: str, qualifier: Qualifier, inputs: list[Figure],
             formula: LocalText) -> Figure:
    first = inputs[0]
    return Figure(
        program=first.program,
        metric=metric,
        reported=Quantity(value=value, unit=unit, qualifier=qualifier, reported=formula.zh),
        formula=formula,
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
    ratio = f"{solved.value:g}/{found.value:g}"
    difference = f"{found.value:g}−{solved.value:g}"
    return [
        _derived("solution_rate", rate, "percent", qualifier, [solved, found],
                 LocalText(zh=ratio, en=ratio)),
        # What the report does not call solved; it does not say the rest are still open.
        _derived("problems_not_reported_solved", found.value - solved.value, found.unit,
                 qualifier, [found, solved], LocalText(zh=difference, en=difference)),
    ]


def _shown(value: float, unit: str, qualifier: Qualifier) -> LocalText:
    """An input of a formula as each language shows it: 约105亩 / about 105 mu."""
    return LocalText(**{lang: format_quantity(value, unit, qualifier, lang) for lang in LANGS})


def _divided(amount: Figure, area: float, area_unit: str, land: Figure) -> LocalText:
    top = _shown(amount.value, amount.unit, amount.qualifier)
    bottom = _shown(area, area_unit, land.qualifier)
    return LocalText(zh=f"{top.zh}/{bottom.zh}", en=f"{top.en} / {bottom.en}")


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
        for metric_id, area, area_unit in ((per_ha, hectares, "ha"), (per_mu, mu, "mu")):
            value = amount.value / area
            shown = significant(value)
            qualifier = _ratio_qualifier(amount, land)
            if qualifier is Qualifier.EXACT and shown != value:
                qualifier = Qualifier.ABOUT  # rounded, so no longer exact
            derived.append(_derived(metric_id, shown, "CNY", qualifier, [amount, land],
                                    _divided(amount, area, area_unit, land)))
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
    rows = figures[(figures["program"] == program) & figures["metric"].isin(metrics)]
    latest = latest_figures(rows)
    order = {m: i for i, m in enumerate(metrics)}
    return latest.sort_values("metric", key=lambda s: s.map(order).astype(int)).reset_index(drop=True)


def latest_figures(figures: pd.DataFrame) -> pd.DataFrame:
    """The latest ungrouped figure of each metric of each program, in one pass (of two
    reports ending the same day, the later in the frame)."""
    rows = figures[figures["group_zh"].isna()].sort_values("date_end", kind="stable")
    return rows.groupby(["program", "metric"], observed=True, sort=False).tail(1)
