"""When a subscription is due: daily, weekly on a weekday or monthly on a day, at a time of day
in Beijing time, which keeps no summer time.

A run of `civic deliver` sends a subscription's latest slot at or before its `now` once, as
long as that slot is at most `CATCH_UP` old: a timer that was stopped for a few hours still
sends the morning's brief; one stopped for days does not send a pile of old ones.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from civic.i18n import t

BEIJING = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")
WEEKDAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
CATCH_UP = dt.timedelta(hours=12)
_AT = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")


class ScheduleError(ValueError):
    """A schedule that does not parse; the message says what is expected."""


@dataclass(frozen=True)
class Schedule:
    """`every` is daily, weekly or monthly; `day` the weekday (0 Monday) or the day of the month
    (a day past a month's end is its last day); `at` the time of day in Beijing."""

    every: str
    day: int | None
    at: dt.time

    @classmethod
    def parse(cls, every: str, at: str) -> Schedule:
        every, at = every.strip(), at.strip()
        if not (found := _AT.fullmatch(at)):
            raise ScheduleError(f"--at is a time of day HH:MM (Beijing time), not {at!r}")
        time = dt.time(int(found[1]), int(found[2]))
        kind, _, day = every.partition(":")
        kind = kind.lower()
        if kind == "daily" and not day:
            return cls("daily", None, time)
        if kind == "weekly" and day.upper() in WEEKDAYS:
            return cls("weekly", WEEKDAYS.index(day.upper()), time)
        if kind == "monthly" and day.isdigit() and 1 <= int(day) <= 31:
            return cls("monthly", int(day), time)
        raise ScheduleError(f"--every is daily, weekly:MON … weekly:SUN or monthly:1 … "
                            f"monthly:31, not {every!r}")

    @property
    def every_text(self) -> str:
        """As stored and typed: daily, weekly:MON, monthly:1."""
        if self.every == "weekly":
            return f"weekly:{WEEKDAYS[self.day or 0]}"
        if self.every == "monthly":
            return f"monthly:{self.day}"
        return "daily"

    @property
    def at_text(self) -> str:
        return self.at.strftime("%H:%M")

    def _on(self, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, self.at, BEIJING)

    def latest(self, now: dt.datetime) -> dt.datetime:
        """The latest slot at or before `now`, in Beijing time."""
        today = now.astimezone(BEIJING).date()
        for back in range(0, 62):
            day = today - dt.timedelta(days=back)
            if self._falls_on(day) and (slot := self._on(day)) <= now:
                return slot
        raise AssertionError("every schedule has a slot within two months")

    def _falls_on(self, day: dt.date) -> bool:
        if self.every == "weekly":
            return day.weekday() == self.day
        if self.every == "monthly":
            last = calendar.monthrange(day.year, day.month)[1]
            return day.day == min(self.day or 1, last)
        return True

    def words(self, lang: str) -> str:
        """每天 08:00 / every Monday at 08:00 (Beijing time, said where it is shown)."""
        weekday = (t(f"delivery.weekday.{WEEKDAYS[self.day or 0]}", lang)
                   if self.every == "weekly" else "")
        return t(f"delivery.every.{self.every}", lang, at=self.at_text, weekday=weekday,
                 day=self.day if self.every == "monthly" else "")

    def due(self, now: dt.datetime) -> dt.datetime | None:
        """The slot a run at `now` sends: the latest, unless it is older than `CATCH_UP`."""
        slot = self.latest(now)
        return slot if now - slot <= CATCH_UP else None


def parse_now(text: str) -> dt.datetime:
    """`--now`: an ISO date and time, in Beijing time unless it carries its own zone."""
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise ScheduleError(f"--now is a date and time such as 2026-12-07T08:00, not {text!r}")\
            from None
    return moment.replace(tzinfo=BEIJING) if moment.tzinfo is None else moment


def now() -> dt.datetime:
    return dt.datetime.now(BEIJING)
