"""变更记录 History: batches, newest first, each named by what it was (the file, the report text,
the review step), who and when (Beijing time) and how many changes; single changes; sign-ins and
sign-outs in a list of their own; all filtered by editor, department and date, a page at a time;
the filtered changes as CSV. An undo lists what it will change and asks to confirm: an approver
or admin undoes directly, an editor's undo is submitted for review. Signed-in accounts only."""

import math

import pandas as pd
import streamlit as st

from app_pages.components import current_view, tr
from app_pages.sign_in import editor_or_stop
from civic import cache, database, history, intake, review, store
from civic.dates import shown_time
from civic.i18n import catalogue
from civic.text import md

account = editor_or_stop("history.not_allowed")
view = current_view()
lang = view.lang
engine = cache.engine()
departments = view.catalog.frames.departments
CONFIRM = "undo_confirm"  # the batch whose undo awaits confirmation

st.title(tr("page.history"))
st.caption(tr("history.intro"))


def pager(label_key: str, count: int, key: str) -> int:
    """The page (from 0) chosen of `count` rows, history.PAGE to a page."""
    pages = max(1, math.ceil(count / history.PAGE))
    page = st.number_input(tr(label_key), min_value=1, max_value=pages, value=1, step=1,
                           key=key) if pages > 1 else 1
    st.caption(tr("history.page_of", page=page, pages=pages, count=count))
    return int(page) - 1


def shown(frame: pd.DataFrame) -> pd.DataFrame:
    """Times in Beijing time, actions in words, headers in the page's language."""
    frame = frame.copy()
    frame["at"] = frame["at"].map(shown_time)
    if "action" in frame:
        frame["action"] = frame["action"].map(lambda a: tr(f"history.action.{a}"))
    labels = {key: tr(f"history.{key}")
              for key in ("batch", "at", "who", "why", "count", "table", "key", "action")}
    return frame.rename(columns=labels)


editor_column, department_column, date_column = st.columns(3)
editor = editor_column.selectbox(tr("history.editor"), history.editors(engine), index=None,
                                 key="history_editor", placeholder=tr("history.anyone"))
names = dict(zip(departments["department"],
                 departments["name_zh" if lang == "zh" else "name_en"]))
department = department_column.selectbox(tr("history.department"), list(names), index=None,
                                         format_func=names.get, key="history_department",
                                         placeholder=tr("history.any_department"))
since = date_column.date_input(tr("history.from"), value=None, key="history_from",
                               format="YYYY-MM-DD")
trail = history.Trail(editor, department, since)
changes_tab, sign_ins_tab = st.tabs([tr("history.batches"), tr("history.sign_ins")])

def batches_and_undo() -> None:
    """The batches and single changes of the trail, their CSV, and the undo of a batch."""
    batch_count = history.count_batches(engine, trail)
    if not batch_count:
        st.info(tr("history.none"))
        return
    grouped = history.batches(engine, trail, pager("history.page", batch_count, "batch_page"))
    st.dataframe(shown(grouped[["at", "why", "who", "count", "batch"]]), hide_index=True,
                 key="batches_table")

    st.subheader(tr("history.changes"))
    changes = history.changes(engine, trail, pager(
        "history.page", history.count_changes(engine, trail), "change_page"))
    st.dataframe(shown(changes), hide_index=True, key="changes_table")
    st.download_button(tr("history.download"), data=lambda: history.csv_bytes(engine, trail),
                       file_name="civic-history.csv", mime="text/csv", key="history_download",
                       on_click="ignore", icon=":material/download:", type="tertiary")

    st.subheader(tr("history.undo_header"))
    st.caption(tr("history.undo_direct" if account.reviews else "history.undo_reviewed"))
    described = {row.batch: f"{shown_time(row.at)} · {row.why} · {row.who} · "
                            f"{tr('history.changes_count', count=row.count)}"
                 for row in grouped.itertuples()}
    chosen = st.selectbox(tr("history.batch"), list(described), index=None, key="undo_batch",
                          format_func=described.get, placeholder=tr("history.pick_batch"))
    who, why = intake.who(account), f"undo batch {chosen}"
    guard = intake.department_guard(account, departments)

    def attempt(action):
        try:
            return action()
        except store.Refused as error:
            st.error(tr("history.refused"), icon=":material/error:")
            st.text("\n".join(p.located(lang) for p in error.problems))
        except database.StoreError as error:
            key = "entry.busy" if isinstance(error, store.Busy) else \
                f"{database.problem_key(error)}_message"
            st.error(md(tr(key)), icon=":material/cloud_off:")
        return None

    if st.button(tr("history.undo"), disabled=chosen is None, key="undo",
                 icon=":material/undo:"):
        st.session_state[CONFIRM] = chosen
    if chosen is not None and st.session_state.get(CONFIRM) == chosen:
        planned = attempt(lambda: store.undo(engine, chosen, who=who, why=why, dry_run=True,
                                             guard=guard))
        if planned is not None:
            st.warning(tr("history.confirm", count=len(planned.changes)),
                       icon=":material/warning:")
            st.dataframe(pd.DataFrame([{
                tr("history.table"): c.table, tr("history.key"): c.key,
                tr("history.action"): tr(f"history.action.{c.action}")}
                for c in planned.changes]), hide_index=True, key="undo_plan")
            sure, cancel = st.columns(2)
            if cancel.button(tr("history.cancel"), key="undo_cancel"):
                st.session_state.pop(CONFIRM, None)
                st.rerun()
            if sure.button(tr("history.confirm_undo" if account.reviews
                              else "history.submit_undo"), key="undo_confirm_button",
                           type="primary", icon=":material/undo:"):
                st.session_state.pop(CONFIRM, None)
                if account.reviews:
                    written = attempt(lambda: store.undo(engine, chosen, who=who, why=why,
                                                         guard=guard))
                    if written is not None:
                        st.success(tr("history.undone", batch=written.batch,
                                      count=len(written.changes)),
                                   icon=":material/check_circle:")
                else:
                    submitted = attempt(lambda: review.submit_undo(
                        engine, chosen, account=account, departments=departments, why=why))
                    if submitted is not None:
                        st.success(tr("history.undo_submitted", batch=submitted.batch),
                                   icon=":material/rate_review:")


with changes_tab:
    batches_and_undo()
with sign_ins_tab:
    sign_ins = history.Trail(editor, None, since, sign_ins=True)
    count = history.count_changes(engine, sign_ins)
    if count:
        found = history.changes(engine, sign_ins, pager("history.page", count, "sign_in_page"))
        # How each signed in or was refused, in the page's language where the catalogue has
        # the words; a reason with figures in it (a lock's time) is shown as recorded.
        found["why"] = [tr(f"history.how.{why}") if f"history.how.{why}" in catalogue(lang)
                        else why for why in found["why"]]
        st.dataframe(shown(found[["at", "key", "action", "why"]]), hide_index=True,
                     key="sign_ins_table")
    else:
        st.info(tr("history.none"))

