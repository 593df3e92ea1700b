"""Fill a store with N generated figures, to measure the dashboard at a province's scale.

    .venv/bin/python scripts/scale_data.py --figures 1000000 --database sqlite:///var/scale-1m.sqlite3

The store is migrated and seeded from data/ first, then gets generated records, all marked as
such: programs `sample_p…` named 示例项目… / Sample program …, metrics `sample_…`, one source
示例数据 / Sample data, every locator 示例数据. Figures spread over years × departments (and so
districts) × programs × metrics × groups. The default store is refused: generated data never
enters it. The figures go in through the store's bulk path (`store.write_figures`), checked on
whole columns and audited as one batch.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import make_url

from civic import database, reads, store
from civic.catalog import DEFAULT_DATA_DIR
from civic.loading import Origin
from civic.models import Category, Metric, Program, Source

WHO = "system:scale-data"
LOCATOR = "示例数据"
GROUPS = 5  # the first is the program-wide figure (no group)
METRICS = [  # id suffix, zh, en, dimension, unit as printed
    ("visits", "示例走访", "Sample visits", "person_times", "人次"),
    ("served", "示例服务人数", "Sample persons served", "persons", "人"),
    ("cases", "示例办件", "Sample cases handled", "count", "件"),
    ("items", "示例事项", "Sample items", "count", "项"),
    ("staff", "示例人员", "Sample staff", "persons", "人"),
    ("sessions", "示例场次", "Sample sessions", "count", "场"),
]
FIRST_DAY = dt.date(2019, 1, 1)
SPAN_DAYS = 5 * 365  # figures spread over five years


def is_default(url: str) -> bool:
    """The project's own store: refused whatever the URL's spelling."""
    given, default = make_url(url), make_url(database.DEFAULT_URL)
    if given.get_backend_name() != "sqlite" or not given.database:
        return False
    return Path(given.database).resolve() == Path(default.database).resolve()


def sample_records(programs: int, departments: list[str]) -> list[tuple[str, object, Origin]]:
    origin = Origin("scale_data", None, "generated")
    source = Source(id="sample_source", publication={"zh": "示例数据", "en": "Sample data"},
                    # after the last generated day: no figure ends after the report it cites
                    edition_date=FIRST_DAY + dt.timedelta(days=SPAN_DAYS),
                    title="示例数据（生成）",
                    title_en="Sample data (generated)")
    metrics = [Metric(id=f"sample_{m}", label={"zh": zh, "en": en}, dimension=dim)
               for m, zh, en, dim, _ in METRICS]
    categories = list(Category)
    made = [Program(id=f"sample_p{p:03d}", name={"zh": f"示例项目{p:03d}",
                                                  "en": f"Sample program {p:03d}"},
                    category=categories[p % len(categories)],
                    lead=departments[p % len(departments)], status="ongoing",
                    source="sample_source")
            for p in range(programs)]
    return ([("sources", source, origin)] + [("metrics", m, origin) for m in metrics]
            + [("programs", p, origin) for p in made])


def sample_figures(n: int, programs: int, leads: list[str], seed: int = 12) -> pd.DataFrame:
    """N figure rows: program-major, then day, metric and group, values drawn at random."""
    i = np.arange(n)
    per_program = math.ceil(n / programs)
    within = i % per_program
    program = i // per_program
    group = within % GROUPS
    metric = within // GROUPS % len(METRICS)
    day = within // (GROUPS * len(METRICS))
    days = math.ceil(per_program / (GROUPS * len(METRICS)))
    step = max(1, SPAN_DAYS // max(days, 1))
    dates = pd.to_datetime(FIRST_DAY) + pd.to_timedelta(day * step, unit="D")
    values = np.random.default_rng(seed).integers(1, 2000, n)
    units = np.array([u for *_, u in METRICS])[metric]
    group_zh = np.where(group == 0, None, np.char.add("示例组", group.astype(str)).astype(object))
    group_en = np.where(group == 0, None, np.char.add("Sample group ", group.astype(str))
                        .astype(object))
    return pd.DataFrame({
        "program": np.char.add("sample_p", np.char.zfill(program.astype(str), 3)),
        "metric": np.array([f"sample_{m}" for m, *_ in METRICS])[metric],
        "reported": np.char.add(values.astype(str), units),
        "period": dates.strftime("%Y-%m-%d"),
        "department": np.array(leads)[program % len(leads)],
        "source": "sample_source",
        "locator": LOCATOR,
        "group_zh": group_zh,
        "group_en": group_en,
    }).astype({"program": object, "metric": object, "reported": object})


def fill(url: str, n: int) -> store.Written:
    """Seed the store at `url` if new, add the generated records and N generated figures."""
    engine = database.connect(url)
    try:
        store.prepare(engine, DEFAULT_DATA_DIR)
        departments = sorted(d.id for d in reads.dataset(engine, with_figures=False).departments)
        programs = min(100, max(2, n // 10_000))
        store.write(engine, sample_records(programs, departments), who=WHO,
                    why="generated records for scale measures")
        return store.write_figures(engine, sample_figures(n, programs, departments), who=WHO,
                                   why=f"{n} generated figures for scale measures",
                                   origin="generated figures")
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--figures", type=int, required=True, help="how many figures to add")
    parser.add_argument("--database", required=True,
                        help="the store's URL; never the project's own var/civic.sqlite3")
    args = parser.parse_args(argv)
    if is_default(args.database):
        print("refused: generated data never enters the default store "
              f"({database.shown(args.database)}); give another --database", file=sys.stderr)
        return 2
    if args.figures < 1:
        parser.error("--figures must be at least 1")
    started = time.perf_counter()
    try:
        written = fill(args.database, args.figures)
    except (store.Refused, database.StoreError) as error:
        print(f"refused: {error}", file=sys.stderr)
        return 1
    print(f"{args.figures} generated figures written in {time.perf_counter() - started:.1f} s "
          f"(data version {written.version})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
