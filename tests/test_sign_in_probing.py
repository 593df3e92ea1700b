"""Sign-ins as an attacker would try them, on SQLite and PostgreSQL: a password typed into the
name field never reaches the audit trail, a flood of unknown names cannot flood it, and a locked
or disabled account answers a wrong password exactly as a name no account has does."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from conftest import PASSWORD

from civic import accounts, reads

T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
SECRET = "Tr0ub4dor&3-mine"  # a password, typed where the name goes


def trail_text(filled_store) -> str:
    """Everything the audit holds about accounts, as one text."""
    trail = reads.history(filled_store, table="accounts")
    return json.dumps(trail.astype(str).to_dict(orient="records"), ensure_ascii=False)


def test_a_password_typed_as_the_name_is_not_recorded(filled_store, editor):
    with pytest.raises(accounts.WrongPassword):
        accounts.authenticate(filled_store, SECRET, "anything at all", now=T0)
    assert SECRET not in trail_text(filled_store)
    last = reads.history(filled_store, table="accounts").iloc[-1]
    assert (last["who"], last["key"], last["action"]) == ("(unknown)", "(unknown)", "failed")


def test_unknown_names_cannot_flood_the_audit(filled_store, editor):
    before = len(reads.history(filled_store, table="accounts"))
    for n in range(accounts.MAX_UNKNOWN + 5):
        with pytest.raises(accounts.WrongPassword):
            accounts.authenticate(filled_store, f"guess{n}", "a wrong password",
                                  now=T0 + dt.timedelta(seconds=n))
    trail = reads.history(filled_store, table="accounts").iloc[before:]
    assert len(trail) == accounts.MAX_UNKNOWN
    assert "more are not recorded" in trail.iloc[-1]["why"]
    # The known account's own failures are still counted and recorded.
    with pytest.raises(accounts.WrongPassword):
        accounts.authenticate(filled_store, "wang", "a wrong password", now=T0 + dt.timedelta(minutes=1))
    assert reads.history(filled_store, table="accounts").iloc[-1]["key"] == "wang"
    # Once the window has passed, unknown names are recorded again.
    with pytest.raises(accounts.WrongPassword):
        accounts.authenticate(filled_store, "later", "a wrong password", now=T0 + dt.timedelta(minutes=20))
    assert len(reads.history(filled_store, table="accounts").iloc[before:]) == accounts.MAX_UNKNOWN + 2


def test_a_locked_or_disabled_account_answers_a_wrong_password_as_an_unknown_name(
        filled_store, editor, monkeypatch):
    """Same exception, same words and the same work (one argon2 verify) for every wrong
    password; only the right password learns that the account is locked or disabled."""
    verified = []
    real = accounts._verify
    monkeypatch.setattr(accounts, "_verify", lambda h, p: verified.append(h) or real(h, p))

    def answer(name: str, password: str, minute: int) -> tuple[type, str, int]:
        verified.clear()
        with pytest.raises(accounts.AccountError) as caught:
            accounts.authenticate(filled_store, name, password, now=T0.replace(minute=minute))
        return type(caught.value), str(caught.value), len(verified)

    unknown = answer("nobody", "a wrong password", 0)
    assert unknown == answer("wang", "a wrong password", 0)
    for minute in range(1, 5):  # the fifth failure in all locks the account
        assert unknown == answer("wang", "a wrong password", minute)
    assert unknown == answer("wang", "a wrong password", 5)  # locked: the same answer
    kind, message, work = answer("wang", PASSWORD, 6)
    assert (kind, work) == (accounts.Locked, 1) and "locked" in message
    accounts.disable(filled_store, "wang", who="cli:test")
    assert unknown == answer("wang", "a wrong password", 30)  # disabled: the same answer
    kind, _, work = answer("wang", PASSWORD, 31)
    assert (kind, work) == (accounts.Disabled, 1)
