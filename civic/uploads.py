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
import tomllib
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from civic import archives
from civic.charsets import decoded
from civic.database import ROOT
from civic.i18n import LANGS, t
from civic.loading import parse_bounded

STREAMLIT_CONFIG = ROOT / ".streamlit" / "config.toml"
SHIPPED_UPLOAD_MB = 10  # what the project's config sets, where that file is absent


def upload_mb() -> int:
    """`server.maxUploadSize` of the project's Streamlit config (MB as Streamlit counts them,
    2**20 bytes): the one place the upload limit is set, so the server's upload endpoint,
    which refuses anything larger before the page sees it, and this reader agree."""
    try:
        config = tomllib.loads(STREAMLIT_CONFIG.read_text("utf-8"))
        return int(config["server"]["maxUploadSize"])
    except (OSError, KeyError, TypeError, ValueError):
        return SHIPPED_UPLOAD_MB


MAX_BYTES = upload_mb() * 2**20
MAX_ROWS = 50_000
MAX_COLUMNS = 64  # the templates have 9 and 17
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
    max_columns: int = MAX_COLUMNS
    max_member: int = archives.MAX_MEMBER  # an XLSX's members, uncompressed
    max_unzipped: int = archives.MAX_TOTAL


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
        lines = _bounded(_csv(content) if suffix == "csv" else _xlsx(content, limits), limits)
        kind = _kind_of_header(lines, kinds)
        sheet = Sheet(_rows(lines, kinds[kind]))
    else:
        kind, sheet = _document(content, suffix, kinds, limits)
    if len(sheet.rows) > limits.max_rows:
        raise Unusable("upload.too_many_rows", rows=len(sheet.rows), limit=limits.max_rows)
    return kind, sheet


def _bounded(lines: Iterable[Sequence[Any]], limits: Limits) -> list[tuple[int, list[Any]]]:
    """The table's rows that hold anything, numbered as a spreadsheet numbers them, read one by
    one and given up as soon as one more row, or a cell right of the last column allowed,
    would pass a limit: nothing is built for what lies beyond."""
    kept: list[tuple[int, list[Any]]] = []
    for number, line in enumerate(lines, start=1):
        if not any(_given(cell) for cell in line):
            continue
        if any(_given(cell) for cell in line[limits.max_columns:]):
            raise Unusable("upload.too_many_columns", row=number, limit=limits.max_columns)
        if len(kept) > limits.max_rows:  # the header and max_rows rows are kept already
            raise Unusable("upload.too_many_rows", rows=len(kept), limit=limits.max_rows)
        kept.append((number, list(line[:limits.max_columns])))
    return kept


def _given(cell: Any) -> bool:
    return cell is not None and cell != ""


def _text(content: bytes) -> str:
    """The text of a CSV: UTF-8, else the encoding the bytes are in (civic/charsets.py); bytes
    that do not read as text are not a table."""
    if (text := decoded(content)) is None:
        raise Unusable("upload.binary")
    return text


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


def _rows(lines: list[tuple[int, list[Any]]],
          columns: tuple[str, ...]) -> list[tuple[int, dict[str, Any]]]:
    """Rows below the first (the header), by field name; the first row that holds anything is
    the header."""
    fields = _named(lines[0][1], columns)
    found = []
    for number, line in lines[1:]:
        cells = {f: ("" if v is None else str(v).strip())
                 for f, v in zip(fields, line) if f}
        if any(cells.values()):
            found.append((number, cells))
    return found


def _kind_of_header(lines: list[tuple[int, list[Any]]],
                    kinds: Mapping[str, tuple[str, ...]]) -> str:
    if not lines:
        raise Unusable("upload.empty")
    return _best_kind([c for c in lines[0][1] if c is not None], kinds)


def _best_kind(headers: list[Any], kinds: Mapping[str, tuple[str, ...]]) -> str:
    """The kind whose columns name the most of `headers` (all of them, or `_named` says which
    are unknown); the first kind on a tie."""
    cells = {str(c).strip().casefold() for c in headers}
    return max(kinds, key=lambda kind: len(cells & set(header_names(kinds[kind]))))


def _csv(content: bytes) -> Iterator[list[str]]:
    reader = csv.reader(io.StringIO(_text(content)))
    try:
        yield from reader
    except csv.Error as error:
        raise Unusable("upload.bad_csv", line=reader.line_num, reason=str(error)) from None


def _xlsx(content: bytes, limits: Limits) -> Iterator[list[Any]]:
    """The first sheet's rows, streamed (openpyxl's read-only mode) after every member of the
    workbook is known to expand within bounds. The sheet's own claim of its size (its
    `<dimension>`, which may say A1:XFD1048576 of a sheet of two rows) is dropped, so rows come
    as the file holds them: a missing row as an empty one, a row as wide as its last cell."""
    from openpyxl import load_workbook

    if not zipfile.is_zipfile(io.BytesIO(content)):
        raise Unusable("upload.not_xlsx")
    try:
        archives.check(io.BytesIO(content), limits.max_member, limits.max_unzipped)
    except archives.TooLarge as error:
        raise Unusable(f"archive.{error.code}", **error.values()) from None
    except Exception as error:  # noqa: BLE001 - any broken workbook is unusable, not a crash
        raise Unusable("upload.bad_xlsx", reason=type(error).__name__) from None
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        sheet.reset_dimensions()
        for row in sheet.iter_rows(values_only=True):
            # dates as the data files write them
            yield [(value.date().isoformat() if hasattr(value, "date") else value.isoformat())
                   if hasattr(value, "isoformat") else value for value in row]
    except Unusable:
        raise
    except Exception as error:  # noqa: BLE001 - any broken workbook is unusable, not a crash
        raise Unusable("upload.bad_xlsx", reason=type(error).__name__) from None


def _document(content: bytes, suffix: str, kinds: Mapping[str, tuple[str, ...]],  # noqa: C901 - one branch per layout
              limits: Limits) -> tuple[str, Sheet]:
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
    if len(document) > limits.max_rows:  # before each record is spread into rows
        raise Unusable("upload.too_many_rows", rows=len(document), limit=limits.max_rows)
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
