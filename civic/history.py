"""The audit trail as editors read it, a page at a time from SQL: filtered by editor, department
and date, grouped into batches (one save each), sign-ins apart, and written out as CSV.

The trail only grows (every sign-in adds to it), so nothing here reads it whole: each page is a
LIMIT/OFFSET query, counts and the editors are aggregates, and the CSV is written in chunks. What
a page shows is kept while the trail is as its reader sees it (`_kept`): a rerun with the trail
unchanged (paging the other tab, a widget elsewhere) reads the trail's size, not the trail.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import json
from dataclasses import dataclass
from typing import Any, Callable, ParamSpec, TypeVar, cast

import pandas as pd
from sqlalchemy import ColumnElement, Engine, func, select

from civic import reads
from civic.accounts import FAILED, LOCKED, RESUMED, SIGN_IN, SIGN_OUT
from civic.kept import Kept
from civic.schema import audit
from civic.text import csv_safe, printable

PAGE = 100
SIGN_IN_ACTIONS = (SIGN_IN, RESUMED, FAILED, LOCKED, SIGN_OUT)
CHANGE_COLUMNS = ["at", "who", "table", "key", "action", "why", "batch"]
BATCH_COLUMNS = ["batch", "at", "who", "why", "count"]
_CHUNK = 10_000  # rows per query while the CSV is written
KEEP = 256  # page reads kept (`_kept`), the least recently used given up first

P = ParamSpec("P")
R = TypeVar("R")
_KEPT: Kept[Any] = Kept(KEEP)


@dataclass(frozen=True)
class Trail:
    """Which changes are shown: by editor (the audit's `who`), by department (the record's after
    the change, else before it) and from a date (UTC)."""

    editor: str | None = None
    department: str | None = None
    since: dt.date | None = None
    sign_ins: bool = False
    """Sign-ins, sign-outs and refused sign-ins only, rather than every other change: they are
    listed apart, not as batches."""

    def where(self) -> list[Any]:
        steps = audit.c.action.in_(SIGN_IN_ACTIONS)
        clauses: list[ColumnElement[bool]] = [steps if self.sign_ins else ~steps]
        if self.editor:
            clauses.append(audit.c.who == self.editor)
        if self.department:
            clauses.append(func.coalesce(audit.c.after["department"].as_string(),
                                         audit.c.before["department"].as_string())
                           == self.department)
        if self.since:
            clauses.append(audit.c.at >= dt.datetime.combine(self.since, dt.time(), dt.UTC))
        return clauses


def seen(engine: Engine) -> tuple[Any, ...]:
    """The trail as this reader sees it, in one quick query: how many rows, the newest id and
    time. Rows are only ever added, so a later reader sees every row an earlier one saw: the
    same count is the same rows, whatever order ids were committed in (the newest id alone would
    not say so on PostgreSQL, where a lower id can commit after a higher one). The newest id and
    time tell apart another store at the same address, such as one restored from a backup."""
    # Each its own subquery: together in one select, SQLite scans the whole trail for them.
    parts = [select(func.count()).select_from(audit), select(func.max(audit.c.id)),
             select(func.max(audit.c.at))]
    return reads.guarded(engine, lambda c: tuple(c.execute(
        select(*(part.scalar_subquery() for part in parts))).one()))


def _kept(read: Callable[P, R]) -> Callable[P, R]:
    """`read(engine, ...)` answered again from what it gave for the same arguments while the
    trail was as this reader sees it now (`seen`); a frame or list is handed out as a copy, which
    a page may change."""

    @functools.wraps(read)
    def kept(*args: P.args, **kwargs: P.kwargs) -> R:
        engine = args[0]
        assert isinstance(engine, Engine)
        key = (read.__name__, engine.url, seen(engine), args[1:], tuple(sorted(kwargs.items())))
        found = _KEPT.get(key)
        if found is None:  # every read here gives a count, a list or a frame, never None
            found = read(*args, **kwargs)
            _KEPT.put(key, found)
        return cast(R, found.copy() if isinstance(found, (pd.DataFrame, list)) else found)

    return kept


@_kept
def editors(engine: Engine) -> list[str]:
    """Everyone who changed anything, by name."""
    return reads.guarded(engine, lambda c: list(c.execute(
        select(audit.c.who).distinct().order_by(audit.c.who)).scalars()))


@_kept
def count_changes(engine: Engine, trail: Trail = Trail()) -> int:
    return reads.guarded(engine, lambda c: c.execute(
        select(func.count()).select_from(audit).where(*trail.where())).scalar_one())


@_kept
def count_batches(engine: Engine, trail: Trail = Trail()) -> int:
    return reads.guarded(engine, lambda c: c.execute(
        select(func.count(audit.c.batch.distinct())).where(*trail.where())).scalar_one())


def _changes(engine: Engine, trail: Trail = Trail(), page: int = 0, size: int = PAGE,
             full: bool = False) -> pd.DataFrame:
    """One page of single changes, newest first; `full` adds what each record was before and
    after (`before`, `after`)."""
    columns = [audit.c.at, audit.c.who, audit.c.table_name, audit.c.key, audit.c.action,
               audit.c.why, audit.c.batch] + ([audit.c.before, audit.c.after] if full else [])
    query = (select(*columns).where(*trail.where()).order_by(audit.c.id.desc())
             .limit(size).offset(page * size))
    found = reads.guarded(engine, lambda c: c.execute(query).all())
    names = CHANGE_COLUMNS + (["before", "after"] if full else [])
    frame = pd.DataFrame([tuple(row) for row in found], columns=names)
    frame["at"] = [reads.utc(at) for at in frame["at"]]
    return frame


changes = _kept(_changes)


@_kept
def batches(engine: Engine, trail: Trail = Trail(), page: int = 0,
            size: int = PAGE) -> pd.DataFrame:
    """One page of batches, newest first: when, who, why and how many changes.

    The page's batches are chosen from the index on (batch, action, id) alone, then only their
    rows are read for when, who and why: grouping every row with its columns took 300 ms at
    217,000 audit rows."""
    last = func.max(audit.c.id).label("last")
    chosen = (select(audit.c.batch, last, func.count().label("count"))
              .where(*trail.where()).group_by(audit.c.batch)
              .order_by(last.desc()).limit(size).offset(page * size))

    def read(connection) -> list[tuple]:
        page_of = connection.execute(chosen).all()
        if not page_of:
            return []
        details = {row[0]: row[1:] for row in connection.execute(
            select(audit.c.batch, func.min(audit.c.at), func.min(audit.c.who),
                   func.min(audit.c.why))
            .where(audit.c.batch.in_([row.batch for row in page_of]), *trail.where())
            .group_by(audit.c.batch))}
        return [(row.batch, *details[row.batch], row.count) for row in page_of]

    found = reads.guarded(engine, read)
    frame = pd.DataFrame(found, columns=BATCH_COLUMNS)
    frame["at"] = [reads.utc(at) for at in frame["at"]]
    return frame


def csv_bytes(engine: Engine, trail: Trail = Trail()) -> bytes:
    """The changes of `trail`, newest first, with what each record was before and after, as
    the exported CSV files are written (UTF-8 with a BOM, formulas escaped, control characters
    dropped), read a chunk at a time."""
    out = io.StringIO()
    page = 0
    while True:
        chunk = _changes(engine, trail, page, _CHUNK, full=True)  # read once, never kept
        if chunk.empty and page:
            break
        chunk["at"] = chunk["at"].map(lambda at: at.isoformat(timespec="seconds"))
        for column in ("before", "after"):
            chunk[column] = chunk[column].map(
                lambda v: "" if v is None else json.dumps(v, ensure_ascii=False))
        chunk = chunk.map(lambda v: printable(v) if isinstance(v, str) else v)
        csv_safe(chunk).to_csv(out, index=False, header=not page, lineterminator="\r\n")
        if len(chunk) < _CHUNK:
            break
        page += 1
    return out.getvalue().encode("utf-8-sig")
