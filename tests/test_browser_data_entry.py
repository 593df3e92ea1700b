"""End-to-end data entry and review in the system Chromium: an editor signs in with a password,
uploads a CSV citing an existing report, sees it previewed and submits it for review (nothing on
the dashboard yet); an approver of another department finds nothing to approve and signs out;
on the same browser, an approver of the editor's department signs in, sees the KPI before →
after and approves it, and the new figure shows on its program's page; the approver undoes the
batch on the History page after confirming, and the figure is gone.

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
    NAV_LINK,
    browser_context,
    error_texts,
    open_page,
    screenshot,
    wait_until_settled,
)
from conftest import DATA, PASSWORD, add_editor, prepared, read_yaml, started
from servers import StreamlitServer

from civic import accounts, database, reads

pytestmark = pytest.mark.browser

SIDEBAR = '[data-testid="stSidebar"]'
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
        accounts.add(engine, "wu", PASSWORD, "approver", ["zz_admin_approval"], who="cli:test")
        accounts.add(engine, "chen", PASSWORD, "approver", ["zz_cdc"], who="cli:test")
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


def sign_in(page, name: str, role: str) -> None:
    sidebar = page.locator(SIDEBAR)
    sidebar.get_by_label("账户名").fill(name)
    sidebar.get_by_label("密码", exact=True).fill(PASSWORD)
    sidebar.get_by_role("button", name="登录", exact=True).click()
    page.get_by_text(f"已登录：{name}（{role}）").wait_for()
    wait_until_settled(page)


def sign_out(page) -> None:
    """Sign out on a page for accounts, which then asks to sign in."""
    page.locator(SIDEBAR).get_by_role("button", name="退出登录").click()
    page.locator(SIDEBAR).get_by_label("账户名").wait_for()
    page.locator(MAIN).get_by_text("请先登录").wait_for()
    assert "已登录" not in page.locator(SIDEBAR).inner_text()


def test_upload_submit_review_publish_show_and_undo(browser, page, app_url, store_url,
                                                     tmp_path):
    csv = tmp_path / "walk-2024.csv"
    csv.write_text(UPLOAD, encoding="utf-8")
    seeded = figure_changes(store_url)
    shown = page
    try:
        open_page(page, app_url)
        sign_in(page, "wang", "录入员")
        go_to(page, "一把手走流程")
        assert not NEW_VALUE.search(main_text(page))

        go_to(page, "数据录入")
        pick(page, "选择报道", source_title())
        # The figures upload comes first; the report's text has an uploader of its own below.
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(
            str(csv))
        page.get_by_text("预览：1 行可以提交").wait_for()
        wait_until_settled(page)
        assert [] == error_texts(page)
        assert seeded == figure_changes(store_url)  # nothing written before it is submitted

        page.locator(MAIN).get_by_role("button", name="提交审核", exact=True).click()
        page.get_by_text(re.compile("已提交审核：1 项变更")).wait_for()
        assert seeded == figure_changes(store_url)  # nothing published before review
        go_to(page, "一把手走流程")
        assert not NEW_VALUE.search(main_text(page))

        # An approver of another department finds nothing to approve and signs out; on the
        # same browser, an approver of the editor's department then finds the submission.
        with browser_context(browser, locale="zh-CN") as context:
            shown = approver = context.new_page()
            open_page(approver, app_url)
            sign_in(approver, "chen", "审核人")
            go_to(approver, "审核")
            approver.get_by_text("没有待您审核的提交。").wait_for()
            assert not approver.locator(MAIN).get_by_role("button", name="通过并发布").count()
            sign_out(approver)

            sign_in(approver, "wu", "审核人")
            go_to(approver, "审核")
            approver.get_by_text("发布前 → 发布后的指标").wait_for()
            text = main_text(approver)
            assert "walk-2024.csv" in text and "wang" in text and NEW_VALUE.search(text)
            assert "4,023" in text or "4023" in text  # the KPI before, beside the one after
            approver.locator(MAIN).get_by_role("button", name="通过并发布").click()
            approver.get_by_text(re.compile("已发布：wang 提交的")).wait_for()
            assert seeded + 1 == figure_changes(store_url)

            go_to(approver, "一把手走流程")
            approver.locator(MAIN).get_by_text(NEW_VALUE).first.wait_for()

            go_to(approver, "变更记录")
            pick(approver, "批次", "approved by wu")
            approver.locator(MAIN).get_by_role("button", name="撤销此批次").click()
            approver.get_by_text(re.compile("撤销将改动 1 条记录")).wait_for()
            assert seeded + 1 == figure_changes(store_url)  # not before the confirmation
            approver.locator(MAIN).get_by_role("button", name="确认撤销").click()
            approver.get_by_text(re.compile("已撤销：新批次")).wait_for()
            wait_until_settled(approver)
        shown = page

        go_to(page, "一把手走流程")  # the editor's session reads the published store
        page.reload()
        wait_until_settled(page)
        assert not NEW_VALUE.search(main_text(page))
        assert [] == error_texts(page)
    except BaseException:
        screenshot(shown, tmp_path / "data-entry-failed.png")
        raise
