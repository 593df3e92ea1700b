"""The reporting calendar: periods of each cadence, the report expected after the last one, due
and overdue on a day, and `civic due`; an import of a newer report removes its row."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from conftest import prepared
from conftest import run_civic as run
from test_intake import HEADER, csv_bytes

from civic.catalog import Catalog
from civic.cli import main
from civic.models import Cadence, Metric
from civic.reporting import OVERDUE, period_of, periods_ended


@pytest.mark.parametrize("cadence, day, expected", [
    (Cadence.MONTHLY, "2023-11-11", ("2023-11-01", "2023-11-30", "2023-11")),
    (Cadence.MONTHLY, "2024-02-10", ("2024-02-01", "2024-02-29", "2024-02")),
    (Cadence.QUARTERLY, "2023-11-15", ("2023-10-01", "2023-12-31", "2023-Q4")),
    (Cadence.QUARTERLY, "2024-01-01", ("2024-01-01", "2024-03-31", "2024-Q1")),
    (Cadence.HALF_YEARLY, "2024-07-01", ("2024-07-01", "2024-12-31", "2024-H2")),
    (Cadence.YEARLY, "2022-12-31", ("2022-01-01", "2022-12-31", "2022")),
])
def test_the_period_a_day_falls_in(cadence, day, expected):
    start, end, name = period_of(cadence, dt.date.fromisoformat(day))
    assert (start.isoformat(), end.isoformat(), name) == expected


def test_periods_ended_since_a_report():
    last = dt.date(2023, 11, 15)
    assert 0 == periods_ended(Cadence.QUARTERLY, last, dt.date(2024, 3, 31))  # Q1 not over
    assert 1 == periods_ended(Cadence.QUARTERLY, last, dt.date(2024, 4, 1))
    assert 36 == periods_ended(Cadence.MONTHLY, dt.date(2023, 11, 11), dt.date(2026, 12, 5))


def test_a_calendar_belongs_to_reported_metrics_only():
    with pytest.raises(ValueError, match="follows the reporting calendar of its inputs"):
        Metric(id="rate", label={"zh": "率", "en": "Rate"}, dimension="ratio",
               cadence="monthly",
               derived={"ratio": ["a", "b"], "scale": 100, "unit": "percent"})
    with pytest.raises(ValueError):
        Metric(id="m", label={"zh": "甲", "en": "A"}, dimension="count", cadence="weekly")


@pytest.fixture(scope="module")
def shipped(data_dir):
    return Catalog.load(data_dir)


def test_viewed_today_every_program_that_reports_is_about_three_years_late(shipped):
    """The shipped edition of 2023-11-15 viewed on 2026-12-05: every program with a recurring
    report is overdue, its newest report about three years old; completed ones expect nothing."""
    due = shipped.calendar.due(dt.date(2026, 12, 5))
    assert set(due["status"]) == {OVERDUE}
    expected = {p.id for p in shipped.dataset.programs if str(p.status) != "completed"}
    assert set(due["program"]) == expected and len(expected) == 8
    assert due["days_overdue"].min() > 600 and due["days_overdue"].max() > 1000
    for department in set(due["department"]):
        newest = shipped.calendar.last_report(department, dt.date(2026, 12, 5))
        assert 2.9 <= (dt.date(2026, 12, 5) - newest).days / 365.25 <= 3.1, department
    relief = due[due["metric"] == "persons_taken_in"].iloc[0]
    assert (relief["period"], relief["due"], relief["department"]) == (
        "2023-12", dt.date(2024, 1, 10), "zz_relief_station")  # the station reports for the bureau


def test_a_period_not_over_is_not_expected(shipped):
    due = shipped.calendar.due(dt.date(2023, 12, 31))
    assert "persons_taken_in" not in set(due["metric"])  # December has not ended
    due = shipped.calendar.due(dt.date(2024, 1, 5))
    (row,) = due[due["metric"] == "persons_taken_in"].itertuples()
    assert (row.status, row.days_overdue) == ("due", -5)  # five days left


def test_reports_after_the_day_judged_do_not_count(shipped):
    """Judged on 2023-06-30, the edition's reports of 2023-11 are not in yet: only Bowei's
    investment of 2022-12 had a next quarter that ended, due 2023-04-15."""
    due = shipped.calendar.due(dt.date(2023, 6, 30))
    assert [("bowei_expansion", "total_investment", "2023-Q1", 76, "2022-12")] == [
        (r.program, r.metric, r.period, r.days_overdue, r.last_period) for r in due.itertuples()]


def test_civic_due_as_json_and_an_import_removes_its_row(tmp_path, capsys, data_dir):
    url = f"sqlite:///{tmp_path / 'c.sqlite3'}"
    with prepared(url, data_dir):
        pass
    code, out, err = run(capsys, "due", "--as-of", "2024-06-30", "--format", "json",
                         "--database", url)
    assert 0 == code, err
    rows = json.loads(out)
    assert rows and {"program", "metric", "department", "period", "due", "last_reported",
                     "days_overdue"} <= set(rows[0])
    relief = next(r for r in rows if r["metric"] == "persons_taken_in")
    assert {"program": "winter_relief", "department": "zz_relief_station", "period": "2023-12",
            "due": "2024-01-10", "days_overdue": 172, "last_reported": "2023-11-11",
            "status": "overdue"}.items() <= relief.items()

    # The relief campaign reports June: its row goes (July is not over on 2024-06-30).
    path = tmp_path / "june.csv"
    path.write_bytes(csv_bytes(HEADER, "winter_relief,persons_taken_in,4名,2024-06-30,"
                                       "zz_civil_affairs,,,测试接回4名,"))
    assert 0 == main(["import", str(path), "--source-title", "测试月报", "--source-date",
                      "2024-06-30", "--database", url])
    capsys.readouterr()
    after = json.loads(run(capsys, "due", "--as-of", "2024-06-30", "--format", "json",
                           "--database", url)[1])
    assert not [r for r in after if r["metric"] == "persons_taken_in"]
    assert len(after) == len(rows) - 1


def test_civic_due_for_a_department_and_its_units(tmp_path, capsys, data_dir):
    url = f"sqlite:///{tmp_path / 'c.sqlite3'}"
    code, out, _ = run(capsys, "due", "--as-of", "2026-12-05", "--department", "zz_civil_affairs",
                       "--database", url)  # the bureau and its relief station
    assert 0 == code and "persons_taken_in" in out and "leaders_walk" not in out
    code, out, _ = run(capsys, "due", "--as-of", "2026-12-05", "--format", "csv",
                       "--department", "zz_admin_approval", "--database", url)
    assert out.splitlines()[0].startswith("program,metric,department,period,period_end,due")
    assert {line.split(",")[0] for line in out.splitlines()[1:]} == {"leaders_walk"}
    code, _, err = run(capsys, "due", "--department", "nowhere", "--database", url)
    assert 2 == code and "unknown department 'nowhere'" in err
