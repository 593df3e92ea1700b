"""The PostgreSQL fixtures give each test a working database of its own, and clean up after."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

import pgserver
from conftest import missing_requirement

# Databases handed out so far in this module, to check they were all different and are gone.
SEEN: list[str] = []


def _tables(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return inspect(connection).get_table_names()
    finally:
        engine.dispose()


@pytest.mark.parametrize("run", [1, 2])
def test_each_test_gets_a_fresh_empty_database(pg_database: str, run: int) -> None:
    url = make_url(pg_database)
    assert url.drivername == "postgresql+psycopg"
    assert url.database not in SEEN and url.database != "postgres"
    assert _tables(pg_database) == [], "a fresh database must be empty"

    engine = create_engine(pg_database)
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE probe (id int PRIMARY KEY, note text)"))
            connection.execute(text("INSERT INTO probe VALUES (:id, :note)"),
                               {"id": run, "note": "数据"})
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT id, note FROM probe")).all()
            database = connection.execute(text("SELECT current_database()")).scalar_one()
    finally:
        engine.dispose()
    assert rows == [(run, "数据")]
    assert database == url.database
    SEEN.append(url.database)


def test_databases_of_earlier_tests_are_dropped(postgres_url: str) -> None:
    if len(SEEN) < 2:
        pytest.skip("run with the tests above")
    engine = create_engine(postgres_url)
    try:
        with engine.connect() as connection:
            names = set(connection.execute(text("SELECT datname FROM pg_database")).scalars())
    finally:
        engine.dispose()
    assert not names & set(SEEN), f"left behind: {sorted(names & set(SEEN))}"


def _unreachable(url: str) -> bool:
    engine = create_engine(url, connect_args={"connect_timeout": 2})
    try:
        with engine.connect():
            return False
    except OperationalError:
        return True
    finally:
        engine.dispose()


def test_throwaway_server_survives_an_outage_and_is_removed_when_stopped() -> None:
    reason = pgserver.missing()
    if reason:
        missing_requirement(reason)
    server = pgserver.PostgresServer().start()
    try:
        root, url = server.root, server.url()
        engine = create_engine(url, pool_pre_ping=True)
        try:
            with engine.begin() as connection:
                version = connection.execute(text("SHOW server_version")).scalar_one()
                connection.execute(text("CREATE TABLE kept (id int)"))
            server.halt()
            assert _unreachable(url)
            server.resume()
            with engine.connect() as connection:  # the pool's dead connection is replaced
                assert connection.execute(text("SELECT count(*) FROM kept")).scalar_one() == 0
        finally:
            engine.dispose()
        assert version.split(".")[0] == server.version().split(".")[0]
    finally:
        server.stop()
    assert root is not None and not root.exists(), f"{root} left behind"
    assert _unreachable(url)
