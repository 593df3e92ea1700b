"""Where the store lives and how to reach it: the URL, the engine, the schema's migrations.

SQLite by default (`var/civic.sqlite3` in the project, WAL mode so readers never wait for a
writer, a busy timeout so two writers queue instead of failing); PostgreSQL through psycopg 3
for a shared deployment, with `pool_pre_ping` so a lost connection is remade on the next use.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, ProgrammingError

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = f"sqlite:///{ROOT / 'var' / 'civic.sqlite3'}"
URL_ENV = "CIVIC_DATABASE_URL"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BUSY_TIMEOUT_S = 30.0
WRITE = "civic_write"
"""Execution option a writer sets: on SQLite its transaction takes the write lock at BEGIN."""


class StoreError(Exception):
    """The store cannot be used; the message says why in words an operator can act on."""


class Unavailable(StoreError):
    pass


class SchemaTooNew(StoreError):
    pass


class Damaged(StoreError):
    """The SQLite file is not a database, or not a whole one: it is restored from a backup."""


class Full(StoreError):
    """The disk holding the store is full: nothing was written."""


def database_url(explicit: str | None = None) -> str:
    return explicit or os.environ.get(URL_ENV) or DEFAULT_URL


def shown(url: str) -> str:
    """The URL without its password, for messages."""
    return make_url(url).render_as_string(hide_password=True)


def connect(url: str | None = None) -> Engine:
    """An engine for the URL (or the environment's, or the default SQLite file)."""
    url = make_url(database_url(url))
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    return create_engine(url, pool_pre_ping=True)


def _sqlite_engine(url) -> Engine:
    if url.database and url.database != ":memory:":
        try:
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise Unavailable(f"cannot create the folder of {url.database}: {error}") from None
    timeout = float(url.query.get("timeout", BUSY_TIMEOUT_S))
    url = url.difference_update_query(["timeout"])
    engine = create_engine(url, connect_args={"timeout": timeout}, pool_pre_ping=True)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        write = connection.get_execution_options().get(WRITE)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def _config(engine: Engine):
    from alembic.config import Config  # Alembic only when a migration runs: 0.25 s to import

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def known_revisions() -> list[str]:
    """The revisions this version of civic knows, oldest first, read without Alembic: each
    migration file is named by its revision, in order (a test holds this to Alembic's view)."""
    return sorted(path.stem for path in (MIGRATIONS / "versions").glob("[0-9]*.py"))


def head() -> str:
    return known_revisions()[-1]


def revision(engine: Engine) -> str | None:
    """The schema revision the database is at; None for an empty database."""
    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                return None
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DBAPIError as error:
        raise failure(engine, error) from None


def _reason(error: Exception) -> str:
    return (str(getattr(error, "orig", None) or error).strip().splitlines() or [""])[0]


def unreachable(engine: Engine | str, error: Exception) -> str:
    url = engine if isinstance(engine, str) else str(engine.url)
    return f"the database at {shown(url)} cannot be reached: {_reason(error)}"


def problem_key(error: StoreError) -> str:
    """The catalogue key (`…_title`, `…_message`) a page says a store problem with."""
    return {SchemaTooNew: "store.too_new", Damaged: "store.damaged",
            Full: "store.full"}.get(type(error), "store.unavailable")


_DAMAGED = ("file is not a database", "database disk image is malformed")
_FULL = ("database or disk is full", "no space left on device", "could not extend file")


def failure(engine: Engine | str, error: Exception) -> Exception:
    """What a database error says about the store, in words an operator can act on: a damaged
    SQLite file (restore it from a backup), a full disk (free space), or a store that cannot be
    reached. The message names the store; pages show only its kind (`Damaged`, `Full`, ...).
    An error of the statement itself (a constraint, bad SQL) is returned as it is."""
    if isinstance(error, (IntegrityError, ProgrammingError, DataError)):
        return error
    url = make_url(engine if isinstance(engine, str) else str(engine.url))
    reason = _reason(error)
    lowered = reason.lower()
    if url.get_backend_name() == "sqlite" and any(text in lowered for text in _DAMAGED):
        path = url.database
        return Damaged(
            f"the store's SQLite file {path} is damaged ({reason}); nothing can be read or "
            f"written. Stop the dashboard, then copy the last backup made with `civic db "
            f"backup FILE` over {path} (or point --database / ${URL_ENV} at it) and start "
            "again")
    if any(text in lowered for text in _FULL) or \
            getattr(getattr(error, "orig", None), "sqlstate", None) == "53100":
        return Full(f"the disk holding the store ({shown(str(url))}) is full ({reason}); "
                    "nothing was written. Free space on it and try again")
    return Unavailable(unreachable(str(url), error))


def check(engine: Engine) -> str | None:
    """The current revision; refuses a database migrated by a newer version of civic."""
    current = revision(engine)
    if current is not None and current not in known_revisions():
        raise SchemaTooNew(
            f"the database at {shown(str(engine.url))} has schema revision {current!r}, newer "
            f"than this version of civic knows (latest {head()!r}); upgrade civic")
    return current


def upgrade(engine: Engine) -> str:
    """Migrate to the latest schema; returns the revision reached."""
    from alembic import command

    check(engine)
    try:
        command.upgrade(_config(engine), "head")
    except DBAPIError as error:
        raise failure(engine, error) from None
    return head()


def is_current(engine: Engine) -> bool:
    if check(engine) != head():
        return False
    try:
        return inspect(engine).has_table("figures")
    except DBAPIError as error:
        raise failure(engine, error) from None
