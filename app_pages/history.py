"""变更记录 History: batches and single changes, filtered by editor, department and date, a page
at a time; the filtered changes as CSV; a batch undone as a new audited change. Signed-in
editors only."""

import math

import streamlit as st

from app_pages.components import current_view, tr
from app_pages.sign_in import editor_or_stop
from civic import cache, database, history, intake, store
from civic.text import md

account = editor_or_stop("history.not_allowed")
view = current_view()
lang = view.lang
engine = cache.engine()
departments = view.catalog.frames.departments

st.title(tr("page.history"))
st.caption(tr("history.intro"))


def pager(label_key: str, count: int, key: str) -> int:
    """The page (from 0) chosen of `count` rows, history.PAGE to a page."""
    pages = max(1, math.ceil(count / history.PAGE))
    page = st.number_input(tr(label_key), min_value=1, max_value=pages, value=1, step=1,
                           key=key) if pages > 1 else 1
    st.caption(tr("history.page_of", page=page, pages=pages, count=count))
    return int(page) - 1


editor_column, department_column, date_column = st.columns(3)
editor = editor_column.selectbox(tr("history.editor"), history.editors(engine), index=None,
                                 key="history_editor")
names = dict(zip(departments["department"],
                 departments["name_zh" if lang == "zh" else "name_en"]))
department = department_column.selectbox(tr("history.department"), list(names), index=None,
                                         format_func=names.get, key="history_department")
since = date_column.date_input(tr("history.from"), value=None, key="history_from",
                               format="YYYY-MM-DD")
trail = history.Trail(editor, department, since)
batch_count = history.count_batches(engine, trail)
if not batch_count:
    st.info(tr("history.none"))
    st.stop()

labels = {key: tr(f"history.{key}")
          for key in ("batch", "at", "who", "why", "count", "table", "key", "action")}
st.subheader(tr("history.batches"))
grouped = history.batches(engine, trail, pager("history.page", batch_count, "batch_page"))
st.dataframe(grouped.rename(columns=labels), hide_index=True, key="batches_table")

st.subheader(tr("history.changes"))
changes = history.changes(engine, trail, pager("history.page", history.count_changes(engine, trail),
                                               "change_page"))
st.dataframe(changes.rename(columns=labels), hide_index=True, key="changes_table")
st.download_button(tr("history.download"), data=lambda: history.csv_bytes(engine, trail),
                   file_name="civic-history.csv", mime="text/csv", key="history_download",
                   on_click="ignore", icon=":material/download:", type="tertiary")

chosen = st.selectbox(tr("history.batch"), list(grouped["batch"]), index=None,
                      key="undo_batch")
if st.button(tr("history.undo"), disabled=chosen is None, key="undo", icon=":material/undo:"):
    try:
        written = store.undo(engine, chosen, who=intake.who(account), why=f"undo batch {chosen}",
                             guard=intake.department_guard(account, departments))
        st.success(tr("history.undone", batch=written.batch, count=len(written.changes)),
                   icon=":material/check_circle:")
    except store.Refused as error:
        st.error(tr("history.refused"), icon=":material/error:")
        st.text("\n".join(p.located(lang) for p in error.problems))
    except database.StoreError as error:
        key = "entry.busy" if isinstance(error, store.Busy) else \
            f"{database.problem_key(error)}_message"
        st.error(md(tr(key)), icon=":material/cloud_off:")
