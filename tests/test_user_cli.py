"""`civic user`: accounts added, listed, disabled and given new passwords from the command line;
a password never on the command line, in the output or in the audit."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest
from conftest import PASSWORD, run_civic

from civic import accounts, database, reads


def run(capsys, monkeypatch, *argv: str, stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    return run_civic(capsys, *argv)


@pytest.fixture
def url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'civic.sqlite3'}"


def test_add_list_disable(capsys, monkeypatch, url):
    code, out, _ = run(capsys, monkeypatch, "user", "add", "wang", "--role", "editor",
                       "--department", "zz_civil_affairs", "zz_cdc", "--email", "wang@example.org",
                       "--password-stdin", "--database", url, stdin=PASSWORD + "\n")
    assert (0, "added editor wang (zz_civil_affairs, zz_cdc)\n") == (code, out)
    code, out, _ = run(capsys, monkeypatch, "user", "list", "--database", url)
    assert 0 == code and "wang" in out and "zz_civil_affairs, zz_cdc" in out
    assert "wang@example.org" in out and "argon2" not in out and PASSWORD not in out
    assert 0 == run(capsys, monkeypatch, "user", "disable", "wang", "--database", url)[0]
    with pytest.raises(accounts.Disabled):
        accounts.authenticate(database.connect(url), "wang", PASSWORD)
    trail = reads.history(database.connect(url), table="accounts")
    assert ["insert", "update", "failed"] == trail["action"].tolist()
    assert trail["who"].iloc[0].startswith("cli:")


def test_the_password_is_asked_twice(capsys, monkeypatch, url):
    answers = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    code, out, _ = run(capsys, monkeypatch, "user", "add", "admin1", "--role", "admin",
                       "--database", url)
    assert (0, "added admin admin1 (all departments)\n") == (code, out)
    answers = iter(["a new long secret", "a different secret"])
    code, _, err = run(capsys, monkeypatch, "user", "passwd", "admin1", "--database", url)
    assert 1 == code and "the two passwords differ" in err
    answers = iter(["a new long secret"] * 2)
    assert 0 == run(capsys, monkeypatch, "user", "passwd", "admin1", "--database", url)[0]
    assert accounts.authenticate(database.connect(url), "admin1", "a new long secret")


@pytest.mark.parametrize("argv, stdin, says", [
    (["user", "add", "li", "--role", "editor", "--department", "zz_cdc", "--password-stdin"],
     "short\n", "at least 10 characters"),
    (["user", "add", "li", "--role", "editor", "--password-stdin"], PASSWORD + "\n",
     "at least one department"),
    (["user", "add", "li", "--role", "editor", "--department", "nowhere", "--password-stdin"],
     PASSWORD + "\n", "no such department in the store: nowhere"),
    (["user", "disable", "nobody"], "", "no account named 'nobody'"),
    (["user", "passwd", "nobody", "--password-stdin"], PASSWORD + "\n", "no account named"),
])
def test_a_refused_change_says_why_and_exits_1(capsys, monkeypatch, url, argv, stdin, says):
    code, out, err = run(capsys, monkeypatch, *argv, "--database", url, stdin=stdin)
    assert 1 == code and says in err and "Traceback" not in err


def test_an_empty_store_lists_no_accounts(capsys, monkeypatch, url):
    code, out, _ = run(capsys, monkeypatch, "user", "list", "--database", url)
    assert 0 == code and "editing is off" in out


def test_the_installed_command_reads_the_password_from_stdin(url):
    civic = [sys.executable, "-m", "civic.cli"]
    done = subprocess.run([*civic, "user", "add", "zhao", "--role", "admin", "--password-stdin",
                           "--database", url], input=PASSWORD + "\n", capture_output=True,
                          text=True, timeout=120)
    assert 0 == done.returncode, done.stderr
    assert PASSWORD not in done.stdout + done.stderr
    assert accounts.authenticate(database.connect(url), "zhao", PASSWORD).role == "admin"
