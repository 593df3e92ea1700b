"""Exports: charts as PNG, SVG, PDF and HTML; tables as CSV and XLSX; the briefing PDF; the ZIP;
`civic export`; and what still works without a browser.

Tests that render need Chromium and the CJK fonts: they skip with the reason when those are
missing, and fail instead when the environment variable CI is set.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import html
import io
import os
import re
import shutil
import struct
import subprocess
import sys
import time
import uuid
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml
from conftest import missing_requirement
from pypdf import PdfReader

from civic import charts, export, panels, tables
from civic.catalog import Catalog
from civic.cli import main
from civic.filters import Filters
from civic.i18n import CATALOGUE_DIR, format_date, source_line, t
from civic.panels import Panel
from civic.view import View

CHROMIUM = Path("/usr/bin/chromium")
KANGXI = re.compile("[\u2e80-\u2eff\u2f00-\u2fdf]")  # radicals Chromium + Noto CJK copy out
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def browser() -> None:
    """Skips (or under CI fails) a test that renders when Chromium or the fonts are missing."""
    missing = () if CHROMIUM.exists() else ("chromium",)
    missing = tuple(dict.fromkeys(missing + export.missing_packages()))
    if missing:
        reason = (f"image and PDF exports need {', '.join(missing)} "
                  f"(sudo apt-get install {' '.join(missing)})")
        missing_requirement(reason)


@pytest.fixture(scope="module")
def catalog(data_dir: Path) -> Catalog:
    return Catalog.load(data_dir)


@pytest.fixture(scope="module")
def views(catalog: Catalog) -> dict[str, View]:
    return {lang: View(catalog, Filters(lang=lang)) for lang in ("zh", "en")}


def funnel(view: View) -> Panel:
    panel = panels.funnel(view, "leaders_walk")
    assert panel is not None
    return panel


def own_panel(title: str) -> Panel:
    """A panel of our own making, for text that data never holds."""
    import plotly.graph_objects as go

    figure = go.Figure(go.Bar(x=["东区", "西区"], y=[3, 5]))
    figure.update_layout(height=360)
    return Panel("own", title, "个", figure, ("zzrb_20231115_walk",))


@functools.lru_cache(maxsize=4)
def pdf_text(data: bytes) -> tuple[int, str, tuple[str, ...]]:
    """Page count, whole text and text per page of a PDF; read once per PDF, since reading the
    briefing's takes seconds and a dozen tests read each language's."""
    reader = PdfReader(io.BytesIO(data))
    pages = tuple(page.extract_text() for page in reader.pages)
    return len(reader.pages), "\n".join(pages), pages


# --- annotated charts, no browser needed -----------------------------------------------------

def test_annotated_carries_title_unit_context_and_source(views: dict[str, View]) -> None:
    view = views["en"]
    panel = panels.project_money(view)
    figure = export.annotated(panel, view)
    subtitle = figure.layout.title.subtitle.text
    first_source = source_line(view.catalog.sources[panel.sources[0]], "en")
    assert panel.title == figure.layout.title.text
    assert f"Unit: {panel.unit}" in subtitle
    assert f"Current view: {view.context()}" in subtitle
    assert "Source: " + first_source[:40].replace("&", "&amp;") in subtitle
    assert export.IMAGE_WIDTH == figure.layout.width


def test_annotated_leaves_the_page_figure_alone(views: dict[str, View]) -> None:
    view = views["zh"]
    panel = funnel(view)
    before = panel.figure.to_json()
    export.annotated(panel, view)
    assert before == panel.figure.to_json()


def test_annotated_wraps_long_lines_within_the_image(views: dict[str, View]) -> None:
    view = views["zh"]
    title = "这是一个很长的标题,用来检查导出图表时标题会不会超出图片的宽度,超出的部分应当换行显示"
    figure = export.annotated(own_panel(title), view, width=500)
    lines = figure.layout.title.text.split("<br>")
    assert len(lines) > 1
    assert title == "".join(lines)
    assert all(charts.text_width(line) * 20 <= 500 - 40 for line in lines)


def test_annotated_escapes_markup_in_titles(views: dict[str, View]) -> None:
    figure = export.annotated(own_panel("水位<b>警戒</b>线 & 雨量"), views["zh"])
    assert "水位&lt;b&gt;警戒&lt;/b&gt;线 &amp; 雨量" == figure.layout.title.text


# --- static images ---------------------------------------------------------------------------

def test_png_decodes_at_twice_the_layout_size(browser, views: dict[str, View]) -> None:
    from PIL import Image

    view = views["zh"]
    panel = funnel(view)
    data = export.chart_image(panel, view, "png")
    layout = export.annotated(panel, view).layout
    expected = (2 * layout.width, 2 * layout.height)
    assert PNG_SIGNATURE == data[:8]
    assert expected == struct.unpack(">II", data[16:24])  # the IHDR chunk
    image = Image.open(io.BytesIO(data))
    image.load()
    assert expected == image.size
    assert len(image.getcolors(1 << 16) or range(1 << 16)) > 10  # a picture, not a blank


def test_svg_holds_chinese_title_context_and_source(browser, views: dict[str, View]) -> None:
    view = views["zh"]
    panel = funnel(view)
    svg = export.chart_image(panel, view, "svg").decode("utf-8")
    source = view.catalog.sources[panel.sources[0]]
    assert svg.lstrip().startswith("<svg")
    assert panel.title in svg
    assert "三项累计指标" in svg
    assert view.context() in svg
    assert f"《{source.title}》" in svg
    assert "Noto Sans CJK SC" in svg


def test_svg_keeps_markup_in_a_title_as_text(browser, views: dict[str, View]) -> None:
    svg = export.chart_image(own_panel("水位<b>警戒</b>线"), views["zh"], "svg").decode("utf-8")
    assert "<b>警戒" not in svg
    assert "水位<b>警戒</b>线" in html.unescape(svg)


def test_chart_pdf_copies_out_chinese_right(browser, views: dict[str, View]) -> None:
    view = views["zh"]
    pages, text, _ = pdf_text(export.chart_image(funnel(view), view, "pdf"))
    assert 1 == pages
    assert "三项累计指标" in text and "4023人次" in text
    assert [] == KANGXI.findall(text)


def test_one_warm_browser_serves_every_image(browser, views: dict[str, View]) -> None:
    view = views["en"]
    export.chart_image(funnel(view), view, "svg")
    warm = export.browser._browser  # noqa: SLF001
    export.chart_image(funnel(view), view, "png")
    assert warm is export.browser._browser and warm.alive()  # noqa: SLF001


def test_the_warm_browsers_tabs_load_plotly_at_once(browser, views: dict[str, View],
                                                   monkeypatch) -> None:
    """Each tab loads plotly.js (2.5 s here): the warm browser's tabs load it at the same
    time, not one after the other (`_reusing`'s `populate_targets`, over kaleido's own)."""
    import kaleido

    for name in ("populate_targets", "_conform_tabs", "_create_kaleido_tab"):
        assert callable(getattr(kaleido.Kaleido, name, None)), name
    export.stop_browser()
    loads = []
    real = kaleido.Kaleido._conform_tabs

    async def logged(self, tabs=None):
        loads.append("start")
        await real(self, tabs)
        loads.append("end")

    monkeypatch.setattr(kaleido.Kaleido, "_conform_tabs", logged)
    view = views["zh"]
    assert b"4023" in export.chart_image(funnel(view), view, "svg")
    assert ["start"] * export.browser.TABS + ["end"] * export.browser.TABS == loads
    export.stop_browser()


def test_a_tab_renders_image_after_image_and_is_reloaded_in_time(browser,
                                                                  views: dict[str, View],
                                                                  monkeypatch) -> None:
    """The warm browser's tabs are put back without a reload (civic/export/browser.py,
    `_reusing`, which overrides kaleido's private `_return_kaleido_tab`): image after image
    comes out whole, each a fresh render, and every RELOAD_EVERY images a tab is reloaded as
    kaleido would."""
    import kaleido

    assert callable(getattr(kaleido.Kaleido, "_return_kaleido_tab", None))
    monkeypatch.setattr(export.browser, "RELOAD_EVERY", 2)
    export.stop_browser()
    reloads = []
    real = kaleido.Kaleido._return_kaleido_tab

    async def counted(self, tab):
        reloads.append(tab)
        await real(self, tab)

    monkeypatch.setattr(kaleido.Kaleido, "_return_kaleido_tab", counted)
    view = views["zh"]
    images = [export.chart_image(funnel(view), view, "svg") for _ in range(5)]
    assert all(image.startswith(b"<svg") and b"4023" in image for image in images)
    assert len(reloads) == 2  # after the second and the fourth
    export.stop_browser()


def test_a_render_whose_tab_script_fails_is_made_again_in_a_fresh_browser(
        browser, views: dict[str, View]) -> None:
    """A tab whose script fails (here its renderer made to throw, in the real browser) breaks
    the render off; the export is made again once, in a new browser, and the official has the
    image rather than an error. A timeout is not tried again (the deadline is spent)."""
    view = views["zh"]
    assert b"4023" in export.chart_image(funnel(view), view, "svg")  # the warm browser
    warm = export.browser._browser
    assert warm is not None and warm.kaleido is not None and warm.alive()

    async def break_every_tab() -> None:
        for tab in list(warm.kaleido.tabs_ready._queue):
            await tab.tab.send_command("Runtime.evaluate", params={
                "expression": "kaleido_scopes.plotly = () => { throw new Error('broken') }"})

    warm._call(break_every_tab(), 30)
    image = export.chart_image(funnel(view), view, "svg")
    assert image.startswith(b"<svg") and b"4023" in image
    assert export.browser._browser is not warm and not warm.alive()
    export.stop_browser()


def test_unknown_image_format(views: dict[str, View]) -> None:
    with pytest.raises(ValueError, match="unknown image format 'gif'"):
        export.chart_image(funnel(views["zh"]), views["zh"], "gif")


# --- HTML ------------------------------------------------------------------------------------

def test_html_is_self_contained(views: dict[str, View]) -> None:
    view = views["zh"]
    panel = funnel(view)
    page = export.chart_html(panel, view).decode("utf-8")
    scripts = re.findall(r"<script\b[^>]*>", page, re.I)
    assert scripts and not [s for s in scripts if re.search(r"\bsrc\s*=", s, re.I)]
    assert not re.search(r"""<(?:link|img|iframe)\b[^>]*(?:href|src)\s*=\s*["']?(?:https?:)?//""",
                         page, re.I)
    assert "Plotly.newPlot" in page and len(page) > 1_000_000  # plotly.js itself is inside
    assert f"<title>{panel.title} · {view.context()}</title>" in page
    assert '<html lang="zh-CN">' in page


# --- CSV -------------------------------------------------------------------------------------

def own_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "说明": ["=SUM(A1:A9) 看似公式的一句话", "+86 开头的电话号码", "-减号开头的备注",
                 "@某位同事请核对", "\t制表符开头的一行", "\r回车开头的一行", "普通的一句话"],
        "金额 (元)": [-1250.5, 3e8, 0.0, 42.0, -7.0, 1.5, 2e9],
        "件数": [1, 2, 3, 4, 5, 6, 7],
    })


def test_csv_starts_with_bom_and_escapes_formula_text(tmp_path: Path) -> None:
    data = export.csv_bytes(own_frame())
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert ["说明", "金额 (元)", "件数"] == rows[0]
    texts = [row[0] for row in rows[1:]]
    assert ["'=SUM(A1:A9) 看似公式的一句话", "'+86 开头的电话号码", "'-减号开头的备注",
            "'@某位同事请核对", "'\t制表符开头的一行", "'\r回车开头的一行",
            "普通的一句话"] == texts
    assert ["-1250.5", "300000000.0", "0.0", "42.0", "-7.0", "1.5", "2000000000.0"] == [
        row[1] for row in rows[1:]]  # negative numbers stay numbers


def test_csv_of_a_display_table_reads_back(views: dict[str, View]) -> None:
    frame = tables.figures(views["zh"])
    back = pd.read_csv(io.BytesIO(export.csv_bytes(frame)), encoding="utf-8-sig")
    assert list(frame.columns) == list(back.columns)
    assert frame.iloc[:, 4].astype(float).tolist() == back.iloc[:, 4].tolist()
    assert "4023人次" in back.iloc[:, 3].tolist()


# --- XLSX ------------------------------------------------------------------------------------

def test_xlsx_reads_back_equal(views: dict[str, View]) -> None:
    frame = pd.DataFrame({
        "项目": ["第一个示例项目", "第二个示例项目", "第三个示例项目"],
        "投资 (元)": pd.array([1e9, None, 2.5e8], dtype="Float64"),
        "岗位 (人)": [350, 12, 0],
        "备注": ["本行为测试而写", "", "最后一行"],
    })
    data = export.xlsx_bytes(frame, tables.sources(views["zh"]), "示例", lang="zh")
    back = pd.read_excel(io.BytesIO(data), sheet_name="示例", keep_default_na=False,
                         na_values={"投资 (元)": [""]}, dtype_backend="numpy_nullable")
    pd.testing.assert_frame_equal(frame, back, check_dtype=False)


def test_xlsx_types_numbers_and_stores_formula_like_text_as_text(views: dict[str, View]) -> None:
    data = export.xlsx_bytes(own_frame(), tables.sources(views["en"]), "Checks", lang="en")
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert ["Checks", "Sources"] == book.sheetnames
    sheet = book["Checks"]
    # as written (XML itself stores a carriage return as a line feed)
    assert [(text.replace("\r", "\n"), "s") for text in own_frame()["说明"]] == [
        (sheet.cell(row, 1).value.replace("\r", "\n"), sheet.cell(row, 1).data_type)
        for row in range(2, 9)]
    assert not [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    with zipfile.ZipFile(io.BytesIO(data)) as book_zip:
        assert "<f>" not in book_zip.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert (-1250.5, "n") == (sheet["B2"].value, sheet["B2"].data_type)
    assert (1, "n") == (sheet["C2"].value, sheet["C2"].data_type)


def test_xlsx_sources_sheet_lists_the_articles(views: dict[str, View]) -> None:
    view = views["zh"]
    sources = tables.sources(view)
    data = export.xlsx_bytes(tables.figures(view), sources, "全部数据", lang="zh")
    back = pd.read_excel(io.BytesIO(data), sheet_name="来源")
    assert list(sources.columns) == list(back.columns)
    assert sorted(sources.iloc[:, 2]) == sorted(back.iloc[:, 2])


def test_xlsx_sheet_names_follow_excel_rules(views: dict[str, View]) -> None:
    data = export.xlsx_bytes(own_frame(), tables.sources(views["en"]),
                             "Sources: a very long title [for a sheet]?", lang="en")
    names = openpyxl.load_workbook(io.BytesIO(data)).sheetnames
    assert 2 == len(set(names))
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in names)


# --- file names ------------------------------------------------------------------------------

def test_file_names_say_which_view_they_hold(catalog: Catalog) -> None:
    everything = export.file_stem(View(catalog, Filters()), "civic-briefing")
    assert re.fullmatch(r"civic-briefing_zh_all_asof2023-11-15_[0-9a-f]{8}", everything)
    cdc = export.file_stem(View(catalog, Filters(lang="en", departments=("zz_cdc",))), "flu")
    assert cdc.startswith("flu_en_zz_cdc_asof2023-11-15_")
    district = export.file_stem(View(catalog, Filters(district="lusong")), "civic-charts")
    assert district.startswith("civic-charts_zh_lusong_asof")


def test_two_different_briefings_never_share_a_name(catalog: Catalog) -> None:
    """Every view a file could hold gets its own name; the same view, the same name."""
    departments = ["zz_cdc", "zz_drc", "zz_admin_approval", "zz_civil_affairs", "lusong_gov"]
    views = [Filters(lang=lang, departments=tuple(departments[:n]), district=district,
                     category=category, date_from=start, date_to=end)
             for lang in ("zh", "en") for n in (0, 1, 4, 5)
             for district in (None, "lusong") for category in (None, "investment")
             for start, end in [(None, None), (dt.date(2023, 11, 1), None),
                                (None, dt.date(2023, 11, 1)),
                                (dt.date(2023, 11, 1), dt.date(2023, 11, 30))]]
    names = [export.file_stem(View(catalog, f), "civic-briefing") for f in views]
    assert len(set(names)) == len(views)
    assert names[-1] == export.file_stem(View(catalog, views[-1]), "civic-briefing")
    assert all(re.fullmatch(r"[A-Za-z0-9+._-]+", name) for name in names)


# --- the briefing ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def briefings(browser, views: dict[str, View]) -> dict[str, bytes]:
    return {lang: export.briefing_pdf(view) for lang, view in views.items()}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_briefing_pages_are_a4(briefings: dict[str, bytes], lang: str) -> None:
    reader = PdfReader(io.BytesIO(briefings[lang]))
    assert len(reader.pages) >= 3
    for page in reader.pages:
        assert (595, 842) == (round(float(page.mediabox.width)), round(float(page.mediabox.height)))


@pytest.mark.parametrize(("lang", "values"), [
    ("zh", ["4023人次", "639个", "488个", "76.4%"]),
    ("en", ["4,023 person-times", "639", "488", "76.4%"]),
])
def test_briefing_text_holds_the_kpis(briefings: dict[str, bytes], lang: str,
                                      values: list[str]) -> None:
    _, text, _ = pdf_text(briefings[lang])
    for value in values:
        assert value in text
    for number in ("4,?023", "639", "488"):
        assert re.search(rf"(?<![\d,]){number}(?!\d)", text)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_briefing_copies_out_chinese_right(briefings: dict[str, bytes], lang: str) -> None:
    _, text, _ = pdf_text(briefings[lang])
    assert [] == KANGXI.findall(text)
    assert "杨凌霄" in text  # a reporter's name, in Chinese in both languages


def test_briefing_zh_has_the_page_title_exactly(briefings: dict[str, bytes]) -> None:
    _, text, _ = pdf_text(briefings["zh"])
    assert "一把手走流程" in text
    assert "株洲市行政审批服务局" in text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_briefing_cover_and_sources_page(briefings: dict[str, bytes], views: dict[str, View],
                                         lang: str) -> None:
    view = views[lang]
    _, _, pages = pdf_text(briefings[lang])
    cover = pages[0]
    assert view.context() in cover
    assert format_date(view.catalog.as_of, lang) in cover
    assert {"zh": "民生项目指标简报", "en": "Public programs briefing"}[lang] in cover
    header = {"zh": "来源报道", "en": "Source articles"}[lang]
    assert header in pages[-1]
    sources = tables.sources(view)
    assert pages[-1].count({"zh": "株洲日报", "en": "Zhuzhou Daily"}[lang]) == len(sources)
    # No date, name or department broken over lines (2023年/11月/15日, 张/坚/煜).
    lines = pages[-1].splitlines()
    for column in ("edition_date", "reporters", "correspondents", "department"):
        for cell in sources[t(f"col.{column}", lang)]:
            assert not cell or any(cell in line for line in lines), (cell, pages[-1])


@pytest.mark.parametrize(("lang", "results"), [
    ("zh", ["4023人次", "639个", "可达30亿元", "约7公顷", "571期", "14小时"]),
    ("en", ["4,023 person-times", "up to CNY 3 billion", "about 7 ha", "571 sessions"]),
])
def test_briefing_cover_leads_with_results(briefings: dict[str, bytes], lang: str,
                                           results: list[str]) -> None:
    """The programs' headline figures on the cover, not counts of the dashboard's records."""
    _, _, pages = pdf_text(briefings[lang])
    cover = pages[0]
    for value in results:
        assert value in cover
    for count in ("programs", "figures", "sources"):
        assert t(f"count.{count}", lang) not in cover


@pytest.fixture(scope="module")
def poppler() -> None:
    """pdftoppm and pdftotext (poppler-utils, installed by scripts/system-deps.sh)."""
    missing = [tool for tool in ("pdftoppm", "pdftotext") if shutil.which(tool) is None]
    if missing:
        reason = f"{', '.join(missing)} missing (sudo apt-get install poppler-utils)"
        missing_requirement(reason)


MM = 72 / 25.4  # PDF points per millimetre
SIDE_MARGIN = 15 * MM  # the briefing's left and right page margins
FOOT = 18 * MM  # its bottom margin, where the page number stands


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_briefing_text_stays_on_the_page(poppler, briefings: dict[str, bytes], lang: str,
                                         tmp_path: Path) -> None:
    """Every page, rendered by poppler: no ink in the side margins, and no word crossing
    them, which is how a table too wide for A4 shows (Chromium cuts it at the margin)."""
    from PIL import Image

    pdf = tmp_path / "briefing.pdf"
    pdf.write_bytes(briefings[lang])
    pages = len(PdfReader(pdf).pages)
    subprocess.run(["pdftoppm", "-r", "40", "-gray", "-png", str(pdf), str(tmp_path / "page")],
                   check=True, timeout=120)
    images = sorted(tmp_path.glob("page-*.png"))
    assert pages == len(images)
    for number, path in enumerate(images, start=1):
        image = Image.open(path).convert("L")
        strip = round(12 / 25.4 * 40)  # 12 mm of the 15 mm margins, at 40 dpi
        for box in ((0, 0, strip, image.height),
                    (image.width - strip, 0, image.width, image.height)):
            darkest, _ = image.crop(box).getextrema()
            assert darkest > 240, f"ink in the side margin of page {number}: {path}"

    layout = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], check=True,
                            capture_output=True, text=True, timeout=120).stdout
    page_tags = re.findall(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', layout,
                           re.S)
    assert pages == len(page_tags)
    words = 0
    for number, (width, height, body) in enumerate(page_tags, start=1):
        for x0, y0, x1, y1, word in re.findall(
                r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                r"(.*?)</word>", body):
            words += 1
            assert 0 <= float(y0) and float(y1) <= float(height), f"{word!r} off page {number}"
            if float(y0) > float(height) - FOOT:
                continue  # the page number, set in the margin by the page's own box
            # Chromium cuts what overflows the page box: the last glyph drawn crosses its edge.
            assert SIDE_MARGIN - 1 <= float(x0) and float(x1) <= float(width) - SIDE_MARGIN + 1, (
                f"{word!r} on page {number} is cut at the side margin ({x0}–{x1} of {width})")
    assert words > 500


def test_briefing_follows_the_filters(browser, catalog: Catalog) -> None:
    view = View(catalog, Filters(lang="zh", departments=("zz_cdc",)))
    pages, text, _ = pdf_text(export.briefing_pdf(view))
    assert pages >= 3
    assert view.context() in text and "流感" in text
    assert "4023" not in text  # the leaders' walk is not the CDC's


def test_briefing_escapes_data(browser, tmp_data: Path, edit_yaml) -> None:
    edit_yaml(tmp_data / "programs" / "flu_advisory.yaml", lambda c: c["program"].update(
        name={"zh": "流感<script>提示</script> & 接种", "en": "Flu <b>advisory</b>"}))
    view = View(Catalog.load(tmp_data), Filters(lang="zh", departments=("zz_cdc",)))
    document = export.briefing_html(view)
    assert "流感&lt;script&gt;提示&lt;/script&gt; &amp; 接种" in document
    assert "<script>" not in document


# --- ZIP -------------------------------------------------------------------------------------

def test_zip_holds_every_chart_and_the_workbook(browser, catalog: Catalog) -> None:
    view = View(catalog, Filters(lang="en", category="investment"))
    keys = [p.key for p in panels.all_panels(view)]
    archive = zipfile.ZipFile(io.BytesIO(export.zip_bytes(view)))
    names = archive.namelist()
    expected = [f"{i:02d}_{key}.{fmt}" for i, key in enumerate(keys, 1) for fmt in ("png", "svg")]
    assert [*expected, "figures.xlsx"] == names
    assert archive.read(expected[0]).startswith(PNG_SIGNATURE)
    figures = pd.read_excel(io.BytesIO(archive.read("figures.xlsx")), sheet_name="All figures")
    assert len(tables.figures(view)) == len(figures)


# --- without a browser -----------------------------------------------------------------------

@pytest.fixture
def no_browser(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(export.browser, "missing_packages", lambda: ("chromium", "fonts-noto-cjk"))


@pytest.mark.parametrize("build", [
    lambda v: export.chart_image(funnel(v), v, "png"),
    lambda v: export.chart_image(funnel(v), v, "svg"),
    lambda v: export.chart_image(funnel(v), v, "pdf"),
    export.briefing_pdf,
    export.zip_bytes,
], ids=["png", "svg", "pdf", "briefing", "zip"])
def test_without_browser_images_and_pdfs_say_what_to_install(no_browser, views, build) -> None:
    with pytest.raises(export.BrowserMissing, match="apt-get install chromium fonts-noto-cjk"):
        build(views["zh"])


def test_without_browser_html_csv_xlsx_still_work(no_browser, views: dict[str, View]) -> None:
    view = views["zh"]
    assert export.chart_html(funnel(view), view).startswith(b"<!DOCTYPE html>")
    assert export.csv_bytes(tables.figures(view)).startswith(b"\xef\xbb\xbf")
    assert export.figures_xlsx(view).startswith(b"PK")
    assert "chromium fonts-noto-cjk" in export.install_hint("zh")


def test_missing_packages_names_chromium_when_there_is_none(monkeypatch) -> None:
    export.missing_packages.cache_clear()
    monkeypatch.setattr(export.browser, "chromium_path", lambda: None)
    try:
        assert "chromium" in export.missing_packages()
    finally:
        export.missing_packages.cache_clear()


# --- the command line ------------------------------------------------------------------------

def run_export(capsys, store_url: str, *argv: str) -> tuple[int, str, str]:
    code = main(["export", "--database", store_url, *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_cli_writes_tables(capsys, store_url: str, tmp_path: Path, fmt: str) -> None:
    target = tmp_path / f"figures.{fmt}"
    code, out, _ = run_export(capsys, store_url, "--format", fmt, "-o", str(target),
                              "--dept", "zz_admin_approval", "--lang", "en")
    assert 0 == code and str(target) in out
    frame = (pd.read_excel(target) if fmt == "xlsx"
             else pd.read_csv(target, encoding="utf-8-sig"))
    assert {"Department heads walk the process"} == set(frame["Program"])
    assert 4023.0 in frame["Value"].tolist()


@pytest.mark.parametrize("fmt", ["pdf", "zip"])
def test_cli_writes_briefing_and_zip(browser, capsys, store_url: str, tmp_path: Path,
                                     fmt: str) -> None:
    target = tmp_path / f"view.{fmt}"
    code, _, _ = run_export(capsys, store_url, "--format", fmt, "-o", str(target),
                            "--dept", "zz_cdc", "--from", "2023-11-01", "--to", "2023-11-30")
    assert 0 == code
    if fmt == "pdf":
        pages, text, _ = pdf_text(target.read_bytes())
        assert pages >= 3 and "2023年11月1日" in text
    else:
        assert "figures.xlsx" in zipfile.ZipFile(target).namelist()


def test_cli_without_browser_explains(no_browser, capsys, store_url: str, tmp_path: Path) -> None:
    code, _, err = run_export(capsys, store_url, "--format", "pdf", "-o", str(tmp_path / "a.pdf"))
    assert 1 == code and "sudo apt-get install chromium" in err
    assert not (tmp_path / "a.pdf").exists()


@pytest.mark.parametrize(("target", "message"), [
    ("nowhere/x.csv", "does not exist"), (".", "is a folder"),
], ids=["missing_folder", "folder"])
def test_cli_checks_the_output_before_any_work(capsys, monkeypatch, store_url: str,
                                               tmp_path: Path, target: str, message: str) -> None:
    monkeypatch.setattr(Catalog, "read", lambda *a: pytest.fail("read the store before -o"))
    code, _, err = run_export(capsys, store_url, "--format", "pdf", "-o", str(tmp_path / target))
    assert (2, 1) == (code, len(err.splitlines()))
    assert message in err and "Traceback" not in err


@pytest.mark.parametrize(("argv", "message"), [
    (["--dept", "zz_nowhere"], "unknown department 'zz_nowhere'"),
    (["--dept", "zz_cdc", "zz_nowhere"], "unknown department 'zz_nowhere'"),
    (["--district", "atlantis"], "unknown district 'atlantis'"),
    (["--from", "2023-12-01", "--to", "2023-11-01"], "--to 2023-11-01 is before --from"),
], ids=["dept", "second_dept", "district", "range"])
def test_cli_rejects_bad_filters(capsys, store_url: str, tmp_path: Path, argv, message) -> None:
    target = tmp_path / "x.csv"
    code, _, err = run_export(capsys, store_url, "--format", "csv", "-o", str(target), *argv)
    assert 2 == code and message in err
    assert not target.exists()


@pytest.mark.parametrize("argv", [
    ["--format", "docx", "-o", "x"], ["--format", "csv"], ["--format", "csv", "-o", "x",
                                                              "--from", "2023-02-30"],
    ["--format", "csv", "-o", "x", "--category", "nonsense"],
    ["--format", "csv", "-o", "x", "--lang", "fr"],
], ids=["format", "no_output", "bad_date", "category", "lang"])
def test_cli_usage_errors_exit_2(capsys, argv: list[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["export", *argv])
    assert 2 == caught.value.code
    assert "usage: civic export" in capsys.readouterr().err


# --- the dashboard ---------------------------------------------------------------------------

PAGES = ["overview", "leaders_walk", "projects", "winter_relief", "flu", "community", "sources"]


def run_page(page: str, lang: str):
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "dashboard.py"),
                            default_timeout=60)
    app.query_params["lang"] = lang
    app.run()
    app.switch_page(f"app_pages/{page}.py").run()
    return app


def labels(app) -> list[str]:
    return [button.label for button in app.get("download_button")]


@pytest.mark.parametrize("page", PAGES)
def test_pages_offer_downloads(page: str) -> None:
    app = run_page(page, "zh")
    assert [] == [e.value for e in app.exception]
    found = labels(app)
    assert found.count("CSV") == found.count("XLSX")
    if export.browser_available():
        assert {"简报 PDF", "全部图表 ZIP"} <= {button.label for button in app.button}
        assert found.count("PNG") == found.count("SVG") == found.count("PDF") == found.count(
            "HTML")


def test_briefing_is_made_on_click_then_offered(browser) -> None:
    app = run_page("flu", "en")
    assert not [b for b in app.get("download_button") if b.label.startswith("Ready")]
    app.button(key="make_briefing").click().run(timeout=180)
    assert [] == [e.value for e in app.exception] + [e.value for e in app.error]
    (ready,) = [b for b in app.get("download_button") if b.label.startswith("Ready")]
    assert ready.label.endswith(".pdf") and ready.proto.url  # the file, not a deferred build
    app.run()  # still offered on the next rerun of the same view
    assert [b for b in app.get("download_button") if b.label.startswith("Ready")]


@pytest.mark.parametrize("page", ["overview", "projects", "sources"])
def test_pages_without_browser_explain(no_browser, page: str) -> None:
    app = run_page(page, "en")
    assert [] == [e.value for e in app.exception]
    found = labels(app) + [button.label for button in app.button]
    assert not {"PNG", "SVG", "PDF", "Briefing PDF", "All charts ZIP"} & set(found)
    hints = [c.value for c in app.caption if "sudo apt-get install chromium" in c.value]
    assert len(hints) == 1 + found.count("HTML")  # the sidebar's, and one under each chart


def test_export_catalogues_match() -> None:
    keys = {lang: set(yaml.safe_load((CATALOGUE_DIR / f"export.{lang}.yaml").read_text("utf-8")))
            for lang in ("zh", "en")}
    assert keys["zh"] == keys["en"]
    assert all(key.startswith("export.") for key in keys["zh"])


@pytest.mark.parametrize(("lang", "expected"), [
    ("zh", ["报道所列分类救助措施", "甲型H3N2亚型", "20亿元", "约13公顷"]),
    ("en", ["Measures named in the report", "influenza A (H3N2)", "CNY 2 billion",
            "about 13 ha", "Calculated: CNY 1 billion + CNY 1 billion"]),
])
def test_briefing_carries_what_the_pages_show(briefings: dict[str, bytes], lang: str,
                                              expected: list[str]) -> None:
    _, text, _ = pdf_text(briefings[lang])
    flat = re.sub(r"\s+", " ", text)
    for phrase in expected:
        assert phrase in flat


def test_briefing_kpis_show_their_periods(browser, catalog: Catalog) -> None:
    year = View(catalog, Filters(date_from=dt.date(2019, 1, 1), date_to=dt.date(2019, 12, 31)))
    document = export.briefing_html(year)
    assert re.search(r'class="status">2018-05–2023-11-15（\s*超出所选日期）<', document)
    assert 'class="status">2021–2023-11-15<' in export.briefing_html(View(catalog, Filters()))


# --- a browser that crashes or hangs -------------------------------------------------------------

def fake_browser(folder: Path, body: str) -> Path:
    """A script standing where the browser should be, to reproduce a broken one; each start
    adds a line to `folder/started`, so a test knows the broken browser did run."""
    script = folder / "browser.sh"
    script.write_text(f"#!/bin/sh\necho $$ >> {folder / 'started'}\n{body}\n", encoding="utf-8")
    script.chmod(0o755)
    return script


def hanging_browser(folder: Path) -> tuple[Path, str]:
    """A browser that never answers, and the marker of its child process (a `sleep` of hours,
    its length unique to this test so that no other run's processes count); the child's pid is
    written to `folder/hanging` once it runs."""
    marker = f"{7000 + uuid.uuid4().int % 2000}.{uuid.uuid4().int % 10**6:06d}"
    script = fake_browser(folder, f"sleep {marker} &\necho $! >> {folder / 'hanging'}\nwait")
    return script, marker


def ran(folder: Path, what: str = "started") -> bool:
    """The fake browser in `folder` started (`started`), or its hanging child ran (`hanging`)."""
    path = folder / what
    return path.is_file() and path.read_text(encoding="utf-8").strip() != ""


def processes_with(marker: str) -> list[str]:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmdline.read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if marker in text:
            found.append(text)
    return found


def left_running(marker: str, within: float = 5) -> list[str]:
    """The processes with `marker` still there once none is, or after `within` seconds (a
    killed process may take a moment to leave the process table on a busy machine)."""
    deadline = time.monotonic() + within
    while (found := processes_with(marker)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return found


def own_folders() -> set[Path]:
    import tempfile

    return set(Path(tempfile.gettempdir()).glob(f"{export.TMP_PREFIX}{os.getpid()}-*"))


# The export deadline the hung-browser cases wait out: long enough for a fake browser to start
# and hang on a busy machine, short because each of those cases waits all of it.
HUNG_DEADLINE_S = 3


@pytest.fixture
def hung_browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """BROWSER_PATH names a browser that never answers (its child sleeps too), with a short
    export deadline; the child's marker."""
    script, marker = hanging_browser(tmp_path)
    monkeypatch.setenv("BROWSER_PATH", str(script))
    monkeypatch.setenv(export.TIMEOUT_ENV, str(HUNG_DEADLINE_S))
    monkeypatch.setattr(export.browser, "missing_packages", lambda: ())
    export.stop_browser()
    return marker


@pytest.fixture
def crashing_browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BROWSER_PATH", str(fake_browser(tmp_path, "exit 3")))
    monkeypatch.setattr(export.browser, "missing_packages", lambda: ())
    export.stop_browser()


@pytest.mark.parametrize("build", [
    lambda v: export.chart_image(funnel(v), v, "png"),
    export.briefing_pdf,
    export.zip_bytes,
], ids=["png", "briefing", "zip"])
def test_hung_browser_export_ends_within_its_deadline(hung_browser: str, tmp_path: Path, views,
                                                      build) -> None:
    before = own_folders()
    started = time.monotonic()
    with pytest.raises(export.ExportFailed) as failed:
        build(views["zh"])
    took = time.monotonic() - started
    assert "timeout" == failed.value.reason
    assert ran(tmp_path, "hanging"), "the export gave up before the browser hung"
    assert took < HUNG_DEADLINE_S + 2 * export.KILL_WAIT + 1  # the deadline, then bounded cleanup
    assert [] == left_running(hung_browser)  # the browser's whole process group is gone
    assert own_folders() <= before  # and its temporary folder


def test_hung_print_ends_within_its_deadline(hung_browser: str, tmp_path: Path) -> None:
    started = time.monotonic()
    with pytest.raises(export.ExportFailed, match="did not print"):
        with export.browser._export_deadline():  # noqa: SLF001
            export.print_pdf("<p>示例</p>")  # noqa: SLF001
    assert time.monotonic() - started < HUNG_DEADLINE_S + 2 * export.KILL_WAIT + 1
    assert ran(tmp_path, "hanging"), "the print gave up before the browser hung"
    assert [] == left_running(hung_browser)


def test_crashing_browser_is_one_clear_failure(crashing_browser, tmp_path: Path, views) -> None:
    with pytest.raises(export.ExportFailed) as failed:
        export.briefing_pdf(views["en"])
    assert "crashed" == failed.value.reason and ran(tmp_path)
    message = str(failed.value)
    assert "quit" in message and "choreo_get_chrome" not in message and "download" not in message
    assert export.failure_message(failed.value, "zh") == t("export.failed_crashed", "zh")


def test_folders_left_by_a_killed_process_are_removed(tmp_path: Path) -> None:
    import tempfile

    dead = subprocess_pid_that_ended()
    stale = Path(tempfile.mkdtemp(prefix=f"{export.TMP_PREFIX}{dead}-"))
    (stale / "index.html").write_text("left behind", encoding="utf-8")
    export.browser.shutil.rmtree(export.browser._folder())  # noqa: SLF001 - making a folder sweeps stale ones
    assert not stale.exists()


def subprocess_pid_that_ended() -> int:
    done = subprocess.Popen(["true"])
    done.wait()
    return done.pid


def test_after_a_crash_the_next_export_starts_a_fresh_browser(browser, tmp_path: Path,
                                                               monkeypatch, views) -> None:
    view = views["zh"]
    monkeypatch.setenv("BROWSER_PATH", str(fake_browser(tmp_path, "exit 3")))
    with pytest.raises(export.ExportFailed):
        export.chart_image(funnel(view), view, "svg")
    assert ran(tmp_path)
    monkeypatch.delenv("BROWSER_PATH")
    assert export.chart_image(funnel(view), view, "svg").lstrip().startswith(b"<svg")


@pytest.mark.parametrize(("broken", "fmt", "reason"), [
    ("crash", "pdf", "before the image was made"),  # quit, or broke off as it quit
    ("crash", "zip", "before the image was made"),
    ("hang", "pdf", "did not answer within"),
], ids=["crash_pdf", "crash_zip", "hang_pdf"])
def test_cli_says_one_clear_line_when_the_browser_fails(tmp_path: Path, repo_dir: Path,
                                                        broken: str, fmt: str,
                                                        reason: str) -> None:
    script, marker = (hanging_browser(tmp_path) if broken == "hang"
                      else (fake_browser(tmp_path, "exit 3"), None))
    env = {**os.environ, "BROWSER_PATH": str(script), export.TIMEOUT_ENV: "8"}
    command = [str(Path(sys.executable).with_name("civic")), "export", "--format", fmt,
               "-o", str(tmp_path / f"out.{fmt}")]
    done = subprocess.run(command, cwd=repo_dir, env=env, capture_output=True, text=True,
                          timeout=60)
    assert 1 == done.returncode
    (line,) = done.stderr.splitlines()
    assert line.startswith(f"civic export: error: {fmt} export failed: the browser ")
    assert reason in line
    assert "download" not in line and "choreo" not in line
    assert not (tmp_path / f"out.{fmt}").exists()
    assert ran(tmp_path, "hanging" if marker else "started")
    if marker:
        assert [] == left_running(marker)


# The child starts an export on a thread, waits (within a deadline) until the browser hangs,
# then ends: it prints the time it began to exit.
EXIT_DURING_EXPORT = """
import sys, threading, time
from pathlib import Path
import plotly.graph_objects as go
from civic import export

export.missing_packages = lambda: ()
figure = go.Figure(go.Bar(y=[1, 2]), layout={"width": 300, "height": 200})
threading.Thread(target=lambda: export.browser.render(figure, "svg"), daemon=True).start()
hanging, deadline = Path(sys.argv[1]), time.monotonic() + 60
while not (hanging.is_file() and hanging.read_text().strip()):
    if time.monotonic() > deadline:
        sys.exit("the browser never started")
    time.sleep(0.05)
print(time.monotonic(), flush=True)
"""


def test_exit_during_a_hung_export_ends_the_browser(tmp_path: Path, repo_dir: Path) -> None:
    """A server stopping (SIGTERM ends in a normal exit) while a browser hangs: the process
    exits at once and leaves no browser process behind."""
    script, marker = hanging_browser(tmp_path)
    env = {**os.environ, "BROWSER_PATH": str(script), export.TIMEOUT_ENV: "600"}
    done = subprocess.run([sys.executable, "-c", EXIT_DURING_EXPORT, str(tmp_path / "hanging")],
                          cwd=repo_dir, env=env, capture_output=True, text=True, timeout=120)
    exited = time.monotonic()
    assert 0 == done.returncode, done.stderr
    assert exited - float(done.stdout) < 2 * export.KILL_WAIT + 5  # not the export's 600 s
    assert [] == left_running(marker)
