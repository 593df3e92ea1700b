"""Layout pieces the pages share: KPI rows, charts and tables with their sources, empty views.

Everything computed comes from `civic`; this module only decides how it is laid out.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Literal

import pandas as pd
import streamlit as st

from civic import charts, export, tables
from civic.i18n import labelled, name, t
from civic.models import Program
from civic.panels import Panel
from civic.view import KpiCard, View

VIEW_KEY = "view"
FILTER_KEYS = ("f_dept", "f_district", "f_category", "f_from", "f_to")


def current_view() -> View:
    """The view that `dashboard.py` built for this run from the sidebar filters."""
    return st.session_state[VIEW_KEY]


def tr(key: str, **values: object) -> str:
    """A catalogue string in the current view's language."""
    return t(key, current_view().lang, **values)


# About how many characters of a KPI value fit in a tile of a three-tile row on a laptop.
TILE_CHARS = 14
# About how many ems of labels fit side by side across a row of tiles on a laptop.
ROW_LABEL_EMS = 54


def kpi_row(cards: list[KpiCard], columns: int = 3) -> None:
    """KPIs in bordered tiles: value with unit and qualifier, provenance on hover.

    Long values ("about CNY 5 billion") and long labels ("Time saved · Ceramics firm's
    approval") get fewer, wider tiles rather than being cut off.
    """
    if not cards:
        return
    view = current_view()
    longest = max(len(card.value) for card in cards)
    derived = f" · {t('basis.derived', view.lang)}"
    widest = max(charts.text_width(card.label + (derived if card.derived else ""))
                 for card in cards)
    columns = max(1, min(columns, columns * TILE_CHARS // max(longest, 1),
                         int(ROW_LABEL_EMS // max(widest, 1))))
    for start in range(0, len(cards), columns):
        row = cards[start:start + columns]
        for column, card in zip(st.columns(columns), row):
            with column:
                label = card.label
                if card.derived:
                    label = f"{label} · {t('basis.derived', view.lang)}"
                st.metric(
                    label,
                    card.value,
                    delta=card.status_text,
                    delta_color="off",
                    delta_arrow="off",
                    help=card.provenance,
                    border=True,
                )


def download(kind: str, fmt: str, build: Callable[[], bytes], name: str,
             button_type: Literal["secondary", "tertiary"] = "tertiary") -> None:
    """A button for a file of what `name` shows, built only when clicked, without a rerun; the
    file's name also says which view it holds (`export.file_stem`)."""
    view = current_view()
    lang = view.lang
    st.download_button(t(f"export.{kind}", lang), data=build,
                       file_name=f"{export.file_stem(view, name)}.{fmt}",
                       mime=export.MIME[fmt], key=f"download_{name}_{kind}",
                       help=t(f"export.{kind}_help", lang), on_click="ignore",
                       icon=":material/download:", type=button_type)


def browser_missing_note() -> None:
    """Where image and PDF buttons would be: what to install for them."""
    st.caption(export.install_hint(current_view().lang))


def chart(panel: Panel | None) -> None:
    """A panel's chart with its downloads; nothing when the view has no data for it."""
    if panel is None:
        return
    view = current_view()
    # The title as page text, which wraps on a phone; the figure keeps its own for exports.
    st.markdown(f"**{panel.title}**")
    st.plotly_chart(charts.untitled(panel.figure), key=panel.key,
                    config={"displaylogo": False})
    images = export.browser_available()
    with st.container(horizontal=True, gap="small", vertical_alignment="center"):
        for fmt in export.IMAGE_FORMATS if images else ():
            download(fmt, fmt, functools.partial(export.chart_image, panel, view, fmt), panel.key)
        download("html", "html", functools.partial(export.chart_html, panel, view), panel.key)
    if not images:
        browser_missing_note()


def table(frame: pd.DataFrame, key: str, name: str) -> None:
    """A table with CSV and XLSX downloads; `name` titles its sheet in the workbook."""
    view = current_view()
    st.dataframe(frame, key=key, hide_index=True)
    with st.container(horizontal=True, gap="small"):
        download("csv", "csv", functools.partial(export.csv_bytes, frame), key)
        download("xlsx", "xlsx", lambda: export.xlsx_bytes(frame, tables.sources(view), name,
                                                           lang=view.lang), key)


def sources_caption(source_ids: list[str]) -> None:
    """The provenance line of every source a section draws on, beneath it."""
    view = current_view()
    lines = view.source_lines(source_ids)
    if lines:
        st.caption(labelled(t("source.label", view.lang), lines, view.lang))


def clear_filters() -> None:
    for key in FILTER_KEYS:
        st.session_state.pop(key, None)


def nothing_here() -> None:
    """Says plainly that the filters leave nothing here, and offers to clear them."""
    st.info(tr("empty.message"), icon=":material/filter_alt_off:")
    st.button(tr("empty.clear"), on_click=clear_filters, key="clear_filters_empty")


def page_programs(title_key: str, *categories: str) -> list[str]:
    """A program page's header and its programs under the filters; stops when there are none."""
    view = current_view()
    page_header(title_key)
    programs = [p for category in categories for p in view.programs_in(category)]
    if not programs:
        nothing_here()
        st.stop()
    return programs


def program_heading(program_id: str) -> Program:
    """The program's name as a section heading; returns the program for the section."""
    view = current_view()
    program = view.catalog.programs[program_id]
    st.subheader(name(program.name, view.lang))
    return program


def page_header(title_key: str) -> None:
    view = current_view()
    st.title(tr(title_key))
    st.caption(labelled(tr("context.label"), view.context(), view.lang))


# Which page tells a program's story, by its category.
PAGE_OF_CATEGORY = {
    "government_services": "app_pages/leaders_walk.py",
    "investment": "app_pages/projects.py",
    "social_assistance": "app_pages/winter_relief.py",
    "public_health": "app_pages/flu.py",
}
COMMUNITY_PAGE = "app_pages/community.py"


def program_page(category: str) -> str:
    return PAGE_OF_CATEGORY.get(category, COMMUNITY_PAGE)
