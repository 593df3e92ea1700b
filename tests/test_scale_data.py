"""Generated scale data: refused for the default store, valid and marked in any other, and the
store's bulk path that writes it (checked on whole columns, audited as one batch)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pandas as pd
import pytest

from civic import database, reads, store
from civic.catalog import Catalog

SCRIPT = "scripts/scale_data.py"


def run(repo_dir, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, SCRIPT, *args], cwd=repo_dir, capture_output=True,
                          text=True, timeout=300)


def refusal(repo_dir, monkeypatch, capsys, *args: str) -> tuple[int, str]:
    """The script's `main` run in this process, from the repository (exit code, stderr): a
    refusal comes before any work, so it needs no process of its own."""
    spec = importlib.util.spec_from_file_location("scale_data", repo_dir / SCRIPT)
    assert spec and spec.loader
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    monkeypatch.chdir(repo_dir)
    try:
        code = script.main(list(args))
    except SystemExit as stopped:  # argparse's own refusals
        code = stopped.code
    return code, capsys.readouterr().err


@pytest.mark.parametrize("url", [database.DEFAULT_URL, "sqlite:///var/civic.sqlite3",
                                 "sqlite:///var/../var/civic.sqlite3"])
def test_the_default_store_is_refused(repo_dir, monkeypatch, capsys, url):
    before = (repo_dir / "var" / "civic.sqlite3").stat().st_mtime_ns if (
        repo_dir / "var" / "civic.sqlite3").exists() else None
    code, err = refusal(repo_dir, monkeypatch, capsys, "--figures", "10", "--database", url)
    assert code == 2
    assert "default store" in err
    after = (repo_dir / "var" / "civic.sqlite3").stat().st_mtime_ns if (
        repo_dir / "var" / "civic.sqlite3").exists() else None
    assert before == after


def test_without_a_database_it_writes_nothing(repo_dir, monkeypatch, capsys):
    code, err = refusal(repo_dir, monkeypatch, capsys, "--figures", "10")
    assert code == 2
    assert "--database" in err


def test_small_store_is_valid_and_marked(repo_dir, tmp_path, seed_counts):
    url = f"sqlite:///{tmp_path / 'scale.sqlite3'}"
    done = run(repo_dir, "--figures", "600", "--database", url)
    assert done.returncode == 0, done.stderr
    engine = database.connect(url)
    catalog = Catalog.read(engine)
    frame = catalog.frames.figures
    generated = frame[frame["program"].astype(str).str.startswith("sample_")]
    assert len(generated) == 600
    assert set(generated["locator"]) == {"示例数据"}
    assert set(generated["source"]) == {"sample_source"}
    names = [p.name for p in catalog.dataset.programs if p.id.startswith("sample_")]
    assert names and all(n.zh.startswith("示例") and n.en.startswith("Sample") for n in names)
    assert generated["department"].nunique() > 1 and generated["metric"].nunique() > 1
    assert generated["group_zh"].notna().any() and generated["group_zh"].isna().any()
    assert generated["date"].dt.year.nunique() > 1
    # Every generated row is a valid figure, read back through the models.
    assert len(reads.dataset(engine).figures) == len(frame) - len(catalog.derived)
    bulk = reads.history(engine, table="figures")
    assert (bulk["key"] == "batch of 600 figures").sum() == 1
    engine.dispose()


def _batch(**changes) -> pd.DataFrame:
    row = {"program": "leaders_walk", "metric": "menu_items", "reported": "12项",
           "period": "2022-03-01", "department": "zz_admin_approval",
           "source": "zzrb_20231115_walk", "locator": "测试批次", "group_zh": None,
           "group_en": None}
    return pd.DataFrame([row, {**row, "period": "2022-03-02", **changes}])


@pytest.fixture
def seeded(tmp_path, data_dir):
    engine = database.connect(f"sqlite:///{tmp_path / 'bulk.sqlite3'}")
    store.prepare(engine, data_dir)
    yield engine
    engine.dispose()


@pytest.mark.parametrize("changes, field", [
    ({"program": "no_such_program"}, "program"),
    ({"reported": "许多"}, "reported"),
    ({"reported": "12元"}, "reported"),
    ({"period": "2022-02-30"}, "period"),
    ({"locator": None}, "locator"),
    ({"period": "2022-03-01"}, "period"),
    # more solved than found that day (its break of the running total marked a correction)
    ({"metric": "problems_solved", "reported": "9999个", "period": "2023-11-15",
      "correction": "测试"}, "reported"),
    ({"metric": "problems_solved", "reported": "80个", "period": "2023-11-14"}, "period"),
    ({"period": "2023-12-01"}, "period"),  # after the report it cites
])
def test_bulk_refuses_a_bad_row_whole(seeded, changes, field):
    before = reads.counts(seeded)
    with pytest.raises(store.Refused) as refused:
        store.write_figures(seeded, _batch(**changes), who="test:bulk", why="bad batch")
    assert [p.field for p in refused.value.problems] == [field]
    assert refused.value.problems[0].record == "row 2"
    assert reads.counts(seeded) == before


def test_bulk_writes_all_and_audits_once(seeded):
    version = reads.version(seeded)
    audited = len(reads.history(seeded, table="figures"))
    written = store.write_figures(seeded, _batch(), who="test:bulk", why="two rows")
    assert written.version == version + 1
    frame = reads.figure_frame(seeded)
    added = frame[frame["locator"] == "测试批次"]
    assert list(added["value"]) == [12.0, 12.0] and set(added["unit"]) == {"item"}
    assert len(reads.history(seeded, table="figures")) == audited + 1
    with pytest.raises(store.Refused):  # the same figures again
        store.write_figures(seeded, _batch(), who="test:bulk", why="again")
