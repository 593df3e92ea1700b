"""Figures an editor adds: rows of an upload (or one form) checked by the store's own models and
rules, previewed, matched against the figures already stored, and saved in one write.

`check` never writes; `save` is the one way in, taking Figure models, the source they cite and
which duplicates to replace, so a reviewed table of extracted figures saves the same way.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from pydantic import ValidationError
from sqlalchemy import Engine

from civic import effects, reads, rows, store
from civic.accounts import Account
from civic.departments import with_units
from civic.i18n import column_name, format_quantity, format_unit, name, t
from civic.loading import Origin, Problem
from civic.models import Dataset, Figure, LocalText, Program, Source
from civic.problems import from_pydantic, render
from civic.uploads import Sheet

FIGURE_COLUMNS = ("program", "metric", "reported", "period", "department", "group_zh",
                  "group_en", "locator", "note", "correction")
ON_DUPLICATE = ("skip", "replace", "fail")
# The new-source form's fields, by the label the form gives them.
_SOURCE_FIELDS = {"title": "entry.source_title", "title_en": "entry.source_title",
                  "publication": "entry.source_publisher", "edition_date": "entry.source_date",
                  "url": "entry.source_url"}


def source_problems(error: ValidationError, lang: str) -> list[str]:
    """Why the report an editor describes cannot be cited, each field named as the form does."""
    return list(dict.fromkeys(
        t("entry.source_invalid", lang, field=_source_field(e["loc"], lang),
          message=render(*from_pydantic(e), lang))
        for e in error.errors(include_url=False)))


def _source_field(loc: tuple[Any, ...], lang: str) -> str:
    key = _SOURCE_FIELDS.get(str(loc[0]) if loc else "")
    return t(key, lang) if key else column_name(_column(loc), lang)


@dataclass(frozen=True)
class RowProblem:
    """A problem of an upload's row (0: of the upload as a whole), in a column: a code and its
    values, said in the reader's language; `where` names a record that is not a row."""

    row: int
    column: str
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)
    where: str = ""

    def message(self, lang: str, metrics: Mapping[str, str] | None = None) -> str:
        said = render(self.code, self.params, lang, metrics)
        return f"{self.where}: {said}" if self.where else said

    def text(self, lang: str, metrics: Mapping[str, str] | None = None) -> str:
        return t("intake.problem", lang, row=self.row, column=column_name(self.column, lang)
                 or "—", message=self.message(lang, metrics))


@dataclass(frozen=True)
class Row:
    """A valid row: its figure, the editor's note, and the stored figure it would replace."""

    number: int
    figure: Figure
    note: str = ""
    stored: str | None = None  # what the store holds for the same figure, as reported
    unchanged: bool = False

    @property
    def key(self) -> str:
        return rows.figure_key(self.figure)

    @property
    def record(self) -> Figure:
        return self.figure


@dataclass
class Checked:
    """An upload checked: valid rows, problems by row and column, and the rows refused, of
    other departments (or, for projects, of other departments' programs)."""

    rows: list[Row] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    refused: list[Row] = field(default_factory=list)
    refusals: list[RowProblem] = field(default_factory=list)
    """Why each refused row is not the account's to write, in the order of `refused`."""
    effects: list[effects.Effect] = field(default_factory=list)
    """Each KPI the rows change, before → after (`civic.effects`)."""
    warnings: list[RowProblem] = field(default_factory=list)
    """Rows far outside their series: saved if the editor wishes, but worth a look."""

    @property
    def duplicates(self) -> list[Row]:
        return [r for r in self.rows if r.stored is not None]


@dataclass(frozen=True)
class Saved:
    batch: str | None
    inserted: int
    replaced: int
    skipped: int
    source: str


def who(account: Account) -> str:
    """The audit's `who` of an account's writes; the shell user (`cli:<user>`, a name no account
    can have) as it is."""
    return account.name if account.name.startswith("cli:") else f"editor:{account.name}"


def writable(account: Account | None, departments: pd.DataFrame) -> set[str] | None:
    """The departments an account writes for (theirs and their units); None: all (admin)."""
    if account is None or account.role not in ("editor", "approver", "admin"):
        return set()
    if account.role == "admin":
        return None
    return with_units(departments, list(account.departments))


def program_departments(programs: Sequence[Program]) -> dict[str, set[str]]:
    """Each program's departments: its lead and those taking part."""
    return {p.id: set(p.departments) for p in programs}


def department_guard(account: Account, departments: pd.DataFrame) -> store.Guard:
    """Who may change what, checked inside the write on every record it changes, as it was and
    as it becomes (so an editor can neither add another department's record nor overwrite or
    undo one). An admin changes anything. An editor changes:

    - a record of a program (a figure, a project, an advisory, a target, …) when one of their
      departments leads or takes part in the program as the store holds it, and, where the
      record names a department, when that is one of theirs;
    - a program their department leads, and the record of one of their departments;
    - a source only together with the records of theirs that cite it: a new one with the
      figures that cite it, a stored one removed with the last of them (an undo); a stored
      source otherwise only when it names one of their departments;
    - nothing else (targets, districts, metrics, any kind without a program): those are for
      admins.
    """
    allowed = writable(account, departments)

    def guard(changes: list[store.Change], held: store.Held) -> list[Problem]:
        if allowed is None:
            return []
        stored = {key: model for (kind, key), (model, _) in held.items() if kind == "programs"}
        new = {c.key: c.after for c in changes if c.table == "programs" and c.after}

        def takes_part(program: str) -> bool:
            if program in stored:
                return bool(set(stored[program].departments) & allowed)
            document = new.get(program) or {}
            return bool({document.get("lead"), *document.get("participants", [])} & allowed)

        def cites(source: str, side: str) -> bool:
            return any((getattr(c, side) or {}).get("source") == source
                       for c in changes if c.table != "sources")

        refused: dict[tuple[Any, ...], Problem] = {}  # each once, whichever side found it
        for change in changes:
            for document in (d for d in (change.before, change.after) if d is not None):
                for problem in _refusals(account, allowed, change, document, takes_part, cites):
                    refused.setdefault((problem.record, problem.code,
                                        *sorted(problem.params.items())), problem)
        return list(refused.values())
    return guard


def _refusals(account: Account, allowed: set[str], change: store.Change,
              document: dict[str, Any], takes_part, cites) -> list[Problem]:
    """Why the account may not make `change` (one side of it, `document`), if it may not."""
    def no(field_name: str, code: str, **params: Any) -> list[Problem]:
        return [Problem("upload", change.key, field_name, code,
                        {"account": account.name, **params})]

    if change.table == "sources":
        department = document.get("department")
        if change.action == "insert" and cites(change.key, "after") or \
                change.action == "delete" and cites(change.key, "before") or \
                department in allowed:
            return []
        return no("source", "source_not_yours", value=change.key)
    if change.table == "programs":
        return [] if document.get("lead") in allowed else \
            no("program", "program_not_led", value=change.key)
    if change.table == "departments":
        return [] if change.key in allowed else \
            no("department", "department_not_yours", value=change.key)
    if change.table == "targets":
        return no("target", "target_only_admins")
    if "program" not in document:
        return no("record", "admins_only", table=change.table)
    found = []
    if not takes_part(document["program"]):
        found += no("program", "program_not_yours", value=document["program"])
    department = document.get("department")
    if department is not None and department not in allowed:
        found += no("department", "department_not_yours", value=department)
    return found


def new_source(title: str, date: dt.date, publisher: str | None = None,
               url: str | None = None) -> Source:
    """A report an upload cites that the store does not hold yet (validated like any source)."""
    publication = (publisher or "").strip() or title
    return Source(id=f"src_{date:%Y%m%d}_{uuid.uuid4().hex[:8]}",
                  publication=LocalText(zh=publication, en=publication), edition_date=date,
                  title=title, title_en=title, url=url or None)


def _origin(number: int) -> Origin:
    return Origin("upload", None, f"row {number}")


def _figure(cells: dict[str, Any], source: str, correction: str | None = None) -> dict[str, Any]:
    data = {k: v for k, v in cells.items()
            if k in ("program", "metric", "reported", "period", "department", "locator",
                     "correction") and v}
    if correction and not data.get("correction"):
        data["correction"] = correction
    if cells.get("group_zh") or cells.get("group_en"):
        data["group"] = {"zh": cells.get("group_zh") or "", "en": cells.get("group_en") or ""}
    return {**data, "source": source}


def _column(loc: tuple[Any, ...]) -> str:
    first = str(loc[0]) if loc else ""
    if first == "group":
        return f"group_{loc[1]}" if len(loc) > 1 and loc[1] in ("zh", "en") else "group_zh"
    return first


def check(engine: Engine, sheet: Sheet, source: Source | str, account: Account | None,
          departments: pd.DataFrame, correction: str | None = None) -> Checked:
    """Every row built into a Figure and checked with the store's rules; nothing is written.

    `correction` marks every row that gives no note of its own a correction with this note: a
    row that breaks its running total on purpose (`civic import --correction --why`, the
    page's checkbox)."""
    source_id = source if isinstance(source, str) else source.id
    checked = Checked()
    allowed = writable(account, departments)
    by_program = program_departments(reads.dataset(engine, with_figures=False).programs)
    candidates: list[Row] = []
    for number, cells in sheet.rows:
        try:
            figure = Figure.model_validate(_figure(cells, source_id, correction))
        except ValidationError as error:
            checked.problems += [RowProblem(number, _column(e["loc"]), *from_pydantic(e))
                                 for e in error.errors(include_url=False)]
            continue
        row = Row(number, figure, cells.get("note", ""))
        refusal = _row_refusal(row, account, allowed, by_program)
        if refusal is not None:
            checked.refused.append(row)
            checked.refusals.append(refusal)
        else:
            candidates.append(row)
    candidates, written = store_check(engine, rows.FIGURES, candidates, source,
                                      checked.problems)
    changes = {c.key: c for c in written.changes if c.table == rows.FIGURES}
    for row in candidates:
        change = changes.get(row.key)
        if change is None:
            checked.rows.append(Row(row.number, row.figure, row.note, row.figure.text, True))
        elif change.action == "update":
            found = Row(row.number, row.figure, row.note, change.before["reported"])
            theirs = allowed is not None and change.before["department"] not in allowed
            (checked.refused if theirs else checked.rows).append(found)
            if theirs:
                checked.refusals.append(RowProblem(
                    row.number, "department", "department_not_yours",
                    {"account": account.name, "value": change.before["department"]}))
        else:
            checked.rows.append(row)
    checked.problems.sort(key=lambda p: p.row)
    if checked.rows:
        dataset = reads.dataset(engine, with_figures=False)
        checked.effects = effects.effects(engine, [r.figure for r in checked.rows], dataset)
        checked.warnings = [RowProblem(j.number, "reported", j.code, j.params) for j in
                            effects.jumps(engine, [(r.number, r.figure) for r in checked.rows])]
    return checked


def _row_refusal(row: Row, account: Account | None, allowed: set[str] | None,
                 by_program: Mapping[str, set[str]]) -> RowProblem | None:
    """Why a row is not the account's to write, if it is not: another department's figure, or
    one of a program none of their departments leads or takes part in."""
    if allowed is None:
        return None
    name = account.name if account else ""
    if row.figure.department not in allowed:
        return RowProblem(row.number, "department", "department_not_yours",
                          {"account": name, "value": row.figure.department})
    if row.figure.program in by_program and not by_program[row.figure.program] & allowed:
        return RowProblem(row.number, "program", "program_not_yours",
                          {"account": name, "value": row.figure.program})
    return None


def store_check(engine: Engine, kind: str, candidates: list[Any], source: Source | str,
                problems: list[RowProblem]) -> tuple[list[Any], store.Written]:
    """A dry run of writing the candidate rows (each with `number` and `record`): the rows the
    store refuses go to `problems`, the rest are tried again; the rows that pass, and what
    writing them would change."""
    extra = [] if isinstance(source, str) else [("sources", source, Origin("upload", None,
                                                                            "source"))]
    while candidates:
        incoming = extra + [(kind, r.record, _origin(r.number)) for r in candidates]
        try:
            return candidates, store.write(engine, incoming, who="check", why="check",
                                           dry_run=True)
        except store.Refused as refused:
            bad = _row_problems(refused.problems)
            problems += [problem for _, problem in bad]
            others = [p for p in refused.problems if not _row_number(p)]
            if others or not bad:  # the source itself, or the store: no row can be saved
                problems += [RowProblem(0, p.field, p.code, p.params, p.record) for p in others]
                return [], store.Written()
            failed = {n for n, _ in bad}
            candidates = [r for r in candidates if r.number not in failed]
    return [], store.Written()


def _row_number(problem: Problem) -> int | None:
    if problem.file == "upload" and problem.record.startswith("row "):
        return int(problem.record.split()[1])
    return None


def _row_problems(problems: Sequence[Problem]) -> list[tuple[int, RowProblem]]:
    return [(number, RowProblem(number, p.field.split(".")[0], p.code, p.params))
            for p in problems if (number := _row_number(p))]


def incoming(kind: str, records: Sequence[Any], source: Source | str,
             ) -> list[tuple[str, Any, Origin]]:
    """What a save writes: the records (figures or projects), each citing `source`, and the
    source itself when it is new."""
    source_id = source if isinstance(source, str) else source.id
    found = [] if isinstance(source, str) else [("sources", source, Origin("upload", None,
                                                                            "source"))]
    for record in records:
        record = record.model_copy(update={"source": source_id}) \
            if record.source != source_id else record
        found.append((kind, record, Origin("upload", None, rows.key(kind, record))))
    return found


def save(engine: Engine, figures: Sequence[Figure], source: Source | str, *, account: Account,
         departments: pd.DataFrame, why: str, replace: Collection[str] = (),
         dry_run: bool = False) -> Saved:
    """Write `figures` citing `source` (a new Source is written with them) in one transaction.

    A figure the store already holds is replaced when its key is in `replace` and skipped
    otherwise, decided inside the write (a figure another save stored a moment before is
    skipped too, never overwritten); a new source is written only with figures that cite it.
    A figure the account may not write (`department_guard`), new or stored, refuses the whole
    save.
    """
    source_id = source if isinstance(source, str) else source.id
    written = store.write(engine, incoming(rows.FIGURES, figures, source), who=who(account),
                          why=why, dry_run=dry_run,
                          guard=department_guard(account, departments), needs=rows.FIGURES,
                          replace={(rows.FIGURES, key) for key in replace})
    counts = [c.action for c in written.changes if c.table == rows.FIGURES]
    inserted, replaced = counts.count("insert"), counts.count("update")
    return Saved(written.batch, inserted, replaced, len(figures) - inserted - replaced,
                 source_id)


def problems_text(checked: Checked, account: Account,
                  metrics: Mapping[str, str] | None = None) -> list[str]:
    """Every problem and refusal of a check, in English, for the command line."""
    return [p.text("en", metrics) for p in checked.problems] + [
        p.text("en", metrics) for p in checked.refusals]


def preview(found: Sequence[Row], lang: str, dataset: Dataset | None = None) -> pd.DataFrame:
    """Valid rows as the dashboard will show them, with what the store holds beside: programs,
    metrics and departments by their names where `dataset` has them, units and qualifiers in
    words."""
    programs = {p.id: name(p.name, lang) for p in dataset.programs} if dataset else {}
    metrics = {m.id: name(m.label, lang) for m in dataset.metrics} if dataset else {}
    units = {d.id: name(d.name, lang) for d in dataset.departments} if dataset else {}
    return pd.DataFrame([{
        t("intake.row", lang): r.number,
        t("column.program", lang): programs.get(r.figure.program, r.figure.program),
        t("column.metric", lang): metrics.get(r.figure.metric, r.figure.metric),
        t("intake.value", lang): format_quantity(r.figure.value, r.figure.unit,
                                                 r.figure.qualifier, lang, r.figure.value_max),
        t("intake.unit", lang): format_unit(r.figure.unit, lang),
        t("intake.qualifier", lang): t(f"qualifier_word.{r.figure.qualifier}", lang),
        t("column.period", lang): r.figure.period.text,
        t("column.department", lang): units.get(r.figure.department, r.figure.department),
        t("column.group_zh", lang): r.figure.group.zh if r.figure.group else "",
        t("intake.stored", lang): r.stored or "",
    } for r in found], columns=[t(k, lang) for k in (
        "intake.row", "column.program", "column.metric", "intake.value", "intake.unit",
        "intake.qualifier", "column.period", "column.department", "column.group_zh",
        "intake.stored")])


def problems_frame(problems: Sequence[RowProblem], lang: str,
                   metrics: Mapping[str, str] | None = None) -> pd.DataFrame:
    return pd.DataFrame([{
        t("intake.row", lang): p.row or "",
        t("intake.column", lang): column_name(p.column, lang),
        t("intake.message", lang): p.message(lang, metrics),
    } for p in problems], columns=[t(k, lang) for k in ("intake.row", "intake.column",
                                                         "intake.message")])
