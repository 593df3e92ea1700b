"""Tables as files: CSV with a BOM and formula text escaped, XLSX with typed cells, units in
the headers, a sheet of sources and of each metric's reports over time."""

from __future__ import annotations

import io
import re

import pandas as pd

from civic import tables
from civic.charts import text_width
from civic.i18n import DEFAULT_LANG, t
from civic.text import csv_safe
from civic.view import View


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with a BOM, so that Excel on Windows opens Chinese text correctly; text that starts
    like a formula is escaped (`civic.text.csv_safe`)."""
    return csv_safe(frame).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def figures_xlsx(view: View) -> bytes:
    """Every figure of the view with its change and its sources: the data page's table as a
    workbook, with a sheet of each metric's reports over time where there are such."""
    histories = tables.histories(view)
    more = [(t("history.header", view.lang), histories)] if len(histories) else []
    return xlsx_bytes(tables.figures(view), tables.sources(view),
                      t("sources.figures_header", view.lang), lang=view.lang, more=more)


def _sheet_title(text: str) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\."""
    return re.sub(r"[\[\]:*?/\\]", " ", text).strip()[:31] or "Sheet1"


def xlsx_bytes(frame: pd.DataFrame, sources_frame: pd.DataFrame, sheet_name: str,
               lang: str = DEFAULT_LANG,
               more: list[tuple[str, pd.DataFrame]] | None = None) -> bytes:
    """A workbook of the table (typed numbers, units in the headers), any `more` sheets
    (title, table), and a sheet of its sources.

    Text cells are typed as text and stored as they are: a spreadsheet never runs them, so no
    apostrophe is added.
    """
    data_title = _sheet_title(sheet_name)
    sources_title = _sheet_title(t("export.sources_sheet", lang))
    if sources_title.casefold() == data_title.casefold():
        sources_title = _sheet_title(f"{sources_title[:27]} (2)")
    from openpyxl.utils import get_column_letter  # here: a page opens faster without it

    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        extra = [(_sheet_title(title), part) for title, part in more or []]
        for title, part in ((data_title, frame), *extra, (sources_title, sources_frame)):
            part.to_excel(writer, sheet_name=title, index=False)
            sheet = writer.sheets[title]
            for row in sheet.iter_rows():
                for cell in row:  # openpyxl reads text starting with "=" as a formula
                    if cell.data_type == "f":
                        cell.data_type = "s"
            sheet.freeze_panes = "A2"
            for index, (header, column) in enumerate(part.items(), start=1):
                longest = max([text_width(str(header))]
                              + [text_width(str(v)) for v in column.head(200) if pd.notna(v)])
                sheet.column_dimensions[get_column_letter(index)].width = min(60, longest * 2 + 2)
    return buffer.getvalue()
