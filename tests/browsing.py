"""Driving the dashboard in the system Chromium through Playwright: launch options, the app's
DOM selectors, and waiting until a page has rendered all its output.

Only Debian's Chromium is used (never a downloaded browser): `find_chromium()` says where it is.
"""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

PAGE_TIMEOUT_MS = 45_000
LAPTOP = {"width": 1400, "height": 900}

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

# Selectors, taken from the DOM of the running app (Streamlit 1.67).
APP = '[data-testid="stApp"]'
EXCEPTION = '[data-testid="stException"]'
ERROR_ALERT = '[data-testid="stAlertContentError"]'
WARNING_ALERT = '[data-testid="stAlertContentWarning"]'
STATUS_WIDGET = '[data-testid="stStatusWidget"]'
DIALOG = '[data-testid="stDialog"]'
PLOTLY = '[data-testid="stPlotlyChart"]'
NAV_LINK = '[data-testid="stSidebarNavLink"]'
METRIC_VALUE = '[data-testid="stMetricValue"]'
MAIN = '[data-testid="stMain"]'
TITLE = f"{MAIN} h1"
# Each program card on the overview ends with one link to its program's page (the sidebar's
# navigation links are `stSidebarNavLink`, not `stPageLink`).
PROGRAM_CARD = f'{MAIN} [data-testid="stPageLink"]'


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
    return performance.now() - window.__civicSettledAt > 400;
}"""


@contextmanager
def browser_context(browser, locale: str = "en-US", **options: Any) -> Iterator[Any]:
    """A browser context (one HTTP cache, one cookie jar) at a laptop's size unless `options`
    say otherwise, waiting up to PAGE_TIMEOUT_MS; closed on leaving.

    Its pages prefer reduced motion, a setting officials may choose: the page's animations,
    which no case checks, then cost the browser far fewer frames (tests/test_browser.py took
    about a fifth less time; docs/performance.md, fix 42). A case passes
    `reduced_motion="no-preference"` to see the pages move as they do by default."""
    context = browser.new_context(**{"viewport": LAPTOP, "locale": locale,
                                     "reduced_motion": "reduce", **options})
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    try:
        yield context
    finally:
        context.close()


def open_page(page, url: str) -> None:
    """Go to `url` and wait until Streamlit has run the script and rendered all its output.

    The script state reads "notRunning" as soon as the script ends, while elements whose code
    loads lazily (metrics, charts, ...) still show as `stSkeleton` placeholders for a while; so
    also wait for the page's output (its title, or an exception for a broken page), for no
    placeholder or stale element to be left, and for all of that to hold for a moment.
    """
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector(APP, state="attached")
    wait_until_settled(page)


def wait_until_settled(page) -> None:
    """Wait until the page shows its output and nothing is running, loading or stale."""
    page.wait_for_function(SETTLED, arg=[APP, STATUS_WIDGET, f"{TITLE}, {EXCEPTION}"],
                           polling=100)


def go_by_sidebar(page, url_path: str) -> None:
    """Move an open tab to the page at `url_path` by its sidebar link, as an official moves
    between pages: the same session and the scripts already loaded, so a visit costs a rerun,
    not a new tab. A sidebar folded away (on a phone) is opened for the click and folded again.

    The page has arrived when its title reads as its link does (each page's title is its name),
    waited for as long as a page load (`expect` alone gives up after 5 s).
    """
    from playwright.sync_api import expect

    unfold = page.locator('[data-testid="stExpandSidebarButton"]')
    folded = unfold.count() > 0
    if folded:
        unfold.click()
    link = page.locator(f'{NAV_LINK}[href$="/{url_path}"]')
    name = link.inner_text().splitlines()[-1].strip()  # after the icon's name
    link.click()
    expect(page.locator(TITLE).first).to_have_text(name, timeout=PAGE_TIMEOUT_MS)
    wait_until_settled(page)
    if folded:
        page.locator('[data-testid="stSidebarCollapseButton"]').click()
        expect(unfold).to_be_visible(timeout=PAGE_TIMEOUT_MS)


class KeptTab:
    """One tab of a browser context, lent to case after case. Each case's `open_page` is a new
    page load, so its own Streamlit session read from its own URL, but in a renderer that has
    already compiled the app's scripts: about half the time and CPU of a new tab
    (docs/performance.md, fix 40). A tab whose case failed is closed, not lent again: its state
    is unknown."""

    def __init__(self, context, viewport: dict | None = None) -> None:
        self.context, self.viewport = context, viewport or LAPTOP
        self.tab: Any = None

    def take(self) -> Any:
        """The kept tab (a new one the first time), in front and at the context's size."""
        tab, self.tab = self.tab or self.context.new_page(), None
        tab.bring_to_front()  # Chromium hardly draws a tab behind another
        if tab.viewport_size != self.viewport:
            tab.set_viewport_size(self.viewport)
        return tab

    def give_back(self, tab, failed: bool) -> None:
        if failed or self.tab is not None:
            tab.close()
        else:
            self.tab = tab

    @contextmanager
    def lent(self, viewport: dict | None = None) -> Iterator[Any]:
        """The kept tab for the block, at `viewport` if given; given back unless the block
        fails."""
        tab = self.take()
        if viewport is not None:
            tab.set_viewport_size(viewport)
        try:
            yield tab
        except BaseException:
            self.give_back(tab, failed=True)
            raise
        self.give_back(tab, failed=False)


class Tour:
    """Tabs of one browser context, one per language, that move from page to page by the
    sidebar (`go_by_sidebar`): a page checked this way costs a rerun, not a new tab and a new
    session. A tab is opened at its first page's address, and opened anew after a case failed
    in it (its state is then unknown)."""

    def __init__(self, context, base_url: str) -> None:
        self.context, self.base_url = context, base_url
        self.tabs: dict[str, Any] = {}

    @contextmanager
    def visit(self, url_path: str, lang: str, shot: Path) -> Iterator[Any]:
        """The tab of `lang`, on the page at `url_path`; if the block or the way there fails, a
        screenshot of the tab to `shot` and the tab closed."""
        tab = self.tabs.pop(lang, None)
        try:
            if tab is None:
                tab = self.context.new_page()
                open_page(tab, f"{self.base_url}/{url_path}?lang={lang}")
            else:  # in front first: Chromium hardly draws a tab behind another
                tab.bring_to_front()
                go_by_sidebar(tab, url_path)
            yield tab
        except BaseException:
            if tab is not None:
                screenshot(tab, shot)
                tab.close()
            raise
        self.tabs[lang] = tab


def screenshot(page, path: Path) -> None:
    """The whole page, for looking at when a case fails; never fails a case by itself.

    Streamlit scrolls inside its main area, so the viewport grows to fit that first (in height:
    its width stays, so the page keeps the layout it failed in).
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
        width = (page.viewport_size or LAPTOP)["width"]  # a phone's page stays a phone's
        page.set_viewport_size({"width": width, "height": max(900, min(int(height) + 40, 12_000))})
        page.wait_for_timeout(300)
        page.screenshot(path=str(path), full_page=True, timeout=15_000)
    except Exception as error:  # noqa: BLE001 - a missing screenshot must not hide the failure
        print(f"no screenshot {path}: {error}")


@contextmanager
def screenshot_on_failure(page, path: Path) -> Iterator[None]:
    """A screenshot of the page (as `screenshot` takes it) when the block fails: what the
    failing case showed. Passing cases take none, which spares a resize and a capture each."""
    try:
        yield
    except BaseException:
        screenshot(page, path)
        raise


def error_texts(page) -> list[str]:
    return [el.inner_text() for el in page.query_selector_all(f"{EXCEPTION}, {ERROR_ALERT}")]


def find_chromium() -> str | None:
    """The system Chromium's path, or None."""
    path = shutil.which("chromium")
    if path is None and os.access("/usr/bin/chromium", os.X_OK):
        path = "/usr/bin/chromium"
    return path
