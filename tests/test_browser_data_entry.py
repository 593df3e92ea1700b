"""End-to-end data entry in the system Chromium: sign in with a password, upload a CSV citing an
existing report, see it previewed, save it, find the new figure on its program's page, undo the
batch on the History page, and find the figure gone.

The dashboard runs under `streamlit run` on a fresh SQLite store of the test's own, with an
editor account made before the server starts. Needs Debian's Chromium (skipped without it, a
failure under CI).
"""

from __future__ import annotations

import os
import re
from typing import Iterator

import pytest
from browsing import (
    MAIN,
    browser_context,
    error_texts,
    open_page,
    screenshot,
    wait_until_settled,
)
from conftest import DATA, PASSWORD, add_editor, prepared, read_yaml, started
from servers import StreamlitServer

from civic import database, reads

pytestmark = pytest.mark.browser

SIDEBAR = '[data-testid="stSidebar"]'
NAV_LINK = '[data-testid="stSidebarNavLink"]'
SOURCE = "zzrb_20231115_walk"
# One new figure, written for this test: the walk's running total of experiences to the end of
# the report's month (a month may be the report's own, so far), continuing the series since 2021.
UPLOAD = ("program,metric,reported,period,department,group_zh,group_en,locator,note\n"
          "leaders_walk,experiences,7777人次,2021/2023-11,zz_admin_approval,,,测试体验7777人次,\n")
NEW_VALUE = re.compile(r"7,?777")


@pytest.fixture(scope="module")
def store_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('entry') / 'civic.sqlite3'}"
    with prepared(url) as engine:
        add_editor(engine, ("zz_admin_approval",))
    return url


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory, store_url: str) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("entry-server")
    with started(StreamlitServer(folder / "server.log",
                                 env={**os.environ, "CIVIC_DATABASE_URL": store_url})) as server:
        yield server.url


@pytest.fixture
def page(browser, app_url: str):
    with browser_context(browser, locale="zh-CN") as context:
        yield context.new_page()


def go_to(page, title: str) -> None:
    """Follow the sidebar's link: the session, and so the sign-in, stays."""
    page.locator(NAV_LINK).filter(has_text=title).first.click()
    page.locator(MAIN).get_by_role("heading", name=title).first.wait_for()
    wait_until_settled(page)


def pick(page, label: str, option: str) -> None:
    """Choose `option` in the select box labelled `label`."""
    name = page.locator('[data-testid="stWidgetLabel"]', has_text=re.compile(f"^{label}$"))
    box = page.locator('[data-testid="stSelectbox"]').filter(has=name).locator("input")
    box.click()
    box.fill(option)  # the list narrows to the one option
    page.get_by_role("option").filter(has_text=option).first.click()
    wait_until_settled(page)


def main_text(page) -> str:
    return page.locator(MAIN).inner_text()


def figure_changes(url: str) -> int:
    engine = database.connect(url)
    try:
        return len(reads.history(engine, table="figures"))
    finally:
        engine.dispose()


def source_title() -> str:
    sources = read_yaml(DATA / "sources.yaml")["sources"]
    return next(s["title"] for s in sources if s["id"] == SOURCE)


def test_upload_preview_save_show_and_undo(page, app_url, store_url, tmp_path):
    csv = tmp_path / "walk-2024.csv"
    csv.write_text(UPLOAD, encoding="utf-8")
    seeded = figure_changes(store_url)
    try:
        open_page(page, app_url)
        sidebar = page.locator(SIDEBAR)
        sidebar.get_by_label("账户名").fill("wang")
        sidebar.get_by_label("密码", exact=True).fill(PASSWORD)
        sidebar.get_by_role("button", name="登录", exact=True).click()
        page.get_by_text("已登录：wang（录入员）").wait_for()
        wait_until_settled(page)

        go_to(page, "一把手走流程")
        assert not NEW_VALUE.search(main_text(page))

        go_to(page, "数据录入")
        pick(page, "选择报道", source_title())
        # The figures upload comes first; the report's text has an uploader of its own below.
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(
            str(csv))
        page.get_by_text("预览：1 行可以保存").wait_for()
        wait_until_settled(page)
        assert [] == error_texts(page)
        assert seeded == figure_changes(store_url)  # nothing written before Save

        page.locator(MAIN).get_by_role("button", name="保存", exact=True).click()
        saved = page.get_by_text(re.compile("已保存：批次"))
        saved.wait_for()
        batch = re.search(r"批次 (\S+?)；", saved.inner_text()).group(1)
        assert "新增 1 条" in saved.inner_text()
        assert seeded + 1 == figure_changes(store_url)

        go_to(page, "一把手走流程")
        page.locator(MAIN).get_by_text(NEW_VALUE).first.wait_for()

        go_to(page, "变更记录")
        pick(page, "批次", batch)
        page.locator(MAIN).get_by_role("button", name="撤销此批次").click()
        page.get_by_text(re.compile("已撤销：新批次")).wait_for()
        wait_until_settled(page)

        go_to(page, "一把手走流程")
        assert not NEW_VALUE.search(main_text(page))
        assert [] == error_texts(page)
    except BaseException:
        screenshot(page, tmp_path / "data-entry-failed.png")
        raise
