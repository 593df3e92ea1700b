"""The bulk path: many new figures at once (generated or trusted bulk data), checked column by
column by the same rules as every write (`civic.rules`), inserted many rows per statement, and
audited as one batch."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, insert, select

from civic import rules
from civic.dates import parse_period
from civic.loading import Problem
from civic.models import Metric, Source
from civic.problems import Coded
from civic.quantities import parse_quantity
from civic.schema import figures, records
from civic.store.transactions import Change, audit_changes, bump, lock, transaction
from civic.store.writer import Refused, Written

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
        [Metric.model_validate(b) for b in ids.get("metrics", {}).values()],
        [Source.model_validate(b) for b in ids.get("sources", {}).values()])
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


def is_bulk(after: Any) -> bool:
    """Whether an audit row's `after` is the one-row summary of a bulk batch."""
    return isinstance(after, dict) and set(after) == {"rows", "programs"}


def write_figures(engine: Engine, batch: pd.DataFrame, *, who: str, why: str,
                  origin: str = "batch", chunk: int = 50_000) -> Written:
    """Insert a batch of new figures (generated or trusted bulk data): checked on whole columns
    rather than one model per row, inserted many rows per statement, and audited as one batch
    row (its row count and programs) rather than one row per figure. All or nothing."""
    def work(connection: Connection) -> Written:
        lock(connection)
        frame = bulk_frame(connection, batch, origin)
        columns = [c.name for c in figures.columns if c.name != "id"]
        values = frame[columns].astype(object).where(frame[columns].notna(), None)
        for start in range(0, len(values), chunk):
            connection.execute(insert(figures), values.iloc[start:start + chunk]
                               .to_dict("records"))
        summary = {"rows": len(frame), "programs": sorted(frame["program"].unique())}
        change = Change("figures", f"batch of {len(frame)} figures", "insert", None, summary)
        audit_changes(connection, [change], who, why)
        return Written([change], version=bump(connection))

    return transaction(engine, work)
