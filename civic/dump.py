"""Copies of the store: back out as a data folder in the layout `civic db load` reads, or a
backup file of the whole database."""

from __future__ import annotations

import shlex
import sqlite3
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Engine

from civic import reads, rows
from civic.models import RECORD_KINDS

TOP_LEVEL = ["sources", "districts", "departments", "metrics"]
"""Kinds with a file of their own; every other record goes in its program's file."""


def _write(path: Path, content: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(content, allow_unicode=True, sort_keys=False), encoding="utf-8")


def dump(engine: Engine, folder: str | Path) -> list[Path]:
    """Write every stored record under `folder`; returns the files written."""
    root = Path(folder)
    dataset = reads.dataset(engine)
    written = []
    for kind in TOP_LEVEL:
        path = root / f"{kind}.yaml"
        _write(path, {kind: [rows.plain(r) for r in getattr(dataset, kind)]})
        written.append(path)
    for program in dataset.programs:
        content: dict[str, Any] = {"program": rows.plain(program)}
        for kind in RECORD_KINDS:
            if kind in TOP_LEVEL or kind == "programs":
                continue
            mine = [rows.plain(r) for r in getattr(dataset, kind) if r.program == program.id]
            if mine:
                content[kind] = mine
        path = root / "programs" / f"{program.id}.yaml"
        _write(path, content)
        written.append(path)
    return written


def backup(engine: Engine, file: str | Path) -> str:
    """SQLite: an online backup into `file` (readers and writers carry on meanwhile).
    PostgreSQL: nothing is copied here; returns the `pg_dump` command that does it."""
    target = Path(file)
    if engine.dialect.name != "sqlite":
        url = engine.url.set(drivername="postgresql").render_as_string(hide_password=True)
        return ("PostgreSQL is backed up with its own tool (give the password in PGPASSWORD):\n"
                f"  pg_dump --format=custom --file={shlex.quote(str(target))} "
                f"--dbname={shlex.quote(url)}")
    if target.exists():
        raise FileExistsError(f"{target} exists; choose a new file for the backup")
    raw = engine.raw_connection()
    try:
        copy = sqlite3.connect(target)
        try:
            raw.driver_connection.backup(copy)
        finally:
            copy.close()
    finally:
        raw.close()
    return f"{target}: backup of {engine.url.database}, {target.stat().st_size} bytes"
