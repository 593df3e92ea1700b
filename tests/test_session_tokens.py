"""Session tokens on SQLite and PostgreSQL: a sign-in that survives a reload, stored as a hash,
expiring on time, revoked on sign-out, on a new password and when the account is disabled, and
audited as a sign-in of its own."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from civic import accounts, history, reads, session_tokens
from civic.schema import session_tokens as tokens_table

T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
EIGHT_HOURS = dt.timedelta(hours=8)


def actions(engine) -> list[str]:
    return reads.history(engine, table="accounts")["action"].tolist()


def test_a_token_signs_the_account_in_again_and_is_audited(filled_store, editor):
    token = session_tokens.issue(filled_store, editor, now=T0, lasts=EIGHT_HOURS)
    assert session_tokens.well_formed(token)
    assert editor == session_tokens.resume(filled_store, token, now=T0 + dt.timedelta(hours=1))
    assert editor == session_tokens.current(filled_store, token, now=T0 + dt.timedelta(hours=1))
    trail = reads.history(filled_store, table="accounts")
    assert ["insert", accounts.RESUMED] == trail["action"].tolist()
    assert ["cli:test", "wang"] == trail["who"].tolist()
    # Listed with the sign-ins on the History page, never as a batch of changes.
    listed = history.changes(filled_store, history.Trail(sign_ins=True))
    assert accounts.RESUMED in listed["action"].tolist()
    batches = history.changes(filled_store, history.Trail())
    assert accounts.RESUMED not in batches["action"].tolist()


def test_the_store_keeps_a_hash_never_the_token(filled_store, editor):
    token = session_tokens.issue(filled_store, editor, now=T0)
    with filled_store.connect() as connection:
        rows = [r._asdict() for r in connection.execute(select(tokens_table))]
    assert 1 == len(rows) and rows[0]["account"] == "wang"
    assert token not in json.dumps(rows, default=str)
    assert 64 == len(rows[0]["digest"])
    assert token not in reads.history(filled_store).to_json(date_format="iso")


def test_an_expired_token_signs_nobody_in(filled_store, editor):
    token = session_tokens.issue(filled_store, editor, now=T0, lasts=EIGHT_HOURS)
    assert session_tokens.resume(filled_store, token, now=T0 + EIGHT_HOURS) is None
    assert session_tokens.current(filled_store, token, now=T0 + EIGHT_HOURS) is None
    assert ["insert"] == actions(filled_store)  # a refused token is not audited


def test_issuing_deletes_the_expired_tokens(filled_store, editor):
    session_tokens.issue(filled_store, editor, now=T0, lasts=EIGHT_HOURS)
    session_tokens.issue(filled_store, editor, now=T0 + EIGHT_HOURS, lasts=EIGHT_HOURS)
    with filled_store.connect() as connection:
        assert 1 == len(connection.execute(select(tokens_table)).all())


def test_signing_out_revokes_the_token(filled_store, editor):
    token = session_tokens.issue(filled_store, editor, now=T0)
    other = session_tokens.issue(filled_store, editor, now=T0)  # another browser
    session_tokens.revoke(filled_store, token, now=T0 + dt.timedelta(minutes=5))
    later = T0 + dt.timedelta(minutes=6)
    assert session_tokens.resume(filled_store, token, now=later) is None
    assert session_tokens.current(filled_store, token, now=later) is None
    assert editor == session_tokens.current(filled_store, other, now=later)


def test_disabling_the_account_revokes_its_tokens(filled_store, editor):
    token = session_tokens.issue(filled_store, editor)
    accounts.disable(filled_store, "wang", who="cli:test")
    assert session_tokens.current(filled_store, token) is None
    assert session_tokens.resume(filled_store, token) is None
    with filled_store.connect() as connection:
        (row,) = connection.execute(select(tokens_table)).all()
    assert row.revoked_at is not None


def test_a_new_password_revokes_the_tokens(filled_store, editor):
    token = session_tokens.issue(filled_store, editor)
    accounts.set_password(filled_store, "wang", "a new long enough secret", who="cli:test")
    assert session_tokens.resume(filled_store, token) is None


def test_a_lock_ends_no_session_already_open(filled_store, editor):
    token = session_tokens.issue(filled_store, editor, now=T0)
    for _ in range(accounts.MAX_FAILURES):
        with pytest.raises(accounts.WrongPassword):
            accounts.authenticate(filled_store, "wang", "not the password", now=T0)
    assert editor == session_tokens.resume(filled_store, token, now=T0 + dt.timedelta(minutes=1))


@pytest.mark.parametrize("token", ["", "x" * 42, "x" * 44, "a" * 42 + "!", None, 12,
                                   "' OR 1=1 --" + "a" * 32])
def test_a_token_not_of_ours_is_never_looked_up(filled_store, editor, token):
    assert not session_tokens.well_formed(token)
    assert session_tokens.resume(filled_store, token) is None
    assert session_tokens.current(filled_store, token) is None


def test_an_unknown_token_signs_nobody_in(filled_store, editor):
    session_tokens.issue(filled_store, editor)
    assert session_tokens.resume(filled_store, "A" * 43) is None


@pytest.mark.parametrize("value, hours", [(None, 8), ("", 8), ("12", 12), ("0.5", 0.5)])
def test_the_lifetime_is_configurable(monkeypatch, value, hours):
    if value is None:
        monkeypatch.delenv(session_tokens.HOURS_VARIABLE, raising=False)
    else:
        monkeypatch.setenv(session_tokens.HOURS_VARIABLE, value)
    assert dt.timedelta(hours=hours) == session_tokens.lifetime()


@pytest.mark.parametrize("value", ["eight", "0", "-3", "100000"])
def test_a_bad_lifetime_is_refused_by_name(monkeypatch, value):
    monkeypatch.setenv(session_tokens.HOURS_VARIABLE, value)
    with pytest.raises(ValueError, match=session_tokens.HOURS_VARIABLE):
        session_tokens.lifetime()
