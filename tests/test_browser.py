"""End-to-end: the real dashboard, served by `streamlit run`, opened in the system Chromium.

Every page is opened in both languages; each must run without an error box, draw every Plotly
chart it has, and show a title in the language asked for. At a phone's 390 × 844 pixels, every
page in both languages must keep each chart's text inside the chart and clear of the mode bar;
on a laptop, neither the sidebar's page names nor the KPI tiles' labels and values are cut.
A failing case leaves a screenshot of its page in pytest's `tmp_path`.

Needs Debian's Chromium (`scripts/system-deps.sh` installs it). Without it the module is skipped,
except under CI (`CI` set), where that is a failure. No browser is ever downloaded.
"""

from __future__ import annotations

import os
import re
import shutil
import urllib.parse
from pathlib import Path
from typing import Iterator

import pytest
from browsing import (
    DIALOG,
    MAIN,
    METRIC_VALUE,
    NAV_LINK,
    PAGE_TIMEOUT_MS,
    PLOTLY,
    PROGRAM_CARD,
    TITLE,
    WARNING_ALERT,
    KeptTab,
    Tour,
    browser_context,
    error_texts,
    open_page,
    screenshot,
    screenshot_on_failure,
    wait_until_settled,
)
from conftest import DATA, FAILED, started, write_hostile_data
from servers import StreamlitServer

from app_pages import first_paint
from civic import database
from civic.cache import DATA_DIR_ENV

pytestmark = pytest.mark.browser

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
    "compare": True,
    "sources": False,
    "indicator": False,  # its first indicator has a single report and no target: no chart
}
LANGS = ("zh", "en")


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The dashboard served by `streamlit run` on a free loopback port; its base URL."""
    with started(StreamlitServer(tmp_path_factory.mktemp("streamlit") / "server.log")) as server:
        yield server.url


@pytest.fixture(scope="module")
def context(browser, app_url: str):
    """One browser context (so one HTTP cache) for the module: the app's scripts load once."""
    with browser_context(browser) as shared:
        yield shared


@pytest.fixture(scope="module")
def kept(context) -> KeptTab:
    return KeptTab(context)


@pytest.fixture
def page(kept: KeptTab, request: pytest.FixtureRequest):
    """The module's kept tab: each `open_page` in it is its own Streamlit session, read from its
    own URL."""
    tab = kept.take()
    yield tab
    kept.give_back(tab, failed=request.node.stash.get(FAILED, False))


# --------------------------------------------------------------------------- helpers

KPI_TEXT = f'{MAIN} [data-testid="stMetricLabel"], {MAIN} [data-testid="stMetricValue"]'
# The boxes (of `sel`) holding an element whose text overflows it: text cut short.
CUT_TEXT = """(sel) => [...document.querySelectorAll(sel)]
    .filter(box => [...box.querySelectorAll('*')].some(el => el.scrollWidth > el.clientWidth + 1))
    .map(box => box.textContent)"""


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


@pytest.fixture(scope="module")
def desk_tour(context, app_url: str) -> Tour:
    """Laptop tabs that move from page to page by the sidebar."""
    return Tour(context, app_url)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("url_path", list(PAGES), ids=[p or "overview" for p in PAGES])
def test_page_renders(page, desk_tour: Tour, app_url: str, url_path: str, lang: str,
                      tmp_path: Path, titles: dict[tuple[str, str], str]) -> None:
    """On a laptop each page runs without an error box, draws every chart it has, shows its
    title in the language asked for, and cuts no label short: each page's name fits the sidebar
    whole (no "Community, culture and saf…"), and no KPI tile cuts its label or value
    ("Ceramics fir…").

    Each page is reached both ways an official reaches it: in Chinese at its address, a page
    load and a session of its own (a bookmark, a link in a brief); in English from the page
    before by the sidebar, in one tab and one session (`Tour`)."""
    shot = tmp_path / f"{url_path or 'overview'}_{lang}.png"
    if lang == "zh":
        with screenshot_on_failure(page, shot):
            open_page(page, f"{app_url}/{url_path}?lang={lang}")
            title = check_desk_page(page, url_path, lang)
    else:
        with desk_tour.visit(url_path, lang, shot) as tab:
            title = check_desk_page(tab, url_path, lang)

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


def check_desk_page(page, url_path: str, lang: str) -> str:
    """test_page_renders' checks of the page a laptop tab shows; its title."""
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

    assert page.locator(NAV_LINK).count() == len(PAGES)
    cut = page.evaluate(CUT_TEXT, NAV_LINK)
    assert not cut, f"navigation labels cut: {cut}"
    cut = page.evaluate(CUT_TEXT, KPI_TEXT)
    assert not cut, f"KPI labels or values cut on /{url_path}?lang={lang}: {cut}"

    if url_path == "leaders_walk":
        values = [v.strip() for v in page.locator(METRIC_VALUE).all_inner_texts()]
        expected = ["4023" if lang == "zh" else "4,023", "639", "488", "76.4%"]
        for number in expected:
            assert any(number in value for value in values), (
                f"{number!r} not among the metric values {values}")
    return title


def test_a_department_group_draws_its_departments_when_opened(page, app_url: str,
                                                               tmp_path: Path) -> None:
    """A closed department group sends no checkbox; a click opens it (a rerun draws them), a
    tick filters the page and names the department in the link, and the group stays open when
    the tick is taken back, though its title (which counts the chosen) changes each time."""
    sidebar = page.locator('[data-testid="stSidebar"]')
    group = sidebar.locator('[data-testid="stExpander"]').filter(has_text="区县（8）")
    department = sidebar.locator('[data-testid="stCheckbox"]').filter(has_text="芦淞区人民政府")
    with screenshot_on_failure(page, tmp_path / "department_group.png"):
        open_page(page, f"{app_url}/")
        everywhere = page.locator(PROGRAM_CARD).count()
        assert sidebar.locator('[data-testid="stCheckbox"]').count() == 0
        group.locator("summary").click()
        department.locator("label").click()  # waits for the rerun that draws it
        # The settled check alone could pass before the click's rerun began: wait for what
        # the rerun changes first.
        page.wait_for_url(lambda url: "dept=lusong_gov" in url)
        group.locator("summary").filter(has_text="已选1个").wait_for()
        wait_until_settled(page)
        assert 0 < page.locator(PROGRAM_CARD).count() < everywhere
        department.locator("label").click()
        page.wait_for_url(lambda url: "dept=" not in url)
        group.locator("summary").filter(has_text="已选").wait_for(state="detached")
        wait_until_settled(page)
        assert department.is_visible() and not department.locator("input").is_checked()
        assert page.locator(PROGRAM_CARD).count() == everywhere
        assert not error_texts(page)


def test_overview_department_filter(page, app_url: str, tmp_path: Path) -> None:
    """`?dept=` narrows the overview; an unknown department is reported, not an exception.

    Each URL is a page load of its own, so a session of its own: the app reads the URL into the
    filters once per session.
    """
    cards: dict[str, int] = {}
    for name, query in [("all", "lang=en"), ("zz_cdc", "lang=en&dept=zz_cdc"),
                        ("nonexistent", "lang=en&dept=nonexistent")]:
        with screenshot_on_failure(page, tmp_path / f"overview_{name}.png"):
            open_page(page, f"{app_url}/?{query}")
            assert not error_texts(page), f"?{query}: " + "\n---\n".join(error_texts(page))
            assert page.locator(TITLE).first.inner_text().strip() == "Overview"
            cards[name] = page.locator(PROGRAM_CARD).count()
            warnings = page.locator(WARNING_ALERT)
            if name == "nonexistent":
                notice = warnings.filter(has_text="nonexistent")
                assert notice.count() == 1, ("no warning about the unknown department among "
                                             f"{warnings.all_inner_texts()}")
                assert notice.first.is_visible()
            else:
                assert warnings.count() == 0, f"?{query}: {warnings.all_inner_texts()}"

    assert cards["all"] > 0
    assert 0 < cards["zz_cdc"] < cards["all"], cards
    # The unknown department is ignored, so the overview shows every program.
    assert cards["nonexistent"] == cards["all"], cards


def open_options(page, box):
    """The options of the select box whose text box is `box`, its list opened (clicked again
    if a rerun closed it before it showed)."""
    options = page.get_by_role("option")
    for _ in range(3):
        box.click()
        try:
            options.first.wait_for(timeout=5_000)
            break
        except Exception:  # noqa: BLE001 - the list closed under a rerun: open it again
            wait_until_settled(page)
    return options


def sidebar_input(page, label: str):
    """The text box of the sidebar's select box labelled `label`: a choice's name, or empty
    under the All placeholder."""
    return page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(
        has_text=label).first.locator("input")


def test_clear_filters_clears_the_district_in_the_browser_too(page, app_url: str,
                                                               tmp_path: Path) -> None:
    """After "Clear filters" the district box shows All, and the next change elsewhere does not
    send the old district back."""
    from playwright.sync_api import expect

    district = sidebar_input(page, "District")
    with screenshot_on_failure(page, tmp_path / "cleared.png"):
        open_page(page, f"{app_url}/?lang=en&district=lusong")
        expect(district).to_have_value("Lusong District")
        page.get_by_role("button", name="Clear filters").click()
        expect(district).to_have_value("", timeout=20_000)
        wait_until_settled(page)  # a click during the rerun may land on a box being replaced
        open_options(page, sidebar_input(page, "Program category")).first.click()
        wait_until_settled(page)
        expect(sidebar_input(page, "Program category")).not_to_have_value("")
        expect(district).to_have_value("")
        assert "district=" not in page.url


def test_the_date_picker_opens_on_the_data_not_today(page, app_url: str, tmp_path: Path) -> None:
    """The "from" calendar shows a month the data refers to (2017 to early 2024), whatever
    today's date is."""
    with screenshot_on_failure(page, tmp_path / "date_picker.png"):
        open_page(page, f"{app_url}/?lang=en")
        button = page.locator('[data-testid="stDateInputCalendarButton"]').first
        button.scroll_into_view_if_needed()
        button.click()
        heading = page.get_by_role("dialog").filter(has_text="Choose date").first
        heading.wait_for()
        years = {int(y) for y in re.findall(r"\b(20\d\d)\b", heading.inner_text())}
        assert years and years <= set(range(2017, 2025)), heading.inner_text()[:200]


def test_a_tab_loads_the_chart_library_first_and_once(browser, app_url: str,
                                                      tmp_path: Path) -> None:
    """The page's first element asks for Streamlit's Plotly bundle (app_pages/first_paint.py),
    on a page without a chart too; the charts of the page opened next and of a rerun use that
    module: the tab fetches it once. A second fetch would mean another name than the one
    Streamlit's chart imports, and so the library twice."""
    from playwright.sync_api import expect

    bundle = first_paint.plotly_bundle()
    assert bundle, "no PlotlyChart bundle in this Streamlit's static files"
    # Its own HTTP cache, so every fetch is seen; and the pages moving as they do by default,
    # as nowhere else in these cases (browsing.browser_context).
    with browser_context(browser, reduced_motion="no-preference") as fresh:
        tab = fresh.new_page()
        fetched: list[str] = []
        tab.on("request", lambda request: fetched.append(request.url))
        with screenshot_on_failure(tab, tmp_path / "chart_library.png"):
            open_page(tab, f"{app_url}/sources?lang=en")
            assert tab.locator(PLOTLY).count() == 0  # PAGES: the sources page has no chart
            assert [u for u in fetched if "/PlotlyChart." in u] == [
                f"{app_url}/static/js/{bundle}"]
            tab.locator(NAV_LINK).first.click()  # the overview, in the same tab
            # Settled alone may still be the sources page, before the click's rerun starts.
            expect(tab.locator(TITLE).first).to_have_text("Overview", timeout=PAGE_TIMEOUT_MS)
            wait_until_settled(tab)
            assert all(state["marks"] for state in wait_for_charts(tab))
            tab.get_by_text("中文", exact=True).click()  # a rerun in the other language
            expect(tab.locator(TITLE).first).to_have_text("总览", timeout=20_000)
            wait_until_settled(tab)
            assert all(state["marks"] for state in wait_for_charts(tab))
            assert len([u for u in fetched if "/PlotlyChart." in u]) == 1, fetched


def test_markdown_in_data_and_links_is_never_live(context, tmp_path: Path) -> None:
    """Data and a link holding Markdown: no live link, no external image fetched, the text
    shown as written."""
    data = write_hostile_data(Path(shutil.copytree(DATA, tmp_path / "data")))
    link = "[会话已过期，请重新登录](https://evil.example/login)"
    fetched: list[str] = []
    env = {**os.environ, DATA_DIR_ENV: str(data),
           database.URL_ENV: f"sqlite:///{tmp_path / 'store.sqlite3'}"}
    with started(StreamlitServer(tmp_path / "server.log", env)) as server:
        tab = context.new_page()  # each page load a session of its own, read from its URL
        tab.on("request", lambda request: fetched.append(request.url)
               if urllib.parse.urlsplit(request.url).hostname == "evil.example" else None)
        for path in ["?dept=" + urllib.parse.quote(link), "leaders_walk?dept=zz_admin_approval",
                     "community", "flu", "sources"]:
            try:
                open_page(tab, f"{server.url}/{path}")
                assert not error_texts(tab), error_texts(tab)
                live = tab.locator('a[href*="evil.example"], img[src*="evil.example"]')
                assert 0 == live.count(), f"{path}: " + " | ".join(
                    live.nth(n).evaluate("e => e.outerHTML.slice(0, 300) + ' IN ' + "
                                         "(e.closest('[data-testid]')||{}).dataset?.testid")
                    for n in range(live.count()))
                main = tab.locator(MAIN).inner_text().replace("\u2060", "")  # invisible
                if path.startswith("?"):
                    notice = tab.locator(WARNING_ALERT).first.inner_text().replace("\u2060", "")
                    assert link[:39] + "…" in notice
                elif not path.startswith("sources"):  # whose tables draw on a canvas
                    assert "**粗体**" in main, f"{path}: the data's text is not shown as written"
            except BaseException:
                screenshot(tab, tmp_path / f"hostile_{path.split('?')[0] or 'overview'}.png")
                raise
        tab.close()
    assert [] == fetched


# --------------------------------------------------------------------------- phones

PHONE = {"width": 390, "height": 844}

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


# Every chart's drawing no wider than its container, the same in two checks 100 ms apart.
FITTED = """(sel) => {
    const sizes = [...document.querySelectorAll(sel)].map(chart => {
        const svg = chart.querySelector('.js-plotly-plot svg.main-svg');
        return svg ? [svg.getBoundingClientRect().width, chart.getBoundingClientRect().width]
                   : null;
    });
    const key = JSON.stringify(sizes);
    if (sizes.some(s => !s || s[0] > s[1] + 1) || key !== window.__civicFitted) {
        window.__civicFitted = key;
        window.__civicFittedAt = performance.now();
        return false;
    }
    return performance.now() - window.__civicFittedAt > 100;
}"""


def wait_until_fitted(page) -> None:
    """Until Plotly has fitted each chart to its container, which it does after drawing it
    (or the wait ends: the checks that follow then say what does not fit)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(FITTED, arg=PLOTLY, timeout=10_000, polling=50)
    except PlaywrightTimeout:
        pass


def _overlap(a: dict, b: dict) -> bool:
    return a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] \
        and b["top"] < a["bottom"]


@pytest.fixture(scope="module")
def phone(browser, app_url: str):
    """A context the size of a phone (390 × 844 CSS pixels), as officials use on the move."""
    with browser_context(browser, viewport=PHONE, is_mobile=True, has_touch=True,
                         device_scale_factor=2) as shared:
        yield shared


@pytest.fixture(scope="module")
def kept_phone(phone) -> KeptTab:
    return KeptTab(phone, PHONE)


@pytest.fixture(scope="module")
def phone_tour(phone, app_url: str) -> Tour:
    """Phone tabs that move from page to page by the sidebar, opened and folded for each move."""
    return Tour(phone, app_url)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("url_path", list(PAGES), ids=[p or "overview" for p in PAGES])
def test_charts_read_on_a_phone(phone_tour: Tour, url_path: str, lang: str,
                                tmp_path: Path) -> None:
    """At 390 px every chart's text lies inside its chart (nothing cut at an edge), no text
    lies under the mode bar, every KPI value shows whole, and the page does not scroll
    sideways. The pages are visited by the sidebar, folded away again after each move."""
    with phone_tour.visit(url_path, lang, tmp_path / f"{url_path or 'overview'}_{lang}_phone.png") \
            as tab:
        assert not error_texts(tab), "\n---\n".join(error_texts(tab))
        states = wait_for_charts(tab)
        assert all(s.get("marks") for s in states), states
        wait_until_fitted(tab)
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


# --------------------------------------------------------------------------- the first screen

DESK = {"width": 1400, "height": 1000}
# The text of every element of the main area that lies within the window (the first screen).
FIRST_SCREEN = """(sel) => {
    const walker = document.createTreeWalker(document.querySelector(sel), NodeFilter.SHOW_TEXT);
    const seen = [];
    const range = document.createRange();
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (!node.textContent.trim()) continue;
        range.selectNodeContents(node);
        const box = range.getBoundingClientRect();
        if (box.width && box.height && box.top >= 0 && box.bottom <= window.innerHeight)
            seen.push(node.textContent);
    }
    return seen.join('\\n');
}"""
SAYS = {
    "zh": {"status": "未设目标", "trend": "仅一次报告", "rate": "问题解决率", "computed": "按2023-11-15",
           "counts": ["报道数据", "来源报道"]},
    "en": {"status": "No target", "trend": "One report", "rate": "Solution rate",
           "computed": "Computed for 2023-11-15",
           "counts": ["Reported figures", "Source articles"]},
}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("size", [DESK, PHONE], ids=["desk", "phone"])
def test_the_first_screen_says_what_needs_attention(kept: KeptTab, kept_phone: KeptTab,
                                                    app_url: str, lang: str, size: dict,
                                                    tmp_path: Path) -> None:
    """At 1400 × 1000 and at 390 × 844, in both languages, the overview's first screen shows the
    critical indicators' status and trend in words and the 走流程 solve rate with the date it is
    computed for; the counts about the data (报道数据, 来源报道) are not on the overview at all;
    no label or value is cut."""
    keeper = kept_phone if size is PHONE else kept
    with keeper.lent(viewport=size) as tab:
        with screenshot_on_failure(tab, tmp_path / f"first_screen_{lang}_{size['width']}.png"):
            open_page(tab, f"{app_url}/?lang={lang}")
            assert not error_texts(tab), "\n---\n".join(error_texts(tab))
            seen = tab.evaluate(FIRST_SCREEN, MAIN)
            said = SAYS[lang]
            for key in ("status", "trend", "rate", "computed"):
                assert said[key] in seen, f"{said[key]!r} not on the first screen: {seen!r}"
            assert "76.4%" in seen, seen
            whole = tab.locator(MAIN).inner_text()
            assert not any(count in whole for count in said["counts"]), whole
            cut = tab.evaluate(CUT_TEXT, f'{MAIN} [data-testid="stMetricValue"], '
                                         f'{MAIN} [data-testid="stMarkdownContainer"]')
            assert not cut, f"cut on the first screen: {cut}"
