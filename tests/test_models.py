"""Rules within one record: every model accepts a good record and names the field of a bad one."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from civic.i18n import name
from civic.models import (
    Advisory,
    Case,
    Dataset,
    Department,
    District,
    Event,
    Figure,
    LocalText,
    Metric,
    Official,
    Period,
    Program,
    Project,
    ReliefAction,
    ReliefMeasure,
    Source,
    Target,
)
from civic.narratives import AgeGroup, Milestone
from civic.quantities import Quantity

D = dt.date


def text(zh: str = "中文", en: str = "English") -> dict[str, str]:
    return {"zh": zh, "en": en}


def with_(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """`base` with fields changed; a value of `...` removes the field."""
    merged = {**base, **changes}
    return {k: v for k, v in merged.items() if v is not ...}


SOURCE = {
    "id": "paper_article", "publication": text("日报", "Daily"), "edition_date": "2023-11-15",
    "title": "标题", "title_en": "Title",
}
DISTRICT = {"id": "riverside", "name": text("河畔区", "Riverside")}
DEPARTMENT = {"id": "city_office", "name": text("市办公室", "City office"), "level": "city"}
OFFICIAL = {"name": "某官员", "title": text("局长", "Director")}
PROGRAM = {
    "id": "walkthrough", "name": text(), "category": "government_services", "lead": "city_office",
    "participants": ["water_company"], "start": "2021", "status": "ongoing", "source": "paper_article",
}
METRIC = {"id": "headcount", "label": text(), "dimension": "persons"}
FIGURE = {
    "program": "walkthrough", "metric": "headcount", "reported": "12名", "period": "2023-11-15",
    "department": "city_office", "source": "paper_article", "locator": "共12名",
}
DERIVED = with_(
    FIGURE, metric="rate",
    reported=Quantity(value=75.0, unit="percent", qualifier="exact", reported="3/4"),
    basis="derived", derived_from=["solved", "found"], locator=...,
)
MILESTONE = {"period": "2023-01", "label": text(), "status": "done"}
PROJECT = {
    "id": "plant", "program": "walkthrough", "name": text(), "developer": text(),
    "district": "riverside", "site": text(), "product": text(),
    "milestones": [MILESTONE, with_(MILESTONE, period="2023-06", status="planned")],
    "source": "paper_article",
}
AGE_GROUP = {"ages": "6至35月龄", "label": text()}
ADVISORY = {
    "id": "winter_flu", "program": "walkthrough", "date": "2023-11-15", "department": "city_office",
    "phase": text(), "trend": "rising", "trend_detail": text(),
    "dominant_strain": text("甲型H1N1", "influenza A (H1N1)"),
    "age_groups": [AGE_GROUP], "preferred_vaccine": text(), "recommendations": [text()],
    "source": "paper_article",
}
RELIEF_ACTION = {
    "id": "night_patrol", "program": "walkthrough", "period": "2023-11-11", "kind": "patrol",
    "department": "city_office", "places": [text()], "supplies": [text()],
    "source": "paper_article",
}
RELIEF_MEASURE = {
    "id": "shelter", "program": "walkthrough", "group": text(), "measure": text(),
    "department": "city_office", "source": "paper_article",
}
EVENT = {
    "id": "opening", "program": "walkthrough", "date": "2023-11-15", "title": text(),
    "venue": text(), "organizer": "city_office", "items": [text()], "source": "paper_article",
}
CASE = {
    "id": "permit_case", "program": "walkthrough", "period": "2023-11-15",
    "department": "city_office", "subject": text(), "action": text(), "outcome": text(),
    "source": "paper_article",
}
TARGET = {"program": "walkthrough", "metric": "rate", "value": 90, "period": "2024",
          "source": "plan_2024"}
DATASET = {
    "sources": [SOURCE], "districts": [DISTRICT], "departments": [DEPARTMENT],
    "metrics": [METRIC], "programs": [PROGRAM], "figures": [FIGURE],
}


def error_locs(model: type[BaseModel], data: Any) -> list[tuple[Any, ...]]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return [error["loc"] for error in caught.value.errors()]


# --- every model: one good record, several bad ones ------------------------------------------

GOOD = [
    (LocalText, text()),
    (Source, SOURCE),
    (Source, with_(SOURCE, reporters=["记者甲"], page="01版", department="city_office")),
    (District, DISTRICT),
    (Department, DEPARTMENT),
    (Department, with_(DEPARTMENT, level="district", district="riverside", parent="city_hall")),
    (Official, OFFICIAL),
    (Program, PROGRAM),
    (Program, with_(PROGRAM, participants=[], start=..., officials=[OFFICIAL])),
    (Metric, METRIC),
    (Figure, FIGURE),
    (Figure, DERIVED),
    (Figure, with_(DERIVED, formula=text("3/4", "3/4"))),
    (Source, with_(SOURCE, page="上接01版", page_en="Continued from page 1", subheading=True)),
    (Official, with_(OFFICIAL, pinyin="Wang Fang")),
    (Metric, with_(METRIC, noun=text("名", "athletes"))),
    (Event, with_(EVENT, organizer=...)),  # the report may not name one
    (Event, with_(EVENT, industries=[text()], open_list=True)),
    (ReliefAction, with_(RELIEF_ACTION, open_list=True)),
    (Milestone, MILESTONE),
    (Project, PROJECT),
    (AgeGroup, AGE_GROUP),
    (Advisory, ADVISORY),
    (ReliefAction, RELIEF_ACTION),
    (ReliefAction, with_(RELIEF_ACTION, supplies=...)),
    (ReliefMeasure, RELIEF_MEASURE),
    (Event, EVENT),
    (Case, CASE),
    (Target, TARGET),
    (Target, with_(TARGET, at_least=False)),
    (Dataset, DATASET),
    (Dataset, with_(DATASET, targets=[TARGET])),
]


@pytest.mark.parametrize(("model", "data"), GOOD, ids=lambda x: getattr(x, "__name__", None))
def test_good_record_is_accepted(model: type[BaseModel], data: dict[str, Any]) -> None:
    record = model.model_validate(data)
    assert type(record) is model


BAD = [
    ("figure_reported_with_formula", Figure, with_(FIGURE, formula=text("3/4", "3/4")),
     ()),
    ("metric_noun_zh_only", Metric, with_(METRIC, noun={"zh": "名"}), ("noun", "en")),
    ("localtext_no_en", LocalText, {"zh": "只有中文"}, ("en",)),
    ("localtext_no_zh", LocalText, {"en": "English only"}, ("zh",)),
    ("localtext_blank_zh", LocalText, text(zh="   "), ("zh",)),
    ("source_no_title_en", Source, with_(SOURCE, title_en=...), ("title_en",)),
    ("source_bad_date", Source, with_(SOURCE, edition_date="2023-13-01"), ("edition_date",)),
    ("source_publication_zh_only", Source, with_(SOURCE, publication={"zh": "日报"}),
     ("publication", "en")),
    ("district_name_en_only", District, with_(DISTRICT, name={"en": "Riverside"}), ("name", "zh")),
    ("department_unknown_level", Department, with_(DEPARTMENT, level="county"), ("level",)),
    ("department_own_parent", Department, with_(DEPARTMENT, parent="city_office"), ()),
    ("official_no_title", Official, {"name": "某官员"}, ("title",)),
    ("program_lead_participates", Program,
     with_(PROGRAM, participants=["water_company", "city_office"]), ()),
    ("program_participant_twice", Program,
     with_(PROGRAM, participants=["water_company", "water_company"]), ()),
    ("program_unknown_category", Program, with_(PROGRAM, category="leisure"), ("category",)),
    ("program_bad_start", Program, with_(PROGRAM, start="2023-13"), ("start",)),
    ("metric_unknown_dimension", Metric, with_(METRIC, dimension="happiness"), ()),
    ("figure_unknown_field", Figure, with_(FIGURE, colour="red"), ("colour",)),
    ("figure_long_locator", Figure, with_(FIGURE, locator="一" * 21), ("locator",)),
    ("figure_no_locator", Figure, with_(FIGURE, locator=...), ()),
    ("figure_derived_without_inputs", Figure, with_(DERIVED, derived_from=[]), ()),
    ("figure_unparseable", Figure, with_(FIGURE, reported="好几名"), ("reported",)),
    ("figure_unknown_unit_word", Figure, with_(FIGURE, reported="12只猫"), ("reported",)),
    ("figure_reported_not_text", Figure, with_(FIGURE, reported=["12名"]), ("reported",)),
    ("figure_explicit_value", Figure, with_(FIGURE, value=12.0), ("value",)),
    ("figure_explicit_unit", Figure, with_(FIGURE, unit="person"), ("unit",)),
    ("figure_explicit_qualifier", Figure, with_(FIGURE, qualifier="exact"), ("qualifier",)),
    ("figure_explicit_value_max", Figure, with_(FIGURE, value_max=20.0), ("value_max",)),
    ("figure_quantity_unknown_unit", Figure,
     with_(FIGURE, reported={"value": 12.0, "unit": "furlong", "reported": "12 furlongs"}),
     ("reported",)),
    ("figure_bad_period", Figure, with_(FIGURE, period="2023-02-30"), ("period",)),
    ("figure_no_source", Figure, with_(FIGURE, source=...), ("source",)),
    ("milestone_unknown_status", Milestone, with_(MILESTONE, status="maybe"), ("status",)),
    ("project_milestones_out_of_order", Project,
     with_(PROJECT, milestones=list(reversed(PROJECT["milestones"]))), ()),
    ("project_no_milestones", Project, with_(PROJECT, milestones=[]), ("milestones",)),
    ("agegroup_not_an_age", AgeGroup, with_(AGE_GROUP, ages="3种"), ()),
    ("agegroup_duration_not_age", AgeGroup, with_(AGE_GROUP, ages="3年"), ()),
    ("agegroup_unparseable", AgeGroup, with_(AGE_GROUP, ages="幼儿"), ("ages",)),
    ("advisory_unknown_trend", Advisory, with_(ADVISORY, trend="up"), ("trend",)),
    ("advisory_no_age_groups", Advisory, with_(ADVISORY, age_groups=[]), ("age_groups",)),
    ("advisory_no_recommendations", Advisory, with_(ADVISORY, recommendations=[]),
     ("recommendations",)),
    ("advisory_age_group_not_age", Advisory,
     with_(ADVISORY, age_groups=[with_(AGE_GROUP, ages="4种")]), ("age_groups", 0)),
    ("advisory_strain_zh_only", Advisory, with_(ADVISORY, dominant_strain={"zh": "甲型"}),
     ("dominant_strain", "en")),
    ("relief_action_unknown_kind", ReliefAction, with_(RELIEF_ACTION, kind="raid"), ("kind",)),
    ("relief_action_no_places", ReliefAction, with_(RELIEF_ACTION, places=[]), ("places",)),
    ("relief_measure_no_measure", ReliefMeasure, with_(RELIEF_MEASURE, measure=...), ("measure",)),
    ("event_impossible_date", Event, with_(EVENT, date="2023-11-31"), ("date",)),
    ("event_item_zh_only", Event, with_(EVENT, items=[{"zh": "羽毛球"}]), ("items", 0, "en")),
    ("case_names_a_person", Case, with_(CASE, person="某居民"), ("person",)),
    ("case_no_outcome", Case, with_(CASE, outcome=...), ("outcome",)),
    ("target_not_a_number", Target, with_(TARGET, value="high"), ("value",)),
    ("target_bad_metric_id", Target, with_(TARGET, metric="Rate"), ("metric",)),
    ("target_no_value", Target, with_(TARGET, value=...), ("value",)),
    ("dataset_no_figures", Dataset, with_(DATASET, figures=...), ("figures",)),
    ("dataset_unknown_list", Dataset, with_(DATASET, residents=[]), ("residents",)),
]


@pytest.mark.parametrize(("model", "data", "loc"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_record_names_its_field(model: type[BaseModel], data: Any, loc: tuple) -> None:
    assert loc in error_locs(model, data)


# --- ids ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("key", "ok"),
    [
        ("a", True),
        ("leaders_walk", True),
        ("zzrb_20231115_walk", True),
        ("a" * 48, True),
        ("a" * 49, False),
        ("Leaders_walk", False),
        ("leaders-walk", False),
        ("leaders walk", False),
        ("1st_program", False),
        ("_private", False),
        ("café", False),
        ("", False),
    ],
)
def test_id_is_lowercase_snake_case(key: str, ok: bool) -> None:
    data = with_(DISTRICT, id=key)
    if ok:
        assert key == District.model_validate(data).id
    else:
        assert ("id",) in error_locs(District, data)


@pytest.mark.parametrize(
    ("model", "data", "loc"),
    [
        (Program, with_(PROGRAM, lead="CityOffice"), ("lead",)),
        (Program, with_(PROGRAM, participants=["water-company"]), ("participants", 0)),
        (Figure, with_(FIGURE, metric="Head count"), ("metric",)),
        (Figure, with_(DERIVED, derived_from=["Solved"]), ("derived_from", 0)),
        (Department, with_(DEPARTMENT, parent="City"), ("parent",)),
        (Case, with_(CASE, participants=["9lives"]), ("participants", 0)),
    ],
)
def test_reference_is_an_id_too(model: type[BaseModel], data: Any, loc: tuple) -> None:
    assert loc in error_locs(model, data)


# --- LocalText -----------------------------------------------------------------------------

@pytest.mark.parametrize(("lang", "expected"), [("zh", "株洲"), ("en", "Zhuzhou"), ("fr", "Zhuzhou")])
def test_local_text_picks_language(lang: str, expected: str) -> None:
    assert expected == name(LocalText(zh="株洲", en="Zhuzhou"), lang)


# --- Period -------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("written", "start", "end"),
    [
        ("2023-11-15", D(2023, 11, 15), D(2023, 11, 15)),
        ("2023-07", D(2023, 7, 1), D(2023, 7, 31)),
        ("2023-12", D(2023, 12, 1), D(2023, 12, 31)),
        ("2024-02", D(2024, 2, 1), D(2024, 2, 29)),
        ("2023-02", D(2023, 2, 1), D(2023, 2, 28)),
        ("2021", D(2021, 1, 1), D(2021, 12, 31)),
        ("2021/2023-11-15", D(2021, 1, 1), D(2023, 11, 15)),
        ("2023-07/2023-11-15", D(2023, 7, 1), D(2023, 11, 15)),
        ("2018/2023", D(2018, 1, 1), D(2023, 12, 31)),
        ("2023-11-14/2023-11-15", D(2023, 11, 14), D(2023, 11, 15)),
        ("2023-11/2023-11", D(2023, 11, 1), D(2023, 11, 30)),
        (" 2023-07 ", D(2023, 7, 1), D(2023, 7, 31)),
        (D(2023, 11, 15), D(2023, 11, 15), D(2023, 11, 15)),  # YAML reads a bare date
        (2021, D(2021, 1, 1), D(2021, 12, 31)),  # YAML reads a bare year as int
    ],
)
def test_period_parses_precision(written: Any, start: dt.date, end: dt.date) -> None:
    period = Period.model_validate(written)
    assert (start, end) == (period.start, period.end)


@pytest.mark.parametrize(
    ("written", "text"),
    [("2021/2023-11-15", "2021/2023-11-15"), (" 2023-07 ", "2023-07"), (2021, "2021"),
     (D(2023, 11, 15), "2023-11-15")],
)
def test_period_keeps_its_text(written: Any, text: str) -> None:
    assert text == str(Period.model_validate(written))


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("2023-13", "not a calendar date"),
        ("2023-02-30", "not a calendar date"),
        ("2023-04-31", "not a calendar date"),
        ("2023/2021", "ends before it starts"),
        ("2023-11-15/2023-11-14", "ends before it starts"),
        ("2023-12/2023-11-30", "ends before it starts"),
        ("23-11-15", "expected a date .*got '23-11-15'"),
        ("November 2023", "expected a date"),
        ("", "expected a date"),
        ("/2023", "got '/2023'"),
        ("2021/2022/2023", "got '2021/2022/2023'"),
        ("2024/1/31/2", "got '2024/1/31/2'"),
        ("2023-00", "not a calendar date: '2023-00'"),  # month 00 was read as the whole year
        ("2023-11-00", "not a calendar date: '2023-11-00'"),  # day 00 was read as the month
        ("2023-00-15", "not a calendar date"),
        ("2021/", "got '2021/'"),  # was read as 2021
        ("2023-11-15/", "got '2023-11-15/'"),
        ("2021/2023-00", "not a calendar date: '2021/2023-00'"),  # the whole input quoted
    ],
)
def test_period_rejects(written: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Period.model_validate(written)


# --- Figure ------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("reported", "value", "value_max", "unit", "qualifier"),
    [
        ("近2亿元", 2e8, None, "CNY", "nearly"),
        ("630多名", 630, None, "person", "at_least"),
        ("2周至4周", 2, 4, "week", "range"),
        ("约7公顷", 7, None, "ha", "about"),
        ("可达30亿元", 3e9, None, "CNY", "up_to"),
        ("4023人次", 4023, None, "person_time", "exact"),
        ("639个", 639, None, "piece", "exact"),
        ("20条", 20, None, "entry", "exact"),
        ("5000多条", 5000, None, "entry", "at_least"),
        ("571期", 571, None, "issue", "exact"),
        (" 12名 ", 12, None, "person", "exact"),
    ],
)
def test_figure_parses_reported(reported: str, value: float, value_max: float | None,
                                unit: str, qualifier: str) -> None:
    figure = Figure.model_validate(with_(FIGURE, reported=reported))
    actual = (figure.value, figure.value_max, figure.unit, str(figure.qualifier), figure.text)
    assert (value, value_max, unit, qualifier, reported.strip()) == actual


def test_figure_reported_is_the_parsed_quantity() -> None:
    figure = Figure.model_validate(with_(FIGURE, reported="2周至4周"))
    expected = Quantity(value=2, value_max=4, unit="week", qualifier="range", reported="2周至4周")
    assert expected == figure.reported
    assert (2, 4, "week", "range", "2周至4周") == (
        figure.value, figure.value_max, figure.unit, str(figure.qualifier), figure.text)


def test_derived_figure_keeps_its_quantity_and_formula() -> None:
    figure = Figure.model_validate(DERIVED)
    assert (75.0, None, "percent", "exact", "3/4", "derived", ["solved", "found"], None) == (
        figure.value, figure.value_max, figure.unit, str(figure.qualifier), figure.text,
        str(figure.basis), figure.derived_from, figure.locator)


def test_unparseable_reported_error_is_located_at_reported() -> None:
    with pytest.raises(ValidationError) as caught:
        Figure.model_validate(with_(FIGURE, reported="很多条"))
    assert [(("reported",), "Value error, no number in '很多条'")] == [
        (e["loc"], e["msg"]) for e in caught.value.errors()]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"reported": "好几名"}, "no number"),
        ({"reported": "12只猫"}, "unknown unit"),
        ({"value": 12.0}, "Extra inputs are not permitted"),
        ({"reported": {"value": 12.0, "unit": "furlong", "reported": "12 furlongs"}},
         "unknown unit 'furlong'"),
        ({"locator": "这是一段明显超过二十个字符长度限制的定位短语啊"}, "at most 20 characters"),
        ({"locator": ...}, "needs a locator"),
        ({"locator": ""}, "at least 1 character"),
        ({"colour": "red"}, "Extra inputs are not permitted"),
        ({"basis": "guessed"}, "'reported' or 'derived'"),
    ],
    ids=["unparseable", "unknown_unit", "explicit_value", "quantity_unknown_unit", "long_locator",
         "no_locator", "empty_locator", "unknown_field", "unknown_basis"],
)
def test_figure_rejects(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Figure.model_validate(with_(FIGURE, **changes))


def test_derived_figure_needs_its_inputs() -> None:
    with pytest.raises(ValidationError, match="names the metrics it is derived from"):
        Figure.model_validate(with_(DERIVED, derived_from=...))


@pytest.mark.parametrize("length", [1, 19, 20])
def test_locator_up_to_twenty_characters(length: int) -> None:
    assert length == len(Figure.model_validate(with_(FIGURE, locator="字" * length)).locator)


@pytest.mark.parametrize(
    ("field", "value"),
    [("value", 1.0), ("reported", "13名"), ("text", "13名"), ("locator", "别处"), ("unit", "t"),
     ("qualifier", "about")],
)
def test_figure_is_frozen(field: str, value: Any) -> None:
    figure = Figure.model_validate(FIGURE)
    before = getattr(figure, field)
    with pytest.raises(ValidationError, match="frozen"):
        setattr(figure, field, value)
    assert before == getattr(figure, field)


@pytest.mark.parametrize(
    ("changes", "extra"),
    [
        ({"value": 12.0, "unit": "furlong", "qualifier": "exact"}, ["value", "unit", "qualifier"]),
        ({"value": 99.0, "unit": "person", "qualifier": "exact"}, ["value", "unit", "qualifier"]),
        ({"unit": "t"}, ["unit"]),
    ],
    ids=["unknown_unit", "value_drifting_from_text", "unit_only"],
)
def test_figure_rejects_explicit_value_unit_qualifier(changes: dict[str, Any],
                                                      extra: list[str]) -> None:
    """Value, unit and qualifier come only from parsing `reported`, never given beside it."""
    with pytest.raises(ValidationError) as caught:
        Figure.model_validate(with_(FIGURE, **changes))
    assert [((name,), "Extra inputs are not permitted") for name in extra] == [
        (e["loc"], e["msg"]) for e in caught.value.errors()]


@pytest.mark.parametrize(
    "quantity",
    [
        {"value": 99.0, "unit": "person", "qualifier": "exact", "reported": "12名"},
        {"value": 12.0, "unit": "t", "qualifier": "exact", "reported": "12名"},
        {"value": 12.0, "unit": "person", "qualifier": "nearly", "reported": "12名"},
    ],
    ids=["value", "unit", "qualifier"],
)
def test_reported_figure_value_matches_its_text(quantity: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as caught:
        Figure.model_validate(with_(FIGURE, reported=quantity))
    assert [("reported",)] == [e["loc"] for e in caught.value.errors()]


# --- Program, Project, AgeGroup --------------------------------------------------------------

@pytest.mark.parametrize(
    ("lead", "participants", "message"),
    [
        ("city_office", ["city_office"], "also listed as a participant"),
        ("city_office", ["water_company", "city_office"], "also listed as a participant"),
        ("city_office", ["water_company", "water_company"], "listed twice"),
    ],
)
def test_program_participants_rule(lead: str, participants: list[str], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Program.model_validate(with_(PROGRAM, lead=lead, participants=participants))


def test_program_departments_lead_first() -> None:
    program = Program.model_validate(with_(PROGRAM, participants=["water_company", "housing"]))
    assert ["city_office", "water_company", "housing"] == program.departments


@pytest.mark.parametrize(
    ("periods", "ok"),
    [
        (["2017", "2022-12", "2023-11", "2023-12", "2024-02"], True),
        (["2023-11-15"], True),
        (["2023-11", "2023-11-15"], True),  # a month, then a day within it: same start or later
        (["2023-11-15", "2023-11"], False),  # the month starts before the day
        (["2022-12", "2017"], False),
        (["2017", "2024-02", "2023-12"], False),
    ],
)
def test_project_milestones_in_date_order(periods: list[str], ok: bool) -> None:
    data = with_(PROJECT, milestones=[with_(MILESTONE, period=p) for p in periods])
    if ok:
        assert periods == [str(m.period) for m in Project.model_validate(data).milestones]
    else:
        with pytest.raises(ValidationError, match="must be in date order"):
            Project.model_validate(data)


@pytest.mark.parametrize(
    ("ages", "value", "value_max", "unit", "qualifier"),
    [
        ("6至35月龄", 6, 35, "month_of_age", "range"),
        ("3岁以上", 3, None, "year_of_age", "at_least"),
        ("16岁", 16, None, "year_of_age", "exact"),
    ],
)
def test_age_group_reads_ages(ages: str, value: float, value_max: float | None, unit: str,
                              qualifier: str) -> None:
    quantity = AgeGroup.model_validate(with_(AGE_GROUP, ages=ages)).ages
    assert (value, value_max, unit, qualifier) == (
        quantity.value, quantity.value_max, quantity.unit, str(quantity.qualifier))


@pytest.mark.parametrize("ages", ["3种", "35年", "5名", "2周至4周", "10亿元"])
def test_age_group_rejects_non_age(ages: str) -> None:
    with pytest.raises(ValidationError, match="is not an age"):
        AgeGroup.model_validate(with_(AGE_GROUP, ages=ages))
