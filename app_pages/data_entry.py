"""数据录入 Data entry: templates, the report cited, an upload checked row by row and previewed,
duplicates skipped or replaced, one Save; the figures of a report's text proposed, reviewed and
saved the same way; and a form for one figure. Signed-in editors only."""

import datetime as dt
from collections.abc import Callable
from typing import TypeVar

import pandas as pd
import streamlit as st

from app_pages.components import cite_source, current_view, tr
from app_pages.sign_in import editor_or_stop
from civic import (
    cache,
    database,
    effects,
    extraction,
    intake,
    project_intake,
    reads,
    review,
    store,
    templates,
    uploads,
)
from civic.i18n import name
from civic.text import md, printable

T = TypeVar("T")

account = editor_or_stop("entry.not_allowed")
view = current_view()
lang = view.lang
engine = cache.engine()
catalog = view.catalog
departments = catalog.frames.departments
allowed = intake.writable(account, departments)
programs = {p.id: name(p.name, lang) for p in catalog.dataset.programs}
metrics = {m.id: name(m.label, lang) for m in catalog.dataset.metrics}

st.title(tr("page.data_entry"))
st.caption(tr("entry.intro"))


def template_file(kind: str, fmt: str) -> bytes:
    return templates.template(kind, fmt, reads.dataset(engine), lang)


st.subheader(tr("entry.templates"))
for column, kind in zip(st.columns(2), ("figures", "projects")):
    with column:
        st.caption(tr(f"entry.template_{kind}"))
        for fmt in ("xlsx", "csv"):
            st.download_button(fmt.upper(), data=lambda k=kind, f=fmt: template_file(k, f),
                               file_name=f"civic-{kind}-{lang}.{fmt}", key=f"template_{kind}_{fmt}",
                               on_click="ignore", icon=":material/download:", type="tertiary")

st.subheader(tr("entry.source_header"))
source = cite_source("source", "entry.source")
if source is None:
    st.info(tr("entry.source_missing"), icon=":material/info:")


def show_refusal(key: str, refused: store.Refused) -> None:
    st.error(tr(key), icon=":material/error:")
    st.text("\n".join(p.located(lang, metrics) for p in refused.problems))


def submitted_message(submitted: review.Submission | None) -> None:
    if submitted is None:
        st.info(tr("entry.nothing_saved"))
    else:
        st.success(tr("entry.submitted", count=submitted.rows, batch=submitted.batch),
                   icon=":material/rate_review:")
        st.page_link("app_pages/review.py", label=tr("entry.to_review"),
                     icon=":material/rate_review:")


def attempt(action: Callable[[], T], failed=None) -> T | None:
    """What `action` (a check or a submission) returns, or `failed` with the reason said: the
    store refused it, another writer held it past the timeout, or the store cannot be used (a
    full disk, a damaged file). Either way nothing was written."""
    try:
        return action()
    except store.Refused as refused:
        show_refusal("entry.refused_save", refused)
    except store.Busy:
        st.error(tr("entry.busy"), icon=":material/hourglass:")
    except database.StoreError as error:
        st.error(tr(f"{database.problem_key(error)}_message"), icon=":material/cloud_off:")
    return failed


def check_and_submit(sheet: uploads.Sheet, name: str, why_default: str, label: str,
                     prefix: str = "", kind: str = "figures",
                     why_key: str | None = None) -> None:
    """Rows checked, problems and preview shown, duplicates chosen, one Submit for review: the
    same for an upload of figures or of projects and for the figures kept from a report.
    `label` names the submission (the file, or the report's text); `why_key` keys the reason's
    input (one per upload, so each starts from its own file's name)."""
    entry, said = ((intake, "entry.") if kind == "figures"
                   else (project_intake, "entry.projects_"))
    correction = None
    if kind == "figures" and st.checkbox(tr("entry.correction"), key=f"{prefix}correction"):
        correction = st.text_input(tr("entry.correction_note"), key=f"{prefix}correction_note",
                                   max_chars=500).strip()
        if not correction:
            st.info(tr("entry.correction_missing"), icon=":material/info:")
    checked = attempt(lambda: intake.check(engine, sheet, source, account, departments,
                                           correction=correction or None)
                      if kind == "figures" else entry.check(engine, sheet, source, account,
                                                            departments))
    if checked is None:
        return
    if checked.problems:
        st.error(tr("entry.problems", count=len(checked.problems)), icon=":material/error:")
        st.dataframe(intake.problems_frame(checked.problems, lang, metrics), hide_index=True,
                     key=f"{prefix}problems_table")
    if checked.refused:
        st.warning(tr(f"{said}refused", count=len(checked.refused)), icon=":material/block:")
        st.dataframe(entry.preview(checked.refused, lang, catalog.dataset), hide_index=True,
                     key=f"{prefix}refused_table")
    st.subheader(tr(f"{said}preview", count=len(checked.rows)))
    st.dataframe(entry.preview(checked.rows, lang, catalog.dataset), hide_index=True,
                 key=f"{prefix}preview_table")
    if getattr(checked, "warnings", None):
        st.warning(tr("entry.warnings", count=len(checked.warnings)), icon=":material/warning:")
        for warning in checked.warnings:
            st.caption(md(warning.text(lang, metrics)))
    if getattr(checked, "effects", None):
        st.markdown(f"**{tr('entry.effects')}**")
        st.dataframe(effects.frame(checked.effects, catalog.dataset, lang), hide_index=True,
                     key=f"{prefix}effects_table")
    duplicates = [r for r in checked.duplicates if not r.unchanged]
    replace: set[str] = set()
    if duplicates:
        st.warning(tr(f"{said}duplicates", count=len(duplicates)),
                   icon=":material/content_copy:")
        choices = {"skip": tr("entry.skip"), "replace": tr("entry.replace"),
                   "rows": tr("entry.replace_rows")}
        choice = st.segmented_control(tr("entry.duplicate_all"), list(choices), default="skip",
                                      key=f"{prefix}duplicates_all", format_func=choices.get)
        if choice == "replace":
            replace = {r.key for r in duplicates}
        elif choice == "rows":
            numbers = st.multiselect(tr("entry.replace_rows"), [r.number for r in duplicates],
                                     key=f"{prefix}replace_rows",
                                     placeholder=tr("app.choose"))
            replace = {r.key for r in duplicates if r.number in numbers}
    why = st.text_input(tr("entry.why"), key=why_key or f"{name}_why", max_chars=500,
                        value=why_default)
    if st.button(tr("entry.save"), type="primary", key=f"save_{name}",
                 disabled=not checked.rows, icon=":material/send:"):
        submitted = attempt(lambda: review.submit_save(
            engine, kind, [r.record for r in checked.rows], source, account=account,
            departments=departments, why=why.strip() or why_default, label=label,
            replace=replace), failed=False)
        if submitted is not False:
            submitted_message(submitted)


# The app's own limit, said in the page's language: Streamlit's uploader shows its limit too
# (server.maxUploadSize in .streamlit/config.toml, the same number).
upload = st.file_uploader(tr("entry.upload"), type=list(uploads.FORMATS), key="upload",
                          help=tr("entry.upload_help", mb=uploads.MAX_BYTES // 2**20),
                          max_upload_size=uploads.MAX_BYTES // 2**20)
if upload is not None and source is not None:
    try:
        kind, sheet = uploads.read_any(upload.name, upload.getvalue(), templates.KINDS)
    except uploads.Unusable as unusable:
        st.error(md(unusable.message(lang)), icon=":material/error:")
        st.stop()
    check_and_submit(sheet, "upload", tr("entry.why_upload", name=printable(upload.name)),
                     printable(upload.name), kind=kind, why_key=f"upload_why_{upload.file_id}")

st.subheader(tr("entry.report_header"))
st.caption(tr("entry.report_intro"))
pasted = st.text_area(tr("entry.report_paste"), key="report_text", height=160,
                      max_chars=extraction.MAX_REPORT_CHARS)
report_file = st.file_uploader(tr("entry.report_upload"), type=["txt", "docx", "pdf"],
                               help=tr("entry.upload_help",
                                       mb=extraction.MAX_REPORT_BYTES // 2**20),
                               max_upload_size=extraction.MAX_REPORT_BYTES // 2**20,
                               key="report_file")
report = extraction.Report(pasted)
if report_file is not None:
    try:
        report = cache.report(report_file.name, report_file.getvalue())
    except extraction.ReportError as error:
        st.error(md(error.message(lang)), icon=":material/error:")
        report = extraction.Report("")
result = None
if report.text.strip():
    report_day, found_in = extraction.report_day(report.text, from_file=report.date)
    if found_in == "text":
        st.caption(tr("entry.report_date_found", date=report_day.isoformat()))
    elif found_in == "file":
        st.caption(tr("extract.page.date_from_file", date=report_day.isoformat()))
    else:  # never today: the clerk says when the report was written
        report_day = st.date_input(tr("entry.report_date"), value=None, key="report_date",
                                   min_value=dt.date(2000, 1, 1), format="YYYY-MM-DD")
        if report_day is None:
            st.info(tr("extract.page.date_needed"), icon=":material/event:")
    if report_day is not None:
        try:
            result = cache.extracted(report.text, report_day)
        except extraction.ReportTooLarge as error:
            st.error(md(error.message(lang)), icon=":material/error:")
if result is not None:
    for unit in result.unknown_units:
        st.warning(md(tr("extract.page.not_in_catalogue", name=unit)), icon=":material/domain_add:")
    promote_key = f"report_promote_{cache.digest(report.text)[:12]}"
    chosen = [result.not_proposed[i] for i in st.session_state.get(promote_key, [])
              if i < len(result.not_proposed)]
    proposals = result.figures + [extraction.promoted(s, result.report_date) for s in chosen]
    if not proposals:
        st.info(tr("entry.report_none"), icon=":material/info:")
    else:
        st.caption(tr("entry.report_count", count=len(proposals)))
        every_department = {d.id: name(d.name, lang) for d in catalog.dataset.departments}
        edited = st.data_editor(
            pd.DataFrame(extraction.proposal_table(proposals, lang),
                         columns=extraction.TABLE_COLUMNS),
            key="report_table", hide_index=True, num_rows="dynamic",
            column_config={
                "keep": st.column_config.CheckboxColumn(tr("column.keep")),
                "label": st.column_config.TextColumn(tr("column.label")),
                "phrase": st.column_config.TextColumn(tr("column.locator"),
                                                      max_chars=extraction.PHRASE_MAX),
                "reported": st.column_config.TextColumn(tr("column.reported")),
                "period": st.column_config.TextColumn(tr("column.period")),
                "program": st.column_config.SelectboxColumn(
                    tr("column.program"), options=list(programs), format_func=programs.get),
                "metric": st.column_config.SelectboxColumn(
                    tr("column.metric"), options=list(metrics), format_func=metrics.get),
                "department": st.column_config.SelectboxColumn(
                    tr("column.department"), options=list(every_department),
                    format_func=every_department.get),
                "group": st.column_config.TextColumn(tr("column.group_zh")),
                "group_en": st.column_config.TextColumn(tr("column.group_en")),
                "confidence": st.column_config.NumberColumn(
                    tr("column.confidence"), format="%.2f", disabled=True),
                "notes": st.column_config.TextColumn(tr("extract.page.notes"), disabled=True),
            })
    if result.not_proposed:
        st.caption(tr("extract.page.skipped", count=len(result.not_proposed)))
        st.dataframe(pd.DataFrame(extraction.skipped_table(result.not_proposed, lang),
                                  columns=extraction.SKIPPED_COLUMNS[1:]),
                     hide_index=True, key="report_skipped",
                     column_config={"reported": tr("column.reported"),
                                    "phrase": tr("column.locator"),
                                    "reason": tr("extract.page.reason")})
        st.multiselect(tr("extract.page.promote"), list(range(len(result.not_proposed))),
                       key=promote_key, placeholder=tr("app.choose"), format_func=lambda i: (
                           f"{result.not_proposed[i].reported} · {result.not_proposed[i].phrase}"))
    if proposals:
        kept = extraction.proposals_to_rows(edited.to_dict("records"))
        if source is not None and kept:
            check_and_submit(uploads.Sheet(kept), "report", tr("entry.why_report"),
                             review.REPORT_TEXT, prefix="report_")
        elif not kept:
            st.info(tr("entry.report_none_kept"), icon=":material/info:")

st.subheader(tr("entry.one_header"))
own = {d.id: name(d.name, lang) for d in catalog.dataset.departments
       if allowed is None or d.id in allowed}
# The programs the editor's departments lead or take part in: a figure of another is refused.
own_programs = [p.id for p in catalog.dataset.programs
                if allowed is None or set(p.departments) & allowed]
with st.form("one_figure"):
    cells = {
        "program": st.selectbox(tr("column.program"), own_programs, format_func=programs.get,
                                key="one_program"),
        "metric": st.selectbox(tr("column.metric"), list(metrics), format_func=metrics.get,
                               key="one_metric"),
        "reported": st.text_input(tr("column.reported"), key="one_reported", max_chars=60),
        "period": st.text_input(tr("column.period"), key="one_period", max_chars=30),
        "department": st.selectbox(tr("column.department"), list(own), format_func=own.get,
                                   key="one_department"),
        "group_zh": st.text_input(tr("column.group_zh"), key="one_group_zh", max_chars=60),
        "group_en": st.text_input(tr("column.group_en"), key="one_group_en", max_chars=60),
        "locator": st.text_input(tr("column.locator"), key="one_locator", max_chars=20),
    }
    note = st.text_input(tr("entry.one_note"), key="one_note", max_chars=500)
    one_correction = st.checkbox(tr("entry.one_correction"), key="one_correction")
    submitted = st.form_submit_button(tr("entry.one_save"), icon=":material/save:",
                                      key="one_save")
if submitted:
    if not note.strip():
        st.error(tr("entry.note_required"), icon=":material/error:")
    elif source is None:
        st.error(tr("entry.source_missing"), icon=":material/error:")
    else:
        one = uploads.Sheet([(1, {k: (v or "").strip() for k, v in cells.items()})])
        checked = attempt(lambda: intake.check(engine, one, source, account, departments,
                                               correction=note.strip() if one_correction
                                               else None))
        for problem in [*checked.problems, *checked.refusals] if checked else ():
            st.error(md(problem.text(lang, metrics)), icon=":material/error:")
        if checked and checked.rows:
            held = attempt(lambda: review.submit_save(
                engine, "figures", [r.figure for r in checked.rows], source, account=account,
                departments=departments, why=note.strip(), label=review.ONE_FIGURE,
                replace={r.key for r in checked.rows}), failed=False)
            if held is not False:
                submitted_message(held)
