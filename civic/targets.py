"""Targets as admins set them on their page: the value read as a report's figure is (`80%`,
`12亿元`), for a period, citing the plan it comes from (a stored source or a new one, like an
upload's report), written through the store in one audited write; removed the same way.

Data folders may hold targets too (`targets:` in any file); the store checks both alike (a target's
unit fits its metric; its program, metric and plan exist).
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine

from civic import intake, rows, store
from civic.accounts import Account
from civic.i18n import format_period, format_quantity, t
from civic.loading import Origin
from civic.models import Source, Target
from civic.problems import Coded
from civic.quantities import Qualifier, parse_quantity
from civic.view import View

KIND = "targets"


def make(program: str, metric: str, period: str, value: str, at_least: bool,
         plan: str) -> Target:
    """A target from what the page asks: the value as written (its unit from the text, a bare
    number in the unit of the metric's figures), its period and its plan's id. Raises
    `pydantic.ValidationError` or `Coded` (a range is no target)."""
    quantity = parse_quantity(value)
    if quantity.qualifier is Qualifier.RANGE:
        raise Coded("target_range", value=repr(value))
    unit = None if quantity.unit == "count" and value.strip().replace(".", "").isdigit() \
        else quantity.unit
    return Target(program=program, metric=metric, value=quantity.value, unit=unit,
                  at_least=at_least, period=period, source=plan)


def save(engine: Engine, target: Target, account: Account, departments: pd.DataFrame, why: str,
         plan: Source | None = None) -> store.Written:
    """Write a target (and the plan it cites, where new) in one audited write; an account that
    may not set targets is refused by the store's guard."""
    incoming = [] if plan is None else [("sources", plan, Origin("targets", None, "plan"))]
    incoming.append((KIND, target, Origin("targets", None, rows.key(KIND, target))))
    return store.write(engine, incoming, who=intake.who(account), why=why,
                       guard=intake.department_guard(account, departments))


def remove(engine: Engine, key: str, account: Account, departments: pd.DataFrame,
           why: str) -> store.Written:
    """Delete a target by its key (program/metric/period), audited."""
    return store.write(engine, [], who=intake.who(account), why=why, deletes=[(KIND, key)],
                       guard=intake.department_guard(account, departments))


def table(view: View) -> pd.DataFrame:
    """Every target of the view's programs: key, program, metric, period, value, at least or
    at most, and the plan, in the view's language."""
    lang, found = view.lang, []
    for target in view.catalog.dataset.targets:
        if target.program not in view.program_ids:
            continue
        series = view.series(target.program, target.metric)
        unit = target.unit or (str(series["unit"].iloc[-1]) if len(series) else "count")
        source = view.catalog.sources.get(target.source)
        found.append({
            "key": rows.key(KIND, target),
            "program": view.program_name(target.program),
            "metric": view.label(target.metric),
            "period": format_period(target.period.text),
            "target": format_quantity(target.value, unit, "exact", lang),
            "direction": t("indicator.at_least" if target.at_least else "indicator.at_most",
                           lang),
            "plan": (source.title if lang == "zh" else source.title_en) if source
            else target.source})
    return pd.DataFrame(found, columns=["key", "program", "metric", "period", "target",
                                        "direction", "plan"])
