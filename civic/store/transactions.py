"""The frame of every write: one transaction queued behind other writers, the audit rows of
its changes, and the data version it bumps."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.exc import DBAPIError

from civic import database
from civic.schema import audit, data_version


class Busy(database.StoreError):
    """Another writer held the store longer than the busy timeout; nothing was written."""


@dataclass(frozen=True)
class Change:
    """One change of one row, as its audit row says it."""

    table: str
    key: str
    action: str  # insert, update, delete
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def audit_changes(connection: Connection, changes: list[Change], who: str, why: str,
                  at: dt.datetime | None = None, batch: str | None = None) -> str:
    """Audit rows for `changes`, one batch (a new id unless given), in the caller's transaction
    (accounts and reviews use it too); returns the batch id."""
    at = at or dt.datetime.now(dt.UTC)
    batch = batch or str(uuid.uuid4())
    connection.execute(insert(audit), [
        {"at": at, "who": who, "table_name": c.table, "key": c.key, "action": c.action,
         "before": c.before, "after": c.after, "why": why, "batch": batch}
        for c in changes
    ])
    return batch


def bump(connection: Connection) -> int:
    connection.execute(update(data_version).where(data_version.c.id == 1).values(
        version=data_version.c.version + 1, changed_at=dt.datetime.now(dt.UTC)))
    return connection.execute(select(data_version.c.version)).scalar_one()


def lock(connection: Connection) -> None:
    """Writers queue: SQLite's BEGIN IMMEDIATE holds the write lock, PostgreSQL locks the row."""
    if connection.dialect.name != "sqlite":
        connection.execute(select(data_version.c.version).where(data_version.c.id == 1)
                           .with_for_update())


def transaction(engine: Engine, work):
    """`work(connection)` in one write transaction, queued behind other writers; what it returns."""
    try:
        with engine.connect() as connection:
            connection = connection.execution_options(**{database.WRITE: True})
            with connection.begin():
                return work(connection)
    except DBAPIError as error:
        text = str(error.orig)
        if "locked" in text or "busy" in text:
            raise Busy(f"the store is busy with another write ({text}); nothing was written, "
                       "try again") from None
        raise database.failure(engine, error) from None


def locked_transaction(engine: Engine, work):
    """`work(connection)` in one transaction holding the write lock: no write of the store
    lands while it runs (deliveries plan against the data version they read)."""
    def locked(connection: Connection):
        lock(connection)
        return work(connection)

    return transaction(engine, locked)

