"""Layout pieces the pages share: KPI rows, charts and tables with their sources, empty views.

Everything computed comes from `civic`; this module only decides how it is laid out.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from civic.i18n import source_line, t
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


def kpi_row(cards: list[KpiCard], columns: int = 4) -> None:
    """KPIs in bordered tiles: value with unit and qualifier, provenance on hover."""
    if not cards:
        return
    view = current_view()
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


def chart(panel: Panel | None) -> None:
    """A panel's chart; nothing when the view has no data for it."""
    if panel is None:
        return
    st.plotly_chart(panel.figure, key=panel.key, config={"displaylogo": False})


def table(frame: pd.DataFrame, key: str) -> None:
    st.dataframe(frame, key=key, hide_index=True)


def sources_caption(source_ids: list[str]) -> None:
    """The provenance line of every source a section draws on, beneath it."""
    view = current_view()
    lines = [source_line(view.catalog.sources[s], view.lang)
             for s in dict.fromkeys(source_ids) if s in view.catalog.sources]
    if lines:
        st.caption(f"{t('source.label', view.lang)}: " + " | ".join(lines))


def clear_filters() -> None:
    for key in FILTER_KEYS:
        st.session_state.pop(key, None)


def nothing_here() -> None:
    """Says plainly that the filters leave nothing here, and offers to clear them."""
    st.info(tr("empty.message"), icon="🔎")
    st.button(tr("empty.clear"), on_click=clear_filters, key="clear_filters_empty")


def page_header(title_key: str) -> None:
    view = current_view()
    st.title(tr(title_key))
    st.caption(f"{tr('context.label')}: {view.context()}")


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
