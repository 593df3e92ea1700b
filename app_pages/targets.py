"""目标 Targets: admins set an indicator's target for a period from a plan (cited as a source,
stored or new), and remove one; each write goes through the store, audited. Admins only."""

import streamlit as st
from pydantic import ValidationError

from app_pages.components import cite_source, current_view, tr
from app_pages.sign_in import editor_or_stop
from civic import cache, store, targets
from civic.i18n import name
from civic.models import Source
from civic.problems import Coded, from_pydantic, render

account = editor_or_stop("targets.not_allowed")
if account.role != "admin":
    st.error(tr("targets.not_allowed"), icon=":material/lock:")
    st.stop()
view = current_view()
lang = view.lang
catalog = view.catalog
engine = cache.engine()
departments = catalog.frames.departments

st.title(tr("targets.page"))
st.caption(tr("targets.intro"))


def refused(problems: list[str]) -> None:
    st.error(tr("targets.refused"), icon=":material/error:")
    st.text("\n".join(problems))


st.subheader(tr("targets.current"))
current = targets.table(view)
if current.empty:
    st.caption(tr("targets.none"))
else:
    headers = {"program": "targets.program", "metric": "targets.metric", "period": "col.period",
               "target": "attention.target", "direction": "indicator.target_direction",
               "plan": "indicator.plan"}
    st.dataframe(current.drop(columns="key").rename(columns={c: tr(k) for c, k in
                                                             headers.items()}),
                 hide_index=True, key="targets_table")
    gone = st.selectbox(tr("targets.remove_pick"), list(current["key"]), index=None,
                        key="target_remove_pick", placeholder=tr("app.choose"))
    if st.button(tr("targets.remove"), disabled=gone is None, key="target_remove",
                 icon=":material/delete:"):
        try:
            written = targets.remove(engine, gone, account, departments,
                                     why=f"target {gone} removed")
            st.success(tr("targets.removed", batch=written.batch), icon=":material/check_circle:")
        except store.Refused as error:
            refused([p.located(lang) for p in error.problems])

st.subheader(tr("targets.new"))
programs = {p: view.program_name(p) for p in view.program_ids}
program = st.selectbox(tr("targets.program"), list(programs), format_func=programs.get,
                       key="target_program")
metrics = {m: view.label(m) for m in view.program_metrics(program)} if program else {}
metric = st.selectbox(tr("targets.metric"), list(metrics), format_func=metrics.get,
                      key=f"target_metric_{program}")
known = catalog.metrics.get(metric) if metric else None
period = st.text_input(tr("targets.period"), key="target_period", max_chars=40)
value = st.text_input(tr("targets.value"), key="target_value", max_chars=40)
requirement = {True: tr("indicator.at_least"), False: tr("indicator.at_most")}
at_least = st.radio(tr("targets.at_least"), [True, False], horizontal=True,
                    index=0 if known is None or known.higher_is_better is not False else 1,
                    format_func=requirement.get, key=f"target_at_least_{metric}")
plan = cite_source("target_plan", "targets.plan")
new_plan = plan if isinstance(plan, Source) else None
why = st.text_input(tr("targets.why"), key="target_why", max_chars=200)
if st.button(tr("targets.save"), key="target_save", icon=":material/flag:", type="primary"):
    if not (program and metric and period.strip() and value.strip() and plan):
        st.warning(tr("targets.missing"), icon=":material/info:")
        st.stop()
    try:
        target = targets.make(program, metric, period.strip(), value.strip(), at_least,
                              new_plan.id if new_plan else plan)
        written = targets.save(engine, target, account, departments,
                               why=why.strip() or f"target for {program}/{metric}",
                               plan=new_plan)
    except Coded as error:
        refused([render(error.code, error.params, lang)])
    except ValidationError as error:
        refused([render(*from_pydantic(e), lang) for e in error.errors(include_url=False)])
    except store.Refused as error:
        refused([p.located(lang, {m.id: name(m.label, lang) for m in catalog.dataset.metrics})
                 for p in error.problems])
    else:
        if written.batch:
            st.success(tr("targets.saved", batch=written.batch), icon=":material/check_circle:")
        else:
            st.info(tr("targets.unchanged"))
