"""对比 Compare: one metric across departments or districts, side by side and sorted."""

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

metric = st.selectbox(tr("compare.metric"), metrics, key="compare_metric",
                      format_func=view.label)
by = st.radio(tr("compare.by"), tables.COMPARE_BY, key="compare_by", horizontal=True,
              format_func=lambda b: tr(f"compare.by.{b}"))
comparable, rest = tables.comparison(view, metric, by)

if comparable.empty:
    st.info(tr("compare.none"))
else:
    if len(comparable) == 1:
        st.info(tr("compare.single", by=tr(f"compare.by.{by}")))
    chart(panels.comparison(view, metric, by))
    st.subheader(tr("compare.comparable_header"))
    table(tables.comparison_table(view, comparable), key="compare_table",
          name=tr("compare.comparable_header"))
if len(rest):
    st.subheader(tr("compare.not_comparable_header"))
    table(tables.comparison_table(view, rest, reasons=True), key="compare_rest",
          name=tr("compare.not_comparable_header"))
