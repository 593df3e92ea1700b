"""我的部门 My department: a signed-in editor's home: the indicators their departments own and
where they stand, the reports they owe by the calendar, and what they submitted for review and
what came back. An admin chooses the department to look at."""

import pandas as pd
import streamlit as st

from app_pages.components import current_view, indicator_tiles, reports_due, tr
from app_pages.sign_in import editor_or_stop
from civic import cache, review
from civic.attention import Attention
from civic.dates import shown_time
from civic.home import Home
from civic.i18n import join
from civic.text import md

account = editor_or_stop("home.not_allowed")
view = current_view()
lang = view.lang
catalog = view.catalog

st.title(tr("home.page"))
st.caption(tr("home.intro"))
if account.departments:
    departments = list(account.departments)
else:  # an admin writes for every department: look at one
    names = {d: view.department_name(d) for d in catalog.departments}
    chosen = st.selectbox(tr("home.pick"), list(names), format_func=names.get,
                          key="home_department")
    departments = [chosen] if chosen else []
st.caption(md(f"{tr('home.departments')}：" if lang == "zh" else f"{tr('home.departments')}: ")
           + md(join([view.department_name(d) for d in departments], lang)))

attention = Attention.of(view)
home = Home.of(attention, departments)

st.subheader(tr("home.indicators_header"))
if home.indicators:
    indicator_tiles(attention, home.indicators)
else:
    st.caption(tr("home.no_indicators"))

st.subheader(tr("home.due_header"))
reports_due(attention, home.due, expanded=True)
st.page_link("app_pages/data_entry.py", label=tr("home.enter"), icon=":material/upload_file:")

st.subheader(tr("home.submissions_header"))
submissions = home.submissions(cache.engine())
waiting = [s for s in submissions if s.status == review.PENDING]
if account.reviews:
    mine = review.queue(cache.engine(), account, catalog.frames.departments)
    st.info(tr("home.awaiting_you", count=len(mine)), icon=":material/rate_review:")
st.caption(tr("home.awaiting", count=len(waiting)))
if submissions:
    st.dataframe(pd.DataFrame([{
        tr("review.column.what"): review.label(s, lang),
        tr("review.column.status"): tr(f"review.status.{s.status}"),
        tr("review.column.rows"): s.rows,
        tr("home.submitter"): s.submitter,
        tr("review.column.submitted"): shown_time(s.created_at),
        tr("review.column.reviewer"): s.reviewer or "",
        tr("review.column.comment"): s.comment or "",
    } for s in submissions]), hide_index=True, key="home_submissions")
st.page_link("app_pages/review.py", label=tr("home.to_review"), icon=":material/rate_review:")
