"""Derived values, KPI selection and targets: computed once in civic, marked as derived."""

import shutil

import pytest
import yaml

from civic.catalog import Catalog
from civic.filters import Filters
from civic.loading import load_dataset
from civic.metrics import Status, derived_figures, status
from civic.models import Target
from civic.view import View


@pytest.fixture(scope="module")
def derived(data_dir):
    return {(f.program, f.metric): f for f in derived_figures(load_dataset(data_dir))}


@pytest.mark.parametrize("program, metric, value, unit, qualifier, inputs", [
    ("leaders_walk", "solution_rate", 488 / 639 * 100, "percent", "exact",
     ["problems_solved", "problems_found"]),
    ("leaders_walk", "problems_open", 151, "piece", "exact", ["problems_found", "problems_solved"]),
    ("longquan_park", "investment_per_ha", 1e9 / 7, "CNY", "about",
     ["total_investment", "land_area"]),
    ("longquan_park", "investment_per_mu", 1e9 / 105, "CNY", "about",
     ["total_investment", "land_area"]),
    ("longquan_park", "output_per_mu", 2e9 / 105, "CNY", "about",
     ["expected_annual_output", "land_area"]),
    ("bowei_expansion", "investment_per_mu", 1e9 / 90, "CNY", "exact",
     ["total_investment", "land_area"]),
    ("bowei_expansion", "output_per_ha", 3e9 / 6, "CNY", "up_to",
     ["expected_annual_output", "land_area"]),
])
def test_derived_values_say_what_they_come_from(derived, program, metric, value, unit, qualifier,
                                                inputs):
    figure = derived[(program, metric)]
    assert (pytest.approx(value), unit, qualifier, "derived", inputs) == (
        figure.value, figure.unit, str(figure.qualifier), str(figure.basis), figure.derived_from)


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


@pytest.mark.parametrize("value, target, expected", [
    (488, Target(program="p", metric="m", value=400), Status.MET),
    (488, Target(program="p", metric="m", value=500), Status.NOT_MET),
    (151, Target(program="p", metric="m", value=100, at_least=False), Status.NOT_MET),
    (151, Target(program="p", metric="m", value=200, at_least=False), Status.MET),
])
def test_status_against_a_target(value, target, expected):
    assert expected == status(value, target)


@pytest.fixture
def targeted_catalog(data_dir, tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(data_dir, folder)
    targets = {"targets": [
        {"program": "leaders_walk", "metric": "solution_rate", "value": 90},
        {"program": "leaders_walk", "metric": "problems_open", "value": 200, "at_least": False},
    ]}
    (folder / "targets.yaml").write_text(yaml.safe_dump(targets), encoding="utf-8")
    return Catalog.load(folder)


@pytest.mark.parametrize("lang, rate_text, open_text", [
    ("zh", "⚠ 未达标（目标 90）", "✓ 达标（目标 200）"),
    ("en", "⚠ Target not met (target 90)", "✓ Target met (target 200)"),
])
def test_a_target_shows_status_by_icon_and_word(targeted_catalog, lang, rate_text, open_text):
    assert targeted_catalog.loaded.ok
    view = View(targeted_catalog, Filters(lang=lang))
    rate, still_open = view.cards("leaders_walk", ["solution_rate", "problems_open"])
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
    assert "350人左右" in card.provenance and "推算" not in card.provenance


def test_every_page_counts_the_same_source_articles(data_dir):
    from civic import tables

    for filters in (Filters(), Filters(departments=("zz_cdc",)), Filters(category="investment")):
        view = View(Catalog.load(data_dir), filters)
        counted = {c.metric: c.value for c in view.headline_cards()}["sources"]
        assert counted == f"{len(tables.sources(view))}项"
