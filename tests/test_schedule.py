"""Schedules: daily, weekly on a weekday, monthly on a day, at a time in Beijing time; which slot
a run sends; `--now` read as Beijing time unless it carries a zone."""

from __future__ import annotations

import datetime as dt

import pytest

from civic.schedule import BEIJING, CATCH_UP, Schedule, ScheduleError, parse_now


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=BEIJING)


@pytest.mark.parametrize("every, hhmm, text", [
    ("daily", "08:00", "daily"), ("weekly:mon", "7:30", "weekly:MON"),
    ("Weekly:SUN", "23:59", "weekly:SUN"), ("monthly:1", "00:00", "monthly:1"),
    ("monthly:31", "18:05", "monthly:31"),
])
def test_schedules_parse_to_their_canonical_text(every, hhmm, text):
    schedule = Schedule.parse(every, hhmm)
    assert (text, f"{int(hhmm.split(':')[0]):02d}:{hhmm.split(':')[1]}") == (
        schedule.every_text, schedule.at_text)


@pytest.mark.parametrize("every, hhmm, says", [
    ("hourly", "08:00", "--every"), ("weekly:XYZ", "08:00", "--every"),
    ("monthly:0", "08:00", "--every"), ("monthly:32", "08:00", "--every"),
    ("daily:3", "08:00", "--every"), ("daily", "24:00", "--at"), ("daily", "8", "--at"),
])
def test_a_bad_schedule_says_which_option(every, hhmm, says):
    with pytest.raises(ScheduleError, match=says):
        Schedule.parse(every, hhmm)


def test_a_daily_slot_is_the_latest_time_of_day_passed():
    daily = Schedule.parse("daily", "08:00")
    assert at("2026-12-07T08:00") == daily.latest(at("2026-12-07T08:00"))
    assert at("2026-12-06T08:00") == daily.latest(at("2026-12-07T07:59"))
    # 00:30 UTC is 08:30 in Beijing
    assert at("2026-12-07T08:00") == daily.latest(dt.datetime(2026, 12, 7, 0, 30, tzinfo=dt.UTC))


def test_weekly_and_monthly_slots():
    assert at("2026-12-07T09:00") == Schedule.parse("weekly:MON", "09:00").latest(
        at("2026-12-10T12:00"))  # 2026-12-07 is a Monday
    assert at("2026-12-01T09:00") == Schedule.parse("monthly:1", "09:00").latest(
        at("2026-12-10T12:00"))
    # the 31st in a month of 30 days is its last day
    assert at("2026-11-30T09:00") == Schedule.parse("monthly:31", "09:00").latest(
        at("2026-12-10T12:00"))
    assert at("2026-02-28T09:00") == Schedule.parse("monthly:30", "09:00").latest(
        at("2026-03-15T12:00"))


def test_a_slot_older_than_the_catch_up_is_not_sent():
    daily = Schedule.parse("daily", "08:00")
    assert daily.due(at("2026-12-07T08:00") + CATCH_UP) == at("2026-12-07T08:00")
    assert daily.due(at("2026-12-07T08:01") + CATCH_UP) is None
    monthly = Schedule.parse("monthly:1", "08:00")
    assert monthly.due(at("2026-12-15T08:00")) is None


def test_now_is_beijing_time_unless_it_says_otherwise():
    assert at("2026-12-07T08:00") == parse_now("2026-12-07T08:00")
    assert parse_now("2026-12-07T00:00+00:00") == at("2026-12-07T08:00")
    with pytest.raises(ScheduleError, match="--now"):
        parse_now("next monday")
