"""The PostgreSQL fixtures give each test a working database of its own, and clean up after."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pgserver
import pytest
from conftest import fresh_database, missing_requirement
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError


def _tables(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return inspect(connection).get_table_names()
    finally:
        engine.dispose()


def _databases(server_url: str) -> set[str]:
    engine = create_engine(server_url)
    try:
        with engine.connect() as connection:
            return set(connection.execute(text("SELECT datname FROM pg_database")).scalars())
    finally:
        engine.dispose()


# Both runs create the same table: were a database shared, whichever ran second would fail.
@pytest.mark.parametrize("run", [1, 2])
def test_each_test_gets_a_fresh_empty_database(pg_database: str, postgres_url: str,
                                               run: int) -> None:
    url = make_url(pg_database)
    assert url.drivername == "postgresql+psycopg"
    assert url.database != make_url(postgres_url).database
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


def test_a_fresh_database_is_dropped_on_leaving_even_while_in_use(postgres_url: str) -> None:
    with fresh_database(postgres_url) as first, fresh_database(postgres_url) as second:
        names = {make_url(first).database, make_url(second).database}
        assert 2 == len(names) and names <= _databases(postgres_url)
        engine = create_engine(first)
        held = engine.connect()  # a connection the test forgot to close
        held.execute(text("SELECT 1"))
    try:
        assert not names & _databases(postgres_url), "left behind"
    finally:
        held.invalidate()
        engine.dispose()


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


def _port_of(url: str) -> int:
    engine = create_engine(url, connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as connection:
            return int(connection.execute(text("SHOW port")).scalar_one())
    finally:
        engine.dispose()


def test_servers_started_at_once_keep_to_their_own_folder_port_and_socket() -> None:
    """Two throwaway servers started together, as the workers of a parallel run start theirs:
    each answers on its own port and its own Unix socket, and stopping one leaves the other."""
    reason = pgserver.missing()
    if reason:
        missing_requirement(reason)
    servers = [pgserver.PostgresServer(), pgserver.PostgresServer()]
    try:
        with ThreadPoolExecutor(len(servers)) as pool:
            list(pool.map(pgserver.PostgresServer.start, servers))
        roots = [server.root for server in servers]
        urls = [server.url() for server in servers]
        assert len(set(roots)) == 2 and len({server.port for server in servers}) == 2
        for server in servers:
            assert (server.socket_dir / f".s.PGSQL.{server.port}").is_socket()
            assert server.socket_dir.is_relative_to(server.root)
            over_socket = (f"postgresql+psycopg://{pgserver.SERVER_USER}@/postgres"
                           f"?host={server.socket_dir}&port={server.port}")
            assert server.port == _port_of(over_socket) == _port_of(server.url())
        servers[0].stop()
        assert _unreachable(urls[0]) and not roots[0].exists()
        assert servers[1].port == _port_of(urls[1])
    finally:
        for server in servers:
            server.stop()
    assert not roots[1].exists() and _unreachable(urls[1])
