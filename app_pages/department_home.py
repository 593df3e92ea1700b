"""我的部门 My department: a signed-in editor's home: the indicators their departments own and
where they stand, the reports they owe by the calendar, and what they submitted for review and
what came back. An admin chooses the department to look at."""

import streamlit as st

from app_pages.components import current_view, indicator_tiles, reports_due, tr
from app_pages.sign_in import editor_or_stop
from civic.attention import Attention
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
submissions = home.submissions()
if submissions is None:
    st.info(tr("home.no_review"), icon=":material/rate_review:")
else:
    st.dataframe(submissions, hide_index=True, key="home_submissions")
