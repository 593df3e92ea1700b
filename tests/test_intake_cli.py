"""`civic import` (of figures and of projects), `civic template` and `civic history undo` on a
store of the test's own."""

from __future__ import annotations

import getpass
import json

import pytest
from conftest import prepared
from conftest import run_civic as run
from openpyxl import load_workbook
from test_intake import BAD, DUPLICATE, GOOD, GOOD2, HEADER, OTHER, csv_bytes
from test_project_intake import BAD as PROJECT_BAD
from test_project_intake import BOWEI, FIRST, PROJECT_HEADER, SECOND

from civic import accounts
from civic.cli import main
from civic.database import connect


@pytest.fixture
def url(tmp_path, capsys) -> str:
    database = f"sqlite:///{tmp_path / 'c.sqlite3'}"
    with prepared(database):  # what `civic db upgrade` and `civic db load data` make
        pass
    add_account(database, "li", "editor", "zz_admin_approval")
    capsys.readouterr()
    return database


def add_account(url: str, name: str, role: str, department: str) -> None:
    engine = connect(url)
    try:
        accounts.add(engine, name, "a long test password", role, [department], who="test")
    finally:
        engine.dispose()


def upload(tmp_path, *lines: str, encoding="utf-8", name="up.csv"):
    path = tmp_path / name
    path.write_bytes(csv_bytes(HEADER, *lines, encoding=encoding))
    return str(path)


def history(capsys, url):
    code, out, _ = run(capsys, "history", "--format", "json", "--database", url)
    assert code == 0
    return json.loads(out)


def test_import_writes_one_audited_batch_citing_a_new_source(capsys, url, tmp_path):
    before = len(history(capsys, url))
    code, out, _ = run(capsys, "import", upload(tmp_path, GOOD, GOOD2, encoding="gbk"),
                       "--source-title", "测试通报", "--source-date", "2024-02-01",
                       "--source-publisher", "测试局", "--source-url", "https://example.org/a",
                       "--database", url)
    assert code == 0 and "added 2" in out
    changes = history(capsys, url)[before:]
    assert [c["table"] for c in changes] == ["sources", "figures", "figures"]
    assert {c["who"] for c in changes} == {"cli:" + getpass.getuser()}
    assert {c["why"] for c in changes} == {"import up.csv: 新的半年 (published directly, no review)"}
    assert len({c["batch"] for c in changes}) == 1


def test_problems_are_listed_by_row_and_column_and_nothing_is_written(capsys, url, tmp_path):
    before = len(history(capsys, url))
    code, _, err = run(capsys, "import", upload(tmp_path, GOOD, BAD), "--source",
                       "zzrb_20231115_walk", "--database", url)
    assert code == 1
    assert "row 3 · reported" in err and "row 3 · period" in err
    assert len(history(capsys, url)) == before


def test_dry_run_writes_nothing(capsys, url, tmp_path):
    before = len(history(capsys, url))
    code, out, _ = run(capsys, "import", upload(tmp_path, GOOD), "--source",
                       "zzrb_20231115_walk", "--dry-run", "--database", url)
    assert code == 0 and "would add 1" in out
    assert len(history(capsys, url)) == before


def test_an_upload_without_a_usable_source_is_refused(capsys, url, tmp_path):
    path = upload(tmp_path, GOOD)
    code, _, err = run(capsys, "import", path, "--source-title", "只有标题", "--database", url)
    assert code == 2 and "title and date" in err
    with pytest.raises(SystemExit) as exited:
        main(["import", path, "--source-title", "标题", "--source-date", "2024-13-01"])
    assert exited.value.code == 2


def test_unusable_input_exits_2(capsys, url, tmp_path):
    path = tmp_path / "not.xlsx"
    path.write_text("program,metric\n", encoding="utf-8")
    code, _, err = run(capsys, "import", str(path), "--source", "zzrb_20231115_walk",
                       "--database", url)
    assert code == 2 and "not an Excel workbook" in err
    code, _, err = run(capsys, "import", str(tmp_path / "missing.csv"), "--source",
                       "zzrb_20231115_walk", "--database", url)
    assert code == 2


def test_history_undo_restores_and_is_audited(capsys, url, tmp_path):
    assert run(capsys, "import", upload(tmp_path, DUPLICATE, GOOD), "--source",
               "zzrb_20231115_walk", "--on-duplicate", "replace", "--database", url)[0] == 0
    batch = history(capsys, url)[-1]["batch"]
    code, out, _ = run(capsys, "history", "undo", batch, "--why", "测试撤销", "--database", url)
    assert code == 0 and "undid batch" in out
    last = history(capsys, url)[-2:]
    assert {c["why"] for c in last} == {"测试撤销"}
    assert {c["action"] for c in last} == {"update", "delete"}
    code, out, _ = run(capsys, "figures", "--program", "leaders_walk", "--format", "json",
                       "--database", url)
    reported = {f["reported"] for f in json.loads(out)}
    assert "639个" in reported and not {"640个", "700个"} & reported
    code, _, err = run(capsys, "history", "undo", batch, "--database", url)
    assert code == 1 and "changed later" in err


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_template(capsys, url, tmp_path, fmt, lang):
    path = tmp_path / f"t.{fmt}"
    code, _, _ = run(capsys, "template", "figures", "--format", fmt, "--lang", lang, "-o",
                     str(path), "--database", url)
    assert code == 0
    first = ("program" if lang == "en" else "项目")
    if fmt == "csv":
        assert path.read_bytes().decode("utf-8-sig").startswith(first)
    else:
        assert load_workbook(path).worksheets[0]["A1"].value == first
    code, out, _ = run(capsys, "import", str(path), "--source", "zzrb_20231115_walk",
                       "--dry-run", "--database", url)
    assert code == 0, out


def test_import_as_an_account_writes_only_its_departments(capsys, url, tmp_path):
    code, _, err = run(capsys, "import", upload(tmp_path, GOOD, OTHER), "--source",
                       "zzrb_20231115_walk", "--as", "li", "--database", url)
    assert code == 1 and "not a department you write for: zz_cdc" in err
    code, _, err = run(capsys, "import", upload(tmp_path, GOOD), "--source",
                       "zzrb_20231115_walk", "--as", "nobody", "--database", url)
    assert code == 2 and "civic user add" in err


def projects_file(tmp_path, *lines: str, name="projects.csv") -> str:
    path = tmp_path / name
    path.write_bytes(csv_bytes(PROJECT_HEADER, *lines, encoding="gbk"))
    return str(path)


def test_import_reads_a_projects_file_by_its_headers(capsys, url, tmp_path):
    engine = connect(url)
    try:
        accounts.add(engine, "lu", "a long test password", "editor", ["lusong_gov"], who="test")
    finally:
        engine.dispose()
    before = len(history(capsys, url))
    path = projects_file(tmp_path, FIRST, SECOND, BOWEI)
    code, _, err = run(capsys, "import", path, "--source", "zzrb_20231115_longquan", "--as",
                       "lu", "--database", url)
    assert code == 1 and ("row 4 · program: none of your departments leads or takes part in "
                          "program bowei_expansion") in err
    code, _, err = run(capsys, "import", projects_file(tmp_path, FIRST, PROJECT_BAD), "--source",
                       "zzrb_20231115_longquan", "--database", url)
    assert code == 1 and "row 3 · milestone_status: expected done, planned or expected" in err
    code, out, _ = run(capsys, "import", projects_file(tmp_path, FIRST, SECOND), "--source",
                       "zzrb_20231115_longquan", "--dry-run", "--as", "lu", "--database", url)
    assert code == 0 and "would add 1, replaced 0, skipped 0 projects" in out
    assert len(history(capsys, url)) == before
    code, out, _ = run(capsys, "import", projects_file(tmp_path, FIRST, SECOND), "--source",
                       "zzrb_20231115_longquan", "--as", "lu", "--database", url)
    assert code == 0 and "submitted 1 project for review as lu" in out
    (submitted,) = history(capsys, url)[before:]
    assert (submitted["table"], submitted["action"], submitted["who"]) == (
        "submissions", "submit", "editor:lu")
    add_account(url, "gao", "approver", "lusong_gov")
    code, out, _ = run(capsys, "review", "approve", submitted["batch"], "--as", "gao",
                       "--database", url)
    assert code == 0 and "approved" in out
    change, _ = [c for c in history(capsys, url)[before:] if c["table"] != "accounts"][1:]
    assert (change["table"], change["key"], change["who"]) == ("projects", "test_works",
                                                                "editor:lu")
    assert [m["period"] for m in change["after"]["milestones"]] == ["2024-01", "2024-06"]


@pytest.mark.parametrize("kind, choice, code, text", [
    ("figures", "skip", 0, "skipped 1"),
    ("figures", "replace", 0, "replaced 1"),
    ("figures", "fail", 1, "already stored as 639个"),
    ("projects", "skip", 0, "skipped 1 projects"),
    ("projects", "replace", 0, "replaced 1, skipped 0 projects"),
    ("projects", "fail", 1, "already stored as 50,000 t/yr")])
def test_on_duplicate(capsys, url, tmp_path, kind, choice, code, text):
    path, source = ((upload(tmp_path, DUPLICATE), "zzrb_20231115_walk") if kind == "figures"
                    else (projects_file(tmp_path, BOWEI), "zzrb_20231115_bowei"))
    found, out, err = run(capsys, "import", path, "--source", source, "--on-duplicate", choice,
                          "--database", url)
    assert found == code and text in out + err


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_projects_template_imports(capsys, url, tmp_path, fmt):
    path = tmp_path / f"p.{fmt}"
    assert run(capsys, "template", "projects", "--format", fmt, "--lang", "zh", "-o", str(path),
               "--database", url)[0] == 0
    code, out, _ = run(capsys, "import", str(path), "--source", "zzrb_20231115_walk",
                       "--dry-run", "--database", url)
    assert code == 0 and "would add 1" in out and "projects" in out


def test_a_template_that_cannot_be_written_says_why(capsys, url, tmp_path):
    code, _, err = run(capsys, "template", "projects", "-o", str(tmp_path), "--database", url)
    assert code == 1 and f"civic template: error: -o {tmp_path}" in err


# -- numbers a leader can trust --------------------------------------------------------------------

SOLVED_80 = "leaders_walk,problems_solved,80个,2024-05-27,zz_admin_approval,,,已整改问题数80个,"
COUNTY = ["--source-title", "县级通报", "--source-date", "2024/5/28"]


def figures_csv(capsys, url) -> str:
    code, out, _ = run(capsys, "figures", "--program", "leaders_walk", "--format", "csv",
                       "--database", url)
    assert code == 0
    return out


def test_a_single_date_after_running_totals_is_refused_naming_the_series(capsys, url, tmp_path):
    before = history(capsys, url)
    code, _, err = run(capsys, "import", upload(tmp_path, SOLVED_80), *COUNTY, "--database", url)
    assert code == 1
    assert "nothing was written" in err
    assert ("2024-05-27 is a single date after running totals of Problems solved since 2021 "
            "(last 488 for 2021/2023-11-15)") in err
    assert history(capsys, url) == before


def test_a_correction_with_a_note_is_saved_and_audited(capsys, url, tmp_path):
    code, _, err = run(capsys, "import", upload(tmp_path, SOLVED_80), *COUNTY, "--correction",
                       "--database", url)
    assert code == 2 and "--correction needs --why" in err
    code, out, _ = run(capsys, "import", upload(tmp_path, SOLVED_80), *COUNTY, "--correction",
                       "--why", "县级通报的单日整改数，非累计", "--database", url)
    assert code == 0 and "added 1" in out
    (change,) = [c for c in history(capsys, url) if c["table"] == "figures"][-1:]
    assert change["after"]["correction"] == "县级通报的单日整改数，非累计"
    assert change["why"] == "县级通报的单日整改数，非累计 (published directly, no review)"


def test_a_smaller_running_total_is_refused(capsys, url, tmp_path):
    line = "leaders_walk,problems_solved,400个,2021/2024-06-30,zz_admin_approval,,,解决400个,"
    code, _, err = run(capsys, "import", upload(tmp_path, line), "--source-title", "半年通报",
                       "--source-date", "2024-07-01", "--database", url)
    assert code == 1 and "400 is smaller than 488 reported for 2021/2023-11-15" in err


def test_no_solve_rate_from_parts_of_two_dates(capsys, url, tmp_path):
    """5123人次 and 701个 of 2024-06-30, no new 解决问题: the rate stays that of 2023-11-15."""
    code, out, _ = run(capsys, "import", upload(
        tmp_path, "leaders_walk,experiences,5123人次,2021/2024-06-30,zz_admin_approval,,,"
                  "累计5123人次,",
        "leaders_walk,problems_found,701个,2021/2024-06-30,zz_admin_approval,,,查找问题701个,"),
        "--source-title", "半年通报", "--source-date", "2024-07-01", "--database", url)
    assert code == 0
    assert "Problems found: 639 (2023-11-15) → 701 (2024-06-30)" in out  # the effect, before
    rates = [line for line in figures_csv(capsys, url).splitlines()
             if line.startswith("leaders_walk,solution_rate,")]
    assert len(rates) == 1 and "69.6" not in rates[0] and ",2023-11-15," in rates[0]
    assert ",488/639," in rates[0]


def test_a_period_after_its_report_is_refused_naming_both_dates(capsys, url, tmp_path):
    line = "leaders_walk,menu_items,101项,2024-01-31,zz_admin_approval,,,高频事项101项,"
    code, _, err = run(capsys, "import", upload(tmp_path, line), "--source",
                       "zzrb_20231115_walk", "--database", url)
    assert code == 1
    assert "the period 2024-01-31 ends after the report it cites (zzrb_20231115_walk, " \
           "2023-11-15)" in err


@pytest.mark.parametrize("period", ["2024/1/31", "2024年1月31日", "2024.1.31", "２０２４-０１-３１"])
def test_dates_as_officials_write_them_pass_a_dry_run(capsys, url, tmp_path, period):
    line = f"leaders_walk,menu_items,101项,{period},zz_admin_approval,,,高频事项101项,"
    code, out, err = run(capsys, "import", upload(tmp_path, line), "--source-title", "一月通报",
                         "--source-date", "2024年2月1日", "--dry-run", "--database", url)
    assert (code, err) == (0, "") and "would add 1" in out


def test_a_jump_is_a_warning_with_before_and_after(capsys, url, tmp_path):
    line = "leaders_walk,problems_found,7010个,2021/2024-06-30,zz_admin_approval,,,查找7010个,"
    code, _, err = run(capsys, "import", upload(tmp_path, line), "--source-title", "半年通报",
                       "--source-date", "2024-07-01", "--dry-run", "--database", url)
    assert code == 0
    assert ("warning: row 2 · reported: Problems found: 7010 for 2021/2024-06-30 is far from 639 "
            "for 2021/2023-11-15") in err
