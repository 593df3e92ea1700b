"""The one module that writes to the store: validated, all or nothing, every change audited.

A write is a list of records (the same Pydantic models the YAML loader builds). It is checked
together with what the store already holds by the loader's own cross-record rules, run over the
part of the store the write touches (read by SQL in the write's transaction); any problem
refuses the whole write. Records are upserted by stable keys (`civic.rows.key`): an unchanged
record is left alone, so writing the same data twice changes nothing and audits nothing. Each
insert, update and delete writes an audit row, and the data version is bumped, in the same
transaction.
"""

from __future__ import annotations

import datetime as dt
import getpass
import uuid
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import (
    Connection,
    Engine,
    Row,
    and_,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.exc import DBAPIError

from civic import database, rows, rules
from civic.dates import parse_period
from civic.loading import REFERRED, Origin, Problem, cross_record_problems, load, references
from civic.models import RECORD_KINDS, Figure, Frozen
from civic.problems import Coded
from civic.quantities import parse_quantity
from civic.schema import audit, data_version, figures, records

SEED = "system:seed"
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
    skipped: list[tuple[str, str]] = field(default_factory=list)
    """(kind, key) of records left as stored: duplicates not to be replaced."""

    def counts(self) -> dict[str, int]:
        counted = {"insert": 0, "update": 0, "delete": 0}
        for change in self.changes:
            counted[change.action] += 1
        return counted


Held = dict[tuple[str, str], tuple[Frozen, dict[str, Any]]]
"""Stored records as (model, document), by (kind, key)."""

_CHUNK = 500  # values per `IN (…)`, well under every engine's limit on bound parameters


def _held(record_rows: Iterable[Row], figure_rows: Iterable[Row]) -> Held:
    """Rows as models: records, then figures, each in id order, as the whole-store check reads
    them (a rule's outcome can follow the order: of two problems_found figures of one program
    and period end, the later counts)."""
    held: Held = {}
    for row in sorted(record_rows, key=lambda r: r.id):
        held[(row.kind, row.key)] = (RECORD_KINDS[row.kind].model_validate(row.body), row.body)
    for row in sorted(figure_rows, key=lambda r: r.id):
        document = rows.figure_document(row)
        held[(rows.FIGURES, row.key)] = (Figure.model_validate(document), document)
    return held


def _stored(connection: Connection) -> Held:
    """Every stored record: for writes a subset cannot judge, and the yardstick of the tests."""
    return _held(connection.execute(select(records)), connection.execute(select(figures)))


def _chunks(values: Iterable[Any]) -> Iterator[list[Any]]:
    values = list(values)
    for start in range(0, len(values), _CHUNK):
        yield values[start:start + _CHUNK]


def _touched(connection: Connection, incoming: Sequence[tuple[str, Frozen, Origin]],  # noqa: C901
             deletes: Sequence[tuple[str, str]]) -> Held | None:
    """The stored records the rules need to judge this write, read by SQL; None when that is
    every record.

    The store met the rules before the write (every write is checked), so a write can only
    break them where it touches. This reads the records it replaces or deletes; the figures
    sharing a program and period end with a figure it writes or deletes (solved ≤ found); the
    series (program and metric) of each running total it writes (they continue); the
    figures of a metric it changes (units fit the metric); and every record that these and the
    incoming records refer to, and what those refer to in turn (ids that exist). Ids stay unique
    without reading more: a stored record's key is its id, and one with the same id is replaced.
    A delete of a kind that others refer to (a program, a department…) gives None: finding what
    refers to it means reading every record, so the whole store is checked then.
    """
    if any(kind in REFERRED for kind, _ in deletes):
        return None
    found_records: dict[int, Row] = {}
    found_figures: dict[int, Row] = {}

    def read(table, found: dict[int, Row], *where) -> list[Row]:
        new = []
        for row in connection.execute(select(table).where(*where)):
            if row.id not in found:
                found[row.id] = row
                new.append(row)
        return new

    def read_records(pairs: Iterable[tuple[str, str]]) -> list[Row]:
        new = []
        for part in _chunks(sorted(set(pairs))):
            by_kind: dict[str, list[str]] = {}
            for kind, key in part:
                by_kind.setdefault(kind, []).append(key)
            new += read(records, found_records, or_(*(
                and_(records.c.kind == kind, records.c.key.in_(keys))
                for kind, keys in by_kind.items())))
        return new

    def read_figures(column, values: Iterable[Any], *where) -> None:
        for part in _chunks(sorted(set(values))):
            read(figures, found_figures, column.in_(part), *where)

    written = [(kind, rows.key(kind, record)) for kind, record, _ in incoming]
    read_figures(figures.c.key, (key for kind, key in [*written, *deletes] if kind == rows.FIGURES))
    read_records((kind, key) for kind, key in [*written, *deletes] if kind != rows.FIGURES)
    ends: dict[str, set[dt.date]] = {}
    for row in found_figures.values():
        ends.setdefault(row.program, set()).add(row.date_end)
    for kind, record, _ in incoming:
        if isinstance(record, Figure):
            ends.setdefault(record.program, set()).add(record.period.end)
    for program, dates in ends.items():
        read_figures(figures.c.date_end, dates, figures.c.program == program)
    written_figures = [record for _, record, _ in incoming if isinstance(record, Figure)]
    read_records(("metrics", f.metric) for f in written_figures)
    cumulative = {row.key for row in found_records.values()
                  if row.kind == "metrics" and row.body.get("cumulative")}
    cumulative |= {record.id for kind, record, _ in incoming
                   if kind == "metrics" and getattr(record, "cumulative", False)}
    series: dict[str, set[str]] = {}
    for figure in written_figures:
        if figure.metric in cumulative:
            series.setdefault(figure.program, set()).add(figure.metric)
    for program, metrics in series.items():
        read_figures(figures.c.metric, metrics, figures.c.program == program)
    stored_bodies = {(row.kind, row.key): row.body for row in found_records.values()}
    read_figures(figures.c.metric, (record.id for kind, record, _ in incoming if kind == "metrics"
                                    and stored_bodies.get((kind, record.id)) != rows.plain(record)))

    held = _held(found_records.values(), found_figures.values())
    referred = _referred((kind, record) for kind, record, _ in incoming)
    referred |= _referred((kind, model) for (kind, _), (model, _) in held.items())
    asked: set[tuple[str, str]] = set()
    while missing := referred - held.keys() - asked:
        asked |= missing
        more = _held(read_records(missing), [])
        held |= more
        referred |= _referred((kind, model) for (kind, _), (model, _) in more.items())
    order = [(row.kind, row.key) for row in sorted(found_records.values(), key=lambda r: r.id)]
    order += [(rows.FIGURES, row.key)
              for row in sorted(found_figures.values(), key=lambda r: r.id)]
    return {key: held[key] for key in order}


def _referred(records: Iterable[tuple[str, Frozen]]) -> set[tuple[str, str]]:
    """(kind, id) of every record these refer to."""
    return {(target, key) for kind, record in records
            for _, target, key in references(kind, record)}


def _check(connection: Connection, incoming: Sequence[tuple[str, Frozen, Origin]],
           deletes: Sequence[tuple[str, str]], *,
           whole: bool = False) -> tuple[Held, list[Problem]]:
    """What the store holds of what a write touches, and the problems the write would leave;
    `whole` judges it against every stored record instead (what `_touched` must agree with)."""
    held = None if whole else _touched(connection, incoming, deletes)
    if held is None:
        held = _stored(connection)
    return held, _problems(incoming, held, deletes)


def _problems(incoming: Sequence[tuple[str, Frozen, Origin]], held: Held,
              deletes: Sequence[tuple[str, str]]) -> list[Problem]:
    """The loader's cross-record rules over the store as it would be after the write; the
    rules of two figures judge the pairs with an incoming one."""
    gone = {(kind, rows.key(kind, record)) for kind, record, _ in incoming} | set(deletes)
    kept = [(kind, model, Origin("store", None, f"{kind} {key}"))
            for (kind, key), (model, _) in held.items() if (kind, key) not in gone]
    _, problems = cross_record_problems([*kept, *incoming],
                                        new=set(range(len(kept), len(kept) + len(incoming))))
    return problems


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


def _bump(connection: Connection) -> int:
    connection.execute(update(data_version).where(data_version.c.id == 1).values(
        version=data_version.c.version + 1, changed_at=dt.datetime.now(dt.UTC)))
    return connection.execute(select(data_version.c.version)).scalar_one()


def _lock(connection: Connection) -> None:
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
        _lock(connection)
        return work(connection)

    return transaction(engine, locked)


class _DryRun(Exception):
    def __init__(self, written: Written):
        self.written = written


Guard = Callable[[list[Change], Held], list[Problem]]
"""Who may make these changes: the problems of each change the writer may not make, judged on
the changes (what each record was and becomes) and the stored records the write read in its
transaction (`Held`: among them every program the changed records belong to)."""


def _existing(connection: Connection, pairs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which of these (kind, key) the store holds, read in the caller's transaction."""
    found: set[tuple[str, str]] = set()
    pairs = set(pairs)
    figure_keys = [key for kind, key in pairs if kind == rows.FIGURES]
    for part in _chunks(sorted(figure_keys)):
        found |= {(rows.FIGURES, key) for key in connection.execute(
            select(figures.c.key).where(figures.c.key.in_(part))).scalars()}
    for part in _chunks(sorted(pair for pair in pairs if pair[0] != rows.FIGURES)):
        by_kind: dict[str, list[str]] = {}
        for kind, key in part:
            by_kind.setdefault(kind, []).append(key)
        found |= {(row.kind, row.key) for row in connection.execute(
            select(records.c.kind, records.c.key).where(or_(*(
                and_(records.c.kind == kind, records.c.key.in_(keys))
                for kind, keys in by_kind.items()))))}
    return found


def _write(connection: Connection, incoming: Sequence[tuple[str, Frozen, Origin]], who: str,
           why: str, dry_run: bool, deletes: Sequence[tuple[str, str]],
           guard: Guard | None = None, replace: Collection[tuple[str, str]] | None = None,
           needs: str | None = None) -> Written:
    """The body of a write, inside a transaction that holds the write lock."""
    skipped: list[tuple[str, str]] = []
    if replace is not None:  # duplicates decided here, on what the store holds now
        stored = _existing(connection, ((kind, rows.key(kind, record))
                                        for kind, record, _ in incoming))
        kept = []
        for kind, record, origin in incoming:
            key = (kind, rows.key(kind, record))
            if key in stored and key not in replace:
                skipped.append(key)
            else:
                kept.append((kind, record, origin))
        incoming = kept
    held, problems = _check(connection, incoming, deletes)
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
        raise _DryRun(Written(dry_run=dry_run, skipped=skipped))  # nothing of it is written
    if guard and (refused := guard(changes, held)):
        raise Refused(refused)
    _apply(connection, upserts)
    written = Written(changes, dry_run=dry_run, skipped=skipped)
    if dry_run:
        raise _DryRun(written)
    if changes:
        written.batch = audit_changes(connection, changes, who, why)
        written.version = _bump(connection)
    return written


def _locked(engine: Engine, work) -> Written:
    """`work(connection)` in one transaction holding the write lock; a dry run rolled back."""
    try:
        return locked_transaction(engine, work)
    except _DryRun as rolled_back:
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
    return _locked(engine, lambda c: _write(c, incoming, who, why, dry_run, deletes, guard,
                                            replace, needs))


def write_in(connection: Connection, incoming: Sequence[tuple[str, Frozen, Origin]], *,
             who: str, why: str, guard: Guard | None = None,
             replace: Collection[tuple[str, str]] | None = None,
             needs: str | None = None) -> Written:
    """`write` inside the caller's transaction, which holds the write lock (`locked_transaction`):
    a review publishes a submission and audits its step in one transaction."""
    try:
        return _write(connection, incoming, who, why, False, (), guard, replace, needs)
    except _DryRun as nothing:  # `needs` found nothing to write
        return nothing.written


def undo(engine: Engine, batch: str, *, who: str, why: str, dry_run: bool = False,
         guard: Guard | None = None) -> Written:
    """Restore what a batch changed, as a new audited write: its inserts deleted, its updates
    and deletes put back. Refused whole when a later change touched one of its rows."""
    return _locked(engine, lambda connection: undo_in(connection, batch, who=who, why=why,
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
    if any(_is_bulk(r.after) for r in found):
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
    if missing := sorted(left - _existing(connection, left)):
        raise Refused([Problem("history", f"{kind} {key}", "batch", "undo_gone")
                       for kind, key in missing])
    written = _write(connection, restores, who, why, dry_run, deletes, guard)
    if not written.changes:
        raise Refused([Problem("history", batch, "batch", "undo_nothing")])
    return written


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


# The bulk path: many new figures at once, checked column by column, audited as one batch.

BULK_COLUMNS = ["program", "metric", "reported", "period", "department", "source", "locator",
                "group_zh", "group_en"]
"""What a figure row of a bulk write gives (and, optionally, `correction`); value, unit,
qualifier and dates are parsed from `reported` and `period` by the parsers the models use."""

_SHOWN = 20  # problems listed per rule; the rest are counted


def _bulk_problems(rows_: pd.DataFrame, rule: pd.Series, field_name: str, code,
                   origin: str) -> list[Problem]:
    """A problem for each row `rule` marks, its code and values `code(row)`."""
    broken = rows_.index[rule.to_numpy(dtype=bool)]
    return _listed([Problem(origin, f"row {i + 1}", field_name, *code(rows_.loc[i]))
                    for i in broken[:_SHOWN + 1]], len(broken), origin, field_name)


def _listed(problems: list[Problem], count: int, origin: str, field_name: str) -> list[Problem]:
    """At most `_SHOWN` problems of one rule, and how many more there are."""
    if count <= _SHOWN:
        return problems
    return problems[:_SHOWN] + [Problem(origin, "", field_name, "more_rows",
                                        {"count": count - _SHOWN})]


def _parsed(values: pd.Series, parse) -> tuple[dict[str, Any], dict[str, tuple[str, dict]]]:
    """Each distinct text parsed once (a store's texts repeat): results, and (code, values)
    of the texts that do not parse."""
    good, bad = {}, {}
    for text in values.unique():
        try:
            good[text] = parse(text)
        except Coded as error:
            bad[text] = (error.code, error.params)
        except (ValueError, TypeError):
            bad[text] = ("invalid", {"value": repr(text)[:60]})
    return good, bad


def _known(connection: Connection) -> tuple[dict[str, set[str]], rules.Known]:
    """The ids of the records a figure refers to, and what the rules know of them."""
    ids: dict[str, dict[str, Any]] = {}
    for row in connection.execute(select(records.c.kind, records.c.key, records.c.body).where(
            records.c.kind.in_(["programs", "metrics", "departments", "sources"]))):
        ids.setdefault(row.kind, {})[row.key] = row.body
    known = rules.Known.of(
        [RECORD_KINDS["metrics"].model_validate(b) for b in ids.get("metrics", {}).values()],
        [RECORD_KINDS["sources"].model_validate(b) for b in ids.get("sources", {}).values()])
    return {kind: set(bodies) for kind, bodies in ids.items()}, known


def bulk_frame(connection: Connection, batch: pd.DataFrame, origin: str) -> pd.DataFrame:
    """`batch` (BULK_COLUMNS) as typed figure rows; `Refused` listing every rule it breaks.

    Ids that exist and texts that parse are checked here, on whole columns; then the store's
    rules (`civic.rules`, as the loader and `write` apply them) over the batch beside the
    stored figures of its programs; and no figure may be stored already (this path inserts).
    """
    frame = batch[BULK_COLUMNS].reset_index(drop=True)
    frame["correction"] = (batch["correction"].reset_index(drop=True)
                           if "correction" in batch else None)
    problems: list[Problem] = []
    for column in BULK_COLUMNS[:6]:
        problems += _bulk_problems(frame, frame[column].isna(), column,
                                   lambda r: ("required", {}), origin)
    if problems:
        raise Refused(problems)
    ids, known = _known(connection)
    for column in ("program", "metric", "department", "source"):
        problems += _bulk_problems(frame, ~frame[column].isin(ids.get(f"{column}s", set())),
                                   column, lambda r, c=column: ("unknown", {"kind": c,
                                                                            "value": r[c]}),
                                   origin)
    quantities, unreadable = _parsed(frame["reported"], parse_quantity)
    problems += _bulk_problems(frame, frame["reported"].isin(list(unreadable)), "reported",
                               lambda r: unreadable[r["reported"]], origin)
    periods, bad_periods = _parsed(frame["period"], parse_period)
    problems += _bulk_problems(frame, frame["period"].isin(list(bad_periods)), "period",
                               lambda r: bad_periods[r["period"]], origin)
    if problems:
        raise Refused(problems)
    parsed = frame["reported"].map(quantities)
    frame["value"] = [q.value for q in parsed]
    frame["value_max"] = [q.value_max for q in parsed]
    frame["unit"] = [q.unit for q in parsed]
    frame["qualifier"] = [str(q.qualifier) for q in parsed]
    frame["reported"] = [q.reported for q in parsed]
    spans = frame["period"].map(periods)
    frame["date"] = [start for start, _, _ in spans]
    frame["date_end"] = [end for _, end, _ in spans]
    frame["period"] = [text for _, _, text in spans]
    frame["basis"] = "reported"
    frame["key"] = (frame["program"] + "/" + frame["metric"] + "/" + frame["period"] + "/"
                    + frame["group_zh"].fillna(""))
    columns = [figures.c[c] for c in ["key", *rules.FRAME_COLUMNS] if c in figures.c]
    stored = pd.DataFrame(connection.execute(select(*columns).where(
        figures.c.program.in_(sorted(frame["program"].unique())))).all(),
        columns=[c.name for c in columns]).assign(basis="reported", new=False, check=False)
    stored.index = -1 - stored.index  # the batch's rows keep their numbers
    both = pd.concat([stored, frame.assign(new=True, check=True)])
    already = frame["key"].isin(set(stored["key"]))
    problems += _bulk_problems(frame, already, "period", lambda r: ("stored", {}), origin)
    by_rule: dict[tuple[str, str], list[Problem]] = {}
    for found in rules.problems(both[["key", *rules.FRAME_COLUMNS, "new", "check"]], known):
        if found.row >= 0 and not (found.code == "twice" and already[found.row]):
            by_rule.setdefault((found.field, found.code), []).append(
                Problem(origin, f"row {found.row + 1}", found.field, found.code, found.params))
    for (field_name, _), found_ in by_rule.items():
        problems += _listed(found_, len(found_), origin, field_name)
    if problems:
        raise Refused(problems)
    return frame


def _is_bulk(after: Any) -> bool:
    """Whether an audit row's `after` is the one-row summary of a bulk batch."""
    return isinstance(after, dict) and set(after) == {"rows", "programs"}


def write_figures(engine: Engine, batch: pd.DataFrame, *, who: str, why: str,
                  origin: str = "batch", chunk: int = 50_000) -> Written:
    """Insert a batch of new figures (generated or trusted bulk data): checked on whole columns
    rather than one model per row, inserted many rows per statement, and audited as one batch
    row (its row count and programs) rather than one row per figure. All or nothing."""
    def work(connection: Connection) -> Written:
        _lock(connection)
        frame = bulk_frame(connection, batch, origin)
        columns = [c.name for c in figures.columns if c.name != "id"]
        values = frame[columns].astype(object).where(frame[columns].notna(), None)
        for start in range(0, len(values), chunk):
            connection.execute(insert(figures), values.iloc[start:start + chunk]
                               .to_dict("records"))
        summary = {"rows": len(frame), "programs": sorted(frame["program"].unique())}
        change = Change("figures", f"batch of {len(frame)} figures", "insert", None, summary)
        audit_changes(connection, [change], who, why)
        return Written([change], version=_bump(connection))

    return transaction(engine, work)
