"""指标详情 Indicator: one indicator in full, drilled into from any card (`?indicator=program/
metric`): its definition, unit and desired direction, its calendar and owner, its targets and
progress, every report over time with its source and change, and the owning department's
commentary on each report, which that department (or an admin) writes here."""

import streamlit as st
from pydantic import ValidationError

from app_pages.components import (
    INDICATOR_PARAM,
    LINKED_KEY,
    PICK_KEY,
    chart,
    current_view,
    kpi_tile,
    nothing_here,
    page_header,
    status_badges,
    tr,
)
from app_pages.sign_in import signed_in
from civic import cache, indicators, intake, store
from civic.attention import Attention, trend_of
from civic.i18n import labelled
from civic.loading import Origin
from civic.metrics import standing
from civic.models import Commentary
from civic.panels import history
from civic.problems import from_pydantic, render
from civic.text import md

SAVED_KEY = "commentary_saved"
view = current_view()
lang = view.lang
page_header("indicator.page")
options = indicators.choices(view)
if not options:
    nothing_here()
    st.stop()

# A link's choice (`?indicator=`, copied into the state by dashboard.py) or the first one.
if st.session_state.get(PICK_KEY) not in options:
    st.session_state[PICK_KEY] = next(iter(options))
chosen = st.selectbox(tr("indicator.pick"), list(options), format_func=options.get,
                      key=PICK_KEY, help=tr("indicator.pick_help"))
st.query_params[INDICATOR_PARAM] = chosen  # a link to share, which dashboard.py knows as ours
st.session_state[LINKED_KEY] = chosen
program, metric = chosen.split("/")
attention = Attention.of(view)

st.subheader(md(options[chosen]))
last = view.newest(program, metric)
cards = view.cards(program, [metric])
if cards and last is not None:
    target = view.catalog.target(program, metric, last.date_end)
    badges = status_badges(attention, standing(float(last.value), target, str(last.unit)),
                           trend_of(last, view.catalog.metrics.get(metric)))
    kpi_tile(cards[0], badges, link=False)
upcoming = indicators.next_report(view, program, metric, attention.as_of)
if upcoming:
    st.caption(upcoming)

st.markdown(f"#### {tr('indicator.definition_header')}")
for label, text in indicators.definition(view, program, metric):
    st.markdown(f"- {md(labelled(label, text, lang))}")

st.markdown(f"#### {tr('indicator.targets_header')}")
goals = indicators.targets(view, program, metric)
if goals.empty:
    st.caption(tr("indicator.no_targets"))
else:
    st.dataframe(goals, hide_index=True, key="indicator_targets")

st.markdown(f"#### {tr('indicator.history_header')}")
panel = history(view, program, metric, least=1 if view.catalog.targets.get((program, metric))
                else 2)
if panel is None:
    st.caption(tr("indicator.no_chart"))
chart(panel)

st.markdown(f"#### {tr('indicator.reports_header')}")
reports = indicators.reports(view, program, metric)
st.table(reports.map(lambda cell: md(cell) if isinstance(cell, str) else cell),
         hide_index=True)

# The owning department's commentary on a report, written through the store (audited).
owner = indicators.owner(view, program, metric)
owner_name = view.department_name(owner)
periods = indicators.report_periods(view, program, metric)
account = signed_in()
allowed = intake.writable(account, view.catalog.frames.departments) if account else set()
if periods and account is not None:
    st.markdown(f"#### {tr('indicator.commentary_header')}")
    if allowed is not None and owner not in allowed:
        st.info(tr("indicator.commentary_not_allowed", owner=md(owner_name)),
                icon=":material/lock:")
        st.stop()
    st.caption(tr("indicator.commentary_intro", owner=md(owner_name)))
    period = st.selectbox(tr("indicator.commentary_report"), periods, key=f"commentary_{chosen}")
    said = indicators.commentaries(view, program, metric).get(period)
    with st.form(f"commentary_form_{chosen}_{period}"):
        text_zh = st.text_area(tr("indicator.commentary_zh"), value=(said.zh or "") if said else "",
                               max_chars=2000)
        text_en = st.text_area(tr("indicator.commentary_en"), value=(said.en or "") if said else "",
                               max_chars=2000)
        why = st.text_input(tr("indicator.commentary_why"), max_chars=200)
        saved = st.form_submit_button(tr("indicator.commentary_save"), icon=":material/save:")
    if saved:
        try:
            commentary = Commentary(program=program, metric=metric, period=period,
                                    department=owner, zh=text_zh.strip() or None,
                                    en=text_en.strip() or None)
            written = store.write(
                cache.engine(), [("commentaries", commentary,
                                  Origin("page", None, f"commentary {chosen}@{period}"))],
                who=intake.who(account), why=why.strip() or f"commentary on {chosen} {period}",
                guard=intake.department_guard(account, view.catalog.frames.departments))
        except ValidationError as error:
            st.error(tr("indicator.commentary_refused"), icon=":material/error:")
            st.text("\n".join(render(*from_pydantic(e), lang)
                               for e in error.errors(include_url=False)))
        except store.Refused as error:
            st.error(tr("indicator.commentary_refused"), icon=":material/error:")
            st.text("\n".join(p.located(lang) for p in error.problems))
        else:
            # Shown after the rerun that puts the commentary in the table above.
            st.session_state[SAVED_KEY] = written.batch or ""
            st.rerun()
saved_batch = st.session_state.pop(SAVED_KEY, None)
if saved_batch:
    st.success(tr("indicator.commentary_saved", batch=saved_batch), icon=":material/check_circle:")
elif saved_batch == "":
    st.info(tr("indicator.commentary_unchanged"))
