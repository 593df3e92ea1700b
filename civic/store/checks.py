"""What a write is judged against: the part of the store it touches, read by SQL in its
transaction, and the problems the loader's cross-record rules find there once it is applied.

The store met the rules before the write (every write is checked), so a write can only break
them where it touches; `check(whole=True)` judges against every stored record instead, the
yardstick `touched` must agree with (tests/test_store_check.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, and_, or_, select

from civic import rows
from civic.loading import REFERRED, Origin, Problem, cross_record_problems, references
from civic.models import RECORD_KINDS, Figure, Frozen, Metric
from civic.schema import figures, records

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


def touched(connection: Connection, incoming: Sequence[tuple[str, Frozen, Origin]],  # noqa: C901
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
            new += read(records, found_records, _records_of(part))
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
    cumulative |= {record.id for _, record, _ in incoming
                   if isinstance(record, Metric) and record.cumulative}
    series: dict[str, set[str]] = {}
    for figure in written_figures:
        if figure.metric in cumulative:
            series.setdefault(figure.program, set()).add(figure.metric)
    for program, metrics in series.items():
        read_figures(figures.c.metric, metrics, figures.c.program == program)
    stored_bodies = {(row.kind, row.key): row.body for row in found_records.values()}
    read_figures(figures.c.metric, (record.id for kind, record, _ in incoming
                                    if isinstance(record, Metric)
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


def check(connection: Connection, incoming: Sequence[tuple[str, Frozen, Origin]],
           deletes: Sequence[tuple[str, str]], *,
           whole: bool = False) -> tuple[Held, list[Problem]]:
    """What the store holds of what a write touches, and the problems the write would leave;
    `whole` judges it against every stored record instead (what `touched` must agree with)."""
    held = None if whole else touched(connection, incoming, deletes)
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


def existing(connection: Connection, pairs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which of these (kind, key) the store holds, read in the caller's transaction."""
    found: set[tuple[str, str]] = set()
    pairs = set(pairs)
    figure_keys = [key for kind, key in pairs if kind == rows.FIGURES]
    for part in _chunks(sorted(figure_keys)):
        found |= {(rows.FIGURES, key) for key in connection.execute(
            select(figures.c.key).where(figures.c.key.in_(part))).scalars()}
    for part in _chunks(sorted(pair for pair in pairs if pair[0] != rows.FIGURES)):
        found |= {(row.kind, row.key) for row in connection.execute(
            select(records.c.kind, records.c.key).where(_records_of(part)))}
    return found


def _records_of(pairs: Iterable[tuple[str, str]]) -> ColumnElement[bool]:
    """The condition that picks these (kind, key) of the records table."""
    by_kind: dict[str, list[str]] = {}
    for kind, key in pairs:
        by_kind.setdefault(kind, []).append(key)
    return or_(*(and_(records.c.kind == kind, records.c.key.in_(keys))
                 for kind, keys in by_kind.items()))
