"""Benchmark (not a test): how long loading the data and building a view's pieces take.

Run with `.venv/bin/python scripts/bench_load.py`; prints the best of several runs.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from civic import panels, tables
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


def main() -> None:
    def catalog() -> Catalog:
        fresh = Catalog.load(DEFAULT_DATA_DIR)
        fresh.frames.figures
        return fresh

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
