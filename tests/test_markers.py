"""Each test gets its kind (browser, apptest, postgres, deploy) from what it uses, so `make
check` leaves out exactly the slow kinds, whoever wrote the test and however it reaches them."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import markers
import pytest

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent

# Prints every collected test's kinds as JSON, for a run of its own.
REPORTER = '''
import json

def pytest_collection_finish(session):
    kinds = {"browser", "apptest", "postgres", "deploy"}
    print("KINDS " + json.dumps({item.nodeid: sorted({m.name for m in item.iter_markers()} & kinds)
                                 for item in session.items}))
'''

# (file, test name as collected) → its kinds.
EXPECTED = {
    # a unit test beside AppTest tests, in the same file
    ("test_trends.py", "test_every_series_newest_report_is_the_row_its_series_ends_with"): [],
    # AppTest reached through a function imported inside the test from another test module
    ("test_trends.py", "test_a_single_report_has_no_change_on_the_page"): ["apptest"],
    # a fixture parametrized over the store's engines: only its PostgreSQL case is `postgres`
    ("test_store.py", "test_upgrade_reaches_the_latest_revision_and_is_idempotent[sqlite]"): [],
    ("test_store.py", "test_upgrade_reaches_the_latest_revision_and_is_idempotent[postgresql]"):
        ["postgres"],
    # a server of its own, not a fixture
    ("test_pgserver.py", "test_throwaway_server_survives_an_outage_and_is_removed_when_stopped"):
        ["postgres"],
    # nginx, dashboard servers and PostgreSQL through the fixtures of its module
    ("test_deploy.py", "test_proxy_keeps_each_client_on_one_server"):
        ["browser", "deploy", "postgres"],
    # Chromium through a module fixture; a stand-in browser; Chromium called directly
    ("test_export.py", "test_briefing_zh_has_the_page_title_exactly"): ["browser"],
    ("test_export.py", "test_hung_print_ends_within_its_deadline"): ["browser"],
    ("test_export.py", "test_crashing_browser_is_one_clear_failure"): ["browser"],
    ("test_extraction.py", "test_read_pdf_printed_by_chromium['Noto Sans CJK SC']"): ["browser"],
    ("test_export.py", "test_csv_starts_with_bom_and_escapes_formula_text"): [],
    ("test_export.py", "test_without_browser_html_csv_xlsx_still_work"): [],
}


@pytest.fixture(scope="module")
def collected(request: pytest.FixtureRequest,
              tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """The kinds of the tests of the files above as this run classified them, before `-m` left
    any out; when this run did not collect them all (a file or `-k` of its own), as a run of
    their own collects them."""
    wanted = {f"tests/{name}::{test}" for name, test in EXPECTED}
    found = request.config.stash.get(markers.COLLECTED, {})
    if wanted <= found.keys():
        return found
    folder = tmp_path_factory.mktemp("reporter")
    (folder / "kinds_reporter.py").write_text(REPORTER, encoding="utf-8")
    files = sorted({str(TESTS / name) for name, _ in EXPECTED})
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "0", "-p", "no:cacheprovider", "-p",
         "kinds_reporter", "--collect-only", "-q", *files],
        cwd=REPO, capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYTHONPATH": str(folder)})
    line = next((line for line in done.stdout.splitlines() if line.startswith("KINDS ")), None)
    assert line, done.stdout + done.stderr
    return json.loads(line.removeprefix("KINDS "))


@pytest.mark.parametrize(("name", "test"), list(EXPECTED), ids=lambda value: value)
def test_each_test_gets_the_kinds_it_uses(collected, name: str, test: str) -> None:
    assert EXPECTED[name, test] == collected[f"tests/{name}::{test}"]


def test_make_check_leaves_out_every_kind() -> None:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    (check,) = re.findall(r"(?m)^quick-suite:.*\n\t.*-m \"([^\"]+)\"", makefile)
    assert markers.CHECK == check


def test_a_test_reaching_postgresql_unmarked_fails_loudly(request: pytest.FixtureRequest) -> None:
    with pytest.raises(pytest.fail.Exception, match="mark it `@pytest.mark.postgres`"):
        markers.require(request.node, "postgres")
