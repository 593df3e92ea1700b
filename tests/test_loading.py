"""Loading a data folder: every problem reported at once, the valid rest kept, typed frames."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from pandas.api.types import (
    is_datetime64_any_dtype,
    is_float_dtype,
    is_object_dtype,
    is_string_dtype,
)

from civic.frames import FIGURE_COLUMNS, Frames
from civic.loading import DataError, Loaded, Problem, data_version, load, load_dataset
from civic.models import Dataset

EMPTY = Dataset(sources=[], districts=[], departments=[], metrics=[], programs=[], figures=[])


@pytest.fixture(scope="module")
def shipped(data_dir: Path) -> Loaded:
    return load(data_dir)


@pytest.fixture(scope="module")
def frames(shipped: Loaded) -> Frames:
    return Frames(shipped.dataset)


@pytest.fixture(scope="module")
def broken_loaded(broken_data) -> Loaded:
    return load(broken_data.path)


def problem_at(problems: list[Problem], file: str, record: str) -> list[Problem]:
    return [p for p in problems if (p.file, p.record) == (file, record)]


# --- the shipped data ------------------------------------------------------------------------

def test_shipped_data_has_no_problems(shipped: Loaded) -> None:
    assert [] == [str(p) for p in shipped.problems]
    assert shipped.ok


@pytest.mark.parametrize(
    ("kind", "count"),
    [("programs", 10), ("sources", 10), ("districts", 9), ("projects", 2), ("advisories", 1),
     ("relief_measures", 5)],
)
def test_shipped_data_record_counts(shipped: Loaded, kind: str, count: int) -> None:
    assert count == len(getattr(shipped.dataset, kind))


def test_load_dataset_returns_the_dataset(data_dir: Path, shipped: Loaded) -> None:
    assert shipped.dataset == load_dataset(data_dir)


@pytest.mark.parametrize(
    ("program", "metric", "department", "source"),
    [
        # from the file's `program:` id and `defaults:`
        ("winter_relief", "persons_taken_in", "zz_relief_station", "zzrb_20231115_relief"),
        ("leaders_walk", "experiences", "zz_admin_approval", "zzrb_20231115_walk"),
        ("bowei_expansion", "annual_capacity", "bowei_new_energy", "zzrb_20231115_bowei"),
    ],
)
def test_file_defaults_fill_records(shipped: Loaded, program: str, metric: str, department: str,
                                    source: str) -> None:
    (figure,) = [f for f in shipped.dataset.figures if f.metric == metric and f.program == program]
    assert (department, source) == (figure.department, figure.source)


def test_record_value_beats_file_default(shipped: Loaded) -> None:
    (figure,) = [f for f in shipped.dataset.figures if f.metric == "menu_departments"]
    assert "2023-11-15" == str(figure.period)  # the file's default period is 2021/2023-11-15


def test_publication_default_reaches_sources(shipped: Loaded) -> None:
    assert {("株洲日报", "Zhuzhou Daily")} == {
        (s.publication.zh, s.publication.en) for s in shipped.dataset.sources}


# --- a folder broken in many ways at once ----------------------------------------------------

def test_broken_folder_reports_every_problem_once(broken_data, broken_loaded: Loaded) -> None:
    expected = Counter((e.file, e.record) for e in broken_data.expected)
    assert expected == Counter((p.file, p.record) for p in broken_loaded.problems)


@pytest.mark.parametrize(
    "why",
    [
        "yaml_syntax", "unknown_program", "unit_mismatch", "unknown_field", "solved_exceeds_found",
        "duplicate_id", "unknown_key", "milestones_order", "unparseable_reported",
    ],
)
def test_broken_folder_problem_names_file_record_field(broken_data, broken_loaded: Loaded,
                                                       why: str) -> None:
    want = broken_data.by_why(why)
    got = problem_at(broken_loaded.problems, want.file, want.record)
    assert [(want.file, want.record, want.field)] == [(p.file, p.record, p.field) for p in got]
    assert want.message in got[0].message


def test_unparseable_reported_message_quotes_the_text(broken_data, broken_loaded: Loaded) -> None:
    want = broken_data.by_why("unparseable_reported")
    (got,) = problem_at(broken_loaded.problems, want.file, want.record)
    assert "no number in '很多条'" == got.message


def test_yaml_problem_gives_the_line(broken_loaded: Loaded) -> None:
    (got,) = problem_at(broken_loaded.problems, "programs/missing_person_search.yaml", "")
    assert got.message.startswith("not valid YAML: line 5, column 1 ")


def test_problem_prints_file_record_field(broken_data, broken_loaded: Loaded) -> None:
    want = broken_data.by_why("unit_mismatch")
    (got,) = problem_at(broken_loaded.problems, want.file, want.record)
    assert f"{want.file}: {want.record} / reported: {got.message}" == str(got)


def test_broken_folder_keeps_every_valid_figure(broken_data, broken_loaded: Loaded) -> None:
    # Left out: the unreadable file's figure and the changed `problems_solved` one.
    untouched = [
        f for f in broken_data.shipped_figures
        if f[0] != "missing_person_search" and f[1] != "problems_solved"
    ]
    loaded = Counter((f.program, f.metric, f.text) for f in broken_loaded.dataset.figures)
    assert [] == [f for f in untouched if loaded[f] < 1]
    assert len(untouched) == len(broken_loaded.dataset.figures)


@pytest.mark.parametrize(
    ("program", "count"),
    [("community_games", 5), ("skills_masters", 4), ("winter_relief", 1), ("flu_advisory", 3),
     ("bowei_expansion", 10), ("longquan_park", 4), ("municipal_reading", 4),
     ("leaders_walk", 6),  # its problems_solved figure exceeds problems_found: left out
     ("missing_person_search", 0), ("no_such_program", 0)],
)
def test_broken_folder_figure_counts(broken_loaded: Loaded, program: str, count: int) -> None:
    assert count == sum(f.program == program for f in broken_loaded.dataset.figures)


@pytest.mark.parametrize(
    ("kind", "ids"),
    [
        ("projects", {"longquan_park"}),  # bowei's milestones are out of order
        ("programs", {"community_games", "winter_relief", "skills_masters", "flu_advisory",
                      "leaders_walk", "longquan_park", "bowei_expansion", "community_help",
                      "municipal_reading"}),  # missing_person_search is unreadable
        ("events", {"games_final", "longquan_signing", "skills_masters_stop2"}),
        ("districts", {"liling", "lusong", "tianyuan", "lukou", "hetang", "shifeng", "yanling",
                       "youxian", "chaling"}),  # the duplicate liling is left out, not added
    ],
)
def test_broken_folder_keeps_valid_records(broken_loaded: Loaded, kind: str,
                                           ids: set[str]) -> None:
    assert sorted(ids) == sorted(r.id for r in getattr(broken_loaded.dataset, kind))


@pytest.mark.parametrize(
    ("program", "metric", "text", "count"),
    [
        ("no_such_program", "masters", "5位", 0),  # unknown_program
        ("winter_relief", "persons_taken_in", "5吨", 0),  # unit_mismatch
        ("community_games", "finalists", "630多名", 1),  # unknown_field: the shipped one stays
        ("municipal_reading", "reflections", "很多条", 0),  # unparseable_reported
        ("leaders_walk", "problems_solved", "700个", 0),  # solved_exceeds_found
        ("leaders_walk", "problems_found", "639个", 1),  # the figure it was checked against
    ],
)
def test_broken_figure_is_left_out(broken_loaded: Loaded, program: str, metric: str, text: str,
                                   count: int) -> None:
    assert count == sum(
        (f.program, f.metric, f.text) == (program, metric, text)
        for f in broken_loaded.dataset.figures)


def test_solved_exceeding_found_is_left_out(broken_loaded: Loaded) -> None:
    walk = [f for f in broken_loaded.dataset.figures if f.program == "leaders_walk"]
    assert ([], [639.0]) == (
        [f.value for f in walk if f.metric == "problems_solved"],
        [f.value for f in walk if f.metric == "problems_found"])


def test_duplicate_is_left_out(broken_loaded: Loaded) -> None:
    assert [("liling", "醴陵市")] == [
        (d.id, d.name.zh) for d in broken_loaded.dataset.districts if d.id == "liling"]


def test_solved_not_exceeding_found_is_kept(tmp_data: Path, edit_yaml) -> None:
    def solve_all(content: dict[str, Any]) -> None:
        for figure in content["figures"]:
            if figure["metric"] == "problems_solved":
                figure["reported"] = "639个"  # as many as found: allowed

    edit_yaml(tmp_data / "programs" / "leaders_walk.yaml", solve_all)
    loaded = load(tmp_data)
    assert ([], [639.0]) == (
        loaded.problems,
        [f.value for f in loaded.dataset.figures if f.metric == "problems_solved"])


def test_load_dataset_raises_with_every_problem(broken_data) -> None:
    with pytest.raises(DataError) as caught:
        load_dataset(broken_data.path)
    problems = caught.value.problems
    assert len(broken_data.expected) == len(problems)
    assert load(broken_data.path).problems == problems
    assert [str(p) for p in problems] == str(caught.value).splitlines()


def test_missing_folder_is_one_problem(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    loaded = load(missing)
    assert [Problem(str(missing), "", "", "no_folder")] == loaded.problems
    assert "data folder not found" == loaded.problems[0].message
    assert ([], []) == (loaded.dataset.figures, loaded.dataset.programs)


def test_missing_folder_raises(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="data folder not found"):
        load_dataset(tmp_path / "nowhere")


# --- one problem at a time -------------------------------------------------------------------

FILE_PROBLEMS = [
    ("top_level_list", "extra.yaml", "- a\n- b\n", ("extra.yaml", "", ""),
     "expected a mapping of record lists"),
    ("list_not_a_list", "extra.yaml", "districts: {id: x}\n", ("extra.yaml", "districts", ""),
     "expected a list of records"),
    ("record_not_mapping", "extra.yaml", "districts:\n  - just text\n",
     ("extra.yaml", "districts[0]", ""), "expected a mapping of fields"),
    ("defaults_not_mapping", "extra.yaml", "defaults: [1, 2]\ndistricts: []\n",
     ("extra.yaml", "defaults", ""), "a mapping of default fields"),
    ("program_file_without_program", "programs/extra.yaml", "figures: []\n",
     ("programs/extra.yaml", "program", ""), "needs a `program` mapping"),
    ("not_utf8", "extra.yaml", "districts: []\n# \xff\xfe\n".encode("latin-1"),
     ("extra.yaml", "", ""), "not UTF-8"),
    ("unknown_department", "extra.yaml",
     "departments:\n  - {id: x_office, name: {zh: 办, en: Office}, level: city, parent: nobody}\n",
     ("extra.yaml", "departments x_office[0]", "parent"), "unknown department 'nobody'"),
    ("target_unknown_metric", "extra.yaml",
     "targets:\n  - {program: leaders_walk, metric: no_such_metric, value: 80, period: 2024, "
     "source: zzrb_20231115_walk}\n",
     ("extra.yaml", "targets no_such_metric[0]", "metric"), "unknown metric 'no_such_metric'"),
]


@pytest.mark.parametrize(
    ("name", "content", "where", "message"), [c[1:] for c in FILE_PROBLEMS],
    ids=[c[0] for c in FILE_PROBLEMS],
)
def test_file_problem(tmp_data: Path, name: str, content: str | bytes,
                      where: tuple[str, str, str], message: str) -> None:
    path = tmp_data / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    problems = load(tmp_data).problems
    assert [where] == [(p.file, p.record, p.field) for p in problems]
    assert message in problems[0].message


def test_empty_file_is_fine(tmp_data: Path) -> None:
    (tmp_data / "empty.yaml").write_text("# nothing yet\n", encoding="utf-8")
    assert [] == load(tmp_data).problems


def test_invalid_program_makes_its_figures_unknown(tmp_data: Path, edit_yaml) -> None:
    edit_yaml(tmp_data / "programs" / "flu_advisory.yaml",
              lambda c: c["program"].update(category="medicine"))
    fields = Counter((p.file, p.field) for p in load(tmp_data).problems)
    # the program's own error, then each of its 3 figures and its advisory as unknown program
    assert Counter({("programs/flu_advisory.yaml", "category"): 1,
                    ("programs/flu_advisory.yaml", "program"): 4}) == fields


def test_record_may_name_another_program(tmp_data: Path, write_yaml) -> None:
    write_yaml(tmp_data / "programs" / "extra.yaml", {
        "program": {"id": "extra_program", "name": {"zh": "附加", "en": "Extra"},
                    "category": "community", "lead": "zz_cdc", "status": "ongoing",
                    "source": "zzrb_20231115_flu"},
        "defaults": {"department": "zz_cdc", "source": "zzrb_20231115_flu", "period": "2023-11-15"},
        "figures": [
            {"metric": "masters", "reported": "2位", "locator": "两位"},
            {"program": "skills_masters", "metric": "masters", "reported": "7位", "locator": "七位",
             "period": "2023-11-14"},
        ],
    })
    loaded = load(tmp_data)
    assert [] == loaded.problems
    assert {("extra_program", "2位"), ("skills_masters", "7位")} <= {
        (f.program, f.text) for f in loaded.dataset.figures}


@pytest.mark.parametrize(
    ("explicit", "fields"),
    [
        ({"value": 3, "unit": "furlong", "qualifier": "exact"}, ["value", "unit", "qualifier"]),
        ({"value": 30}, ["value"]),
        ({"unit": "person"}, ["unit"]),
        ({"value_max": 5}, ["value_max"]),
    ],
    ids=["unknown_unit", "value", "known_unit", "value_max"],
)
def test_explicit_value_or_unit_is_an_extra_field(tmp_data: Path, edit_yaml,
                                                   explicit: dict[str, Any],
                                                   fields: list[str]) -> None:
    """Units only come from parsing `reported`; giving one beside it is a located problem."""
    edit_yaml(tmp_data / "programs" / "winter_relief.yaml", lambda c: c["figures"].append(
        {"metric": "persons_taken_in", "reported": "3名", **explicit, "period": "2023-11-12",
         "locator": "接回3名"}))
    loaded = load(tmp_data)  # never raises
    record = "figures persons_taken_in[1]"
    assert [("programs/winter_relief.yaml", record, name, "no such field (check its spelling)")
            for name in fields] == [(p.file, p.record, p.field, p.message) for p in loaded.problems]
    assert [("3名", "person")] == [  # only the shipped figure; the bad one is left out
        (f.text, f.unit) for f in loaded.dataset.figures if f.metric == "persons_taken_in"]


@pytest.mark.parametrize(
    ("reported", "field", "message"),
    [
        ("很多条", "reported", "no number in '很多条'"),
        ("3只猫", "reported", "'3只猫': unknown unit '只猫'"),
        ("3名至", "reported", "the range '3名至' needs a number at both ends"),
        ("5吨", "reported", "the unit “t” does not fit the metric “persons_taken_in”"),
    ],
)
def test_bad_reported_text_is_one_located_problem(tmp_data: Path, edit_yaml, reported: str,
                                                   field: str, message: str) -> None:
    edit_yaml(tmp_data / "programs" / "winter_relief.yaml", lambda c: c["figures"].append(
        {"metric": "persons_taken_in", "reported": reported, "period": "2023-11-12",
         "locator": "接回3名"}))
    loaded = load(tmp_data)
    assert [("programs/winter_relief.yaml", "figures persons_taken_in[1]", field)] == [
        (p.file, p.record, p.field) for p in loaded.problems]
    assert loaded.problems[0].message.startswith(message)
    assert 1 == sum(f.metric == "persons_taken_in" for f in loaded.dataset.figures)


def test_reported_mapping_cannot_drift_from_its_text(tmp_data: Path, edit_yaml) -> None:
    edit_yaml(tmp_data / "programs" / "winter_relief.yaml", lambda c: c["figures"].append(
        {"metric": "persons_taken_in", "period": "2023-11-12", "locator": "接回3名",
         "reported": {"value": 300, "unit": "person", "qualifier": "exact", "reported": "3名"}}))
    loaded = load(tmp_data)
    assert ([("figures persons_taken_in[1]", "reported")], [3.0]) == (
        [(p.record, p.field) for p in loaded.problems],
        [f.value for f in loaded.dataset.figures if f.metric == "persons_taken_in"])


# --- frames --------------------------------------------------------------------------------

REQUIRED_FIGURE_COLUMNS = [
    "program", "metric", "value", "value_max", "unit", "qualifier", "reported", "date",
    "department", "source",
]


def test_figures_frame_columns(frames: Frames) -> None:
    columns = list(frames.figures.columns)
    assert FIGURE_COLUMNS == columns
    assert REQUIRED_FIGURE_COLUMNS == [c for c in columns if c in REQUIRED_FIGURE_COLUMNS]


def _kind(series: pd.Series) -> str:
    if isinstance(series.dtype, pd.CategoricalDtype):
        return "category"
    if str(series.dtype) == "Float64":
        return "Float64"
    if is_datetime64_any_dtype(series):
        return "datetime"
    if is_float_dtype(series):
        return "float"
    if is_object_dtype(series) or is_string_dtype(series):
        return "text"
    return str(series.dtype)


FIGURE_KINDS = [
    ("program", "category"), ("department", "category"), ("metric", "category"),
    ("unit", "category"), ("qualifier", "category"), ("basis", "category"),
    ("value", "Float64"), ("value_max", "Float64"), ("date", "datetime"),
    ("date_end", "datetime"), ("reported", "text"), ("source", "text"),
]


@pytest.mark.parametrize("empty", [False, True], ids=["shipped", "empty"])
@pytest.mark.parametrize(("column", "kind"), FIGURE_KINDS)
def test_figures_frame_dtypes(frames: Frames, empty: bool, column: str, kind: str) -> None:
    frame = (Frames(EMPTY) if empty else frames).figures
    assert kind == _kind(frame[column])


def test_figures_frame_one_row_per_figure(frames: Frames, shipped: Loaded) -> None:
    reported = frames.figures[frames.figures["basis"] == "reported"]
    assert len(shipped.dataset.figures) == len(reported)


@pytest.mark.parametrize(
    ("metric", "column", "expected"),
    [
        ("problems_found", "value", 639.0),
        ("protection_onset", "value_max", 4.0),
        ("experiences", "date", pd.Timestamp("2021-01-01")),
        ("experiences", "date_end", pd.Timestamp("2023-11-15")),
        ("finalists", "qualifier", "at_least"),
        ("finalists", "reported", "630多名"),
        ("menu_departments", "district", None),
        ("search_duration", "district", "lusong"),
        ("search_duration", "category", "public_safety"),
        ("persons_taken_in", "basis", "reported"),
        ("jobs", "locator", "安置劳动力350人左右"),
    ],
)
def test_figures_frame_cell(frames: Frames, metric: str, column: str, expected: Any) -> None:
    (value,) = frames.figures.loc[frames.figures["metric"] == metric, column].tolist()
    assert expected == (None if pd.isna(value) else value)


def test_value_max_is_na_outside_ranges(frames: Frames) -> None:
    figures = frames.figures
    with_max = figures.loc[figures["value_max"].notna(), "qualifier"].astype(str)
    assert {"range"} == set(with_max)


FRAME_NAMES = [
    "figures", "programs", "departments", "participation", "projects", "milestones",
    "relief_actions", "relief_measures", "advisories", "events", "cases", "sources",
]


@pytest.mark.parametrize("name", FRAME_NAMES)
def test_frame_of_empty_dataset_is_empty_with_columns(frames: Frames, name: str) -> None:
    """No records, the same columns; a project's key figures are the catalogue's metrics."""
    empty = getattr(Frames(EMPTY.model_copy(update={"metrics": frames.dataset.metrics})), name)
    assert (0, list(getattr(frames, name).columns)) == (len(empty), list(empty.columns))


@pytest.mark.parametrize(
    ("name", "column"),
    [("programs", "start"), ("milestones", "start"), ("milestones", "end"),
     ("relief_actions", "date"), ("advisories", "date"), ("events", "date"), ("cases", "date"),
     ("sources", "edition_date")],
)
@pytest.mark.parametrize("empty", [False, True], ids=["shipped", "empty"])
def test_frame_dates_are_datetime(frames: Frames, name: str, column: str, empty: bool) -> None:
    frame = getattr(Frames(EMPTY) if empty else frames, name)
    assert is_datetime64_any_dtype(frame[column])


@pytest.mark.parametrize(
    ("project", "column", "expected"),
    [
        ("longquan_park", "total_investment", 1e9),
        ("longquan_park", "total_investment_qualifier", "exact"),
        ("longquan_park", "land_area", 7.0),
        ("longquan_park", "land_area_qualifier", "about"),
        ("longquan_park", "enterprises_expected", 100.0),
        ("longquan_park", "enterprises_expected_qualifier", "at_least"),
        ("longquan_park", "expected_annual_output", 2e9),
        ("longquan_park", "expected_annual_output_qualifier", "more_than"),
        ("longquan_park", "jobs", None),
        ("bowei_expansion", "total_investment", 1e9),
        ("bowei_expansion", "land_area", 6.0),
        ("bowei_expansion", "land_area_qualifier", "exact"),
        ("bowei_expansion", "jobs", 350.0),
        ("bowei_expansion", "jobs_qualifier", "about"),
        ("bowei_expansion", "expected_annual_output", 3e9),
        ("bowei_expansion", "expected_annual_output_qualifier", "up_to"),
        ("bowei_expansion", "annual_capacity", 5e4),
        ("bowei_expansion", "district", "liling"),
        ("longquan_park", "district", "lusong"),
    ],
)
def test_projects_frame_pivots_figures(frames: Frames, project: str, column: str,
                                       expected: Any) -> None:
    row = frames.projects.set_index("project").loc[project]
    assert expected == (None if pd.isna(row[column]) else row[column])


def test_projects_frame_amounts_are_float64(frames: Frames) -> None:
    assert "Float64" == str(frames.projects["total_investment"].dtype)


def test_milestones_frame_in_order(frames: Frames) -> None:
    bowei = frames.milestones[frames.milestones["project"] == "bowei_expansion"]
    assert ["2017", "2022-12", "2023-11", "2023-11", "2023-11-15/2023-12-15", "2023-12",
            "2024-02"] == bowei["period"].tolist()
    assert bowei["start"].is_monotonic_increasing


@pytest.mark.parametrize(
    ("program", "roles"),
    [
        ("leaders_walk", {"zz_admin_approval": "lead", "zz_drc": "participant",
                          "zz_housing": "participant", "zz_water_group": "participant",
                          "tianyuan_admin_approval": "participant", "lukou_gov": "participant"}),
        ("flu_advisory", {"zz_cdc": "lead"}),
    ],
)
def test_participation_frame(frames: Frames, program: str, roles: dict[str, str]) -> None:
    rows = frames.participation[frames.participation["program"] == program]
    assert roles == dict(zip(rows["department"], rows["role"]))


def test_frames_accept_other_figures(shipped: Loaded) -> None:
    some = shipped.dataset.figures[:3]
    figures = Frames(shipped.dataset, some).figures
    assert [f.metric for f in some] == figures.loc[figures["basis"] == "reported",
                                                   "metric"].tolist()


def test_frames_are_cached(frames: Frames) -> None:
    assert frames.figures is frames.figures


# --- data_version ----------------------------------------------------------------------------

def test_data_version_is_stable(tmp_data: Path) -> None:
    assert data_version(tmp_data) == data_version(tmp_data)


@pytest.mark.parametrize(
    "touch",
    ["append", "mtime", "new_file", "remove_file"],
)
def test_data_version_changes_with_a_file(tmp_data: Path, touch: str) -> None:
    before = data_version(tmp_data)
    path = tmp_data / "programs" / "flu_advisory.yaml"
    if touch == "append":
        with path.open("a", encoding="utf-8") as f:
            f.write("# checked\n")
    elif touch == "mtime":
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    elif touch == "new_file":
        (tmp_data / "extra.yaml").write_text("", encoding="utf-8")
    else:
        path.unlink()
    assert before != data_version(tmp_data)


def test_data_version_lists_every_data_file(data_dir: Path) -> None:
    names = [name for name, _, _ in data_version(data_dir)]
    assert {"sources.yaml", "metrics.yaml", "programs/leaders_walk.yaml"} <= set(names)
    assert len(list(data_dir.glob("*.yaml")) + list(data_dir.glob("programs/*.yaml"))) == len(names)


def test_data_version_of_missing_folder(tmp_path: Path) -> None:
    assert () == data_version(tmp_path / "nowhere")


# --- hostile files: bounded work, every failure a located problem ------------------------------

def _alias_bomb(levels: int = 9, width: int = 9) -> str:
    """A small file whose nested anchors expand to width**levels values."""
    names = [f"l{n}" for n in range(levels)]
    lines = [f"{names[0]}: &{names[0]} [{', '.join(['xxxxx'] * width)}]"]
    lines += [f"{cur}: &{cur} [{', '.join([f'*{prev}'] * width)}]"
              for prev, cur in zip(names, names[1:])]
    lines.append(f"figures: [{{metric: *{names[-1]}, reported: 1个}}]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("levels", [9, 11])
def test_alias_bomb_is_refused_with_a_located_problem(tmp_data: Path, levels: int) -> None:
    bomb = _alias_bomb(levels)
    assert len(bomb.encode()) < 800  # the attack fits in one small file
    (tmp_data / "programs" / "bomb.yaml").write_text(bomb, encoding="utf-8")
    loaded = load(tmp_data)  # would build billions of values, or their text, unbounded
    assert [("programs/bomb.yaml", "")] == [(p.file, p.record) for p in loaded.problems]
    assert "aliases" in loaded.problems[0].message
    assert len(str(loaded.problems[0])) < 300
    assert 10 == len(loaded.dataset.programs)  # the rest of the data still loads


def test_aliases_that_stay_small_still_load(tmp_data: Path) -> None:
    path = tmp_data / "programs" / "winter_relief.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "  source: zzrb_20231115_relief\n  headline", "  source: &src zzrb_20231115_relief\n"
        "  headline", 1).replace("defaults:\n  source: zzrb_20231115_relief",
                                 "defaults:\n  source: *src", 1)
    assert "*src" in text
    path.write_text(text, encoding="utf-8")
    assert load(tmp_data).ok


def test_oversized_file_is_refused_unread(tmp_data: Path) -> None:
    from civic.loading import MAX_FILE_BYTES

    (tmp_data / "programs" / "big.yaml").write_text("# " + "x" * MAX_FILE_BYTES + "\n")
    (problem,) = load(tmp_data).problems
    assert ("programs/big.yaml", True) == (problem.file, problem.message.startswith("too large"))


@pytest.mark.parametrize(
    ("value", "line", "message"),
    [
        ("2023-02-30", "period: 2023-02-30", "date '2023-02-30' does not parse"),
        ("1" * 5000, "reported: " + "1" * 5000, "integer '111"),
    ],
    ids=["impossible_date", "5000_digits"],
)
def test_unparseable_scalar_is_a_located_problem(tmp_data: Path, value: str, line: str,
                                                 message: str) -> None:
    path = tmp_data / "programs" / "winter_relief.yaml"
    path.write_text(path.read_text(encoding="utf-8") + f"targets:\n  - {line}\n",
                    encoding="utf-8")
    loaded = load(tmp_data)  # never raises
    (problem,) = loaded.problems
    assert "programs/winter_relief.yaml" == problem.file
    assert problem.message.startswith("not valid YAML: line ")
    assert message in problem.message
    assert len(problem.params["reason"]) <= 200 and len(problem.message) <= 300


def test_long_labels_and_messages_are_clipped(tmp_data: Path, write_yaml) -> None:
    write_yaml(tmp_data / "programs" / "long.yaml", {
        "program": {"id": "p" * 5000},
        "x" * 5000: [],
        "figures": [{"metric": "m" * 5000, "reported": "1个"}],
    })
    problems = load(tmp_data).problems
    assert problems and all(len(str(p)) < 4 * 200 for p in problems)


def test_file_removed_after_listing_is_a_problem(tmp_data: Path, monkeypatch) -> None:
    from civic import loading

    listed = loading._data_files(tmp_data)  # noqa: SLF001
    (tmp_data / "programs" / "flu_advisory.yaml").unlink()
    monkeypatch.setattr(loading, "_data_files", lambda root: listed)
    loaded = load(tmp_data)
    assert ("programs/flu_advisory.yaml", "removed while it was being read") == (
        loaded.problems[0].file, loaded.problems[0].message)
    assert "programs/flu_advisory.yaml" not in {name for name, *_ in data_version(tmp_data)}


def test_a_program_layout_names_only_known_metrics(tmp_data: Path, edit_yaml) -> None:
    """`cards`, `funnel` and `breakdown` of a program refer to metrics of the catalogue."""
    edit_yaml(tmp_data / "programs" / "leaders_walk.yaml",
              lambda c: c["program"].update(funnel=["experiences", "no_such_metric"]))
    problems = load(tmp_data).problems
    assert any("no_such_metric" in str(p) for p in problems)


def test_a_folder_read_again_parses_only_the_files_that_changed(tmp_data, monkeypatch):
    """Files are kept by their bytes, not their names, sizes or times: a figure changed in
    place to a number of the same length, with the file's time put back, is read anew."""
    from civic import loading

    first = load(tmp_data)
    parsed: list[str] = []
    records = loading._records
    monkeypatch.setattr(loading, "_records",
                        lambda data, rel, in_dir: parsed.append(rel) or records(data, rel, in_dir))
    again = load(tmp_data)
    assert parsed == [] and again == first
    again.problems.append(Problem("x", "", "", "removed"))  # a caller's list is its own
    assert load(tmp_data).problems == first.problems

    path = tmp_data / "programs" / "leaders_walk.yaml"
    before = path.stat()
    path.write_text(path.read_text(encoding="utf-8").replace("4023", "4024"), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    changed = load(tmp_data)
    assert parsed == ["programs/leaders_walk.yaml"]
    values = {f.value for f in changed.dataset.figures if f.metric == "experiences"}
    assert 4024 in values and 4023 not in values
