"""总览 Overview: what needs attention first (the critical indicators' status and trend, what
moved, the reports due and overdue by department), then a card per program and who takes part
in what. The counts about the data are on the data page."""

import streamlit as st

from app_pages.components import (
    chart,
    current_view,
    indicator_tiles,
    kpi_row,
    nothing_here,
    page_header,
    program_page,
    registered,
    reports_due,
    tr,
    what_moved,
)
from civic import panels
from civic.attention import Attention
from civic.i18n import format_date, labelled, name
from civic.text import md

view = current_view()
page_header("page.overview")
if view.empty:
    nothing_here()
    st.stop()

attention = Attention.of(view)
st.markdown(f"**{md(attention.headline())}**")
indicator_tiles(attention)
st.markdown(f":material/schedule: {md(attention.due_summary())}")

st.subheader(tr("attention.moved_header"))
what_moved(attention)

st.subheader(tr("attention.due_header"))
reports_due(attention)

st.subheader(tr("overview.programs_header"))
for program_id in [p for p in view.program_ids if view.has(p)]:
    program = view.catalog.programs[program_id]
    with st.container(border=True):
        st.markdown(f"**{md(name(program.name, view.lang))}**")
        latest = view.latest_date(program_id)
        st.caption(md(" · ".join(part for part in [
            tr(f"category.{program.category}"),
            tr(f"status.{program.status}"),
            view.program_since(program_id),
            labelled(tr("overview.lead"), view.department_name(program.lead), view.lang),
            labelled(tr("overview.latest"),
                     format_date(latest.date() if latest is not None else None, view.lang),
                     view.lang),
        ] if part)))
        kpi_row(view.cards(program_id, program.headline))
        st.page_link(registered(program_page(program.category)), label=tr("overview.open_page"),
                     icon=":material/arrow_forward:")

st.subheader(tr("overview.matrix_header"))
chart(panels.participation(view))
