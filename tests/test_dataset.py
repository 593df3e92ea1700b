"""The shipped data against the source edition: every figure it reports, once, traceable."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest

from civic.catalog import Catalog
from civic.cli import figures_table
from civic.fields import LOCATOR_MAX
from civic.loading import load_dataset
from civic.models import Dataset, Figure

# (program, metric, group_zh, value, value_max, unit, qualifier): every figure of the edition.
FIGURES = [
    # Provincial community games (全省14市州 is the province's count, the same 14 as the final's)
    ("community_games", "selection_matches", "株洲", 1, None, "session", "exact"),
    ("community_games", "open_auditions", "株洲", 54, None, "session", "exact"),
    ("community_games", "finalists_sent", "株洲", 44, None, "person", "exact"),
    ("community_games", "finalists", None, 630, None, "person", "at_least"),
    ("community_games", "final_prefectures", None, 14, None, "prefecture", "exact"),
    # Winter relief
    ("winter_relief", "persons_taken_in", None, 3, None, "person", "exact"),
    # Skills masters
    ("skills_masters", "masters", None, 5, None, "person", "exact"),
    ("skills_masters", "start_age", "航空动力特级技师", 16, None, "year_of_age", "exact"),
    ("skills_masters", "years_of_service", "航空动力特级技师", 35, None, "year", "exact"),
    ("skills_masters", "years_of_service", "汽车维修高级技师", 20, None, "year", "at_least"),
    # Flu advisory
    ("flu_advisory", "protection_onset", None, 2, 4, "week", "range"),
    ("flu_advisory", "vaccine_options", "6至35月龄", 3, None, "kind", "exact"),
    ("flu_advisory", "vaccine_options", "3岁及以上", 4, None, "kind", "exact"),
    # Leaders walk the process
    ("leaders_walk", "experiences", None, 4023, None, "person_time", "exact"),
    ("leaders_walk", "problems_found", None, 639, None, "piece", "exact"),
    ("leaders_walk", "problems_solved", None, 488, None, "piece", "exact"),
    ("leaders_walk", "menu_departments", None, 22, None, "organization", "exact"),
    ("leaders_walk", "menu_items", None, 100, None, "item", "exact"),
    ("leaders_walk", "approval_time_missing_document", "陶瓷企业", 3, None, "month", "exact"),
    ("leaders_walk", "time_saved", "陶瓷企业", 1, None, "month", "exact"),
    # Longquan park
    ("longquan_park", "land_area", None, 7, None, "ha", "about"),
    ("longquan_park", "total_investment", None, 1e9, None, "CNY", "exact"),
    ("longquan_park", "enterprises_expected", None, 100, None, "organization", "at_least"),
    ("longquan_park", "expected_annual_output", None, 2e9, None, "CNY", "more_than"),
    # Bowei expansion
    ("bowei_expansion", "annual_capacity", None, 5e4, None, "t", "exact"),
    ("bowei_expansion", "total_investment", None, 1e9, None, "CNY", "exact"),
    ("bowei_expansion", "land_area", None, 6, None, "ha", "exact"),
    ("bowei_expansion", "factory_buildings", None, 4, None, "building", "exact"),
    ("bowei_expansion", "production_lines", None, 20, None, "entry", "exact"),
    ("bowei_expansion", "jobs", None, 350, None, "person", "about"),
    ("bowei_expansion", "expected_annual_output", None, 3e9, None, "CNY", "up_to"),
    # A series of two reports, told apart by period: at the start and five years later.
    ("bowei_expansion", "annual_output", "2017", 2e7, None, "CNY", "exact"),
    ("bowei_expansion", "annual_output", "2022", 2e8, None, "CNY", "nearly"),
    ("bowei_expansion", "growth_years", None, 5, None, "year", "exact"),
    # Missing person
    ("missing_person_search", "search_duration", None, 14, None, "hour", "exact"),
    # Municipal reading
    ("municipal_reading", "reading_sessions", None, 571, None, "issue", "exact"),
    ("municipal_reading", "reading_participants", None, 1000, None, "person_time", "exact"),
    ("municipal_reading", "reflections", None, 5000, None, "entry", "at_least"),
    ("municipal_reading", "closure_time_saved", "京绿立交桥伸缩缝维修", 1, None, "week", "exact"),
]

# A phrase of each program's article title, as listed in sources.yaml.
PROGRAM_TITLES = {
    "community_games": "社区运动会",
    "winter_relief": "寒冬送温暖",
    "skills_masters": "技能大师",
    "flu_advisory": "流感疫情",
    "leaders_walk": "一把手走流程",
    "longquan_park": "龙泉(服饰)智能制造产业园",
    "bowei_expansion": "铂威新能源",
    "missing_person_search": "走失14小时",
    "municipal_reading": "阅读",
    "community_help": "孤苦母子",
}

# Private persons the edition names (beneficiaries, relatives, staff quoted): never in data/ or
# the UI catalogues. Kept as SHA-256 digests of the UTF-8 name, so the tests do not name them.
PRIVATE_NAME_DIGESTS = {
    "1360ad8d6aebbd192203710d83ca8a62e058ced7d641416ab40aba8a60717091",
    "a1df248c2e2f4adb76334efbed359be1851d4af0b15bf41783afca1a7292094c",
    "a8e483379a8efa36f2fda5646c295abc16304e3ea19d349ca175d64e9e1e08d0",
    "357bba5b8d07d0bd2f9db1ecb6423b6bb3e085252a542907cd262c33d59a984a",
    "25591ea77e06e1d1a173a7147bda839d9c851be330ad3b4fc1e98ae48797d6bd",
    "764707b0842dde7641d8865ab6d7887be24016a3009c11f33e04d8d541601d2a",
    "8fc46a8d35921211be05bf698d494302921ed24ba21fb10edb8d1820c5d83725",
}
NAME_LENGTHS = range(2, 5)  # Chinese personal names and forms of address: 2 to 4 characters


@pytest.fixture(scope="module")
def dataset(data_dir: Path) -> Dataset:
    return load_dataset(data_dir)


def matching(dataset: Dataset, program: str, metric: str, group: str | None) -> list[Figure]:
    """Figures by group; a report of an ungrouped series of several periods by its period."""
    figures = [f for f in dataset.figures if (f.program, f.metric) == (program, metric)]
    series = sum(not f.group for f in figures) > 1

    def key(figure: Figure) -> str | None:
        if figure.group:
            return figure.group.zh
        return figure.period.text if series else None

    return [f for f in figures if key(f) == group]


def row_id(row: tuple) -> str:
    return "-".join(str(part) for part in row[:3] if part is not None)


# --- figures -------------------------------------------------------------------------------

@pytest.mark.parametrize("row", FIGURES, ids=row_id)
def test_figure_reported_once_with_its_value(dataset: Dataset, row: tuple) -> None:
    program, metric, group, value, value_max, unit, qualifier = row
    found = matching(dataset, program, metric, group)
    assert [(value, value_max, unit, qualifier)] == [
        (f.value, f.value_max, f.unit, str(f.qualifier)) for f in found]


@pytest.mark.parametrize("row", FIGURES, ids=row_id)
def test_figure_source_is_its_article(dataset: Dataset, row: tuple) -> None:
    program, metric, group = row[:3]
    (figure,) = matching(dataset, program, metric, group)
    titles = {s.id: s.title for s in dataset.sources}
    assert figure.source in titles
    assert PROGRAM_TITLES[program] in titles[figure.source]


def test_no_figure_beyond_the_edition(dataset: Dataset) -> None:
    listed = {id(f) for row in FIGURES for f in matching(dataset, *row[:3])}
    extra = [(f.program, f.metric, f.period.text) for f in dataset.figures if id(f) not in listed]
    assert ([], len(FIGURES)) == (extra, len(dataset.figures))


def test_every_stored_figure_is_reported(dataset: Dataset) -> None:
    assert {"reported"} == {str(f.basis) for f in dataset.figures}


@pytest.mark.parametrize(
    ("program", "metric", "group", "start", "end"),
    [
        ("winter_relief", "persons_taken_in", None, dt.date(2023, 11, 11), dt.date(2023, 11, 11)),
        ("leaders_walk", "problems_solved", None, dt.date(2021, 1, 1), dt.date(2023, 11, 15)),
        # Settled in 2017, five years of growth: 2017 to about 2022.
        ("bowei_expansion", "annual_output", "2017", dt.date(2017, 1, 1), dt.date(2017, 12, 31)),
        ("bowei_expansion", "annual_output", "2022", dt.date(2022, 1, 1), dt.date(2022, 12, 31)),
        ("bowei_expansion", "growth_years", None, dt.date(2017, 1, 1), dt.date(2022, 12, 31)),
        # "Recently", no month given: the program's span, not an invented month.
        ("municipal_reading", "closure_time_saved", "京绿立交桥伸缩缝维修", dt.date(2018, 5, 1),
         dt.date(2023, 11, 15)),
        ("bowei_expansion", "total_investment", None, dt.date(2022, 12, 1),
         dt.date(2022, 12, 31)),
        ("community_games", "finalists", None, dt.date(2023, 11, 15), dt.date(2023, 11, 15)),
        ("municipal_reading", "reading_sessions", None, dt.date(2018, 5, 1),
         dt.date(2023, 11, 15)),
    ],
)
def test_figure_period(dataset: Dataset, program: str, metric: str, group: str | None,
                       start: dt.date, end: dt.date) -> None:
    (figure,) = matching(dataset, program, metric, group)
    assert (start, end) == (figure.period.start, figure.period.end)


@pytest.mark.parametrize("program", sorted(PROGRAM_TITLES))
def test_program_source_is_its_article(dataset: Dataset, program: str) -> None:
    (record,) = [p for p in dataset.programs if p.id == program]
    (title,) = [s.title for s in dataset.sources if s.id == record.source]
    assert PROGRAM_TITLES[program] in title


def test_every_source_is_of_the_edition(dataset: Dataset) -> None:
    assert {dt.date(2023, 11, 15)} == {s.edition_date for s in dataset.sources}


# --- typed records -------------------------------------------------------------------------

def test_two_projects_with_milestones_in_order(dataset: Dataset) -> None:
    projects = {p.id: p for p in dataset.projects}
    assert {"bowei_expansion", "longquan_park"} == set(projects)
    for project in projects.values():
        starts = [m.period.start for m in project.milestones]
        assert sorted(starts) == starts


@pytest.mark.parametrize(
    ("project", "first", "last", "count"),
    [("bowei_expansion", "2017", "2024-02", 7), ("longquan_park", "2023-11-15", "2023-11-15", 1)],
)
def test_project_milestone_span(dataset: Dataset, project: str, first: str, last: str,
                                count: int) -> None:
    (record,) = [p for p in dataset.projects if p.id == project]
    periods = [str(m.period) for m in record.milestones]
    assert (first, last, count) == (periods[0], periods[-1], len(periods))


def test_flu_advisory(dataset: Dataset) -> None:
    (advisory,) = dataset.advisories
    assert ("flu_advisory", "rising", True) == (
        advisory.program, str(advisory.trend), "H3N2" in advisory.dominant_strain.zh)
    ages = [(a.ages.value, a.ages.value_max, a.ages.unit, str(a.ages.qualifier))
            for a in advisory.age_groups]
    assert [(6, 35, "month_of_age", "range"), (3, None, "year_of_age", "at_least")] == ages


def test_relief_action_of_november_11(dataset: Dataset) -> None:
    actions = [a for a in dataset.relief_actions if a.period.start == dt.date(2023, 11, 11)]
    assert [(2, 3, "winter_relief")] == [
        (len(a.places), len(a.supplies), a.program) for a in actions]
    assert {"毛毯", "军大衣", "方便面"} == {s.zh for s in actions[0].supplies}


def test_five_relief_measures_all_by_the_relief_station(dataset: Dataset) -> None:
    # The station patrols, treats and searches; the bureau only announced the campaign.
    assert (5, {"winter_relief"}, {"zz_relief_station"}) == (
        len(dataset.relief_measures), {m.program for m in dataset.relief_measures},
        {m.department for m in dataset.relief_measures})


def test_relief_lists_are_examples(dataset: Dataset) -> None:
    assert all(a.open_list for a in dataset.relief_actions)


def test_games_final_event(dataset: Dataset) -> None:
    (event,) = [e for e in dataset.events if e.id == "games_final"]
    assert ("community_games", dt.date(2023, 11, 15), 8, True) == (
        event.program, event.date, len(event.items), event.open_list)
    assert {"三人制篮球", "羽毛球", "广场舞", "众星捧月", "创意拼乐高"} <= {i.zh for i in event.items}


def test_the_games_are_not_reported_completed(dataset: Dataset) -> None:
    (program,) = [p for p in dataset.programs if p.id == "community_games"]
    assert "completed" != str(program.status)


def test_the_skills_event_names_no_organizer_and_no_items(dataset: Dataset) -> None:
    (event,) = [e for e in dataset.events if e.id == "skills_masters_stop2"]
    assert (None, [], True) == (event.organizer, event.items, event.open_list)
    assert {"轨道交通", "航空动力", "汽车"} == {i.zh for i in event.industries}


def test_bowei_milestones_as_reported(dataset: Dataset) -> None:
    (project,) = [p for p in dataset.projects if p.id == "bowei_expansion"]
    labels = {m.label.zh: (str(m.period), str(m.status)) for m in project.milestones}
    assert ("2023-11", "done") == labels["厂房基本封顶"]
    assert "largely" in next(m.label.en for m in project.milestones if m.label.zh == "厂房基本封顶")
    assert ("2023-11", "done") == labels["主体工程进入装修"]
    assert ("2023-11-15/2023-12-15", "planned") == labels["车间硬化、设备入场"]


@pytest.mark.parametrize(("program", "start"), [
    ("winter_relief", None),  # "has launched": the edition gives no start month
    ("municipal_reading", "2018-05"),
    ("community_games", "2023-07"),
    ("leaders_walk", "2021"),
])
def test_program_start_only_where_the_edition_gives_it(dataset: Dataset, program: str,
                                                        start: str | None) -> None:
    (record,) = [p for p in dataset.programs if p.id == program]
    assert start == (record.start.text if record.start else None)


def test_the_reading_source_is_marked_a_subheading(dataset: Dataset) -> None:
    (source,) = [s for s in dataset.sources if s.id == "zzrb_20231115_reading"]
    assert (True, "上接01版") == (source.subheading, source.page)


def test_every_page_has_an_english_name(dataset: Dataset) -> None:
    assert [] == [s.id for s in dataset.sources if s.page and not s.page_en]


def test_every_official_has_pinyin(dataset: Dataset) -> None:
    officials = [o for record in [*dataset.programs, *dataset.events, *dataset.cases]
                 for o in record.officials]
    assert len(officials) >= 8
    assert [] == [o.name for o in officials if not o.pinyin]


# Organizations the edition names only in a short form: the short form as printed.
PRINTED_SHORT_FORMS = {
    "zz_hrss": "市人社局", "zz_cdc": "市疾控中心", "zz_drc": "市发改委", "zz_housing": "市住建局",
    "zz_water_group": "水务集团", "zz_urban_management": "城管局", "zz_municipal_center": "市政中心",
    "lukou_gov": "渌口区", "lusong_police": "芦淞公安分局",
}


def test_every_department_name_is_printed_or_expands_a_printed_short_form(
        dataset: Dataset, seed_text: str) -> None:
    """No name parts the edition does not print (no 工程 in 市政中心)."""
    def printed(name: str) -> bool:
        return any(form in seed_text for form in (
            name, name.replace("株洲市", "市", 1), name.replace("湖南省", "省", 1)))

    wrong = [d.id for d in dataset.departments
             if not printed(d.name.zh) and PRINTED_SHORT_FORMS.get(d.id, "\0") not in seed_text]
    assert [] == wrong
    assert "市政中心" in {d.id: d.name.zh for d in dataset.departments}["zz_municipal_center"]


def test_companies_are_co_ltd_in_english(dataset: Dataset) -> None:
    names = [d.name for d in dataset.departments] + [p.developer for p in dataset.projects] + [
        c.subject for c in dataset.cases]
    companies = [n for n in names if n.zh.endswith("有限公司")]
    assert len(companies) >= 5
    assert [] == [n.en for n in companies if not n.en.endswith("Co., Ltd.")]


@pytest.mark.parametrize(
    ("program", "phrase"),
    [("leaders_walk", "陶瓷"), ("missing_person_search", "走失"), ("community_help", "低保")],
)
def test_case_exists(dataset: Dataset, program: str, phrase: str) -> None:
    cases = [c for c in dataset.cases if c.program == program and phrase in c.subject.zh]
    assert 1 == len(cases)


# --- derived, through the CLI's table ---------------------------------------------------------

@pytest.mark.parametrize(
    ("metric", "value", "unit"),
    [
        ("solution_rate", pytest.approx(76.4, abs=0.05), "percent"),
        ("problems_not_reported_solved", 151, "piece"),
    ],
)
def test_leaders_walk_derived(data_dir: Path, metric: str, value, unit: str) -> None:
    table = figures_table(Catalog.load(data_dir), program="leaders_walk")
    rows = table[table["metric"] == metric]
    assert [(value, unit, "derived")] == list(
        zip(rows["value"].astype(float), rows["unit"].astype(str), rows["basis"].astype(str)))


def test_solution_rate_is_exact_ratio(data_dir: Path) -> None:
    table = figures_table(Catalog.load(data_dir), program="leaders_walk")
    (rate,) = table.loc[table["metric"] == "solution_rate", "value"].tolist()
    assert pytest.approx(488 / 639 * 100) == rate


# --- privacy and provenance -----------------------------------------------------------------

def _data_texts(data_dir: Path) -> dict[str, str]:
    return {
        path.relative_to(data_dir).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(data_dir.rglob("*")) if path.is_file()
    }


def _digests(text: str) -> set[str]:
    """SHA-256 digests of every run of 2 to 4 characters in `text`."""
    return {hashlib.sha256(text[i:i + n].encode()).hexdigest()
            for n in NAME_LENGTHS for i in range(len(text) - n + 1)}


def test_the_guarded_names_are_in_the_edition(seed_text: str) -> None:
    """The digests stand for real names of the edition, so the guard below can fail."""
    assert set() == PRIVATE_NAME_DIGESTS - _digests(seed_text)


def test_no_private_name_in_data_or_ui(data_dir: Path, repo_dir: Path) -> None:
    texts = _data_texts(data_dir) | {
        path.name: path.read_text(encoding="utf-8")
        for path in sorted((repo_dir / "civic" / "locales").glob("*.yaml"))}
    assert [] == [file for file, content in texts.items()
                  if _digests(content) & PRIVATE_NAME_DIGESTS]


def test_data_files_were_scanned(data_dir: Path) -> None:
    files = _data_texts(data_dir)
    assert {"sources.yaml", "programs/community_help.yaml", "programs/municipal_reading.yaml",
            "programs/missing_person_search.yaml"} <= set(files)


@pytest.mark.parametrize("row", FIGURES, ids=row_id)
def test_locator_is_short(dataset: Dataset, row: tuple) -> None:
    (figure,) = matching(dataset, *row[:3])
    assert 0 < len(figure.locator) <= LOCATOR_MAX == 20


@pytest.mark.parametrize("row", FIGURES, ids=row_id)
def test_locator_is_verbatim_in_the_edition(dataset: Dataset, seed_text: str, row: tuple) -> None:
    (figure,) = matching(dataset, *row[:3])
    assert figure.locator in seed_text


@pytest.mark.parametrize("row", FIGURES, ids=row_id)
def test_locator_holds_the_reported_text(dataset: Dataset, row: tuple) -> None:
    (figure,) = matching(dataset, *row[:3])
    assert figure.text in figure.locator



def test_translations_as_corrected(dataset: Dataset) -> None:
    programs = {p.id: p.name.en for p in dataset.programs}
    departments = {d.id: d.name.en for d in dataset.departments}
    assert "Department heads walk the process" == programs["leaders_walk"]
    assert "Skills Masters Go to the Grassroots" == programs["skills_masters"]
    assert "Zhuzhou Center for Disease Control and Prevention" == departments["zz_cdc"]
    assert ("Zhuzhou Urban Management and Comprehensive Law Enforcement Bureau"
            == departments["zz_urban_management"])
    assert "continuing to rise sharply" == dataset.advisories[0].trend_detail.en
    (help_case,) = [c for c in dataset.cases if c.program == "community_help"]
    assert "minimum living allowance (dibao)" in help_case.subject.en
    labels = {m.id: m.label.en for m in dataset.metrics}
    assert "Jobs expected after start of production" == labels["jobs"]
    assert "Time until protection takes effect" == labels["protection_onset"]
    assert "Problems not reported solved" == labels["problems_not_reported_solved"]
