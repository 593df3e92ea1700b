"""Exports of a view: tables as CSV and XLSX, charts as PNG, SVG, PDF and HTML, the whole view
as a briefing PDF, the leader's brief or a ZIP.

Everything is built from the same `View`, panels and display tables as the pages, so a file
shows what is on screen. CSV, XLSX and HTML need nothing but Python. Images and PDFs need
Chromium and the CJK fonts (`browser`); without them they raise `BrowserMissing`, which says
what to install. Every export ends by its deadline whatever the browser does, with
`ExportFailed` when the browser crashes or hangs.

`files` names them, `tabular` writes tables, `images` charts, `briefing` the briefing and the
brief; the names below are what pages, the command line and deliveries use.
"""

from civic.export import browser
from civic.export.briefing import brief_pdf, briefing_html, briefing_pdf
from civic.export.browser import (
    KILL_WAIT,
    TIMEOUT_ENV,
    TMP_PREFIX,
    BrowserMissing,
    ExportFailed,
    browser_available,
    chromium_path,
    failure_message,
    install_hint,
    missing_packages,
    pdf_pages,
    print_pdf,
    stop_browser,
)
from civic.export.files import MIME, file_stem
from civic.export.images import (
    IMAGE_FORMATS,
    IMAGE_WIDTH,
    PNG_SCALE,
    annotated,
    chart_html,
    chart_image,
    zip_bytes,
)
from civic.export.tabular import csv_bytes, figures_xlsx, xlsx_bytes

__all__ = [
    "IMAGE_FORMATS", "IMAGE_WIDTH", "KILL_WAIT", "MIME", "PNG_SCALE", "TIMEOUT_ENV", "TMP_PREFIX",
    "BrowserMissing", "ExportFailed", "annotated", "brief_pdf", "briefing_html", "briefing_pdf",
    "browser", "browser_available", "chart_html", "chart_image", "chromium_path", "csv_bytes",
    "failure_message", "figures_xlsx", "file_stem", "install_hint", "missing_packages",
    "pdf_pages", "print_pdf", "stop_browser", "xlsx_bytes", "zip_bytes",
]
