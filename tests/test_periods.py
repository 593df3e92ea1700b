"""Every figure says what period it covers: on cards, in table rows and on chart labels."""

import datetime as dt

import pytest

from civic import panels, tables
from civic.catalog import Catalog
from civic.filters import Filters
from civic.i18n import format_period, t
from civic.view import View, date_bounds

YEAR_2019 = Filters(date_from=dt.date(2019, 1, 1), date_to=dt.date(2019, 12, 31))
EDITION_DAYS = Filters(date_from=dt.date(2023, 11, 14), date_to=dt.date(2023, 11, 15))


@pytest.fixture(scope="module")
def catalog(data_dir):
    return Catalog.load(data_dir)


def card(cards, metric):
    return next(c for c in cards if c.metric == metric)


@pytest.mark.parametrize("text, shown", [
    ("2021/2023-11-15", "2021–2023-11-15"),
    ("2023-11", "2023-11"),
    ("2023-11-15", "2023-11-15"),
])
def test_a_period_reads_as_a_span(text, shown):
    assert shown == format_period(text)


def test_a_kpi_card_carries_the_period_of_its_figure(catalog):
    cards = View(catalog, Filters()).page_cards("leaders_walk")
    assert "2021–2023-11-15" == card(cards, "experiences").period
    assert "2023-11-15" == card(cards, "menu_items").period
    assert not any(c.beyond for c in cards)


def test_a_running_total_reaching_past_the_chosen_year_is_marked(catalog):
    for lang, marker in [("zh", "超出所选日期"), ("en", "beyond the chosen dates")]:
        view = View(catalog, Filters(**{**YEAR_2019.__dict__, "lang": lang}))
        sessions = card(view.cards("municipal_reading", ["reading_sessions"]), "reading_sessions")
        assert sessions.beyond
        assert sessions.period.startswith("2018-05–2023-11-15") and marker in sessions.period


def test_a_figure_inside_the_chosen_dates_is_not_marked(catalog):
    view = View(catalog, Filters(date_from=dt.date(2023, 11, 11), date_to=dt.date(2023, 11, 11)))
    taken_in = card(view.relief_cards("winter_relief"), "persons_taken_in")
    assert ("2023-11-11", False) == (taken_in.period, taken_in.beyond)


def test_a_group_card_carries_its_period(catalog):
    cards = View(catalog, Filters()).group_cards("flu_advisory", ["vaccine_options"])
    assert cards and all("2023-11-15" == c.period for c in cards)


@pytest.mark.parametrize("filters, lang, label, value, period", [
    (Filters(), "zh", "总投资（2个项目合计）", "20亿元", "2022-12–2023-11-15"),
    (EDITION_DAYS, "zh", "总投资（2个项目中的1个）", "10亿元", "2023-11-15"),
    (EDITION_DAYS, "en", "Total investment (1 of 2 projects)", "CNY 1 billion", "2023-11-15"),
    (Filters(district="liling"), "en", "Total investment (1 of 2 projects)", "CNY 1 billion",
     "2022-12"),
])
def test_a_total_says_how_many_of_the_reporting_parts_it_sums(catalog, filters, lang, label,
                                                              value, period):
    view = View(catalog, Filters(**{**filters.__dict__, "lang": lang}))
    total = view.total_card("total_investment", [p for p in view.program_ids if view.has(p)])
    assert (label, value, period) == (total.label, total.value, total.period)


def test_a_metric_only_one_program_reports_is_shown_as_reported(catalog):
    view = View(catalog, Filters())
    jobs = view.total_card("jobs", view.programs_in("investment"))
    assert ("投产后可安置劳动力", "bowei_expansion") == (jobs.label, jobs.program)


@pytest.mark.parametrize("filters, period", [
    (Filters(), "截至2023-11-15"),
    (EDITION_DAYS, "2023-11-14–2023-11-15"),
    (Filters(date_from=dt.date(2023, 1, 1)), "2023-01-01起"),
    (Filters(date_to=dt.date(2023, 6, 30)), "截至2023-06-30"),
])
def test_a_count_of_records_covers_the_chosen_dates_or_runs_to_the_edition(catalog, filters,
                                                                            period):
    programs = card(View(catalog, filters).headline_cards(), "programs")
    assert period == programs.period


def test_table_rows_show_the_period_of_each_figure(catalog):
    view = View(catalog, Filters())
    projects = tables.projects(view, ["total_investment", "land_area"])
    shown = [c for c in projects.columns if c.startswith("总投资 ·")][0]
    assert {"10亿元（2022-12）", "10亿元（2023-11-15）"} == set(projects[shown])
    figures = tables.figures(view)
    assert "2021–2023-11-15" in set(figures[t("col.period", "zh")])
    per_area = tables.per_area(View(catalog, Filters(lang="en")))
    texts = [cell for column in per_area.columns[1:] for cell in per_area[column] if cell]
    assert texts and all(text.endswith(("(2022-12)", "(2023-11-15)")) for text in texts)
    # Bowei's land (2022-12) and expected output (2023-11-15) are of two reports: no value
    assert "" == per_area.loc[0, "Output per hectare"]


def test_the_figures_table_marks_a_period_beyond_the_chosen_dates(catalog):
    figures = tables.figures(View(catalog, YEAR_2019))
    reading = figures[figures[t("col.program", "zh")].str.contains("市政悦读")]
    assert len(reading) and all("超出所选日期" in p for p in reading[t("col.period", "zh")])


def test_chart_labels_carry_the_period(catalog):
    view = View(catalog, Filters())
    funnel = panels.funnel(view, "leaders_walk").figure
    # beside a narrow stage the period breaks after its dash
    assert all("2021–2023-11-15" in text.replace("–<br>", "–") for text in funnel.data[0].text)
    money = panels.project_money(view).figure
    labels = [text for trace in money.data for text in trace.text]
    assert any("超20亿元" in text and "2023-11-15" in text for text in labels)
    options = panels.breakdown(view, "flu_advisory").figure
    assert all("2023-11-15" in text for text in options.data[0].text)


def test_the_date_pickers_span_the_dates_the_data_refers_to(catalog):
    first, last = date_bounds(catalog)
    assert dt.date(2017, 1, 1) == first  # Bowei settled in the park in 2017
    assert dt.date(2024, 2, 29) == last  # the month production is expected to start


def test_a_derived_figure_keeps_the_precision_its_inputs_are_written_in(tmp_data, edit_yaml):
    def land_surveyed_in_july(content):
        land = next(f for f in content["figures"] if f["metric"] == "land_area")
        land["period"] = "2023-07/2023-11-15"

    edit_yaml(tmp_data / "programs" / "longquan_park.yaml", land_surveyed_in_july)
    view = View(Catalog.load(tmp_data), Filters())
    per_ha = card(view.cards("longquan_park", ["investment_per_ha"]), "investment_per_ha")
    assert "2023-07–2023-11-15" == per_ha.period


def test_timelines_write_the_period_as_reported_not_an_invented_day(catalog):
    view = View(catalog, Filters(date_from=dt.date(2023, 11, 1), date_to=dt.date(2023, 11, 30)))
    milestones = panels.project_milestones(view).figure
    labels = [text for trace in milestones.data for text in trace.text]
    assert any(text.endswith("<br>2023-11") for text in labels)  # 基本封顶, dated to the month
    assert not any(text.endswith("2023-11-01") for text in labels)
    relief = panels.relief_timeline(View(catalog, Filters()), "winter_relief").figure
    assert all(text.split("<br>")[-1].startswith("2023-11") for trace in relief.data
               for text in trace.text)
