"""社区与民生 Community life: games, skills, reading, and the reported cases."""

import streamlit as st

from app_pages.components import (
    current_view,
    history_charts,
    kpi_row,
    page_programs,
    sources_caption,
    table,
    tr,
)
from civic import tables
from civic.i18n import format_date, join, labelled, listed, name, official
from civic.text import md

CATEGORIES = ["sports_culture", "skills", "public_safety", "community"]

view = current_view()
programs = page_programs("page.community", *CATEGORIES)

for program_id in programs:
    program = view.catalog.programs[program_id]
    with st.container(border=True):
        st.subheader(md(name(program.name, view.lang)))
        st.caption(md(" · ".join(part for part in [
            tr(f"category.{program.category}"), view.program_since(program_id),
            labelled(tr("overview.lead"), view.department_name(program.lead), view.lang)]
            if part)))
        metrics = view.program_metrics(program_id)
        kpi_row(view.cards(program_id, metrics) + view.group_cards(program_id, metrics))

        for event in view.events(program_id):
            st.markdown(" · ".join(part for part in [
                f"**{md(name(event.title, view.lang))}**",
                md(format_date(event.date, view.lang)), md(name(event.venue, view.lang)),
                md(labelled(tr("community.organizer"), view.department_name(event.organizer),
                            view.lang)) if event.organizer else ""] if part))
            for key, items in (("community.items", event.items),
                               ("community.industries", event.industries)):
                if items:
                    st.markdown(md(tr(key) + " " + listed([name(i, view.lang) for i in items],
                                                          event.open_list, view.lang)))
            if event.officials:
                st.caption(md(labelled(tr("community.officials"), join(
                    [official(o, view.lang) for o in event.officials], view.lang), view.lang)))
        cases = tables.cases(view, program_id)
        if len(cases):
            table(cases, key=f"cases_{program_id}", name=name(program.name, view.lang),
                  wrap=True)
        if program.officials:
            st.caption(md(labelled(tr("community.officials"), join(
                [official(o, view.lang) for o in program.officials], view.lang), view.lang)))
        history_charts(program_id)
        sources_caption([program.source])
