"""The dashboard and its store (AppTest): writes of other processes, revisions on the data page,
and a store that cannot be used shown as a clear page, never a traceback."""

from __future__ import annotations

import shutil
import socket

import pytest
from conftest import _admin_connection
from sqlalchemy import text
from sqlalchemy.engine import make_url
from streamlit.testing.v1 import AppTest
from test_app import APP, metric_values, open_app

from app_pages import turns
from civic import database, store
from civic.i18n import t


def revised(data_dir, tmp_path, old="4023人次", new="4100人次"):
    folder = shutil.copytree(data_dir, tmp_path / "revised")
    walk = folder / "programs" / "leaders_walk.yaml"
    walk.write_text(walk.read_text("utf-8").replace(old, new), encoding="utf-8")
    return folder


def test_a_write_by_another_process_shows_on_the_next_rerun(new_store, data_dir, tmp_path):
    at = open_app("leaders_walk")
    assert "4023人次" == metric_values(at)[0]
    store.load_folder(database.connect(new_store), revised(data_dir, tmp_path), who="cli:test")
    at.run()
    assert "4100人次" == metric_values(at)[0]


@pytest.mark.parametrize("lang, was, header", [("zh", "4023人次", "原值"), ("en", "4023人次", "Was")])
def test_the_data_page_shows_a_figures_revision(new_store, data_dir, tmp_path, lang, was, header):
    engine = database.connect(new_store)
    store.prepare(engine, data_dir)
    store.load_folder(engine, revised(data_dir, tmp_path), who="cli:editor", why="recount")
    at = open_app("sources", lang=lang)
    assert [] == [e.value for e in at.exception]
    (revisions,) = [d.value for d in at.dataframe if header in d.value.columns]
    row = revisions.iloc[0].tolist()
    assert {"4100人次", was, "cli:editor", "recount"} <= set(row)


def test_no_revisions_says_so(new_store):
    at = open_app("sources", lang="en")
    assert any("has been revised" in c.value for c in at.caption)


def test_an_unreachable_store_shows_a_clear_page_and_recovers(tmp_path, monkeypatch):
    blocker = tmp_path / "var"
    blocker.write_text("a file where the store's folder should be", encoding="utf-8")
    monkeypatch.setenv(database.URL_ENV, f"sqlite:///{blocker / 'civic.sqlite3'}")
    at = open_app("overview")
    assert [] == [e.value for e in at.exception]
    assert "暂时无法连接数据库" == at.title[0].value and at.button
    with turns.turn(0) as had:
        assert had, "the run that stopped on the store kept this process's turn"
    blocker.unlink()  # the store comes back
    at.button(key="store_retry").click().run()
    assert [] == [e.value for e in at.exception]
    assert at.metric and "暂时无法连接数据库" != at.title[0].value


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_unreachable_postgresql_shows_a_clear_page(monkeypatch):
    monkeypatch.setenv(database.URL_ENV,
                       f"postgresql+psycopg://postgres@127.0.0.1:{_closed_port()}/civic")
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = "en"
    at.run()
    assert [] == [e.value for e in at.exception]
    assert "The database cannot be reached" == at.title[0].value
    assert [t("store.unavailable_message", "en")] == [e.value for e in at.error]
    # What is wrong, never where the store is: anyone may open this page.
    assert not any("127.0.0.1" in str(e.value) for kind in ("text", "markdown", "error")
                   for e in at.get(kind))


def test_a_store_of_a_newer_schema_is_refused_with_a_message(new_store, data_dir):
    engine = database.connect(new_store)
    store.prepare(engine, data_dir)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    at = open_app("overview", lang="en")
    assert [] == [e.value for e in at.exception]
    assert "The database is newer than this program" == at.title[0].value
    assert [t("store.too_new_message", "en")] == [e.value for e in at.error]
    assert not any("civic.sqlite3" in str(e.value) for kind in ("text", "markdown", "error")
                   for e in at.get(kind))


def test_postgresql_lost_and_back_recovers_without_a_restart(pg_database, postgres_url,
                                                             monkeypatch):
    """Away at start (a clear page), back (Retry shows the dashboard), connections dropped
    under the running app (the next rerun reconnects)."""
    name = make_url(pg_database).database
    monkeypatch.setenv(database.URL_ENV, pg_database)
    with _admin_connection(postgres_url) as admin:
        admin.execute(f'ALTER DATABASE "{name}" RENAME TO "{name}_away"')
    at = open_app("overview", lang="en")
    assert [] == [e.value for e in at.exception]
    assert "The database cannot be reached" == at.title[0].value

    with _admin_connection(postgres_url) as admin:
        admin.execute(f'ALTER DATABASE "{name}_away" RENAME TO "{name}"')
    at.button(key="store_retry").click().run()
    assert [] == [e.value for e in at.exception] and at.metric

    with _admin_connection(postgres_url) as admin:
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                      "WHERE datname = %s AND pid <> pg_backend_pid()", (name,))
    at.run()
    assert [] == [e.value for e in at.exception] and at.metric
