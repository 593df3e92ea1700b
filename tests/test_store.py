"""The store on SQLite and PostgreSQL: migrations, validated all-or-nothing writes, upserts by
stable keys, the audit trail, the data version, dumps and round trips."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import text

from civic import database, dump, reads, store
from civic.catalog import Catalog
from civic.loading import Origin
from civic.models import Figure

WALK = Path("programs") / "leaders_walk.yaml"


@pytest.fixture
def empty_store(db_url):
    found = database.connect(db_url)
    database.upgrade(found)
    yield found
    found.dispose()


@pytest.fixture
def loaded(empty_store, data_dir):
    """The store holding data/, as `make run` leaves it."""
    store.load_folder(empty_store, data_dir, who=store.SEED)
    return empty_store


def revise(folder: Path, old: str, new: str) -> Path:
    path = folder / WALK
    content = path.read_text("utf-8")
    assert old in content
    path.write_text(content.replace(old, new), encoding="utf-8")
    return folder


def state(empty_store) -> tuple:
    """Everything a write could change: rows per table, the version, the figures."""
    figures = reads.figure_frame(empty_store).astype(object)
    return (reads.counts(empty_store), reads.version(empty_store),
            figures.where(figures.notna(), None).to_dict(orient="records"))


def test_the_revisions_known_without_alembic_are_alembics_in_order():
    from alembic.script import ScriptDirectory

    walked = [r.revision for r in ScriptDirectory(str(database.MIGRATIONS)).walk_revisions()]
    assert database.known_revisions() == walked[::-1]
    assert database.head() == ScriptDirectory(str(database.MIGRATIONS)).get_current_head()


def test_reading_the_revision_does_not_import_alembic(tmp_path):
    code = ("import sys; from civic import database; "
            f"engine = database.connect('sqlite:///{tmp_path / 'r.sqlite3'}'); "
            "print(database.check(engine), 'alembic' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "None False" == out.stdout.strip()


def test_upgrade_reaches_the_latest_revision_and_is_idempotent(db_url):
    engine = database.connect(db_url)
    assert database.check(engine) is None
    assert database.head() == database.upgrade(engine) == database.upgrade(engine)
    assert database.is_current(engine)
    assert 0 == reads.version(engine)
    engine.dispose()


def test_the_store_holds_the_same_figures_as_the_folder(loaded, data_dir):
    stored, folder = Catalog.read(loaded).frames, Catalog.load(data_dir).frames
    pd.testing.assert_frame_equal(folder.figures, stored.figures)
    pd.testing.assert_frame_equal(folder.projects, stored.projects)
    assert 1 == reads.version(loaded)


def test_loading_the_same_folder_again_changes_nothing(loaded, data_dir):
    before = state(loaded)
    audit_rows = reads.counts(loaded)["audit"]
    written = store.load_folder(loaded, data_dir, who="cli:test")
    assert ([], None) == (written.changes, written.version)
    assert before == state(loaded)
    assert audit_rows == reads.counts(loaded)["audit"]


def test_every_insert_is_audited_in_the_same_write(loaded):
    history = reads.history(loaded)
    counts = reads.counts(loaded)
    assert len(history) == counts["records"] + counts["figures"]
    assert {"insert"} == set(history["action"]) and {store.SEED} == set(history["who"])
    assert 1 == history["batch"].nunique()
    assert history["at"].map(lambda at: at.utcoffset().total_seconds() == 0).all()


def test_a_revised_figure_is_updated_and_keeps_what_it_was(loaded, data_dir, tmp_path):
    folder = revise(Path(shutil.copytree(data_dir, tmp_path / "data")), "4023人次", "4100人次")
    written = store.load_folder(loaded, folder, who="cli:tester", why="corrected count")
    (change,) = written.changes
    assert ("figures", "update") == (change.table, change.action)
    assert ("4023人次", "4100人次") == (change.before["reported"], change.after["reported"])
    assert 2 == written.version == reads.version(loaded)
    figures = Catalog.read(loaded).frames.figures
    assert [4100] == figures.loc[figures["metric"] == "experiences", "value"].tolist()
    last = reads.history(loaded).iloc[-1]
    assert ("cli:tester", "corrected count", "4023人次") == (
        last["who"], last["why"], last["before"]["reported"])


def test_a_dry_run_lists_the_changes_and_writes_none(loaded, data_dir, tmp_path):
    folder = revise(Path(shutil.copytree(data_dir, tmp_path / "data")), "4023人次", "4100人次")
    before = state(loaded)
    written = store.load_folder(loaded, folder, who="cli:tester", dry_run=True)
    assert ["update"] == [c.action for c in written.changes]
    assert before == state(loaded)


def test_a_broken_folder_is_refused_whole_listing_every_problem(loaded, broken_data):
    before = state(loaded)
    with pytest.raises(store.Refused) as refused:
        store.load_folder(loaded, broken_data.path, who="cli:tester")
    found = [str(p) for p in refused.value.problems]
    for expected in broken_data.expected:
        assert any(expected.file in p and expected.message in p for p in found), expected.why
    assert before == state(loaded)


def _figure(**changes) -> Figure:
    fields = {"program": "leaders_walk", "metric": "problems_solved", "reported": "700个",
              "period": "2021/2023-11-15", "department": "zz_admin_approval",
              "source": "zzrb_20231115_walk", "locator": "解决问题700个"}
    return Figure.model_validate({**fields, **changes})


def test_a_write_is_checked_against_what_the_store_holds(loaded):
    """700 solved exceed the 639 found already stored; an unknown metric is named too."""
    before = state(loaded)
    with pytest.raises(store.Refused) as refused:
        store.write(loaded, [
            ("figures", _figure(), Origin("entry", 0, "figure")),
            ("figures", _figure(metric="no_such_metric", period="2023-11-16"),
             Origin("entry", 1, "figure")),
        ], who="editor:test", why="test")
    messages = " | ".join(str(p) for p in refused.value.problems)
    assert "700 problems_solved exceed the 639 problems_found" in messages
    assert "unknown metric 'no_such_metric'" in messages
    assert before == state(loaded)


def test_the_same_figure_twice_in_one_write_is_refused(loaded):
    figure = _figure(reported="500个", locator="解决问题500个")
    with pytest.raises(store.Refused, match="the same figure"):
        store.write(loaded, [("figures", figure, Origin("a", 0, "f")),
                             ("figures", figure, Origin("b", 0, "f"))], who="e", why="t")


def test_a_delete_is_audited_with_what_was_there(loaded):
    key = "leaders_walk/menu_items/2023-11-15/"
    written = store.write(loaded, [], deletes=[("figures", key)], who="editor:test",
                          why="duplicate entry")
    (change,) = written.changes
    assert ("delete", "100项", None) == (change.action, change.before["reported"], change.after)
    assert "menu_items" not in set(Catalog.read(loaded).frames.figures["metric"])
    assert "delete" == reads.history(loaded).iloc[-1]["action"]


def test_a_dump_loads_back_into_the_same_figures(loaded, data_dir, tmp_path):
    dump.dump(loaded, tmp_path / "dump")
    copy = database.connect(f"sqlite:///{tmp_path / 'copy.sqlite3'}")
    database.upgrade(copy)
    store.load_folder(copy, tmp_path / "dump", who="cli:test")
    pd.testing.assert_frame_equal(Catalog.read(loaded).frames.figures,
                                  Catalog.read(copy).frames.figures)
    assert reads.dataset(loaded) == reads.dataset(copy)
    assert [] == store.load_folder(loaded, tmp_path / "dump", who="cli:test").changes
    copy.dispose()


def test_a_newer_schema_is_refused_with_a_message(empty_store):
    with empty_store.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    with pytest.raises(database.SchemaTooNew, match="9999_future.*newer than this version"):
        database.check(empty_store)
    with pytest.raises(database.SchemaTooNew):
        database.upgrade(empty_store)


def test_prepare_fills_an_empty_store_once(db_url, data_dir):
    engine = database.connect(db_url)
    store.prepare(engine, data_dir)
    first = state(engine)
    store.prepare(engine, data_dir)
    assert first == state(engine) and 1 == reads.version(engine)
    assert {store.SEED} == set(reads.history(engine)["who"])
    engine.dispose()


def test_backup(loaded, tmp_path):
    message = dump.backup(loaded, tmp_path / "backup.sqlite3")
    if loaded.dialect.name == "sqlite":
        copy = database.connect(f"sqlite:///{tmp_path / 'backup.sqlite3'}")
        assert state(loaded) == state(copy)
        copy.dispose()
        with pytest.raises(FileExistsError):
            dump.backup(loaded, tmp_path / "backup.sqlite3")
    else:
        assert "pg_dump --format=custom" in message and not (tmp_path / "backup.sqlite3").exists()


def test_servers_starting_together_migrate_and_fill_a_new_store_once(db_url, data_dir,
                                                                    seed_counts):
    """Three servers' start-ups at once, as processes: one schema, one seed, no error."""
    start = ("import sys; from civic import database, store; "
             "store.prepare(database.connect(sys.argv[1]), sys.argv[2])")
    processes = [subprocess.Popen([sys.executable, "-c", start, db_url, str(data_dir)],
                                  stderr=subprocess.PIPE, text=True) for _ in range(3)]
    errors = [p.communicate(timeout=120)[1] for p in processes]
    assert [0] * 3 == [p.returncode for p in processes], errors
    engine = database.connect(db_url)
    assert 1 == reads.version(engine) and seed_counts["all"] == reads.counts(engine)["audit"]
    engine.dispose()
