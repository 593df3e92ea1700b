"""`civic deliver`: send what is due, record every delivery, never send one twice.

A run at `now` first plans, in one transaction holding the store's write lock: the alerts new
since the last run (`civic.alerts`), one delivery for each subscriber whose view holds the
indicator, and one delivery for each subscription whose slot is due (`civic.schedule`). Each
delivery has a key (what, to whom, which slot or alert), unique in the store, so a second run
at the same time, or two runs at once, plan nothing twice. Then it sends: each delivery is
claimed by a conditional update (only one run can claim it), its document built once per view,
sent, and its outcome recorded with the number of attempts. A failure is retried by later runs
after 5, 10, 20, 40 … minutes (at most `MAX_ATTEMPTS` tries), and never stops the others.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, and_, insert, or_, select, update

from civic import alerts as alerting
from civic import channels, digest, documents, reads, store
from civic.catalog import Catalog
from civic.channels import Config, Message, SendFailed
from civic.filters import Options
from civic.i18n import t
from civic.schedule import BEIJING
from civic.schema import accounts, deliveries, subscriptions
from civic.subscriptions import EMAIL, Invalid, Subscription, from_row, listed_in, view_query
from civic.view import View

SCHEDULED, ALERT = "scheduled", "alert"
PENDING, SENDING, SENT, FAILED, GAVE_UP, CANCELLED = (
    "pending", "sending", "sent", "failed", "gave_up", "cancelled")
RETRY_FIRST = dt.timedelta(minutes=5)
RETRY_LONGEST = dt.timedelta(hours=6)
MAX_ATTEMPTS = 6
LEASE = dt.timedelta(minutes=30)
"""A delivery claimed longer ago than this by a run that never recorded its outcome (the run
was killed) is tried again."""


def backoff(attempts: int) -> dt.timedelta:
    """How long after its `attempts`-th failure a delivery is tried again."""
    return min(RETRY_FIRST * 2 ** (attempts - 1), RETRY_LONGEST)


def key(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Planned:
    """A delivery to make: what, to whom, for which slot or alert."""

    key: str
    kind: str
    subscription: int
    alert: str | None
    slot: dt.datetime
    recipient: str
    channel: str
    document: str
    view: str


@dataclass(frozen=True)
class Outcome:
    id: int
    kind: str
    recipient: str
    channel: str
    document: str
    view: str
    slot: dt.datetime
    status: str
    attempts: int
    said: str
    next_attempt: dt.datetime | None = None


@dataclass
class Run:
    now: dt.datetime
    planned: list[Planned] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    alerts: list[alerting.Alert] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status in (FAILED, GAVE_UP)]


class _DryRun(Exception):
    def __init__(self, run: Run):
        self.run = run


def _views(catalog: Catalog) -> Callable[[str], set[str]]:
    """The programs of a subscription's view, each view worked out once."""
    options, found = Options.of(catalog.dataset), {}

    def programs(query: str) -> set[str]:
        if query not in found:
            try:
                filters, _ = view_query(query, options)
                found[query] = set(View(catalog, filters).program_ids)
            except Invalid:
                found[query] = set()  # a view that names what is gone hears of nothing
        return found[query]

    return programs


def _alert_plans(alerts: list[alerting.Alert], subs: list[Subscription], catalog: Catalog
                 ) -> list[Planned]:
    """One delivery per alert and recipient whose view holds the indicator: a recipient with
    two such subscriptions hears of it once."""
    programs = _views(catalog)
    planned: dict[str, Planned] = {}
    for alert in alerts:
        for sub in subs:
            if not sub.alerts or alert.program not in programs(sub.view):
                continue
            if sub.metrics and alert.metric not in sub.metrics:
                continue
            identity = key(ALERT, alert.key, sub.channel, sub.recipient)
            planned.setdefault(identity, Planned(identity, ALERT, sub.id, alert.key,
                                                 alert.detected_at, sub.recipient, sub.channel,
                                                 "alert", sub.view))
    return list(planned.values())


def _scheduled_plans(subs: list[Subscription], now: dt.datetime) -> list[Planned]:
    planned = []
    for sub in subs:
        slot = sub.schedule.due(now)
        if slot is not None:
            slot = slot.astimezone(dt.UTC)
            planned.append(Planned(key(SCHEDULED, sub.id, slot.isoformat()), SCHEDULED, sub.id,
                                   None, slot, sub.recipient, sub.channel, sub.document,
                                   sub.view))
    return planned


def _plan(engine: Engine, catalog: Catalog | None, settings: Config, now: dt.datetime,
          dry_run: bool) -> Run:
    """The deliveries due, planned under the write lock; alerts looked for when `catalog` is
    given (the store changed since they last were)."""
    run = Run(now, dry_run=dry_run)
    at = now.astimezone(dt.UTC)

    def work(connection: Connection) -> Run:
        subs = listed_in(connection)
        raised = [] if catalog is None else alerting.detect(connection, catalog,
                                                            settings.alert_share, at)
        if raised is None:
            run.notes.append("the store changed while it was read: alerts wait for the next run")
        run.alerts = raised or []
        plans = _scheduled_plans(subs, now)
        if run.alerts:  # found in the catalog, so there is one
            plans = _alert_plans(run.alerts, subs, catalog) + plans
        known = set()
        for part in range(0, len(plans), 500):
            keys = [p.key for p in plans[part:part + 500]]
            known |= set(connection.execute(select(deliveries.c.key)
                                            .where(deliveries.c.key.in_(keys))).scalars())
        run.planned = [p for p in plans if p.key not in known]
        if run.planned:
            connection.execute(insert(deliveries), [
                {**asdict(p), "status": PENDING, "attempts": 0, "next_attempt": None,
                 "error": None, "created_at": at, "claimed_at": None, "sent_at": None}
                for p in run.planned])
        if dry_run:
            raise _DryRun(run)
        return run

    try:
        return store.locked_transaction(engine, work)
    except _DryRun as rolled_back:
        return rolled_back.run


def _sendable(engine: Engine, now: dt.datetime) -> list[Any]:
    """Deliveries to send now: new ones, failures whose retry is due, and claims left by a
    run that was killed."""
    with engine.connect() as connection:
        return connection.execute(select(deliveries).where(or_(
            deliveries.c.status == PENDING,
            and_(deliveries.c.status == FAILED, deliveries.c.next_attempt <= now),
            and_(deliveries.c.status == SENDING, deliveries.c.claimed_at <= now - LEASE),
        )).order_by(deliveries.c.id)).all()


def _claim(engine: Engine, row: Any, now: dt.datetime) -> bool:
    """Take a delivery for this run: only one run's update finds it as it was."""
    def work(connection: Connection) -> bool:
        done = connection.execute(update(deliveries).where(
            deliveries.c.id == row.id, deliveries.c.status == row.status,
            deliveries.c.attempts == row.attempts,
        ).values(status=SENDING, claimed_at=now, attempts=row.attempts + 1))
        return done.rowcount == 1

    return store.transaction(engine, work)


def _finish(engine: Engine, row: Any, status: str, said: str, now: dt.datetime
            ) -> dt.datetime | None:
    attempts = row.attempts + 1
    retry = now + backoff(attempts) if status == FAILED else None
    values: dict[str, Any] = {"status": status, "next_attempt": retry}
    if status == SENT:
        values["sent_at"] = now  # an earlier failure's error stays on record
    else:
        values["error"] = said[:2000]
    store.transaction(engine, lambda c: c.execute(
        update(deliveries).where(deliveries.c.id == row.id).values(**values)))
    return retry


class _Cancelled(Exception):
    """The delivery's subscription was removed: it is not sent, nor tried again."""


class _Sender:
    """Builds each message once per view and document, and sends it on a channel."""

    def __init__(self, engine: Engine, catalog: Catalog, settings: Config):
        self.engine, self.catalog, self.settings = engine, catalog, settings
        self.options = Options.of(catalog.dataset)
        self.built: dict[tuple[str, str], Any] = {}

    def _subscription(self, number: int) -> Subscription | None:
        with self.engine.connect() as connection:
            row = connection.execute(select(subscriptions)
                                     .where(subscriptions.c.id == number)).first()
        return from_row(row) if row else None

    def message(self, row: Any, sub: Subscription) -> Message:
        filters, query = view_query(row.view, self.options)
        link = self.settings.link(query)
        if row.kind == ALERT:
            with self.engine.connect() as connection:
                alert = alerting.stored_alert(connection, row.alert)
            if alert is None:
                raise SendFailed(f"the alert {row.alert} is no longer stored")
            return alerting.message(alert, self.catalog, filters.lang, link)
        cached = self.built.get((query, row.document))
        if cached is None:
            try:
                view = View(self.catalog, filters)
                cached = (view, documents.build(row.document, view))
            except documents.DocumentError as error:
                cached = error
            self.built[(query, row.document)] = cached
        if isinstance(cached, documents.DocumentError):
            raise SendFailed(str(cached))
        view, attachment = cached
        day = reads.utc(row.slot).astimezone(BEIJING).date()
        return digest.message(view, row.document, sub.id, sub.schedule, day, link, attachment)

    def address(self, sub: Subscription) -> str:
        if sub.account:
            with self.engine.connect() as connection:
                found = connection.execute(select(accounts.c.email, accounts.c.disabled)
                                           .where(accounts.c.name == sub.account)).first()
            if found is None or found.disabled or not found.email:
                raise SendFailed(f"the account {sub.account} is disabled, gone or has no "
                                 "e-mail")
            return found.email
        return sub.email or ""

    def send(self, row: Any) -> str:
        sub = self._subscription(row.subscription)
        if sub is None:
            raise _Cancelled("the subscription was removed")
        message = self.message(row, sub)
        if row.channel == EMAIL:
            return channels.send_email(self.settings, self.address(sub), message, row.key[:32])
        hook = self.settings.webhooks.get(sub.webhook or "")
        if hook is None:
            raise SendFailed(f"no group bot named {sub.webhook} is configured")
        return channels.post_webhook(hook, message)


def deliver(engine: Engine, now: dt.datetime, *, dry_run: bool = False,
            settings: Config | None = None, catalog: Catalog | None = None) -> Run:
    """Plan and send what is due at `now` (aware); a dry run plans, lists and changes nothing.
    A run with nothing due on a store unchanged since the last reads no figures."""
    settings = settings or channels.config()
    if catalog is None and alerting.due_for_a_look(engine, now):
        catalog = Catalog.read(engine)  # else nothing to look at for alerts: no figure read
    run = _plan(engine, catalog, settings, now, dry_run)
    now = now.astimezone(dt.UTC)  # every time in the store is UTC
    if not settings.public_url and (run.planned or _sendable(engine, now)):
        run.notes.append("no public address of the dashboard is configured (CIVIC_PUBLIC_URL): "
                         "messages carry no link to their view")
    if dry_run:
        return run
    sendable = _sendable(engine, now)
    if sendable and catalog is None:
        catalog = Catalog.read(engine)
    sender = _Sender(engine, catalog, settings) if sendable else None
    for row in sendable:
        if not _claim(engine, row, now):
            continue  # another run took it
        try:
            said, status = sender.send(row), SENT
        except _Cancelled as error:
            said, status = str(error), CANCELLED
        except (SendFailed, Invalid) as error:
            said, status = str(error), FAILED
        except Exception as error:  # noqa: BLE001 - one delivery's fault, recorded, not the run's
            said, status = f"unexpected {type(error).__name__}: {error}", FAILED
        if status == FAILED and row.attempts + 1 >= MAX_ATTEMPTS:
            status = GAVE_UP
        retry = _finish(engine, row, status, said, now)
        run.outcomes.append(Outcome(row.id, row.kind, row.recipient, row.channel, row.document,
                                    row.view, reads.utc(row.slot), status, row.attempts + 1,
                                    said, retry))
    return run


LOG_COLUMNS = ["id", "kind", "recipient", "channel", "document", "view", "slot", "status",
               "attempts", "next_attempt", "error", "sent_at"]


def log(engine: Engine, limit: int = 500, recipients: set[str] | None = None) -> pd.DataFrame:
    """The newest deliveries, newest first (failures and retries included)."""
    query = select(*(deliveries.c[c] for c in LOG_COLUMNS)).order_by(deliveries.c.id.desc())
    if recipients is not None:
        query = query.where(deliveries.c.recipient.in_(sorted(recipients)))
    with engine.connect() as connection:
        rows = connection.execute(query.limit(limit)).all()
    return pd.DataFrame([row._asdict() for row in rows], columns=LOG_COLUMNS)


def log_table(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The deliveries as the page shows them, in its language, times in Beijing time."""
    def beijing(value: Any) -> str:
        if value is None or pd.isna(value):
            return ""
        return reads.utc(pd.Timestamp(value).to_pydatetime()).astimezone(BEIJING).strftime(
            "%Y-%m-%d %H:%M")

    shown = pd.DataFrame({
        "id": frame["id"],
        "kind": frame["kind"].map(lambda k: t(f"subscribe.kind.{k}", lang)),
        "recipient": frame["recipient"],
        "document": frame["document"].map(
            lambda d: t(f"delivery.document.{d}", lang) if d in documents.DOCUMENTS else
            t("subscribe.kind.alert", lang)),
        "slot": frame["slot"].map(beijing),
        "status": frame["status"].map(lambda s: t(f"subscribe.status.{s}", lang)),
        "attempts": frame["attempts"],
        "next": frame["next_attempt"].map(beijing),
        "sent": frame["sent_at"].map(beijing),
        "error": frame["error"].fillna(""),
    })
    return shown.rename(columns={c: t(f"subscribe.col.{c}", lang) for c in shown.columns})
