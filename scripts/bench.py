"""The benchmark (`make bench`; never part of `make test`): each measure beside its floor.

    .venv/bin/python scripts/bench.py [--quick] [--json] [--only NAME ...]

Each row times one thing the dashboard does and, in the same run, a floor: the least any
design could take for the same result (pandas.read_sql of the same table, a bare kaleido call,
a minimal Streamlit script…). The machine is shared and noisy, so the ratio is the result.
Writes docs/performance.md (the machine described, the table, the notes) and prints the
table; `--json` prints `{"rows": [...]}` instead. `--quick` measures 100k figures in place
of 1M, with the same row names; each row gives its `size`. A row that could not be measured
has `value_s` null and says why in its note: never a made-up number.

Stores are temporary (SQLite files, a throwaway PostgreSQL), filled by scripts/scale_data.py
with generated figures; the project's own store is never touched.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import json
import os
import platform
import resource
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "scripts"), str(REPO / "tests")]

import bench_replay  # noqa: E402
import scale_data  # noqa: E402

from civic import database, reads, store  # noqa: E402
from civic.catalog import DEFAULT_DATA_DIR, Catalog  # noqa: E402
from civic.models import Figure  # noqa: E402
from civic.rows import figure_document  # noqa: E402

DOC = REPO / "docs" / "performance.md"
PAGES = ["overview", "leaders_walk", "projects", "winter_relief", "flu", "community", "sources"]
PACKAGES = ["streamlit", "plotly", "pandas", "pydantic", "SQLAlchemy", "kaleido", "playwright",
            "psycopg", "numpy", "pyarrow"]


@dataclass
class Row:
    name: str
    value_s: float | None
    floor_s: float | None
    target: str
    size: str
    note: str = ""
    unit: str = "s"  # what value_s holds when it is not seconds (first_visit_bytes: MB)

    @property
    def ratio(self) -> float | None:
        if self.value_s is None or not self.floor_s or self.unit != "s":
            return None
        return self.value_s / self.floor_s

    def as_json(self) -> dict:
        return {**{k: v for k, v in asdict(self).items() if k != "note"},
                "ratio": self.ratio, "note": self.note}


def best(runs: int, step: Callable[[], object]) -> float:
    """The fastest of `runs`: the least noisy estimate on a shared machine."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        step()
        times.append(time.perf_counter() - started)
    return min(times)


@contextlib.contextmanager
def timed(stages: dict[str, float], name: str) -> Iterator[None]:
    """How long a part of the run took, for the report's first lines: where the time goes."""
    started = time.perf_counter()
    try:
        yield
    finally:
        stages[name] = stages.get(name, 0.0) + time.perf_counter() - started


def unmeasured(name: str, target: str, size: str, why: str) -> Row:
    return Row(name, None, None, target, size, f"not measured: {why}")


# --- loads from the store --------------------------------------------------------------------


def catalog_load(engine) -> Callable[[], Catalog]:
    def load() -> Catalog:
        fresh = Catalog.read(engine)
        fresh.frames.figures  # noqa: B018 - the view's frame is part of the load
        return fresh
    return load


def read_sql_floor(engine) -> Callable[[], pd.DataFrame]:
    return lambda: pd.read_sql_table("figures", engine)


def load_rows(name: str, url: str, n: int, runs: int, with_write: bool) -> list[Row]:
    size = f"{n:,} generated figures"
    started = time.perf_counter()
    scale_data.fill(url, n)
    filled = time.perf_counter() - started
    engine = database.connect(url)
    try:
        value = best(runs, catalog_load(engine))
        floor = best(runs, read_sql_floor(engine))
        rows = [Row(name, value, floor, "≤ 2×", size,
                    f"Catalog.read + frames.figures vs pandas.read_sql_table('figures'); "
                    f"filling the store took {filled:.1f} s (bulk path)")]
        if with_write:
            # One stored figure as a model, without validating the whole store into models.
            frame = reads.figure_frame(engine)
            row = next(frame[frame["program"] == "leaders_walk"].itertuples(index=False))
            figure = Figure.model_validate(figure_document(row))
            revised = figure.model_copy(update={"locator": "基准改写"})
            store.write(engine, [("figures", revised, store.Origin("bench", None, "revise"))],
                        who="system:bench", why="bench: one revision")
            after = catalog_load(engine)
            value = best(1, after)  # the first load after the write is the one that counts
            floor = best(runs, read_sql_floor(engine))
            rows.append(Row("reload_after_write", value, floor, "≤ 2×", size,
                            "one revised figure written, then the cold load of the new version"))
        return rows
    finally:
        engine.dispose()


@contextlib.contextmanager
def postgres() -> Iterator[str | None]:
    import pgserver  # tests/pgserver.py: a throwaway server from Debian's binaries

    if pgserver.missing():
        yield None
        return
    with pgserver.PostgresServer() as server:
        yield server.url()


# --- one write -------------------------------------------------------------------------------


def write_row(work: Path, runs: int, n: int = 100_000) -> Row:
    """One figure revised through store.write (the data-entry page's path) in a store of n
    generated figures, vs the same write in a store of data/ alone: a write checks what it
    touches, so its cost should barely grow with the store (target as `filter_1m`'s, whose
    floor is also the same at seed size)."""
    from sqlalchemy import select

    from civic import rows as stored
    from civic.models import Figure
    from civic.schema import figures

    def timed(url: str) -> float:
        engine = database.connect(url)
        try:
            with engine.connect() as connection:
                last = connection.execute(select(figures).order_by(figures.c.id.desc())
                                          .limit(1)).one()
            figure = Figure.model_validate(stored.figure_document(last))
            revisions = iter(range(runs + 1))

            def revise() -> None:
                revised = figure.model_copy(update={"locator": f"基准改写{next(revisions)}"})
                store.write(engine, [("figures", revised, store.Origin("bench", None, "revise"))],
                            who="system:bench", why="bench: one revision")
            revise()  # warm: the first write of a process also imports and connects
            return best(runs, revise)
        finally:
            engine.dispose()

    big = f"sqlite:///{work / 'write_big.sqlite3'}"
    seed = f"sqlite:///{work / 'write_seed.sqlite3'}"
    scale_data.fill(big, n)
    seeded = database.connect(seed)
    store.prepare(seeded, DEFAULT_DATA_DIR)
    seeded.dispose()
    return Row("write_one_100k", timed(big), timed(seed), "≤ 3×", f"{n:,} generated figures",
               "one figure revised through store.write (as the data-entry page does), best of "
               f"{runs} after one warm-up, vs the same write in a store of data/ alone")


# --- validation ------------------------------------------------------------------------------


def validate_row(n: int) -> Row:
    """The loader's own per-row check of uploaded figure rows vs Pydantic alone."""
    from pydantic import TypeAdapter

    from civic.loading import _validate

    frame = scale_data.sample_figures(n, max(2, n // 10_000), ["zz_admin_approval"])
    uploaded = []
    for row in frame.to_dict("records"):
        zh, en = row.pop("group_zh"), row.pop("group_en")
        uploaded.append({**row, "group": {"zh": zh, "en": en}} if isinstance(zh, str) else row)
    adapter = TypeAdapter(list[Figure])

    def check() -> None:
        for index, raw in enumerate(uploaded):
            _validate("figures", raw, "upload.csv", index, {})

    from civic.quantities import _parse_text
    _parse_text.cache_clear()
    value = best(1, check)
    _parse_text.cache_clear()
    floor = best(1, lambda: adapter.validate_python(uploaded))
    return Row("validate_100k", value, floor, "≤ 1.5×", f"{n:,} rows",
               "civic.loading's row check (the models, file/row/field problems) vs "
               "TypeAdapter(list[Figure]) on the same dicts; parser cache cleared before each")


# --- exports ---------------------------------------------------------------------------------


def export_rows(url: str) -> list[Row]:
    from civic import export, panels
    from civic.filters import Filters
    from civic.view import View

    if not export.browser_available():
        why = export.install_hint("en")
        return [unmeasured("png_warm", "≤ 2×", "seed", why),
                unmeasured("briefing", "≤ 2×", "seed", why)]
    engine = database.connect(url)
    view = View(Catalog.read(engine), Filters(lang="zh"))
    panel = panels.funnel(view, "leaders_walk")
    export.chart_image(panel, view, "png")  # warm
    value = best(3, lambda: export.chart_image(panel, view, "png"))
    figure = export.annotated(panel, view)
    spec = figure.to_dict()
    opts = {"format": "png", "width": figure.layout.width, "height": figure.layout.height,
            "scale": export.PNG_SCALE}
    import kaleido
    kaleido.start_sync_server(silence_warnings=True)
    try:
        kaleido.calc_fig_sync(spec, opts=opts)  # warm
        floor = best(3, lambda: kaleido.calc_fig_sync(spec, opts=opts))
    finally:
        kaleido.stop_sync_server(silence_warnings=True)
    briefing = best(1, lambda: export.briefing_pdf(view))
    # The floor: Chromium printing the same HTML, its charts already rendered into it.
    html = export.briefing_html(View(view.catalog, view.filters))
    briefing_floor = best(1, lambda: export.print_pdf(html))
    export.stop_browser()
    engine.dispose()
    return [Row("png_warm", value, floor, "≤ 2×", "seed",
                "export.chart_image (leaders' walk funnel, annotated) vs kaleido.calc_fig_sync "
                "on the same figure, both warm"),
            Row("briefing", briefing, briefing_floor, "≤ 2×", "seed",
                "export.briefing_pdf, whole city, zh, vs Chromium printing the same HTML with "
                "the same charts already rendered into it (export.briefing_html made before)")]


def brief_row(url: str) -> Row:
    """The leader's brief of the whole city (zh), warm: the catalog read and the browser on
    disk, what needs attention worked out anew each time; beside Chromium printing a one-line A4
    page, the floor any PDF of ours pays."""
    from civic import export
    from civic.filters import Filters
    from civic.view import View

    if not export.browser_available():
        return unmeasured("brief_pdf", "≤ 10 s", "seed", export.install_hint("en"))
    engine = database.connect(url)
    catalog = Catalog.read(engine)

    def brief() -> bytes:
        catalog.memo.clear()  # attention made again, as after a new data version
        return export.brief_pdf(View(catalog, Filters(lang="zh")))

    pages = export.pdf_pages(brief())  # warm
    value = best(3, brief)
    blank = "<!DOCTYPE html><html><head><style>@page { size: A4 }</style></head><body>x</body></html>"
    export.print_pdf(blank)
    floor = best(3, lambda: export.print_pdf(blank))
    engine.dispose()
    return Row("brief_pdf", value, floor, "≤ 10 s", "seed",
               f"export.brief_pdf, whole city, zh ({pages} A4 pages) vs Chromium printing a "
               "one-line A4 page")


# --- pages, server side ----------------------------------------------------------------------

CHARTS_SCRIPT = """
import json, sys
import plotly.io as pio
import streamlit as st
for index, spec in enumerate(json.load(open({path!r}, encoding="utf-8"))):
    st.plotly_chart(pio.from_json(spec), key=f"chart{{index}}")
"""
REPLAY_SCRIPT = """
import bench_replay
bench_replay.replay(bench_replay.RECORDED)
"""


@contextlib.contextmanager
def one_script_cache() -> Iterator[None]:
    """AppTest's reruns sharing one cache of compiled scripts, as a server's do.

    A running server keeps one `ScriptCache` (its Runtime's), so a rerun executes the bytecode
    of dashboard.py and the page compiled once; AppTest makes a new cache on every run and so
    parses, rewrites (Streamlit's "magic") and compiles both files each time, about a third of a
    page's rerun and nothing a server pays. The page and its floor both run under this."""
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner

    shared = ScriptCache()
    saved = app_test.ScriptCache, local_script_runner.ScriptCache
    app_test.ScriptCache = local_script_runner.ScriptCache = lambda: shared  # type: ignore
    try:
        yield
    finally:
        app_test.ScriptCache, local_script_runner.ScriptCache = saved


def page_rows(url: str, runs: int, work: Path, wanted: Callable[[str], bool]) -> list[Row]:
    with one_script_cache():
        return _page_rows(url, runs, work, wanted)


def _page_rows(url: str, runs: int, work: Path, wanted: Callable[[str], bool]) -> list[Row]:
    from streamlit.testing.v1 import AppTest

    os.environ[database.URL_ENV] = url
    app = str(REPO / "dashboard.py")
    rows = []
    for page in [p for p in PAGES if wanted(f"page_{p}")]:
        at = AppTest.from_file(app, default_timeout=120)
        at.run()
        if page != "overview":
            at.switch_page(f"app_pages/{page}.py")
        at.run()  # warm: the catalog is cached, as on a running server
        if at.exception:
            rows.append(unmeasured(f"page_{page}", "≤ 2×", "seed",
                                   f"the page raised: {at.exception[0].value}"))
            continue
        value = best(runs, at.run)
        with bench_replay.recording() as calls:
            at.run()
        bench_replay.RECORDED = calls
        floor_at = AppTest.from_string(REPLAY_SCRIPT, default_timeout=120)
        floor_at.run()
        if floor_at.exception:
            rows.append(unmeasured(f"page_{page}", "≤ 2×", "seed",
                                   f"its replay raised: {floor_at.exception[0].value}"))
            continue
        floor = best(runs, floor_at.run)
        specs = [chart.proto.spec for chart in at.get("plotly_chart")]
        path = work / f"charts_{page}.json"
        path.write_text(json.dumps(specs), encoding="utf-8")
        charts_at = AppTest.from_string(CHARTS_SCRIPT.format(path=str(path)), default_timeout=120)
        charts_at.run()
        charts = best(runs, charts_at.run)
        rows.append(Row(f"page_{page}", value, floor, "≤ 2×", "seed",
                        f"AppTest rerun of the page vs its replay (scripts/bench_replay.py): "
                        f"the same {len(calls)} Streamlit calls with the same arguments, "
                        f"computed beforehand ({len(specs)} charts; against a script drawing "
                        f"its Plotly specs alone, {charts * 1000:.1f} ms: "
                        f"{value / charts:.2f}×)"))
    return rows


# --- the history page ------------------------------------------------------------------------

AUDIT_ROWS = 217_000


def generated_audit(url: str, rows: int) -> None:
    """`rows` audit rows of generated changes (who system:bench, why saying so), in batches of
    ten, written straight into the audit table: what a busy year of saves and sign-ins leaves."""
    import datetime as dt
    import uuid

    from sqlalchemy import insert

    from civic.schema import audit

    engine = database.connect(url)
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    try:
        with engine.begin() as connection:
            for first in range(0, rows, 50_000):
                batch = ""
                values = []
                for n in range(first, min(rows, first + 50_000)):
                    if n % 10 == 0:
                        batch = str(uuid.UUID(int=n))
                    values.append({
                        "at": start + dt.timedelta(minutes=n), "who": f"editor:bench{n % 40}",
                        "table_name": "figures", "key": f"sample_{n % 97}/m/2024-01/{n}",
                        "action": "insert", "before": None,
                        "after": {"department": f"dept{n % 24}", "reported": f"{n}个"},
                        "why": "bench: generated audit rows", "batch": batch})
                connection.execute(insert(audit), values)
    finally:
        engine.dispose()


def history_row(seed_url: str, work: Path, runs: int) -> Row:
    """The History page (AppTest rerun, signed in as an admin) with AUDIT_ROWS generated audit
    rows, against the same page on the seed store's audit alone; and the most memory the run
    allocated (tracemalloc), which a page read whole would make hundreds of MB."""
    import shutil
    import tracemalloc

    from streamlit.testing.v1 import AppTest

    from civic import accounts
    from civic.accounts import Account

    def page(url: str) -> tuple[float, float]:
        os.environ[database.URL_ENV] = url
        engine = database.connect(url)
        try:
            if accounts.current(engine, "bench_admin") is None:
                accounts.add(engine, "bench_admin", "bench: a generated password", "admin",
                             who="system:bench")
        finally:
            engine.dispose()
        at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=300)
        at.session_state["account"] = Account("bench_admin", "admin")
        at.run()
        at.switch_page("app_pages/history.py")
        at.run()  # warm
        if at.exception:
            raise RuntimeError(at.exception[0].value)
        value = best(runs, at.run)
        tracemalloc.start()  # a run of its own: tracing slows what it traces
        at.run()
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        return value, peak

    seed, big = work / "history_seed.sqlite3", work / "history.sqlite3"
    for copy in (seed, big):  # the seed store itself gets no account
        shutil.copy(seed_url.removeprefix("sqlite:///"), copy)
    generated_audit(f"sqlite:///{big}", AUDIT_ROWS)
    floor, _ = page(f"sqlite:///{seed}")
    value, peak = page(f"sqlite:///{big}")
    return Row("history_217k", value, floor, "≤ 2×", f"{AUDIT_ROWS:,} generated audit rows",
               "the History page rerun (AppTest, an admin, no filter: a page of batches and one "
               "of changes read by LIMIT/OFFSET, counts and editors by aggregates) vs the same "
               f"page on the seed store's audit; at most {peak:.0f} MB allocated during a run "
               "(tracemalloc)")


# --- the report ------------------------------------------------------------------------------


def machine() -> list[str]:
    cores = os.cpu_count()
    with contextlib.suppress(OSError):
        cores = len(os.sched_getaffinity(0))
    memory = "?"
    with contextlib.suppress(OSError, ValueError, IndexError):
        kb = int(Path("/proc/meminfo").read_text().split("\n")[0].split()[1])
        memory = f"{kb / 1024 / 1024:.1f} GiB"
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(line.split(":", 1)[1].strip()
                   for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    with contextlib.suppress(OSError):
        load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    versions = []
    for package in PACKAGES:
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            versions.append(f"{package} {importlib.metadata.version(package)}")
    return [f"- CPU: {cpu}, {cores} cores usable; memory {memory}; load average {load}",
            f"- {platform.system()} {platform.release()}; Python {platform.python_version()}",
            f"- {', '.join(versions)}"]


def table(rows: list[Row]) -> str:
    def num(value: float | None, digits: int = 3) -> str:
        return "—" if value is None else f"{value:.{digits}f}"

    lines = ["| name | value (s) | floor (s) | ratio | target | size |",
             "| --- | ---: | ---: | ---: | --- | --- |"]
    lines += [f"| `{r.name}` | {num(r.value_s)}{'' if r.unit == 's' else ' ' + r.unit} | "
              f"{num(r.floor_s)} | {num(r.ratio, 2)} | "
              f"{r.target} | {r.size} |" for r in rows]
    return "\n".join(lines)


def spent(stages: dict[str, float]) -> str:
    return ", ".join(f"{name} {seconds:.0f} s" for name, seconds in stages.items())


def write_doc(rows: list[Row], quick: bool, elapsed: float, stages: dict[str, float]) -> None:
    notes = "\n".join(f"- `{r.name}`: {r.note}" for r in rows if r.note)
    fixed = DOC.read_text("utf-8").split(FIXES_MARK, 1)[1] if DOC.exists() and \
        FIXES_MARK in DOC.read_text("utf-8") else FIXES_DEFAULT
    DOC.write_text(textwrap.dedent(f"""\
        # Performance

        Written by `make bench` (scripts/bench.py{' --quick' if quick else ''}); the last run took
        {elapsed:.0f} s. Each measure sits beside its floor, timed in the same run; the machine is
        shared, so the ratio is the result, not the seconds.

        """) + textwrap.fill(f"Where the time went: {spent(stages)}.", 96) + textwrap.dedent("""

        ## The machine

        """) + "\n".join(machine()) + "\n\n## Results\n\n" + table(rows)
        + "\n\n## How each row is measured\n\n" + notes + "\n\n" + FIXES_MARK + fixed,
        encoding="utf-8")


FIXES_MARK = "## Fixes and what they gained"
FIXES_DEFAULT = "\n\n(kept by hand below this heading; the benchmark rewrites what is above)\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100k figures in place of 1M")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    parser.add_argument("--only", action="append", help="only rows whose name starts so")
    args = parser.parse_args(argv)
    n = 100_000 if args.quick else 1_000_000
    runs = 2 if args.quick else 3
    wanted = (lambda name: any(name.startswith(o) for o in args.only)) if args.only else \
        (lambda name: True)
    started = time.perf_counter()
    stages: dict[str, float] = {}
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="civic-bench-") as tmp:
        work = Path(tmp)
        seed_url = f"sqlite:///{work / 'seed.sqlite3'}"
        seed = database.connect(seed_url)
        store.prepare(seed, DEFAULT_DATA_DIR)
        seed.dispose()
        big_url = f"sqlite:///{work / 'big.sqlite3'}"
        with timed(stages, "pages"):
            rows += page_rows(seed_url, runs, work, wanted)
        if wanted("load_1m_sqlite") or wanted("reload_after_write"):
            with timed(stages, "load_1m_sqlite"):
                rows += load_rows("load_1m_sqlite", big_url, n, runs, with_write=True)
        if wanted("load_1m_postgres"):
            with timed(stages, "load_1m_postgres"), postgres() as pg_url:
                rows += (load_rows("load_1m_postgres", pg_url, n, runs, with_write=False)
                         if pg_url else [unmeasured("load_1m_postgres", "≤ 2×", f"{n:,}",
                                                    "no PostgreSQL server binaries")])
        if wanted("write_one_100k"):
            rows.append(write_row(work, runs))
        if wanted("validate_100k"):
            with timed(stages, "validate_100k"):
                rows.append(validate_row(100_000))
        if wanted("png_warm") or wanted("briefing"):
            with timed(stages, "exports"):
                rows += export_rows(seed_url)
        if wanted("history_217k"):
            with timed(stages, "history_217k"):
                rows.append(history_row(seed_url, work, runs))
        if wanted("brief_pdf"):
            with timed(stages, "brief_pdf"):
                rows.append(brief_row(seed_url))
        if any(wanted(name) for name in BROWSER_ROWS):
            import bench_browser
            rows += bench_browser.rows(seed_url, big_url, n, work, wanted, args.quick, stages)
    rows.sort(key=lambda r: ORDER.index("page" if r.name.startswith("page_") else r.name))
    elapsed = time.perf_counter() - started
    stages["CPU used in all (child processes included)"] = sum(
        resource.getrusage(who).ru_utime + resource.getrusage(who).ru_stime
        for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    print(f"took {elapsed:.0f} s: {spent(stages)}", file=sys.stderr)
    if not args.only:
        write_doc(rows, args.quick, elapsed, stages)
    if args.json:
        print(json.dumps({"rows": [r.as_json() for r in rows]}, ensure_ascii=False, indent=1))
    else:
        print(table(rows))
        print("\n".join(f"- {r.name}: {r.note}" for r in rows if r.note))
    return 0


BROWSER_ROWS = ["cold_start", "filter_1m", "memory", "sessions_20", "sessions_20_burst",
                "memory_after_sessions", "sessions_20_burst_nginx", "first_visit_bytes"]
ORDER = ["cold_start", "page", "filter_1m", "load_1m_sqlite", "load_1m_postgres",
         "reload_after_write", "write_one_100k", "validate_100k", "png_warm", "briefing",
         "brief_pdf", "memory", "memory_after_sessions", "sessions_20", "sessions_20_burst",
         "sessions_20_burst_nginx", "first_visit_bytes", "history_217k"]


if __name__ == "__main__":
    sys.exit(main())
