"""One set of rules, three ways in: each case below is judged through the loader (a data folder),
`store.write` (the figures built as the intake builds them) and the bulk path
(`store.bulk_frame`), on SQLite and PostgreSQL, and all three must give the same verdict, by
problem code (the rule broken, for the loader: see `_rule`). The rows are made up for the tests;
a later report of the tests (dated
2024-07-01) is cited where a row is dated after the edition."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from conftest import DATA, fresh_database, prepared
from pydantic import ValidationError

from civic import rules, store
from civic.loading import Origin, load
from civic.models import Figure, Source
from civic.problems import from_pydantic

LATER = "test_later_report"
WALK = {"program": "leaders_walk", "department": "zz_admin_approval", "source": LATER}


def row(metric: str, reported: str, period: str, locator: str = "测试定位", **more) -> dict:
    return {**WALK, "metric": metric, "reported": reported, "period": period,
            "locator": locator, **more}


# (name, rows, the codes every path must give; empty: accepted)
CASES: list[tuple[str, list[dict], set[str]]] = [
    ("a running total continued", [row("experiences", "5123人次", "2021/2024-06-30")], set()),
    ("two parts of one report", [row("problems_found", "701个", "2021/2024-06-30"),
                                 row("problems_solved", "520个", "2021/2024-06-30")], set()),
    ("the same figure twice", [row("menu_items", "101项", "2023-11-14"),
                               row("menu_items", "102项", "2023-11-14")], {"twice"}),
    ("the same figure twice, written two ways", [
        row("menu_items", "101项", "2023-11-14"),
        row("menu_items", "102项", "2023年11月14日")], {"twice"}),
    ("full-width digits are the same figure", [
        row("menu_items", "101项", "2023-11-14"),
        row("menu_items", "102项", "２０２３-１１-１４")], {"twice"}),
    ("a unit that does not fit", [row("menu_items", "5吨", "2023-11-14")], {"unit"}),
    ("a locator too long", [row("menu_items", "101项", "2023-11-14", "这是一段超过二十个字的原文定位短语，真的很长")],
     {"too_long"}),
    ("no locator", [row("menu_items", "101项", "2023-11-14", "")], {"locator"}),
    ("a period after its report", [row("menu_items", "101项", "2024-07-02")],
     {"after_source"}),
    ("the month of its report", [row("menu_items", "101项", "2024-07")], set()),
    ("the month after its report", [row("menu_items", "101项", "2024-08")], {"after_source"}),
    ("a day as Excel writes it", [row("menu_items", "101项", "2024/1/31")], set()),
    ("a day as officials write it", [row("menu_items", "101项", "2024年1月31日")], set()),
    ("a period with 至", [row("experiences", "5123人次", "2021至2024年6月30日")], set()),
    ("more solved than found", [row("problems_found", "701个", "2021/2024-06-30"),
                                row("problems_solved", "750个", "2021/2024-06-30")],
     {"exceeds"}),
    ("a single date after running totals", [row("problems_solved", "80个", "2024-05-27")],
     {"series_single"}),
    ("the same, marked a correction with a note", [
        row("problems_solved", "80个", "2024-05-27", correction="县级通报的单日整改数")], set()),
    ("a running total that falls", [row("problems_solved", "400个", "2021/2024-06-30")],
     {"series_smaller"}),
    ("a running total of another start", [row("problems_solved", "500个", "2022/2024-06-30")],
     {"series_start"}),
    ("an earlier report larger than the stored one", [
        row("problems_solved", "500个", "2021/2023-06-30")], {"series_smaller_next"}),
    ("a derived metric reported", [row("solution_rate", "80%", "2023-11-14")],
     {"derived_reported"}),
    ("an unknown metric", [row("no_such_metric", "101项", "2023-11-14")], {"unknown"}),
]
IDS = [name for name, _, _ in CASES]


def _later() -> dict[str, Any]:
    return {"id": LATER, "publication": {"zh": "测试通报", "en": "Test bulletin"},
            "edition_date": "2024-07-01", "title": "测试通报", "title_en": "Test bulletin"}


# -- the loader ----------------------------------------------------------------------------------


def by_loader(tmp_path: Path, rows: list[dict]) -> set[str]:
    data = Path(shutil.copytree(DATA, tmp_path / "data"))
    sources = yaml.safe_load((data / "sources.yaml").read_text(encoding="utf-8"))
    sources["sources"].append(_later())
    (data / "sources.yaml").write_text(yaml.safe_dump(sources, allow_unicode=True),
                                       encoding="utf-8")
    figures = [{k: v for k, v in r.items() if v != ""} for r in rows]
    (data / "programs" / "test_rows.yaml").write_text(yaml.safe_dump(
        {"program": yaml.safe_load((DATA / "programs" / "leaders_walk.yaml").read_text(
            encoding="utf-8"))["program"] | {"id": "test_rows_program"},
         "figures": figures}, allow_unicode=True), encoding="utf-8")
    return {p.code for p in load(data).problems}


# -- store.write and the bulk path ----------------------------------------------------------------


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def stored(request, tmp_path_factory) -> Iterator[Any]:
    """A store holding data/ and the later report, on each engine; every case only checks."""
    def ready(url: str):
        with prepared(url) as engine:
            later = Source.model_validate(_later())
            store.write(engine, [("sources", later, Origin("test", None, "source"))],
                        who="cli:test", why="a later report of these tests")
            yield engine

    if request.param == "sqlite":
        yield from ready(f"sqlite:///{tmp_path_factory.mktemp('rules') / 'c.sqlite3'}")
    else:
        with fresh_database(request.getfixturevalue("postgres_url")) as url:
            yield from ready(url)


def by_write(filled_store, rows: list[dict]) -> set[str]:
    """As the intake does: each row a model (its own problems said), then one dry-run write."""
    codes, incoming = set(), []
    for number, cells in enumerate(rows, start=2):
        try:
            figure = Figure.model_validate({k: v for k, v in cells.items() if v != ""})
        except ValidationError as error:
            codes |= {from_pydantic(e)[0] for e in error.errors()}
            continue
        incoming.append(("figures", figure, Origin("upload", None, f"row {number}")))
    if incoming:
        try:
            store.write(filled_store, incoming, who="check", why="check", dry_run=True)
        except store.Refused as refused:
            codes |= {p.code for p in refused.problems}
    return codes


def by_bulk(filled_store, rows: list[dict]) -> set[str]:
    batch = pd.DataFrame([{**{c: None for c in store.BULK_COLUMNS}, "group_zh": None,
                           **{k: (v or None) for k, v in r.items()}} for r in rows])
    with filled_store.connect() as connection:
        try:
            store.bulk_frame(connection, batch, "batch")
        except store.Refused as refused:
            return {p.code for p in refused.problems}
    return set()


def _rule(code: str) -> str:
    """The rule a code names: a folder has no stored rows, so where a new row breaks a series
    with a later one the loader names the later (`series_smaller`), a write the new one
    (`series_smaller_next`)."""
    return code.removesuffix("_next")


@pytest.mark.parametrize("rows, codes", [(r, c) for _, r, c in CASES], ids=IDS)
def test_the_three_paths_give_the_same_verdict(stored, tmp_path, rows, codes):
    verdicts = {"store.write": by_write(stored, rows), "bulk": by_bulk(stored, rows)}
    assert verdicts == dict.fromkeys(verdicts, codes)
    assert {_rule(c) for c in by_loader(tmp_path, rows)} == {_rule(c) for c in codes}


def test_a_correction_is_written_and_kept_and_the_series_goes_on_from_its_start(stored):
    """Saved on purpose, the break is no problem for later writes: a half-year report after
    it is measured against the last report of its own start (488 since 2021), not the 80."""
    corrected = Figure.model_validate(row("problems_solved", "80个", "2024-05-27",
                                          correction="县级通报的单日整改数"))
    later = Figure.model_validate(row("problems_solved", "520个", "2021/2024-06-30"))
    written = store.write(stored, [("figures", corrected, Origin("t", None, "a")),
                                   ("figures", later, Origin("t", None, "b"))],
                          who="check", why="check", dry_run=True)
    assert [c.after.get("correction") for c in written.changes] == ["县级通报的单日整改数", None]


# -- the rules on a frame -------------------------------------------------------------------------


def test_a_jump_is_a_warning_naming_both_reports():
    frame = rules.figure_frame([Figure.model_validate(r) for r in (
        row("menu_items", "100项", "2023-11-14"), row("menu_items", "1001项", "2023-11-15"),
        row("menu_items", "90项", "2023-11-16"), row("menu_items", "8项", "2023-11-17"))])
    found = rules.warnings(frame)
    assert [(f.row, f.params["previous"], f.params["value"]) for f in found] == [
        (1, "100", "1001"), (2, "1001", "90"), (3, "90", "8")]


def test_rules_judge_pairs_only_with_a_new_row():
    """A broken pair already stored refuses no write that does not touch it."""
    figures = [Figure.model_validate(r) for r in (
        row("problems_solved", "488个", "2021/2023-11-15"),
        row("problems_solved", "80个", "2024-05-27"))]
    frame = rules.figure_frame(figures)
    known = rules.Known(cumulative=frozenset({"problems_solved"}))
    assert [f.code for f in rules.problems(frame, known)] == ["series_single"]
    assert rules.problems(frame.assign(new=False), known) == []
