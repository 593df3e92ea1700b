"""Bad luck with the store: a damaged SQLite file and a full disk are named with what to do
(restore from `civic db backup`; free space), exit 2 from every command, with no traceback; the
page says what kind of problem it is and never where the store is (its URL or path)."""

from __future__ import annotations

import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest
from conftest import prepared
from sqlalchemy import event, text
from sqlalchemy.pool import Pool
from streamlit.testing.v1 import AppTest
from test_app import APP
from test_data_entry_app import signed_in_app
from test_intake import HEADER, csv_bytes

from civic import cache, database, reads
from civic.cli import main
from civic.i18n import t

COMMANDS = [["db", "status"], ["db", "upgrade"], ["figures"], ["history"], ["user", "list"],
            ["db", "backup", "{tmp}/backup.sqlite3"], ["db", "load", "{data}"],
            ["export", "--format", "csv", "-o", "{tmp}/figures.csv"],
            ["import", "{tmp}/up.csv", "--source", "zzrb_20231115_walk"]]


def garbage(path: Path) -> None:
    """Not a database at all (a file overwritten by something else)."""
    path.write_bytes(b"this is not what it was\n" * 400)


def torn(path: Path) -> None:
    """A store whose pages after the first were overwritten: its header still reads."""
    with prepared(f"sqlite:///{path}") as engine:
        with engine.connect() as connection:
            connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    content = bytearray(path.read_bytes())
    content[4096:] = b"\xa5" * (len(content) - 4096)
    path.write_bytes(bytes(content))


@pytest.mark.parametrize("damage", [garbage, torn])
def test_every_command_names_a_damaged_sqlite_file_and_what_to_do(damage, tmp_path, capsys,
                                                                   data_dir):
    store_file = tmp_path / "civic.sqlite3"
    damage(store_file)
    (tmp_path / "up.csv").write_bytes(csv_bytes(HEADER))
    for command in COMMANDS:
        argv = [part.format(tmp=tmp_path, data=data_dir) for part in command]
        code = main([*argv, "--database", f"sqlite:///{store_file}"])
        out, err = capsys.readouterr()
        assert code == 2, (argv, out, err)
        assert "is damaged" in err and "civic db backup" in err and str(store_file) in err, err
        assert "Traceback" not in err


def test_a_damaged_store_gives_no_traceback_in_a_process_of_its_own(tmp_path):
    store_file = tmp_path / "civic.sqlite3"
    torn(store_file)
    civic = Path(sys.executable).with_name("civic")
    done = subprocess.run([str(civic), "figures", "--database", f"sqlite:///{store_file}"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "is damaged" in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.splitlines()) == 1


@contextmanager
def disk_full_at_current_size(url: str) -> Iterator[None]:
    """Every SQLite connection opened from now on may not grow the file past its size now:
    SQLite's own "database or disk is full", as a full disk gives it."""
    engine = database.connect(url)
    with engine.connect() as connection:
        pages = connection.execute(text("PRAGMA page_count")).scalar_one()
    engine.dispose()

    def limit(dbapi_connection, _record) -> None:
        if type(dbapi_connection).__module__.startswith("sqlite3"):
            dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    event.listen(Pool, "connect", limit)
    try:
        yield
    finally:
        event.remove(Pool, "connect", limit)


def many_rows(count: int) -> list[str]:
    return [f"leaders_walk,experiences,{n + 1}人次,2023-10,zz_admin_approval,测试组{n},g{n},"
            f"测试{n}人次," for n in range(count)]


def test_a_full_disk_is_named_and_nothing_is_written(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'civic.sqlite3'}"
    with prepared(url):
        pass
    upload = tmp_path / "up.csv"
    upload.write_bytes(csv_bytes(HEADER, *many_rows(2000)))
    before = len(reads.history(database.connect(url)))
    with disk_full_at_current_size(url):
        code = main(["import", str(upload), "--source", "zzrb_20231115_walk", "--database", url])
    _, err = capsys.readouterr()
    assert code == 2 and "is full" in err and "nothing was written" in err, err
    assert "Traceback" not in err
    assert len(reads.history(database.connect(url))) == before


def test_a_full_disk_during_a_save_on_the_page_says_so(new_store):
    at = signed_in_app("data_entry", lang="en")
    at.selectbox(key="source_id").set_value("zzrb_20231115_walk").run()
    at.get("file_uploader")[0].set_value(("up.csv", csv_bytes(HEADER, *many_rows(2000)),
                                          "text/csv"))
    at.run()
    with disk_full_at_current_size(new_store):
        cache.engine().dispose()  # the page's pooled connections are opened again, limited
        at.button(key="save_upload").click().run()
    assert not at.exception
    assert t("store.full_message", "en") in [e.value for e in at.error]
    assert "测试组1" not in set(reads.figure_frame(database.connect(new_store))["group_zh"])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_outage_page_says_what_is_wrong_but_not_where_the_store_is(tmp_path, monkeypatch,
                                                                       lang):
    store_file = tmp_path / "secret-place" / "civic.sqlite3"
    store_file.parent.mkdir()
    garbage(store_file)
    for url, key in [(f"sqlite:///{store_file}", "store.damaged"),
                     ("postgresql+psycopg://civic:hunter2@127.0.0.1:1/civic_secret",
                      "store.unavailable")]:
        monkeypatch.setenv("CIVIC_DATABASE_URL", url)
        at = AppTest.from_file(APP, default_timeout=60)
        at.query_params["lang"] = lang
        at.run()
        assert not at.exception
        assert [t(f"{key}_title", lang)] == [title.value for title in at.title]
        assert [t(f"{key}_message", lang)] == [error.value for error in at.error]
        shown = " ".join(str(element.value) for kind in ("text", "markdown", "code", "caption")
                         for element in at.get(kind))
        for secret in ("secret-place", "civic.sqlite3", "127.0.0.1", "hunter2", "civic_secret",
                       "postgresql"):
            assert secret not in shown
