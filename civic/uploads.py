"""An uploaded file read into rows of text: CSV (UTF-8 with or without a BOM, GB18030/GBK),
XLSX, JSON or YAML in the data folder's layout, within limits of size and rows.

Nothing here knows what a figure or a project is: the rows come out keyed by field name (Chinese
headers translated back), each with the spreadsheet row it came from, for `civic.intake` and
`civic.project_intake` to check; which of them an upload holds is told by its headers.
A file that cannot be read at all raises `Unusable` with a catalogue key, so the message is
shown in the reader's language.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml
from charset_normalizer import from_bytes

from civic.i18n import LANGS, t
from civic.loading import parse_bounded

MAX_BYTES = 10_000_000
MAX_ROWS = 50_000
FORMATS = ("csv", "xlsx", "json", "yaml", "yml")


class Unusable(Exception):
    """The file as a whole cannot be read; `key` and `values` name why, in the catalogue."""

    def __init__(self, key: str, **values: object):
        self.key = key
        self.values = values
        super().__init__(t(key, "en", **values))

    def message(self, lang: str) -> str:
        return t(self.key, lang, **self.values)


@dataclass(frozen=True)
class Limits:
    max_bytes: int = MAX_BYTES
    max_rows: int = MAX_ROWS


@dataclass
class Sheet:
    """Rows of one upload: field name → text, with the row number a spreadsheet shows."""

    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


def header_names(columns: tuple[str, ...]) -> dict[str, str]:
    """Every accepted spelling of a header (the field name, its translation) → the field."""
    names = {}
    for column in columns:
        names[column.casefold()] = column
        for lang in LANGS:
            names[t(f"column.{column}", lang).strip().casefold()] = column
    return names


def read(name: str, content: bytes, columns: tuple[str, ...], kind: str = "figures",
         limits: Limits = Limits()) -> Sheet:
    """The rows of an upload named `name`; raises `Unusable` when it cannot be read."""
    return read_any(name, content, {kind: columns}, limits)[1]


def read_any(name: str, content: bytes, kinds: Mapping[str, tuple[str, ...]],
             limits: Limits = Limits()) -> tuple[str, Sheet]:
    """Which of `kinds` (name → columns) an upload holds, told by its headers or its data
    layout, and its rows; raises `Unusable` when it cannot be read."""
    suffix = name.rsplit(".", 1)[-1].casefold() if "." in name else ""
    if suffix not in FORMATS:
        raise Unusable("upload.bad_format", name=name, formats=", ".join(FORMATS[:4]))
    if len(content) > limits.max_bytes:
        raise Unusable("upload.too_large", size=len(content), limit=limits.max_bytes)
    if suffix in ("csv", "xlsx"):
        lines = _csv(content) if suffix == "csv" else _xlsx(content)
        kind = _kind_of_header(lines, kinds)
        sheet = Sheet(_rows(lines, kinds[kind]))
    else:
        kind, sheet = _document(content, suffix, kinds)
    if len(sheet.rows) > limits.max_rows:
        raise Unusable("upload.too_many_rows", rows=len(sheet.rows), limit=limits.max_rows)
    return kind, sheet


def _text(content: bytes) -> str:
    """The text of a CSV: UTF-8 (a BOM dropped), else the encoding the bytes are in."""
    if b"\x00" in content[:4096]:
        raise Unusable("upload.binary")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    # What Excel and WPS write in China (GB18030 holds GBK and GB2312); bytes that do not read
    # as text in it are not a table.
    best = from_bytes(content, cp_isolation=["gb18030"]).best()
    if best is None:
        raise Unusable("upload.binary")
    return str(best)


def _named(header: list[Any], columns: tuple[str, ...]) -> list[str]:
    names = header_names(columns)
    fields = []
    unknown = []
    for cell in header:
        text = "" if cell is None else str(cell).strip()
        if not text:
            fields.append("")
            continue
        found = names.get(text.casefold())
        if found is None:
            unknown.append(text[:40])
        fields.append(found or "")
    if unknown:
        raise Unusable("upload.unknown_columns", columns=", ".join(unknown),
                       known=", ".join(columns))
    if not any(fields):
        raise Unusable("upload.no_header", known=", ".join(columns))
    return fields


def _rows(lines: list[list[Any]], columns: tuple[str, ...]) -> list[tuple[int, dict[str, Any]]]:
    fields = _named(lines[0], columns)
    found = []
    for number, line in enumerate(lines[1:], start=2):
        cells = {f: ("" if v is None else str(v).strip())
                 for f, v in zip(fields, line) if f}
        if any(cells.values()):
            found.append((number, cells))
    return found


def _kind_of_header(lines: list[list[Any]], kinds: Mapping[str, tuple[str, ...]]) -> str:
    if not lines:
        raise Unusable("upload.empty")
    return _best_kind([c for c in lines[0] if c is not None], kinds)


def _best_kind(headers: list[Any], kinds: Mapping[str, tuple[str, ...]]) -> str:
    """The kind whose columns name the most of `headers` (all of them, or `_named` says which
    are unknown); the first kind on a tie."""
    cells = {str(c).strip().casefold() for c in headers}
    return max(kinds, key=lambda kind: len(cells & set(header_names(kinds[kind]))))


def _csv(content: bytes) -> list[list[Any]]:
    reader = csv.reader(io.StringIO(_text(content)))
    try:
        return list(reader)
    except csv.Error as error:
        raise Unusable("upload.bad_csv", line=reader.line_num, reason=str(error)) from None


def _xlsx(content: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    if not zipfile.is_zipfile(io.BytesIO(content)):
        raise Unusable("upload.not_xlsx")
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        lines = [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    except Exception as error:  # noqa: BLE001 - any broken workbook is unusable, not a crash
        raise Unusable("upload.bad_xlsx", reason=type(error).__name__) from None
    for line in lines[1:]:  # dates as the data files write them
        for i, value in enumerate(line):
            if hasattr(value, "isoformat"):
                line[i] = value.date().isoformat() if hasattr(value, "date") else value.isoformat()
    return lines


def _document(content: bytes, suffix: str,
              kinds: Mapping[str, tuple[str, ...]]) -> tuple[str, Sheet]:
    """JSON or YAML: a list of rows, or the data layout (`figures: [...]`, `projects: [...]`,
    `defaults:`, a program file's `program:`), nested texts and milestones spread into columns."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Unusable("upload.binary") from None
    try:
        document = json.loads(text) if suffix == "json" else parse_bounded(text)
    except json.JSONDecodeError as error:
        raise Unusable("upload.bad_json", line=error.lineno, column=error.colno,
                       reason=error.msg[:200]) from None
    except yaml.MarkedYAMLError as error:
        if error.problem_mark is None:
            raise Unusable("upload.bad_document", reason=str(error)[:200]) from None
        raise Unusable("upload.bad_yaml", line=error.problem_mark.line + 1,
                       column=error.problem_mark.column + 1,
                       reason=(error.problem or "")[:200]) from None
    except (ValueError, yaml.YAMLError, RecursionError) as error:
        raise Unusable("upload.bad_document", reason=str(error)[:200]) from None
    defaults: dict[str, Any] = {}
    kind = next(iter(kinds))
    if isinstance(document, dict):
        held = [k for k in kinds if k in document]
        if len(held) > 1:
            raise Unusable("upload.two_kinds", kinds=", ".join(held))
        kind = next(iter(held), kind)
        defaults = document.get("defaults") or {}
        program = document.get("program")
        if isinstance(program, dict) and isinstance(defaults, dict) and "id" in program:
            defaults = {"program": program["id"], **defaults}
        document = document.get(kind)
    elif isinstance(document, list) and len(kinds) > 1:
        first = next((r for r in document if isinstance(r, dict)), {})
        kind = _best_kind(list(_spread(first)[0]), kinds)
    if not isinstance(document, list) or not isinstance(defaults, dict):
        raise Unusable("upload.bad_layout", kind=" / ".join(kinds))
    names = header_names(kinds[kind])
    found = []
    for number, raw in enumerate(document, start=1):
        if not isinstance(raw, dict):
            found.append((number, {"": raw}))
            continue
        # The upload cites its own source, which replaces any the file names.
        record = {k: v for k, v in {**defaults, **raw}.items() if k != "source"}
        for spread in _spread(record):
            cells = {}
            for name, value in spread.items():
                column = names.get(str(name).casefold())
                if column is None:
                    raise Unusable("upload.unknown_columns", columns=str(name)[:40],
                                   known=", ".join(kinds[kind]))
                cells[column] = "" if value is None else str(value).strip()
            found.append((number, cells))
    return kind, Sheet(found)


def _spread(record: dict[str, Any]) -> list[dict[str, Any]]:
    """A record as rows of a table: `{zh, en}` texts as `name_zh`, `name_en`; each milestone
    of a project a row of its own, carrying the project's columns."""
    flat: dict[str, Any] = {}
    milestones = record.get("milestones")
    for name, value in record.items():
        if name == "milestones" and isinstance(value, list):
            continue
        if isinstance(value, dict) and value and set(value) <= {"zh", "en"}:
            flat[f"{name}_zh"], flat[f"{name}_en"] = value.get("zh"), value.get("en")
        else:
            flat[name] = value
    if not isinstance(milestones, list):
        return [flat]
    spread = []
    for milestone in milestones or [{}]:
        row = dict(flat)
        if isinstance(milestone, dict):
            label = milestone.get("label")
            label = label if isinstance(label, dict) else {"zh": label}
            row.update({"milestone_period": milestone.get("period"),
                        "milestone_zh": label.get("zh"), "milestone_en": label.get("en"),
                        "milestone_status": milestone.get("status")})
            row.update({f"milestone_{k}": v for k, v in milestone.items()
                        if k not in ("period", "label", "status")})
        else:
            row["milestone_period"] = milestone
        spread.append(row)
    return spread
