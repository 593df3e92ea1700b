"""The backup and restore of docs/deploy.md, done as written there, on a real PostgreSQL server:
the `pg_dump` command `civic db backup` prints, then `pg_restore` into an empty database, gives
back the same store (schema revision, rows of every table, data version)."""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

import pgserver
from conftest import DATA, fresh_database, missing_requirement
from deployment import civic
from sqlalchemy.engine import make_url


def libpq(url: str) -> str:
    """The libpq URL the PostgreSQL tools take, from a SQLAlchemy one."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def status(url: str) -> list[str]:
    """`civic db status` without its first line (which names the database)."""
    lines = civic("db", "status", "--database", url).splitlines()
    assert lines[0].startswith("database:"), lines
    return lines[1:]


def test_pg_dump_and_pg_restore_give_back_the_store(pg_database: str, postgres_url: str,
                                                   tmp_path: Path) -> None:
    bindir = pgserver.find_bindir()
    if bindir is None:
        missing_requirement(f"pg_dump not found: {pgserver.INSTALL_HINT}")
    civic("db", "upgrade", "--database", pg_database)
    civic("db", "load", str(DATA), "--database", pg_database)
    before = status(pg_database)
    assert any("figures" in line for line in before), before

    backup = tmp_path / "civic.dump"
    printed = civic("db", "backup", str(backup), "--database", pg_database)
    (command,) = [line.strip() for line in printed.splitlines()
                  if line.strip().startswith("pg_dump ")]
    words = shlex.split(command)
    subprocess.run([str(bindir / "pg_dump"), *words[1:]], check=True, capture_output=True)
    assert backup.stat().st_size > 0

    with fresh_database(postgres_url) as restored:
        subprocess.run([str(bindir / "pg_restore"), "--no-owner", f"--dbname={libpq(restored)}",
                        str(backup)], check=True, capture_output=True)
        assert status(restored) == before
