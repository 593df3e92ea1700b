"""An uploaded file read into rows of text: CSV (UTF-8 with or without a BOM, GB18030/GBK),
XLSX, JSON or YAML in the data folder's layout, within limits of size and rows.

Nothing here knows what a figure is: the rows come out keyed by field name (Chinese headers
translated back), each with the spreadsheet row it came from, for `civic.intake` to check.
A file that cannot be read at all raises `Unusable` with a catalogue key, so the message is
shown in the reader's language.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
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
    suffix = name.rsplit(".", 1)[-1].casefold() if "." in name else ""
    if suffix not in FORMATS:
        raise Unusable("upload.bad_format", name=name, formats=", ".join(FORMATS[:4]))
    if len(content) > limits.max_bytes:
        raise Unusable("upload.too_large", size=len(content), limit=limits.max_bytes)
    if suffix == "csv":
        sheet = _csv(content, columns)
    elif suffix == "xlsx":
        sheet = _xlsx(content, columns)
    else:
        sheet = _document(content, suffix, kind, columns)
    if len(sheet.rows) > limits.max_rows:
        raise Unusable("upload.too_many_rows", rows=len(sheet.rows), limit=limits.max_rows)
    return sheet


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
    if not lines:
        raise Unusable("upload.empty")
    fields = _named(lines[0], columns)
    found = []
    for number, line in enumerate(lines[1:], start=2):
        cells = {f: ("" if v is None else str(v).strip())
                 for f, v in zip(fields, line) if f}
        if any(cells.values()):
            found.append((number, cells))
    return found


def _csv(content: bytes, columns: tuple[str, ...]) -> Sheet:
    text = _text(content)
    try:
        lines = list(csv.reader(io.StringIO(text)))
    except csv.Error as error:
        raise Unusable("upload.bad_csv", reason=str(error)) from None
    return Sheet(_rows(lines, columns))


def _xlsx(content: bytes, columns: tuple[str, ...]) -> Sheet:
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
    return Sheet(_rows(lines, columns))


def _document(content: bytes, suffix: str, kind: str, columns: tuple[str, ...]) -> Sheet:
    """JSON or YAML: a list of rows, or the data layout (`figures: [...]`, `defaults:`)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Unusable("upload.binary") from None
    try:
        document = json.loads(text) if suffix == "json" else parse_bounded(text)
    except (ValueError, yaml.YAMLError, RecursionError) as error:
        raise Unusable("upload.bad_document", reason=str(error)[:200]) from None
    defaults: dict[str, Any] = {}
    if isinstance(document, dict):
        defaults = document.get("defaults") or {}
        document = document.get(kind)
    if not isinstance(document, list) or not isinstance(defaults, dict):
        raise Unusable("upload.bad_layout", kind=kind)
    found = []
    for number, raw in enumerate(document, start=1):
        if not isinstance(raw, dict):
            found.append((number, {"": raw}))
            continue
        # The upload cites its own source, which replaces any the file names.
        record = {k: v for k, v in {**defaults, **raw}.items() if k != "source"}
        group = record.pop("group", None)
        if isinstance(group, dict):
            record.setdefault("group_zh", group.get("zh"))
            record.setdefault("group_en", group.get("en"))
        names = header_names(columns)
        cells = {}
        for name, value in record.items():
            column = names.get(str(name).casefold())
            if column is None:
                raise Unusable("upload.unknown_columns", columns=str(name)[:40],
                               known=", ".join(columns))
            cells[column] = "" if value is None else str(value).strip()
        found.append((number, cells))
    return Sheet(found)
