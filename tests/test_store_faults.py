"""Faults the store survives: a load killed half-way, two writers at once, a busy store."""

from __future__ import annotations

import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import change_yaml

from civic import database, reads, store
from civic.catalog import Catalog
from civic.loading import Origin
from civic.models import Figure

# Stops a load in the middle of its transaction: its figures are inserted, nothing committed.
PAUSING_LOAD = """
import sys, time
from sqlalchemy import event
from civic import database, store

engine = database.connect(sys.argv[1])

@event.listens_for(engine, "after_cursor_execute")
def pause(connection, cursor, statement, parameters, context, executemany):
    if statement.lstrip().upper().startswith("INSERT INTO FIGURES"):
        print("half-way", len(parameters) if executemany else 1, flush=True)
        time.sleep(600)

store.load_folder(engine, sys.argv[2], who="cli:test")
"""


def generated_folder(data_dir: Path, root: Path, figures: int) -> Path:
    """data/ with many more figures. Generated for this test only, and marked so in each locator."""
    folder = Path(shutil.copytree(data_dir, root))
    change_yaml(folder / "programs" / "community_games.yaml", lambda content: content[
        "figures"].extend(
        {"metric": "finalists", "reported": f"{100 + i}名",
         "period": f"2022-{1 + i // 28 % 12:02d}-{1 + i % 28:02d}",
         "group": {"zh": f"生成{i}", "en": f"generated {i}"}, "locator": "生成数据"}
        for i in range(figures)))
    return folder


def snapshot(filled_store) -> tuple:
    return reads.counts(filled_store), reads.version(filled_store), len(reads.history(filled_store))


def test_a_load_killed_half_way_leaves_the_store_as_it_was(filled_store, db_url, data_dir, tmp_path):
    folder = generated_folder(data_dir, tmp_path / "big", 300)
    before = snapshot(filled_store)
    process = subprocess.Popen([sys.executable, "-c", PAUSING_LOAD, db_url, str(folder)],
                               stdout=subprocess.PIPE, text=True)
    try:
        assert "half-way 300" == process.stdout.readline().strip()
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        process.kill()
        process.stdout.close()
    assert before == snapshot(filled_store)
    # The killed writer held no lock: the same load now goes through whole.
    written = store.load_folder(filled_store, folder, who="cli:test")
    assert 300 == len(written.changes)
    assert before[0]["figures"] + 300 == reads.counts(filled_store)["figures"]


def _revised(data_dir: Path, root: Path, old: str, new: str) -> Path:
    folder = Path(shutil.copytree(data_dir, root))
    walk = folder / "programs" / "leaders_walk.yaml"
    walk.write_text(walk.read_text("utf-8").replace(old, new), "utf-8")
    return folder


def _entry(metric: str, reported: str, period: str, locator: str):
    figure = Figure.model_validate({
        "program": "leaders_walk", "metric": metric, "reported": reported, "period": period,
        "department": "zz_admin_approval", "source": "zzrb_20231115_walk", "locator": locator})
    return [("figures", figure, Origin("entry", None, metric))]


def test_two_writers_at_once_both_land(filled_store):
    entries = [_entry("experiences", "4100人次", "2021/2023-11-15", "4100人次"),
               _entry("menu_departments", "23家", "2023-11-15", "23家职能部门")]
    errors: list[Exception] = []
    start = threading.Barrier(2)

    def write(entry, who: str) -> None:
        own = database.connect(str(filled_store.url))
        try:
            start.wait()
            store.write(own, entry, who=who, why="test")
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            own.dispose()

    threads = [threading.Thread(target=write, args=(entry, f"editor:{i}"))
               for i, entry in enumerate(entries)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert [] == errors
    figures = Catalog.read(filled_store).frames.figures
    values = dict(zip(figures["metric"], figures["value"]))
    # Each writer changed its own figure and kept the other's: nothing lost.
    assert (4100, 23) == (values["experiences"], values["menu_departments"])
    assert 3 == reads.version(filled_store)
    assert {"editor:0", "editor:1"} <= set(reads.history(filled_store)["who"])


def test_a_writer_that_waits_too_long_fails_clearly_and_writes_nothing(tmp_path, data_dir):
    path = tmp_path / "busy.sqlite3"
    engine = database.connect(f"sqlite:///{path}?timeout=0.2")
    store.prepare(engine, data_dir)
    before = snapshot(engine)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process in the middle of a write
    try:
        folder = _revised(data_dir, tmp_path / "data", "4023人次", "4100人次")
        with pytest.raises(store.Busy, match="busy with another write.*nothing was written"):
            store.load_folder(engine, folder, who="cli:test")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert before == snapshot(engine)
    assert 1 == len(store.load_folder(engine, folder, who="cli:test").changes)
    engine.dispose()
