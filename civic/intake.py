"""Figures an editor adds: rows of an upload (or one form) checked by the store's own models and
rules, previewed, matched against the figures already stored, and saved in one write.

`check` never writes; `save` is the one way in, taking Figure models, the source they cite and
which duplicates to replace, so a reviewed table of extracted figures saves the same way.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from pydantic import ValidationError
from sqlalchemy import Engine

from civic import reads, rows, store
from civic.accounts import Account
from civic.departments import with_units
from civic.i18n import format_quantity, format_unit, t
from civic.loading import Origin, Problem
from civic.models import Figure, LocalText, Program, Source
from civic.uploads import Sheet

FIGURE_COLUMNS = ("program", "metric", "reported", "period", "department", "group_zh",
                  "group_en", "locator", "note")
ON_DUPLICATE = ("skip", "replace", "fail")
# The models, the store's rules and the data folder's loader speak English; the common problems
# are said in the reader's language (anything else is shown as the check says it).
_MESSAGES = [(re.compile(pattern), key) for pattern, key in [
    (r"^not valid YAML: line (?P<line>\d+), column (?P<column>\d+): (?P<reason>.*)$",
     "intake.msg.yaml_at"),
    (r"^not valid YAML: (?P<reason>.*)$", "intake.msg.yaml"),
    (r"^not UTF-8 text", "intake.msg.not_utf8"),
    (r"^too large: (?P<size>\d+) bytes, at most (?P<limit>\d+) per data file$",
     "intake.msg.file_too_large"),
    (r"^removed while it was being read$", "intake.msg.removed"),
    (r"^data folder not found$", "intake.msg.no_folder"),
    (r"^no data files \(\*\.yaml\) in this folder$", "intake.msg.no_files"),
    (r"^expected a mapping of fields$", "intake.msg.mapping"),
    (r"^expected a mapping of record lists at the top$", "intake.msg.top"),
    (r"^expected a mapping of default fields$", "intake.msg.defaults"),
    (r"^expected a list of records$", "intake.msg.list"),
    (r"^unknown record list; known: (?P<known>.*)$", "intake.msg.record_list"),
    (r"^a program file needs a `program` mapping$", "intake.msg.program_file"),
    (r"^duplicate id, first in (?P<file>.+)$", "intake.msg.duplicate_id"),
    (r"^Extra inputs are not permitted$", "intake.msg.extra"),
    (r"^Field required$", "intake.msg.required"),
    (r"^unknown (?P<what>program|metric|department|source|district) '(?P<value>.*)'$",
     "intake.msg.unknown"),
    (r"^unit '(?P<unit>[^']+)' (?:\(\w+\) )?does not fit metric '(?P<metric>[^']+)'",
     "intake.msg.unit"),
    (r"^a reported figure needs a locator", "intake.msg.locator"),
    (r"^at most (?P<limit>\d+) characters, got (?P<count>\d+)", "intake.msg.too_long"),
    (r"^expected YYYY, YYYY-MM or YYYY-MM-DD, got (?P<value>.*)$", "intake.msg.period"),
    (r"^not a calendar date: (?P<value>'[^']*')", "intake.msg.date"),
    (r"^period ends before it starts", "intake.msg.period_order"),
    (r"^the same figure \(program, metric, period, group\) twice", "intake.msg.twice"),
    (r"problems solved exceed", "intake.msg.solved"),
    (r"^(?P<value>'.*'): no number$", "intake.msg.no_number"),
    (r"^String should match pattern '\^https\?://", "intake.msg.url"),
    (r"^String should match pattern", "intake.msg.id"),
    (r"does not write for program (?P<value>\w+)$", "intake.msg.program_department"),
    (r"does not write for (?P<value>\w+)$", "intake.msg.department"),
    (r"^differs from row (?P<row>\d+)$", "intake.msg.differs"),
    (r"^a project needs at least one milestone$", "intake.msg.milestones"),
    (r"^milestones out of date order", "intake.msg.milestone_order"),
    (r"^expected done, planned or expected, got (?P<value>.*)$", "intake.msg.status"),
    (r"^String should have at least 1 character", "intake.msg.empty"),
    (r"^String should have at most (?P<limit>\d+) characters?", "intake.msg.at_most"),
    (r"^(?P<value>'.*'): unknown unit (?P<unit>'[^']*'); known: (?P<known>.*)$",
     "intake.msg.unknown_unit"),
    (r"^(?P<value>'.*'): unexpected (?P<rest>'.*') after the unit (?P<unit>'[^']*')$",
     "intake.msg.after_unit"),
    (r"^(?P<value>'.*'): negative figures", "intake.msg.negative"),
    (r"^(?P<value>'.*'): a space inside a number", "intake.msg.space"),
    (r"^(?P<value>'.*'): malformed Chinese numeral (?P<number>'.*')$", "intake.msg.numeral"),
    (r"^(?P<value>'.*'): malformed number (?P<number>'.*')$", "intake.msg.malformed"),
    (r"^(?P<value>'.*'): expected a number after 百分之, got (?P<number>'.*')$",
     "intake.msg.percent"),
    (r"^(?P<value>'.*'): expected a number at (?P<number>'.*')$", "intake.msg.number_at"),
    (r"^(?P<value>'.*'): 多/余 given twice", "intake.msg.more_twice"),
    (r"^(?P<value>'.*'): contradictory qualifiers", "intake.msg.qualifiers"),
    (r"^(?P<value>'.*'): a range needs a number on both sides", "intake.msg.range_ends"),
    (r"^(?P<value>'.*'): a range cannot be qualified further", "intake.msg.range_qualified"),
    (r"^(?P<value>'.*'): the unit must follow the upper end", "intake.msg.range_unit_last"),
    (r"^(?P<value>'.*'): range ends in different units: (?P<low>'[^']*') and (?P<high>'[^']*')$",
     "intake.msg.range_units"),
    (r"^(?P<value>'.*'): more than one range separator", "intake.msg.range_twice"),
    (r"^(?P<value>'.*'): range runs backwards", "intake.msg.range_backwards"),
    (r"^(?P<value>'.*'): too large a number", "intake.msg.too_large"),
    (r"^(?P<value>'.*'): empty text", "intake.msg.required"),
]]


def say(message: str, lang: str, metrics: Mapping[str, str] | None = None) -> str:
    """A problem's message in `lang` where it is one of the common ones; a unit and a metric
    by their names in `lang` (`metrics`: id → name, where the caller has them), not their ids."""
    for pattern, key in _MESSAGES:
        if found := pattern.search(message):
            values = found.groupdict()
            if "what" in values:
                values["what"] = t(f"column.{values['what']}", lang)
            if "metric" in values:
                values["metric"] = (metrics or {}).get(values["metric"]) or values["metric"]
            if "unit" in values and key == "intake.msg.unit":
                values["unit"] = format_unit(values["unit"], lang)
            return t(key, lang, **values)
    return message


def said(problem: Problem, lang: str, metrics: Mapping[str, str] | None = None) -> str:
    """A problem of the store's rules or of a data file, its location as the problem names it
    (file, record, field: where to look) and its message in `lang`."""
    where = " / ".join(part for part in (problem.record, problem.field) if part)
    return t("intake.located" if where else "intake.located_file", lang, file=problem.file,
             where=where, message=say(problem.message, lang, metrics))


# The new-source form's fields, by the label the form gives them.
_SOURCE_FIELDS = {"title": "entry.source_title", "title_en": "entry.source_title",
                  "publication": "entry.source_publisher", "edition_date": "entry.source_date",
                  "url": "entry.source_url"}


def source_problems(error: ValidationError, lang: str) -> list[str]:
    """Why the report an editor describes cannot be cited, each field named as the form does."""
    return list(dict.fromkeys(
        t("entry.source_invalid", lang, field=_source_field(e["loc"], lang),
          message=say(e["msg"].removeprefix("Value error, "), lang))
        for e in error.errors(include_url=False)))


def _source_field(loc: tuple[Any, ...], lang: str) -> str:
    key = _SOURCE_FIELDS.get(str(loc[0]) if loc else "")
    return t(key, lang) if key else column_name(_column(loc), lang)


@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str
    message: str

    def text(self, lang: str, metrics: Mapping[str, str] | None = None) -> str:
        return t("intake.problem", lang, row=self.row, column=column_name(self.column, lang)
                 or "—", message=say(self.message, lang, metrics))


def column_name(column: str, lang: str) -> str:
    """An upload's column as its header reads in `lang`; any other field as it is."""
    key = f"column.{column}"
    named = t(key, lang)
    return column if named == key else named


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
    if account is None or account.role not in ("editor", "admin"):
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
    - nothing else (districts, metrics, any kind without a program): those are for admins.
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

        refused = []
        for change in changes:
            for document in (d for d in (change.before, change.after) if d is not None):
                refused += _refusals(account, allowed, change, document, takes_part, cites)
        return list(dict.fromkeys(refused))
    return guard


def _refusals(account: Account, allowed: set[str], change: store.Change,
              document: dict[str, Any], takes_part, cites) -> list[Problem]:
    """Why the account may not make `change` (one side of it, `document`), if it may not."""
    def no(field_name: str, message: str) -> list[Problem]:
        return [Problem("upload", change.key, field_name, f"{account.name} {message}")]

    if change.table == "sources":
        department = document.get("department")
        if change.action == "insert" and cites(change.key, "after") or \
                change.action == "delete" and cites(change.key, "before") or \
                department in allowed:
            return []
        return no("source", f"does not write for source {change.key}")
    if change.table == "programs":
        return [] if document.get("lead") in allowed else \
            no("program", f"does not write for program {change.key}")
    if change.table == "departments":
        return [] if change.key in allowed else no("department",
                                                   f"does not write for {change.key}")
    if "program" not in document:
        return no("record", f"does not write {change.table} (for admins)")
    found = []
    if not takes_part(document["program"]):
        found += no("program", f"does not write for program {document['program']}")
    department = document.get("department")
    if department is not None and department not in allowed:
        found += no("department", f"does not write for {department}")
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


def _figure(cells: dict[str, Any], source: str) -> dict[str, Any]:
    data = {k: v for k, v in cells.items()
            if k in ("program", "metric", "reported", "period", "department", "locator") and v}
    if cells.get("group_zh") or cells.get("group_en"):
        data["group"] = {"zh": cells.get("group_zh") or "", "en": cells.get("group_en") or ""}
    return {**data, "source": source}


def _column(loc: tuple[Any, ...]) -> str:
    first = str(loc[0]) if loc else ""
    if first == "group":
        return f"group_{loc[1]}" if len(loc) > 1 and loc[1] in ("zh", "en") else "group_zh"
    return first


def check(engine: Engine, sheet: Sheet, source: Source | str, account: Account | None,
          departments: pd.DataFrame) -> Checked:
    """Every row built into a Figure and checked with the store's rules; nothing is written."""
    source_id = source if isinstance(source, str) else source.id
    checked = Checked()
    allowed = writable(account, departments)
    by_program = program_departments(reads.dataset(engine, with_figures=False).programs)
    candidates: list[Row] = []
    for number, cells in sheet.rows:
        try:
            figure = Figure.model_validate(_figure(cells, source_id))
        except ValidationError as error:
            checked.problems += [
                RowProblem(number, _column(e["loc"]), e["msg"].removeprefix("Value error, "))
                for e in error.errors(include_url=False)]
            continue
        row = Row(number, figure, cells.get("note", ""))
        if allowed is not None and (figure.department not in allowed or figure.program
                                    in by_program and not by_program[figure.program] & allowed):
            checked.refused.append(row)
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
        else:
            checked.rows.append(row)
    checked.problems.sort(key=lambda p: p.row)
    return checked


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
                problems += [RowProblem(0, p.field, f"{p.record}: {p.message}") for p in others]
                return [], store.Written()
            failed = {n for n, _ in bad}
            candidates = [r for r in candidates if r.number not in failed]
    return [], store.Written()


def _row_number(problem: Problem) -> int | None:
    if problem.file == "upload" and problem.record.startswith("row "):
        return int(problem.record.split()[1])
    return None


def _row_problems(problems: Sequence[Problem]) -> list[tuple[int, RowProblem]]:
    return [(number, RowProblem(number, p.field.split(".")[0], p.message))
            for p in problems if (number := _row_number(p))]


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
    kept = [f.model_copy(update={"source": source_id}) if f.source != source_id else f
            for f in figures]
    incoming = [] if isinstance(source, str) else [("sources", source, Origin("upload", None,
                                                                               "source"))]
    incoming += [(rows.FIGURES, f, Origin("upload", None, rows.figure_key(f))) for f in kept]
    written = store.write(engine, incoming, who=who(account), why=why, dry_run=dry_run,
                          guard=department_guard(account, departments), needs=rows.FIGURES,
                          replace={(rows.FIGURES, key) for key in replace})
    counts = [c.action for c in written.changes if c.table == rows.FIGURES]
    inserted, replaced = counts.count("insert"), counts.count("update")
    return Saved(written.batch, inserted, replaced, len(figures) - inserted - replaced,
                 source_id)


def problems_text(checked: Checked, account: Account) -> list[str]:
    """Every problem and refusal of a check, in English, for the command line."""
    return [p.text("en") for p in checked.problems] + [
        f"row {r.number} · department: {account.name} does not write for {r.figure.department}"
        f" in program {r.figure.program}" for r in checked.refused]


def preview(found: Sequence[Row], lang: str) -> pd.DataFrame:
    """Valid rows as the dashboard will show them, with what the store holds beside."""
    return pd.DataFrame([{
        t("intake.row", lang): r.number,
        t("column.program", lang): r.figure.program,
        t("column.metric", lang): r.figure.metric,
        t("intake.value", lang): format_quantity(r.figure.value, r.figure.unit,
                                                 r.figure.qualifier, lang, r.figure.value_max),
        t("intake.unit", lang): r.figure.unit,
        t("intake.qualifier", lang): str(r.figure.qualifier),
        t("column.period", lang): r.figure.period.text,
        t("column.department", lang): r.figure.department,
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
        t("intake.message", lang): say(p.message, lang, metrics),
    } for p in problems], columns=[t(k, lang) for k in ("intake.row", "intake.column",
                                                         "intake.message")])
