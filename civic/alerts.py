"""Alerts: an indicator that crosses its target, moves the wrong way by more than a set share, or
whose report becomes overdue by the reporting calendar, raised once per indicator and report,
for the subscribers of its department to hear at the next `civic deliver`.

Each run compares every indicator's newest report (a program's latest ungrouped figure, derived
ones included) with the reading the previous run saw (`alert_state`), inside the run's write
transaction and only when the store has not changed since it was read. The sources in `SOURCES`
look at that comparison and say what deserves an alert; findings about one indicator and report
make one alert (its key), however often the run is repeated or the report corrected. A source
that needs no new report, such as `overdue_reports`, reads `Watch.catalog`, `Watch.now` and
`Watch.since` (when the sources last looked: a report that became overdue in between).

Watching starts with the first subscription (or the first run): what the store held then is
the baseline, and raises nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, delete, insert, select, update

from civic.catalog import Catalog
from civic.channels import Message
from civic.filters import Filters
from civic.i18n import format_number, format_period, labelled, t
from civic.metrics import Status, latest_figures, status
from civic.quantities import Qualifier
from civic.schedule import BEIJING
from civic.schema import alert_checks, alert_state, alerts, data_version
from civic.text import bot_text
from civic.view import View

TARGET_MET, TARGET_MISSED, WRONG_WAY, OVERDUE = (
    "target_met", "target_missed", "wrong_way", "overdue")


@dataclass(frozen=True)
class Reading:
    """An indicator's newest report as an alert speaks of it."""

    program: str
    metric: str
    value: float
    value_max: float | None
    unit: str
    qualifier: str
    period: str
    date_end: str
    department: str | None
    basis: str

    @property
    def indicator(self) -> str:
        return f"{self.program}/{self.metric}"

    @property
    def report(self) -> str:
        """The indicator and the report: an alert's key."""
        return f"{self.indicator}@{self.period}"

    def same(self, other: Reading) -> bool:
        return (self.period, self.value, self.value_max, self.unit, self.qualifier) == (
            other.period, other.value, other.value_max, other.unit, other.qualifier)


def _reading(document: dict[str, Any] | None) -> Reading | None:
    return Reading(**document) if document else None


def _of_row(row: object) -> Reading:
    value_max = None if pd.isna(row.value_max) else float(row.value_max)
    department = None if pd.isna(row.department) else str(row.department)
    return Reading(str(row.program), str(row.metric), float(row.value), value_max,
                   str(row.unit), str(row.qualifier), str(row.period),
                   row.date_end.date().isoformat(), department, str(row.basis))


def readings(catalog: Catalog) -> dict[str, Reading]:
    """Every indicator's newest report, by `program/metric`."""
    found = {}
    for row in latest_figures(catalog.frames.figures).itertuples(index=False):
        reading = _of_row(row)
        found[reading.indicator] = reading
    return found


def newest_reading(catalog: Catalog, program: str, metric: str) -> Reading | None:
    """An indicator's newest report of any group (a breakdown's part, where it has no total)."""
    figures = catalog.frames.figures
    rows = figures[(figures["program"] == program) & (figures["metric"] == metric)]
    last = next(rows.sort_values("date_end", kind="stable").tail(1).itertuples(index=False), None)
    return None if last is None else _of_row(last)


@dataclass(frozen=True)
class Finding:
    """What one source says about one indicator: the alert's key, why, before and after."""

    key: str
    reading: Reading
    reason: str
    before: Reading | None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Watch:
    """What the sources look at: the catalog now, every indicator as the last run saw it and as
    it is now, the share that counts as a wrong-way move, and the run's time."""

    catalog: Catalog
    before: dict[str, Reading]
    after: dict[str, Reading]
    share: float
    now: dt.datetime
    since: dt.datetime | None = None
    """When the sources last looked (None: never)."""

    @property
    def changed(self) -> list[tuple[Reading, Reading]]:
        """Indicators with a newer or corrected report since the last run (not one deleted)."""
        return [(self.before[key], after) for key, after in self.after.items()
                if key in self.before and not self.before[key].same(after)
                and after.date_end >= self.before[key].date_end]


def target_crossed(watch: Watch) -> Iterator[Finding]:
    """A report that meets a target the last one missed, or misses one it met."""
    for before, after in watch.changed:
        target = watch.catalog.target(after.program, after.metric, after.date_end)
        if target is None:
            continue
        was, now = status(before.value, target, before.unit), status(after.value, target,
                                                                       after.unit)
        if None not in (was, now) and was != now:
            yield Finding(after.report, after, TARGET_MET if now is Status.MET else TARGET_MISSED,
                          before, {"target": target.value, "at_least": target.at_least})


def wrong_way(watch: Watch) -> Iterator[Finding]:
    """A report that moved against the metric's desired direction by more than the share."""
    for before, after in watch.changed:
        metric = watch.catalog.metrics.get(after.metric)
        higher = metric.higher_is_better if metric else None
        ranged = Qualifier.RANGE in (before.qualifier, after.qualifier)
        if higher is None or ranged or before.value == 0 or before.unit != after.unit:
            continue
        share = (after.value - before.value) / abs(before.value)
        if (share < 0) == higher and abs(share) > watch.share:
            yield Finding(after.report, after, WRONG_WAY, before,
                          {"share": share, "limit": watch.share})


def overdue_reports(watch: Watch) -> Iterator[Finding]:
    """A report that has become overdue since the last look (its due date passed in between,
    Beijing time), by the reporting calendar (`civic.reporting`): one alert per indicator and
    period, with its due date and how late it is."""
    if watch.since is None:
        return
    today = watch.now.astimezone(BEIJING).date()
    looked = watch.since.astimezone(BEIJING).date()
    for expected in watch.catalog.calendar.expected(today):
        if not looked <= expected.due < today:
            continue
        indicator = f"{expected.program}/{expected.metric}"
        reading = watch.after.get(indicator) or newest_reading(watch.catalog, expected.program,
                                                              expected.metric)
        if reading is not None:
            yield Finding(f"{indicator}@due:{expected.period}", reading, OVERDUE, None,
                          {"period": expected.period, "due": expected.due.isoformat(),
                           "days_late": (today - expected.due).days,
                           "owner": expected.department})


Source = Callable[[Watch], Iterable[Finding]]
SOURCES: list[Source] = [target_crossed, wrong_way, overdue_reports]


@dataclass(frozen=True)
class Alert:
    """One alert as stored: one indicator and report, every reason found for it."""

    key: str
    program: str
    metric: str
    department: str | None
    reasons: tuple[str, ...]
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    detail: dict[str, Any]
    detected_at: dt.datetime


def _stored(connection: Connection) -> dict[str, Reading]:
    return {row.indicator: Reading(**row.reading)
            for row in connection.execute(select(alert_state.c.indicator, alert_state.c.reading))}


def _version(connection: Connection) -> int | None:
    return connection.execute(select(data_version.c.version)
                              .where(data_version.c.id == 1)).scalar()


def _current(connection: Connection, catalog: Catalog) -> bool:
    """Whether the store is as the catalog read it (the run holds the write lock)."""
    return catalog.version is not None and _version(connection) == catalog.version


def _checked(connection: Connection, version: int, now: dt.datetime) -> None:
    done = connection.execute(update(alert_checks).where(alert_checks.c.id == 1)
                              .values(version=version, checked_at=now))
    if done.rowcount == 0:
        connection.execute(insert(alert_checks).values(id=1, version=version, checked_at=now))


def due_for_a_look(engine: Engine, now: dt.datetime) -> bool:
    """Whether the sources must look: the store was written since they last did, or that was on
    an earlier day (Beijing time; a source may depend on the date alone, as a report overdue
    does). Two small queries, so most runs read no figures."""
    with engine.connect() as connection:
        checked = connection.execute(select(alert_checks.c.version, alert_checks.c.checked_at)
                                     .where(alert_checks.c.id == 1)).first()
        if checked is None or checked.version != _version(connection):
            return True
    last = checked.checked_at
    last = last.replace(tzinfo=dt.UTC) if last.tzinfo is None else last
    return last.astimezone(BEIJING).date() < now.astimezone(BEIJING).date()


def _save(connection: Connection, stored: dict[str, Reading], found: dict[str, Reading],
          now: dt.datetime) -> None:
    gone = [key for key in stored if key not in found]
    if gone:
        connection.execute(delete(alert_state).where(alert_state.c.indicator.in_(gone)))
    new = [{"indicator": k, "reading": asdict(r), "seen_at": now}
           for k, r in found.items() if k not in stored]
    if new:
        connection.execute(insert(alert_state), new)
    for key, reading in found.items():
        if key in stored and not stored[key].same(reading):
            connection.execute(update(alert_state).where(alert_state.c.indicator == key)
                               .values(reading=asdict(reading), seen_at=now))


def start_watching(connection: Connection, catalog: Catalog) -> None:
    """Take the baseline when nothing is watched yet: what the store holds raises nothing."""
    if _current(connection, catalog) and not connection.execute(
            select(alert_state.c.id).limit(1)).first():
        now = dt.datetime.now(dt.UTC)
        _save(connection, {}, readings(catalog), now)
        _checked(connection, catalog.version, now)


def detect(connection: Connection, catalog: Catalog, share: float, now: dt.datetime,
           sources: Iterable[Source] = SOURCES) -> list[Alert] | None:
    """The alerts new since the last run, stored, and the readings brought up to date; None
    when the store changed after the catalog was read (the next run looks again)."""
    if not _current(connection, catalog):
        return None
    stored, found = _stored(connection), readings(catalog)
    since = connection.execute(select(alert_checks.c.checked_at)
                               .where(alert_checks.c.id == 1)).scalar()
    since = since.replace(tzinfo=dt.UTC) if since is not None and since.tzinfo is None else since
    _checked(connection, catalog.version, now)
    if not stored:
        _save(connection, stored, found, now)
        return []
    watch = Watch(catalog, stored, found, share, now, since)
    merged: dict[str, list[Finding]] = {}
    for source in sources:
        for finding in source(watch):
            merged.setdefault(finding.key, []).append(finding)
    known = set(connection.execute(select(alerts.c.key).where(alerts.c.key.in_(list(merged))))
                .scalars()) if merged else set()
    raised = []
    for key, findings in merged.items():
        if key in known:
            continue
        first = findings[0]
        detail: dict[str, Any] = {}
        for finding in findings:
            detail.update(finding.detail)
        raised.append(Alert(key, first.reading.program, first.reading.metric,
                            first.reading.department, tuple(f.reason for f in findings),
                            asdict(first.before) if first.before else None,
                            asdict(first.reading), detail, now))
    if raised:
        connection.execute(insert(alerts), [
            {**asdict(alert), "reasons": list(alert.reasons)} for alert in raised])
    _save(connection, stored, found, now)
    return raised


def stored_alert(connection: Connection, key: str) -> Alert | None:
    row = connection.execute(select(alerts).where(alerts.c.key == key)).first()
    if row is None:
        return None
    return Alert(row.key, row.program, row.metric, row.department, tuple(row.reasons),
                 row.before, row.after, row.detail, row.detected_at)


# --- in words -----------------------------------------------------------------------------------

def _reason(reason: str, detail: dict[str, Any], lang: str) -> str:
    values: dict[str, Any] = {}
    if "target" in detail:
        values["target"] = f"{detail['target']:g}"
    if "share" in detail:
        values["share"] = format_number(abs(detail["share"]) * 100, lang, 1)
        values["limit"] = format_number(detail["limit"] * 100, lang, 0)
    if reason == OVERDUE:
        values.update(period=detail["period"], due=detail["due"],
                      days=format_number(detail["days_late"], lang, 0))
    return t(f"delivery.alert.{reason}", lang, **values)


def message(alert: Alert, catalog: Catalog, lang: str, link: str | None) -> Message:
    """The alert in the subscriber's language: what crossed or moved, before and after with
    their periods, and the link to the view."""
    view = View(catalog, Filters(lang=lang))
    what = f"{view.program_name(alert.program)} · {view.label(alert.metric)}"
    subject = t("delivery.alert.subject", lang, what=what)
    reasons = [_reason(r, alert.detail, lang) for r in alert.reasons]

    def said(key: str, document: dict[str, Any] | None) -> str | None:
        reading = _reading(document)
        if reading is None:
            return None
        value = view.quantity(reading)
        period = format_period(reading.period)
        shown = f"{value}（{period}）" if lang == "zh" else f"{value} ({period})"
        return labelled(t(f"delivery.alert.{key}", lang), shown, lang)

    now = "last" if OVERDUE in alert.reasons else "after"  # no new report: the last one
    states = [s for s in (said("before", alert.before), said(now, alert.after)) if s]
    opened = [t("delivery.open", lang, link=link)] if link else []
    text = "\n".join([subject, *reasons, *states, "", *opened]) + "\n"
    markdown = "\n".join([f"### {bot_text(subject)}", *(f"- {bot_text(r)}" for r in reasons),
                          *(f"- {bot_text(s)}" for s in states)])
    if link:
        markdown += f"\n\n[{t('delivery.open_short', lang)}]({link})"
    return Message(subject, text, markdown)
