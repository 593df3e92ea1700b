"""Exports of a view: tables as CSV and XLSX, charts as PNG, SVG, PDF and HTML, the whole view
as a briefing PDF or a ZIP.

Everything is built from the same `View`, panels and display tables as the pages, so a file
shows what is on screen. CSV, XLSX and HTML need nothing but Python. Images and PDFs need
Chromium and the CJK fonts; without them they raise `BrowserMissing`, which says what to
install. One warm browser (kaleido's, driven from a thread of ours) renders every image,
started by the first export that needs it. Every export ends by its deadline whatever the
browser does, with `ExportFailed` when the browser crashes or hangs.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import contextlib
import datetime as dt
import functools
import hashlib
import html
import io
import logging
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unicodedata
import zipfile
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import pandas as pd
import plotly.graph_objects as go

from civic import tables
from civic.brief import BRIEF_PAGES, LIMITS, brief_html
from civic.cards import KpiCard
from civic.charts import text_width, wrap
from civic.i18n import DEFAULT_LANG, format_date, labelled, source_line, t
from civic.panels import Panel, all_panels
from civic.text import csv_safe, plotly_lines, plotly_text
from civic.view import View

if TYPE_CHECKING:
    import kaleido

IMAGE_FORMATS = ("png", "svg", "pdf")
MIME = {
    "png": "image/png",
    "svg": "image/svg+xml",
    "pdf": "application/pdf",
    "html": "text/html",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "zip": "application/zip",
}
IMAGE_WIDTH = 1000  # layout pixels of an exported chart
PRINT_WIDTH = 760  # narrower in the briefing, so that its text prints larger on A4
PNG_SCALE = 2  # sharp on slides and high-density screens
# Chromium's PDFs map Noto CJK glyphs back to Kangxi radicals when text is copied (一 → ⼀);
# WenQuanYi Zen Hei keeps copied Chinese right, so PDFs are set in it.
PDF_FONT = "WenQuanYi Zen Hei"
FONT_PACKAGES = {"fonts-noto-cjk": "Noto Sans CJK SC", "fonts-wqy-zenhei": PDF_FONT}
# Seconds: a whole export ends by EXPORT_TIMEOUT (or $CIVIC_EXPORT_TIMEOUT) whatever the browser
# does; within it, starting the browser, one chart and printing the briefing have their own limits.
EXPORT_TIMEOUT = 180.0
TIMEOUT_ENV = "CIVIC_EXPORT_TIMEOUT"
START_TIMEOUT = 30
RENDER_TIMEOUT = 60
PRINT_TIMEOUT = 120
KILL_WAIT = 1  # seconds to wait for a killed browser and for its loop to end
TMP_PREFIX = "civic-export-"
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-pdf-header-footer",
)
P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")
# The browser's libraries log each failure at length, with advice to download a browser; the
# failure reaches the official as one ExportFailed message instead.
for _name in ("choreographer", "kaleido", "browser_proc", "logistro"):
    logging.getLogger(_name).setLevel(logging.CRITICAL)


class BrowserMissing(RuntimeError):
    """Images and PDFs need Chromium and CJK fonts that are not installed."""

    def __init__(self, packages: tuple[str, ...]) -> None:
        self.packages = packages
        super().__init__("PNG, SVG and PDF exports need Chromium and CJK fonts; install them "
                         f"with: sudo apt-get install {' '.join(packages)}")


class ExportFailed(RuntimeError):
    """The browser was there but did not produce the file: `reason` is "crashed" (it exited or
    broke off) or "timeout" (it did not answer in time and was stopped)."""

    def __init__(self, reason: str, detail: str) -> None:
        self.reason = reason
        super().__init__(detail)


def failure_message(error: BrowserMissing | ExportFailed, lang: str) -> str:
    """What went wrong with an export and what to do, in the page's language."""
    if isinstance(error, BrowserMissing):
        return t("export.no_browser", lang, packages=" ".join(error.packages))
    return t(f"export.failed_{error.reason}", lang)


# --- what the machine has ----------------------------------------------------------------------

def chromium_path() -> str | None:
    """The browser kaleido and the briefing use: `BROWSER_PATH` (kaleido's own variable) or
    the system Chromium."""
    for candidate in (os.environ.get("BROWSER_PATH"), "chromium", "chromium-browser",
                      "/usr/bin/chromium"):
        if candidate and (found := shutil.which(candidate)):
            return found
    return None


def _font_families() -> set[str] | None:
    """Installed font family names, or None when fontconfig cannot be asked."""
    try:
        listed = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True,
                                timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return {family.strip() for line in listed.stdout.splitlines() for family in line.split(",")}


@functools.cache
def missing_packages() -> tuple[str, ...]:
    """The Debian packages images and PDFs still need; empty when everything is there.

    Checked once per process: installing them means restarting the dashboard.
    """
    missing = [] if chromium_path() else ["chromium"]
    families = _font_families()
    if families is None:
        missing.append("fontconfig")
        families = set()
    missing += [package for package, family in FONT_PACKAGES.items() if family not in families]
    return tuple(missing)


def browser_available() -> bool:
    return not missing_packages()


def install_hint(lang: str) -> str:
    """What to install for images and PDFs, in the page's language."""
    return t("export.no_browser", lang, packages=" ".join(missing_packages()))


def _require_browser() -> str:
    missing = missing_packages()
    path = chromium_path()
    if missing or path is None:
        raise BrowserMissing(missing or ("chromium",))
    return path


# --- file names ----------------------------------------------------------------------------------

NAMED_DEPARTMENTS = 3  # department ids spelled out in a file name; more are counted


def file_stem(view: View, what: str) -> str:
    """A file name (without extension) that says which view a download holds.

    `what` (briefing, a chart's key, …), the language, the departments or district, category
    and dates chosen, and the data's as-of date are spelled out; a short digest of the filters,
    the figures and the day of export tells apart any two files these leave alike, so two
    different briefings never get the same name.
    """
    chosen = view.filters
    departments = list(chosen.departments[:NAMED_DEPARTMENTS])
    if len(chosen.departments) > NAMED_DEPARTMENTS:
        departments.append(f"{len(chosen.departments) - NAMED_DEPARTMENTS}more")
    dates = [d.isoformat() if d else "" for d in (chosen.date_from, chosen.date_to)]
    parts = [what, view.lang, "+".join(departments) or ("" if chosen.district else "all"),
             chosen.district or "", chosen.category or "",
             "to".join(dates) if any(dates) else "",
             f"asof{view.catalog.as_of.isoformat()}" if view.catalog.as_of else ""]
    digest = hashlib.sha256("\n".join([
        repr(chosen), dt.date.today().isoformat(), view.index.digest,
    ]).encode("utf-8")).hexdigest()[:8]
    stem = "_".join(part for part in [*parts, digest] if part)
    return re.sub(r"[^A-Za-z0-9+._-]", "-", stem)


# --- tables --------------------------------------------------------------------------------------

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


# --- charts --------------------------------------------------------------------------------------

def annotated(panel: Panel, view: View, width: int = IMAGE_WIDTH) -> go.Figure:
    """A copy of the panel's figure carrying its title, unit, filters and sources inside the
    image, so that a pasted chart still says what it shows and where it comes from.

    All of it goes in the title block, anchored to the image's left edge: the only place plotly
    both aligns to the whole image and makes room for, whatever the axes' labels take.
    """
    lang = view.lang
    title_size, detail_size, source_size = 20, 13, 11
    limit = width - 40
    title_lines = wrap(panel.title, limit / title_size)
    details = [t("export.unit", lang, unit=panel.unit)] if panel.unit else []
    details.append(labelled(t("context.label", lang), view.context(), lang))
    detail_lines = [line for d in details for line in wrap(d, limit / detail_size)]
    sources = [source_line(view.catalog.sources[s], lang) for s in panel.sources
               if s in view.catalog.sources]
    label = labelled(t("source.label", lang), "", lang)
    source_lines = [line for s in ([label + sources[0], *sources[1:]] if sources else [])
                    for line in wrap(s, limit / source_size)]
    subtitle = [plotly_text(line) for line in detail_lines] + [
        f'<span style="font-size:{source_size}px;color:#666">{plotly_text(line)}</span>'
        for line in source_lines]

    figure = go.Figure(panel.figure)
    layout = figure.layout
    top = int(46 + title_size * 1.3 * len(title_lines) + detail_size * 1.3 * len(subtitle))
    figure.update_layout(
        title={"text": plotly_lines(title_lines), "font": {"size": title_size},
               "subtitle": {"text": "<br>".join(subtitle),
                            "font": {"size": detail_size, "color": "#444"}},
               "x": 0, "xref": "container", "xanchor": "left", "pad": {"l": 20, "t": 16},
               "y": 1, "yref": "container", "yanchor": "top"},
        width=width, height=(layout.height or 450) - (layout.margin.t or 0) + top,
        margin={"t": top},
    )
    return figure


def _for_print(figure: go.Figure) -> go.Figure:
    """The figure set in the PDF font, so that text copied out of a PDF is right."""
    figure.update_layout(font_family=f"{PDF_FONT}, Noto Sans CJK SC, sans-serif")
    return figure


# --- the browser ----------------------------------------------------------------------------------

def export_timeout() -> float:
    """Seconds an export may take in all, whatever the browser does (`CIVIC_EXPORT_TIMEOUT`)."""
    try:
        return max(1.0, float(os.environ.get(TIMEOUT_ENV, "")))
    except ValueError:
        return EXPORT_TIMEOUT


_deadline = threading.local()


@contextlib.contextmanager
def _export_deadline() -> Iterator[None]:
    """Every step of one export shares one deadline; a nested export keeps the outer one."""
    if getattr(_deadline, "until", None) is not None:
        yield
        return
    _deadline.until = time.monotonic() + export_timeout()
    try:
        yield
    finally:
        _deadline.until = None


def _within(step: float) -> float:
    """Seconds a step may take: its own limit, or less where the export's deadline is nearer."""
    until = getattr(_deadline, "until", None)
    left = step if until is None else min(step, until - time.monotonic())
    if left <= 0:
        raise ExportFailed("timeout", "the export ran out of time")
    return left


def _bounded(build: Callable[P, R]) -> Callable[P, R]:
    @functools.wraps(build)
    def within_deadline(*args: P.args, **kwargs: P.kwargs) -> R:
        with _export_deadline():
            return build(*args, **kwargs)
    return within_deadline


def _folder() -> Path:
    """A temporary folder named after this process, so that one a killed process left behind is
    recognised and removed by the next export."""
    tmp = Path(tempfile.gettempdir())
    for stale in tmp.glob(f"{TMP_PREFIX}*"):
        pid = stale.name.removeprefix(TMP_PREFIX).split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(stale, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=f"{TMP_PREFIX}{os.getpid()}-", dir=tmp))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _kill_group(process: subprocess.Popen | None) -> None:  # type: ignore[type-arg]
    """SIGKILL to the browser's whole process group (it runs in a session of its own)."""
    if process is None:
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=KILL_WAIT)


class _Browser:
    """One warm kaleido browser on an event loop of its own thread.

    kaleido's own sync server waits for ever on a browser that hangs, even to close it; here
    every call waits at most until the export's deadline, and `kill` is bounded: the browser's
    process group is killed, the loop stopped and the browser's folder removed.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.folder = _folder()
        self.kaleido: kaleido.Kaleido | None = None
        self.loop = asyncio.new_event_loop()
        # A browser given up on fails the tasks still waiting on it; that is already reported.
        self.loop.set_exception_handler(lambda loop, context: None)
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True,
                                       name="civic-export-browser")
        self.thread.start()

    def _call(self, coroutine: Coroutine[Any, Any, T], seconds: float) -> T:
        future = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        try:
            return future.result(timeout=seconds)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise ExportFailed("timeout", f"the browser {self.path} did not answer within "
                                          f"{seconds:.0f} s and was stopped") from None
        except Exception as error:  # noqa: BLE001 - any browser failure is one ExportFailed
            process = getattr(self.kaleido, "subprocess", None)
            how = "quit" if process is not None and process.poll() is not None else \
                f"broke off ({type(error).__name__})"
            raise ExportFailed("crashed", f"the browser {self.path} {how} before the image "
                                          "was made") from None

    def open(self) -> None:
        import kaleido  # here: a page opens faster without it, and most runs export nothing
        from kaleido import PageGenerator

        index = self.folder / "index.html"
        index.write_text(PageGenerator(mathjax=False).generate_index(), encoding="utf-8")

        async def start() -> None:
            self.kaleido = kaleido.Kaleido(n=1, timeout=None, page_generator=index,
                                           path=self.path, tmp_dir=str(self.folder))
            await self.kaleido.open()

        self._call(start(), _within(START_TIMEOUT))

    def alive(self) -> bool:
        process = getattr(self.kaleido, "subprocess", None)
        return self.thread.is_alive() and process is not None and process.poll() is None

    def render(self, spec: dict[str, Any], opts: dict[str, Any]) -> bytes:
        assert self.kaleido is not None
        return self._call(self.kaleido.calc_fig(spec, opts=opts), _within(RENDER_TIMEOUT))

    def kill(self) -> None:
        _kill_group(getattr(self.kaleido, "subprocess", None))
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=KILL_WAIT)
        shutil.rmtree(self.folder, ignore_errors=True)


_render_lock = threading.Lock()
_browser: _Browser | None = None


def _lock() -> None:
    if not _render_lock.acquire(timeout=_within(RENDER_TIMEOUT + START_TIMEOUT)):
        raise ExportFailed("timeout", "the browser was busy with other exports for too long")


def _render(figure: go.Figure, fmt: str, scale: float = 1) -> bytes:
    """One static image from the warm browser, which the first image export starts."""
    global _browser  # noqa: PLW0603 - the one browser of the process
    path = _require_browser()
    spec = figure.to_dict()
    opts = {"format": fmt, "width": figure.layout.width, "height": figure.layout.height,
            "scale": scale}
    _lock()  # the browser serves one caller at a time
    try:
        if _browser is not None and not _browser.alive():
            _browser.kill()  # a browser that died is replaced
            _browser = None
        if _browser is None:
            _browser = _Browser(path)
            _browser.open()
        return _browser.render(spec, opts)
    except ExportFailed:
        if _browser is not None:
            _browser.kill()  # the next export starts afresh
            _browser = None
        raise
    finally:
        _render_lock.release()


def stop_browser() -> None:
    """Ends the warm browser, if any (bounded); run at exit."""
    global _browser  # noqa: PLW0603
    if _browser is not None:
        _browser.kill()
        _browser = None


atexit.register(stop_browser)


@_bounded
def chart_image(panel: Panel, view: View, fmt: str) -> bytes:
    """The annotated chart as PNG (at twice its layout size), SVG or PDF."""
    if fmt not in IMAGE_FORMATS:
        raise ValueError(f"unknown image format {fmt!r}; one of {', '.join(IMAGE_FORMATS)}")
    figure = annotated(panel, view)
    if fmt == "pdf":
        _for_print(figure)
    return _render(figure, fmt, PNG_SCALE if fmt == "png" else 1)


def chart_html(panel: Panel, view: View) -> bytes:
    """A self-contained interactive page: plotly.js is embedded, nothing is fetched."""
    figure = annotated(panel, view)
    body = figure.to_html(full_html=False, include_plotlyjs=True, include_mathjax=False,
                          config={"displaylogo": False, "toImageButtonOptions": {
                              "format": "png", "scale": PNG_SCALE, "filename": panel.key}})
    title = html.escape(f"{panel.title} · {view.context()}")
    page = (f'<!DOCTYPE html>\n<html lang="{_html_lang(view.lang)}">\n<head>\n'
            f'<meta charset="utf-8">\n<title>{title}</title>\n</head>\n'
            f'<body style="margin:16px">\n{body}\n</body>\n</html>\n')
    return page.encode("utf-8")


def _html_lang(lang: str) -> str:
    return "zh-CN" if lang == "zh" else "en"


# --- the briefing --------------------------------------------------------------------------------

BRIEFING_CSS = """
@page { size: A4; margin: 16mm 15mm 18mm;
  @bottom-right { content: counter(page) " / " counter(pages); font-size: 8pt; color: #666; } }
body { font-family: "PDF_FONT", sans-serif; font-size: 10pt; line-height: 1.45;
  color: #1a1a1a; margin: 0; }
h1 { font-size: 26pt; margin: 0 0 5mm; }
h2 { font-size: 15pt; margin: 0 0 4mm; padding-bottom: 1.5mm; border-bottom: 1.5pt solid #0072B2; }
h3 { font-size: 12pt; margin: 0 0 1mm; }
.cover { padding-top: 12mm; }
.kicker { color: #0072B2; font-size: 12pt; margin: 0 0 2mm; }
.facts { margin: 0 0 7mm; color: #444; font-size: 9pt; }
.facts p { margin: 0 0 1mm; }
.results { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 3mm;
  margin: 0 0 6mm; }
.result { border: 0.75pt solid #bbb; border-radius: 2mm; padding: 2.5mm 3mm; break-inside: avoid; }
.result h3 { font-size: 10.5pt; margin: 0 0 0.5mm; }
.result .meta { margin: 0 0 1.5mm; }
.kpi { display: flex; justify-content: space-between; gap: 3mm; align-items: baseline;
  border-top: 0.5pt solid #e3e3e3; padding: 1mm 0 0.6mm; }
.kpi .label { font-size: 8.5pt; color: #444; }
.kpi .value { font-size: 11pt; font-weight: bold; text-align: right; word-break: keep-all;
  white-space: nowrap; }
.kpi .when { white-space: nowrap; }
.note { font-size: 8.5pt; color: #444; }
.page { break-before: page; }
.program { margin: 0 0 7mm; break-inside: avoid; }
.meta { color: #555; font-size: 8.5pt; margin: 0 0 2mm; }
table { width: 100%; border-collapse: collapse; font-size: 8.5pt; table-layout: fixed; }
th, td { text-align: left; vertical-align: top; padding: 1.2mm 1.5mm;
  border-bottom: 0.5pt solid #ccc; word-break: keep-all; overflow-wrap: anywhere; }
th { background: #eef3f8; }
tr { break-inside: avoid; }
td.value { font-weight: bold; font-size: 10pt; }
td.basis { white-space: nowrap; }
.derived { color: #8a5a00; }
.status { font-weight: normal; font-size: 8pt; color: #444; }
.provenance { color: #444; font-size: 8pt; }
.source { border-bottom: 0.5pt solid #ccc; padding: 1.5mm 0; break-inside: avoid; }
.source .title { font-weight: bold; margin: 0 0 0.5mm; }
.source .fields { font-size: 8.5pt; color: #333; margin: 0; }
.source .field { display: inline-block; margin-right: 4mm; white-space: nowrap; }
figure { margin: 0 0 6mm; break-inside: avoid; }
figure svg { display: block; width: 100%; height: auto; max-height: 245mm; }
""".replace("PDF_FONT", PDF_FONT)


def _esc(text: object) -> str:
    return html.escape(str(text))


def _plain(text: str) -> str:
    """Without pictographs (✅ ⚠️): the PDF has no emoji font to draw them."""
    return "".join(c for c in text
                   if unicodedata.category(c) != "So" and not 0xFE00 <= ord(c) <= 0xFE0F).strip()


def _kpi_table(cards: list[KpiCard], lang: str) -> str:
    columns = (("col.metric", 20), ("col.value", 24), ("col.basis", 10), ("export.provenance", 46))
    widths = "".join(f'<col style="width:{share}%">' for _, share in columns)
    head = "".join(f"<th>{_esc(t(key, lang))}</th>" for key, _ in columns)
    rows = []
    for card in cards:
        basis = t("basis.derived" if card.derived else "basis.reported", lang)
        moved = card.movement
        change = f"{moved.change} · {moved.change_note}" if moved.change else ""
        status = "".join(f'<div class="status">{_esc(_plain(note))}</div>'
                         for note in (card.period, change, card.status_text,
                                      moved.progress_text) if note)
        rows.append(
            f'<tr><td>{_esc(card.label)}</td><td class="value">{_esc(card.value)}{status}</td>'
            f'<td class="basis{" derived" if card.derived else ""}">{_esc(basis)}</td>'
            f'<td class="provenance">{_esc(card.provenance)}</td></tr>')
    return (f"<table><colgroup>{widths}</colgroup><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")


def _results(view: View, programs: list[str]) -> str:
    """Each program with its headline figures, each with its period and change since the
    previous report: what the cover leads with. A program without headline figures (a case
    told in words) is left to the pages after."""
    lang = view.lang
    blocks = []
    for program_id in programs:
        program = view.catalog.programs[program_id]
        cards = view.cards(program_id, program.headline)
        if not cards:
            continue
        kpis = "".join(
            f'<div class="kpi"><span class="label">{_esc(card.label)}'
            f'{_esc(" · " + t("basis.derived", lang)) if card.derived else ""}'
            f' <span class="status when">{_esc(card.period)}</span>'
            + (f' <span class="status">· {_esc(card.movement.change)}</span>'
               if card.movement.change else "") + "</span>"
            f'<span class="value">{_esc(card.value)}</span></div>'
            for card in cards)
        blocks.append(f'<div class="result"><h3>{_esc(view.program_name(program_id))}</h3>'
                      f'<p class="meta">{_esc(t(f"category.{program.category}", lang))}</p>'
                      f"{kpis}</div>")
    return (f'<h2>{_esc(t("export.results", lang))}</h2>'
            f'<div class="results">{"".join(blocks)}</div>')


def _cover(view: View, programs: list[str]) -> str:
    lang = view.lang
    as_of = view.as_of
    body = _results(view, programs) if programs else f'<p>{_esc(t("empty.message", lang))}</p>'
    return (
        '<section class="cover">'
        f'<p class="kicker">{_esc(t("app.title", lang))}</p>'
        f'<h1>{_esc(t("export.briefing_title", lang))}</h1>'
        '<div class="facts">'
        f'<p>{_esc(labelled(t("context.label", lang), view.context(), lang))}</p>'
        f'<p>{_esc(t("app.as_of", lang, date=format_date(as_of, lang)))} · '
        f'{_esc(t("export.exported", lang, date=format_date(dt.date.today(), lang)))}</p>'
        '</div>'
        f'{body}</section>')


def _programs(view: View, programs: list[str]) -> str:
    lang = view.lang
    blocks = []
    investment = view.programs_in("investment")
    if len(investment) > 1:  # the projects page's totals, as on screen
        blocks.append(f'<div class="program"><h3>{_esc(t("page.projects", lang))}</h3>'
                      f'{_kpi_table(view.project_cards(investment), lang)}</div>')
    for program_id in programs:
        program = view.catalog.programs[program_id]
        metrics = view.program_metrics(program_id)
        cards = view.cards(program_id, metrics) + view.group_cards(program_id, metrics)
        if program.category == "social_assistance":  # the counts the relief page shows
            cards += [c for c in view.relief_cards(program_id) if c.metric not in metrics]
        meta = " · ".join([t(f"category.{program.category}", lang),
                           labelled(t("overview.lead", lang), view.department_name(program.lead),
                                    lang)])
        status = "".join(f"<p><b>{_esc(view.advisory_status(a))}</b></p>"
                         for a in view.advisories(program_id))
        table = _kpi_table(cards, lang) if cards else ""
        blocks.append(f'<div class="program"><h3>{_esc(view.program_name(program_id))}</h3>'
                      f'<p class="meta">{_esc(meta)}</p>{status}{table}</div>')
    return (f'<section class="page"><h2>{_esc(t("export.kpi_header", lang))}</h2>'
            f'<p class="note">{_esc(t("export.how_to_read", lang))}</p>'
            f'{"".join(blocks)}</section>')


def _scalable(svg: str, width: int, height: int) -> str:
    """An SVG that scales to the page width: plotly's has a size but no viewBox."""
    return re.sub(r"<svg\b", f'<svg viewBox="0 0 {width} {height}"', svg, count=1)


def _charts(view: View) -> str:
    figures = []
    for panel in all_panels(view):
        figure = _for_print(annotated(panel, view, PRINT_WIDTH))
        svg = _render(figure, "svg").decode("utf-8")
        figures.append(f"<figure>{_scalable(svg, figure.layout.width, figure.layout.height)}"
                       "</figure>")
    if not figures:
        return ""
    return (f'<section class="page"><h2>{_esc(t("export.charts_header", view.lang))}</h2>'
            f'{"".join(figures)}</section>')


def _sources(view: View) -> str:
    """The source articles stacked, one block each: the title on its line, then the other
    columns as `label: value`, never broken inside a date or a name, so that the list fits
    A4 in either language however long a department's name is."""
    lang = view.lang
    title = t("col.title", lang)
    entries = []
    for row in tables.sources(view).to_dict("records"):
        fields = "".join(f'<span class="field">{_esc(labelled(str(k), str(v), lang))}</span>'
                         for k, v in row.items() if k != title and str(v).strip())
        entries.append(f'<div class="source"><p class="title">{_esc(row.get(title, ""))}</p>'
                       f'<p class="fields">{fields}</p></div>')
    return (f'<section class="page"><h2>{_esc(t("sources.sources_header", lang))}</h2>'
            f'{"".join(entries)}'
            f'<p class="note">{_esc(t("export.how_to_read", lang))}</p></section>')


def briefing_html(view: View) -> str:
    """The briefing as one HTML document: every data string escaped, charts inline as SVG."""
    programs = [p for p in view.program_ids if view.has(p)]
    sections = [_cover(view, programs)]
    if programs:
        sections += [_programs(view, programs), _charts(view)]
    sections.append(_sources(view))
    title = _esc(f"{t('export.briefing_title', view.lang)} · {view.context()}")
    return (f'<!DOCTYPE html>\n<html lang="{_html_lang(view.lang)}"><head><meta charset="utf-8">'
            f"<title>{title}</title><style>{BRIEFING_CSS}</style></head>"
            f"<body>{''.join(sections)}</body></html>\n")


def _print_pdf(document: str) -> bytes:
    """Prints an HTML document to PDF with headless Chromium (A4, as its CSS says)."""
    browser = _require_browser()
    tmp = _folder()
    try:
        source, target = Path(tmp, "document.html"), Path(tmp, "document.pdf")
        source.write_text(document, encoding="utf-8")
        command = [browser, *CHROMIUM_FLAGS, f"--user-data-dir={Path(tmp, 'profile')}",
                   f"--print-to-pdf={target}", source.as_uri()]
        # A session of its own, so that a timeout ends Chromium's helper processes too.
        seconds = _within(PRINT_TIMEOUT)
        with subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True) as process:
            try:
                process.wait(timeout=seconds)
            except subprocess.TimeoutExpired:
                raise ExportFailed("timeout", f"the browser {browser} did not print within "
                                              f"{seconds:.0f} s and was stopped") from None
            finally:
                _kill_group(process)  # helpers it left running
        if not target.is_file() or target.stat().st_size == 0:
            raise ExportFailed("crashed", f"the browser {browser} exited with code "
                                          f"{process.returncode} without printing")
        return target.read_bytes()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@_bounded
def briefing_pdf(view: View) -> bytes:
    """A paginated A4 PDF of the view in its language: cover, KPIs, charts, sources."""
    _require_browser()
    return _print_pdf(briefing_html(view))


def pdf_pages(document: bytes) -> int:
    """How many pages a PDF has."""
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(document)).pages)


@_bounded
def brief_pdf(view: View) -> bytes:
    """The leader's brief of the view in its language: at most two A4 pages (`civic.brief`),
    printed with the fullest lists that fit."""
    _require_browser()
    for limits in LIMITS:
        document = _print_pdf(brief_html(view, limits))
        if pdf_pages(document) <= BRIEF_PAGES:
            break
    return document


@_bounded
def zip_bytes(view: View) -> bytes:
    """Every chart of the view as PNG and SVG, with the figures table as XLSX."""
    _require_browser()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for number, panel in enumerate(all_panels(view), start=1):
            for fmt in ("png", "svg"):
                archive.writestr(f"{number:02d}_{panel.key}.{fmt}", chart_image(panel, view, fmt))
        archive.writestr("figures.xlsx", figures_xlsx(view))
    return buffer.getvalue()
