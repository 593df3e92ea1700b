"""A sign-in that survives a refresh: random session tokens, kept by the browser in a cookie and
by the store only as their SHA-256.

A password sign-in issues a token that lives `lifetime()` from then, never longer: a reload
brings it back, and `resume` signs the account in again, audited as `accounts.RESUMED`. Signing
out revokes the token; so do a new password and disabling the account (`civic.accounts`, in the
same transaction as that change). An expired or revoked token, or one
of a disabled account, signs nobody in. The token is 256 random bits: it is not guessed, and
its hash in a copied database is no way in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import secrets
from typing import TypeGuard

from sqlalchemy import Connection, Engine, delete, insert, select, update

from civic import accounts, store
from civic.accounts import Account
from civic.schema import accounts as accounts_table
from civic.schema import session_tokens

COOKIE = "civic_session"
HOURS_VARIABLE = "CIVIC_SESSION_HOURS"
DEFAULT_HOURS = 8.0
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)


def lifetime() -> dt.timedelta:
    """How long a sign-in lasts: CIVIC_SESSION_HOURS (a positive number), 8 hours unless set."""
    text = os.environ.get(HOURS_VARIABLE, "").strip()
    try:
        hours = float(text) if text else DEFAULT_HOURS
    except ValueError:
        raise ValueError(f"{HOURS_VARIABLE} is a number of hours, not {text!r}") from None
    if not 0 < hours <= 24 * 366:
        raise ValueError(f"{HOURS_VARIABLE} is more than 0 hours and at most a year, not {text}")
    return dt.timedelta(hours=hours)


def well_formed(token: object) -> TypeGuard[str]:
    """Whether `token` looks like one this module issues: anything else is never looked up, and
    never written into the page."""
    return isinstance(token, str) and _TOKEN.fullmatch(token) is not None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or dt.datetime.now(dt.UTC)


def issue(engine: Engine, account: Account, now: dt.datetime | None = None,
          lasts: dt.timedelta | None = None) -> str:
    """A new token for a signed-in account, valid for `lasts` (else `lifetime()`); the store
    keeps its hash. Tokens already expired are deleted on the way."""
    now = _now(now)
    token = secrets.token_urlsafe(32)

    def work(connection: Connection) -> None:
        connection.execute(delete(session_tokens).where(session_tokens.c.expires_at <= now))
        connection.execute(insert(session_tokens).values(
            digest=_digest(token), account=account.name, created_at=now,
            expires_at=now + (lasts or lifetime()), revoked_at=None))

    store.transaction(engine, work)
    return token


def _live(token: str, now: dt.datetime):
    """The account row of a live token: not revoked, not expired, its account enabled."""
    return (select(accounts_table)
            .join(session_tokens, session_tokens.c.account == accounts_table.c.name)
            .where(session_tokens.c.digest == _digest(token),
                   session_tokens.c.revoked_at.is_(None), session_tokens.c.expires_at > now,
                   accounts_table.c.disabled.is_(False)))


def current(engine: Engine, token: str, now: dt.datetime | None = None) -> Account | None:
    """The account a token signs in now, as the store holds it; None once the token is revoked
    or expired or the account disabled. One query, nothing audited: each rerun of a page asks."""
    if not well_formed(token):
        return None
    with engine.connect() as connection:
        row = connection.execute(_live(token, _now(now))).first()
    return accounts.of_row(row) if row else None


def resume(engine: Engine, token: str, now: dt.datetime | None = None) -> Account | None:
    """The account a token from the browser signs in again, audited as `accounts.RESUMED`; None
    (and nothing audited: anyone may send a cookie) for a token that is unknown, expired or
    revoked, or of a disabled account. A lock stops new password sign-ins, not this one, as it
    ends no session already open."""
    if not well_formed(token):
        return None
    now = _now(now)

    def work(connection: Connection) -> Account | None:
        row = connection.execute(_live(token, now)).first()
        if row is None:
            return None
        store.audit_changes(connection, [store.Change(accounts.TABLE, row.name,
                                                      accounts.RESUMED, None, None)],
                            who=row.name, why="session token", at=now)
        return accounts.of_row(row)

    return store.transaction(engine, work)


def revoke(engine: Engine, token: str, now: dt.datetime | None = None) -> None:
    """The token signs nobody in any more (at sign-out)."""
    if not well_formed(token):
        return
    store.transaction(engine, lambda connection: connection.execute(
        update(session_tokens)
        .where(session_tokens.c.digest == _digest(token), session_tokens.c.revoked_at.is_(None))
        .values(revoked_at=_now(now))))
