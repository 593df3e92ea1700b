"""The one module that writes to the store: validated, all or nothing, every change audited.

A write is a list of records (the same Pydantic models the YAML loader builds). It is checked
together with what the store already holds by the loader's own cross-record rules; any problem
refuses the whole write. Records are upserted by stable keys (`civic.rows.key`): an unchanged
record is left alone, so writing the same data twice changes nothing and audits nothing. Each
insert, update and delete writes an audit row, and the data version is bumped, in the same
transaction.
"""

from __future__ import annotations

import datetime as dt
import getpass
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, delete, func, insert, select, update
from sqlalchemy.exc import OperationalError

from civic import database, rows
from civic.loading import Origin, Problem, cross_record_problems, load
from civic.models import RECORD_KINDS, Figure, Frozen
from civic.schema import audit, data_version, figures, records

SEED = "system:seed"


def cli_user() -> str:
    return f"cli:{getpass.getuser()}"


class Refused(Exception):
    """A write that breaks a rule; nothing was written. Carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class Busy(database.StoreError):
    """Another writer held the store longer than the busy timeout; nothing was written."""


@dataclass(frozen=True)
class Change:
    table: str
    key: str
    action: str  # insert, update, delete
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@dataclass
class Written:
    """What a write did (or, on a dry run, would do)."""

    changes: list[Change] = field(default_factory=list)
    version: int | None = None
    dry_run: bool = False
    batch: str | None = None
    """The audit rows' batch id, for `undo`; None when nothing changed."""

    def counts(self) -> dict[str, int]:
        counted = {"insert": 0, "update": 0, "delete": 0}
        for change in self.changes:
            counted[change.action] += 1
        return counted


def _stored(connection: Connection) -> dict[tuple[str, str], tuple[Frozen, dict[str, Any]]]:
    """Every stored record as (model, document), by (kind, key); the write path only."""
    held: dict[tuple[str, str], tuple[Frozen, dict[str, Any]]] = {}
    for row in connection.execute(select(records.c.kind, records.c.key, records.c.body)):
        held[(row.kind, row.key)] = (RECORD_KINDS[row.kind].model_validate(row.body), row.body)
    for row in connection.execute(select(figures)):
        document = rows.figure_document(row)
        held[(rows.FIGURES, row.key)] = (Figure.model_validate(document), document)
    return held


def _figure_key_problems(incoming: Sequence[tuple[str, Frozen, Origin]]) -> list[Problem]:
    seen: dict[str, Origin] = {}
    problems = []
    for kind, record, origin in incoming:
        if kind != rows.FIGURES:
            continue
        key = rows.key(kind, record)
        if key in seen:
            problems.append(Problem(origin.file, origin.record, "period",
                                    f"the same figure (program, metric, period, group) twice, "
                                    f"first in {seen[key].file}"))
        seen.setdefault(key, origin)
    return problems


def _problems(incoming: Sequence[tuple[str, Frozen, Origin]],
              held: dict[tuple[str, str], tuple[Frozen, dict[str, Any]]]) -> list[Problem]:
    """The loader's cross-record rules over the store as it would be after the write."""
    replaced = {(kind, rows.key(kind, record)) for kind, record, _ in incoming}
    kept = [(kind, model, Origin("store", None, f"{kind} {key}"))
            for (kind, key), (model, _) in held.items() if (kind, key) not in replaced]
    _, problems = cross_record_problems([*kept, *incoming])
    return _figure_key_problems(incoming) + problems


def _apply(connection: Connection, upserts: list[tuple[str, Frozen, bool]]) -> None:
    """Insert or update records (kind, record, already stored), many rows per statement."""
    batches: dict[tuple[str, bool], list[dict[str, Any]]] = {}
    for kind, record, exists in upserts:
        key = rows.key(kind, record)
        if kind == rows.FIGURES:
            values = {**rows.figure_row(record), "old_key": key}
            batches.setdefault(("figures", exists), []).append(values)
        else:
            values = {"kind": kind, "key": key, "old_kind": kind, "old_key": key,
                      "body": rows.plain(record), "program": rows.program_of(record)}
            batches.setdefault(("records", exists), []).append(values)
    statements = {
        ("figures", False): insert(figures),
        ("figures", True): update(figures).where(figures.c.key == bindparam("old_key")),
        ("records", False): insert(records),
        ("records", True): update(records).where(records.c.kind == bindparam("old_kind"),
                                                 records.c.key == bindparam("old_key")),
    }
    for batch, values in batches.items():
        table = figures if batch[0] == "figures" else records
        columns = [c.name for c in table.columns if c.name != "id"]
        connection.execute(statements[batch].values({c: bindparam(c) for c in columns}),
                           [{k: v for k, v in row.items()
                             if k in columns or k.startswith("old_")} for row in values])


def _remove(connection: Connection, kind: str, key: str) -> None:
    if kind == rows.FIGURES:
        connection.execute(delete(figures).where(figures.c.key == key))
    else:
        connection.execute(delete(records).where(records.c.kind == kind, records.c.key == key))


def _audit(connection: Connection, changes: list[Change], who: str, why: str) -> str:
    at = dt.datetime.now(dt.UTC)
    batch = str(uuid.uuid4())
    connection.execute(insert(audit), [
        {"at": at, "who": who, "table_name": c.table, "key": c.key, "action": c.action,
         "before": c.before, "after": c.after, "why": why, "batch": batch}
        for c in changes
    ])
    return batch


def _bump(connection: Connection) -> int:
    connection.execute(update(data_version).where(data_version.c.id == 1).values(
        version=data_version.c.version + 1, changed_at=dt.datetime.now(dt.UTC)))
    return connection.execute(select(data_version.c.version)).scalar_one()


def _lock(connection: Connection) -> None:
    """Writers queue: SQLite's BEGIN IMMEDIATE holds the write lock, PostgreSQL locks the row."""
    if connection.dialect.name != "sqlite":
        connection.execute(select(data_version.c.version).where(data_version.c.id == 1)
                           .with_for_update())


def _transaction(engine: Engine, work) -> Written:
    try:
        with engine.connect() as connection:
            connection = connection.execution_options(**{database.WRITE: True})
            with connection.begin():
                return work(connection)
    except OperationalError as error:
        text = str(error.orig)
        if "locked" in text or "busy" in text:
            raise Busy(f"the store is busy with another write ({text}); nothing was written, "
                       "try again") from None
        raise database.Unavailable(database.unreachable(engine, error)) from None


class _DryRun(Exception):
    def __init__(self, written: Written):
        self.written = written


Guard = Callable[[list[Change]], list[Problem]]


def _write(connection: Connection, incoming: Sequence[tuple[str, Frozen, Origin]], who: str,
           why: str, dry_run: bool, deletes: Sequence[tuple[str, str]],
           guard: Guard | None = None) -> Written:
    """The body of a write, inside a transaction that holds the write lock."""
    held = _stored(connection)
    remaining = {k: v for k, v in held.items() if k not in set(deletes)}
    problems = _problems(incoming, remaining)
    if problems:
        raise Refused(problems)
    changes = [Change(kind, key, "delete", held[(kind, key)][1], None)
               for kind, key in dict.fromkeys(deletes) if (kind, key) in held]
    for kind, key in dict.fromkeys(deletes):
        if (kind, key) in held:
            _remove(connection, kind, key)
    upserts = []
    for kind, record, _ in incoming:
        key = rows.key(kind, record)
        before = remaining.get((kind, key))
        after = rows.plain(record)
        if before is not None and before[1] == after:
            continue
        upserts.append((kind, record, before is not None))
        changes.append(Change(kind, key, "update" if before else "insert",
                              before[1] if before else None, after))
    if guard and (refused := guard(changes)):
        raise Refused(refused)
    _apply(connection, upserts)
    written = Written(changes, dry_run=dry_run)
    if dry_run:
        raise _DryRun(written)
    if changes:
        written.batch = _audit(connection, changes, who, why)
        written.version = _bump(connection)
    return written


def _locked(engine: Engine, work) -> Written:
    """`work(connection)` in one transaction holding the write lock; a dry run rolled back."""
    def locked(connection: Connection) -> Written:
        _lock(connection)
        return work(connection)

    try:
        return _transaction(engine, locked)
    except _DryRun as rolled_back:
        return rolled_back.written


def write(engine: Engine, incoming: Sequence[tuple[str, Frozen, Origin]], *, who: str, why: str,
          dry_run: bool = False, deletes: Sequence[tuple[str, str]] = (),
          guard: Guard | None = None) -> Written:
    """Upsert `incoming` (kind, record, where it came from) and delete `deletes` (kind, key).

    Raises `Refused` listing every problem when the store would break a rule afterwards, or
    when `guard` (who may make these changes, seeing what each was before) finds any.
    """
    return _locked(engine, lambda c: _write(c, incoming, who, why, dry_run, deletes, guard))


def undo(engine: Engine, batch: str, *, who: str, why: str, dry_run: bool = False,
         guard: Guard | None = None) -> Written:
    """Restore what a batch changed, as a new audited write: its inserts deleted, its updates
    and deletes put back. Refused whole when a later change touched one of its rows."""
    def work(connection: Connection) -> Written:
        found = connection.execute(select(audit).where(audit.c.batch == batch)
                                   .order_by(audit.c.id)).all()
        if not found:
            raise Refused([Problem("history", batch, "batch", "no such batch")])
        touched = {(r.table_name, r.key) for r in found}
        later = connection.execute(select(audit).where(audit.c.id > found[-1].id)
                                   .order_by(audit.c.id)).all()
        problems = [Problem("history", f"{r.table_name} {r.key}", "batch",
                            f"changed later ({r.action} by {r.who}, batch {r.batch}); "
                            "undo that batch first")
                    for r in later if (r.table_name, r.key) in touched and r.batch != batch]
        if problems:
            raise Refused(problems)
        restores, deletes = [], []
        for r in reversed(found):
            if r.before is None:
                deletes.append((r.table_name, r.key))
            else:
                model = RECORD_KINDS[r.table_name].model_validate(r.before)
                restores.append((r.table_name, model,
                                 Origin("history", None, f"{r.table_name} {r.key}")))
        return _write(connection, restores, who, why, dry_run, deletes, guard)

    return _locked(engine, work)


def load_folder(engine: Engine, folder: str | Path, *, who: str, why: str | None = None,
                dry_run: bool = False) -> Written:
    """Upsert every record of a data folder; refused whole if any record has a problem."""
    loaded = load(folder)
    if loaded.problems:
        raise Refused(loaded.problems)
    incoming = [(kind, record, Origin(str(folder), None, f"{kind} {rows.key(kind, record)}"))
                for kind in RECORD_KINDS for record in getattr(loaded.dataset, kind)]
    return write(engine, incoming, who=who, why=why or f"load {Path(folder).name}",
                 dry_run=dry_run)


def is_empty(engine: Engine) -> bool:
    with engine.connect() as connection:
        return not connection.execute(select(func.count()).select_from(records)).scalar_one()


def prepare(engine: Engine, seed: str | Path) -> None:
    """Zero configuration: migrate to the latest schema, and fill an empty store from `seed`."""
    if not database.is_current(engine):
        database.upgrade(engine)
    if is_empty(engine):
        load_folder(engine, seed, who=SEED, why=f"seed from {Path(seed).name}/")
