"""Review before publishing, on SQLite and PostgreSQL: a submission is held outside the published
tables (reads, the data version and `civic figures` unchanged), published by an approver of its
departments or an admin (never its submitter) with the review step audited in the same
transaction, or returned with a comment; an editor's undo is reviewed too; and the command line's
flow of the issue, end to end."""

from __future__ import annotations

import io
import json
import sys

import pytest
from conftest import DATA, PASSWORD
from conftest import run_civic as run

from civic import accounts, reads, review, rows, store
from civic.catalog import Catalog
from civic.frames import Frames
from civic.home import Home
from civic.i18n import t
from civic.loading import Origin
from civic.models import Figure

FOUND = {"program": "leaders_walk", "metric": "problems_found", "reported": "700个",
         "period": "2021/2023-11-15", "department": "zz_admin_approval",
         "source": "zzrb_20231115_walk", "locator": "测试700个"}


def departments(filled_store):
    return Frames(reads.dataset(filled_store, with_figures=False)).departments


def account(filled_store, name, role, *departments_):
    return accounts.add(filled_store, name, PASSWORD, role, list(departments_), who="cli:test")


def reported(filled_store) -> str:
    frame = reads.figure_frame(filled_store, ["leaders_walk"])
    return frame.loc[frame["metric"] == "problems_found", "reported"].iloc[-1]


@pytest.fixture
def people(filled_store):
    return {"li": account(filled_store, "li", "editor", "zz_admin_approval"),
            "wu": account(filled_store, "wu", "approver", "zz_admin_approval"),
            "cdc": account(filled_store, "cdc", "approver", "zz_cdc"),
            "boss": account(filled_store, "boss", "admin")}


def submit(filled_store, who, figure=FOUND, label="up.csv"):
    record = Figure.model_validate(figure)
    return review.submit_save(filled_store, "figures", [record], figure["source"], account=who,
                              departments=departments(filled_store), why="the November count",
                              label=label, replace={rows.figure_key(record)})


def test_a_submission_is_not_published_until_an_approver_of_its_department_approves(filled_store,
                                                                                       people):
    version = reads.version(filled_store)
    submitted = submit(filled_store, people["li"])
    assert submitted.status == review.PENDING and submitted.departments == ("zz_admin_approval",)
    assert submitted.rows == 1 and reported(filled_store) == "639个"  # published data only
    assert reads.version(filled_store) == version  # the data version changes on publish only
    frames = departments(filled_store)
    assert [s.batch for s in review.queue(filled_store, people["wu"], frames)] == [submitted.batch]
    assert [s.batch for s in review.queue(filled_store, people["boss"], frames)] == [submitted.batch]
    assert review.queue(filled_store, people["cdc"], frames) == []  # another department's approver
    assert review.queue(filled_store, people["li"], frames) == []  # an editor reviews nothing
    for who, code in (("li", "own_submission"), ("cdc", "review_not_yours")):
        with pytest.raises(store.Refused) as refused:
            review.approve(filled_store, submitted.batch, account=people[who], departments=frames)
        assert [p.code for p in refused.value.problems] == [code]
    assert reported(filled_store) == "639个"

    done, written = review.approve(filled_store, submitted.batch, account=people["wu"],
                                   departments=frames)
    assert done.status == review.PUBLISHED and done.reviewer == "wu"
    assert done.published == written.batch and reported(filled_store) == "700个"
    assert reads.version(filled_store) == version + 1
    trail = reads.history(filled_store)
    steps = trail[trail["table"] == "submissions"]
    assert list(zip(steps["action"], steps["who"])) == [("submit", "editor:li"),
                                                        ("approve", "editor:wu")]
    published = trail[trail["batch"] == written.batch]
    assert list(published["who"]) == ["editor:li"]  # the change is the submitter's
    assert published["why"].iloc[0] == "the November count (approved by wu)"
    with pytest.raises(store.Refused) as twice:
        review.approve(filled_store, submitted.batch, account=people["boss"], departments=frames)
    assert [p.code for p in twice.value.problems] == ["not_pending"]
    # The status in words of the reader's language, never its code.
    (refusal,) = twice.value.problems
    assert "已是“已发布”状态" in refusal.say("zh") and "published" not in refusal.say("zh")
    assert 'already "Published"' in refusal.say("en")


def test_a_returned_submission_keeps_its_comment_and_publishes_nothing(filled_store, people):
    submitted = submit(filled_store, people["li"])
    frames = departments(filled_store)
    with pytest.raises(store.Refused) as bare:
        review.send_back(filled_store, submitted.batch, account=people["wu"], departments=frames,
                         comment="  ")
    assert [p.code for p in bare.value.problems] == ["comment_required"]
    back = review.send_back(filled_store, submitted.batch, account=people["wu"], departments=frames,
                            comment="700 is the 2024 count: give its period")
    assert back.status == review.RETURNED and back.comment.startswith("700 is the 2024")
    assert reported(filled_store) == "639个"
    mine = review.listed(filled_store, submitter="li")
    assert [(s.status, s.comment) for s in mine] == [(review.RETURNED, back.comment)]
    trail = reads.history(filled_store, table="submissions")
    assert list(trail["action"]) == ["submit", "return"] and trail["why"].iloc[-1] == back.comment
    again = submit(filled_store, people["li"])  # corrected and submitted again: a new submission
    assert again.batch != back.batch and again.status == review.PENDING


def test_a_submission_that_no_longer_fits_the_store_is_refused_whole_on_approval(filled_store,
                                                                                  people):
    solved = {**FOUND, "metric": "problems_solved", "reported": "620个", "locator": "测试620个"}
    submitted = submit(filled_store, people["li"], solved)
    frames = departments(filled_store)
    # Meanwhile the operator publishes a smaller count of problems found: solved > found.
    store.write(filled_store, [("figures", Figure.model_validate({**FOUND, "reported": "600个"}),
                          Origin("test", None, "found"))], who="cli:test", why="recount")
    with pytest.raises(store.Refused):
        review.approve(filled_store, submitted.batch, account=people["wu"], departments=frames)
    assert review.get(filled_store, submitted.batch).status == review.PENDING  # nothing half-done
    assert reported(filled_store) == "600个"


def test_an_editors_undo_is_reviewed(filled_store, people):
    frames = departments(filled_store)
    done, written = review.approve(filled_store, submit(filled_store, people["li"]).batch,
                                   account=people["wu"], departments=frames)
    asked = review.submit_undo(filled_store, written.batch, account=people["li"], departments=frames,
                               why="the count was wrong")
    assert asked.kind == review.UNDO and asked.undo == written.batch
    assert reported(filled_store) == "700个"
    review.approve(filled_store, asked.batch, account=people["boss"], departments=frames)
    assert reported(filled_store) == "639个"


def test_an_approver_submits_too_and_an_admin_publishes_it(filled_store, people):
    frames = departments(filled_store)
    submitted = submit(filled_store, people["wu"])
    assert review.queue(filled_store, people["wu"], frames) == []  # not their own
    review.approve(filled_store, submitted.batch, account=people["boss"], departments=frames)
    assert reported(filled_store) == "700个"


def test_a_department_home_lists_its_submissions(filled_store, people):
    submitted = submit(filled_store, people["li"])
    home = Home(attention=None, departments=frozenset({"zz_admin_approval"}))
    assert [s.batch for s in home.submissions(filled_store)] == [submitted.batch]
    assert Home(attention=None, departments=frozenset({"zz_cdc"})).submissions(filled_store) == []


def test_labels_say_what_a_submission_was_in_both_languages(filled_store, people):
    text = submit(filled_store, people["li"], label=review.REPORT_TEXT)
    assert review.label(text, "zh") == t("review.label_report", "zh") == "报道文本"
    assert review.label(text, "en") == "report text"


def test_the_command_line_flow(capsys, db_url, tmp_path):
    """civic user add --role approver; civic import --as EDITOR submits; the figure is in
    `civic review list` and not in `civic figures`; the submitter cannot approve; an approver
    can; a return records its comment; all of it in `civic history`."""
    database = ["--database", db_url]
    assert run(capsys, "db", "upgrade", *database)[0] == 0
    assert run(capsys, "db", "load", str(DATA), *database)[0] == 0
    for name, role, department in (("li", "editor", "zz_admin_approval"),
                                   ("wu", "approver", "zz_admin_approval"),
                                   ("cdc", "approver", "zz_cdc")):
        capsys.readouterr()
        stdin, sys.stdin = sys.stdin, io.StringIO(PASSWORD + "\n")
        try:
            code, out, _ = run(capsys, "user", "add", name, "--role", role, "--department",
                               department, "--password-stdin", *database)
        finally:
            sys.stdin = stdin
        assert code == 0 and f"added {role} {name}" in out
    upload = tmp_path / "up.csv"
    upload.write_text("program,metric,reported,period,department,locator\n"
                      "leaders_walk,problems_found,700个,2021/2023-11-15,zz_admin_approval,"
                      "测试700个\n", encoding="utf-8")

    def figures():
        code, out, _ = run(capsys, "figures", "--program", "leaders_walk", "--format", "json",
                           *database)
        return {f["reported"] for f in json.loads(out) if f["metric"] == "problems_found"}

    code, out, _ = run(capsys, "import", str(upload), "--source", "zzrb_20231115_walk",
                       "--on-duplicate", "replace", "--as", "li", *database)
    assert code == 0 and "submitted 1 figure for review as li" in out
    code, out, _ = run(capsys, "review", "list", "--format", "json", *database)
    (listed,) = json.loads(out)
    assert listed["status"] == "pending" and listed["records"][0]["reported"] == "700个"
    assert figures() == {"639个"}
    batch = listed["batch"]
    code, _, err = run(capsys, "review", "approve", batch, "--as", "li", *database)
    assert code != 0 and "nobody approves or returns their own submission" in err
    code, _, err = run(capsys, "review", "approve", batch, "--as", "cdc", *database)
    assert code != 0 and figures() == {"639个"}
    code, out, _ = run(capsys, "review", "list", "--as", "cdc", *database)
    assert code == 0 and "no submissions pending" in out
    code, out, _ = run(capsys, "review", "approve", batch, "--as", "wu", *database)
    assert code == 0 and "published as batch" in out and figures() == {"700个"}
    code, _, err = run(capsys, "review", "approve", batch, "--as", "wu", *database)
    assert code != 0 and 'this submission is already "Published"' in err

    upload.write_text(upload.read_text(encoding="utf-8").replace("700", "710"),
                      encoding="utf-8")
    run(capsys, "import", str(upload), "--source", "zzrb_20231115_walk", "--on-duplicate",
        "replace", "--as", "li", *database)
    second = json.loads(run(capsys, "review", "list", "--format", "json", *database)[1])[0]
    code, out, _ = run(capsys, "review", "return", second["batch"], "--as", "wu", "--why",
                       "710 is not in the report", *database)
    assert code == 0 and "710 is not in the report" in out and figures() == {"700个"}
    returned = json.loads(run(capsys, "review", "list", "--status", "returned", "--format",
                              "json", *database)[1])
    assert [r["comment"] for r in returned] == ["710 is not in the report"]

    code, out, _ = run(capsys, "history", "--format", "json", *database)
    trail = json.loads(out)
    steps = [(c["action"], c["who"], c["key"]) for c in trail if c["table"] == "submissions"]
    assert steps == [("submit", "editor:li", batch), ("approve", "editor:wu", batch),
                     ("submit", "editor:li", second["batch"]),
                     ("return", "editor:wu", second["batch"])]
    assert any(c["table"] == "figures" and c["why"].endswith("(approved by wu)") for c in trail)
    loads = [c["why"] for c in trail if c["table"] == "programs"]
    assert loads and all(why.endswith("(published directly, no review)") for why in loads)


def test_a_preview_shows_pending_submissions_of_ones_departments(filled_store, people):
    """On each engine: the pending submissions an account may preview, and the catalog as it
    would read with them published, while the store and a fresh read stay as published."""
    submitted = submit(filled_store, people["li"])
    frames = departments(filled_store)
    assert [s.batch for s in review.visible_pending(filled_store, people["wu"], frames)] == \
        [submitted.batch]
    assert [s.batch for s in review.visible_pending(filled_store, people["li"], frames)] == \
        [submitted.batch]
    assert review.visible_pending(filled_store, people["cdc"], frames) == []
    assert len(review.visible_pending(filled_store, people["boss"], frames)) == 1

    published = Catalog.read(filled_store)
    preview = review.with_pending(published, review.visible_pending(filled_store, people["wu"],
                                                                     frames))

    def found(catalog):
        figures = catalog.frames.figures
        rows_ = figures[(figures["program"] == "leaders_walk")
                        & (figures["metric"] == "problems_found")]
        return set(rows_["value"])

    assert 700 in found(preview) and 639 not in found(preview)  # the reported row replaced
    assert 639 in found(published) and 700 not in found(published)
    assert preview.version is None  # a preview is never kept under a data version
    assert reported(filled_store) == "639个" and reads.version(filled_store) == published.version
