"""The Review page (AppTest), in both languages: an approver's queue with each submission's rows
by name, the KPIs before → after, approved or returned with a comment; an approver of another
department sees nothing to approve; the editor reads what came back, here and on their home."""

from __future__ import annotations

import pytest
from test_data_entry_app import signed_in_app, stored_account

from civic import accounts, database, reads, review
from civic.accounts import Account
from civic.frames import Frames
from civic.models import Figure

EDITOR = Account("li", "editor", ("zz_admin_approval",))
APPROVER = Account("wu", "approver", ("zz_admin_approval",))
ELSEWHERE = Account("chen", "approver", ("zz_cdc",))
FOUND = {"program": "leaders_walk", "metric": "problems_found", "reported": "700个",
         "period": "2021/2023-11-15", "department": "zz_admin_approval",
         "source": "zzrb_20231115_walk", "locator": "测试700个"}
WORDS = {"zh": {"approve": "通过并发布", "return": "附意见退回", "empty": "没有待您审核的提交。",
                "program": "一把手走流程", "returned": "已退回", "pending": "待审核", "after": "通过发布后"},
         "en": {"approve": "Approve and publish", "return": "Return with the comment",
                "empty": "Nothing awaits your review.", "program": "walk the process",
                "returned": "Returned", "pending": "Pending review",
                "after": "once approved and published"}}


def submitted(url: str) -> review.Submission:
    """li's submission of 700 problems found, pending."""
    stored_account(EDITOR)
    engine = database.connect(url)
    try:
        figure = Figure.model_validate(FOUND)
        return review.submit_save(
            engine, "figures", [figure], FOUND["source"], account=EDITOR,
            departments=Frames(reads.dataset(engine, with_figures=False)).departments,
            why="the November count", label="walk.csv",
            replace={"leaders_walk/problems_found/2021/2023-11-15/"})
    finally:
        engine.dispose()


def found(url: str) -> str:
    engine = database.connect(url)
    try:
        frame = reads.figure_frame(engine, ["leaders_walk"])
        return frame.loc[frame["metric"] == "problems_found", "reported"].iloc[-1]
    finally:
        engine.dispose()


def prepared_store(url: str) -> None:
    stored_account(EDITOR)  # migrates and fills the store


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_approver_sees_the_kpis_before_and_after_and_publishes(new_store, lang):
    prepared_store(new_store)
    submission = submitted(new_store)
    at = signed_in_app("review", APPROVER, lang=lang)
    assert not at.exception
    assert any("walk" in m.value and " li " in m.value for m in at.markdown)
    (rows,) = [d.value for d in at.dataframe]
    assert WORDS[lang]["program"] in rows.iloc[0, 1]  # by name, not by id
    (kpis,) = [t.value for t in at.table]
    assert any("639" in str(v) for v in kpis.iloc[:, 2]) and any(
        "700" in str(v) for v in kpis.iloc[:, 3])
    assert kpis.columns[3] == WORDS[lang]["after"]  # publishing, not the editor's save
    assert found(new_store) == "639个"
    at.button(key=f"approve_{submission.batch}").click().run()
    assert not at.exception and found(new_store) == "700个"
    assert at.success and WORDS[lang]["empty"] in [i.value for i in at.info]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_return_needs_a_comment_and_the_editor_reads_it(new_store, lang):
    prepared_store(new_store)
    submission = submitted(new_store)
    at = signed_in_app("review", APPROVER, lang=lang)
    at.button(key=f"return_{submission.batch}").click().run()
    assert not at.exception and at.warning  # no comment, nothing returned
    assert review.get(database.connect(new_store), submission.batch).status == review.PENDING
    at.text_input(key=f"comment_{submission.batch}").input("给出2024年的统计期").run()
    at.button(key=f"return_{submission.batch}").click().run()
    assert not at.exception and found(new_store) == "639个"
    mine = signed_in_app("review", EDITOR, lang=lang)
    assert not mine.exception
    table = mine.dataframe[0].value
    assert list(table.iloc[:, 1]) == [WORDS[lang]["returned"]]
    assert list(table.iloc[:, 5]) == ["给出2024年的统计期"]
    home = signed_in_app("department_home", EDITOR, lang=lang)
    assert not home.exception
    assert WORDS[lang]["returned"] in list(home.dataframe[-1].value.iloc[:, 1])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_approver_of_another_department_sees_nothing_to_approve(new_store, lang):
    prepared_store(new_store)
    submitted(new_store)
    at = signed_in_app("review", ELSEWHERE, lang=lang)
    assert not at.exception
    assert WORDS[lang]["empty"] in [i.value for i in at.info]
    assert not [b for b in at.button if (b.key or "").startswith("approve_")]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_nobody_approves_their_own(new_store, lang):
    prepared_store(new_store)
    engine = database.connect(new_store)
    try:
        accounts.add(engine, "wu", "a long test password", "approver", ["zz_admin_approval"],
                     who="test")
    finally:
        engine.dispose()
    own = Account("wu", "approver", ("zz_admin_approval",))
    engine = database.connect(new_store)
    try:
        review.submit_save(
            engine, "figures", [Figure.model_validate(FOUND)], FOUND["source"], account=own,
            departments=Frames(reads.dataset(engine, with_figures=False)).departments,
            why="mine", label="mine.csv", replace={"leaders_walk/problems_found/2021/2023-11-15/"})
    finally:
        engine.dispose()
    at = signed_in_app("review", own, lang=lang)
    assert not at.exception
    assert WORDS[lang]["empty"] in [i.value for i in at.info]
    assert list(at.dataframe[0].value.iloc[:, 1]) == [WORDS[lang]["pending"]]


@pytest.mark.parametrize("lang, banner", [("zh", "预览，尚未发布"), ("en", "Preview, not published")])
def test_a_preview_includes_pending_submissions_marked_and_unexported(new_store, lang, banner):
    prepared_store(new_store)
    submitted(new_store)
    at = signed_in_app("leaders_walk", EDITOR, lang=lang)
    assert not any(banner in w.value for w in at.warning)
    assert not any("700" in m.value for m in at.metric)  # published figures only
    at.toggle(key="with_pending").set_value(True).run()
    assert not at.exception
    assert any(banner in w.value for w in at.warning)
    assert any("700" in m.value for m in at.metric)
    assert not [b for b in at.button if (b.key or "").startswith("make_")]  # no export
    assert found(new_store) == "639个"  # nothing published by the preview
