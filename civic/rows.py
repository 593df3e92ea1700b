"""Records as the store holds them: stable keys, typed figure rows, plain JSON documents.

`plain` writes a record the way a data file does (`period: 2021/2023-11-15`, `reported: 近2亿元`,
defaults left out), so a stored document validates back into the same model and dumps as YAML.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from pydantic import BaseModel

from civic.models import Commentary, Figure, Frozen, Period, Target
from civic.quantities import Quantity

FIGURES = "figures"


def plain(value: Any) -> Any:
    """JSON-ready data of a model, in the data files' own notation."""
    if isinstance(value, Period):
        return value.text
    if isinstance(value, Quantity):
        return value.reported
    if isinstance(value, BaseModel):
        fields = type(value).model_fields
        return {name: plain(getattr(value, name)) for name, info in fields.items()
                if info.is_required() or getattr(value, name) != info.default}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, StrEnum):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def key(kind: str, record: Frozen) -> str:
    """The stable key a record is upserted by: its id, or what identifies a figure, a target or
    a commentary."""
    if isinstance(record, Figure):
        return figure_key(record)
    if isinstance(record, Target | Commentary):
        return f"{record.program}/{record.metric}/{record.period.text}"
    return record.id  # type: ignore[attr-defined]


def figure_key(figure: Figure) -> str:
    """Program, metric, period and group: one figure per combination (a revision updates it)."""
    group = figure.group.zh if figure.group else ""
    return f"{figure.program}/{figure.metric}/{figure.period.text}/{group}"


def figure_row(figure: Figure) -> dict[str, Any]:
    """The typed columns of a figure's row (its id aside)."""
    return {
        "key": figure_key(figure),
        "program": figure.program,
        "metric": figure.metric,
        "value": figure.value,
        "value_max": figure.value_max,
        "unit": figure.unit,
        "qualifier": str(figure.qualifier),
        "reported": figure.text,
        "date": figure.period.start,
        "date_end": figure.period.end,
        "period": figure.period.text,
        "department": figure.department,
        "source": figure.source,
        "locator": figure.locator,
        "group_zh": figure.group.zh if figure.group else None,
        "group_en": figure.group.en if figure.group else None,
        "correction": figure.correction,
    }


def figure_document(row: Any) -> dict[str, Any]:
    """A stored figure row as a data file writes it (for dumps, audit rows and re-validation)."""
    document = {
        "program": row.program, "metric": row.metric, "reported": row.reported,
        "period": row.period, "department": row.department, "source": row.source,
    }
    if isinstance(row.locator, str):  # frames hold NaN where SQL holds NULL
        document["locator"] = row.locator
    if isinstance(row.group_zh, str):
        document["group"] = {"zh": row.group_zh, "en": row.group_en}
    if isinstance(getattr(row, "correction", None), str):
        document["correction"] = row.correction
    return document


def program_of(record: Frozen) -> str | None:
    if isinstance(record, Frozen) and "program" in type(record).model_fields:
        return record.program  # type: ignore[attr-defined]
    return None
