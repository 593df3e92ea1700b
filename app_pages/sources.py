"""数据与来源 Data and sources: how much the view holds (programs, departments, figures, source
reports, the investment they sum), every figure under the filters, sortable, and the articles."""

import streamlit as st

from app_pages.components import current_view, kpi_row, nothing_here, page_header, table, tr
from civic import tables

view = current_view()
page_header("page.sources")
if view.empty:
    nothing_here()
    st.stop()

kpi_row(view.headline_cards())

st.subheader(tr("sources.figures_header"))
st.caption(tr("sources.figures_note"))
table(tables.figures(view), key="figures_table", name=tr("sources.figures_header"))

st.subheader(tr("sources.sources_header"))
table(tables.sources(view), key="sources_table", name=tr("sources.sources_header"))

st.subheader(tr("sources.history_header"))
st.caption(tr("sources.history_note"))
revisions = tables.revisions(view)
if revisions.empty:
    st.caption(tr("sources.no_revisions"))
else:
    table(revisions, key="revisions_table", name=tr("sources.history_header"))
