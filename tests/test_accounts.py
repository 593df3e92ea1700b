"""Accounts on SQLite and PostgreSQL: roles and departments, argon2id hashes, the stored lockout,
and an audit row for every change, sign-in, failure, lock and sign-out, never a password."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from conftest import PASSWORD
from sqlalchemy import select

from civic import accounts, database, reads
from civic.catalog import Catalog
from civic.schema import accounts as accounts_table

T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


def account_audit(filled_store):
    return reads.history(filled_store, table="accounts")


def test_editing_is_off_until_an_account_exists(filled_store):
    assert not accounts.any_account(filled_store)
    accounts.add(filled_store, "admin1", PASSWORD, "admin", who="cli:test")
    assert accounts.any_account(filled_store)


def test_the_password_is_stored_as_an_argon2id_hash_only(filled_store, editor):
    with filled_store.connect() as connection:
        row = connection.execute(select(accounts_table)).one()
    assert row.password_hash.startswith("$argon2id$")
    assert PASSWORD not in json.dumps(row._asdict(), default=str)
    assert editor == accounts.Account("wang", "editor", ("zz_civil_affairs",),
                                      "wang@example.org")


def test_the_shipped_hasher_is_argon2id_with_its_recommended_parameters(shipped_hasher):
    """The suite hashes at argon2's least work (conftest.py); what ships is the library's
    recommended argon2id, and a hash made at less work is redone at the next sign-in."""
    from argon2 import PasswordHasher, Type

    recommended = PasswordHasher()
    assert shipped_hasher.type is Type.ID
    assert (shipped_hasher.time_cost, shipped_hasher.memory_cost, shipped_hasher.parallelism) \
        == (recommended.time_cost, recommended.memory_cost, recommended.parallelism)
    hashed = shipped_hasher.hash(PASSWORD)
    assert shipped_hasher.verify(hashed, PASSWORD)
    assert shipped_hasher.check_needs_rehash(accounts._hasher.hash(PASSWORD))


def test_the_audit_never_holds_a_password_or_hash(filled_store, editor):
    accounts.set_password(filled_store, "wang", "another long secret", who="cli:test")
    accounts.authenticate(filled_store, "wang", "another long secret")
    with pytest.raises(accounts.WrongPassword):
        accounts.authenticate(filled_store, "wang", PASSWORD)
    trail = account_audit(filled_store)
    text = trail.to_json(date_format="iso")
    assert PASSWORD not in text and "another long secret" not in text and "argon2" not in text
    assert ["insert", "update", "sign_in", "failed"] == trail["action"].tolist()
    assert ["cli:test", "cli:test", "wang", "wang"] == trail["who"].tolist()


@pytest.mark.parametrize("name, password, role, departments, email, says", [
    ("li", "short", "editor", ["zz_cdc"], None, "at least 10 characters"),
    ("li", PASSWORD, "viewer", ["zz_cdc"], None, "editor, approver or admin"),
    ("li", PASSWORD, "editor", [], None, "at least one department"),
    ("li", PASSWORD, "editor", ["no_such_bureau"], None, "no such department"),
    ("li", PASSWORD, "editor", ["zz_cdc"], "not-an-address", "not an e-mail"),
    ("li wei", PASSWORD, "editor", ["zz_cdc"], None, "not an account name"),
    ("", PASSWORD, "admin", [], None, "not an account name"),
])
def test_a_bad_account_is_refused_and_nothing_written(filled_store, name, password, role,
                                                      departments, email, says):
    with pytest.raises(accounts.Invalid, match=says):
        accounts.add(filled_store, name, password, role, departments, email=email, who="cli:test")
    assert not accounts.any_account(filled_store) and account_audit(filled_store).empty


def test_names_and_emails_are_unique(filled_store, editor):
    with pytest.raises(accounts.Invalid, match="exists"):
        accounts.add(filled_store, "wang", PASSWORD, "admin", who="cli:test")
    with pytest.raises(accounts.Invalid, match="e-mail"):
        accounts.add(filled_store, "zhao", PASSWORD, "admin", email="wang@example.org", who="cli:test")
    assert 1 == len(accounts.list_accounts(filled_store))


def test_sign_in_and_sign_out_are_audited(filled_store, editor):
    signed = accounts.authenticate(filled_store, " wang ", PASSWORD)
    assert signed == editor
    accounts.sign_out(filled_store, signed)
    assert ["sign_in", "sign_out"] == account_audit(filled_store)["action"].tolist()[1:]


def test_an_unknown_name_gets_the_same_answer_as_a_wrong_password(filled_store, editor):
    with pytest.raises(accounts.WrongPassword) as unknown:
        accounts.authenticate(filled_store, "nobody", PASSWORD)
    with pytest.raises(accounts.WrongPassword) as wrong:
        accounts.authenticate(filled_store, "wang", "not the password")
    assert str(unknown.value) == str(wrong.value)
    assert ["failed", "failed"] == account_audit(filled_store)["action"].tolist()[1:]


def test_five_failures_in_fifteen_minutes_lock_for_fifteen_minutes(filled_store, editor):
    # The fifth wrong password locks the account, and is answered as any wrong password is.
    for minute in range(5):
        with pytest.raises(accounts.WrongPassword):
            accounts.authenticate(filled_store, "wang", "wrong guess!", now=T0.replace(minute=minute))
    # The right password does not open a locked account, and a new engine (a restart) sees it;
    # only whoever gives the right password learns of the lock.
    restarted = database.connect(str(filled_store.url.render_as_string(hide_password=False)))
    with pytest.raises(accounts.Locked) as locked:
        accounts.authenticate(restarted, "wang", PASSWORD, now=T0.replace(minute=18))
    assert T0.replace(minute=19) == locked.value.until
    assert "2026-03-01 09:19 UTC" in str(locked.value)
    assert editor == accounts.authenticate(restarted, "wang", PASSWORD,
                                           now=T0.replace(minute=20))
    restarted.dispose()
    trail = account_audit(filled_store)
    assert ["failed"] * 5 + ["locked", "failed", "sign_in"] == trail["action"].tolist()[1:]
    assert {"locked_until": "2026-03-01T09:19:00+00:00"} == trail["after"].iloc[6]


def test_failures_older_than_the_window_do_not_count(filled_store, editor):
    for minute in (0, 5, 10, 14):
        with pytest.raises(accounts.WrongPassword):
            accounts.authenticate(filled_store, "wang", "wrong guess!", now=T0.replace(minute=minute))
    with pytest.raises(accounts.WrongPassword):  # the first has left the window
        accounts.authenticate(filled_store, "wang", "wrong guess!", now=T0.replace(minute=16))


def test_a_sign_in_clears_the_failures(filled_store, editor):
    for minute in range(4):
        with pytest.raises(accounts.WrongPassword):
            accounts.authenticate(filled_store, "wang", "wrong guess!", now=T0.replace(minute=minute))
    accounts.authenticate(filled_store, "wang", PASSWORD, now=T0.replace(minute=5))
    with pytest.raises(accounts.WrongPassword):
        accounts.authenticate(filled_store, "wang", "wrong guess!", now=T0.replace(minute=6))


def test_a_new_password_lifts_the_lock(filled_store, editor):
    for _ in range(5):
        with pytest.raises(accounts.AccountError):
            accounts.authenticate(filled_store, "wang", "wrong guess!")
    accounts.set_password(filled_store, "wang", "a fresh long secret", who="cli:admin")
    assert editor == accounts.authenticate(filled_store, "wang", "a fresh long secret")


def test_a_disabled_account_is_refused(filled_store, editor):
    accounts.disable(filled_store, "wang", who="cli:test")
    with pytest.raises(accounts.Disabled, match="disabled"):
        accounts.authenticate(filled_store, "wang", PASSWORD)
    assert accounts.by_email(filled_store, "wang@example.org") is None
    (listed,) = accounts.list_accounts(filled_store)
    assert listed["disabled"] and "password_hash" not in listed
    with pytest.raises(accounts.Unknown):
        accounts.disable(filled_store, "nobody", who="cli:test")


def test_single_sign_on_matches_the_email(filled_store, editor):
    assert editor == accounts.by_email(filled_store, "WANG@example.org")
    assert editor == accounts.single_sign_on(filled_store, "wang@example.org")
    with pytest.raises(accounts.Unknown, match="no account has this e-mail"):
        accounts.single_sign_on(filled_store, "stranger@example.org")
    with pytest.raises(accounts.Unknown, match="not verified"):
        accounts.single_sign_on(filled_store, "wang@example.org", verified=False)
    accounts.disable(filled_store, "wang", who="cli:test")
    with pytest.raises(accounts.Disabled):
        accounts.single_sign_on(filled_store, "wang@example.org")
    trail = account_audit(filled_store)
    assert ["sign_in", "failed", "failed", "update", "failed"] == trail["action"].tolist()[1:]
    assert ["single sign-on", "single sign-on: no account has this e-mail",
            "single sign-on: e-mail not verified"] == trail["why"].tolist()[1:4]


def test_an_editor_writes_for_its_departments_and_their_units(filled_store, editor):
    catalog = Catalog.read(filled_store)
    assert editor.can_write("zz_civil_affairs", catalog)
    assert editor.can_write("zz_relief_station", catalog)  # a unit of 民政局
    assert not editor.can_write("zz_cdc", catalog)
    assert {"zz_civil_affairs", "zz_relief_station"} == editor.writable(catalog)
    admin = accounts.add(filled_store, "admin1", PASSWORD, "admin", who="cli:test")
    assert admin.can_write("zz_cdc", catalog.frames.departments)
    assert set(catalog.departments) == admin.writable(catalog)


def test_a_session_ends_when_its_account_is_disabled_not_when_locked(filled_store, editor):
    assert editor == accounts.current(filled_store, "wang")
    for _ in range(5):
        with pytest.raises(accounts.AccountError):
            accounts.authenticate(filled_store, "wang", "wrong guess!")
    assert editor == accounts.current(filled_store, "wang")
    accounts.disable(filled_store, "wang", who="cli:test")
    assert accounts.current(filled_store, "wang") is None
    assert accounts.current(filled_store, "nobody") is None
