"""Subscriptions: who receives which view, as which document, how often and through which channel.

A subscription's view is the dashboard link's query (`dept=zz_civil_affairs&lang=en`): the same
filters and language the official would see on opening it. Its recipient is an e-mail address,
an account (delivered to the account's e-mail as it is when sent) or a named group bot whose
address and secret are configuration (`civic.channels`), never rows of the store. Every
subscription added or removed is audited in the same transaction (table `subscriptions`), as
account changes are.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import urllib.parse
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd
from sqlalchemy import Connection, Engine, delete, insert, select

from civic import alerts as watched
from civic import reads, store
from civic.documents import require
from civic.filters import QUERY_KEYS, Filters, Options, from_query, to_query
from civic.i18n import DEFAULT_LANG, LANGS, t
from civic.schedule import BEIJING, Schedule
from civic.schema import accounts, subscriptions

if TYPE_CHECKING:
    from civic.catalog import Catalog

TABLE = "subscriptions"
EMAIL, WEBHOOK = "email", "webhook"
CHANNELS = (EMAIL, WEBHOOK)
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class Invalid(ValueError):
    """A subscription that cannot be made or removed; nothing was written."""


@dataclass(frozen=True)
class Subscription:
    id: int
    channel: str
    email: str | None
    account: str | None
    webhook: str | None
    view: str
    document: str
    every: str
    at: str
    alerts: bool
    metrics: tuple[str, ...]
    owner: str
    created_at: dt.datetime

    @property
    def recipient(self) -> str:
        """Who receives it, as the deliveries record: an address, account:NAME, webhook:NAME."""
        if self.account:
            return f"account:{self.account}"
        if self.webhook:
            return f"webhook:{self.webhook}"
        return self.email or ""

    @property
    def schedule(self) -> Schedule:
        return Schedule.parse(self.every, self.at)

    @property
    def query(self) -> dict[str, list[str]]:
        return urllib.parse.parse_qs(self.view)

    @property
    def lang(self) -> str:
        lang = self.query.get("lang", [DEFAULT_LANG])[0]
        return lang if lang in LANGS else DEFAULT_LANG

    def public(self) -> dict[str, Any]:
        """What the audit, `civic subscribe list` and the page show."""
        shown = asdict(self)
        shown["metrics"] = list(self.metrics)
        shown["created_at"] = self.created_at.isoformat(timespec="seconds")
        return shown


def from_row(row: Any) -> Subscription:
    """A row of the table as a `Subscription`."""
    created = reads.utc(row.created_at)
    return Subscription(row.id, row.channel, row.email, row.account, row.webhook, row.view,
                        row.document, row.every, row.at, bool(row.alerts), tuple(row.metrics),
                        row.owner, created)


def view_query(text: str, options: Options, lang: str | None = None) -> tuple[Filters, str]:
    """The filters of a dashboard link or its query (`dept=…&lang=en`, `?dept=…` or the whole
    URL), and the query as stored; `lang` given overrides the link's. Refuses a key the
    dashboard does not read and any value it would ignore, naming them."""
    query = text.strip()
    if "?" in query:
        query = query.split("?", 1)[1]
    query = query.split("#", 1)[0]
    params = urllib.parse.parse_qs(query, keep_blank_values=True)
    unknown = sorted(set(params) - set(QUERY_KEYS))
    if unknown:
        raise Invalid(f"the view's query has keys the dashboard does not read: "
                      f"{', '.join(unknown)} (it reads {', '.join(QUERY_KEYS)})")
    if lang is not None:
        if lang not in LANGS:
            raise Invalid(f"the language is {' or '.join(LANGS)}, not {lang!r}")
        params["lang"] = [lang]
    filters, notices = from_query(params, options)
    if notices:
        raise Invalid("the view names what the dashboard does not know: " + "; ".join(
            f"{notice.key.split('.')[-1].removeprefix('bad_')} {notice.value[:40]!r}"
            for notice in notices))
    return filters, canonical(filters)


def canonical(filters: Filters) -> str:
    """The query that reopens the view, language always included."""
    query = {"lang": filters.lang, **to_query(filters)}
    return urllib.parse.urlencode(query, doseq=True)


def _email(address: str) -> str:
    address = address.strip().lower()
    if len(address) > 254 or not _EMAIL.fullmatch(address):
        raise Invalid(f"{address!r} is not an e-mail address")
    return address


def add(engine: Engine, catalog: Catalog, *, view: str, document: str, every: str, at: str,
        who: str, email: str | None = None, account: str | None = None,
        webhook: str | None = None, lang: str | None = None, alerts: bool = True,
        metrics: Iterable[str] = (), webhooks: Iterable[str] = (),
        why: str | None = None) -> Subscription:
    """A new subscription, audited; raises `Invalid` (or `DocumentError`) saying what is wrong.

    Exactly one of `email`, `account` and `webhook`; `webhooks` are the names configured on
    this machine. A group bot takes Markdown only, so it receives the digest.
    """
    recipients = [r for r in (email, account, webhook) if r]
    if len(recipients) != 1:
        raise Invalid("name one recipient: --email ADDRESS, --account NAME or --webhook NAME")
    require(document)
    schedule = Schedule.parse(every, at)
    _, query = view_query(view, _options(catalog), lang)
    metrics = list(dict.fromkeys(metrics))
    unknown = [m for m in metrics if m not in catalog.metrics]
    if unknown:
        raise Invalid(f"no such indicator: {', '.join(unknown)}")
    if webhook:
        if webhook not in set(webhooks):
            configured = ", ".join(sorted(webhooks)) or "none"
            raise Invalid(f"no group bot named {webhook!r} is configured (configured: "
                          f"{configured}); see [delivery.webhooks] in .streamlit/secrets.toml")
        if document != "digest":
            raise Invalid("a group bot takes a Markdown message, not a file: use "
                          "--document digest for --webhook")
    values = {
        "channel": WEBHOOK if webhook else EMAIL,
        "email": _email(email) if email else None,
        "account": account, "webhook": webhook, "view": query, "document": document,
        "every": schedule.every_text, "at": schedule.at_text, "alerts": alerts,
        "metrics": metrics, "owner": who, "created_at": dt.datetime.now(dt.UTC),
    }

    def work(connection: Connection) -> Subscription:
        if account:
            row = connection.execute(select(accounts.c.email, accounts.c.disabled)
                                     .where(accounts.c.name == account)).first()
            if row is None or row.disabled:
                raise Invalid(f"no account named {account!r}" if row is None
                              else f"the account {account!r} is disabled")
            if not row.email:
                raise Invalid(f"the account {account!r} has no e-mail to deliver to "
                              "(civic user add … --email)")
        new_id = connection.execute(insert(subscriptions).values(**values)).inserted_primary_key[0]
        added = from_row(connection.execute(
            select(subscriptions).where(subscriptions.c.id == new_id)).one())
        store.audit_changes(connection, [store.Change(TABLE, str(new_id), "insert", None,
                                                      added.public())],
                            who=who, why=why or "new subscription")
        watched.start_watching(connection, catalog)
        return added

    return store.locked_transaction(engine, work)


def _options(catalog: Catalog) -> Options:
    return Options.of(catalog.dataset)


def listed(engine: Engine, owner: str | None = None) -> list[Subscription]:
    """Every subscription, oldest first; with `owner`, those it made or that go to its account."""
    query = select(subscriptions).order_by(subscriptions.c.id)
    if owner is not None:
        query = query.where((subscriptions.c.owner == owner) | (subscriptions.c.account == owner))
    with engine.connect() as connection:
        return [from_row(row) for row in connection.execute(query)]


def listed_in(connection: Connection) -> list[Subscription]:
    return [from_row(row) for row in
            connection.execute(select(subscriptions).order_by(subscriptions.c.id))]


def remove(engine: Engine, subscription_id: int, *, who: str, why: str | None = None,
           owner: str | None = None) -> Subscription:
    """Delete a subscription, audited with what it was; `owner` limits it to that account's own.
    Its deliveries stay on record."""
    def work(connection: Connection) -> Subscription:
        row = connection.execute(select(subscriptions)
                                 .where(subscriptions.c.id == subscription_id)).first()
        found = from_row(row) if row else None
        if found is None or (owner is not None and owner not in (found.owner, found.account)):
            raise Invalid(f"no subscription {subscription_id}"
                          + (" of yours" if owner is not None and found else ""))
        connection.execute(delete(subscriptions).where(subscriptions.c.id == subscription_id))
        store.audit_changes(connection, [store.Change(TABLE, str(subscription_id), "delete",
                                                      found.public(), None)],
                            who=who, why=why or "subscription removed")
        return found

    return store.transaction(engine, work)



def table(found: list[Subscription], catalog: Catalog, lang: str) -> pd.DataFrame:
    """Subscriptions as the page lists them, in its language: the view in words, the schedule
    in Beijing time."""
    from civic.view import View

    options = _options(catalog)

    def view_words(sub: Subscription) -> str:
        try:
            filters = view_query(sub.view, options)[0]
            return View(catalog, dataclasses.replace(filters, lang=lang)).context()
        except Invalid:
            return sub.view

    rows = [{
        "id": sub.id, "recipient": sub.recipient, "view": view_words(sub),
        "lang": t(f"subscribe.lang.{sub.lang}", lang),
        "document": t(f"delivery.document.{sub.document}", lang),
        "schedule": sub.schedule.words(lang),
        "alerts": t("subscribe.yes" if sub.alerts else "subscribe.no", lang),
        "owner": sub.owner,
        "created": sub.created_at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M"),
    } for sub in found]
    columns = ["id", "recipient", "view", "lang", "document", "schedule", "alerts", "owner",
               "created"]
    return pd.DataFrame(rows, columns=columns).rename(
        columns={c: t(f"subscribe.col.{c}", lang) for c in columns})
