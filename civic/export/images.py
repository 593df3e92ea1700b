"""Charts as files: each annotated with its title, unit, filters and sources inside the image,
as PNG, SVG or PDF through the browser, or as a self-contained interactive page; every chart of
a view in a ZIP with the figures' workbook."""

from __future__ import annotations

import html
import io
import zipfile

import plotly.graph_objects as go

from civic.charts import wrap
from civic.export.browser import PDF_FONT, bounded, render, require_browser
from civic.export.files import html_lang
from civic.export.tabular import figures_xlsx
from civic.i18n import labelled, source_line, t
from civic.panels import Panel, all_panels
from civic.text import plotly_lines, plotly_text
from civic.view import View

IMAGE_FORMATS = ("png", "svg", "pdf")
IMAGE_WIDTH = 1000  # layout pixels of an exported chart
PRINT_WIDTH = 760  # narrower in the briefing, so that its text prints larger on A4
PNG_SCALE = 2  # sharp on slides and high-density screens


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

    # The panel's figure as a dictionary, changed, then checked by Plotly once as the copy is
    # made (a checked copy changed by `update_layout` took three times as long).
    spec = panel.figure.to_dict()
    layout = spec.setdefault("layout", {})
    top = int(46 + title_size * 1.3 * len(title_lines) + detail_size * 1.3 * len(subtitle))
    margin = layout.get("margin", {})
    layout["height"] = (layout.get("height") or 450) - (margin.get("t") or 0) + top
    layout["width"] = width
    layout["margin"] = margin | {"t": top}
    # Every key of the chart's own title (text, x, xanchor) is replaced here.
    layout["title"] = layout.get("title", {}) | {
        "text": plotly_lines(title_lines), "font": {"size": title_size},
        "subtitle": {"text": "<br>".join(subtitle), "font": {"size": detail_size, "color": "#444"}},
        "x": 0, "xref": "container", "xanchor": "left", "pad": {"l": 20, "t": 16},
        "y": 1, "yref": "container", "yanchor": "top"}
    return go.Figure(spec)


def for_print(figure: go.Figure) -> go.Figure:
    """The figure set in the PDF font, so that text copied out of a PDF is right."""
    figure.update_layout(font_family=f"{PDF_FONT}, Noto Sans CJK SC, sans-serif")
    return figure

@bounded
def chart_image(panel: Panel, view: View, fmt: str) -> bytes:
    """The annotated chart as PNG (at twice its layout size), SVG or PDF."""
    if fmt not in IMAGE_FORMATS:
        raise ValueError(f"unknown image format {fmt!r}; one of {', '.join(IMAGE_FORMATS)}")
    figure = annotated(panel, view)
    if fmt == "pdf":
        for_print(figure)
    return render(figure, fmt, PNG_SCALE if fmt == "png" else 1)


def chart_html(panel: Panel, view: View) -> bytes:
    """A self-contained interactive page: plotly.js is embedded, nothing is fetched."""
    figure = annotated(panel, view)
    body = figure.to_html(full_html=False, include_plotlyjs=True, include_mathjax=False,
                          config={"displaylogo": False, "toImageButtonOptions": {
                              "format": "png", "scale": PNG_SCALE, "filename": panel.key}})
    title = html.escape(f"{panel.title} · {view.context()}")
    page = (f'<!DOCTYPE html>\n<html lang="{html_lang(view.lang)}">\n<head>\n'
            f'<meta charset="utf-8">\n<title>{title}</title>\n</head>\n'
            f'<body style="margin:16px">\n{body}\n</body>\n</html>\n')
    return page.encode("utf-8")


@bounded
def zip_bytes(view: View) -> bytes:
    """Every chart of the view as PNG and SVG, with the figures table as XLSX."""
    require_browser()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for number, panel in enumerate(all_panels(view), start=1):
            for fmt in ("png", "svg"):
                archive.writestr(f"{number:02d}_{panel.key}.{fmt}", chart_image(panel, view, fmt))
        archive.writestr("figures.xlsx", figures_xlsx(view))
    return buffer.getvalue()
