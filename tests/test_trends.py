"""How metrics move: histories, changes between reports, KPI cards and comparisons.

The later reports here are written for these tests (a temp copy of data/), never the edition's.
"""

import datetime as dt

import pandas as pd
import pytest
import yaml

from civic import trends
from civic.catalog import Catalog
from civic.filters import Filters
from civic.view import View

WALK = "programs/leaders_walk.yaml"


LATER = "test_report_20240701"
"""A report of these tests, dated after the reports it adds figures of."""


def _add_figures(folder, path, figures):
    """Figures added to a program's file, citing a later report of these tests."""
    sources = folder / "sources.yaml"
    content = yaml.safe_load(sources.read_text(encoding="utf-8"))
    if LATER not in {s["id"] for s in content["sources"]}:
        content["sources"].append({"id": LATER, "title": "测试报告", "title_en": "Test report",
                                   "edition_date": "2024-07-01"})
        sources.write_text(yaml.safe_dump(content, allow_unicode=True), encoding="utf-8")
    file = folder / path
    content = yaml.safe_load(file.read_text(encoding="utf-8"))
    content["figures"] += [{"source": LATER, **figure} for figure in figures]
    file.write_text(yaml.safe_dump(content, allow_unicode=True), encoding="utf-8")


@pytest.fixture
def later_reports(tmp_data):
    """Two later reports of the review's running total of experiences, and one of problems
    found and solved (100 not reported solved)."""
    _add_figures(tmp_data, WALK, [
        {"metric": "experiences", "reported": "5000人次", "period": "2021/2024-03-31",
         "locator": "测试报告累计5000人次"},
        {"metric": "experiences", "reported": "5600人次", "period": "2021/2024-06-30",
         "locator": "测试报告累计5600人次"},
        {"metric": "problems_found", "reported": "701个", "period": "2021/2024-06-30",
         "locator": "测试报告查找701个"},
        {"metric": "problems_solved", "reported": "601个", "period": "2021/2024-06-30",
         "locator": "测试报告解决601个"},
    ])
    return tmp_data


def _card(view, metric):
    return next(c for c in view.cards("leaders_walk", [metric]) if c.metric == metric)


def test_a_running_total_changes_by_what_was_added_between_reports(later_reports):
    view = View(Catalog.load(later_reports), Filters(date_to=dt.date(2024, 3, 31)))
    card = _card(view, "experiences")
    assert card.value == "5000人次"
    assert card.movement.change == "+977人次（+24.3%）"
    assert card.movement.change_note == "2021–2023-11-15以来新增 · ▲ 更好"
    assert (card.movement.tone, card.movement.arrow) == ("blue", "up")
    assert card.movement.trend == ()  # two reports: the change says it all


def test_the_card_shows_the_latest_report_on_or_before_the_end_date(later_reports):
    catalog = Catalog.load(later_reports)
    before = _card(View(catalog, Filters(date_to=dt.date(2023, 12, 31))), "experiences")
    assert before.value == "4023人次"
    assert before.movement.change == ""  # the first report: no change to show
    latest = _card(View(catalog, Filters(lang="en")), "experiences")
    assert latest.value == "5,600 person-times"
    assert latest.movement.change == "+600 person-times (+12%)"
    assert latest.movement.trend == (4023.0, 5000.0, 5600.0)


def test_a_fall_where_lower_is_better_is_good_news(later_reports):
    view = View(Catalog.load(later_reports), Filters(lang="en"))
    card = _card(view, "problems_not_reported_solved")
    # Derived 151 from the edition, then 100 from a later report's parts.
    assert card.movement.change.startswith("-51")
    assert card.movement.change_note == "vs 2021–2023-11-15 · ▼ better"
    assert (card.movement.tone, card.movement.arrow) == ("blue", "down")


def test_a_fall_in_what_should_rise_is_bad_news_in_colour_arrow_and_word(tmp_data):
    _add_figures(tmp_data, "programs/bowei_expansion.yaml", [
        {"metric": "jobs", "reported": "300人", "period": "2024-06-30",
         "locator": "测试报告安置300人"}])
    card = next(c for c in View(Catalog.load(tmp_data), Filters()).cards(
        "bowei_expansion", ["jobs"]))
    # From 350人左右, an approximate value: the change is approximate too.
    assert card.movement.change == "约-50人（-14.3%）"
    assert card.movement.change_note == "较2023-11-15 · ▼ 更差"
    assert (card.movement.tone, card.movement.arrow) == ("orange", "down")


def test_a_metric_that_does_not_say_which_way_is_good_only_changes(tmp_data):
    _add_figures(tmp_data, WALK, [{"metric": "problems_found", "reported": "700个",
                                   "period": "2021/2024-06-30", "locator": "测试报告查找700个"}])
    card = _card(View(Catalog.load(tmp_data), Filters(lang="en")), "problems_found")
    assert card.movement.change_note.endswith("▲ changed")
    assert card.movement.tone == "gray"


def test_a_single_report_shows_the_value_alone(data_dir):
    card = _card(View(Catalog.load(data_dir), Filters()), "experiences")
    assert card.value == "4023人次"
    assert card.movement.change == card.movement.change_note == ""
    assert card.movement.trend == ()


def test_progress_against_a_target(tmp_data):
    from test_metrics import PLAN, PLAN_SOURCE

    (tmp_data / "targets.yaml").write_text(yaml.safe_dump(
        {"sources": [PLAN_SOURCE],
         "targets": [{"program": "leaders_walk", "metric": "problems_solved", "value": 976,
                      **PLAN}]}),
        encoding="utf-8")
    card = _card(View(Catalog.load(tmp_data), Filters(lang="en")), "problems_solved")
    assert card.movement.progress == pytest.approx(0.5)
    assert card.movement.progress_text == "50% of target"


def _frame(rows):
    columns = ["program", "metric", "value", "value_max", "unit", "qualifier", "date",
               "date_end", "period", "department", "district", "group_zh"]
    frame = pd.DataFrame(rows, columns=columns)
    for column in ("date", "date_end"):
        frame[column] = pd.to_datetime(frame[column])
    return frame


def test_changes_of_a_series_skip_ranges_and_mark_qualified_values():
    frame = _frame([
        ("p", "m", 10, None, "piece", "exact", "2020-01-01", "2020-12-31", "2020", "d", None, None),
        ("p", "m", 15, None, "piece", "more_than", "2021-01-01", "2021-12-31", "2021", "d", None, None),
        ("p", "m", 12, 14, "piece", "range", "2022-01-01", "2022-12-31", "2022", "d", None, None),
        ("p", "m", 5, None, "piece", "exact", "2020-01-01", "2020-12-31", "2020", "d", None, "g"),
    ])
    changed = trends.with_changes(frame)
    assert changed["change"].tolist()[:2] == [pytest.approx(float("nan"), nan_ok=True), 5]
    assert changed["change_pct"].iloc[1] == pytest.approx(50)
    assert bool(changed["change_approx"].iloc[1])
    assert changed["previous_period"].iloc[1] == "2020"
    assert pd.isna(changed["change"].iloc[2])  # to a range: no single value to compare
    assert pd.isna(changed["change"].iloc[3])  # another group is another series
    assert trends.series(frame, "p", "m", end=pd.Timestamp("2021-12-31"))["value"].tolist() == [10, 15]


def test_only_comparable_figures_stand_together():
    frame = _frame([
        ("a", "m", 30, None, "CNY", "exact", "2023-01-01", "2023-01-31", "2023-01", "d1", "x", None),
        ("a", "m", 20, None, "CNY", "exact", "2022-01-01", "2022-01-31", "2022-01", "d1", "x", None),
        ("b", "m", 50, None, "CNY", "exact", "2023-05-01", "2023-05-01", "2023-05-01", "d2", "y", None),
        ("c", "m", 90, None, "CNY", "exact", "2021-01-01", "2023-06-30", "2021/2023-06-30", "d3", "y", None),
        ("d", "m", 70, None, "ha", "exact", "2023-01-01", "2023-01-31", "2023-01", "d4", None, None),
        ("e", "m", 80, None, "CNY", "exact", "2023-01-01", "2023-01-31", "2023-01", "d5", None, "g"),
        ("f", "m", 40, None, "CNY", "exact", "2023-01-01", "2023-01-31", "2023-01", "d6", None, None),
    ])
    result = trends.compare(frame, "m", "department")
    assert result.comparable[["department", "value"]].values.tolist() == [
        ["d2", 50], ["d6", 40], ["d1", 30]]
    reasons = dict(zip(result.not_comparable["department"], result.not_comparable["reason"]))
    assert reasons == {"d3": "period_kind", "d4": "unit", "d5": "group"}
    by_district = trends.compare(frame, "m", "district")
    assert set(by_district.not_comparable["reason"]) >= {"no_district"}


def test_each_metric_compares_the_ways_two_or_more_report_it():
    frame = _frame([  # m: three departments, two districts, two programs; one group
        ("a", "m", 30, None, "CNY", "exact", "2023-01-01", "2023-01-31", "2023-01", "d1", "x", None),
        ("b", "m", 50, None, "CNY", "exact", "2023-05-01", "2023-05-01", "2023-05-01", "d2", "y", None),
        ("b", "m", 60, None, "CNY", "exact", "2023-05-01", "2023-05-01", "2023-05-01", "d3", "y", "g"),
        # n: one department and program, two groups; o: one of each, reported twice
        ("a", "n", 1, None, "CNY", "exact", "2023-01-01", "2023-01-31", "2023-01", "d1", "x", "g"),
        ("a", "n", 2, None, "CNY", "exact", "2023-01-01", "2023-01-31", "2023-01", "d1", "x", "h"),
        ("a", "o", 1, None, "CNY", "exact", "2022-01-01", "2022-01-31", "2022-01", "d1", "x", None),
        ("a", "o", 2, None, "CNY", "exact", "2023-01-01", "2023-01-31", "2023-01", "d1", "x", None),
    ])
    assert {"m": ["department", "district", "program"], "n": ["group"]} == trends.sides(frame)
    assert {} == trends.sides(frame.iloc[:0])


# --- on the pages (AppTest, a store of this test alone) ----------------------------------------

def _stored(new_store, data_dir, folder):
    from civic import database, store
    engine = database.connect(new_store)
    store.prepare(engine, data_dir)
    store.load_folder(engine, folder, who="cli:test", why="later reports")


def test_the_walk_page_shows_change_sparkline_and_history(new_store, data_dir, later_reports):
    from test_app import open_app, plain
    _stored(new_store, data_dir, later_reports)
    at = open_app("leaders_walk", lang="en")
    assert [] == [e.value for e in at.exception]
    experiences = at.metric[0]
    assert experiences.value == "5,600 person-times"
    assert experiences.proto.delta == "+600 person-times (+12%)"
    assert list(experiences.proto.chart_data) == [4023, 5000, 5600]
    assert any(c.value == "added since 2021–2024-03-31 · ▲ better" for c in at.caption)
    assert any("Service experiences: each report" in plain(m.value) for m in at.markdown)


def test_a_single_report_has_no_change_on_the_page(new_store):
    from test_app import open_app
    at = open_app("leaders_walk", lang="en")
    assert at.metric[0].proto.delta == ""
    assert not any("each report" in m.value for m in at.markdown)


def test_the_compare_page_sorts_what_compares_and_says_why_the_rest_does_not(
        new_store, data_dir, tmp_data):
    from test_app import open_app
    _add_figures(tmp_data, "programs/bowei_expansion.yaml", [
        {"metric": "total_investment", "reported": "3亿元", "period": "2021/2023-11-15",
         "department": "zz_drc", "locator": "测试报告累计投资3亿元"}])
    _stored(new_store, data_dir, tmp_data)
    at = open_app("compare", lang="en")
    assert [] == [e.value for e in at.exception]
    at.selectbox(key="compare_metric_en").set_value("Total investment").run()
    comparable, rest = (t.value for t in at.table)
    assert comparable["As shown"].tolist() == ["CNY 1 billion", "CNY 1 billion"]
    assert rest["Reason"].tolist() == ["another kind of period"]
    assert rest["As shown"].tolist() == ["CNY 300 million"]


def test_every_series_newest_report_is_the_row_its_series_ends_with(later_reports):
    """The newest reports made at once are the rows `itertuples` gives of each series' end:
    same fields, same values, same types, with or without an end date."""
    histories = Catalog.load(later_reports).histories
    keys = histories.frame.groupby(["program", "metric"]).size().index
    assert len(keys) > 20
    for program, metric in keys:
        for group in {None, *histories.frame.loc[
                (histories.frame["program"] == program) & (histories.frame["metric"] == metric),
                "group_zh"].dropna()}:
            for end in (None, pd.Timestamp("2024-03-31"), pd.Timestamp("2000-01-01")):
                rows = histories.series(program, metric, group, end)
                expected = next(rows.tail(1).itertuples(), None)
                found = histories.newest(program, metric, group, end)
                assert (found is None) == (expected is None)
                if expected is not None:
                    assert found._fields == expected._fields
                    assert [type(v) for v in found] == [type(v) for v in expected]
                    assert repr(found) == repr(expected)
