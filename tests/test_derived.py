"""Derived metrics declared in the catalogue: evaluated only from inputs of one report (same
program, group, department and period end), for every such date (a history, changes, a
sparkline), the newest honest value on the card with its date and why a newer part is not in
it; a catalogue that declares them wrongly is told so. The later reports are made up for the
tests, on a copy of data/."""

from __future__ import annotations

import pytest
import yaml
from test_app import open_app, plain
from test_trends import _add_figures

from civic.catalog import Catalog
from civic.filters import Filters
from civic.loading import load
from civic.view import View

WALK = "programs/leaders_walk.yaml"


def add(folder, figures, path=WALK):
    """Figures added to a program's file, citing a later report of the tests (2024-07-01)."""
    _add_figures(folder, path, figures)
    return folder


def walk(metric, reported, period, **more):
    return {"metric": metric, "reported": reported, "period": period,
            "locator": f"测试{reported}", **more}


def card(view, metric):
    return next(c for c in view.cards("leaders_walk", [metric]) if c.metric == metric)


def test_a_rate_over_time_has_a_history_a_change_and_a_sparkline(tmp_data):
    add(tmp_data, [walk("problems_found", "700个", "2021/2024-03-31"),
                   walk("problems_solved", "560个", "2021/2024-03-31"),
                   walk("problems_found", "800个", "2021/2024-06-30"),
                   walk("problems_solved", "720个", "2021/2024-06-30")])
    view = View(Catalog.load(tmp_data), Filters(lang="en"))
    rate = card(view, "solution_rate")
    assert (rate.value, rate.period) == ("90%", "2021–2024-06-30")
    assert rate.movement.trend == pytest.approx((488 / 639 * 100, 80.0, 90.0))
    assert rate.movement.change.startswith("+10%")  # percentage of the previous value: +12.5%
    assert rate.note == "Computed for 2024-06-30"
    assert "720/800" in rate.provenance


def test_a_newer_part_alone_gives_no_value_and_the_card_says_why(tmp_data):
    add(tmp_data, [walk("experiences", "5123人次", "2021/2024-06-30"),
                   walk("problems_found", "701个", "2021/2024-06-30")])
    catalog = Catalog.load(tmp_data)
    rates = catalog.derived[catalog.derived["metric"] == "solution_rate"]
    assert list(rates["value"].round(1)) == [76.4]  # no 488/701 = 69.6
    for lang, note in [
        ("zh", "按2023-11-15的报告计算；查找问题已有2024-06-30的报告，但解决问题没有同日的报告，故未计入"),
        ("en", "Computed for 2023-11-15: Problems found has a report of 2024-06-30, but Problems "
               "solved none of that date, so it is not in it")]:
        rate = card(View(catalog, Filters(lang=lang)), "solution_rate")
        assert rate.note == note and rate.value == "76.4%"


def test_parts_of_two_departments_are_not_one_report(tmp_data):
    add(tmp_data, [walk("problems_found", "50个", "2024-05-27", department="lukou_gov",
                        correction="渌口区单列"),
                   walk("problems_solved", "40个", "2024-05-27", department="tianyuan_admin_approval",
                        correction="天元区单列")])
    derived = Catalog.load(tmp_data).derived
    assert set(derived.loc[derived["metric"] == "solution_rate", "department"]) == {
        "zz_admin_approval"}


def test_a_range_gives_no_single_derived_value(tmp_data):
    add(tmp_data, [walk("land_area", "6至8公顷", "2023-11-14"),
                   walk("total_investment", "9亿元", "2023-11-14")],
        "programs/longquan_park.yaml")
    catalog = Catalog.load(tmp_data)
    assert not catalog.loaded.problems
    derived = catalog.derived
    rows = derived[(derived["program"] == "longquan_park")
                   & (derived["metric"] == "investment_per_ha")]
    assert list(rows["value"]) == [1.4e8]  # of 2023-11-15 only


@pytest.mark.parametrize("derived, code", [
    ({"product": ["problems_solved", "problems_found"]}, "derived_op"),
    ({"ratio": ["problems_solved"]}, "derived_inputs"),
    ({"ratio": ["problems_solved", "problems_found"], "sum": ["a", "b"]}, "derived_one"),
    ({"ratio": ["problems_solved", "no_such_metric"], "unit": "percent", "scale": 100},
     "unknown"),
    ({"ratio": ["problems_solved", "solution_rate"], "unit": "percent", "scale": 100},
     "derived_of_derived"),
    ({"per_area": ["total_investment", "land_area"]}, "derived_area"),
    ({"ratio": ["problems_solved", "problems_found"], "unit": "CNY"}, "unit"),
])
def test_a_catalogue_that_declares_a_derived_metric_wrongly_is_told_so(tmp_data, derived, code):
    path = tmp_data / "metrics.yaml"
    content = yaml.safe_load(path.read_text(encoding="utf-8"))
    content["metrics"].append({"id": "test_rate", "label": {"zh": "测试率", "en": "Test rate"},
                               "dimension": "ratio", "derived": derived})
    path.write_text(yaml.safe_dump(content, allow_unicode=True), encoding="utf-8")
    problems = load(tmp_data).problems
    assert [p.code for p in problems] == [code], [str(p) for p in problems]
    assert all(p.record.startswith("metrics test_rate") for p in problems)


def test_the_overview_card_names_the_date_the_rate_is_computed_for(new_store, data_dir,
                                                                    tmp_data):
    from civic import database, store
    add(tmp_data, [walk("experiences", "5123人次", "2021/2024-06-30"),
                   walk("problems_found", "701个", "2021/2024-06-30")])
    engine = database.connect(new_store)
    store.prepare(engine, data_dir)
    store.load_folder(engine, tmp_data, who="cli:test", why="a half-year report")
    engine.dispose()
    at = open_app("overview", lang="en")
    assert [] == [e.value for e in at.exception]
    assert "76.4%" in [m.value for m in at.metric] and "69.6%" not in [m.value for m in at.metric]
    captions = [plain(c.value) for c in at.caption]
    assert any(c.startswith("Computed for 2023-11-15: Problems found has a report of 2024-06-30")
               for c in captions), captions
    assert "Data as of 2024-06-30" in [plain(c.value) for c in at.sidebar.caption]
