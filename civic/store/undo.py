"""Undoing a batch: what it changed put back as a new audited write, refused whole when a later
change touched one of its rows."""

from __future__ import annotations

from sqlalchemy import Connection, Engine, select

from civic.loading import Origin, Problem
from civic.models import RECORD_KINDS
from civic.schema import audit
from civic.store.bulk import is_bulk
from civic.store.checks import existing
from civic.store.writer import Guard, Refused, Written, locked_write, write_body


def undo(engine: Engine, batch: str, *, who: str, why: str, dry_run: bool = False,
         guard: Guard | None = None) -> Written:
    """Restore what a batch changed, as a new audited write: its inserts deleted, its updates
    and deletes put back. Refused whole when a later change touched one of its rows."""
    return locked_write(engine, lambda connection: undo_in(connection, batch, who=who, why=why,
                                                           dry_run=dry_run, guard=guard))


def undo_in(connection: Connection, batch: str, *, who: str, why: str, dry_run: bool = False,
            guard: Guard | None = None) -> Written:
    """`undo` inside the caller's transaction, which holds the write lock."""
    found = connection.execute(select(audit).where(audit.c.batch == batch)
                               .order_by(audit.c.id)).all()
    if not found:
        raise Refused([Problem("history", batch, "batch", "no_batch")])
    if others := sorted({r.table_name for r in found} - set(RECORD_KINDS)):
        raise Refused([Problem("history", batch, "batch", "undo_not_records",
                               {"tables": ", ".join(others)})])
    if any(is_bulk(r.after) for r in found):
        raise Refused([Problem("history", batch, "batch", "undo_bulk")])
    touched = {(r.table_name, r.key) for r in found}
    later = connection.execute(select(audit).where(audit.c.id > found[-1].id)
                               .order_by(audit.c.id)).all()
    problems = [Problem("history", f"{r.table_name} {r.key}", "batch", "changed_later",
                        {"action": r.action, "who": r.who, "batch": r.batch})
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
    left = {(r.table_name, r.key) for r in found if r.after is not None}
    if missing := sorted(left - existing(connection, left)):
        raise Refused([Problem("history", f"{kind} {key}", "batch", "undo_gone")
                       for kind, key in missing])
    written = write_body(connection, restores, who, why, dry_run, deletes, guard)
    if not written.changes:
        raise Refused([Problem("history", batch, "batch", "undo_nothing")])
    return written
