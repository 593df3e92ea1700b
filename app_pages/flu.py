"""流感 Flu advisory: the status as a banner, vaccine options by age, time to protection, advice."""

import streamlit as st

from app_pages.components import (
    chart,
    current_view,
    history_charts,
    kpi_row,
    page_programs,
    program_heading,
    sources_caption,
    tr,
)
from civic import panels
from civic.i18n import name
from civic.text import md

TREND_ICONS = {"rising": ":material/trending_up:", "stable": ":material/trending_flat:",
               "falling": ":material/trending_down:"}

view = current_view()
programs = page_programs("page.flu", "public_health")

for program_id in programs:
    program = program_heading(program_id)
    for advisory in view.advisories(program_id):
        st.warning(md(view.advisory_status(advisory)), icon=TREND_ICONS[advisory.trend])
        kpi_row(view.cards(program_id, ["protection_onset"])
                + view.group_cards(program_id, ["vaccine_options"]))

        st.markdown(f"#### {tr('flu.advice_header')}")
        st.markdown("\n".join(f"- {md(name(r, view.lang))}" for r in advisory.recommendations))
        st.caption(md(tr("flu.preferred", vaccine=name(advisory.preferred_vaccine, view.lang))))
    chart(panels.breakdown(view, program_id))
    history_charts(program_id)
    sources_caption([program.source])
