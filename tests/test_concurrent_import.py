"""Two imports of the same rows at once, on SQLite and PostgreSQL: with `--on-duplicate skip`
neither replaces what the other stored. Which rows are duplicates is decided inside the write's
transaction, not by the check that ran before it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from civic import intake, reads, uploads
from civic.accounts import Account
from civic.frames import Frames

HEADER = "program,metric,reported,period,department,group_zh,group_en,locator,note"
ROWS = 3000


def upload_rows(count: int) -> str:
    return "\n".join([HEADER] + [
        f"leaders_walk,experiences,{n + 1}人次,2023-10,zz_admin_approval,测试组{n},group {n},"
        f"测试{n}人次," for n in range(count)])


def test_rows_stored_by_another_save_after_the_check_are_skipped_not_replaced(filled_store):
    """The interleaving that lost an update: this import checks (no duplicates yet), another
    import of the same rows citing another new report saves, then this one saves."""
    admin = Account("root", "admin")
    frame = Frames(reads.dataset(filled_store, with_figures=False)).departments
    sheet = uploads.read("up.csv", upload_rows(50).encode(), intake.FIGURE_COLUMNS)
    mine = intake.new_source("测试通报甲", reads.dataset(filled_store).sources[0].edition_date)
    theirs = intake.new_source("测试通报乙", mine.edition_date)
    checked = intake.check(filled_store, sheet, mine, admin, frame)
    assert len(checked.rows) == 50 and not checked.duplicates
    other = intake.check(filled_store, sheet, theirs, admin, frame)
    first = intake.save(filled_store, [r.figure for r in other.rows], theirs, account=admin,
                        departments=frame, why="the other import")
    assert (first.inserted, first.replaced) == (50, 0)
    late = intake.save(filled_store, [r.figure for r in checked.rows], mine, account=admin,
                       departments=frame, why="this import")
    assert (late.batch, late.inserted, late.replaced, late.skipped) == (None, 0, 0, 50)
    figures = reads.figure_frame(filled_store)
    ours = figures[figures["group_zh"].fillna("").str.startswith("测试组")]
    assert set(ours["source"]) == {theirs.id}
    # Its new source, cited by nothing written, is not written either.
    assert mine.id not in {s.id for s in reads.dataset(filled_store).sources}


def import_at_once(url: str, upload: Path, runs: int = 2) -> list[tuple[int, str, str]]:
    """`civic import` of the same file, `runs` processes started together, each citing a new
    report of its own; their exit codes and output."""
    civic = str(Path(sys.executable).with_name("civic"))
    processes = [subprocess.Popen(
        [civic, "import", str(upload), "--source-title", f"测试通报{n}", "--source-date",
         "2024-02-01", "--on-duplicate", "skip", "--database", url],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for n in range(runs)]
    done = []
    for process in processes:
        out, err = process.communicate(timeout=300)
        done.append((process.returncode, out, err))
    return done


def test_two_civic_imports_of_the_same_rows_at_once_never_replace(filled_store, tmp_path):
    upload = tmp_path / "rows.csv"
    upload.write_text(upload_rows(ROWS), encoding="utf-8")
    url = filled_store.url.render_as_string(hide_password=False)
    before = len(reads.history(filled_store))
    results = import_at_once(url, upload)
    counts = []
    for code, out, err in results:
        assert code == 0, err
        found = re.search(r"added (\d+), replaced (\d+), skipped (\d+)", out)
        assert found, out
        counts.append(tuple(map(int, found.groups())))
    assert [replaced for _, replaced, _ in counts] == [0, 0], counts
    assert sum(added for added, _, _ in counts) == ROWS
    assert sorted(skipped for _, _, skipped in counts) == [0, ROWS]
    # Each import showed what it would change before saving, one line per KPI and group.
    effect = "Department heads walk the process · Service experiences · 测试组2999: — → 3,000"
    assert all(effect in out for _, out, _ in results)
    changes = reads.history(filled_store).iloc[before:]
    assert "update" not in set(changes["action"])
    assert list(changes["table"]).count("sources") == 1  # the skipped import wrote no source
