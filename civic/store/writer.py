"""The one path that writes records: validated, all or nothing, every change audited.

A write is a list of records (the same Pydantic models the YAML loader builds). It is checked
together with what the store already holds by the loader's own cross-record rules, run over the
part of the store the write touches (`civic.store.checks`); any problem refuses the whole
write. Records are upserted by stable keys (`civic.rows.key`): an unchanged record is left
alone, so writing the same data twice changes nothing and audits nothing. Each insert, update
and delete writes an audit row, and the data version is bumped, in the same transaction.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, delete, insert, update

from civic import rows
from civic.loading import Origin, Problem
from civic.models import Figure, Frozen
from civic.schema import figures, records
from civic.store.checks import Held, check, existing
from civic.store.transactions import Change, audit_changes, bump, locked_transaction

DIRECT = " (published directly, no review)"
"""Said in the audit of what the operator at the shell writes (`civic db load`, `civic import`
without `--as`): published with no approver's review."""


def cli_user() -> str:
    return f"cli:{getpass.getuser()}"


class Refused(Exception):
    """A write that breaks a rule; nothing was written. Carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class Written:
    """What a write did (or, on a dry run, would do)."""

    changes: list[Change] = field(default_factory=list)
    version: int | None = None
    dry_run: bool = False
    batch: str | None = None
    """The audit rows' batch id, for `undo`; None when nothing changed."""
    skipped: list[tuple[str, str]] = field(default_factory=list)
    """(kind, key) of records left as stored: duplicates not to be replaced."""

    def counts(self) -> dict[str, int]:
        counted = {"insert": 0, "update": 0, "delete": 0}
        for change in self.changes:
            counted[change.action] += 1
        return counted


Guard = Callable[[list[Change], Held], list[Problem]]
"""Who may make these changes: the problems of each change the writer may not make, judged on
the changes (what each record was and becomes) and the stored records the write read in its
transaction (`Held`: among them every program the changed records belong to)."""


def _apply(connection: Connection, upserts: list[tuple[str, Frozen, bool]]) -> None:
    """Insert or update records (kind, record, already stored), many rows per statement."""
    batches: dict[tuple[str, bool], list[dict[str, Any]]] = {}
    for kind, record, exists in upserts:
        key = rows.key(kind, record)
        if isinstance(record, Figure):
            batches.setdefault(("figures", exists), []).append(
                {**rows.figure_row(record), "old_key": key})
        else:
            batches.setdefault(("records", exists), []).append(
                {"kind": kind, "key": key, "old_kind": kind, "old_key": key,
                 "body": rows.plain(record), "program": rows.program_of(record)})
    statements = {
        ("figures", False): insert(figures),
        ("figures", True): update(figures).where(figures.c.key == bindparam("old_key")),
        ("records", False): insert(records),
        ("records", True): update(records).where(records.c.kind == bindparam("old_kind"),
                                                 records.c.key == bindparam("old_key")),
    }
    for batch, batch_rows in batches.items():
        table = figures if batch[0] == "figures" else records
        columns = [c.name for c in table.columns if c.name != "id"]
        connection.execute(statements[batch].values({c: bindparam(c) for c in columns}),
                           [{k: v for k, v in row.items()
                             if k in columns or k.startswith("old_")} for row in batch_rows])


def _remove(connection: Connection, kind: str, key: str) -> None:
    if kind == rows.FIGURES:
        connection.execute(delete(figures).where(figures.c.key == key))
    else:
        connection.execute(delete(records).where(records.c.kind == kind, records.c.key == key))


class DryRun(Exception):
    """Raised inside a write's transaction to roll it back, carrying what it would have done."""

    def __init__(self, written: Written):
        self.written = written


def write_body(connection: Connection, incoming: Sequence[tuple[str, Frozen, Origin]],
               who: str, why: str, dry_run: bool, deletes: Sequence[tuple[str, str]],
               guard: Guard | None = None, replace: Collection[tuple[str, str]] | None = None,
               needs: str | None = None) -> Written:
    """The body of a write, inside a transaction that holds the write lock."""
    skipped: list[tuple[str, str]] = []
    if replace is not None:  # duplicates decided here, on what the store holds now
        stored = existing(connection, ((kind, rows.key(kind, record))
                                       for kind, record, _ in incoming))
        kept = []
        for kind, record, origin in incoming:
            pair = (kind, rows.key(kind, record))
            if pair in stored and pair not in replace:
                skipped.append(pair)
            else:
                kept.append((kind, record, origin))
        incoming = kept
    held, problems = check(connection, incoming, deletes)
    deleted = set(deletes)
    remaining = {k: v for k, v in held.items() if k not in deleted}
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
    if needs is not None and not any(change.table == needs for change in changes):
        raise DryRun(Written(dry_run=dry_run, skipped=skipped))  # nothing of it is written
    if guard and (refused := guard(changes, held)):
        raise Refused(refused)
    _apply(connection, upserts)
    written = Written(changes, dry_run=dry_run, skipped=skipped)
    if dry_run:
        raise DryRun(written)
    if changes:
        written.batch = audit_changes(connection, changes, who, why)
        written.version = bump(connection)
    return written


def locked_write(engine: Engine, work) -> Written:
    """`work(connection)` in one transaction holding the write lock; a dry run rolled back."""
    try:
        return locked_transaction(engine, work)
    except DryRun as rolled_back:
        return rolled_back.written


def write(engine: Engine, incoming: Sequence[tuple[str, Frozen, Origin]], *, who: str, why: str,
          dry_run: bool = False, deletes: Sequence[tuple[str, str]] = (),
          guard: Guard | None = None, replace: Collection[tuple[str, str]] | None = None,
          needs: str | None = None) -> Written:
    """Upsert `incoming` (kind, record, where it came from) and delete `deletes` (kind, key).

    Raises `Refused` listing every problem when the store would break a rule afterwards, or
    when `guard` (who may make these changes, seeing what each was before) finds any.

    With `replace`, an incoming record the store already holds is written only when its
    (kind, key) is in `replace`, and left as stored otherwise (`Written.skipped`): decided in
    the write's transaction, so a record another writer stored a moment before is skipped, not
    overwritten. With `needs` (a kind), the write happens only when a record of that kind
    changes (an upload's new source is written only with the figures that cite it).
    """
    return locked_write(engine, lambda c: write_body(c, incoming, who, why, dry_run, deletes,
                                                     guard, replace, needs))


def write_in(connection: Connection, incoming: Sequence[tuple[str, Frozen, Origin]], *,
             who: str, why: str, guard: Guard | None = None,
             replace: Collection[tuple[str, str]] | None = None,
             needs: str | None = None) -> Written:
    """`write` inside the caller's transaction, which holds the write lock (`locked_transaction`):
    a review publishes a submission and audits its step in one transaction."""
    try:
        return write_body(connection, incoming, who, why, False, (), guard, replace, needs)
    except DryRun as nothing:  # `needs` found nothing to write
        return nothing.written

