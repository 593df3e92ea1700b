"""Departments grouped and searched as the sidebar offers them; parents stand for their units."""

import pandas as pd
import pytest

from civic.catalog import Catalog
from civic.departments import GROUPS, Directory, city_wide, with_units


@pytest.fixture(scope="module")
def directory(data_dir):
    return Directory.of(Catalog.load(data_dir))


@pytest.mark.parametrize("query, expected", [
    ("民政", ["zz_civil_affairs"]),  # not 芦淞区人民政府 / 渌口区人民政府, which hold 民政 inside
    ("救助", ["zz_relief_station"]),  # after the place name 株洲市
    ("芦淞", ["lusong_gov"]),
    ("市政", ["zz_municipal_center"]),
    ("civil", ["zz_civil_affairs"]),
    ("  Civil  ", ["zz_civil_affairs"]),
    ("gov", ["lusong_gov", "lukou_gov"]),  # an English word's start
    # Only where no name begins with the query: names that contain it.
    ("审批", ["zz_admin_approval", "tianyuan_admin_approval"]),
    ("政府", ["lusong_gov", "lukou_gov"]),
    ("没有这个部门", []),
])
def test_a_search_finds_names_by_their_start(directory, query, expected):
    assert expected == directory.search(query)


def test_an_empty_search_lists_every_department(directory):
    assert len(directory.entries) == len(directory.search("  "))
    assert len({e.department for e in directory.entries}) == len(directory.frame)


def test_groups_come_in_order_with_each_unit_under_its_parent(directory):
    groups = dict(directory.groups())
    assert list(GROUPS) == [g for g, _ in directory.groups()]
    city = [(e.department, e.depth) for e in groups["city"]]
    at = city.index(("zz_civil_affairs", 0))
    assert ("zz_relief_station", 1) == city[at + 1]
    assert "hunan_sports_bureau" == groups["province"][0].department
    districts = [e.department for e in groups["district"]]
    assert districts.index("lusong_police") + 1 == districts.index("qingyun_police_station")
    assert {"bowei_new_energy", "ouwei_yunshang", "zz_water_group"} <= {
        e.department for e in groups["enterprise"]}


def test_groups_can_be_narrowed_to_a_search_with_the_parents_for_context(directory):
    found = directory.search("救助")
    shown = {*found, *(a for d in found for a in directory.ancestors(d))}
    assert [("city", ["zz_civil_affairs", "zz_relief_station"])] == [
        (g, [e.department for e in entries]) for g, entries in directory.groups(shown)]


def test_ancestors_run_up_the_tree(directory):
    assert ["xiangshiling_street"] == directory.ancestors("yanggulao_community")
    assert [] == directory.ancestors("zz_cdc")


FRAME = pd.DataFrame({
    "department": ["bureau", "station", "team", "county_office", "county_unit"],
    "district": [None, None, None, "county", None],
    "parent": [None, "bureau", "station", None, "county_office"],
})


def test_a_parent_includes_its_units_however_deep():
    assert {"bureau", "station", "team"} == with_units(FRAME, ["bureau"])
    assert {"station", "team"} == with_units(FRAME, ("station",))
    assert set() == with_units(FRAME, [])


def test_a_unit_of_a_district_office_is_not_city_wide():
    assert {"bureau", "station", "team"} == city_wide(FRAME)


def test_the_pickers_lookups_match_the_frame(directory):
    """What the picker asks on every rerun, worked out once: a choice with its units, names,
    each department's own units."""
    parents = [e.department for e in directory.entries if directory.units(e.department)]
    assert parents
    chosen = parents[:1]
    assert directory.included(chosen) == with_units(directory.frame, chosen)
    assert directory.included(chosen) is directory.included(list(chosen))
    frame = directory.frame
    for parent in parents:
        assert directory.units(parent) == [e.department for e in directory.entries
                                           if e.parent == parent]
    assert directory.names("en") == dict(zip(frame["department"], frame["name_en"]))
    assert directory.units("no-such-department") == []
