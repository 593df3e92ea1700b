"""The data-entry and history pages (AppTest): usable only when signed in; an upload of figures
or of projects previewed, nothing written before it is submitted, nothing published before an
approver approves it, exactly the good rows after; a confirmed undo from the history page."""

from __future__ import annotations

import datetime as dt
import io
import sqlite3
from pathlib import Path

import pytest
from conftest import DATA
from openpyxl import Workbook
from streamlit.testing.v1 import AppTest
from test_app import APP
from test_intake import BAD, DUPLICATE, GOOD, GOOD2, HEADER, OTHER, csv_bytes
from test_project_intake import BAD as PROJECT_BAD
from test_project_intake import BOWEI, FIRST, PROJECT_HEADER, SECOND

from civic import accounts, database, reads, store
from civic.accounts import Account
from civic.i18n import t

ROOT = Path(APP).parent

EDITOR = Account("li", "editor", ("zz_admin_approval",))
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_bytes(*lines: str) -> bytes:
    book = Workbook()
    for line in lines:
        book.active.append(line.split(","))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def stored_account(account: Account) -> None:
    """The account as the store must hold it: the pages read it back on every run."""
    if account.role not in accounts.ROLES:
        return
    engine = database.connect()
    try:
        store.prepare(engine, DATA)
        if accounts.current(engine, account.name) is None:
            accounts.add(engine, account.name, "a long test password", account.role,
                         account.departments, who="test")
    finally:
        engine.dispose()


def signed_in_app(page: str, account: Account | None = EDITOR, lang: str = "zh") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = lang
    if account is not None:
        stored_account(account)
        at.session_state["account"] = account
    at.run()
    at.switch_page(f"app_pages/{page}.py")
    at.run()
    return at


def published(url: str) -> list:
    """Every pending submission approved by "reviewer", an admin who submitted none of them."""
    from civic import review
    from civic.frames import Frames

    engine = database.connect(url)
    try:
        if accounts.current(engine, "reviewer") is None:
            accounts.add(engine, "reviewer", "a long test password", "admin", [], who="test")
        reviewer = accounts.current(engine, "reviewer")
        departments = Frames(reads.dataset(engine, with_figures=False)).departments
        return [review.approve(engine, s.batch, account=reviewer, departments=departments)[1]
                for s in reversed(review.listed(engine, review.PENDING))]
    finally:
        engine.dispose()


def figures_stored(url: str) -> list[str]:
    engine = database.connect(url)
    try:
        return list(reads.figure_frame(engine)["reported"])
    finally:
        engine.dispose()


def projects_stored(url: str) -> list[str]:
    engine = database.connect(url)
    try:
        return [p.id for p in reads.dataset(engine, with_figures=False).projects]
    finally:
        engine.dispose()


def test_an_upload_writes_nothing_before_save_and_exactly_the_good_rows_after(new_store):
    at = signed_in_app("data_entry")
    assert not at.exception
    at.selectbox(key="source_id").set_value("zzrb_20231115_walk").run()
    before = figures_stored(new_store)
    at.get("file_uploader")[0].set_value(
        ("上传.csv", csv_bytes(HEADER, GOOD, BAD, OTHER, GOOD2, encoding="gbk"), "text/csv"))
    at.run()
    assert not at.exception
    assert figures_stored(new_store) == before
    problems, refused, preview = (frame.value for frame in at.dataframe)
    assert set(problems["行"]) == {3} and set(problems["列"]) == {"报道值", "统计期"}
    assert set(problems["问题"]) == {"'许多' 中没有数字", "不是有效日期：'2024-13'"}
    assert list(refused["行"]) == [4]
    assert list(preview["行"]) == [2, 5] and list(preview["数值"]) == ["600个", "450个"]
    # An earlier half-year report: the newest values stay those of 2023-11-15, so no KPI moves.
    assert not any("What the save changes" in m.value or "保存后各指标" in m.value
                   for m in at.markdown)
    at.button(key="save_upload").click().run()
    assert not at.exception
    assert "已提交审核：2 项变更" in at.success[0].value
    assert figures_stored(new_store) == before  # pending: the dashboard shows what it did
    published(new_store)
    after = figures_stored(new_store)
    assert sorted(set(after) - set(before)) == ["450个", "600个"] and len(after) == len(before) + 2
    trail = reads.history(database.connect(new_store))
    trail = trail[trail["table"] == "figures"]
    assert set(trail.iloc[-2:]["who"]) == {"editor:li"}
    # the default, in the page's language, and who approved it
    assert set(trail.iloc[-2:]["why"]) == {"上传 上传.csv (approved by reviewer)"}


@pytest.mark.parametrize("choice, shown", [("skip", "639个"), ("replace", "640个")])
def test_duplicates_shown_beside_the_stored_value_skipped_or_replaced(new_store, choice, shown):
    at = signed_in_app("data_entry", lang="en")
    at.selectbox(key="source_id").set_value("zzrb_20231115_walk").run()
    at.get("file_uploader")[0].set_value(("up.csv", csv_bytes(HEADER, DUPLICATE), "text/csv"))
    at.run()
    preview, effects = (frame.value for frame in at.dataframe)
    assert list(preview["stored now"]) == ["639个"]
    assert list(effects["now"]) == ["639 (2023-11-15)", "151 (2023-11-15)", "76.4% (2023-11-15)"]
    assert list(effects["after the save"]) == ["640 (2023-11-15)", "152 (2023-11-15)",
                                               "76.2% (2023-11-15)"]
    at.segmented_control(key="duplicates_all").set_value(choice).run()
    at.button(key="save_upload").click().run()
    assert not at.exception
    published(new_store)
    frame = reads.figure_frame(database.connect(new_store))
    found = frame[(frame["metric"] == "problems_found") & (frame["period"] == "2021/2023-11-15")]
    assert list(found["reported"]) == [shown]


@pytest.mark.parametrize("lang, column, expected", [
    ("zh", "问题", "单位“%”与指标“高频事项”不符"),
    ("en", "problem", "the unit “%” does not fit the metric “High-frequency items on the menu”")])
def test_a_unit_that_does_not_fit_names_the_unit_and_the_metric(new_store, lang, column,
                                                               expected):
    at = signed_in_app("data_entry", lang=lang)
    at.selectbox(key="source_id").set_value("zzrb_20231115_walk").run()
    row = "leaders_walk,menu_items,50%,2023-11-14,zz_admin_approval,,,测试50%,"
    at.get("file_uploader")[0].set_value(("up.csv", csv_bytes(HEADER, row), "text/csv")).run()
    assert not at.exception
    problems = at.dataframe[0].value
    assert list(problems[column]) == [expected]


def submit(at: AppTest) -> None:
    """The one-figure form's submit button."""
    [b for b in at.button if b.label == "Submit this figure for review"][0].click().run()


def one_figure_filled() -> AppTest:
    """The data-entry page with the one-figure form filled in, all but the note."""
    at = signed_in_app("data_entry", lang="en")
    at.selectbox(key="source_id").set_value("zzrb_20231115_walk").run()
    at.selectbox(key="one_program").set_value("leaders_walk")
    at.selectbox(key="one_metric").set_value("problems_found")
    at.text_input(key="one_reported").input("650个")
    at.text_input(key="one_period").input("2021/2023-11-15")
    at.text_input(key="one_locator").input("测试650个")
    return at


def test_one_figure_needs_a_note_and_is_saved_with_it(new_store):
    at = one_figure_filled()
    submit(at)
    assert "Say why." in [e.value for e in at.error]
    assert "650个" not in figures_stored(new_store)
    at.text_input(key="one_note").input("the March report")
    submit(at)
    assert not at.exception
    assert "650个" not in figures_stored(new_store)
    published(new_store)
    assert "650个" in figures_stored(new_store)
    trail = reads.history(database.connect(new_store))
    trail = trail[trail["table"] == "figures"]
    assert trail.iloc[-1]["why"] == "the March report (approved by reviewer)"


def test_a_store_busy_past_its_timeout_says_so_and_writes_nothing(new_store, monkeypatch):
    """Another process holding the write lock: the form says the store is busy, in the reader's
    language, and keeps what was typed; nothing is written."""
    monkeypatch.setenv("CIVIC_DATABASE_URL", f"{new_store}?timeout=0.2")
    at = one_figure_filled()
    at.text_input(key="one_note").input("the March report")
    holder = sqlite3.connect(new_store.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process in the middle of a write
    try:
        submit(at)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert not at.exception
    assert t("entry.busy", "en") in [e.value for e in at.error]
    assert "650个" not in figures_stored(new_store)
    assert at.text_input(key="one_reported").value == "650个"


def test_the_history_page_undoes_a_batch_after_a_confirmation(new_store):
    at = signed_in_app("data_entry", account=Account("wang", "admin"), lang="en")
    at.selectbox(key="source_id").set_value("zzrb_20231115_walk").run()
    at.get("file_uploader")[0].set_value(("up.csv", csv_bytes(HEADER, GOOD), "text/csv"))
    at.run()
    at.button(key="save_upload").click().run()
    (written,) = published(new_store)
    assert "600个" in figures_stored(new_store)
    at.switch_page("app_pages/history.py")
    at.run()
    assert not at.exception
    at.selectbox(key="undo_batch").set_value(written.batch).run()
    at.button(key="undo").click().run()
    assert not at.exception and "600个" in figures_stored(new_store)  # not before confirming
    plan = at.dataframe[-1].value
    assert list(plan["Action"]) == ["removed"] and at.warning[0].value.startswith(
        "The undo changes 1 record:")
    at.button(key="undo_confirm_button").click().run()
    assert not at.exception and "Undone" in at.success[0].value
    assert "600个" not in figures_stored(new_store)


@pytest.mark.parametrize("page", ["data_entry", "history", "review", "home"])
@pytest.mark.parametrize("account", [None, {"name": "x", "role": "admin"},
                                     Account("v", "viewer")])
@pytest.mark.parametrize("lang, message", [("zh", "请先登录"), ("en", "Please sign in")])
def test_an_anonymous_session_is_asked_to_sign_in(new_store, page, account, lang, message):
    """A bookmarked writing page is not listed but opens, and asks to sign in, in the page's
    language, whatever the query parameters or a crafted session state say; it shows nothing
    else."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = lang
    at.query_params["account"] = "admin"
    if account is not None:
        at.session_state["account"] = account
    at.run()
    assert not at.exception
    at.switch_page(f"app_pages/{page if page != 'home' else 'department_home'}.py")
    at.run()
    assert not at.exception
    assert message in at.error[0].value
    assert not at.get("file_uploader")
    assert not [b for b in at.button if (b.key or "").startswith(("save_", "undo", "approve_"))]


@pytest.mark.parametrize("page, message", [("data_entry", "请先登录"), ("history", "请先登录")])
def test_each_page_stops_an_anonymous_session_itself(new_store, page, message):
    """Run on its own, outside the navigation, the page says to sign in and shows nothing."""
    at = AppTest.from_file(str(ROOT / "app_pages" / f"{page}.py"), default_timeout=60)
    at.run()
    assert not at.exception
    assert message in at.error[0].value
    assert not at.get("file_uploader") and not at.button


def test_an_upload_citing_a_new_source_writes_it_in_the_same_batch(new_store):
    at = signed_in_app("data_entry", lang="en")
    at.segmented_control(key="source_mode").set_value("new").run()
    assert "Pick an existing source" in at.info[0].value
    at.text_input(key="source_title").input("Third-quarter bulletin")
    at.text_input(key="source_publisher").input("Test bureau")
    at.date_input(key="source_date").set_value("2024-02-01")
    at.text_input(key="source_url").input("https://example.org/q3").run()
    at.get("file_uploader")[0].set_value(("up.xlsx", xlsx_bytes(HEADER, GOOD), XLSX))
    at.run()
    at.button(key="save_upload").click().run()
    assert not at.exception and "1 change," in at.success[0].value  # the figure; its source with it
    (written,) = published(new_store)
    trail = reads.history(database.connect(new_store))
    batch = trail[trail["batch"] == written.batch]
    assert list(batch["table"]) == ["sources", "figures"]
    assert batch.iloc[0]["after"]["url"] == "https://example.org/q3"
    assert batch.iloc[1]["after"]["source"] == batch.iloc[0]["key"]


REPORT = "2024年1月20日\n\n入冬以来，株洲市救助管理站共接回受助人员9名。小区新添长椅20处。"


def test_a_pasted_report_is_proposed_reviewed_and_saved_like_an_upload(new_store):
    relief = Account("wang", "editor", ("zz_relief_station",))
    at = signed_in_app("data_entry", relief)
    at.segmented_control(key="source_mode").set_value("new").run()
    at.text_input(key="source_title").input("救助站简报").run()
    at.date_input(key="source_date").set_value(dt.date(2024, 1, 20)).run()
    before = figures_stored(new_store)
    at.text_area(key="report_text").input(REPORT).run()
    assert not at.exception
    assert any("2024-01-20" in c.value for c in at.caption)
    assert any("2 " in c.value for c in at.caption)  # two figures proposed
    assert figures_stored(new_store) == before
    table, skipped, preview, effects = (frame.value for frame in at.dataframe)
    assert list(effects["保存后"]) == ["9人（2024-01-20）"]
    assert list(table["keep"]) == [True, False]  # 长椅 fits no metric: proposed, not kept
    assert list(skipped["reported"]) == ["2024年1月20日"]  # the date, listed with its reason
    assert list(preview["行"]) == [1] and list(preview["数值"]) == ["9人"]
    at.button(key="save_report").click().run()
    assert not at.exception and "已提交审核" in at.success[0].value
    published(new_store)
    after = figures_stored(new_store)
    assert sorted(set(after) - set(before)) == ["9名"] and len(after) == len(before) + 1
    trail = reads.history(database.connect(new_store))
    trail = trail[trail["table"] == "figures"]
    assert trail.iloc[-1]["who"] == "editor:wang"
    assert trail.iloc[-1]["why"] == "报道文本中的数字 (approved by reviewer)"


def test_a_report_without_a_date_asks_for_one(new_store):
    at = signed_in_app("data_entry", lang="en")
    at.text_area(key="report_text").input("小区新添长椅20处。").run()
    assert not at.exception
    assert at.date_input(key="report_date").value is None  # never today by default
    assert any("pick the report's date" in i.value for i in at.info)
    assert not at.dataframe  # nothing proposed before the date is known
    at.date_input(key="report_date").set_value("2024-03-01").run()
    assert list(at.dataframe[0].value["period"]) == ["2024-03-01"]
    assert not [b for b in at.button if b.key == "save_report"]  # no source, nothing kept


# Written for this test: a county's figures as a label-then-number list, no date of its own.
COUNTY = ("本月，县政务服务中心开展“局长走流程”，共计走流程36人，走流程事项数52项，"
          "发现问题数17个，已整改问题数12个。咨询电话：0731-28112233，为期3个月。")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_number_is_proposed_or_listed_with_its_reason(new_store, lang):
    at = signed_in_app("data_entry", lang=lang)
    at.text_area(key="report_text").input(COUNTY).run()
    assert at.date_input(key="report_date").value is None  # asked for the report's date
    at.date_input(key="report_date").set_value("2024-06-28").run()
    assert not at.exception
    table, skipped = (frame.value for frame in at.dataframe)
    assert list(table["reported"]) == ["36人", "52项", "17个", "12个"]
    assert list(table["metric"])[0] == "experiences" and "人次" in list(table["notes"])[0]
    assert list(table["metric"])[2:] == ["problems_found", "problems_solved"]
    reasons = dict(zip(skipped["reported"], skipped["reason"]))
    assert reasons == {"0731-28112233": t("extract.skip.phone", lang),
                       "3个月": t("extract.skip.campaign", lang)}
    (promote,) = [m for m in at.multiselect if m.key.startswith("report_promote")]
    promote.set_value([1]).run()  # the campaign's length proposed after all, with a click
    table = at.dataframe[0].value
    assert list(table["reported"])[-1] == "3个月" and len(table) == 5


def test_an_uploaded_report_is_read_and_a_broken_one_named(new_store):
    at = signed_in_app("data_entry", lang="en")
    report = "入冬以来，株洲市救助管理站共接回受助人员9名。".encode("gb18030")
    at.get("file_uploader")[1].set_value(("简报.txt", report, "text/plain")).run()
    assert not at.exception
    assert at.date_input(key="report_date").value is None  # no date in the text
    at.date_input(key="report_date").set_value("2024-01-20").run()
    (table,) = (frame.value for frame in at.dataframe)
    assert list(table["reported"]) == ["9名"]
    at.get("file_uploader")[1].set_value(("简报.pdf", b"not a pdf", "application/pdf")).run()
    assert not at.exception
    shown = [e.value.replace("\\", "") for e in at.error]  # as Markdown renders it
    assert any(text.startswith("简报.pdf cannot be read as a .pdf file; the reader says:")
               for text in shown)


def test_a_broken_report_is_named_in_chinese(new_store):
    at = signed_in_app("data_entry")
    at.get("file_uploader")[1].set_value(("简报.pdf", b"not a pdf", "application/pdf")).run()
    assert not at.exception
    shown = [e.value.replace("\\", "") for e in at.error]
    assert any(text.startswith("简报.pdf 无法作为 .pdf 文件读取") for text in shown), shown


@pytest.mark.parametrize("lang, expected", [
    ("zh", "来源有误（链接（可选））：链接应以 http:// 或 https:// 开头，且不含空格"),
    ("en", "The source is not valid (Link (optional)): a link starts with http:// or https:// "
           "and has no spaces")])
def test_a_new_source_refused_is_said_in_the_readers_language(new_store, lang, expected):
    at = signed_in_app("data_entry", lang=lang)
    at.segmented_control(key="source_mode").set_value("new").run()
    at.text_input(key="source_title").input("季度通报")
    at.date_input(key="source_date").set_value("2024-02-01")
    at.text_input(key="source_url").input("example.org/q3").run()
    assert not at.exception
    # As Markdown renders it: escapes dropped, no link made of the scheme.
    assert expected in [e.value.replace("\\", "").replace("\u2060", "") for e in at.error]


def projects_table(at: AppTest) -> list[str]:
    """The names in the projects page's table, after a visit to it."""
    at.switch_page("app_pages/projects.py")
    at.run()
    assert not at.exception
    table = at.dataframe[-1].value  # the project table ends the page
    return list(table.iloc[:, 0])


def test_a_projects_upload_is_previewed_saved_shown_and_undone(new_store):
    """The same uploader tells projects by their headers: rows grouped by id, a project of a
    program the editor's department takes no part in refused, one Save, the new project on the
    projects page, and undone from the history page."""
    lusong = Account("lu", "editor", ("lusong_gov",))
    at = signed_in_app("data_entry", lusong)
    at.selectbox(key="source_id").set_value("zzrb_20231115_longquan").run()
    before = projects_stored(new_store)
    content = csv_bytes(PROJECT_HEADER, FIRST, PROJECT_BAD, SECOND, BOWEI, encoding="gbk")
    at.get("file_uploader")[0].set_value(("项目.csv", content, "text/csv")).run()
    assert not at.exception
    assert projects_stored(new_store) == before
    problems, refused, preview = (frame.value for frame in at.dataframe)
    assert set(problems["行"]) == {3} and set(problems["列"]) == {"节点日期", "节点状态"}
    assert list(refused["编号"]) == ["bowei_expansion"]
    assert list(preview["行"]) == [2] and list(preview["名称"]) == ["测试厂房"]
    assert list(preview["节点"]) == ["2024-01 签约 (已完成); 2024-06 开工 (计划中)"]
    assert "预览：可提交 1 个项目" in [s.value for s in at.subheader]
    at.button(key="save_upload").click().run()
    assert not at.exception and "已提交审核：1 项变更" in at.success[0].value
    assert projects_stored(new_store) == before
    (written,) = published(new_store)
    assert projects_stored(new_store) == [*before, "test_works"]
    trail = reads.history(database.connect(new_store))
    assert list(trail[trail["batch"] == written.batch][["table", "key", "who"]].values[0]) == [
        "projects", "test_works", "editor:lu"]
    assert "测试厂房" in projects_table(at)
    at.switch_page("app_pages/history.py")
    at.run()
    at.selectbox(key="undo_batch").set_value(written.batch).run()
    at.button(key="undo").click().run()
    at.button(key="undo_confirm_button").click().run()  # an editor's undo is reviewed
    assert not at.exception and "撤销已提交审核" in at.success[0].value
    assert projects_stored(new_store) == [*before, "test_works"]
    published(new_store)
    assert projects_stored(new_store) == before
    assert "测试厂房" not in projects_table(at)


@pytest.mark.parametrize("choice, shown", [("skip", "年产5万吨锂离子电池负极材料产业化项目"),
                                           ("replace", "铂威扩能")])
def test_a_stored_project_is_shown_beside_and_skipped_or_replaced(new_store, choice, shown):
    at = signed_in_app("data_entry", Account("wang", "admin"), lang="en")
    at.selectbox(key="source_id").set_value("zzrb_20231115_bowei").run()
    at.get("file_uploader")[0].set_value(
        ("p.csv", csv_bytes(PROJECT_HEADER, BOWEI), "text/csv")).run()
    (preview,) = (frame.value for frame in at.dataframe)
    assert list(preview["stored now"])[0].startswith("50,000 t/yr lithium-ion anode")
    at.segmented_control(key="duplicates_all").set_value(choice).run()
    at.button(key="save_upload").click().run()
    assert not at.exception
    published(new_store)
    engine = database.connect(new_store)
    names = {p.id: p.name.zh for p in reads.dataset(engine).projects}
    assert names["bowei_expansion"] == shown


def test_a_broken_series_is_refused_on_the_page_unless_marked_a_correction(new_store):
    """The county's 80 solved of one day, after running totals since 2021: refused with the
    reason; ticked as a correction with a note, saved, the note kept with it and audited."""
    at = signed_in_app("data_entry", lang="en")
    at.segmented_control(key="source_mode").set_value("new").run()
    at.text_input(key="source_title").input("County bulletin").run()
    at.date_input(key="source_date").set_value(dt.date(2024, 5, 28)).run()
    line = "leaders_walk,problems_solved,80个,2024/5/27,zz_admin_approval,,,已整改问题数80个,"
    at.get("file_uploader")[0].set_value(("county.csv", csv_bytes(HEADER, line), "text/csv"))
    at.run()
    assert not at.exception
    problems = at.dataframe[0].value
    assert list(problems["problem"])[0].startswith(
        "2024-05-27 is a single date after running totals of Problems solved since 2021")
    assert at.button(key="save_upload").disabled
    at.checkbox(key="correction").check().run()
    assert "Say why these rows are corrections." in [i.value for i in at.info]
    at.text_input(key="correction_note").input("county figure of one day, not a total").run()
    assert not at.exception
    preview = at.dataframe[0].value
    assert list(preview["period"]) == ["2024-05-27"]
    at.button(key="save_upload").click().run()
    assert not at.exception and "Submitted for review" in at.success[0].value
    published(new_store)
    trail = reads.history(database.connect(new_store))
    trail = trail[trail["table"] == "figures"]
    assert trail.iloc[-1]["after"]["correction"] == "county figure of one day, not a total"


@pytest.mark.parametrize("lines, starts", [
    (["leaders_walk,menu_items,101项,2024-01-31,zz_admin_approval,,,高频事项101项,"],
     "the period 2024-01-31 ends after the report it cites"),
    (["leaders_walk,problems_solved,400个,2021/2023-11-15,zz_admin_approval,,,解决400个,",
      "leaders_walk,problems_found,300个,2021/2023-11-15,zz_admin_approval,,,查找300个,"],
     "400 Problems solved exceed the 300 Problems found of the same date"),
    (["leaders_walk,problems_solved,480个,2021/2023-11-16,zz_admin_approval,,,解决480个,"],
     "the period 2021/2023-11-16 ends after"),
    (["leaders_walk,solution_rate,80%,2023-11-14,zz_admin_approval,,,解决率80%,"],
     "Solution rate is calculated by the dashboard, never reported"),
    (["leaders_walk,menu_items,101项,2023-11-14,zz_admin_approval,,,高频事项101项,",
      "leaders_walk,menu_items,102项,２０２３年１１月１４日,zz_admin_approval,,,高频事项102项,"],
     "the same figure (program, metric, period, group) twice"),
])
def test_the_rules_refuse_rows_on_the_page(new_store, lines, starts):
    at = signed_in_app("data_entry", lang="en")
    at.selectbox(key="source_id").set_value("zzrb_20231115_walk").run()
    at.get("file_uploader")[0].set_value(("up.csv", csv_bytes(HEADER, *lines), "text/csv"))
    at.run()
    assert not at.exception
    said = list(at.dataframe[0].value["problem"])
    assert any(text.startswith(starts) for text in said), said
