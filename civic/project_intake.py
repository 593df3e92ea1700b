"""Projects an editor adds: rows of an upload, one per milestone, grouped by project id into one
Project each, checked by the store's own models and rules, previewed, matched against the
projects already stored, and saved in one write.

It works as `civic.intake` does for figures (same problems, same duplicates, same save), so a
page or the command line treats both alike; an editor writes a project only when one of their
departments leads or takes part in its program.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from pydantic import ValidationError
from sqlalchemy import Engine

from civic import reads, store
from civic.accounts import Account
from civic.i18n import LANGS, name, t
from civic.intake import (
    Checked,
    RowProblem,
    Saved,
    department_guard,
    incoming,
    program_departments,
    store_check,
    who,
    writable,
)
from civic.models import Dataset, Project, Source
from civic.narratives import MilestoneStatus
from civic.problems import from_pydantic
from civic.uploads import Sheet

PROJECTS = "projects"
PROJECT_COLUMNS = ("id", "program", "name_zh", "name_en", "developer_zh", "developer_en",
                   "group_zh", "group_en", "district", "site_zh", "site_en", "product_zh",
                   "product_en", "milestone_period", "milestone_zh", "milestone_en",
                   "milestone_status")
_PROJECT_PART, _MILESTONE_PART = PROJECT_COLUMNS[:13], PROJECT_COLUMNS[13:]
_TEXTS = ("name", "developer", "group", "site", "product")
_MILESTONE = {"period": "milestone_period", "label": "milestone_zh", "status": "milestone_status"}


@dataclass(frozen=True)
class Row:
    """A valid project: the rows it was read from, and the stored project it would replace."""

    number: int
    project: Project
    numbers: tuple[int, ...] = ()
    stored: Project | None = None
    unchanged: bool = False

    @property
    def key(self) -> str:
        return self.project.id

    @property
    def record(self) -> Project:
        return self.project


def _status(text: str) -> str:
    """A milestone status as its id, or as the dashboard names it in either language."""
    for status in MilestoneStatus:
        if text.casefold() in {str(status), *(t(f"milestone.{status}", lang).casefold()
                                              for lang in LANGS)}:
            return str(status)
    return text


def _grouped(sheet: Sheet) -> tuple[dict[str, list[tuple[int, dict[str, Any]]]],
                                    list[RowProblem]]:
    """Rows by project id, in the order the ids first appear; rows without an id are problems."""
    groups: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    problems = []
    for number, cells in sheet.rows:
        if not cells.get("id"):
            problems.append(RowProblem(number, "id", "required"))
        else:
            groups.setdefault(cells["id"], []).append((number, cells))
    return groups, problems


def _document(rows_: list[tuple[int, dict[str, Any]]], source: str
              ) -> tuple[dict[str, Any], list[RowProblem]]:
    """The project's document from its rows: its columns given once (later rows may leave them
    empty or repeat them), one milestone per row that names one."""
    values: dict[str, tuple[int, str]] = {}
    problems = []
    for number, cells in rows_:
        for column in _PROJECT_PART:
            text = cells.get(column, "")
            if not text:
                continue
            if column not in values:
                values[column] = (number, text)
            elif values[column][1] != text:
                problems.append(RowProblem(number, column, "differs",
                                           {"row": values[column][0]}))
    document: dict[str, Any] = {k: v for k, (_, v) in values.items() if "_" not in k}
    for text in _TEXTS:
        both = _given({lang: values[f"{text}_{lang}"][1] for lang in ("zh", "en")
                       if f"{text}_{lang}" in values})
        if both or text != "group":
            document[text] = both
    milestones = _milestone_rows(rows_)
    document["milestones"] = [
        _given({"period": cells.get("milestone_period"),
                "label": _given({"zh": cells.get("milestone_zh"),
                                 "en": cells.get("milestone_en")}),
                "status": _status(cells.get("milestone_status") or "")})
        for number, cells in rows_ if number in milestones]
    return {**document, "source": source}, problems


def _given(values: dict[str, Any]) -> dict[str, Any]:
    """Empty cells left out, so the model says what is required."""
    return {k: v for k, v in values.items() if v}


def _milestone_rows(rows_: list[tuple[int, dict[str, Any]]]) -> list[int]:
    return [n for n, cells in rows_ if any(cells.get(c) for c in _MILESTONE_PART)]


def _column(loc: tuple[Any, ...], rows_: list[tuple[int, dict[str, Any]]]) -> tuple[int, str]:
    """The row and column a validation error of a project's document points at."""
    first = rows_[0][0]
    if not loc:
        return first, "milestone_period"
    head = str(loc[0])
    if head == "milestones":
        if len(loc) < 3:
            return first, "milestone_period"
        numbers = _milestone_rows(rows_)
        number = numbers[loc[1]] if isinstance(loc[1], int) and loc[1] < len(numbers) else first
        if loc[2] == "label":
            return number, "milestone_en" if loc[3:4] == ("en",) else "milestone_zh"
        return number, _MILESTONE.get(str(loc[2]), "milestone_period")
    if head in _TEXTS:
        return first, f"{head}_en" if loc[1:2] == ("en",) else f"{head}_zh"
    return first, head


def _coded(error: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """(code, values) of a project's problem: a milestone status and a project without
    milestones said as the template names them."""
    if error["type"] == "too_short" and error["loc"] == ("milestones",):
        return "milestones", {}
    if error["type"] == "enum":
        return "status", {"value": repr(error["input"])}
    return from_pydantic(error)


def check(engine: Engine, sheet: Sheet, source: Source | str, account: Account | None,
          departments: pd.DataFrame) -> Checked:
    """Every project built from its rows and checked with the store's rules; nothing is
    written."""
    source_id = source if isinstance(source, str) else source.id
    by_program = program_departments(reads.dataset(engine, with_figures=False).programs)
    allowed = writable(account, departments)
    groups, problems = _grouped(sheet)
    checked = Checked(problems=problems)
    candidates: list[Row] = []
    for rows_ in groups.values():
        document, differing = _document(rows_, source_id)
        checked.problems += differing
        try:
            project = Project.model_validate(document)
        except ValidationError as error:
            checked.problems += [RowProblem(*_column(e["loc"], rows_), *_coded(e))
                                 for e in error.errors(include_url=False)]
            continue
        if differing:
            continue
        row = Row(rows_[0][0], project, tuple(n for n, _ in rows_))
        theirs = by_program.get(project.program)
        if allowed is not None and theirs is not None and not theirs & allowed:
            checked.refused.append(row)
        else:
            candidates.append(row)
    candidates, written = store_check(engine, PROJECTS, candidates, source, checked.problems)
    changes = {c.key: c for c in written.changes if c.table == PROJECTS}
    for row in candidates:
        change = changes.get(row.key)
        if change is None:
            checked.rows.append(Row(row.number, row.project, row.numbers, row.project, True))
        elif change.action == "update":
            before = Project.model_validate(change.before)
            found = Row(row.number, row.project, row.numbers, before)
            theirs = by_program.get(before.program, set())
            (checked.refused if allowed is not None and not theirs & allowed
             else checked.rows).append(found)
        else:
            checked.rows.append(row)
    checked.problems.sort(key=lambda p: p.row)
    return checked


def save(engine: Engine, projects: Sequence[Project], source: Source | str, *,
         account: Account, departments: pd.DataFrame, why: str, replace: Collection[str] = (),
         dry_run: bool = False) -> Saved:
    """Write `projects` citing `source` (a new Source is written with them) in one transaction.

    A project the store already holds is replaced when its id is in `replace` and skipped
    otherwise, decided inside the write, as figures are (`civic.intake.save`). A project of a
    program none of the account's departments takes part in, new or stored, refuses the whole
    save (checked again inside the write).
    """
    source_id = source if isinstance(source, str) else source.id
    written = store.write(engine, incoming(PROJECTS, projects, source), who=who(account),
                          why=why, dry_run=dry_run,
                          guard=department_guard(account, departments), needs=PROJECTS,
                          replace={(PROJECTS, key) for key in replace})
    counts = [c.action for c in written.changes if c.table == PROJECTS]
    inserted, replaced = counts.count("insert"), counts.count("update")
    return Saved(written.batch, inserted, replaced, len(projects) - inserted - replaced,
                 source_id)


def milestones_text(project: Project, lang: str) -> str:
    """A project's milestones on one line: `2024-06 开工 (计划)；…`."""
    return "; ".join(f"{m.period.text} {name(m.label, lang)} ({t(f'milestone.{m.status}', lang)})"
                     for m in project.milestones)


def preview(found: Sequence[Row], lang: str, dataset: Dataset | None = None) -> pd.DataFrame:
    """Valid projects as the projects page will name them, with what the store holds beside;
    programs and districts by their names where `dataset` has them."""
    programs = {p.id: name(p.name, lang) for p in dataset.programs} if dataset else {}
    districts = {d.id: name(d.name, lang) for d in dataset.districts} if dataset else {}
    keys = ("intake.row", "column.id", "column.program", "intake.name", "intake.developer",
            "column.district", "intake.site", "intake.product", "intake.milestones",
            "intake.stored")
    return pd.DataFrame([dict(zip([t(k, lang) for k in keys], [
        r.number, r.project.id, programs.get(r.project.program, r.project.program),
        name(r.project.name, lang), name(r.project.developer, lang),
        districts.get(r.project.district, r.project.district), name(r.project.site, lang),
        name(r.project.product, lang), milestones_text(r.project, lang),
        "" if r.stored is None else
        f"{name(r.stored.name, lang)}: {milestones_text(r.stored, lang)}",
    ])) for r in found], columns=[t(k, lang) for k in keys])


def problems_text(checked: Checked, account: Account,
                  metrics: dict[str, str] | None = None) -> list[str]:
    """Every problem and refusal of a check, in English, for the command line."""
    return [p.text("en", metrics) for p in checked.problems] + [
        RowProblem(r.number, "program", "program_not_yours",
                   {"account": account.name, "value": r.project.program}).text("en")
        for r in checked.refused]

