"""The benchmark's rows that need a real server and a real browser (scripts/bench.py runs them).

Servers are `streamlit run` child processes on free loopback ports, each given its store by
CIVIC_DATABASE_URL. The client is one headless Chromium (the system's) with many pages, driven
by Playwright's async API: light next to the server, which is what is measured. A page counts
as updated when Streamlit has run the script and drawn its output with nothing stale left
(tests/browsing.py's `SETTLED`); the time is read in the page (`performance.now()`), without
the moment `SETTLED` waits to be sure.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench import REPO, Row, unmeasured
from browsing import APP, CHROMIUM_ARGS, PLOTLY, SETTLED, STATUS_WIDGET, TITLE, find_chromium
from servers import HOST, free_port

HELLO = """
import plotly.graph_objects as go
import streamlit as st
st.title("Hello")
st.plotly_chart(go.Figure(go.Bar(x=["a", "b", "c"], y=[3, 1, 2])))
"""
TARGETS = {"cold_start": "≤ 1.5×", "filter_1m": "≤ 3×", "memory": "per session ≤ 20 MB",
           "sessions_20": "0 errors; p95 ≤ 5×"}
READY = f"{TITLE}, [data-testid='stException']"
SETTLED_AT = "window.__civicSettledAt"


class Server:
    """`streamlit run SCRIPT` with the store at `url`; its RSS read from /proc."""

    def __init__(self, script: Path, url: str, log: Path):
        self.port = free_port()
        self.base = f"http://{HOST}:{self.port}"
        env = {**os.environ, "CIVIC_DATABASE_URL": url}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(script), "--server.port",
             str(self.port), "--server.address", HOST, "--server.headless", "true",
             "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"],
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

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


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


async def filter_change(browser, url: str, log: Path) -> float:
    """Choosing a district in the sidebar until the page has redrawn (best of 3)."""
    server = Server(REPO / "dashboard.py", url, log)
    page = await browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        await server.healthy()
        await visit(page, f"{server.base}/?lang=en")
        times = []
        for choice in (1, 2, 1):
            await page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first \
                .click()
            option = page.locator('[role="option"]').nth(choice)
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
        server.stop()


ROUTES = ["overview", "leaders_walk?dept=zz_admin_approval", "flu", "projects?lang=en",
          "winter_relief?district=lusong", "community?lang=en", "sources"]


async def session(context, base: str, rounds: int, offset: int) -> tuple[list[float], int]:
    page = await context.new_page()
    times, errors = [], 0
    for n in range(rounds):
        try:
            times.append(await visit(page, f"{base}/{ROUTES[(offset + n) % len(ROUTES)]}"))
            errors += await page.locator("[data-testid='stException']").count()
        except Exception:  # noqa: BLE001 - counted: the row says 0 errors or not
            errors += 1
    await page.close()
    return times, errors


async def sessions(browser, url: str, log: Path, n: int, rounds: int, memory_url: str | None):
    """p50/p95 of 1 session alone and of `n` at once; with `memory_url`, RSS per session."""
    server = Server(REPO / "dashboard.py", url, log)
    try:
        await server.healthy()
        context = await browser.new_context(viewport={"width": 1400, "height": 1000})
        await session(context, server.base, 1, 0)  # warm: the catalog read once
        alone, _ = await session(context, server.base, rounds * 2, 0)
        results = await asyncio.gather(*[session(context, server.base, rounds, i)
                                         for i in range(n)])
        together = [t for times, _ in results for t in times]
        errors = sum(e for _, e in results)
        await context.close()
        return alone, together, errors
    finally:
        server.stop()


async def memory(browser, url: str, log: Path, extra: int = 5) -> tuple[float, float]:
    """RSS with the big store loaded by one session, and per further session held open."""
    server = Server(REPO / "dashboard.py", url, log)
    try:
        await server.healthy()
        context = await browser.new_context()
        first = await context.new_page()
        await visit(first, server.base)
        loaded = server.rss_mb()
        for _ in range(extra):  # one after another: RSS then holds what sessions keep,
            await visit(await context.new_page(), server.base)  # not the peak of runs at once
        return loaded, (server.rss_mb() - loaded) / extra
    finally:
        server.stop()


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 \
        else values[0]


async def measure(seed_url: str, big_url: str, n: int, work: Path, wanted, quick: bool):
    from playwright.async_api import async_playwright

    rows: list[Row] = []
    size = f"{n:,} generated figures"
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=find_chromium(),
                                                   headless=True, args=CHROMIUM_ARGS)
        if wanted("cold_start"):
            hello = work / "hello.py"
            hello.write_text(HELLO, encoding="utf-8")
            value = await cold_start(browser, REPO / "dashboard.py", seed_url, work / "c1.log")
            floor = await cold_start(browser, hello, seed_url, work / "c2.log")
            rows.append(Row("cold_start", value, floor, "≤ 1.5×", "seed",
                            "server start to the first Plotly chart drawn in Chromium, the "
                            "dashboard (seeded store) vs a hello-world app with one chart"))
        if wanted("filter_1m"):
            value = await filter_change(browser, big_url, work / "f1.log")
            floor = await filter_change(browser, seed_url, work / "f2.log")
            rows.append(Row("filter_1m", value, floor, "≤ 3×", size,
                            "a district chosen in the sidebar until the overview has redrawn, "
                            "in Chromium, best of 3; floor the same at seed size"))
        if wanted("memory"):
            loaded, per_session = await memory(browser, big_url, work / "m.log")
            rows.append(Row("memory", None, None, "per session ≤ 20 MB", size,
                            f"server RSS {loaded:.0f} MB with the store loaded by one session; "
                            f"{per_session:.1f} MB more per further session (5 opened): the "
                            "catalog and frames are one st.cache_resource entry per data "
                            "version, shared by every session"))
        if wanted("sessions_20"):
            rounds = 1 if quick else 3
            alone, together, errors = await sessions(browser, seed_url, work / "s.log", 20,
                                                     rounds, None)
            rows.append(Row(
                "sessions_20", percentile(together, 95), percentile(alone, 95),
                "0 errors; p95 ≤ 5×", f"seed, 20 × {rounds} page loads",
                f"20 Playwright pages in one Chromium at once, each opening {rounds} pages with "
                f"filters in the link (a new session each); p50 {percentile(together, 50):.2f} s"
                f", p95 {percentile(together, 95):.2f} s vs one session alone p50 "
                f"{percentile(alone, 50):.2f} s, p95 {percentile(alone, 95):.2f} s; "
                f"{errors} errors"))
        await browser.close()
    return rows


def rows(seed_url: str, big_url: str, n: int, work: Path, wanted, quick: bool) -> list[Row]:
    names = [name for name in ("cold_start", "filter_1m", "memory", "sessions_20")
             if wanted(name)]
    if find_chromium() is None:
        return [unmeasured(name, TARGETS[name], "", "no Chromium") for name in names]
    if not Path(big_url.removeprefix("sqlite:///")).exists():
        import scale_data
        scale_data.fill(big_url, n)
    try:
        return asyncio.run(measure(seed_url, big_url, n, work, wanted, quick))
    except Exception as error:  # noqa: BLE001 - the row says why, never a made-up number
        return [unmeasured(name, TARGETS[name], "", f"the browser run failed: {error!r}"[:300])
                for name in names]
