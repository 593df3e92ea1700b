"""End-to-end: the real dashboard, served by `streamlit run`, opened in the system Chromium.

Every page is opened in both languages; each must run without an error box, draw every Plotly
chart it has, and show a title in the language asked for. At a phone's 390 × 844 pixels, every
page in both languages must keep each chart's text inside the chart and clear of the mode bar;
on a laptop, neither the sidebar's page names nor the KPI tiles' labels and values are cut.
Screenshots of each page land in pytest's `tmp_path` (look there when a case fails).

Needs Debian's Chromium (`scripts/system-deps.sh` installs it). Without it the module is skipped,
except under CI (`CI` set), where that is a failure. No browser is ever downloaded.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
SERVER_START_TIMEOUT = 60.0
PAGE_TIMEOUT_MS = 45_000

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

# url path -> does the page draw Plotly charts (with the shipped data and no filters)?
# The default page (overview) is served at the app's root: Streamlit gives a default page the
# pathname "" whatever its `url_path`, and answers `/overview` with a "Page not found" dialog.
PAGES = {
    "": True,  # overview
    "leaders_walk": True,
    "projects": True,
    "winter_relief": True,
    "flu": True,
    "community": False,
    "sources": False,
}
LANGS = ("zh", "en")

# Selectors, taken from the DOM of the running app (Streamlit 1.67).
APP = '[data-testid="stApp"]'
EXCEPTION = '[data-testid="stException"]'
ERROR_ALERT = '[data-testid="stAlertContentError"]'
WARNING_ALERT = '[data-testid="stAlertContentWarning"]'
STATUS_WIDGET = '[data-testid="stStatusWidget"]'
DIALOG = '[data-testid="stDialog"]'
PLOTLY = '[data-testid="stPlotlyChart"]'
METRIC_VALUE = '[data-testid="stMetricValue"]'
MAIN = '[data-testid="stMain"]'
TITLE = f"{MAIN} h1"
# Each program card on the overview ends with one link to its program's page (the sidebar's
# navigation links are `stSidebarNavLink`, not `stPageLink`).
PROGRAM_CARD = f'{MAIN} [data-testid="stPageLink"]'


# --------------------------------------------------------------------------- fixtures


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200 and response.read().decode().strip() == "ok"
    except (urllib.error.URLError, OSError):
        return False


@pytest.fixture(scope="module")
def chromium_path() -> str:
    path = shutil.which("chromium")
    if path is None and os.access("/usr/bin/chromium", os.X_OK):
        path = "/usr/bin/chromium"
    if path is None:
        reason = ("Chromium not found (install Debian's `chromium`, e.g. `make system-deps`); "
                  "browser tests never download a browser")
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return path


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The dashboard served by `streamlit run` on a free loopback port; its base URL."""
    port = _free_port()
    log_path = tmp_path_factory.mktemp("streamlit") / "server.log"
    url = f"http://{HOST}:{port}"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable, "-m", "streamlit", "run", "dashboard.py",
                "--server.port", str(port),
                "--server.address", HOST,
                "--server.headless", "true",
                "--server.fileWatcherType", "none",
                "--browser.gatherUsageStats", "false",
            ],
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + SERVER_START_TIMEOUT
            while not _healthy(url):
                if process.poll() is not None:
                    pytest.fail(f"streamlit exited with {process.returncode}:\n"
                                f"{log_path.read_text(errors='replace')}")
                if time.monotonic() > deadline:
                    pytest.fail(f"streamlit not healthy after {SERVER_START_TIMEOUT:.0f}s:\n"
                                f"{log_path.read_text(errors='replace')}")
                time.sleep(0.25)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


@pytest.fixture(scope="module")
def browser(chromium_path: str):
    try:
        from playwright import sync_api
    except ImportError:
        reason = "the `playwright` package is not installed (pip install -e '.[dev]')"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS,
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def context(browser, app_url: str):
    """One browser context (so one HTTP cache) for the module: the app's scripts load once."""
    shared = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-US")
    shared.set_default_timeout(PAGE_TIMEOUT_MS)
    try:
        yield shared
    finally:
        shared.close()


@pytest.fixture
def page(context):
    """A fresh tab per case: each tab is its own Streamlit session, read from its own URL."""
    tab = context.new_page()
    try:
        yield tab
    finally:
        tab.close()


# --------------------------------------------------------------------------- helpers


SETTLED = """([app, status, ready]) => {
    const root = document.querySelector(app);
    const settled = root
        && root.dataset.testConnectionState === 'CONNECTED'
        && root.dataset.testScriptState === 'notRunning'
        && !document.querySelector(status)
        && document.querySelector(ready)
        && !document.querySelector('[data-stale="true"]')
        && !document.querySelector('[data-testid="stSkeleton"]');
    if (!settled) { window.__civicSettledAt = null; return false; }
    window.__civicSettledAt = window.__civicSettledAt || performance.now();
    return performance.now() - window.__civicSettledAt > 750;
}"""


def open_page(page, url: str) -> None:
    """Go to `url` and wait until Streamlit has run the script and rendered all its output.

    The script state reads "notRunning" as soon as the script ends, while elements whose code
    loads lazily (metrics, charts, ...) still show as `stSkeleton` placeholders for a while; so
    also wait for the page's output (its title, or an exception for a broken page), for no
    placeholder or stale element to be left, and for all of that to hold for a moment.
    """
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector(APP, state="attached")
    page.wait_for_function(SETTLED, arg=[APP, STATUS_WIDGET, f"{TITLE}, {EXCEPTION}"],
                           polling=100)


def screenshot(page, path: Path) -> None:
    """The whole page, for looking at when a case fails; never fails a case by itself.

    Streamlit scrolls inside its main area, so the viewport grows to fit that first.
    """
    try:
        height = page.evaluate(
            """(sel) => {
                const els = [document.querySelector(sel), document.scrollingElement,
                             ...document.querySelectorAll('[data-testid="stAppViewContainer"]')];
                return Math.max(...els.filter(Boolean).map(e => e.scrollHeight));
            }""",
            MAIN,
        )
        page.set_viewport_size({"width": 1400, "height": max(900, min(int(height) + 40, 12_000))})
        page.wait_for_timeout(300)
        page.screenshot(path=str(path), full_page=True, timeout=15_000)
    except Exception as error:  # noqa: BLE001 - a missing screenshot must not hide the failure
        print(f"no screenshot {path}: {error}")


def error_texts(page) -> list[str]:
    return [el.inner_text() for el in page.query_selector_all(f"{EXCEPTION}, {ERROR_ALERT}")]


def page_not_found(page) -> list[str]:
    return [el.inner_text() for el in page.query_selector_all(DIALOG)
            if "not found" in el.inner_text().lower() or "not seem to exist" in el.inner_text()]


DRAWN_MARKS = """(chart) => {
    const plot = chart.querySelector('.js-plotly-plot');
    if (!plot) return {plot: false};
    const svg = plot.querySelector('svg.main-svg');
    if (!svg) return {plot: true, svg: false};
    const traces = plot.querySelectorAll('g.trace').length;
    const marks = [...plot.querySelectorAll('g.trace path')]
        .map(p => (p.getAttribute('d') || '').trim())
        .filter(d => d && d !== 'M0,0Z').length;
    const box = svg.getBoundingClientRect();
    return {plot: true, svg: true, traces, marks, width: box.width, height: box.height};
}"""


def wait_for_charts(page) -> list[dict]:
    """Each Plotly chart's drawing state, once every chart has drawn marks (or the wait ends)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    charts = page.locator(PLOTLY)
    count = charts.count()
    if count:
        try:
            page.wait_for_function(
                """([sel, n]) => {
                    const charts = document.querySelectorAll(sel);
                    return charts.length >= n && [...charts].every(c =>
                        c.querySelector('.js-plotly-plot svg.main-svg g.trace path[d]'));
                }""",
                arg=[PLOTLY, count],
                timeout=20_000,
            )
        except PlaywrightTimeout:  # report below, chart by chart, what was drawn
            pass
    return [charts.nth(i).evaluate(DRAWN_MARKS) for i in range(count)]


# --------------------------------------------------------------------------- tests


@pytest.fixture(scope="module")
def titles() -> dict[tuple[str, str], str]:
    """The h1 seen per (page, lang), filled in as the cases run."""
    return {}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("url_path", list(PAGES), ids=[p or "overview" for p in PAGES])
def test_page_renders(page, app_url: str, url_path: str, lang: str, tmp_path: Path,
                      titles: dict[tuple[str, str], str]) -> None:
    shot = tmp_path / f"{url_path or 'overview'}_{lang}.png"
    try:
        open_page(page, f"{app_url}/{url_path}?lang={lang}")
        errors = error_texts(page)
        assert not errors, f"error box on /{url_path}?lang={lang}:\n" + "\n---\n".join(errors)
        assert not page_not_found(page), f"/{url_path} is not a page of the app"

        title = page.locator(TITLE).first.inner_text().strip()
        assert title

        states = wait_for_charts(page)
        if PAGES[url_path]:
            assert states, f"/{url_path}?lang={lang} shows no Plotly chart"
        for index, state in enumerate(states):
            where = f"chart {index + 1}/{len(states)} on /{url_path}?lang={lang}: {state}"
            assert state["plot"], f"no .js-plotly-plot in {where}"
            assert state["svg"], f"no svg.main-svg in {where}"
            assert state["traces"] > 0 and state["marks"] > 0, f"nothing drawn in {where}"
            assert state["width"] > 0 and state["height"] > 0, f"zero-sized {where}"

        if url_path == "leaders_walk":
            values = [v.strip() for v in page.locator(METRIC_VALUE).all_inner_texts()]
            expected = ["4023" if lang == "zh" else "4,023", "639", "488", "76.4%"]
            for number in expected:
                assert any(number in value for value in values), (
                    f"{number!r} not among the metric values {values}")
    finally:
        screenshot(page, shot)

    # The language took effect: the same page's title differs between zh and en.
    titles[(url_path, lang)] = title
    other = titles.get((url_path, "en" if lang == "zh" else "zh"))
    if other is not None:
        assert other != title, f"/{url_path}: the same title {title!r} in zh and en"
    if lang == "zh":
        assert any("\u4e00" <= ch <= "\u9fff" for ch in title), f"zh title {title!r} has no Chinese"
    else:
        assert not any("\u4e00" <= ch <= "\u9fff" for ch in title), f"en title {title!r} is Chinese"
    if url_path == "":
        assert title == {"zh": "总览", "en": "Overview"}[lang]


def test_overview_department_filter(context, app_url: str, tmp_path: Path) -> None:
    """`?dept=` narrows the overview; an unknown department is reported, not an exception.

    Each URL gets its own tab, so its own session: the app reads the URL into the filters once
    per session.
    """
    cards: dict[str, int] = {}
    for name, query in [("all", "lang=en"), ("zz_cdc", "lang=en&dept=zz_cdc"),
                        ("nonexistent", "lang=en&dept=nonexistent")]:
        tab = context.new_page()
        try:
            try:
                open_page(tab, f"{app_url}/?{query}")
                assert not error_texts(tab), f"?{query}: " + "\n---\n".join(error_texts(tab))
                assert tab.locator(TITLE).first.inner_text().strip() == "Overview"
                cards[name] = tab.locator(PROGRAM_CARD).count()
                warnings = tab.locator(WARNING_ALERT)
                if name == "nonexistent":
                    notice = warnings.filter(has_text="nonexistent")
                    assert notice.count() == 1, ("no warning about the unknown department among "
                                                 f"{warnings.all_inner_texts()}")
                    assert notice.first.is_visible()
                else:
                    assert warnings.count() == 0, f"?{query}: {warnings.all_inner_texts()}"
            finally:
                screenshot(tab, tmp_path / f"overview_{name}.png")
        finally:
            tab.close()

    assert cards["all"] > 0
    assert 0 < cards["zz_cdc"] < cards["all"], cards
    # The unknown department is ignored, so the overview shows every program.
    assert cards["nonexistent"] == cards["all"], cards


# --------------------------------------------------------------------------- phones

PHONE = {"width": 390, "height": 844}
NAV_LINK = '[data-testid="stSidebarNavLink"]'

# Per chart: every piece of text (titles, labels, legend, values) with its box, relative to the
# chart, and the mode bar's box. Boxes are measured whether or not the mode bar is showing.
CHART_TEXT = """(chart) => {
    const plot = chart.querySelector('.js-plotly-plot');
    const box = plot.getBoundingClientRect();
    const rel = r => ({left: r.left - box.left, right: r.right - box.left,
                       top: r.top - box.top, bottom: r.bottom - box.top});
    const texts = [...plot.querySelectorAll('svg.main-svg text')]
        .filter(t => t.textContent.trim())
        .map(t => ({text: t.textContent, ...rel(t.getBoundingClientRect())}))
        .filter(r => r.right > r.left);
    const bar = plot.querySelector('.modebar');
    return {width: box.width, height: box.height, texts,
            modebar: bar ? rel(bar.getBoundingClientRect()) : null};
}"""


def _overlap(a: dict, b: dict) -> bool:
    return a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] \
        and b["top"] < a["bottom"]


@pytest.fixture(scope="module")
def phone(browser, app_url: str):
    """A context the size of a phone (390 × 844 CSS pixels), as officials use on the move."""
    shared = browser.new_context(viewport=PHONE, locale="en-US", is_mobile=True,
                                 has_touch=True, device_scale_factor=2)
    shared.set_default_timeout(PAGE_TIMEOUT_MS)
    try:
        yield shared
    finally:
        shared.close()


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("url_path", list(PAGES), ids=[p or "overview" for p in PAGES])
def test_charts_read_on_a_phone(phone, app_url: str, url_path: str, lang: str,
                                tmp_path: Path) -> None:
    """At 390 px every chart's text lies inside its chart (nothing cut at an edge), no text
    lies under the mode bar, every KPI value shows whole, and the page does not scroll
    sideways."""
    tab = phone.new_page()
    try:
        open_page(tab, f"{app_url}/{url_path}?lang={lang}")
        assert not error_texts(tab), "\n---\n".join(error_texts(tab))
        states = wait_for_charts(tab)
        assert all(s.get("marks") for s in states), states
        tab.wait_for_timeout(500)  # plotly fits a chart to its container after drawing it
        charts = tab.locator(PLOTLY)
        for index in range(charts.count()):
            chart = charts.nth(index).evaluate(CHART_TEXT)
            where = f"chart {index + 1} on /{url_path}?lang={lang}"
            assert chart["width"] <= PHONE["width"], f"{where} is {chart['width']} px wide"
            cut = [t for t in chart["texts"]
                   if t["left"] < -1 or t["top"] < -1 or t["right"] > chart["width"] + 1
                   or t["bottom"] > chart["height"] + 1]
            assert not cut, f"text cut at the edge of {where}: {cut}"
            if chart["modebar"]:
                covered = [t["text"] for t in chart["texts"] if _overlap(t, chart["modebar"])]
                assert not covered, f"the mode bar covers {covered} in {where}"
        cut = tab.evaluate(CUT_TEXT, f'{MAIN} [data-testid="stMetricValue"]')
        assert not cut, f"KPI values cut on /{url_path}?lang={lang}: {cut}"
        sideways = tab.evaluate(
            "(sel) => document.querySelector(sel).scrollWidth - window.innerWidth", MAIN)
        assert sideways <= 0, f"/{url_path}?lang={lang} scrolls {sideways} px sideways"
    finally:
        tab.screenshot(path=str(tmp_path / f"{url_path or 'overview'}_{lang}_phone.png"),
                       full_page=True)
        tab.close()


CUT_TEXT = """(sel) => [...document.querySelectorAll(sel)]
    .filter(box => [...box.querySelectorAll('*')].some(el => el.scrollWidth > el.clientWidth + 1))
    .map(box => box.textContent)"""
KPI_TEXT = f'{MAIN} [data-testid="stMetricLabel"], {MAIN} [data-testid="stMetricValue"]'


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("url_path", list(PAGES), ids=[p or "overview" for p in PAGES])
def test_labels_are_not_cut(page, app_url: str, url_path: str, lang: str) -> None:
    """On a laptop, each page's name fits the sidebar whole (no "Community, culture and
    saf…"), and no KPI tile cuts its label or value short ("Ceramics fir…")."""
    open_page(page, f"{app_url}/{url_path}?lang={lang}")
    assert page.locator(NAV_LINK).count() == len(PAGES)
    cut = page.evaluate(CUT_TEXT, NAV_LINK)
    assert not cut, f"navigation labels cut: {cut}"
    cut = page.evaluate(CUT_TEXT, KPI_TEXT)
    assert not cut, f"KPI labels or values cut on /{url_path}?lang={lang}: {cut}"
