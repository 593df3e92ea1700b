"""The benchmark's rows that need a live server (scripts/bench.py runs them).

Servers are `streamlit run` child processes on free loopback ports, each given its store by
CIVIC_DATABASE_URL. Where the browser is what is timed (the cold start, a filter change), the
client is one headless Chromium (the system's), driven by Playwright's async API. Where the
server is (memory per session, 20 sessions at once), the client is scripts/bench_client.py,
which speaks Streamlit's websocket protocol and leaves the server the CPU. A page counts
as updated when Streamlit has run the script and drawn its output with nothing stale left
(tests/browsing.py's `SETTLED`); the time is read in the page (`performance.now()`), without
the moment `SETTLED` waits to be sure.
"""

from __future__ import annotations

import asyncio
import compileall
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench import REPO, Row, timed, unmeasured
from browsing import APP, CHROMIUM_ARGS, PLOTLY, SETTLED, STATUS_WIDGET, TITLE, find_chromium
from servers import HOST, free_port, free_ports

HELLO = """
import plotly.graph_objects as go
import streamlit as st
st.title("Hello")
st.plotly_chart(go.Figure(go.Bar(x=["a", "b", "c"], y=[3, 1, 2])))
"""
TARGETS = {"cold_start": "≤ 1.5×", "filter_1m": "≤ 3×", "memory": "per session ≤ 20 MB",
           "sessions_20": "0 errors; p95 ≤ 5×", "sessions_20_burst": "0 errors; p95 ≤ 5×",
           "memory_after_sessions": "after ≤ start + 100 MB",
           "sessions_20_burst_nginx": "0 errors; p95 ≤ 5×", "first_visit_bytes": "≤ 3 MB"}
# Processes behind nginx: one a core. Since reruns no longer pay a full garbage collection, 2
# measured 3.8× where 3 measured 4.9× (one run each); the address hash spread 20 officials 24/21.
NGINX_WORKERS = 2
READY = f"{TITLE}, [data-testid='stException']"
SETTLED_AT = "window.__civicSettledAt"
# The dashboard's and the hello-world's, started in turn: the best of each. Five, not three:
# the hello-world's own time moved by a second between runs of three (docs/performance.md).
COLD_STARTS = 5


class Server:
    """`streamlit run SCRIPT` with the store at `url`; its RSS read from /proc."""

    def __init__(self, script: Path, url: str, log: Path):
        self.port = free_port()
        self.base = f"http://{HOST}:{self.port}"
        # Started as `make run` and the systemd unit of docs/deploy.md start it.
        # With its bytecode, as an installed server restarts (pip compiles what it installs;
        # `make run` writes __pycache__ on its first start), even where this shell says not to.
        env = {**os.environ, "CIVIC_DATABASE_URL": url, "PYTHONMALLOC": "malloc",
               "PYTHONDONTWRITEBYTECODE": ""}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(script), "--server.port",
             str(self.port), "--server.address", HOST, "--server.headless", "true",
             "--browser.gatherUsageStats", "false"],
            cwd=REPO, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)

    async def healthy(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.base}/_stcore/health", timeout=2):
                    return
            except OSError:
                await asyncio.sleep(0.05)
        raise RuntimeError("the server did not start")

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS")

    def cpu_s(self) -> float:
        """CPU seconds the server has used (user and system), from /proc."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


class NginxFleet:
    """`make run WORKERS=N` on the seed store (scripts/serve.py's Fleet), seen as one server by
    the websocket client: its base is nginx's, its CPU that of every dashboard process."""

    def __init__(self, url: str, work: Path, workers: int = NGINX_WORKERS):
        from serve import Fleet

        folder = work / "nginx"
        folder.mkdir()
        port = free_ports(workers + 1)
        self.fleet = Fleet(workers, HOST, port, folder,
                           env={**os.environ, "CIVIC_DATABASE_URL": url})
        self.base = self.fleet.url
        self.access_log = folder / "access.log"

    def start(self) -> "NginxFleet":
        self.fleet.start()
        return self

    def cpu_s(self) -> float:
        total = 0.0
        for process in self.fleet.dashboards:
            fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return total

    def log(self) -> list[tuple[str, str, str, int, str]]:
        """The access log: (client, status, upstream, bytes sent, request) a line."""
        import re

        lines = []
        for line in self.access_log.read_text(errors="replace").splitlines():
            found = re.match(r'(\S+) (\d+) (.+?) (\S+) (\d+) "(.*)"$', line)
            if found:
                client, status, upstream, _cache, sent, request = found.groups()
                lines.append((client, status, upstream, int(sent), request))
        return lines

    def sessions_by_process(self) -> dict[str, int]:
        """Websockets (closed ones: nginx logs a request when it ends) by dashboard process."""
        counted: dict[str, int] = {}
        for _client, status, upstream, _sent, request in self.log():
            if status == "101" and "/_stcore/stream" in request:
                counted[upstream] = counted.get(upstream, 0) + 1
        return counted

    def stop(self) -> None:
        self.fleet.stop()


async def first_visit(browser, fleet: NginxFleet, encoding: str | None = None
                      ) -> tuple[int, int]:
    """Bytes nginx sent (bodies as sent, compressed or not, and headers) for one first visit
    of the overview from a browser with nothing cached, up to its charts drawn and the tab
    closed (nginx logs the websocket when it closes); and the number of requests."""
    before = len(fleet.log())
    context = await browser.new_context(
        viewport={"width": 1400, "height": 1000},
        extra_http_headers={"Accept-Encoding": encoding} if encoding else None)
    try:
        page = await context.new_page()
        await page.goto(f"{fleet.base}/?lang=zh", wait_until="commit", timeout=240_000)
        await page.wait_for_selector(f"{PLOTLY} .main-svg", state="visible", timeout=240_000)
        await settled(page)
        await page.wait_for_load_state("networkidle")
    finally:
        await context.close()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        new = fleet.log()[before:]
        if any(status == "101" for _c, status, *_ in new):
            break
        await asyncio.sleep(0.2)
    return sum(sent for *_, sent, _request in new), len(new)


async def settled(page, timeout_ms: float = 240_000) -> float:
    """Seconds from the page's navigation start (or `since`) until it had settled."""
    await page.wait_for_function(SETTLED, arg=[APP, STATUS_WIDGET, READY], polling=50,
                                 timeout=timeout_ms)
    return await page.evaluate(SETTLED_AT) / 1000


async def visit(page, url: str) -> float:
    await page.goto(url, wait_until="commit", timeout=240_000)
    return await settled(page)


async def cold_start(browser, script: Path, url: str, log: Path) -> float:
    """Server start to the first Plotly chart drawn in a page already open."""
    page = await browser.new_page()
    started = time.monotonic()
    server = Server(script, url, log)
    try:
        await server.healthy()
        await page.goto(server.base, wait_until="commit", timeout=240_000)
        await page.wait_for_selector(f"{PLOTLY} .main-svg", state="visible", timeout=240_000)
        return time.monotonic() - started
    finally:
        await page.close()
        server.stop()


async def filter_change(browser, server: Server, choices: tuple[int, ...]) -> float:
    """Choosing a district in the sidebar until the page has redrawn (best of the choices)."""
    page = await browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        await visit(page, f"{server.base}/?lang=en")
        times = []
        for choice in choices:
            # The box's text field: the middle of the whole widget may be its label's line. At
            # the foot of the window a click may only focus it; a key then opens its list.
            box = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"] input').first
            await box.click()
            option = page.locator('[role="option"]').nth(choice)
            try:
                await option.wait_for(timeout=3_000)
            except Exception:  # noqa: BLE001 - playwright's TimeoutError: the list is shut
                await box.press("ArrowDown")
                await option.wait_for()
            await page.evaluate(f"{SETTLED_AT} = null")
            clicked = await page.evaluate("performance.now()")
            await option.click()
            await page.wait_for_function(
                "() => document.querySelector('[data-testid=\"stApp\"]')"
                ".dataset.testScriptState !== 'notRunning' || "
                "document.querySelector('[data-stale=\"true\"]')", polling=10, timeout=10_000)
            times.append(await settled(page) - clicked / 1000)
        return min(times)
    finally:
        await page.close()


async def memory(server: Server, extra: int = 5) -> tuple[float, float]:
    """RSS with the big store loaded by one session, and per further session held open.

    Sessions come from the websocket client: the server holds the same per-session state for
    it as for a browser tab, and no browser competes with the server for the CPU."""
    from bench_client import Session

    sessions = [Session(server.base) for _ in range(extra + 1)]
    try:
        await sessions[0].open()
        loaded = server.rss_mb()
        for session in sessions[1:]:  # one after another: RSS then holds what sessions keep,
            await session.open()  # not the peak of runs at once
        return loaded, (server.rss_mb() - loaded) / extra
    finally:
        for session in sessions:
            await session.close()


EDITOR, EDITOR_PASSWORD = "bench_editor", "bench: a generated password"
SAVE_EVERY_S = 3.0
# The report the saves cite (一把手走流程's, as the form shows it) and a month before its date:
# a figure dated after its report is refused.
SOURCE, PERIOD = "2023-11-15 · ", "2023-10"


async def editor_saving(base: str, saves: int, first: int = 0) -> tuple[int, list[str]]:
    """An editor who signs in, opens the data-entry page and saves one figure (generated,
    marked 示例数据) every SAVE_EVERY_S seconds: each save a new data version, which every
    session's next rerun reads. How many saves said so, and the errors."""
    from bench_client import Session

    session = Session(base)
    errors: list[str] = []
    saved = 0
    try:
        await session.open("", "lang=en")
        await session.submit("sign_in_submit", sign_in_name={"string_value": EDITOR},
                             sign_in_password={"string_value": EDITOR_PASSWORD})
        await session.switch("data_entry")
        sources = session.last.widget("source_id").options
        await session.set("source_id", string_value=next(
            (s for s in sources if s.startswith(SOURCE)), sources[0]))
        for n in range(first, first + saves):
            await asyncio.sleep(SAVE_EVERY_S)
            run = await session.submit(
                "one_save", one_metric={"string_value": "Service experiences"},
                one_reported={"string_value": f"{n % 1000 + 1}人次"},
                one_period={"string_value": PERIOD},
                one_group_zh={"string_value": f"示例{n}"}, one_group_en={"string_value": f"sample {n}"},
                one_locator={"string_value": "示例数据"},
                one_note={"string_value": "bench: generated figure"})
            alerts = [e.alert for e in run.elements.values() if e.WhichOneof("type") == "alert"]
            errors += run.errors + [f"not saved: {a.body}"[:120] for a in alerts
                                    if a.format == a.ERROR]
            saved += sum(1 for a in alerts if a.format == a.SUCCESS)
    except Exception as error:  # noqa: BLE001 - counted: the row says 0 errors or not
        errors.append(f"{type(error).__name__}: {error}"[:200])
    finally:
        await session.close()
    return saved, errors


async def sessions_memory(url: str, work: Path, quick: bool, n: int) -> Row:
    """Server memory at its start, at the peak of 20 officials' sessions while an editor saves a
    figure every SAVE_EVERY_S seconds, and once every session has closed and its reconnect time
    (`server.disconnectedSessionTTL`, 120 s) has passed."""
    import bench_client

    from civic import accounts, database

    engine = database.connect(url)
    try:
        accounts.add(engine, EDITOR, EDITOR_PASSWORD, "editor", ["zz_admin_approval"],
                     who="system:bench")
    finally:
        engine.dispose()
    rounds, saves = (1, 15) if quick else (3, 40)
    server = await started(url, work / "sessions_memory.log")
    try:
        first = bench_client.Session(server.base)
        await first.open()
        await first.close()
        await asyncio.sleep(2)
        start = peak = server.rss_mb()
        running = True

        async def watch() -> None:
            nonlocal peak
            while running:
                peak = max(peak, server.rss_mb())
                await asyncio.sleep(0.25)

        watcher = asyncio.create_task(watch())
        began = time.monotonic()
        editor, *officials = await asyncio.gather(
            editor_saving(server.base, saves),
            *[bench_client.official(server.base, rounds, i, bench_client.STEPS,
                                    bench_client.READING_S) for i in range(20)])
        took = time.monotonic() - began
        closed = server.rss_mb()
        await asyncio.sleep(120 + 2 * 30 + 5)  # the reconnect time, and the janitor's round
        running = False
        await watcher
        after = server.rss_mb()
    finally:
        server.stop()
    saved, errors = editor
    errors += [e for _, found in officials for e in found]
    steps = sum(len(runs) for runs, _ in officials)
    return Row("memory_after_sessions", None, None, TARGETS["memory_after_sessions"],
               f"{n:,} generated figures",
               f"server RSS {start:.0f} MB at its start (one session opened and closed), peak "
               f"{peak:.0f} MB while 20 officials (scripts/bench_client.py, {steps} steps, "
               f"reading 3–12 s between them) browsed and an editor saved a figure every "
               f"{SAVE_EVERY_S:.0f} s ({saved} of {saves} saved, each a new data version) for "
               f"{took:.0f} s; {closed:.0f} MB when all had closed, {after:.0f} MB after the "
               f"reconnect time (120 s) and the closed-session janitor's round: "
               f"{after - start:+.0f} MB against the start; {len(errors)} errors"
               + (f" ({'; '.join(sorted(set(errors)))[:200]})" if errors else ""))


async def nginx_rows(browser, seed_url: str, work: Path, quick: bool, names: list[str]
                     ) -> list[Row]:
    """`first_visit_bytes` and `sessions_20_burst_nginx`, on NGINX_WORKERS dashboard processes
    of the seed store behind the shipped nginx (scripts/serve.py)."""
    import bench_client
    from serve import nginx_binary

    if nginx_binary() is None:
        return [unmeasured(name, TARGETS[name], "seed", "nginx not found") for name in names]
    fleet = await asyncio.to_thread(NginxFleet(seed_url, work).start)
    rows = []
    try:
        if "first_visit_bytes" in names:
            if not browser:
                rows.append(unmeasured("first_visit_bytes", TARGETS["first_visit_bytes"],
                                       "seed", "no Chromium"))
            else:
                sent, requests = await first_visit(browser, fleet)
                plain, _ = await first_visit(browser, fleet, "identity")
                rows.append(Row(
                    "first_visit_bytes", sent / 1e6, None, TARGETS["first_visit_bytes"], "seed",
                    f"bytes nginx sent (headers and bodies, as sent) for a first visit of the "
                    f"overview (zh) from Chromium with nothing cached, through the shipped "
                    f"nginx: {requests} requests, websocket included, until the charts were "
                    f"drawn and the tab closed; the same visit asking for no compression "
                    f"{plain / 1e6:.2f} MB", unit="MB"))
        if "sessions_20_burst_nginx" in names:
            rows.append(await bench_client.nginx_burst_row(fleet, quick))
    finally:
        await asyncio.to_thread(fleet.stop)
    return rows


async def started(url: str, log: Path) -> Server:
    server = Server(REPO / "dashboard.py", url, log)
    try:
        await server.healthy()
    except Exception:
        server.stop()
        raise
    return server


async def measure(seed_url: str, big_url: str, n: int, work: Path, wanted, quick: bool,
                  stages: dict[str, float]) -> list[Row]:
    """The rows on live servers. Each store gets one server for all its rows: the big store's
    serves `memory` (measured first, on a fresh server) then `filter_1m`; the seed store's
    serves the filter's floor, then `sessions_20` and `sessions_20_burst`. `cold_start` starts
    its own, and so does `memory_after_sessions`, on a copy of the big store."""
    import bench_client
    from playwright.async_api import async_playwright

    rows: list[Row] = []
    size = f"{n:,} generated figures"
    choices = (1, 2) if quick else (1, 2, 1)
    extra = 3 if quick else 5  # sessions opened after the first, for memory
    async with async_playwright() as playwright:
        chromium = find_chromium()
        browser = chromium and await playwright.chromium.launch(
            executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        if not browser:
            rows += [unmeasured(name, TARGETS[name], "", "no Chromium")
                     for name in ("cold_start", "filter_1m") if wanted(name)]
        if browser and wanted("cold_start"):
            hello = work / "hello.py"
            hello.write_text(HELLO, encoding="utf-8")
            with timed(stages, "cold_start"):
                compileall.compile_dir(REPO / "civic", quiet=1)  # as installed: compiled
                compileall.compile_dir(REPO / "app_pages", quiet=1)
                values, floors = [], []
                for turn in range(COLD_STARTS):  # in turn, so that both see the same load
                    values.append(await cold_start(browser, REPO / "dashboard.py", seed_url,
                                                   work / f"c1_{turn}.log"))
                    floors.append(await cold_start(browser, hello, seed_url,
                                                   work / f"c2_{turn}.log"))
            ratios = sorted(value / floor for value, floor in zip(values, floors))
            rows.append(Row("cold_start", min(values), min(floors), "≤ 1.5×", "seed",
                            "server start to the first Plotly chart drawn in Chromium, the "
                            "dashboard (seeded store, its modules compiled as an installed "
                            "server's are) vs a hello-world app with one chart; best of "
                            f"{COLD_STARTS}, started in turn (each turn's ratio: "
                            f"{', '.join(f'{r:.2f}' for r in ratios)})"))
        filtering = browser and wanted("filter_1m")
        if wanted("memory") or filtering:
            with timed(stages, "big server start"):
                big = await started(big_url, work / "big.log")
            try:
                if wanted("memory"):
                    with timed(stages, "memory"):
                        loaded, per_session = await memory(big, extra)
                    rows.append(Row(
                        "memory", None, None, "per session ≤ 20 MB", size,
                        f"server RSS {loaded:.0f} MB with the store loaded by one session; "
                        f"{per_session:.1f} MB more per further session ({extra} opened one after "
                        "another by the websocket client, scripts/bench_client.py): the "
                        "catalog and frames are one st.cache_resource entry per data "
                        "version, shared by every session"))
                if filtering:
                    with timed(stages, "filter_1m"):
                        value = await filter_change(browser, big, choices)
            finally:
                big.stop()
        sessions = wanted("sessions_20") or wanted("sessions_20_burst")
        if filtering or sessions:
            with timed(stages, "seed server start"):
                seed = await started(seed_url, work / "seed.log")
            try:
                if filtering:
                    with timed(stages, "filter_1m"):
                        floor = await filter_change(browser, seed, choices)
                    rows.append(Row("filter_1m", value, floor, "≤ 3×", size,
                                    "a district chosen in the sidebar until the overview has "
                                    f"redrawn, in Chromium, best of {len(choices)}; floor the "
                                    "same at seed size"))
                if sessions:
                    with timed(stages, "sessions_20"):
                        rows += await bench_client.sessions_rows(seed, quick, wanted)
            finally:
                seed.stop()
        through_nginx = [name for name in ("first_visit_bytes", "sessions_20_burst_nginx")
                         if wanted(name)]
        if through_nginx:
            with timed(stages, "nginx"):
                rows += await nginx_rows(browser, seed_url, work, quick, through_nginx)
        if wanted("memory_after_sessions"):  # on a copy: its saves change the store
            from civic import database, dump

            copy = work / "sessions_memory.sqlite3"
            engine = database.connect(big_url)
            try:
                dump.backup(engine, copy)
            finally:
                engine.dispose()
            with timed(stages, "memory_after_sessions"):
                rows.append(await sessions_memory(f"sqlite:///{copy}", work, quick, n))
        if browser:
            await browser.close()
    return rows


def rows(seed_url: str, big_url: str, n: int, work: Path, wanted, quick: bool,
         stages: dict[str, float]) -> list[Row]:
    names = [name for name in TARGETS if wanted(name)]
    if not Path(big_url.removeprefix("sqlite:///")).exists() and \
            (wanted("memory") or wanted("filter_1m") or wanted("memory_after_sessions")):
        import scale_data
        with timed(stages, "fill_big"):
            scale_data.fill(big_url, n)
    try:
        return asyncio.run(measure(seed_url, big_url, n, work, wanted, quick, stages))
    except Exception as error:  # noqa: BLE001 - the row says why, never a made-up number
        return [unmeasured(name, TARGETS[name], "", f"the run failed: {error!r}"[:300])
                for name in names]
