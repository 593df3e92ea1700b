"""`civic subscribe` and `civic deliver` as an operator types them, against a real SMTP server."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import missing_requirement
from conftest import run_civic as run
from delivery_servers import SmtpServer
from pypdf import PdfReader
from servers import free_port

from civic import export
from civic.cli import main


@pytest.fixture
def store(tmp_path, monkeypatch) -> str:
    """A store of this test alone, as `civic` finds it without --database; no secrets file."""
    url = f"sqlite:///{tmp_path / 'civic.sqlite3'}"
    monkeypatch.setenv("CIVIC_DATABASE_URL", url)
    monkeypatch.setenv("CIVIC_SECRETS", str(tmp_path / "no-secrets.toml"))
    for name in ("CIVIC_SMTP_URL", "CIVIC_PUBLIC_URL", "CIVIC_MAIL_FROM"):
        monkeypatch.delenv(name, raising=False)
    return url


def test_the_issued_commands_deliver_one_message_with_the_brief(store, capsys, monkeypatch):
    if export.missing_packages():
        missing_requirement(f"the briefing PDF needs {', '.join(export.missing_packages())}")
    code, out, err = run(capsys, "subscribe", "add", "--email", "a@example.org", "--view",
                         "dept=zz_civil_affairs", "--document", "brief", "--every", "daily",
                         "--at", "08:00", "--lang", "zh")
    assert 0 == code, err
    assert out.startswith("subscription 1: brief of lang=zh&dept=zz_civil_affairs to "
                          "a@example.org, daily at 08:00")
    with SmtpServer(free_port()) as smtp:
        monkeypatch.setenv("CIVIC_SMTP_URL", f"smtp://127.0.0.1:{smtp.port}")
        code, out, err = run(capsys, "deliver", "--now", "2026-12-07T08:00")
        assert 0 == code, err
        assert "1 sent, 0 failed" in out
        (received,) = smtp.inbox
        assert ["a@example.org"] == received.recipients
        (attachment,) = list(received.message.iter_attachments())
        assert "application/pdf" == attachment.get_content_type()
        assert attachment.get_filename().startswith("civic-brief_zh_zz_civil_affairs_")
        pdf = PdfReader(io.BytesIO(attachment.get_content()))
        assert len(pdf.pages) <= 2
        text = "".join(page.extract_text() for page in pdf.pages)
        assert "领导简报" in text and "寒冬送温暖" in text and "接回受助人员" in text
        code, out, _ = run(capsys, "deliver", "--now", "2026-12-07T08:00")
        assert (0, 1) == (code, len(smtp.inbox))
        assert "0 sent, 0 failed" in out


def test_subscribe_list_and_remove(store, capsys):
    assert 0 == run(capsys, "subscribe", "add", "--email", "b@example.org", "--view",
                    "https://civic.example/?lang=en&dept=zz_cdc", "--document", "digest",
                    "--every", "weekly:FRI", "--at", "17:30", "--no-alerts",
                    "--why", "Friday figures")[0]
    code, out, _ = run(capsys, "subscribe", "list")
    assert 0 == code and "b@example.org" in out and "weekly:FRI" in out
    code, out, _ = run(capsys, "subscribe", "list", "--format", "json")
    (listed,) = json.loads(out)
    assert {"id": 1, "view": "lang=en&dept=zz_cdc", "document": "digest", "every": "weekly:FRI",
            "at": "17:30", "alerts": False, "channel": "email"}.items() <= listed.items()
    assert listed["owner"].startswith("cli:")
    code, out, _ = run(capsys, "subscribe", "remove", "1", "--why", "done")
    assert (0, "removed subscription 1 (digest to b@example.org)\n") == (code, out)
    assert "no subscriptions" in run(capsys, "subscribe", "list")[1]
    code, _, err = run(capsys, "subscribe", "remove", "1")
    assert (1, "civic: error: no subscription 1\n") == (code, err)


@pytest.mark.parametrize("argv, says", [
    (["--document", "xlsx", "--email", "not-an-address"], "not an e-mail address"),
    (["--document", "digest", "--view", "dept=zz_nowhere"], "dept 'zz_nowhere'"),
    (["--document", "digest", "--every", "fortnightly"], "--every is daily, weekly:MON"),
])
def test_a_refused_subscription_is_one_line_and_exit_1(store, capsys, argv, says):
    base = ["subscribe", "add", "--email", "a@example.org", "--view", "dept=zz_cdc",
            "--every", "daily", "--at", "08:00"]
    merged = base[:]
    for option, value in zip(argv[::2], argv[1::2]):
        if option in merged:
            merged[merged.index(option) + 1] = value
        else:
            merged += [option, value]
    code, out, err = run(capsys, *merged)
    assert (1, "") == (code, out)
    assert err.startswith("civic: error: ") and says in err and err.count("\n") == 1


def test_a_dry_run_lists_and_a_failure_exits_1(store, capsys, monkeypatch):
    run(capsys, "subscribe", "add", "--email", "a@example.org", "--view", "dept=zz_cdc",
        "--document", "digest", "--every", "daily", "--at", "08:00")
    code, out, _ = run(capsys, "deliver", "--now", "2026-12-07T08:00+08:00", "--dry-run")
    assert 0 == code and "would send  scheduled digest   to a@example.org" in out
    assert "nothing sent or recorded" in out
    monkeypatch.setenv("CIVIC_SMTP_URL", f"smtp://127.0.0.1:{free_port()}")
    code, out, err = run(capsys, "deliver", "--now", "2026-12-07T08:00")
    assert 1 == code and "failed    scheduled digest" in out and "next try 2026-12-07 08:05" in out
    assert "no public address of the dashboard is configured" in err
    with pytest.raises(SystemExit) as stopped:
        main(["deliver", "--now", "Monday morning"])
    assert 2 == stopped.value.code and "--now is a date and time" in capsys.readouterr().err


DEPLOY = Path(__file__).resolve().parents[1] / "deploy"


def test_the_cron_line_runs_civic_deliver(tmp_path):
    """The shipped cron line, with this machine's folders for /srv/civic, /etc/civic/env, the
    lock and the log, run by sh as cron would: it delivers and logs."""
    (line,) = [ln for ln in (DEPLOY / "civic-deliver.cron").read_text("utf-8").splitlines()
               if ln and not ln.startswith("#")]
    fields = line.split(None, 6)
    assert ["*/5", "*", "*", "*", "*", "civic"] == fields[:6]
    env = tmp_path / "env"
    env.write_text(f"CIVIC_DATABASE_URL=sqlite:///{tmp_path / 'c.sqlite3'}\n"
                   f"CIVIC_SECRETS={tmp_path / 'none.toml'}\n", encoding="utf-8")
    command = (fields[6].replace("/srv/civic", str(DEPLOY.parent))
               .replace("/etc/civic/env", str(env))
               .replace("/run/lock/civic-deliver.lock", str(tmp_path / "lock"))
               .replace("/var/log/civic/deliver.log", str(tmp_path / "deliver.log")))
    done = subprocess.run(["sh", "-c", command], capture_output=True, text=True, timeout=300,
                          env={"PATH": os.environ["PATH"], "HOME": str(tmp_path)})
    assert 0 == done.returncode, (tmp_path / "deliver.log").read_text("utf-8")
    assert "0 sent, 0 failed, 0 new alerts" in (tmp_path / "deliver.log").read_text("utf-8")


def test_the_systemd_units_verify(tmp_path):
    """systemd-analyze accepts the service and the timer (paths of this machine put in), and
    the timer fires every five minutes."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    for name in ("civic-deliver.service", "civic-deliver.timer"):
        text = (DEPLOY / name).read_text("utf-8")
        text = (text.replace("/srv/civic/.venv/bin/civic", str(Path(sys.executable).parent
                                                                 / "civic"))
                .replace("WorkingDirectory=/srv/civic", f"WorkingDirectory={tmp_path}")
                .replace("EnvironmentFile=/etc/civic/env", "EnvironmentFile=-/etc/civic/env")
                .replace("User=civic", "User=root"))
        (tmp_path / name).write_text(text, encoding="utf-8")
    done = subprocess.run([analyze, "verify", str(tmp_path / "civic-deliver.timer"),
                           str(tmp_path / "civic-deliver.service")], capture_output=True,
                          text=True, timeout=60, env={**os.environ, "SYSTEMD_LOG_LEVEL": "warning"})
    assert (0, "") == (done.returncode, done.stderr.strip())
    (when,) = [ln.split("=", 1)[1] for ln in (DEPLOY / "civic-deliver.timer")
               .read_text("utf-8").splitlines() if ln.startswith("OnCalendar=")]
    calendar = subprocess.run([analyze, "calendar", when], capture_output=True, text=True,
                              timeout=60)
    assert "*-*-* *:00/5:00" in calendar.stdout
