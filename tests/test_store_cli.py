"""`civic db …` and `civic history` on a store of the test's own."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import socket
import sqlite3

import pytest
from conftest import run_civic as run
from sqlalchemy import text

from civic import database
from civic.cli import main


@pytest.fixture
def url(db_url, capsys) -> str:
    """A migrated, empty store."""
    assert 0 == main(["db", "upgrade", "--database", db_url])
    capsys.readouterr()
    return db_url


@pytest.fixture
def revised(data_dir, tmp_path):
    folder = shutil.copytree(data_dir, tmp_path / "revised")
    walk = folder / "programs" / "leaders_walk.yaml"
    walk.write_text(walk.read_text("utf-8").replace("4023人次", "4100人次"), encoding="utf-8")
    return folder


def test_status_names_revision_rows_and_version(capsys, url, data_dir, seed_counts):
    run(capsys, "db", "load", str(data_dir), "--database", url)
    code, out, _ = run(capsys, "db", "status", "--database", url)
    assert 0 == code
    assert re.search(rf"schema:\s+{database.head()}", out) and "data version: 1" in out
    assert re.search(rf"figures\s+{seed_counts['figures']} rows", out)
    assert re.search(rf"audit\s+{seed_counts['all']} rows", out)


def test_load_twice_then_a_revision(capsys, url, data_dir, revised, seed_counts):
    code, out, _ = run(capsys, "db", "load", str(data_dir), "--database", url)
    assert 0 == code and f"{seed_counts['all']} inserts" in out
    code, out, _ = run(capsys, "db", "load", str(data_dir), "--database", url)
    assert 0 == code and "changed 0 records" in out
    code, out, _ = run(capsys, "db", "load", str(revised), "--dry-run", "--database", url)
    assert "would change 1 records" in out and "update  figures leaders_walk/experiences" in out
    code, out, _ = run(capsys, "db", "load", str(revised), "--why", "recount", "--database", url)
    assert "1 updates" in out and "data version 2" in out
    code, out, _ = run(capsys, "figures", "--program", "leaders_walk", "--format", "csv",
                       "--database", url)
    rows = {r["metric"]: r for r in csv.DictReader(io.StringIO(out))}
    assert "4100人次" == rows["experiences"]["reported"]


def test_history_json_is_a_list_of_changes(capsys, url, data_dir, revised, seed_counts):
    run(capsys, "db", "load", str(data_dir), "--database", url)
    run(capsys, "db", "load", str(revised), "--why", "recount", "--database", url)
    code, out, _ = run(capsys, "history", "--format", "json", "--database", url)
    changes = json.loads(out)
    assert 0 == code and seed_counts["all"] + 1 == len(changes)
    last = changes[-1]
    assert {"at", "who", "table", "key", "action", "before", "after", "why", "batch"} == set(last)
    assert ("update", "figures", "recount (published directly, no review)") == (
        last["action"], last["table"], last["why"])
    assert ("4023人次", "4100人次") == (last["before"]["reported"], last["after"]["reported"])
    assert last["who"].startswith("cli:") and last["at"].endswith("+00:00")
    _, out, _ = run(capsys, "history", "--since", "2999-01-01", "--format", "json",
                    "--database", url)
    assert [] == json.loads(out)
    _, out, _ = run(capsys, "history", "--format", "csv", "--database", url)
    assert seed_counts["all"] + 1 == len(list(csv.DictReader(io.StringIO(out))))


def test_dump_loads_back_and_validates(capsys, url, data_dir, tmp_path):
    run(capsys, "db", "load", str(data_dir), "--database", url)
    code, out, _ = run(capsys, "db", "dump", str(tmp_path / "dump"), "--database", url)
    assert 0 == code and "wrote 14 files" in out
    assert 0 == run(capsys, "validate", str(tmp_path / "dump"), "--database", url)[0]
    _, out, _ = run(capsys, "db", "load", str(tmp_path / "dump"), "--database", url)
    assert "changed 0 records" in out


def test_backup(capsys, url, data_dir, tmp_path, seed_counts):
    run(capsys, "db", "load", str(data_dir), "--database", url)
    target = tmp_path / "backup.sqlite3"
    code, out, _ = run(capsys, "db", "backup", str(target), "--database", url)
    assert 0 == code
    if url.startswith("sqlite"):
        with sqlite3.connect(target) as copy:
            count = copy.execute("SELECT count(*) FROM figures").fetchone()[0]
            assert seed_counts["figures"] == count
        code, _, err = run(capsys, "db", "backup", str(target), "--database", url)
        assert 2 == code and "exists" in err
    else:
        assert "pg_dump --format=custom" in out and not target.exists()


def test_a_command_before_the_upgrade_says_what_to_do(capsys, db_url, data_dir):
    code, _, err = run(capsys, "db", "load", str(data_dir), "--database", db_url)
    assert 2 == code and "run `civic db upgrade` first" in err


def test_an_unreachable_store_is_named_not_a_traceback(capsys):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code, _, err = run(capsys, "figures", "--database",
                       f"postgresql+psycopg://civic:secret@127.0.0.1:{port}/civic")
    assert 2 == code and "cannot be reached" in err
    assert "secret" not in err and "Traceback" not in err


def test_a_newer_schema_is_refused(capsys, url):
    engine = database.connect(url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    engine.dispose()
    for argv in (["db", "upgrade"], ["db", "status"], ["figures"]):
        code, _, err = run(capsys, *argv, "--database", url)
        assert 2 == code and "newer than this version of civic" in err, argv
