"""对比 Compare: one metric across departments, districts, programs (projects) or the groups of a
breakdown, side by side and sorted, each value with its own date; the tables wrap, so that on a
phone the values stay on screen."""

import streamlit as st

from app_pages.components import chart, current_view, nothing_here, page_header, table, tr
from civic import panels, tables

view = current_view()
page_header("page.compare")
st.caption(tr("compare.intro"))
metrics = tables.compare_metrics(view)
if not metrics:
    nothing_here()
    st.stop()

# Offered by their names in the page's language, one widget per language.
labels = {view.label(m): m for m in metrics}
metric = labels[st.selectbox(tr("compare.metric"), list(labels),
                             key=f"compare_metric_{view.lang}")]
sides = {tr(f"compare.by.{b}"): b for b in tables.compare_sides(view, metric)}
by = sides[st.radio(tr("compare.by"), list(sides), key=f"compare_by_{view.lang}_{metric}",
                    horizontal=True)]
comparable, rest = tables.comparison(view, metric, by)

if comparable.empty:
    st.info(tr("compare.none"))
else:
    if len(comparable) == 1:
        st.info(tr("compare.single", by=tr(f"compare.by.{by}")))
    chart(panels.comparison(view, metric, by))
    st.subheader(tr("compare.comparable_header"))
    table(tables.comparison_table(view, comparable), key="compare_table",
          name=tr("compare.comparable_header"), wrap=True)
if len(rest):
    st.subheader(tr("compare.not_comparable_header"))
    table(tables.comparison_table(view, rest, reasons=True), key="compare_rest",
          name=tr("compare.not_comparable_header"), wrap=True)
