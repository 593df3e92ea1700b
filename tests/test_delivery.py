"""`civic deliver` against real servers: an SMTP server (aiosmtpd) and a local HTTP server for
the WeCom and DingTalk group bots. Messages in each subscriber's language, the document
attached, the DingTalk signature verified by the server, nothing sent twice (a rerun, two runs
at once), a refused connection retried later and recorded with nothing else lost, and alerts
raised once per indicator and report, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import threading
from dataclasses import asdict

import openpyxl
import pytest
from conftest import DATA, PASSWORD, prepared, write_hostile_data
from delivery_servers import BotServer, SmtpServer, self_signed
from servers import free_port
from sqlalchemy import func, select
from test_intake import HEADER, csv_bytes

from civic import accounts, alerts, channels, delivery, digest, documents, store, subscriptions
from civic.catalog import Catalog
from civic.channels import Config, Webhook
from civic.cli import main
from civic.filters import Filters
from civic.loading import Origin
from civic.models import Cadence, LocalText, Source, Target
from civic.schedule import BEIJING, Schedule
from civic.schema import alert_state, deliveries
from civic.view import View

PUBLIC = "https://civic.example/"


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=BEIJING)


@pytest.fixture
def bots():
    with BotServer() as server:
        yield server


def settings(smtp_url: str | None, bots: BotServer | None = None, **more) -> Config:
    hooks = {}
    if bots is not None:
        hooks = {"team": Webhook("team", "wecom", f"{bots.base}/wecom/send?key=k-123"),
                 "leaders": Webhook("leaders", "dingtalk",
                                    f"{bots.base}/dingtalk/robot/send?access_token=t-456",
                                    bots.secret)}
    return Config(smtp_url=smtp_url, mail_from="civic@zhuzhou.example", public_url=PUBLIC,
                  webhooks=hooks, **more)


def subscribe(filled_store, config: Config, **chosen) -> subscriptions.Subscription:
    chosen = {"document": "digest", "every": "daily", "at": "08:00", **chosen}
    return subscriptions.add(filled_store, Catalog.read(filled_store), who="cli:test",
                             webhooks=config.webhooks, **chosen)


def deliver(filled_store, when: str, config: Config, **options) -> delivery.Run:
    return delivery.deliver(filled_store, at(when), settings=config, **options)


def logged(filled_store) -> list[tuple]:
    frame = delivery.log(filled_store).sort_values("id")
    return list(frame[["recipient", "status", "attempts"]].itertuples(index=False, name=None))


def body(received) -> str:
    return received.message.get_body(("plain",)).get_content()


def by_recipient(inbox) -> dict:
    return {r.recipients[0]: r for r in inbox}


def test_a_run_sends_each_subscriber_its_view_in_its_language_once(filled_store, bots):
    with SmtpServer(free_port()) as smtp:
        config = settings(smtp.url(), bots)
        subscribe(filled_store, config, email="A@Example.org", view="dept=zz_civil_affairs",
                  document="xlsx", lang="zh")
        subscribe(filled_store, config, email="b@example.org", view="?lang=en&dept=zz_admin_approval")
        subscribe(filled_store, config, webhook="team", view="dept=zz_admin_approval")
        subscribe(filled_store, config, webhook="leaders", view="dept=zz_admin_approval", lang="en")
        run = deliver(filled_store, "2026-12-07T08:00", config)
        assert ["sent"] * 4 == [o.status for o in run.outcomes], run.outcomes

        mails = by_recipient(smtp.inbox)
        assert {"a@example.org", "b@example.org"} == set(mails)
        zh = mails["a@example.org"]
        assert zh.sender == "civic@zhuzhou.example"
        assert zh.message["Subject"] == ("株洲市民生项目指标看板 · 数据表（XLSX） · 2026年12月7日 · "
                                         "部门：株洲市民政局（含下属单位）")
        text = body(zh)
        assert "重点指标" in text and "接回受助人员：3人（2023-11-11）" in text
        assert f"在看板中打开：{PUBLIC}?lang=zh&dept=zz_civil_affairs" in text
        (attachment,) = list(zh.message.iter_attachments())
        assert attachment.get_filename().startswith("civic-xlsx_zh_zz_civil_affairs_")
        assert attachment.get_filename().endswith(".xlsx")
        sheet = openpyxl.load_workbook(io.BytesIO(attachment.get_content())).worksheets[0]
        assert sheet.max_row > 1
        en = body(mails["b@example.org"])
        assert "Headline indicators" in en
        assert "Service experiences: 4,023 person-times (2021–2023-11-15)" in en
        assert not list(mails["b@example.org"].message.iter_attachments())

        wecom, dingtalk = sorted(bots.posts, key=lambda p: p.path, reverse=True)
        assert ("/wecom/send", {"key": "k-123"}) == (wecom.path, wecom.query)
        content = wecom.body["markdown"]["content"]
        assert "markdown" == wecom.body["msgtype"]
        assert "- **“一把手走流程” · 全流程体验**：4023人次（2021–2023-11-15）" in content
        assert f"[在看板中打开]({PUBLIC}?lang=zh&dept=zz_admin_approval)" in content
        assert dingtalk.signed is True and dingtalk.query["access_token"] == "t-456"
        assert "Department heads walk the process" in dingtalk.body["markdown"]["text"]
        assert dingtalk.body["markdown"]["title"].startswith("Zhuzhou public programs dashboard")

        again = deliver(filled_store, "2026-12-07T08:00", config)
        later = deliver(filled_store, "2026-12-07T09:30", config)  # the same day's slot, already sent
        assert ([], [], [], []) == (again.planned, again.outcomes, later.planned, later.outcomes)
        assert (2, 2) == (len(smtp.inbox), len(bots.posts))
        assert [("a@example.org", "sent", 1), ("b@example.org", "sent", 1),
                ("webhook:team", "sent", 1), ("webhook:leaders", "sent", 1)] == logged(filled_store)
        assert 4 == len(deliver(filled_store, "2026-12-08T08:00", config).outcomes)  # the next day's


def test_a_refused_connection_is_retried_later_and_nothing_else_is_lost(filled_store, bots):
    port = free_port()
    config = settings(f"smtp://127.0.0.1:{port}", bots)
    subscribe(filled_store, config, email="a@example.org", view="dept=zz_civil_affairs")
    subscribe(filled_store, config, webhook="team", view="dept=zz_civil_affairs")
    first = deliver(filled_store, "2026-12-07T08:00", config)
    failed, sent = sorted(first.outcomes, key=lambda o: o.channel)
    assert ("failed", 1, "sent") == (failed.status, failed.attempts, sent.status)
    assert "Connection refused" in failed.said
    assert failed.next_attempt == at("2026-12-07T08:05")
    assert 1 == len(bots.posts)
    assert [] == deliver(filled_store, "2026-12-07T08:03", config).outcomes  # not due yet
    with SmtpServer(port) as smtp:
        retried = deliver(filled_store, "2026-12-07T08:06", config)
        assert [("sent", 2)] == [(o.status, o.attempts) for o in retried.outcomes]
        assert 1 == len(smtp.inbox) and "接回受助人员" in body(smtp.inbox[0])
        assert [] == deliver(filled_store, "2026-12-07T08:30", config).outcomes
    assert 1 == len(bots.posts)
    frame = delivery.log(filled_store).set_index("recipient")
    assert ("sent", 2) == tuple(frame.loc["a@example.org", ["status", "attempts"]])
    assert "Connection refused" in frame.loc["a@example.org", "error"]  # kept on record


def test_two_runs_at_once_send_each_message_once(filled_store):
    with SmtpServer(free_port()) as smtp:
        config = settings(smtp.url())
        for number in range(3):
            subscribe(filled_store, config, email=f"u{number}@example.org", view="dept=zz_cdc")
        start = threading.Barrier(2)
        runs: list[delivery.Run] = []

        def run() -> None:
            start.wait()
            runs.append(deliver(filled_store, "2026-12-07T08:00", config))

        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert 2 == len(runs)
        assert 3 == sum(len(r.outcomes) for r in runs) == len(smtp.inbox)
        assert ["u0@example.org", "u1@example.org", "u2@example.org"] == sorted(
            r.recipients[0] for r in smtp.inbox)


def test_a_delivery_gives_up_after_its_last_attempt(tmp_path):
    with prepared(f"sqlite:///{tmp_path / 'c.sqlite3'}") as engine:
        config = settings(f"smtp://127.0.0.1:{free_port()}")
        subscribe(engine, config, email="a@example.org", view="dept=zz_cdc", every="monthly:7")
        when = at("2026-12-07T08:00")
        seen = []
        for _ in range(delivery.MAX_ATTEMPTS + 1):
            run = delivery.deliver(engine, when, settings=config)
            seen += [(o.status, o.attempts) for o in run.outcomes]
            when += delivery.RETRY_LONGEST
        assert [("failed", n) for n in range(1, delivery.MAX_ATTEMPTS)] + [
            ("gave_up", delivery.MAX_ATTEMPTS)] == seen


def test_a_dry_run_sends_and_records_nothing(tmp_path):
    with prepared(f"sqlite:///{tmp_path / 'c.sqlite3'}") as engine, \
            SmtpServer(free_port()) as smtp:
        config = settings(smtp.url())
        subscribe(engine, config, email="a@example.org", view="dept=zz_cdc")
        run = deliver(engine, "2026-12-07T08:00", config, dry_run=True)
        assert [("a@example.org", "digest")] == [(p.recipient, p.document) for p in run.planned]
        assert ([], [], []) == (run.outcomes, smtp.inbox, logged(engine))
        assert 1 == len(deliver(engine, "2026-12-07T08:00", config).outcomes)


def test_an_account_receives_at_its_email_and_a_removed_subscription_stops(tmp_path):
    with prepared(f"sqlite:///{tmp_path / 'c.sqlite3'}") as engine, \
            SmtpServer(free_port()) as smtp:
        config = settings(smtp.url())
        accounts.add(engine, "wang", PASSWORD, "editor", ["zz_civil_affairs"],
                     email="wang@example.org", who="cli:test")
        mine = subscribe(engine, config, account="wang", view="dept=zz_civil_affairs")
        assert "account:wang" == mine.recipient
        deliver(engine, "2026-12-07T08:00", config)
        assert ["wang@example.org"] == [r.recipients[0] for r in smtp.inbox]
        accounts.disable(engine, "wang", who="cli:test")
        (failed,) = deliver(engine, "2026-12-08T08:00", config).outcomes
        assert "failed" == failed.status and "disabled" in failed.said
        subscriptions.remove(engine, mine.id, who="cli:test", why="left the bureau")
        (cancelled,) = deliver(engine, "2026-12-08T08:10", config).outcomes
        assert ("cancelled", "the subscription was removed") == (cancelled.status,
                                                                cancelled.said)
        assert [] == deliver(engine, "2026-12-09T08:00", config).outcomes


# --- alerts ---------------------------------------------------------------------------------

PLAN = Source(id="plan_2024", publication=LocalText(zh="测试计划", en="Test plan"),
              edition_date=dt.date(2023, 12, 1), title="测试用工作计划",
              title_en="A work plan written for the tests")


def set_target(filled_store, metric: str, value: float) -> None:
    target = Target(program="leaders_walk", metric=metric, value=value, period="2024",
                    source=PLAN.id)
    store.write(filled_store, [("sources", PLAN, Origin("test", None, "plan")),
                         ("targets", target, Origin("test", None, "target"))],
                who="cli:test", why="target for the test")


def import_rows(capsys, filled_store, tmp_path, *rows: str, replace: bool = False,
                correction: bool = False) -> None:
    """`civic import` of figure rows citing a report of 2024-03-01 (after every row's period)."""
    path = tmp_path / f"import{len(list(tmp_path.glob('import*')))}.csv"
    path.write_bytes(csv_bytes(HEADER, *rows))
    argv = ["import", str(path), "--source-title", "测试报告", "--source-date", "2024-03-01",
            "--database", filled_store.url.render_as_string(hide_password=False)]
    if replace:
        argv += ["--on-duplicate", "replace"]
    if correction:
        argv += ["--correction", "--why", "a recount of the running total"]
    assert 0 == main(argv), capsys.readouterr().err
    capsys.readouterr()


SOLVED_520 = "leaders_walk,problems_solved,520个,2021/2024-01-31,zz_admin_approval,,,测试解决520个,"


def test_an_import_that_crosses_a_target_alerts_that_departments_subscribers_once(
        filled_store, bots, capsys, tmp_path):
    set_target(filled_store, "problems_solved", 500)
    with SmtpServer(free_port()) as smtp:
        config = settings(smtp.url(), bots)
        subscribe(filled_store, config, email="x@example.org", view="dept=zz_admin_approval")
        subscribe(filled_store, config, email="x@example.org", view="lang=en")  # the same person
        subscribe(filled_store, config, email="y@example.org", view="dept=zz_cdc")
        subscribe(filled_store, config, email="z@example.org", view="dept=zz_admin_approval",
                  alerts=False)
        subscribe(filled_store, config, webhook="team", view="dept=zz_admin_approval",
                  metrics=["problems_solved"])
        subscribe(filled_store, config, webhook="leaders", view="dept=zz_admin_approval", lang="en",
                  metrics=["experiences"])
        assert ([], []) == (deliver(filled_store, "2026-12-07T21:00", config).outcomes, smtp.inbox)

        import_rows(capsys, filled_store, tmp_path, SOLVED_520)
        run = deliver(filled_store, "2026-12-07T21:05", config)
        (alert,) = run.alerts
        assert ("leaders_walk/problems_solved@2021/2024-01-31", ("target_met",)) == (
            alert.key, alert.reasons)
        assert ["x@example.org"] == [r.recipients[0] for r in smtp.inbox]
        text = body(smtp.inbox[0])
        assert smtp.inbox[0].message["Subject"] == "【预警】“一把手走流程” · 解决问题"
        for said in ("✓ 已达到目标（目标 500）", "此前：488个（2021–2023-11-15）",
                     "现在：520个（2021–2024-01-31）",
                     f"在看板中打开：{PUBLIC}?lang=zh&dept=zz_admin_approval"):
            assert said in text
        (post,) = bots.posts
        assert post.path == "/wecom/send" and "已达到目标" in post.body["markdown"]["content"]

        assert [] == deliver(filled_store, "2026-12-07T21:10", config).outcomes
        # a correction of the same report is the same alert: no second message
        import_rows(capsys, filled_store, tmp_path, SOLVED_520.replace("520个", "530个"), replace=True)
        assert ([], []) == (deliver(filled_store, "2026-12-07T21:15", config).alerts,
                            deliver(filled_store, "2026-12-07T21:16", config).outcomes)

        # a fall against the metric's direction by more than the share
        import_rows(capsys, filled_store, tmp_path, "leaders_walk,experiences,3000人次,2021/2024-02-29,"
                    "zz_admin_approval,,,测试3000人次,", correction=True)
        run = deliver(filled_store, "2026-12-07T21:20", config)
        assert [("wrong_way",)] == [a.reasons for a in run.alerts]
        assert 2 == len(smtp.inbox) and 2 == len(bots.posts)
        dingtalk = bots.posts[-1]
        assert dingtalk.signed and "Moved the wrong way by 25.4% (alert above 10%)" in \
            dingtalk.body["markdown"]["text"]
        assert "此前：4023人次" in body(smtp.inbox[1])


def test_what_the_store_held_when_watching_began_raises_nothing(tmp_path, capsys):
    with prepared(f"sqlite:///{tmp_path / 'c.sqlite3'}") as engine, \
            SmtpServer(free_port()) as smtp:
        set_target(engine, "problems_solved", 500)
        import_rows(capsys, engine, tmp_path, SOLVED_520)  # before anyone subscribed
        config = settings(smtp.url())
        subscribe(engine, config, email="x@example.org", view="dept=zz_admin_approval")
        with engine.connect() as connection:
            assert connection.execute(select(func.count()).select_from(alert_state)).scalar()
        run = deliver(engine, "2026-12-07T21:00", config)
        assert ([], [], []) == (run.alerts, run.outcomes, smtp.inbox)


def test_alert_sources_are_a_list_one_more_plugs_in(tmp_path):
    """A source that needs no new report (a report overdue) reads the catalog and the time."""
    def overdue(watch: alerts.Watch):
        reading = watch.after["winter_relief/persons_taken_in"]
        yield alerts.Finding(f"{reading.indicator}@due:2023-12", reading, "overdue", None,
                             {"due": "2024-01-15"})

    with prepared(f"sqlite:///{tmp_path / 'c.sqlite3'}") as engine:
        subscribe(engine, settings(None), email="x@example.org", view="dept=zz_civil_affairs")
        catalog = Catalog.read(engine)
        found = store.locked_transaction(engine, lambda c: alerts.detect(
            c, catalog, 0.1, dt.datetime.now(dt.UTC), [*alerts.SOURCES, overdue]))
        assert [("winter_relief/persons_taken_in@due:2023-12", ("overdue",))] == [
            (a.key, a.reasons) for a in found]
        again = store.locked_transaction(engine, lambda c: alerts.detect(
            c, catalog, 0.1, dt.datetime.now(dt.UTC), [*alerts.SOURCES, overdue]))
        assert [] == again


def test_a_report_that_becomes_overdue_alerts_its_subscribers_once(tmp_path, capsys):
    """Winter relief reports monthly, due 10 days after the month (data/metrics.yaml). A report
    of today is in; the next month's becomes overdue after its due date: the next run after it
    sends one alert by e-mail, naming the period, the due date and how late it is, and the last
    report. Reports overdue since 2024 were overdue when watching began and raise nothing."""
    from civic.reporting import beijing_today, period_of

    today = beijing_today()
    _, month_end, _ = period_of(Cadence.MONTHLY, today)
    _, next_end, next_month = period_of(Cadence.MONTHLY, month_end + dt.timedelta(days=1))
    due = next_end + dt.timedelta(days=10)
    with prepared(f"sqlite:///{tmp_path / 'c.sqlite3'}") as engine, \
            SmtpServer(free_port()) as smtp:
        config = settings(smtp.url())
        path = tmp_path / "relief.csv"
        path.write_bytes(csv_bytes(HEADER, f"winter_relief,persons_taken_in,5名,{today},"
                                           "zz_civil_affairs,,,测试接回5名,"))
        assert 0 == main(["import", str(path), "--source-title", "测试月报", "--source-date",
                          today.isoformat(), "--database", str(engine.url)]), \
            capsys.readouterr().err
        subscribe(engine, config, email="x@example.org", view="dept=zz_civil_affairs")
        subscribe(engine, config, email="y@example.org", view="dept=zz_cdc")
        before_due = f"{due.isoformat()}T09:00"
        assert [] == deliver(engine, before_due, config).alerts  # due today, not yet late
        run = deliver(engine, f"{(due + dt.timedelta(days=3)).isoformat()}T09:00", config)
        (alert,) = run.alerts
        assert (f"winter_relief/persons_taken_in@due:{next_month}", ("overdue",)) == (
            alert.key, alert.reasons)
        (sent,) = [r for r in smtp.inbox if r.message["Subject"].startswith("【预警】")]
        assert ["x@example.org"] == sent.recipients
        assert sent.message["Subject"] == "【预警】2023年“寒冬送温暖”专项救助行动 · 接回受助人员"
        text = body(sent)
        assert f"⏰ {next_month}的报告已逾期3天（应于{due.isoformat()}前报送）" in text
        assert f"最近一次报告：5人（{today.isoformat()}）" in text
        later = f"{(due + dt.timedelta(days=4)).isoformat()}T09:00"
        assert [] == deliver(engine, later, config).alerts
        assert 1 == sum(r.message["Subject"].startswith("【预警】") for r in smtp.inbox)


# --- channels -------------------------------------------------------------------------------

def test_starttls_with_a_password_and_implicit_tls(tmp_path):
    cert = self_signed(tmp_path)
    with prepared(f"sqlite:///{tmp_path / 'c.sqlite3'}") as engine:
        config = settings(None)
        subscribe(engine, config, email="a@example.org", view="dept=zz_cdc")
        with SmtpServer(free_port(), tls="starttls", cert=cert, password="pa:ss/word") as smtp:
            url = f"smtp://civic:pa%3Ass%2Fword@127.0.0.1:{smtp.port}?cafile={cert[0]}"
            (sent,) = deliver(engine, "2026-12-07T08:00", settings(url)).outcomes
            assert "sent" == sent.status, sent.said
            (received,) = smtp.inbox
            assert (True, "civic") == (received.tls, received.login)
            # a certificate nobody vouches for is refused, and that is recorded
            (refused,) = deliver(engine, "2026-12-08T08:00", settings(
                f"smtp://civic:pa%3Ass%2Fword@127.0.0.1:{smtp.port}")).outcomes
            assert "failed" == refused.status and "CERTIFICATE_VERIFY_FAILED" in refused.said
        with SmtpServer(free_port(), tls="implicit", cert=cert) as smtp:
            url = f"smtps://127.0.0.1:{smtp.port}?cafile={cert[0]}"
            run = deliver(engine, "2026-12-09T08:00", settings(url))  # the retry and the new one
            assert [("sent", 2), ("sent", 1)] == [(o.status, o.attempts) for o in run.outcomes]
            assert [True, True] == [received.tls for received in smtp.inbox]


def test_a_password_is_never_sent_where_the_server_offers_no_starttls(tmp_path):
    with prepared(f"sqlite:///{tmp_path / 'c.sqlite3'}") as engine, \
            SmtpServer(free_port()) as smtp:
        config = settings(f"smtp://civic:secret@127.0.0.1:{smtp.port}")
        subscribe(engine, config, email="a@example.org", view="dept=zz_cdc")
        (failed,) = deliver(engine, "2026-12-07T08:00", config).outcomes
        assert "failed" == failed.status and "offers no STARTTLS" in failed.said
        assert "secret" not in failed.said and [] == smtp.inbox


def test_a_group_bot_that_refuses_is_a_failure_with_its_answer(tmp_path, bots):
    with prepared(f"sqlite:///{tmp_path / 'c.sqlite3'}") as engine:
        config = settings(None, bots)
        wrong = Webhook("leaders", "dingtalk", config.webhooks["leaders"].url, "SECwrong")
        config = Config(public_url=PUBLIC, webhooks={"leaders": wrong})
        subscribe(engine, config, webhook="leaders", view="dept=zz_cdc")
        (failed,) = deliver(engine, "2026-12-07T08:00", config).outcomes
        assert ("failed", False) == (failed.status, bots.posts[0].signed)
        assert "310000 sign not match" in failed.said and "t-456" not in failed.said


def test_the_dingtalk_signature_follows_its_documented_scheme():
    # printf '1700000000000\nSECabc' | openssl dgst -sha256 -hmac SECabc -binary | base64
    assert "jcUpW0QmtKduN03n4JqQ0PBosVjqnM8gU7fIIvsDmCM=" == channels.dingtalk_sign(
        "SECabc", 1700000000000)
    hook = Webhook("b", "dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=t", "SECabc")
    assert channels.signed_url(hook, 1700000000000).endswith(
        "?access_token=t&timestamp=1700000000000&sign=jcUpW0QmtKduN03n4JqQ0PBosVjqnM8gU7fIIvsDmCM%3D")


def test_configuration_from_the_secrets_file_and_the_environment(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text("""
[delivery]
public_url = "https://civic.example/"
smtp_url = "smtps://civic:pw@mail.example:465"
mail_from = "civic@zhuzhou.example"
alert_share = 0.25

[delivery.webhooks.team]
url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"

[delivery.webhooks.leaders]
kind = "dingtalk"
url = "https://ding.example/robot/send?access_token=t"
secret = "SECx"
""", encoding="utf-8")
    found = channels.config({"CIVIC_SMTP_URL": "smtp://relay:25?starttls=no",
                             "CIVIC_WEBHOOK_OPS_URL": "https://oapi.dingtalk.com/robot/send?x=1",
                             "CIVIC_WEBHOOK_OPS_SECRET": "SECy"}, secrets)
    assert ("smtp://relay:25?starttls=no", "civic@zhuzhou.example", 0.25) == (
        found.smtp_url, found.mail_from, found.alert_share)
    assert {"team": "wecom", "leaders": "dingtalk", "ops": "dingtalk"} == {
        name: hook.kind for name, hook in found.webhooks.items()}
    assert "SECy" == found.webhooks["ops"].secret
    assert "https://civic.example/?lang=en" == found.link("lang=en")
    assert "SECx" not in repr(found) and "pw" not in repr(found)
    with pytest.raises(channels.ConfigError, match="kind"):
        channels.config({"CIVIC_WEBHOOK_X_URL": "https://bots.example/x"}, secrets)
    assert channels.Config() == channels.config({}, tmp_path / "none.toml")


# --- subscriptions --------------------------------------------------------------------------

def test_subscriptions_are_audited_with_who_when_what_and_why(filled_store):
    from civic import reads

    config = settings(None)
    added = subscribe(filled_store, config, email="a@example.org", view="dept=zz_cdc", every="weekly:mon",
                      at="7:30", lang="en", why="weekly flu figures")
    assert ("lang=en&dept=zz_cdc", "weekly:MON", "07:30") == (added.view, added.every, added.at)
    subscriptions.remove(filled_store, added.id, who="cli:other", why="no longer needed")
    trail = reads.history(filled_store, table="subscriptions")
    assert [("insert", "cli:test", "weekly flu figures"),
            ("delete", "cli:other", "no longer needed")] == list(
        trail[["action", "who", "why"]].itertuples(index=False, name=None))
    assert trail["after"].iloc[0]["email"] == "a@example.org"
    assert trail["before"].iloc[1]["view"] == "lang=en&dept=zz_cdc"
    assert [] == subscriptions.listed(filled_store)


@pytest.mark.parametrize("chosen, says", [
    ({"view": "dept=zz_nowhere"}, "dept 'zz_nowhere'"),
    ({"view": "dept=zz_cdc&page=1"}, "keys the dashboard does not read: page"),
    ({"view": "dept=zz_cdc", "every": "hourly"}, "--every"),
    ({"view": "dept=zz_cdc", "at": "8 am"}, "--at"),
    ({"view": "dept=zz_cdc", "document": "pptx"}, "one of brief, briefing, xlsx, digest"),
    ({"view": "dept=zz_cdc", "webhook": "nobody", "email": None}, "no group bot named 'nobody'"),
    ({"view": "dept=zz_cdc", "webhook": "team", "email": None, "document": "xlsx"},
     "--document digest"),
    ({"view": "dept=zz_cdc", "email": "not-an-address"}, "not an e-mail address"),
    ({"view": "dept=zz_cdc", "account": "nobody", "email": None}, "no account named"),
    ({"view": "dept=zz_cdc", "metrics": ["no_such"]}, "no such indicator"),
])
def test_a_bad_subscription_says_why_and_writes_nothing(tmp_path, bots, chosen, says):
    with prepared(f"sqlite:///{tmp_path / 'c.sqlite3'}") as engine:
        with pytest.raises((subscriptions.Invalid, documents.DocumentError, ValueError),
                           match=says):
            subscribe(engine, settings(None, bots), **{"email": "a@example.org", **chosen})
        assert [] == subscriptions.listed(engine)


def test_the_brief_plugs_in_by_its_function_in_export(tmp_path, monkeypatch):
    """The registry finds each document's function in civic.export by name: the brief's is
    there, and a document whose function a version lacks is refused when subscribed."""
    from civic import export

    assert documents.available("brief") and documents.require("brief").builder == "brief_pdf"
    with prepared(f"sqlite:///{tmp_path / 'c.sqlite3'}") as engine:
        with monkeypatch.context() as patched:
            patched.delattr(export, "brief_pdf")
            with pytest.raises(documents.DocumentError, match="not available in this version"):
                subscribe(engine, settings(None), email="a@example.org", view="dept=zz_cdc",
                          document="brief")
        assert [] == subscriptions.listed(engine)
        monkeypatch.setattr(export, "brief_pdf", lambda view: b"%PDF-1.7 two pages")
        with SmtpServer(free_port()) as smtp:
            config = settings(smtp.url())
            subscribe(engine, config, email="a@example.org", view="dept=zz_cdc", document="brief")
            deliver(engine, "2026-12-07T08:00", config)
            (attachment,) = list(smtp.inbox[0].message.iter_attachments())
            assert attachment.get_filename().startswith("civic-brief_zh_zz_cdc_")
            assert b"%PDF-1.7 two pages" == attachment.get_content()


def test_the_deliveries_table_is_the_record(tmp_path):
    with prepared(f"sqlite:///{tmp_path / 'c.sqlite3'}") as engine:
        with engine.connect() as connection:
            assert 0 == connection.execute(select(func.count()).select_from(deliveries)).scalar()


def test_an_unexpected_fault_of_one_delivery_is_recorded_and_the_others_go_out(tmp_path):
    with prepared(f"sqlite:///{tmp_path / 'c.sqlite3'}") as engine, \
            SmtpServer(free_port()) as smtp:
        config = Config(smtp_url=smtp.url(), public_url=PUBLIC,
                        webhooks={"team": Webhook("team", "wecom", "no address at all")})
        subscribe(engine, config, webhook="team", view="dept=zz_cdc")
        subscribe(engine, config, email="a@example.org", view="dept=zz_cdc")
        faulty, sent = deliver(engine, "2026-12-07T08:00", config).outcomes
        assert ("failed", "sent") == (faulty.status, sent.status)
        assert faulty.said.startswith("unexpected ValueError") and 1 == len(smtp.inbox)


def test_a_run_with_nothing_new_reads_no_figures(tmp_path, monkeypatch, capsys):
    """The timer's run every five minutes, on an unchanged store with nothing due, costs two
    small queries rather than reading every figure."""
    with prepared(f"sqlite:///{tmp_path / 'c.sqlite3'}") as engine, \
            SmtpServer(free_port()) as smtp:
        config = settings(smtp.url())
        subscribe(engine, config, email="x@example.org", view="dept=zz_admin_approval")
        assert 1 == len(deliver(engine, "2026-12-07T08:00", config).outcomes)

        def no_reading(filled_store):
            raise AssertionError("the figures were read")

        with monkeypatch.context() as patched:
            patched.setattr(Catalog, "read", no_reading)
            assert [] == deliver(engine, "2026-12-07T08:05", config).outcomes
        # once a day the sources look even so: one may depend on the date alone
        assert alerts.due_for_a_look(engine, at("2100-01-01T00:01"))
        set_target(engine, "problems_solved", 500)
        import_rows(capsys, engine, tmp_path, SOLVED_520)  # written: the next run looks
        run = deliver(engine, "2026-12-07T08:10", config)
        assert [("target_met",)] == [a.reasons for a in run.alerts]


def test_data_text_makes_no_link_image_or_bold_in_a_group_bots_markdown(tmp_path):
    """Program names, labels and departments with Markdown in them (conftest's HOSTILE) stay
    text in the bots' messages: the only link is the view's own."""
    folder = write_hostile_data(shutil.copytree(DATA, tmp_path / "data"))
    catalog = Catalog.load(folder)
    for lang in ("zh", "en"):
        view = View(catalog, Filters(lang=lang, departments=("zz_admin_approval",)))
        link = f"{PUBLIC}?lang={lang}&dept=zz_admin_approval"
        markdown = digest.message(view, "digest", 1, Schedule.parse("daily", "08:00"),
                                  dt.date(2026, 12, 7), link, None).markdown
        assert "粗体" in markdown and "evil.example" in markdown  # shown, as text
        assert 1 == markdown.count("](") and f"]({link})" in markdown
        assert "**粗体**" not in markdown and "![" not in markdown and "[链接]" not in markdown
        reading = alerts.readings(catalog)["leaders_walk/experiences"]
        alert = alerts.Alert("k", "leaders_walk", "experiences", None, ("wrong_way",),
                             None, asdict(reading), {"share": -0.2, "limit": 0.1},
                             dt.datetime.now(dt.UTC))
        said = alerts.message(alert, catalog, lang, link).markdown
        assert "粗体" in said and 1 == said.count("](") and "**粗体**" not in said
