"""Who may write: accounts with a role and departments, argon2id passwords and a stored lockout.

Editing is off until an account exists. A password is only ever hashed (argon2id); the audit
records every account change, sign-in, failure, lock and sign-out, never a password or a hash.
Five failed sign-ins within 15 minutes lock the account for 15 minutes; failures and the lock
are columns of the store, so a restart does not lift them.

A name no account has is never recorded as typed (it may be a password typed in the wrong
field): it is audited as "(unknown)", at most MAX_UNKNOWN times in 15 minutes, so a flood of
guesses cannot flood the trail. Every answer to a wrong password is the same, in words and in
work (one argon2 verify), whether the name exists, is locked or is disabled: only someone who
knows an account's password learns that it is locked or disabled.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, Engine, func, insert, select, update

from civic import reads, store
from civic.departments import with_units
from civic.schema import accounts, audit, records, session_tokens

if TYPE_CHECKING:
    from civic.catalog import Catalog

EDITOR, APPROVER, ADMIN = "editor", "approver", "admin"
ROLES = (EDITOR, APPROVER, ADMIN)
"""An editor submits for review; an approver also publishes or returns what others of their
departments (units included) submit; an admin approves everything and manages targets."""
MIN_PASSWORD = 10
MAX_PASSWORD = 1024  # argon2 hashes anything; a bound keeps a pasted file from being one
MAX_FAILURES = 5
MAX_UNKNOWN = 20  # audited failures of unknown names per FAILURE_WINDOW, all names together
UNKNOWN = "(unknown)"  # the audit's name for a name no account has
FAILURE_WINDOW = dt.timedelta(minutes=15)
LOCK_FOR = dt.timedelta(minutes=15)
TABLE = "accounts"
# Audit actions of sign-ins, beside insert and update (the audit's action holds 8 characters).
SIGN_IN, FAILED, LOCKED, SIGN_OUT = "sign_in", "failed", "locked", "sign_out"
RESUMED = "resumed"  # signed in again, after a reload, by a session token (civic.session_tokens)
_NAME = re.compile(r"[\w.@-]{1,64}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")

_hasher = PasswordHasher()  # argon2id with the library's recommended parameters


@functools.cache
def _decoy() -> str:
    """A hash to verify against for an unknown name, so it takes as long as a known one."""
    return _hasher.hash("no account has this password")


class AccountError(Exception):
    """A sign-in or an account change refused; the message says why."""


class WrongPassword(AccountError):
    """Wrong name or password; an unknown name gets the same answer, so names are not revealed."""


class Locked(AccountError):
    def __init__(self, name: str, until: dt.datetime):
        self.until = until
        super().__init__(f"the account {name!r} is locked after {MAX_FAILURES} failed sign-ins "
                         f"until {until:%Y-%m-%d %H:%M} UTC")


class Disabled(AccountError):
    pass


class Invalid(AccountError):
    """A bad name, role, department, e-mail or password; nothing was written."""


class Unknown(AccountError):
    pass


@dataclass(frozen=True)
class Account:
    """A signed-in writer: what the pages and the write path need, never the hash."""

    name: str
    role: str
    departments: tuple[str, ...] = ()
    email: str | None = None

    @property
    def who(self) -> str:
        """The audit's `who` of this account's changes."""
        return self.name

    def writable(self, departments: Catalog | pd.DataFrame) -> set[str]:
        """The departments this account writes for: an editor's and their units, however deep;
        every department for an admin. `departments` is a catalog or its departments frame."""
        frame = departments.frames.departments if hasattr(departments, "frames") else departments
        if self.role == ADMIN:
            return set(frame["department"])
        return with_units(frame, self.departments)

    def can_write(self, department: str, departments: Catalog | pd.DataFrame) -> bool:
        return self.role == ADMIN or department in self.writable(departments)

    @property
    def reviews(self) -> bool:
        """Whether this account approves and returns submissions (of its departments)."""
        return self.role in (APPROVER, ADMIN)


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or dt.datetime.now(dt.UTC)


def of_row(row: Any) -> Account:
    """The account of a row of the accounts table."""
    return Account(row.name, row.role, tuple(row.departments), row.email)


def _public(row: Any) -> dict[str, Any]:
    """What the audit and `civic user list` show of an account: never its hash."""
    until = reads.utc(row.locked_until) if row.locked_until else None
    return {"name": row.name, "email": row.email, "role": row.role,
            "departments": list(row.departments), "disabled": bool(row.disabled),
            "locked_until": until.isoformat() if until else None}


def _row(connection: Connection, name: str) -> Any:
    query = select(accounts).where(accounts.c.name == name)
    if connection.dialect.name != "sqlite":  # SQLite's write lock already covers the row
        query = query.with_for_update()
    return connection.execute(query).one_or_none()


def _audit(connection: Connection, name: str, action: str, why: str, who: str | None = None,
           before: dict[str, Any] | None = None, after: dict[str, Any] | None = None) -> None:
    store.audit_changes(connection, [store.Change(TABLE, name, action, before, after)],
                        who=who or name, why=why)


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise Invalid(f"a password needs at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise Invalid(f"a password has at most {MAX_PASSWORD} characters")


def _email(email: str | None) -> str | None:
    if email is None or not email.strip():
        return None
    email = email.strip().lower()
    if len(email) > 254 or not _EMAIL.fullmatch(email):
        raise Invalid(f"{email!r} is not an e-mail address")
    return email


def _departments(connection: Connection, role: str, chosen: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(chosen))
    if role in (EDITOR, APPROVER) and not chosen:
        raise Invalid(f"an {role} needs at least one department (--department ID)")
    known = set(connection.execute(select(records.c.key)
                                   .where(records.c.kind == "departments")).scalars())
    unknown = [d for d in chosen if d not in known]
    if unknown:
        raise Invalid(f"no such department in the store: {', '.join(unknown)}"
                      + ("" if known else " (the store holds no departments yet)"))
    return chosen


def any_account(engine: Engine) -> bool:
    """Whether editing is on: it stays off until an account exists."""
    with engine.connect() as connection:
        return bool(connection.execute(select(func.count()).select_from(accounts)).scalar_one())


def add(engine: Engine, name: str, password: str, role: str, departments: Iterable[str] = (),
        email: str | None = None, *, who: str) -> Account:
    """A new account; raises `Invalid` for a bad or taken name or e-mail, role, department or
    too short a password."""
    if not _NAME.fullmatch(name):
        raise Invalid(f"{name!r} is not an account name: 1 to 64 letters, digits, '.', '@', "
                      "'_' or '-'")
    if role not in ROLES:
        raise Invalid(f"the role is {', '.join(ROLES[:-1])} or {ROLES[-1]}, not {role!r}")
    _check_password(password)
    email = _email(email)
    hashed = _hasher.hash(password)

    def work(connection: Connection) -> Account:
        chosen = _departments(connection, role, departments)
        if _row(connection, name) is not None:
            raise Invalid(f"an account named {name!r} exists")
        if email and connection.execute(select(accounts.c.name)
                                        .where(accounts.c.email == email)).first():
            raise Invalid(f"another account has the e-mail {email}")
        now = dt.datetime.now(dt.UTC)
        connection.execute(insert(accounts).values(
            name=name, email=email, role=role, departments=chosen, password_hash=hashed,
            disabled=False, failures=[], locked_until=None, created_at=now, changed_at=now))
        _audit(connection, name, "insert", "new account", who,
               after=_public(_row(connection, name)))
        return Account(name, role, tuple(chosen), email)

    return store.transaction(engine, work)


def list_accounts(engine: Engine) -> list[dict[str, Any]]:
    """Every account as `civic user list` shows it, by name: no hash."""
    with engine.connect() as connection:
        return [_public(row) for row in
                connection.execute(select(accounts).order_by(accounts.c.name))]


def _change(engine: Engine, name: str, values: dict[str, Any], why: str, who: str) -> None:
    """Change an account; its session tokens are revoked with it (civic.session_tokens), so a
    browser that kept one signs in no more after a new password or once disabled."""
    def work(connection: Connection) -> None:
        before = _row(connection, name)
        if before is None:
            raise Unknown(f"no account named {name!r}")
        now = dt.datetime.now(dt.UTC)
        connection.execute(update(accounts).where(accounts.c.name == name).values(
            **values, changed_at=now))
        connection.execute(update(session_tokens).where(
            session_tokens.c.account == name, session_tokens.c.revoked_at.is_(None))
            .values(revoked_at=now))
        _audit(connection, name, "update", why, who, _public(before),
               _public(_row(connection, name)))

    store.transaction(engine, work)


def disable(engine: Engine, name: str, *, who: str) -> None:
    """The account signs in no more; its past changes keep its name."""
    _change(engine, name, {"disabled": True}, "account disabled", who)


def set_password(engine: Engine, name: str, password: str, *, who: str) -> None:
    """A new password; it also clears the failures and lifts a lock."""
    _check_password(password)
    _change(engine, name, {"password_hash": _hasher.hash(password), "failures": [],
                           "locked_until": None}, "new password", who)


def _unknown(connection: Connection, now: dt.datetime, why: str,
             after: dict[str, Any] | None = None) -> None:
    """Audit a sign-in of a name (or e-mail) no account has, as "(unknown)": up to MAX_UNKNOWN
    within the window, the last of them saying that more go unrecorded."""
    recent = connection.execute(select(func.count()).select_from(audit).where(
        audit.c.table_name == TABLE, audit.c.key == UNKNOWN, audit.c.action == FAILED,
        audit.c.at > now - FAILURE_WINDOW)).scalar_one()
    if recent >= MAX_UNKNOWN:
        return
    if recent == MAX_UNKNOWN - 1:
        why += (f"; {MAX_UNKNOWN} within {FAILURE_WINDOW.seconds // 60} minutes: more are not "
                "recorded")
    store.audit_changes(connection, [store.Change(TABLE, UNKNOWN, FAILED, None, after)],
                        who=UNKNOWN, why=why, at=now)


def _failed(connection: Connection, row: Any, now: dt.datetime) -> AccountError:
    """Count a wrong password; the fifth within the window locks the account (the answer is
    the same as to any wrong password)."""
    since = now - FAILURE_WINDOW
    failures = [t for t in row.failures if dt.datetime.fromisoformat(t) > since]
    failures.append(now.isoformat())
    _audit(connection, row.name, FAILED, "wrong password")
    if len(failures) < MAX_FAILURES:
        connection.execute(update(accounts).where(accounts.c.id == row.id)
                           .values(failures=failures))
        return WrongPassword("wrong name or password")
    until = now + LOCK_FOR
    connection.execute(update(accounts).where(accounts.c.id == row.id)
                       .values(failures=[], locked_until=until))
    _audit(connection, row.name, LOCKED, f"{MAX_FAILURES} failed sign-ins within "
           f"{FAILURE_WINDOW.seconds // 60} minutes", after={"locked_until": until.isoformat()})
    return WrongPassword("wrong name or password")


def _refusal(connection: Connection, row: Any, now: dt.datetime) -> AccountError | None:
    """Why a known account may not sign in now, audited; None when it may."""
    if row.locked_until and reads.utc(row.locked_until) > now:
        until = reads.utc(row.locked_until)
        _audit(connection, row.name, FAILED, f"locked until {until.isoformat()}")
        return Locked(row.name, until)
    if row.disabled:
        _audit(connection, row.name, FAILED, "account disabled")
        return Disabled(f"the account {row.name!r} is disabled")
    return None


def _signed_in(connection: Connection, row: Any, why: str, **values: Any) -> Account:
    connection.execute(update(accounts).where(accounts.c.id == row.id)
                       .values(failures=[], locked_until=None, **values))
    _audit(connection, row.name, SIGN_IN, why)
    return of_row(row)


def authenticate(engine: Engine, name: str, password: str,
                 now: dt.datetime | None = None) -> Account:
    """The account, signed in; raises `WrongPassword`, or, to whoever gives the right password,
    `Locked` (with `until`) or `Disabled`.

    Every attempt is audited (an unknown name as "(unknown)", within a rate), and failures are
    counted in the store, in the same transaction.
    """
    now = _now(now)
    name = name.strip()[:64]

    def work(connection: Connection) -> Account | AccountError:
        row = _row(connection, name) if name else None
        if row is None:
            _verify(_decoy(), password)
            _unknown(connection, now, "unknown account")
            return WrongPassword("wrong name or password")
        right = _verify(row.password_hash, password)  # as much work for every answer
        refused = _refusal(connection, row, now)
        if refused:
            return refused if right else WrongPassword("wrong name or password")
        if not right:
            return _failed(connection, row, now)
        rehashed = {}
        if _hasher.check_needs_rehash(row.password_hash):
            rehashed = {"password_hash": _hasher.hash(password)}
        return _signed_in(connection, row, "password", **rehashed)

    # The audit of a refusal is committed before the refusal is raised.
    outcome = store.transaction(engine, work)
    if isinstance(outcome, AccountError):
        raise outcome
    return outcome


def _verify(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password[:MAX_PASSWORD])
    except (VerificationError, InvalidHashError):
        return False


def current(engine: Engine, name: str) -> Account | None:
    """The account as the store holds it now (role and departments may have changed since it
    signed in); None once it is disabled or gone. A lock stops new sign-ins only: someone
    guessing at a name does not end the sessions of the one who knows its password."""
    with engine.connect() as connection:
        row = connection.execute(select(accounts).where(accounts.c.name == name)).first()
    return None if row is None or row.disabled else of_row(row)


def by_email(engine: Engine, email: str) -> Account | None:
    """The enabled account with this e-mail (any case), if one has it."""
    email = (email or "").strip().lower()
    if not email:
        return None
    with engine.connect() as connection:
        row = connection.execute(select(accounts).where(accounts.c.email == email,
                                                        accounts.c.disabled.is_(False))).first()
    return of_row(row) if row else None


def single_sign_on(engine: Engine, email: str, verified: bool = True,
                   now: dt.datetime | None = None) -> Account:
    """The account an identity provider's e-mail belongs to, signed in and audited; raises
    `Unknown` (no account has it, or the provider says it is not verified), `Locked` or
    `Disabled`."""
    now = _now(now)
    email = (email or "").strip().lower()

    def work(connection: Connection) -> Account | AccountError:
        row = connection.execute(select(accounts).where(accounts.c.email == email)).first()
        if not email or row is None or not verified:
            why = "no account has this e-mail" if verified else "e-mail not verified"
            _unknown(connection, now, f"single sign-on: {why}", {"email": email[:254]})
            return Unknown(f"single sign-on: {why}: {email!r}")
        return _refusal(connection, row, now) or _signed_in(connection, row, "single sign-on")

    outcome = store.transaction(engine, work)
    if isinstance(outcome, AccountError):
        raise outcome
    return outcome


def sign_out(engine: Engine, account: Account) -> None:
    store.transaction(engine, lambda connection: _audit(connection, account.name, SIGN_OUT,
                                                        "signed out"))
