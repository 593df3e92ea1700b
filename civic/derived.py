"""Derived values: the formulas the catalogue declares (`derived:` in data/metrics.yaml)
evaluated over the reported figures by one small interpreter, never `eval`.

A derived value is computed only from inputs of one report: the same program, group,
department and period end. So every date with all its inputs gives a value (a solution rate
over time, with changes and a sparkline like a reported series), and a newer report of one
input alone gives none: the newest honest value stays, with its own date (`newer_parts` says
what is newer and missing). Ranges give no single value, so nothing is derived from them.

Each value keeps what its inputs claim (`超20亿元 / 约7公顷` is "more than about" 2.9亿元 per
hectare) and its formula in both languages, for the card, table and export that show it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import pandas as pd

from civic.fields import span_text
from civic.i18n import LANGS, format_quantity
from civic.models import Basis, Metric
from civic.quantities import UNITS, Qualifier, convert

KEY = ["program", "group_zh", "department", "date_end"]
"""What inputs of one derived value share."""

COLUMNS = ["program", "metric", "value", "value_max", "unit", "qualifier", "reported", "date",
           "date_end", "period", "department", "group_zh", "group_en", "source", "locator",
           "basis", "formula_en"]
"""A derived row: a figures frame's own columns, `reported` being the formula in Chinese, and
the formula in English beside."""

_LOWER_BOUNDS = {Qualifier.MORE_THAN, Qualifier.AT_LEAST}
_UPPER_BOUNDS = {Qualifier.UP_TO, Qualifier.NEARLY}
# What a sum may claim, by the qualifiers of its parts: bounds add up only with exact parts or
# bounds of the same side; a lower bound plus an upper bound claims nothing, and is not summed.
_SUM_QUALIFIERS = [
    ({Qualifier.EXACT}, Qualifier.EXACT),
    ({Qualifier.EXACT, Qualifier.AT_LEAST, Qualifier.MORE_THAN}, Qualifier.AT_LEAST),
    ({Qualifier.EXACT, Qualifier.UP_TO, Qualifier.NEARLY, Qualifier.LESS_THAN}, Qualifier.UP_TO),
    ({Qualifier.EXACT, Qualifier.ABOUT, Qualifier.NEARLY}, Qualifier.ABOUT),
]


def sum_qualifier(qualifiers: list[str]) -> Qualifier | None:
    """The qualifier of a sum of figures, or None where the parts cannot be added honestly."""
    kinds = {Qualifier(q) for q in qualifiers}
    return next((result for allowed, result in _SUM_QUALIFIERS if kinds <= allowed), None)


def ratio_qualifier(top: Qualifier, bottom: Qualifier) -> Qualifier:
    """How a ratio's qualifier follows from its parts.

    Over an exact denominator the numerator's qualifier stays (近2亿 / 6 ha is still
    "nearly"); a bound over an approximate denominator stays a bound, of an approximate
    value (超20亿元 / 约7公顷 is "more than about"); anything else is "about".
    """
    if top is Qualifier.RANGE or bottom not in (Qualifier.EXACT, Qualifier.ABOUT):
        return Qualifier.ABOUT
    if bottom is Qualifier.EXACT:
        return top
    if top in _LOWER_BOUNDS:
        return Qualifier.MORE_THAN_ABOUT
    if top in _UPPER_BOUNDS:
        return Qualifier.UP_TO_ABOUT
    return Qualifier.ABOUT


def significant(value: float, digits: int) -> float:
    """`value` rounded to `digits` significant figures: 142857142.9 → 140000000."""
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, digits - 1 - math.floor(math.log10(abs(value))))


def _shown(value: float, unit: str, qualifier: str) -> dict[str, str]:
    """An input of a formula as each language shows it: 约105亩 / about 105 mu."""
    return {lang: format_quantity(value, unit, qualifier, lang) for lang in LANGS}


def _evaluate(metric: Metric, parts: list) -> tuple[float, str, Qualifier, dict[str, str]] | None:
    """(value, unit, qualifier, formula by language) of one derived value from its inputs
    (rows in the order the formula names them), or None where they give none honestly."""
    how = metric.derived
    values = [float(p.value) for p in parts]
    qualifiers = [Qualifier(str(p.qualifier)) for p in parts]
    exact = all(q is Qualifier.EXACT for q in qualifiers)
    plain = lambda text: dict.fromkeys(LANGS, text)  # noqa: E731 - numbers read alike
    if how.operation == "ratio":
        if values[1] <= 0:
            return None
        unit = how.unit or ("percent" if how.scale == 100 else "fold")
        return (values[0] / values[1] * how.scale, unit, ratio_qualifier(*qualifiers),
                plain(f"{values[0]:g}/{values[1]:g}"))
    if how.operation == "difference":
        if parts[0].unit != parts[1].unit:
            return None
        return (values[0] - values[1], str(parts[0].unit),
                Qualifier.EXACT if exact else Qualifier.ABOUT,
                plain(f"{values[0]:g}−{values[1]:g}"))
    if how.operation == "sum":
        qualifier = sum_qualifier([str(q) for q in qualifiers])
        if qualifier is None or len({str(p.unit) for p in parts}) != 1:
            return None
        return (sum(values), str(parts[0].unit), qualifier,
                plain(" + ".join(f"{v:g}" for v in values)))
    amount, land = parts  # per_area
    if UNITS[str(land.unit)].dimension != "area" or values[1] <= 0:
        return None
    area = convert(values[1], str(land.unit), how.area_unit)
    value = values[0] / area
    shown = significant(value, how.significant) if how.significant else value
    qualifier = ratio_qualifier(*qualifiers)
    if qualifier is Qualifier.EXACT and shown != value:
        qualifier = Qualifier.ABOUT  # rounded, so no longer exact
    top = _shown(values[0], str(amount.unit), str(amount.qualifier))
    bottom = _shown(area, how.area_unit, str(land.qualifier))
    return shown, str(amount.unit), qualifier, {"zh": f"{top['zh']}/{bottom['zh']}",
                                                 "en": f"{top['en']} / {bottom['en']}"}


def _inputs(figures: pd.DataFrame) -> dict[str, dict[tuple[object, ...], dict[str, object]]]:
    """Each metric's reported single values by program, group, department and period end (of
    two, the later in the frame), in the frame's order: read once for every derived metric, as
    plain rows (the inputs are few; a frame join per metric cost 5 ms at seed size)."""
    rows = figures[(figures["basis"].astype(str) == "reported")
                   & (figures["qualifier"].astype(str) != str(Qualifier.RANGE))]
    found: dict[str, dict[tuple[object, ...], dict[str, object]]] = {}
    for row in rows.assign(group_zh=rows["group_zh"].fillna("")).to_dict("records"):
        of_metric = found.setdefault(str(row["metric"]), {})
        key = tuple(row[column] for column in KEY)
        of_metric.pop(key, None)  # the later one kept, at its own place
        of_metric[key] = row
    return found


def derived_frame(figures: pd.DataFrame, metrics: Iterable[Metric]) -> pd.DataFrame:
    """Every value the catalogue's derived metrics give over `figures` (a figures frame, its
    dates as datetimes), one row per program, group, department and period end with all the
    inputs, in `COLUMNS`."""
    found = []
    reported = _inputs(figures)
    for metric in metrics:
        if metric.derived is None:
            continue
        inputs = [reported.get(name, {}) for name in metric.derived.inputs]
        for key, first_row in inputs[0].items():
            if not all(key in other for other in inputs[1:]):
                continue
            parts = [_Part(first_row), *(_Part(other[key]) for other in inputs[1:])]
            result = _evaluate(metric, parts)
            if result is None or UNITS[result[1]].dimension != metric.dimension:
                continue
            value, unit, qualifier, formula = result
            first = parts[0]
            program, group_zh, department, date_end = key
            found.append({
                "program": program, "metric": metric.id, "value": value, "value_max": None,
                "unit": unit, "qualifier": str(qualifier), "reported": formula["zh"],
                "date": min(p.date for p in parts), "date_end": date_end,
                "period": span_text([(p.period, p.date, p.date_end) for p in parts]),
                "department": department, "group_zh": group_zh or None,
                "group_en": first.group_en if group_zh else None, "source": first.source,
                "locator": None, "basis": str(Basis.DERIVED), "formula_en": formula["en"]})
    return pd.DataFrame(found, columns=COLUMNS)


class _Part:
    """One input's row, its columns as attributes."""

    def __init__(self, row: dict[str, object]):
        self._row = row

    def __getattr__(self, name: str) -> object:
        try:
            return self._row[name]
        except KeyError:
            raise AttributeError(name) from None


def newer_parts(figures: pd.DataFrame, metric: Metric, row: object
                ) -> tuple[pd.Timestamp, list[str], list[str]] | None:
    """Why a derived value is not of a newer date: (the newest date an input was reported for
    after the value's, the inputs reported then, those not), for the same program, group and
    department; None where no input is newer."""
    if metric.derived is None:
        return None
    group = getattr(row, "group_zh")
    same = figures[(figures["program"] == getattr(row, "program"))
                   & (figures["department"] == getattr(row, "department"))
                   & (figures["basis"].astype(str) == "reported")
                   & figures["metric"].isin(metric.derived.inputs)
                   & (figures["group_zh"].fillna("") == ("" if pd.isna(group) else group))]
    newer = same[same["date_end"] > getattr(row, "date_end")]
    if newer.empty:
        return None
    date = newer["date_end"].max()
    reported = set(newer.loc[newer["date_end"] == date, "metric"].astype(str))
    inputs = metric.derived.inputs
    return (date, [m for m in inputs if m in reported], [m for m in inputs if m not in reported])
