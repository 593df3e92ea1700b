"""Upload templates for figures and projects: headers in the reader's language, an example row,
and (XLSX) a sheet explaining every column with the programs, metrics, departments, districts
and units allowed."""

from __future__ import annotations

import csv
import io

from civic.i18n import t
from civic.intake import FIGURE_COLUMNS
from civic.models import Dataset
from civic.project_intake import PROJECT_COLUMNS
from civic.quantities import UNITS
from civic.text import csv_cell

KINDS = {"figures": FIGURE_COLUMNS, "projects": PROJECT_COLUMNS}


def example(kind: str, dataset: Dataset, lang: str) -> list[str]:
    """A row the data allows: a stored figure as its file writes it, or a made-up project."""
    if kind == "figures":
        figure = next(f for f in dataset.figures if f.group is None and f.locator)
        return [figure.program, figure.metric, figure.text, figure.period.text,
                figure.department, "", "", figure.locator, t("template.example_note", lang), ""]
    program = dataset.programs[0]
    district = dataset.districts[0].id
    return ["example_project", program.id, "示例项目", "Example project", "示例公司",
            "Example Co.", "", "", district, "示例园区", "Example park", "示例产品", "Example product",
            "2024-06", "开工", "Construction starts", "planned"]


def _allowed(dataset: Dataset, lang: str) -> dict[str, list[tuple[str, str]]]:
    def named(text) -> str:
        return text.zh if lang == "zh" else text.en
    return {
        "programs": [(p.id, named(p.name)) for p in dataset.programs],
        "metrics": [(m.id, f"{named(m.label)} ({m.dimension})") for m in dataset.metrics],
        "departments": [(d.id, named(d.name)) for d in dataset.departments],
        "districts": [(d.id, named(d.name)) for d in dataset.districts],
        "units": [(code, f"{unit.zh} / {unit.en} ({unit.dimension})")
                  for code, unit in UNITS.items()],
    }


def _help(kind: str, column: str, lang: str) -> str:
    """What a column holds; a column both kinds have may mean something else in each."""
    key = f"help.{kind}.{column}"
    found = t(key, lang)
    return t(f"help.{column}", lang) if found == key else found


def csv_bytes(kind: str, dataset: Dataset, lang: str) -> bytes:
    """Header and example row, UTF-8 with a BOM so Excel and WPS open it as Chinese."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_cell(t(f"column.{c}", lang)) for c in KINDS[kind]])
    writer.writerow([csv_cell(v) for v in example(kind, dataset, lang)])
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_bytes(kind: str, dataset: Dataset, lang: str) -> bytes:
    """The template sheet, a sheet explaining each column, and one sheet per list of ids."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = kind
    sheet.append([t(f"column.{c}", lang) for c in KINDS[kind]])
    sheet.append(example(kind, dataset, lang))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    columns = book.create_sheet(t("template.columns_sheet", lang))
    columns.append([t("template.column", lang), t("template.meaning", lang)])
    for column in KINDS[kind]:
        columns.append([t(f"column.{column}", lang), _help(kind, column, lang)])
    for name, entries in _allowed(dataset, lang).items():
        listed = book.create_sheet(t(f"template.{name}", lang))
        listed.append([t("template.id", lang), t("template.name", lang)])
        for entry in entries:
            listed.append(list(entry))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def template(kind: str, fmt: str, dataset: Dataset, lang: str) -> bytes:
    return (csv_bytes if fmt == "csv" else xlsx_bytes)(kind, dataset, lang)
