"""Uploads of projects: a row per milestone grouped by id into one project, told from figures by
their headers or layout, checked by the store's rules, the program's departments deciding who
writes, duplicates skipped or replaced, one audited save and undo on SQLite and PostgreSQL.
Projects here are made up for the tests."""

from __future__ import annotations

import io
import json

import pytest
import yaml
from conftest import DATA
from openpyxl import Workbook
from test_intake import HEADER, csv_bytes, departments, sqlite_engine  # noqa: F401

from civic import intake, project_intake, reads, store, templates, uploads
from civic.accounts import Account

PROJECT_HEADER = ",".join(project_intake.PROJECT_COLUMNS)
# Longquan park's program is led by 芦淞区政府, with 欧微云尚 taking part.
FIRST = ("test_works,longquan_park,测试厂房,Test works,测试公司,Test Co.,,,lusong,测试园区,"
         "Test park,测试产品,Test product,2024-01,签约,Signed,done")
SECOND = "test_works,,,,,,,,,,,,,2024-06,开工,Works start,计划中"
BAD = ("bad_works,longquan_park,测试二,Test two,测试公司,Test Co.,,,lusong,园区,Park,产品,"
       "Product,2024-13,开工,Works start,maybe")
UNKNOWN = ("far_works,longquan_park,测试三,Test three,测试公司,Test Co.,,,nowhere,园区,Park,"
           "产品,Product,2024-01,开工,Works start,done")
# 铂威新能源's own program: not one 芦淞区政府 takes part in.
BOWEI = ("bowei_expansion,bowei_expansion,铂威扩能,Bowei expansion,铂威,Bowei,,,liling,醴陵,"
         "Liling,负极材料,Anode material,2024-03,投产,In production,done")
LUSONG = Account("lu", "editor", ("lusong_gov",))
OUWEI = Account("ou", "editor", ("ouwei_yunshang",))
ADMIN = Account("wang", "admin")
SOURCE = "zzrb_20231115_longquan"


def read(*lines: str, name: str = "p.csv", encoding: str = "utf-8") -> tuple[str, uploads.Sheet]:
    return uploads.read_any(name, csv_bytes(PROJECT_HEADER, *lines, encoding=encoding),
                            templates.KINDS)


def check(filled_store, account, *lines: str) -> project_intake.Checked:
    return project_intake.check(filled_store, read(*lines)[1], SOURCE, account, departments(filled_store))


def project_ids(filled_store) -> list[str]:
    return [p.id for p in reads.dataset(filled_store, with_figures=False).projects]


# -- reading ---------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_a_projects_file_is_told_from_figures_by_its_headers(encoding):
    kind, sheet = read(FIRST, SECOND, encoding=encoding)
    assert kind == "projects" and [n for n, _ in sheet.rows] == [2, 3]
    assert sheet.rows[1][1]["milestone_status"] == "计划中"
    chinese = ",".join(intake.column_name(c, "zh") for c in project_intake.PROJECT_COLUMNS)
    kind_zh, in_chinese = uploads.read_any("p.csv", csv_bytes(chinese, FIRST), templates.KINDS)
    assert kind_zh == "projects" and in_chinese.rows == read(FIRST)[1].rows
    assert uploads.read_any("f.csv", csv_bytes(HEADER), templates.KINDS)[0] == "figures"


def test_an_xlsx_of_projects_reads_like_its_csv():
    book = Workbook()
    for line in (PROJECT_HEADER, FIRST, SECOND):
        book.active.append(line.split(","))
    buffer = io.BytesIO()
    book.save(buffer)
    assert uploads.read_any("p.xlsx", buffer.getvalue(), templates.KINDS) == read(FIRST, SECOND)


def test_a_program_file_of_the_data_folder_reads_as_projects():
    """The data layout: `program:` gives the projects their program, texts and milestones nest;
    a file holding figures as well is refused, one kind to a file."""
    content = yaml.safe_load((DATA / "programs" / "longquan_park.yaml").read_text("utf-8"))
    only = {"program": content["program"], "projects": content["projects"]}
    kind, sheet = uploads.read_any("l.yaml", yaml.safe_dump(only, allow_unicode=True).encode(),
                                   templates.KINDS)
    ((number, cells),) = sheet.rows
    assert kind == "projects" and number == 1
    assert cells["program"] == "longquan_park" and cells["group_zh"] == "欧微集团"
    assert cells["milestone_en"] == "Framework agreement signed"
    as_json = json.dumps(content["projects"], ensure_ascii=False, default=str).encode()
    assert uploads.read_any("l.json", as_json, templates.KINDS)[0] == "projects"
    with pytest.raises(uploads.Unusable) as caught:
        uploads.read_any("l.yaml", (DATA / "programs" / "longquan_park.yaml").read_bytes(),
                         templates.KINDS)
    assert caught.value.key == "upload.two_kinds"


def test_a_stored_project_read_back_is_unchanged(sqlite_engine):
    content = yaml.safe_load((DATA / "programs" / "bowei_expansion.yaml").read_text("utf-8"))
    document = {"program": content["program"], "projects": content["projects"]}
    _, sheet = uploads.read_any("b.yaml", yaml.safe_dump(document, allow_unicode=True).encode(),
                                templates.KINDS)
    checked = project_intake.check(sqlite_engine, sheet, "zzrb_20231115_bowei", ADMIN,
                                   departments(sqlite_engine))
    assert not checked.problems
    ((row,),) = [checked.rows]
    assert row.unchanged and len(row.project.milestones) == 7


# -- checking --------------------------------------------------------------------------------


def test_milestone_rows_make_one_project_and_problems_name_row_and_column(sqlite_engine):
    checked = check(sqlite_engine, ADMIN, FIRST, BAD, SECOND, UNKNOWN)
    ((row,),) = [checked.rows]
    assert row.numbers == (2, 4) and [m.label.en for m in row.project.milestones] == [
        "Signed", "Works start"]
    assert str(row.project.milestones[1].status) == "planned"  # 计划中, as the page names it
    assert {(p.row, p.column) for p in checked.problems} == {
        (3, "milestone_period"), (3, "milestone_status"), (5, "district")}
    texts = {p.text("zh") for p in checked.problems}
    assert "第3行 · 节点日期：不是有效日期：'2024-13'" in texts
    assert "第5行 · 区县：未知的区县：nowhere" in texts


def test_a_project_column_that_differs_between_its_rows_is_a_problem(sqlite_engine):
    other = SECOND.replace("test_works,,,", "test_works,,另一个名字,")
    checked = check(sqlite_engine, ADMIN, FIRST, other)
    assert not checked.rows
    assert [(p.row, p.column) for p in checked.problems] == [(3, "name_zh")]
    assert checked.problems[0].text("en") == ("row 3 · name_zh: differs from row 2 of the same "
                                              "project id")


def test_milestones_out_of_order_and_a_row_without_an_id(sqlite_engine):
    early = SECOND.replace("2024-06", "2023-01")
    checked = check(sqlite_engine, ADMIN, FIRST, early, "," + SECOND.split(",", 1)[1])
    assert not checked.rows
    assert {(p.row, p.column) for p in checked.problems} == {(2, "milestone_period"),
                                                             (4, "id")}


def test_an_editor_writes_projects_of_programs_their_department_leads_or_takes_part_in(
        sqlite_engine):
    for account in (LUSONG, OUWEI):  # the lead, and a participant
        checked = check(sqlite_engine, account, FIRST, BOWEI)
        assert [r.number for r in checked.rows] == [2]
        assert [r.number for r in checked.refused] == [3]
    cdc = Account("x", "editor", ("zz_cdc",))
    assert [r.number for r in check(sqlite_engine, cdc, FIRST).refused] == [2]


def test_the_program_rule_holds_inside_the_write(sqlite_engine):
    """A project of a program the editor takes no part in, new or stored, refuses the save."""
    checked = check(sqlite_engine, ADMIN, BOWEI)
    with pytest.raises(store.Refused, match="takes part in program bowei_expansion"):
        project_intake.save(sqlite_engine, [r.project for r in checked.rows], SOURCE,
                            account=LUSONG, departments=departments(sqlite_engine), why="test",
                            replace={"bowei_expansion"})
    moved = checked.rows[0].project.model_copy(update={"program": "longquan_park"})
    with pytest.raises(store.Refused, match="takes part in program bowei_expansion"):
        project_intake.save(sqlite_engine, [moved], SOURCE, account=LUSONG,
                            departments=departments(sqlite_engine), why="test",
                            replace={"bowei_expansion"})
    assert reads.dataset(sqlite_engine).projects[0].name.zh == "年产5万吨锂离子电池负极材料产业化项目"


def test_the_preview_shows_the_project_as_it_will_be_named_and_the_stored_beside(
        sqlite_engine):
    checked = check(sqlite_engine, ADMIN, FIRST, SECOND, BOWEI)
    shown = project_intake.preview(checked.rows, "zh")
    assert list(shown["行"]) == [2, 4] and list(shown["名称"]) == ["测试厂房", "铂威扩能"]
    assert shown.loc[0, "节点"] == "2024-01 签约 (已完成); 2024-06 开工 (计划中)"
    assert shown.loc[0, "库中现值"] == ""
    assert shown.loc[1, "库中现值"].startswith("年产5万吨锂离子电池负极材料产业化项目: 2017 落户")
    assert [r.number for r in checked.duplicates] == [4]


# -- saving ----------------------------------------------------------------------------------


def test_nothing_is_written_by_a_check_and_save_writes_the_project_audited(filled_store):
    before = project_ids(filled_store)
    checked = check(filled_store, LUSONG, FIRST, SECOND, BAD)
    assert project_ids(filled_store) == before
    saved = project_intake.save(filled_store, [r.project for r in checked.rows], SOURCE,
                                account=LUSONG, departments=departments(filled_store), why="测试项目")
    assert (saved.inserted, saved.replaced, saved.skipped) == (1, 0, 0)
    assert project_ids(filled_store) == [*before, "test_works"]
    trail = reads.history(filled_store)
    written = trail[trail["batch"] == saved.batch]
    assert list(written["table"]) == ["projects"] and list(written["key"]) == ["test_works"]
    assert set(written["who"]) == {"editor:lu"} and set(written["why"]) == {"测试项目"}
    stored = reads.dataset(filled_store).projects[-1]
    assert stored.source == SOURCE and len(stored.milestones) == 2


@pytest.mark.parametrize("replace", [False, True])
def test_a_stored_project_is_skipped_or_replaced_and_the_replacement_undone(filled_store, replace):
    checked = check(filled_store, ADMIN, BOWEI, FIRST)
    (duplicate,) = checked.duplicates
    saved = project_intake.save(filled_store, [r.project for r in checked.rows], SOURCE,
                                account=ADMIN, departments=departments(filled_store), why="test",
                                replace={duplicate.key} if replace else set())
    assert (saved.inserted, saved.replaced, saved.skipped) == (1, int(replace), int(not replace))
    names = {p.id: p.name.zh for p in reads.dataset(filled_store).projects}
    assert names["bowei_expansion"] == ("铂威扩能" if replace else
                                        "年产5万吨锂离子电池负极材料产业化项目")
    undone = store.undo(filled_store, saved.batch, who="editor:wang", why="undo test",
                        guard=intake.department_guard(ADMIN, departments(filled_store)))
    assert undone.counts() == {"insert": 0, "update": int(replace), "delete": 1}
    after = {p.id: p for p in reads.dataset(filled_store).projects}
    assert "test_works" not in after
    assert after["bowei_expansion"].name.zh == "年产5万吨锂离子电池负极材料产业化项目"
    assert len(after["bowei_expansion"].milestones) == 7


def test_an_editor_may_not_undo_a_project_batch_of_a_program_they_take_no_part_in(filled_store):
    checked = check(filled_store, LUSONG, FIRST)
    saved = project_intake.save(filled_store, [r.project for r in checked.rows], SOURCE,
                                account=LUSONG, departments=departments(filled_store), why="test")
    bowei = Account("b", "editor", ("bowei_new_energy",))
    with pytest.raises(store.Refused, match="takes part in program longquan_park"):
        store.undo(filled_store, saved.batch, who="editor:b", why="undo",
                   guard=intake.department_guard(bowei, departments(filled_store)))
    store.undo(filled_store, saved.batch, who="editor:ou", why="undo",
               guard=intake.department_guard(OUWEI, departments(filled_store)))
    assert "test_works" not in project_ids(filled_store)


# -- the template ----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_projects_template_reads_back_as_a_valid_upload(sqlite_engine, lang, fmt):
    content = templates.template("projects", fmt, reads.dataset(sqlite_engine), lang)
    kind, sheet = uploads.read_any(f"t.{fmt}", content, templates.KINDS)
    assert kind == "projects"
    checked = project_intake.check(sqlite_engine, sheet, SOURCE, ADMIN,
                                   departments(sqlite_engine))
    assert not checked.problems and [r.key for r in checked.rows] == ["example_project"]


def test_empty_cells_of_a_project_are_said_to_be_required(sqlite_engine):
    blank = FIRST.replace("测试厂房,", ",").replace(",done", ",")
    checked = check(sqlite_engine, ADMIN, blank)
    assert {p.text("en") for p in checked.problems} == {"row 2 · name_zh: required",
                                                        "row 2 · milestone_status: required"}
