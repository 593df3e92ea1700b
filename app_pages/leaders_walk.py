"""一把手走流程: leaders walking government services, the problems found and solved."""

import streamlit as st

from app_pages.components import (
    chart,
    current_view,
    history_charts,
    kpi_row,
    page_programs,
    program_heading,
    sources_caption,
    table,
    tr,
)
from civic import panels, tables
from civic.i18n import name
from civic.text import md

view = current_view()
programs = page_programs("page.leaders_walk", "government_services")

for program_id in programs:
    program = program_heading(program_id)
    if program.aims:
        st.markdown(f"**{md(tr('program.aims'))}:** " + md(" · ".join(name(a, view.lang)
                                                                       for a in program.aims)))
    kpi_row(view.page_cards(program_id))

    chart(panels.funnel(view, program_id))
    history_charts(program_id)

    st.markdown(f"#### {tr('walk.cases_header')}")
    kpi_row(view.group_cards(program_id, ["approval_time_missing_document", "time_saved"]),
            columns=2)
    cases = tables.cases(view, program_id)
    if len(cases):
        table(cases, key=f"cases_{program_id}", name=tr("walk.cases_header"), wrap=True)

    st.markdown(f"#### {tr('walk.departments_header')}")
    table(tables.departments(view, program_id), key=f"departments_{program_id}",
          name=tr("walk.departments_header"))
    sources_caption([program.source])
