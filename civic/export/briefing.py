"""The briefing: a paginated A4 PDF of a view in its language (cover with each program's
headline figures, every program's KPIs, the charts, the sources), and the leader's two-page
brief (`civic.export.brief`) printed with the fullest lists that fit.

The briefing's HTML is a Jinja2 template (templates/briefing.html, its CSS beside it) with
autoescape on: every data string reaches the page as text.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

from markupsafe import Markup

from civic import tables
from civic.cards import KpiCard
from civic.export.brief import BRIEF_PAGES, LIMITS, brief_html
from civic.export.browser import (
    PDF_FONT,
    bounded,
    pdf_pages,
    print_pdf,
    render_all,
    require_browser,
)
from civic.export.files import html_lang
from civic.export.images import PRINT_WIDTH, annotated, for_print
from civic.export.rendering import template
from civic.i18n import format_date, labelled, t
from civic.models import Category
from civic.panels import all_panels
from civic.view import View

if TYPE_CHECKING:
    pass

KPI_COLUMNS = (("col.metric", 20), ("col.value", 24), ("col.basis", 10),
               ("export.provenance", 46))


def _plain(text: str) -> str:
    """Without pictographs (✅ ⚠️): the PDF has no emoji font to draw them."""
    return "".join(c for c in text
                   if unicodedata.category(c) != "So" and not 0xFE00 <= ord(c) <= 0xFE0F).strip()


@dataclass(frozen=True)
class _Row:
    """A KPI card as a row of the briefing's tables."""

    label: str
    value: str
    notes: list[str]
    derived: bool
    basis: str
    provenance: str


def _rows(cards: list[KpiCard], lang: str) -> list[_Row]:
    rows = []
    for card in cards:
        moved = card.movement
        change = f"{moved.change} · {moved.change_note}" if moved.change else ""
        notes = [_plain(note) for note in (card.period, change, card.status_text,
                                           moved.progress_text) if note]
        rows.append(_Row(card.label, card.value, notes, card.derived,
                         t("basis.derived" if card.derived else "basis.reported", lang),
                         card.provenance))
    return rows


def _results(view: View, programs: list[str]) -> list[dict[str, object]]:
    """Each program with its headline figures, each with its period and change since the
    previous report: what the cover leads with. A program without headline figures (a case
    told in words) is left to the pages after."""
    results: list[dict[str, object]] = []
    for program_id in programs:
        program = view.catalog.programs[program_id]
        if cards := view.cards(program_id, program.headline):
            results.append({"name": view.program_name(program_id), "cards": cards,
                            "category": t(f"category.{program.category}", view.lang)})
    return results


def _programs(view: View, programs: list[str]) -> list[dict[str, object]]:
    lang = view.lang
    blocks: list[dict[str, object]] = []
    investment = view.programs_in(Category.INVESTMENT)
    if len(investment) > 1:  # the projects page's totals, as on screen
        blocks.append({"name": t("page.projects", lang), "meta": "", "statuses": [],
                       "cards": _rows(view.project_cards(investment), lang)})
    for program_id in programs:
        program = view.catalog.programs[program_id]
        metrics = view.program_metrics(program_id)
        cards = view.cards(program_id, metrics) + view.group_cards(program_id, metrics)
        if program.category == Category.SOCIAL_ASSISTANCE:  # the counts the relief page shows
            cards += [c for c in view.relief_cards(program_id) if c.metric not in metrics]
        meta = " · ".join([t(f"category.{program.category}", lang),
                           labelled(t("overview.lead", lang), view.department_name(program.lead),
                                    lang)])
        blocks.append({"name": view.program_name(program_id), "meta": meta,
                       "statuses": [view.advisory_status(a) for a in view.advisories(program_id)],
                       "cards": _rows(cards, lang)})
    return blocks


def _scalable(svg: str, width: int, height: int) -> str:
    """An SVG that scales to the page width: plotly's has a size but no viewBox."""
    return re.sub(r"<svg\b", f'<svg viewBox="0 0 {width} {height}"', svg, count=1)


def _charts(view: View) -> list[Markup]:
    """Each chart as inline SVG, which the browser rendered from the escaped figure."""
    figures = [for_print(annotated(panel, view, PRINT_WIDTH)) for panel in all_panels(view)]
    return [Markup(_scalable(svg.decode("utf-8"), figure.layout.width, figure.layout.height))
            for figure, svg in zip(figures, render_all(figures, "svg"))]


def _sources(view: View) -> list[dict[str, object]]:
    """The source articles stacked, one block each: the title on its line, then the other
    columns as `label: value`, never broken inside a date or a name, so that the list fits
    A4 in either language however long a department's name is."""
    lang = view.lang
    title = t("col.title", lang)
    return [{"title": row.get(title, ""),
             "fields": [labelled(str(k), str(v), lang) for k, v in row.items()
                        if k != title and str(v).strip()]}
            for row in tables.sources(view).to_dict("records")]


def briefing_html(view: View) -> str:
    """The briefing as one HTML document: every data string escaped, charts inline as SVG."""
    lang = view.lang
    programs = [p for p in view.program_ids if view.has(p)]
    return template("briefing.html").render(
        t=lambda key, **values: t(key, lang, **values),
        html_lang=html_lang(lang), pdf_font=PDF_FONT,
        title=f"{t('export.briefing_title', lang)} · {view.context()}",
        context=labelled(t("context.label", lang), view.context(), lang),
        as_of=t("app.as_of", lang, date=format_date(view.as_of, lang)),
        exported=t("export.exported", lang, date=format_date(dt.date.today(), lang)),
        kpi_columns=[(t(key, lang), share) for key, share in KPI_COLUMNS],
        results=_results(view, programs) if programs else [],
        programs=_programs(view, programs) if programs else [],
        charts=_charts(view) if programs else [],
        sources=_sources(view))


@bounded
def briefing_pdf(view: View) -> bytes:
    """A paginated A4 PDF of the view in its language: cover, KPIs, charts, sources."""
    require_browser()
    return print_pdf(briefing_html(view))


@bounded
def brief_pdf(view: View) -> bytes:
    """The leader's brief of the view in its language: at most two A4 pages (`brief`),
    printed with the fullest lists that fit."""
    require_browser()
    for limits in LIMITS:
        document = print_pdf(brief_html(view, limits))
        if pdf_pages(document) <= BRIEF_PAGES:
            break
    return document
