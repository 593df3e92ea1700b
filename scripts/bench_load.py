"""Benchmark (not a test): how long loading the data and building a view's pieces take.

Run with `.venv/bin/python scripts/bench_load.py`; prints the best of several runs. The store
is a SQLite file in a temporary folder, never the project's own; its extra figures are generated
(marked so in their locator) to see how reads grow with the store.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from civic import database, panels, reads, store, tables
from civic.catalog import DEFAULT_DATA_DIR, Catalog
from civic.filters import Filters
from civic.view import View


def best_of(runs: int, step: Callable[[], object]) -> float:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        step()
        timings.append(time.perf_counter() - start)
    return min(timings)


GENERATED = 10_000


def generated_folder(root: Path) -> Path:
    """data/ with GENERATED more figures of one program, for the size of the store only."""
    folder = Path(shutil.copytree(DEFAULT_DATA_DIR, root / "generated"))
    games = folder / "programs" / "community_games.yaml"
    content = yaml.safe_load(games.read_text("utf-8"))
    content["figures"] += [
        {"metric": "finalists", "reported": f"{100 + i}名", "period": f"{2000 + i // 336}-"
         f"{1 + i // 28 % 12:02d}-{1 + i % 28:02d}", "locator": "生成数据",
         "group": {"zh": "生成数据", "en": "generated"}}
        for i in range(GENERATED)]
    games.write_text(yaml.safe_dump(content, allow_unicode=True), "utf-8")
    return folder


def main() -> None:
    def catalog() -> Catalog:
        fresh = Catalog.load(DEFAULT_DATA_DIR)
        fresh.frames.figures
        return fresh

    def stored(engine) -> Callable[[], Catalog]:
        def read() -> Catalog:
            fresh = Catalog.read(engine)
            fresh.frames.figures
            return fresh
        return read

    with tempfile.TemporaryDirectory() as tmp:
        small = database.connect(f"sqlite:///{tmp}/small.sqlite3")
        store.prepare(small, DEFAULT_DATA_DIR)
        large = database.connect(f"sqlite:///{tmp}/large.sqlite3")
        database.upgrade(large)
        start = time.perf_counter()
        store.load_folder(large, generated_folder(Path(tmp)), who="system:bench")
        print(f"{'write ' + str(GENERATED) + ' figures':<24} "
              f"{(time.perf_counter() - start) * 1000:8.1f} ms (once)")
        for label, step in {
            "store: data version": lambda: reads.version(small),
            "store: read + frames": stored(small),
            f"store+{GENERATED}: read": stored(large),
            "store: reload data/": lambda: store.load_folder(small, DEFAULT_DATA_DIR,
                                                            who="system:bench"),
        }.items():
            print(f"{label:<24} {best_of(5, step) * 1000:8.1f} ms")
        small.dispose()
        large.dispose()

    loaded = catalog()
    steps: dict[str, Callable[[], object]] = {
        "load data + frames": catalog,
        "view: headline KPIs": lambda: View(loaded, Filters()).headline_cards(),
        "view: figures table": lambda: tables.figures(View(loaded, Filters(lang="en"))),
        "view: all charts": lambda: panels.all_panels(View(loaded, Filters())),
        "view: filtered charts": lambda: panels.all_panels(
            View(loaded, Filters(departments=("zz_admin_approval",)))),
    }
    for label, step in steps.items():
        print(f"{label:<24} {best_of(5, step) * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
