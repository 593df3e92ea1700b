"""The subscriptions page (AppTest), in both languages: reached only when signed in; an editor
subscribes the current view to their e-mail or a group bot and ends it, audited; an
administrator sees every subscription and the deliveries, failures included."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from conftest import PASSWORD, prepared
from servers import free_port
from streamlit.testing.v1 import AppTest
from test_app import APP

from civic import accounts, channels, database, delivery, reads, subscriptions
from civic.accounts import Account
from civic.catalog import Catalog
from civic.i18n import t
from civic.schedule import BEIJING


@pytest.fixture
def filled_store(new_store, data_dir, tmp_path, monkeypatch):
    """The dashboard's store in this test, with the editor wang (with an e-mail) and the admin
    root; one group bot configured through the environment."""
    monkeypatch.setenv("CIVIC_SECRETS", str(tmp_path / "no-secrets.toml"))
    monkeypatch.setenv("CIVIC_WEBHOOK_TEAM_URL", "https://qyapi.weixin.qq.com/cgi-bin/webhook/"
                                                 "send?key=k")
    with prepared(new_store, data_dir) as found:
        accounts.add(found, "wang", PASSWORD, "editor", ["zz_civil_affairs"],
                     email="wang@example.org", who="cli:test")
        accounts.add(found, "root", PASSWORD, "admin", who="cli:test")
        yield found


def table(at: AppTest, column_key: str, lang: str):
    """The page's table that has this column (subscriptions: schedule, deliveries: status)."""
    header = t(f"subscribe.col.{column_key}", lang)
    found = [frame.value for frame in at.dataframe if header in frame.value.columns]
    return found[0] if found else None


def shown(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def page(account: Account, lang: str, **query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"lang": lang, **query})
    at.session_state["account"] = account
    at.run()
    at.switch_page("app_pages/subscriptions.py").run()
    assert [] == [e.value for e in at.exception]
    return at


WANG = Account("wang", "editor", ("zz_civil_affairs",), "wang@example.org")
ROOT = Account("root", "admin")


@pytest.mark.parametrize("lang, title, me, bot, added, removed", [
    ("zh", "订阅与推送", "我的邮箱", "群机器人：team（企业微信）", "已订阅 #1：每周五 17:30（北京时间）。",
     "已退订 #1。"),
    ("en", "Subscriptions", "My e-mail", "Group bot: team (WeCom)",
     "Subscribed #1: every Friday at 17:30 (Beijing time).", "Ended #1."),
])
def test_an_editor_subscribes_the_current_view_and_ends_it(filled_store, lang, title, me, bot, added,
                                                           removed):
    at = page(WANG, lang, dept="zz_civil_affairs")
    assert title == at.title[0].value
    assert [f"{mine}（wang@example.org）" if lang == "zh" else f"{mine} (wang@example.org)"
            for mine in [me]] + [bot] == at.selectbox(key="sub_to").options
    at.selectbox(key="sub_document").set_value("xlsx")
    at.selectbox(key="sub_every").set_value("weekly").run()
    at.selectbox(key="sub_weekday").set_value("FRI")
    at.time_input(key="sub_at").set_value(dt.time(17, 30))
    at.text_input(key="sub_why").input("weekly figures")
    at.button(key="sub_add").click().run()
    assert [added] == [s.value for s in at.success]
    (made,) = subscriptions.listed(filled_store)
    assert (f"lang={lang}&dept=zz_civil_affairs", "xlsx", "weekly:FRI", "17:30", "wang",
            "account:wang") == (made.view, made.document, made.every, made.at, made.owner,
                                made.recipient)
    listed = table(at, "schedule", lang)
    assert [1] == list(listed.iloc[:, 0]) and "account:wang" in listed.iloc[0].tolist()

    at.selectbox(key="sub_remove_id").set_value(1).run()
    at.text_input(key="sub_remove_why").input("moved")
    at.button(key="sub_remove").click().run()
    assert [] == subscriptions.listed(filled_store)
    assert [removed] == [s.value for s in at.success]
    trail = reads.history(filled_store, table="subscriptions")
    assert [("insert", "wang", "weekly figures"), ("delete", "wang", "moved")] == list(
        trail[["action", "who", "why"]].itertuples(index=False, name=None))


def test_a_group_bot_receives_the_digest_only(filled_store):
    at = page(WANG, "en")
    at.selectbox(key="sub_to").set_value("bot:team").run()
    assert ["Indicator digest"] == at.selectbox(key="sub_document").options
    at.button(key="sub_add").click().run()
    (made,) = subscriptions.listed(filled_store)
    assert ("webhook:team", "digest", "lang=en") == (made.recipient, made.document, made.view)


def test_an_editor_sees_their_own_and_an_admin_sees_all_with_the_failures(filled_store):
    catalog = Catalog.read(filled_store)
    subscriptions.add(filled_store, catalog, view="dept=zz_cdc", document="digest", every="daily",
                      at="08:00", who="cli:ops", email="other@example.org")
    subscriptions.add(filled_store, catalog, view="dept=zz_civil_affairs", document="digest",
                      every="daily", at="08:00", who="wang", account="wang")
    config = channels.Config(smtp_url=f"smtp://127.0.0.1:{free_port()}")
    delivery.deliver(filled_store, dt.datetime(2026, 12, 7, 8, 0, tzinfo=BEIJING), settings=config)

    mine = page(WANG, "zh")
    assert [2] == list(table(mine, "schedule", "zh").iloc[:, 0])
    assert 1 == len(table(mine, "status", "zh"))
    for lang, failed in (("zh", "失败，待重试"), ("en", "failed, to retry")):
        at = page(ROOT, lang)
        assert [1, 2] == list(table(at, "schedule", lang).iloc[:, 0])
        log = table(at, "status", lang)
        assert 2 == len(log) and {failed} == set(log.iloc[:, 5])
        assert "Connection refused" in log.iloc[0, 9]
        assert at.warning[0].value.startswith("有 2 条推送失败" if lang == "zh"
                                              else "2 deliveries failed")
        assert at.selectbox(key="sub_to").options[-1] in ("其他邮箱地址", "Another e-mail address")


def test_an_admin_subscribes_another_address_and_a_bad_one_is_refused(filled_store):
    at = page(ROOT, "en", dept="zz_cdc")
    at.selectbox(key="sub_to").set_value("address").run()
    at.text_input(key="sub_address").input("not an address")
    at.button(key="sub_add").click().run()
    assert "is not an e-mail address" in shown(at.error[0].value)
    assert [] == subscriptions.listed(filled_store)
    at.text_input(key="sub_address").input("cdc-office@example.org")
    at.selectbox(key="sub_every").set_value("monthly").run()
    at.number_input(key="sub_day").set_value(1)
    at.checkbox(key="sub_alerts").uncheck()
    at.button(key="sub_add").click().run()
    (made,) = subscriptions.listed(filled_store)
    assert ("cdc-office@example.org", "monthly:1", False, "root") == (
        made.email, made.every, made.alerts, made.owner)


def test_the_page_stops_a_session_that_is_not_signed_in(new_store):
    at = AppTest.from_file(str(database.ROOT / "app_pages" / "subscriptions.py"),
                           default_timeout=60)
    at.run()
    assert "请先登录" in at.error[0].value and not at.button
