"""The audit trail as editors read it: filtered by editor, department and date, grouped into
batches (one save each)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd



def department_of(change: pd.Series) -> str | None:
    """The department a change concerns: the record's after it, else before it."""
    for side in ("after", "before"):
        document: Any = change[side]
        if isinstance(document, dict) and document.get("department"):
            return document["department"]
    return None


def filtered(trail: pd.DataFrame, editor: str | None = None, department: str | None = None,
             since: dt.date | None = None) -> pd.DataFrame:
    shown = trail
    if editor:
        shown = shown[shown["who"] == editor]
    if department:
        shown = shown[shown.apply(department_of, axis=1) == department]
    if since:
        shown = shown[shown["at"] >= dt.datetime.combine(since, dt.time(), dt.UTC)]
    return shown


def batches(trail: pd.DataFrame) -> pd.DataFrame:
    """One row per batch, newest first: when, who, why and how many changes."""
    grouped = trail.groupby("batch", sort=False).agg(
        at=("at", "first"), who=("who", "first"), why=("why", "first"), count=("key", "size"))
    return grouped.reset_index().sort_values("at", ascending=False)[
        ["batch", "at", "who", "why", "count"]]
