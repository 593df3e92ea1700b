"""Loaded data is cached, and rebuilt when a data file changes."""

import os
import shutil

from civic import cache


def test_the_catalog_is_cached_until_a_data_file_changes(data_dir, tmp_path, monkeypatch):
    folder = tmp_path / "data"
    shutil.copytree(data_dir, folder)
    monkeypatch.setenv(cache.DATA_DIR_ENV, str(folder))
    first = cache.catalog()
    assert first is cache.catalog()

    walk = folder / "programs" / "leaders_walk.yaml"
    walk.write_text(walk.read_text("utf-8").replace("4023人次", "4100人次"), encoding="utf-8")
    stat = walk.stat()
    os.utime(walk, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    second = cache.catalog()

    assert second is not first
    values = {f.metric: f.value for f in second.dataset.figures if f.program == "leaders_walk"}
    assert 4100 == values["experiences"]
