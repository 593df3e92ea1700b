"""重点项目 Investment projects: totals, a per-project comparison, land use and milestones."""

import streamlit as st

from app_pages.components import (
    chart,
    current_view,
    history_charts,
    kpi_row,
    page_programs,
    sources_caption,
    table,
    tr,
)
from civic import panels, tables

# The projects table's key figures, in the order its columns show them.
KEY_FIGURES = ("total_investment", "expected_annual_output", "land_area", "jobs",
               "enterprises_expected", "annual_capacity")

view = current_view()
programs = page_programs("page.projects", "investment")

kpi_row(view.project_cards(programs))

st.subheader(tr("projects.comparison_header"))
chart(panels.project_money(view))
chart(panels.project_land(view))

st.subheader(tr("projects.per_area_header"))
st.caption(tr("projects.per_area_note"))
table(tables.per_area(view), key="projects_per_area", name=tr("projects.per_area_header"))

st.subheader(tr("projects.milestones_header"))
chart(panels.project_milestones(view))

for program_id in programs:
    history_charts(program_id)

st.subheader(tr("projects.table_header"))
table(tables.projects(view, KEY_FIGURES), key="projects_table", name=tr("projects.table_header"))
sources_caption([view.catalog.programs[p].source for p in programs])
