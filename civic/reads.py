"""Reads of the store: the data version, the catalog's records and frames, the audit trail.

Figures come straight from SQL as typed columns. The other records are few and are validated
back into their models.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

import pandas as pd
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import DBAPIError

from civic import database, rows
from civic.frames import STORED_FIGURE_COLUMNS
from civic.models import RECORD_KINDS, Dataset, Figure
from civic.schema import TABLES, audit, data_version, figures, records

HISTORY_COLUMNS = ["at", "who", "table", "key", "action", "before", "after", "why", "batch"]


def guarded(engine: Engine, read):
    """`read(connection)` on a connection of its own; a database failure said as the store's
    (`database.failure`: unreachable, damaged, full…), never the driver's text."""
    try:
        with engine.connect() as connection:
            return read(connection)
    except DBAPIError as error:
        raise database.failure(engine, error) from None


def version(engine: Engine) -> int:
    """The data version: one cheap query, bumped by every write of any process."""
    return guarded(engine, lambda c: c.execute(
        select(data_version.c.version).where(data_version.c.id == 1)).scalar_one())


def counts(engine: Engine) -> dict[str, int]:
    return guarded(engine, lambda c: {
        table.name: c.execute(select(func.count()).select_from(table)).scalar_one()
        for table in TABLES})


def dataset(engine: Engine, with_figures: bool = True) -> Dataset:
    """Every stored record as models; without figures for the dashboard, which reads frames."""
    def read(connection) -> Dataset:
        lists: dict[str, list[Any]] = {kind: [] for kind in RECORD_KINDS}
        for row in connection.execute(select(records.c.kind, records.c.body)
                                      .order_by(records.c.id)):
            lists[row.kind].append(RECORD_KINDS[row.kind].model_validate(row.body))
        if with_figures:
            lists[rows.FIGURES] = [Figure.model_validate(rows.figure_document(row)) for row in
                                   connection.execute(select(figures).order_by(figures.c.id))]
        return Dataset(**lists)
    return guarded(engine, read)


def figure_frame(engine: Engine, programs: Collection[str] | None = None) -> pd.DataFrame:
    """The stored figures with the frame's columns (district and category aside); only those
    of `programs` where given."""
    columns = [figures.c[name] for name in STORED_FIGURE_COLUMNS if name in figures.c]
    query = select(*columns).order_by(figures.c.id)
    if programs is not None:
        query = query.where(figures.c.program.in_(sorted(programs)))
    # pandas builds the columns from the cursor's rows, as a frame of a folder infers them.
    frame = guarded(engine, lambda c: pd.read_sql(query, c))
    frame["basis"] = "reported"
    return frame[STORED_FIGURE_COLUMNS]


def history(engine: Engine, since: dt.date | None = None, table: str | None = None,
            actions: tuple[str, ...] = ()) -> pd.DataFrame:
    """The audit trail, oldest first; `since` a UTC date."""
    query = select(audit).order_by(audit.c.id)
    if actions:
        query = query.where(audit.c.action.in_(actions))
    if since:
        query = query.where(audit.c.at >= dt.datetime.combine(since, dt.time(), dt.UTC))
    if table:
        query = query.where(audit.c.table_name == table)
    found = guarded(engine, lambda c: c.execute(query).all())
    frame = pd.DataFrame([{
        "at": utc(r.at), "who": r.who, "table": r.table_name, "key": r.key,
        "action": r.action, "before": r.before, "after": r.after, "why": r.why,
        "batch": r.batch} for r in found], columns=HISTORY_COLUMNS)
    return frame


def utc(at: dt.datetime) -> dt.datetime:
    """SQLite hands back naive times; every stored time is UTC."""
    return at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)
