"""A data folder written to the store: `civic db load`, and the seed of an empty store on first
start."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, func, select

from civic import database, rows
from civic.loading import Origin, load
from civic.models import RECORD_KINDS
from civic.schema import records
from civic.store.writer import Refused, Written, write

SEED = "system:seed"



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

