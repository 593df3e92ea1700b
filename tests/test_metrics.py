"""Derived values, KPI selection and targets: computed once in civic, marked as derived."""

import shutil

import pytest
import yaml

from civic.catalog import Catalog
from civic.filters import Filters
from civic.metrics import Status, status
from civic.models import Target
from civic.view import View


@pytest.fixture(scope="module")
def catalog(data_dir):
    return Catalog.load(data_dir)


@pytest.fixture(scope="module")
def derived(catalog):
    return {(row.program, row.metric): row for row in catalog.derived.itertuples()}


@pytest.mark.parametrize("program, metric, value, unit, qualifier, inputs", [
    ("leaders_walk", "solution_rate", 488 / 639 * 100, "percent", "exact",
     ["problems_solved", "problems_found"]),
    ("leaders_walk", "problems_not_reported_solved", 151, "piece", "exact",
     ["problems_found", "problems_solved"]),
    # Per area: two significant figures, as the round inputs allow.
    ("longquan_park", "investment_per_ha", 1.4e8, "CNY", "about",
     ["total_investment", "land_area"]),
    ("longquan_park", "investment_per_mu", 9.5e6, "CNY", "about",
     ["total_investment", "land_area"]),
    # A lower bound over an approximate area stays a lower bound, of an approximate value.
    ("longquan_park", "output_per_ha", 2.9e8, "CNY", "more_than_about",
     ["expected_annual_output", "land_area"]),
    ("longquan_park", "output_per_mu", 1.9e7, "CNY", "more_than_about",
     ["expected_annual_output", "land_area"]),
    # Exact inputs, but 1e9 / 90 rounded is no longer exact.
    ("bowei_expansion", "investment_per_mu", 1.1e7, "CNY", "about",
     ["total_investment", "land_area"]),
])
def test_derived_values_say_what_they_come_from(catalog, derived, program, metric, value, unit,
                                                qualifier, inputs):
    figure = derived[(program, metric)]
    assert (pytest.approx(value), unit, qualifier, "derived", inputs) == (
        figure.value, figure.unit, str(figure.qualifier), str(figure.basis),
        catalog.metrics[metric].derived_inputs)


def test_no_value_is_derived_from_reports_of_two_dates(derived):
    """Bowei's land is of 2022-12, its expected output of 2023-11-15: no output per area."""
    assert not {("bowei_expansion", "output_per_ha"), ("bowei_expansion", "output_per_mu")} & set(
        derived)


def test_the_solution_rate_shows_as_76_4_percent(data_dir):
    view = View(Catalog.load(data_dir), Filters())
    (card,) = view.cards("leaders_walk", ["solution_rate"])
    assert ("76.4%", True) == (card.value, card.derived)
    assert "488/639" in card.provenance


def test_cards_come_in_the_order_asked_and_skip_missing_metrics(data_dir):
    view = View(Catalog.load(data_dir), Filters(lang="en"))
    cards = view.cards("leaders_walk", ["problems_solved", "no_such_metric", "experiences"])
    assert [("problems_solved", "488"), ("experiences", "4,023 person-times")] == [
        (c.metric, c.value) for c in cards]


def test_a_reported_card_cites_its_article_and_phrase(data_dir):
    view = View(Catalog.load(data_dir), Filters())
    (card,) = view.cards("leaders_walk", ["experiences"])
    assert not card.derived
    assert "株洲日报" in card.provenance and "一把手走流程" in card.provenance
    assert "4023人次" in card.provenance


PLAN = {"period": "2024", "source": "plan_2024"}
"""A target's period and the plan that sets it (a source written for the tests)."""
PLAN_SOURCE = {"id": "plan_2024", "publication": {"zh": "测试计划", "en": "Test plan"},
               "edition_date": "2023-11-15", "title": "测试用工作计划", "title_en": "A plan for the tests"}


@pytest.mark.parametrize("value, target, expected", [
    (488, Target(program="p", metric="m", value=400, **PLAN), Status.MET),
    (488, Target(program="p", metric="m", value=500, **PLAN), Status.NOT_MET),
    (151, Target(program="p", metric="m", value=100, at_least=False, **PLAN), Status.NOT_MET),
    (151, Target(program="p", metric="m", value=200, at_least=False, **PLAN), Status.MET),
])
def test_status_against_a_target(value, target, expected):
    assert expected == status(value, target)


@pytest.fixture
def targeted_catalog(data_dir, tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(data_dir, folder)
    targets = {"sources": [PLAN_SOURCE], "targets": [
        {"program": "leaders_walk", "metric": "solution_rate", "value": 90, **PLAN},
        {"program": "leaders_walk", "metric": "problems_not_reported_solved", "value": 200,
         "at_least": False, **PLAN},
    ]}
    (folder / "targets.yaml").write_text(yaml.safe_dump(targets), encoding="utf-8")
    return Catalog.load(folder)


@pytest.mark.parametrize("lang, rate_text, open_text", [
    ("zh", "⚠ 未达标（2024目标 90%）", "✓ 达标（2024目标 200个）"),
    ("en", "⚠ Target not met (target 90% for 2024)", "✓ Target met (target 200 for 2024)"),
])
def test_a_target_shows_status_by_icon_and_word(targeted_catalog, lang, rate_text, open_text):
    assert targeted_catalog.loaded.ok
    view = View(targeted_catalog, Filters(lang=lang))
    rate, still_open = view.cards("leaders_walk",
                                  ["solution_rate", "problems_not_reported_solved"])
    assert (Status.NOT_MET, rate_text) == (rate.status, rate.status_text)
    assert (Status.MET, open_text) == (still_open.status, still_open.status_text)


@pytest.mark.parametrize("metric, lang, expected", [
    ("total_investment", "zh", "20亿元"),
    ("total_investment", "en", "CNY 2 billion"),
    ("land_area", "zh", "约13公顷"),
    ("jobs", "en", "about 350 persons"),
])
def test_totals_across_projects_keep_qualifiers(data_dir, metric, lang, expected):
    view = View(Catalog.load(data_dir), Filters(lang=lang))
    card = view.total_card(metric, view.programs_in("investment"))
    assert expected == card.value


def test_headline_counts_follow_the_filters(data_dir):
    catalog = Catalog.load(data_dir)
    everything = {c.metric: c.value for c in View(catalog, Filters()).headline_cards()}
    cdc_only = {c.metric: c.value for c in
                View(catalog, Filters(departments=("zz_cdc",))).headline_cards()}
    assert ("10项", "1项") == (everything["programs"], cdc_only["programs"])
    assert "total_investment" not in cdc_only


@pytest.mark.parametrize("program, expected", [
    ("bowei_expansion", "2023-11-15"),  # its 2023 output figure must not read as 31 December
    ("winter_relief", "2023-11-15"),
    ("missing_person_search", "2023-11-15"),
])
def test_latest_date_never_passes_the_edition(data_dir, program, expected):
    view = View(Catalog.load(data_dir), Filters())
    assert expected == view.latest_date(program).date().isoformat()


@pytest.mark.parametrize("qualifiers, expected", [
    (["exact", "exact"], "exact"),
    (["exact", "at_least", "more_than"], "at_least"),
    (["exact", "up_to", "nearly"], "up_to"),
    (["about", "exact"], "about"),
    (["more_than", "up_to"], None),  # 超20亿 + 可达30亿: no honest total
    (["range", "exact"], None),
])
def test_what_a_sum_may_claim(qualifiers, expected):
    from civic.view import sum_qualifier

    assert expected == sum_qualifier(qualifiers)


def test_a_lower_and_an_upper_bound_are_not_summed(data_dir):
    view = View(Catalog.load(data_dir), Filters())
    assert view.total_card("expected_annual_output", view.programs_in("investment")) is None


def test_a_total_of_one_program_is_its_reported_figure(data_dir):
    view = View(Catalog.load(data_dir), Filters())
    card = view.total_card("jobs", view.programs_in("investment"))
    assert ("约350人", False) == (card.value, card.derived)
    assert "350人左右" in card.provenance and "计算" not in card.provenance


def test_every_page_counts_the_same_source_articles(data_dir):
    from civic import tables

    for filters in (Filters(), Filters(departments=("zz_cdc",)), Filters(category="investment")):
        view = View(Catalog.load(data_dir), filters)
        counted = {c.metric: c.value for c in view.headline_cards()}["sources"]
        assert counted == f"{len(tables.sources(view))}项"


@pytest.mark.parametrize("lang, value, formula", [
    ("zh", "超过约2.9亿元", "计算值：超20亿元/约7公顷"),
    ("en", "more than about CNY 290 million", "Calculated: more than CNY 2 billion / about 7 ha"),
])
def test_a_lower_bound_over_an_approximate_area_stays_a_lower_bound(data_dir, lang, value,
                                                                     formula):
    view = View(Catalog.load(data_dir), Filters(lang=lang))
    (card,) = view.cards("longquan_park", ["output_per_ha"])
    assert value == card.value
    assert card.provenance.startswith(formula)


@pytest.mark.parametrize("lang, value, formula", [
    ("zh", "约950万元", "计算值：10亿元/约105亩"),
    ("en", "about CNY 9.5 million", "Calculated: CNY 1 billion / about 105 mu"),
])
def test_per_mu_from_an_approximate_area_keeps_two_figures_and_its_qualifier(
        data_dir, lang, value, formula):
    view = View(Catalog.load(data_dir), Filters(lang=lang))
    (card,) = view.cards("longquan_park", ["investment_per_mu"])
    assert value == card.value
    assert card.provenance.startswith(formula)


def test_a_total_renders_its_parts_in_the_view_language(data_dir):
    view = View(Catalog.load(data_dir), Filters(lang="en"))
    card = view.total_card("total_investment", view.programs_in("investment"))
    assert card.provenance.startswith("Calculated: CNY 1 billion + CNY 1 billion")
    assert "亿" not in card.provenance


@pytest.mark.parametrize("lang, expected", [("zh", "630多名"), ("en", "over 630 athletes")])
def test_a_metric_names_what_it_counts(data_dir, lang, expected):
    view = View(Catalog.load(data_dir), Filters(lang=lang))
    (card,) = view.cards("community_games", ["finalists"])
    assert expected == card.value


@pytest.mark.parametrize("value, expected", [
    (142857142.857, 140000000), (9523809.52, 9500000), (76.37, 76), (0, 0), (-1234, -1200)])
def test_significant_figures(value, expected):
    from civic.derived import significant

    assert expected == significant(value, 2)
