"""Filters to and from the URL, and which programs and rows they keep."""

import datetime as dt

import pytest

from civic.catalog import Catalog
from civic.filters import Filters, Notice, Options, from_query, to_query
from civic.view import View

OPTIONS = Options(departments=("zz_drc", "zz_cdc", "lusong_gov"), districts=("lusong", "liling"))


@pytest.mark.parametrize("params, expected", [
    ({}, Filters()),
    ({"lang": "en"}, Filters(lang="en")),
    ({"dept": ["zz_drc", "zz_cdc"]}, Filters(departments=("zz_drc", "zz_cdc"))),
    ({"dept": "zz_drc"}, Filters(departments=("zz_drc",))),
    ({"dept": ["zz_drc", "zz_drc"]}, Filters(departments=("zz_drc",))),
    ({"district": "lusong", "category": "investment"},
     Filters(district="lusong", category="investment")),
    ({"from": "2023-01-01", "to": "2023-12-31"},
     Filters(date_from=dt.date(2023, 1, 1), date_to=dt.date(2023, 12, 31))),
    ({"lang": "", "dept": [""]}, Filters()),
])
def test_good_query_values_become_filters(params, expected):
    assert (expected, []) == from_query(params, OPTIONS)


@pytest.mark.parametrize("params, filters, notices", [
    ({"lang": "fr"}, Filters(), [Notice("notice.bad_lang", "fr")]),
    ({"dept": ["zz_drc", "nope"]}, Filters(departments=("zz_drc",)),
     [Notice("notice.bad_dept", "nope")]),
    ({"district": "atlantis"}, Filters(), [Notice("notice.bad_district", "atlantis")]),
    ({"category": "space"}, Filters(), [Notice("notice.bad_category", "space")]),
    ({"from": "2023-13-01"}, Filters(), [Notice("notice.bad_from", "2023-13-01")]),
    ({"to": "yesterday"}, Filters(), [Notice("notice.bad_to", "yesterday")]),
    ({"from": "2023-12-01", "to": "2023-01-01"}, Filters(),
     [Notice("notice.bad_range", "2023-12-01/2023-01-01")]),
    ({"lang": ["en", "zh"]}, Filters(lang="en"), [Notice("notice.repeated_lang", "zh")]),
])
def test_bad_query_values_are_dropped_with_a_notice(params, filters, notices):
    assert (filters, notices) == from_query(params, OPTIONS)


@pytest.mark.parametrize("filters", [
    Filters(),
    Filters(lang="en", departments=("zz_drc", "zz_cdc"), district="lusong",
            category="investment", date_from=dt.date(2023, 1, 1), date_to=dt.date(2023, 12, 31)),
    Filters(departments=("lusong_gov",)),
])
def test_a_view_round_trips_through_its_link(filters):
    assert (filters, []) == from_query(to_query(filters), OPTIONS)


def test_defaults_stay_out_of_the_link():
    assert {} == to_query(Filters())


@pytest.fixture(scope="module")
def catalog(data_dir):
    return Catalog.load(data_dir)


@pytest.mark.parametrize("filters, expected", [
    (Filters(departments=("zz_drc",)), ["leaders_walk"]),
    (Filters(departments=("zz_cdc",)), ["flu_advisory"]),
    (Filters(departments=("zz_admin_approval", "zz_cdc")), ["flu_advisory", "leaders_walk"]),
    (Filters(category="investment"), ["bowei_expansion", "longquan_park"]),
    (Filters(district="liling", category="investment"), ["bowei_expansion"]),
    (Filters(district="lusong", category="public_safety"), ["missing_person_search"]),
    (Filters(district="lusong", category="investment"), ["longquan_park"]),
    (Filters(district="shifeng", category="investment"), []),
    (Filters(district="shifeng", category="community"), ["community_help"]),
])
def test_a_program_counts_for_who_leads_it_or_takes_part(catalog, filters, expected):
    assert expected == sorted(View(catalog, filters).program_ids)


CITY_WIDE = ["community_games", "flu_advisory", "leaders_walk", "municipal_reading",
             "skills_masters", "winter_relief"]


@pytest.mark.parametrize("district, local", [
    ("liling", ["bowei_expansion"]),
    ("lusong", ["longquan_park", "missing_person_search"]),
    ("shifeng", ["community_help"]),
    ("youxian", []),
])
def test_a_district_keeps_its_own_programs_and_the_city_wide_ones(catalog, district, local):
    kept = View(catalog, Filters(district=district)).program_ids
    assert sorted(local + CITY_WIDE) == sorted(kept)


def test_a_district_leaves_out_programs_led_in_another_district(catalog):
    kept = View(catalog, Filters(district="liling")).program_ids
    assert {"longquan_park", "missing_person_search", "community_help"}.isdisjoint(kept)
    assert "flu_advisory" in kept


@pytest.mark.parametrize("chosen, expected", [
    # The street office itself takes part in nothing; its community leads the help program.
    (("xiangshiling_street",), ["community_help"]),
    (("yanggulao_community",), ["community_help"]),
    # The sub-bureau leads the search; its police station is one of its units.
    (("qingyun_police_station",), ["missing_person_search"]),
    (("zz_urban_management",), ["municipal_reading"]),
])
def test_choosing_a_parent_includes_its_units(catalog, chosen, expected):
    assert expected == View(catalog, Filters(departments=chosen)).program_ids


def test_a_parent_is_named_with_its_units_in_the_view_context(catalog):
    zh = View(catalog, Filters(departments=("zz_civil_affairs", "zz_cdc"))).context()
    assert "株洲市民政局（含下属单位）" in zh and "株洲市疾病预防控制中心（" not in zh
    en = View(catalog, Filters(lang="en", district="lusong")).context()
    assert "Lusong District (with city-wide programs)" in en


def test_the_date_range_keeps_figures_whose_period_overlaps_it(catalog):
    view = View(catalog, Filters(date_from=dt.date(2023, 11, 1), date_to=dt.date(2023, 11, 12)))
    kept = view.figures
    assert {"leaders_walk", "winter_relief"} <= set(kept["program"].astype(str))
    assert not (kept["date"] > "2023-11-12").any()
    assert not (kept["date_end"] < "2023-11-01").any()
    assert "2023-11-11" in set(kept.loc[kept["program"] == "winter_relief", "period"])


def test_a_range_with_nothing_in_it_leaves_the_view_empty(catalog):
    view = View(catalog, Filters(date_from=dt.date(2030, 1, 1)))
    assert view.empty
    assert view.figures.empty


def test_a_reversed_range_keeps_nothing_not_even_a_month_reaching_both_ends(catalog):
    view = View(catalog, Filters(date_from=dt.date(2023, 11, 30), date_to=dt.date(2023, 11, 1)))
    assert view.empty and view.records("cases").empty


def test_a_case_spanning_two_days_stays_when_the_range_starts_on_the_second(catalog):
    view = View(catalog, Filters(date_from=dt.date(2023, 11, 15)))
    cases = view.records("cases")
    assert "missing_elderly_found" in set(cases["case"])
    assert "expansion_joint_repair" in set(cases["case"])  # dated 2023-11, the whole month


def test_projects_go_with_their_figures_under_a_date_range(catalog):
    assert 2 == len(View(catalog, Filters()).records("projects"))
    later = View(catalog, Filters(date_from=dt.date(2024, 1, 1)))  # only a planned milestone
    assert ["bowei_expansion"] == list(later.records("projects")["project"])
    assert [] == list(View(catalog, Filters(date_from=dt.date(2025, 1, 1)))
                      .records("projects")["project"])
