"""The `civic` command: validate a data folder, list its figures as table, CSV or JSON."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run_civic as run

from civic.cli import main

HEADER = ["program", "metric", "value", "value_max", "unit", "qualifier", "reported", "date",
          "department", "source"]


def csv_rows(capsys: pytest.CaptureFixture[str], store_url: str, *options: str) -> list[dict]:
    code, out, _ = run(capsys, "figures", "--database", store_url, "--format", "csv", *options)
    assert 0 == code
    return list(csv.DictReader(io.StringIO(out)))


# --- validate --------------------------------------------------------------------------------

def test_validate_shipped_data_succeeds(capsys, data_dir: Path) -> None:
    code, out, err = run(capsys, "validate", str(data_dir))
    assert (0, "") == (code, err)
    assert re.search(r": OK — 10 programs, \d+ departments, 10 sources, \d+ figures", out)


@pytest.mark.parametrize(
    ("key", "count"),
    [("bowei_expansion", 10), ("leaders_walk", 7), ("community_games", 5), ("flu_advisory", 3),
     ("winter_relief", 1), ("missing_person_search", 1), ("zz_admin_approval", 7),
     ("bowei_new_energy", 10), ("zz_relief_station", 1)],
)
def test_validate_counts_figures(capsys, data_dir: Path, key: str, count: int) -> None:
    _, out, _ = run(capsys, "validate", str(data_dir))
    assert [count] == [int(n) for n in re.findall(rf"^  {key}\s+(\d+)$", out, re.M)]


def test_validate_lists_programs_then_departments(capsys, data_dir: Path) -> None:
    _, out, _ = run(capsys, "validate", str(data_dir))
    headings = [line for line in out.splitlines() if line.startswith("figures per")]
    assert ["figures per program:", "figures per department:"] == headings


def test_validate_broken_folder_fails(capsys, broken_data) -> None:
    code, out, err = run(capsys, "validate", str(broken_data.path))
    assert (1, "") == (code, out)
    assert f"{len(broken_data.expected)} problem(s) in {broken_data.path}:" == err.splitlines()[0]


@pytest.mark.parametrize(
    "why",
    ["yaml_syntax", "unknown_program", "unit_mismatch", "unknown_field", "unparseable_reported",
     "solved_exceeds_found", "duplicate_id", "unknown_key", "milestones_order"],
)
def test_validate_lists_each_problem_with_its_file(capsys, broken_data, why: str) -> None:
    want = broken_data.by_why(why)
    _, _, err = run(capsys, "validate", str(broken_data.path))
    lines = [line for line in err.splitlines()[1:]
             if line.startswith(f"  {want.file}: {want.record}")]
    assert 1 == len(lines)
    assert want.message in lines[0]


def test_validate_missing_folder(capsys, tmp_path: Path) -> None:
    code, _, err = run(capsys, "validate", str(tmp_path / "nowhere"))
    assert 1 == code
    assert f"  {tmp_path / 'nowhere'}: data folder not found" in err.splitlines()


# --- figures ---------------------------------------------------------------------------------

def test_figures_csv_header(capsys, store_url: str) -> None:
    _, out, _ = run(capsys, "figures", "--database", store_url, "--format", "csv")
    header = out.splitlines()[0].split(",")
    assert HEADER == [c for c in header if c in HEADER]
    assert "program,metric,value,value_max,unit,qualifier,reported,date" == ",".join(header[:8])


def test_figures_csv_has_reported_and_derived(capsys, store_url: str) -> None:
    rows = csv_rows(capsys, store_url)
    bases = {row["basis"] for row in rows}
    assert {"reported", "derived"} == bases


@pytest.mark.parametrize(
    ("program", "metric", "value", "unit", "reported", "basis"),
    [
        ("leaders_walk", "solution_rate", pytest.approx(76.37, abs=0.01), "percent", "488/639",
         "derived"),
        ("leaders_walk", "problems_not_reported_solved", 151.0, "piece", "639−488", "derived"),
        ("leaders_walk", "problems_found", 639.0, "piece", "639个", "reported"),
        ("longquan_park", "total_investment", 1e9, "CNY", "10亿元", "reported"),
        ("bowei_expansion", "investment_per_mu", 1.1e7, "CNY", "10亿元/90亩", "derived"),
        ("longquan_park", "output_per_ha", 2.9e8, "CNY", "超20亿元/约7公顷", "derived"),
        ("longquan_park", "output_per_mu", 1.9e7, "CNY", "超20亿元/约105亩", "derived"),
        ("municipal_reading", "reading_sessions", 571.0, "issue", "571期", "reported"),
        ("bowei_expansion", "production_lines", 20.0, "entry", "20条", "reported"),
    ],
)
def test_figures_csv_row(capsys, store_url: str, program: str, metric: str, value, unit: str,
                         reported: str, basis: str) -> None:
    """`reported` is the text as printed, or for a derived figure its formula."""
    rows = [r for r in csv_rows(capsys, store_url)
            if (r["program"], r["metric"]) == (program, metric)]
    assert [(value, unit, reported, basis)] == [
        (float(r["value"]), r["unit"], r["reported"], r["basis"]) for r in rows]


def test_figures_csv_range_and_date(capsys, store_url: str) -> None:
    (row,) = [r for r in csv_rows(capsys, store_url) if r["metric"] == "protection_onset"]
    assert ("2.0", "4.0", "range", "2023-11-15") == (
        row["value"], row["value_max"], row["qualifier"], row["date"])


def test_figures_csv_empty_value_max(capsys, store_url: str) -> None:
    (row,) = [r for r in csv_rows(capsys, store_url) if r["metric"] == "experiences"]
    assert ("", "2021-01-01", "2023-11-15") == (row["value_max"], row["date"], row["date_end"])


@pytest.mark.parametrize(
    ("program", "metrics"),
    [
        ("leaders_walk", {"experiences", "problems_found", "problems_solved", "menu_departments",
                          "menu_items", "approval_time_missing_document", "time_saved",
                          "solution_rate", "problems_not_reported_solved"}),
        ("winter_relief", {"persons_taken_in"}),
    ],
)
def test_figures_program_filter(capsys, store_url: str, program: str, metrics: set[str]) -> None:
    rows = csv_rows(capsys, store_url, "--program", program)
    assert metrics == {r["metric"] for r in rows}
    assert {program} >= {r["program"] for r in rows}


@pytest.mark.parametrize(
    ("department", "programs", "count"),
    [
        ("zz_cdc", {"flu_advisory"}, 3),
        # 10 reported, 2 derived per area: its output (2023-11-15) and land (2022-12) are of
        # two reports, so no output per area
        ("bowei_new_energy", {"bowei_expansion"}, 12),
        ("zz_relief_station", {"winter_relief"}, 1),
        ("zz_housing", set(), 0),  # takes part, but reports no figure
    ],
)
def test_figures_department_filter(capsys, store_url: str, department: str, programs: set[str],
                                   count: int) -> None:
    rows = csv_rows(capsys, store_url, "--department", department)
    assert (programs, count) == ({r["program"] for r in rows}, len(rows))
    assert {department} >= {r["department"] for r in rows}


def test_figures_program_and_department_filters_combine(capsys, store_url: str) -> None:
    rows = csv_rows(capsys, store_url, "--program", "leaders_walk", "--department", "zz_cdc")
    assert [] == rows


def test_figures_json(capsys, store_url: str) -> None:
    code, out, _ = run(capsys, "figures", "--database", store_url, "--program", "leaders_walk",
                       "--format", "json")
    records = json.loads(out)
    assert 0 == code
    by_metric = {r["metric"]: r for r in records}
    assert (9, "488个", None, "2023-11-15") == (
        len(records), by_metric["problems_solved"]["reported"],
        by_metric["problems_solved"]["value_max"], by_metric["problems_solved"]["date_end"])
    assert ("derived", pytest.approx(488 / 639 * 100)) == (
        by_metric["solution_rate"]["basis"], by_metric["solution_rate"]["value"])
    assert set(HEADER) <= set(records[0])


def test_figures_table_default(capsys, store_url: str) -> None:
    code, out, _ = run(capsys, "figures", "--database", store_url, "--program", "winter_relief")
    lines = out.splitlines()
    assert 0 == code
    assert ["program", "metric", "value"] == lines[0].split()[:3]
    assert 2 == len(lines)
    assert "persons_taken_in" in lines[1] and "3名" in lines[1]
    assert "locator" == lines[0].split()[-1]


def test_loading_a_broken_folder_lists_every_problem_and_writes_nothing(capsys, broken_data,
                                                                        tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'civic.sqlite3'}"
    assert 0 == main(["db", "upgrade", "--database", url])
    code, out, err = run(capsys, "db", "load", str(broken_data.path), "--database", url)
    assert 1 == code and "nothing was written" in err
    for expected in broken_data.expected:
        assert f"{expected.file}: " in err and expected.message in err, expected.why
    _, out, _ = run(capsys, "db", "status", "--database", url)
    assert re.search(r"figures\s+0 rows", out) and "data version: 0" in out


@pytest.mark.parametrize(
    "argv",
    [[], ["nonsense"], ["figures", "--format", "xml"], ["validate", "a", "b"]],
    ids=["no_command", "unknown_command", "unknown_format", "two_folders"],
)
def test_usage_error_exits_2(capsys, argv: list[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(argv)
    assert 2 == caught.value.code
    assert "usage: civic" in capsys.readouterr().err


# --- the installed entry point -----------------------------------------------------------------

def _command() -> list[str]:
    script = Path(sys.executable).with_name("civic")
    return [str(script)] if script.exists() else [sys.executable, "-m", "civic.cli"]


def test_console_script_validates(repo_dir: Path) -> None:
    done = subprocess.run([*_command(), "validate", "data"], cwd=repo_dir, capture_output=True,
                          text=True, encoding="utf-8", timeout=120)
    assert (0, "") == (done.returncode, done.stderr)
    assert done.stdout.startswith("data: OK — 10 programs")


def test_console_script_defaults_to_data(repo_dir: Path) -> None:
    done = subprocess.run([*_command(), "figures", "--program", "missing_person_search",
                           "--format", "csv"], cwd=repo_dir, capture_output=True, text=True,
                          encoding="utf-8", timeout=120)
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert (0, [("search_duration", "14.0", "hour")]) == (
        done.returncode, [(r["metric"], r["value"], r["unit"]) for r in rows])


@pytest.mark.parametrize("args, fragment", [
    (["--program", "no_such_program"], "unknown program 'no_such_program'"),
    (["--department", "no_such_dept"], "unknown department 'no_such_dept'"),
])
def test_figures_rejects_unknown_ids(capsys, store_url, args, fragment):
    assert 2 == main(["figures", "--database", store_url, *args])
    assert fragment in capsys.readouterr().err


def test_figures_csv_escapes_formulas_as_exports_do(capsys, tmp_data: Path, edit_yaml,
                                                    new_store: str) -> None:
    edit_yaml(tmp_data / "programs" / "missing_person_search.yaml",
              lambda c: c["figures"][0].update(locator='=HYPERLINK("x")'))
    assert 0 == run(capsys, "db", "upgrade", "--database", new_store)[0]
    assert 0 == run(capsys, "db", "load", str(tmp_data), "--database", new_store)[0]
    (row,) = csv_rows(capsys, new_store, "--program", "missing_person_search")
    assert "'=HYPERLINK(\"x\")" == row["locator"]


def test_validate_refuses_an_alias_bomb_quickly(tmp_data: Path, repo_dir: Path) -> None:
    """A 700-byte file that expands to billions of values: one located problem, at once."""
    names = [f"n{i}" for i in range(11)]
    lines = [f"{names[0]}: &{names[0]} [{', '.join(['xx'] * 9)}]"]
    lines += [f"{b}: &{b} [{', '.join([f'*{a}'] * 9)}]" for a, b in zip(names, names[1:])]
    lines.append(f"figures: [{{metric: *{names[-1]}, reported: 1个}}]")
    bomb = "\n".join(lines) + "\n"
    assert 600 < len(bomb.encode()) < 800
    (tmp_data / "programs" / "bomb.yaml").write_text(bomb, encoding="utf-8")
    done = subprocess.run([*_command(), "validate", str(tmp_data)], cwd=repo_dir,
                          capture_output=True, text=True, encoding="utf-8", timeout=60)
    assert 1 == done.returncode
    assert 2 == len(done.stderr.splitlines())  # the count, then the one problem
    assert "programs/bomb.yaml: too large once its aliases" in done.stderr
