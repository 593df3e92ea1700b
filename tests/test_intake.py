"""Uploads of figures: reading every format and encoding within limits, rows checked by the
store's rules, duplicates skipped or replaced, other departments refused, one audited save,
and undo on SQLite and PostgreSQL. Rows here are made up for the tests."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from conftest import prepared
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from civic import history, intake, reads, store, templates, uploads
from civic.accounts import Account
from civic.frames import Frames
from civic.schema import audit, figures

HEADER = "program,metric,reported,period,department,group_zh,group_en,locator,note"
HEADER_ZH = "项目,指标,报道值,统计期,部门,分组（中文）,分组（英文）,原文定位,备注"
# A half-year report before the edition's: its running totals continue the series since 2021.
GOOD = ("leaders_walk,problems_found,600个,2021/2023-06-30,zz_admin_approval,,,测试问题600个,"
        "新的半年")
GOOD2 = "leaders_walk,problems_solved,450个,2021/2023-06-30,zz_admin_approval,,,测试解决450个,"
BAD = "leaders_walk,problems_found,许多,2024-13,zz_admin_approval,,,测试,"
OTHER = "leaders_walk,experiences,10人次,2023-11-01,zz_cdc,,,测试10人次,"
# Same program, metric, period and group as a stored figure, another value.
DUPLICATE = "leaders_walk,problems_found,640个,2021/2023-11-15,zz_admin_approval,,,测试640个,"
EDITOR = Account("li", "editor", ("zz_admin_approval",))
ADMIN = Account("wang", "admin")


def csv_bytes(*lines: str, encoding: str = "utf-8") -> bytes:
    return "\r\n".join(lines).encode(encoding)


def sheet_of(*lines: str) -> uploads.Sheet:
    return uploads.read("up.csv", csv_bytes(HEADER, *lines), intake.FIGURE_COLUMNS)


@pytest.fixture(scope="module")
def sqlite_engine(tmp_path_factory):
    with prepared(f"sqlite:///{tmp_path_factory.mktemp('intake') / 'c.sqlite3'}") as found:
        yield found


def departments(filled_store):
    return Frames(reads.dataset(filled_store, with_figures=False)).departments


def stored_figures(filled_store) -> int:
    with filled_store.connect() as connection:
        return connection.execute(select(func.count()).select_from(figures)).scalar_one()


# -- reading ---------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_utf8_with_or_without_bom_and_in_gbk(encoding):
    content = csv_bytes(HEADER_ZH, GOOD, "leaders_walk,problems_found,9个,2024-02,"
                        "zz_admin_approval,六十岁以上,aged 60+,六十岁以上9个,备注", encoding=encoding)
    sheet = uploads.read("上传.csv", content, intake.FIGURE_COLUMNS)
    assert [n for n, _ in sheet.rows] == [2, 3]
    assert sheet.rows[1][1]["group_zh"] == "六十岁以上"
    assert sheet.rows[0][1]["locator"] == "测试问题600个"


def test_headers_in_either_language_read_the_same():
    english = uploads.read("a.csv", csv_bytes(HEADER, GOOD), intake.FIGURE_COLUMNS)
    chinese = uploads.read("a.csv", csv_bytes(HEADER_ZH, GOOD), intake.FIGURE_COLUMNS)
    assert english.rows == chinese.rows


def test_an_unknown_header_is_named():
    with pytest.raises(uploads.Unusable) as caught:
        uploads.read("a.csv", csv_bytes("program,value", "x,1"), intake.FIGURE_COLUMNS)
    assert "value" in caught.value.message("en") and "未知的列" in caught.value.message("zh")


def test_xlsx_json_and_yaml_read_like_csv():
    book = Workbook()
    book.active.append(HEADER.split(","))
    book.active.append(GOOD.split(","))
    buffer = io.BytesIO()
    book.save(buffer)
    from_xlsx = uploads.read("a.xlsx", buffer.getvalue(), intake.FIGURE_COLUMNS)
    as_json = json.dumps([dict(zip(HEADER.split(","), GOOD.split(",")))], ensure_ascii=False)
    from_json = uploads.read("a.json", as_json.encode(), intake.FIGURE_COLUMNS)
    as_yaml = ("defaults: {program: leaders_walk, department: zz_admin_approval, source: x}\n"
               "figures:\n  - {metric: problems_found, reported: 600个, period: 2024-01,\n"
               "     locator: 测试问题700个, group: {zh: 甲组, en: group A}}\n")
    from_yaml = uploads.read("a.yaml", as_yaml.encode(), intake.FIGURE_COLUMNS)
    assert from_xlsx.rows[0][1]["reported"] == from_json.rows[0][1]["reported"] == "600个"
    assert from_yaml.rows[0][1]["group_en"] == "group A"
    assert "source" not in from_yaml.rows[0][1]


@pytest.mark.parametrize("name, content, key", [
    ("a.xlsx", b"program,metric\n", "upload.not_xlsx"),
    ("a.csv", b"PK\x03\x04\x00\x00binary\x00\x00", "upload.binary"),
    ("a.csv", bytes(range(128, 256)) * 50, "upload.binary"),
    ("a.exe", b"MZ", "upload.bad_format"),
    ("a.json", b"{not json", "upload.bad_json"),
    ("a.csv", b"", "upload.empty"),
])
def test_content_that_does_not_match_its_name_is_refused(name, content, key):
    with pytest.raises(uploads.Unusable) as caught:
        uploads.read(name, content, intake.FIGURE_COLUMNS)
    assert caught.value.key == key


@pytest.mark.parametrize("name, content, zh, en", [
    ("a.json", b"[\n  {not json", "JSON 文件无法读取：第2行第4列有误，读取程序报告：Expecting",
     "The JSON file cannot be read: line 2, column 4 is wrong; the reader says: Expecting"),
    ("a.yaml", b"figures:\n  - [a\n  - b: c: d\n", "YAML 文件无法读取：第3行第",
     "The YAML file cannot be read: line 3, column "),
    ("a.csv", b"program,metric\n1,2\n\"" + b"x" * 200_000 + b"\"\n",
     "CSV 文件无法读取：第3行有误，读取程序报告：field larger",
     "The CSV file cannot be read: line 3 is wrong; the reader says: field larger"),
])
def test_a_file_that_cannot_be_parsed_says_where_in_the_readers_language(name, content, zh, en):
    """The parser's reason stays (it names what it found), introduced in the reader's language
    with the line, and the column where the parser knows it."""
    with pytest.raises(uploads.Unusable) as caught:
        uploads.read(name, content, intake.FIGURE_COLUMNS)
    assert caught.value.message("zh").startswith(zh)
    assert caught.value.message("en").startswith(en)
    assert "<unicode string>" not in caught.value.message("zh")


def test_limits_on_size_and_rows_say_so():
    with pytest.raises(uploads.Unusable) as caught:
        uploads.read("a.csv", csv_bytes(HEADER, GOOD), intake.FIGURE_COLUMNS,
                     limits=uploads.Limits(max_bytes=50))
    assert caught.value.key == "upload.too_large" and "50" in caught.value.message("en")
    with pytest.raises(uploads.Unusable) as caught:
        uploads.read("a.csv", csv_bytes(HEADER, GOOD, GOOD2, GOOD), intake.FIGURE_COLUMNS,
                     limits=uploads.Limits(max_rows=2))
    assert caught.value.key == "upload.too_many_rows" and "3" in caught.value.message("zh")


# -- checking --------------------------------------------------------------------------------


def test_problems_are_listed_by_row_and_column(sqlite_engine):
    checked = intake.check(sqlite_engine, sheet_of(GOOD, BAD), "zzrb_20231115_walk",
                           ADMIN, departments(sqlite_engine))
    assert {(p.row, p.column) for p in checked.problems} == {(3, "reported"), (3, "period")}
    assert [r.number for r in checked.rows] == [2]
    assert checked.problems[0].text("zh").startswith("第3行 · ")
    assert {p.text("zh") for p in checked.problems} == {"第3行 · 报道值：'许多' 中没有数字",
                                                         "第3行 · 统计期：不是有效日期：'2024-13'"}


def test_store_rules_apply_to_rows(sqlite_engine):
    """Unknown metric, a unit that does not fit, the same figure twice in one file."""
    checked = intake.check(sqlite_engine, sheet_of(
        GOOD, GOOD.replace("problems_found", "no_such_metric"),
        GOOD.replace("600个", "600元"), GOOD), "zzrb_20231115_walk", ADMIN,
        departments(sqlite_engine))
    assert {p.row for p in checked.problems} == {3, 4, 5}
    assert [r.number for r in checked.rows] == [2]


def test_the_preview_shows_value_unit_and_qualifier_parsed(sqlite_engine):
    line = GOOD.replace("600个", "近600个")
    checked = intake.check(sqlite_engine, sheet_of(line), "zzrb_20231115_walk", ADMIN,
                           departments(sqlite_engine))
    shown = intake.preview(checked.rows, "en")
    assert shown.loc[0, "value"] == "nearly 600 items" or "600" in shown.loc[0, "value"]
    assert shown.loc[0, "qualifier"] == "Nearly" and shown.loc[0, "period"] == "2021/2023-06-30"


def test_an_editor_of_one_department_is_refused_rows_of_another(sqlite_engine):
    checked = intake.check(sqlite_engine, sheet_of(GOOD, OTHER), "zzrb_20231115_walk",
                           EDITOR, departments(sqlite_engine))
    assert [r.number for r in checked.rows] == [2]
    assert [r.number for r in checked.refused] == [3]
    with pytest.raises(store.Refused):
        intake.save(sqlite_engine, [r.figure for r in checked.refused],
                    "zzrb_20231115_walk", account=EDITOR,
                    departments=departments(sqlite_engine), why="test")


def test_an_editor_cannot_overwrite_a_stored_figure_of_another_department(sqlite_engine):
    """Same program, metric, period and group as a figure of 行政审批服务局, given as their own."""
    cdc_editor = Account("x", "editor", ("zz_cdc",))
    line = DUPLICATE.replace("zz_admin_approval", "zz_cdc")
    checked = intake.check(sqlite_engine, sheet_of(line), "zzrb_20231115_walk", cdc_editor,
                           departments(sqlite_engine))
    assert not checked.rows and [r.number for r in checked.refused] == [2]
    with pytest.raises(store.Refused, match="not a department you write for: zz_admin_approval"):
        intake.save(sqlite_engine, [r.figure for r in checked.refused], "zzrb_20231115_walk",
                    account=cdc_editor, departments=departments(sqlite_engine), why="test",
                    replace={r.key for r in checked.refused})


def test_an_editor_writes_for_the_units_of_their_department(sqlite_engine):
    editor = Account("zhao", "editor", ("zz_urban_management",))
    assert "zz_municipal_center" in intake.writable(editor, departments(sqlite_engine))
    assert intake.writable(None, departments(sqlite_engine)) == set()


# -- saving ----------------------------------------------------------------------------------


def test_nothing_is_written_by_a_check_and_save_writes_the_good_rows_audited(filled_store):
    before = stored_figures(filled_store)
    source = intake.new_source("测试报告", dt.date(2024, 2, 1), "测试单位", "https://example.org/r")
    checked = intake.check(filled_store, sheet_of(GOOD, BAD, GOOD2), source, EDITOR,
                           departments(filled_store))
    assert stored_figures(filled_store) == before
    saved = intake.save(filled_store, [r.figure for r in checked.rows], source, account=EDITOR,
                        departments=departments(filled_store), why="测试上传")
    assert (saved.inserted, saved.replaced, saved.skipped) == (2, 0, 0)
    assert stored_figures(filled_store) == before + 2
    trail = reads.history(filled_store)
    written = trail[trail["batch"] == saved.batch]
    assert set(written["table"]) == {"figures", "sources"} and len(written) == 3
    assert set(written["who"]) == {"editor:li"} and set(written["why"]) == {"测试上传"}
    stored_source = [s for s in reads.dataset(filled_store).sources if s.id == source.id]
    assert stored_source[0].url == "https://example.org/r"


def test_a_save_refused_writes_nothing(filled_store):
    before = stored_figures(filled_store)
    checked = intake.check(filled_store, sheet_of(GOOD), "zzrb_20231115_walk", EDITOR,
                           departments(filled_store))
    bad = checked.rows[0].figure.model_copy(update={"metric": "no_such_metric"})
    with pytest.raises(store.Refused):
        intake.save(filled_store, [checked.rows[0].figure, bad], "zzrb_20231115_walk",
                    account=EDITOR, departments=departments(filled_store), why="test")
    assert stored_figures(filled_store) == before


@pytest.mark.parametrize("replace", [False, True])
def test_duplicates_are_shown_beside_the_stored_value_and_skipped_or_replaced(filled_store, replace):
    checked = intake.check(filled_store, sheet_of(DUPLICATE, GOOD), "zzrb_20231115_walk",
                           EDITOR, departments(filled_store))
    (duplicate,) = checked.duplicates
    assert (duplicate.number, duplicate.stored) == (2, "639个")
    saved = intake.save(filled_store, [r.figure for r in checked.rows], "zzrb_20231115_walk",
                        account=EDITOR, departments=departments(filled_store), why="test",
                        replace={duplicate.key} if replace else set())
    assert (saved.inserted, saved.replaced, saved.skipped) == (1, int(replace), int(not replace))
    frame = reads.figure_frame(filled_store)
    reported = frame[(frame["metric"] == "problems_found")
                     & (frame["period"] == "2021/2023-11-15")]["reported"].tolist()
    assert reported == (["640个"] if replace else ["639个"])


def test_undo_restores_the_state_before_the_batch(filled_store):
    before = reads.figure_frame(filled_store)
    checked = intake.check(filled_store, sheet_of(DUPLICATE, GOOD), "zzrb_20231115_walk",
                           ADMIN, departments(filled_store))
    saved = intake.save(filled_store, [r.figure for r in checked.rows], "zzrb_20231115_walk",
                        account=ADMIN, departments=departments(filled_store), why="test",
                        replace={r.key for r in checked.duplicates})
    assert (saved.inserted, saved.replaced) == (1, 1)
    undone = store.undo(filled_store, saved.batch, who="editor:wang", why="undo test")
    assert undone.counts() == {"insert": 0, "update": 1, "delete": 1}
    after = reads.figure_frame(filled_store)
    columns = ["program", "metric", "period", "group_zh", "reported"]
    assert (sorted(map(tuple, after[columns].fillna("").values))
            == sorted(map(tuple, before[columns].fillna("").values)))
    trail = reads.history(filled_store)
    assert set(trail[trail["batch"] == undone.batch]["why"]) == {"undo test"}


def test_undo_is_refused_when_a_later_change_touched_the_rows(filled_store):
    checked = intake.check(filled_store, sheet_of(GOOD), "zzrb_20231115_walk", ADMIN,
                           departments(filled_store))
    first = intake.save(filled_store, [r.figure for r in checked.rows], "zzrb_20231115_walk",
                        account=ADMIN, departments=departments(filled_store), why="first")
    again = intake.check(filled_store, sheet_of(GOOD.replace("600个", "601个")),
                         "zzrb_20231115_walk", ADMIN, departments(filled_store))
    intake.save(filled_store, [r.figure for r in again.rows], "zzrb_20231115_walk",
                account=ADMIN, departments=departments(filled_store), why="second",
                replace={r.key for r in again.duplicates})
    with filled_store.connect() as connection:
        audited = connection.execute(select(func.count()).select_from(audit)).scalar_one()
    with pytest.raises(store.Refused, match="changed later"):
        store.undo(filled_store, first.batch, who="editor:wang", why="undo")
    with filled_store.connect() as connection:
        assert connection.execute(select(func.count()).select_from(audit)).scalar_one() == audited
    with pytest.raises(store.Refused, match="no such batch"):
        store.undo(filled_store, "no-such-batch", who="editor:wang", why="undo")


def test_history_groups_batches_and_filters_by_editor_and_department(sqlite_engine):
    checked = intake.check(sqlite_engine, sheet_of(GOOD2), "zzrb_20231115_walk",
                           EDITOR, departments(sqlite_engine))
    saved = intake.save(sqlite_engine, [r.figure for r in checked.rows],
                        "zzrb_20231115_walk", account=EDITOR,
                        departments=departments(sqlite_engine), why="filters")
    mine = history.Trail(editor="editor:li", department="zz_admin_approval")
    assert saved.batch in set(history.changes(sqlite_engine, mine)["batch"])
    others = history.changes(sqlite_engine, history.Trail(department="zz_cdc"))
    assert saved.batch not in set(others["batch"])
    assert history.batches(sqlite_engine, mine).iloc[0]["batch"] == saved.batch
    cdc_editor = Account("x", "editor", ("zz_cdc",))
    with pytest.raises(store.Refused, match="not a department you write for: zz_admin_approval"):
        store.undo(sqlite_engine, saved.batch, who="editor:x", why="undo",
                   guard=intake.department_guard(cdc_editor, departments(sqlite_engine)))
    assert saved.batch in set(reads.history(sqlite_engine)["batch"])


# -- templates -------------------------------------------------------------------------------


@pytest.mark.parametrize("lang, header", [("en", HEADER + ",correction"),
                                          ("zh", HEADER_ZH + ",更正说明")])
def test_the_figures_template_reads_back_as_a_valid_upload(sqlite_engine, lang, header):
    dataset = reads.dataset(sqlite_engine)
    content = templates.template("figures", "csv", dataset, lang)
    assert content.decode("utf-8-sig").splitlines()[0] == header
    sheet = uploads.read("t.csv", content, intake.FIGURE_COLUMNS)
    checked = intake.check(sqlite_engine, sheet, "zzrb_20231115_walk", ADMIN,
                           departments(sqlite_engine))
    assert not checked.problems and len(checked.rows) == 1


def test_the_xlsx_template_explains_every_column_and_lists_what_is_allowed(sqlite_engine):
    dataset = reads.dataset(sqlite_engine)
    book = load_workbook(io.BytesIO(templates.template("projects", "xlsx", dataset, "zh")))
    assert book.sheetnames == ["projects", "说明", "项目", "指标", "部门", "区县", "单位"]
    explained = [row[0] for row in book["说明"].iter_rows(min_row=2, values_only=True)]
    assert len(explained) == len(templates.PROJECT_COLUMNS)
    listed = [row[0] for row in book["部门"].iter_rows(min_row=2, values_only=True)]
    assert "zz_admin_approval" in listed
