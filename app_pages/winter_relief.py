"""寒冬送温暖 Winter relief: persons taken in, where patrols go, what they bring, who is helped."""

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

view = current_view()
programs = page_programs("page.winter_relief", "social_assistance")

for program_id in programs:
    program = program_heading(program_id)
    actions = tables.relief_actions(view, program_id)
    measures = tables.relief_measures(view, program_id)
    kpi_row(view.relief_cards(program_id))

    if len(actions):
        st.markdown(f"#### {tr('relief.actions_header')}")
        chart(panels.relief_timeline(view, program_id))
        table(tables.relief_action_table(view, program_id), key=f"relief_table_{program_id}",
              name=tr("relief.actions_header"), wrap=True)
    if len(measures):
        st.markdown(f"#### {tr('relief.measures_header')}")
        table(measures, key=f"measures_{program_id}", name=tr("relief.measures_header"))
    history_charts(program_id)
    sources_caption([program.source])
