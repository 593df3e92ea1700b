"""变更记录 History: batches and single changes, filtered by editor, department and date; a
batch undone as a new audited change. Signed-in editors only."""

import streamlit as st

from app_pages.components import current_view, tr
from app_pages.sign_in import editor_or_stop
from civic import cache, intake, reads, store
from civic.history import batches, filtered

account = editor_or_stop("history.not_allowed")
view = current_view()
lang = view.lang
engine = cache.engine()
departments = view.catalog.frames.departments

st.title(tr("page.history"))
st.caption(tr("history.intro"))

trail = reads.history(engine)
editor_column, department_column, date_column = st.columns(3)
editor = editor_column.selectbox(tr("history.editor"), sorted(trail["who"].unique()),
                                 index=None, key="history_editor")
names = dict(zip(departments["department"],
                 departments["name_zh" if lang == "zh" else "name_en"]))
department = department_column.selectbox(tr("history.department"), list(names), index=None,
                                         format_func=names.get, key="history_department")
since = date_column.date_input(tr("history.from"), value=None, key="history_from",
                               format="YYYY-MM-DD")
shown = filtered(trail, editor, department, since)
if shown.empty:
    st.info(tr("history.none"))
    st.stop()

labels = {key: tr(f"history.{key}")
          for key in ("batch", "at", "who", "why", "count", "table", "key", "action")}
st.subheader(tr("history.batches"))
grouped = batches(shown)
st.dataframe(grouped.rename(columns=labels), hide_index=True, key="batches_table")

st.subheader(tr("history.changes"))
changes = shown[["at", "who", "table", "key", "action", "why", "batch"]]
st.dataframe(changes.rename(columns=labels), hide_index=True, key="changes_table")

chosen = st.selectbox(tr("history.batch"), list(grouped["batch"]), index=None,
                      key="undo_batch")
if st.button(tr("history.undo"), disabled=chosen is None, key="undo", icon=":material/undo:"):
    try:
        written = store.undo(engine, chosen, who=intake.who(account), why=f"undo batch {chosen}",
                             guard=intake.department_guard(account, departments,
                                                           view.catalog.dataset.programs))
        st.success(tr("history.undone", batch=written.batch, count=len(written.changes)),
                   icon=":material/check_circle:")
    except store.Refused as error:
        st.error(tr("history.refused"), icon=":material/error:")
        st.text("\n".join(str(p) for p in error.problems))
