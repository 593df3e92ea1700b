"""The catalog is cached per data version: a write by any process shows on the next rerun."""

import shutil

from civic import cache, database, reads, store


def test_the_catalog_is_rebuilt_when_another_process_writes(data_dir, tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'civic.sqlite3'}"
    monkeypatch.setenv(database.URL_ENV, url)
    first = cache.catalog()  # migrates the new store and fills it from data/
    assert first is cache.catalog()
    assert 1 == first.version

    folder = tmp_path / "data"
    shutil.copytree(data_dir, folder)
    walk = folder / "programs" / "leaders_walk.yaml"
    walk.write_text(walk.read_text("utf-8").replace("4023人次", "4100人次"), encoding="utf-8")
    other = database.connect(url)  # as the CLI would, from another process
    store.load_folder(other, folder, who="cli:test")
    second = cache.catalog()

    assert second is not first
    assert 2 == second.version == reads.version(other)
    figures = second.frames.figures
    assert [4100] == figures.loc[figures["metric"] == "experiences", "value"].tolist()
    revision = second.history.iloc[-1]
    assert ("update", "4023人次") == (revision["action"], revision["before"]["reported"])


def test_idle_views_are_forgotten_in_the_cached_catalog(tmp_path, monkeypatch):
    from civic.filters import Filters
    from civic.view import View

    monkeypatch.setenv(database.URL_ENV, f"sqlite:///{tmp_path / 'civic.sqlite3'}")
    catalog = cache.catalog()
    view = View.of(catalog, Filters(lang="zh", district="lusong"))
    cache.forget_idle(60)  # other tests' catalogs may hold idle views: only recent ones stay
    assert View.of(catalog, Filters(lang="zh", district="lusong")) is view
    assert cache.forget_idle(0) >= 1  # idle for no time at all: everything
    assert View.of(catalog, Filters(lang="zh", district="lusong")) is not view
