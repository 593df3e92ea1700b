"""审核 Review: for an approver or admin, the submissions awaiting their review, each with its
rows, the values they replace, the KPIs before → after, its source and note, approved or
returned with a comment; for everyone signed in, their own submissions and what came back."""

import pandas as pd
import streamlit as st

from app_pages.components import current_view, tr
from app_pages.sign_in import editor_or_stop
from civic import cache, database, effects, intake, project_intake, review, store
from civic.dates import shown_time
from civic.i18n import join
from civic.text import md

account = editor_or_stop("review.not_allowed")
view = current_view()
lang = view.lang
engine = cache.engine()
catalog = view.catalog
departments = catalog.frames.departments
sources = {s.id: s for s in catalog.dataset.sources}

FLASH = "review_flash"  # what the last step did, said once after the rerun that follows it

st.title(tr("review.page"))
st.caption(tr("review.intro"))
if flash := st.session_state.pop(FLASH, None):
    st.success(tr(*flash[:1], **flash[1]), icon=":material/check_circle:")


def status_word(submission: review.Submission) -> str:
    return tr(f"review.status.{submission.status}")


def cited(submission: review.Submission) -> str:
    """The report a submission cites, by its title and date."""
    ids = {str(document["source"]) for _, document in submission.records
           if document.get("source")}
    new = {document["id"]: document for kind, document in submission.records
           if kind == "sources"}
    titles = []
    for found in sorted(ids):
        if found in new:
            titles.append(f"{new[found].get('edition_date')} · {new[found].get('title')}")
        elif found in sources:
            source = sources[found]
            titles.append(f"{source.edition_date} · "
                          f"{source.title if lang == 'zh' else source.title_en}")
        else:
            titles.append(found)
    return join(titles, lang) or "—"


def shown(submission: review.Submission) -> None:
    """What a submission would publish: rows with what they replace, KPIs before → after."""
    st.markdown(tr("review.what", label=md(review.label(submission, lang)),
                   who=md(submission.submitter), at=shown_time(submission.created_at),
                   count=submission.rows))
    st.caption(md(tr("review.departments", names=join(
        [view.department_name(d) for d in submission.departments], lang))))
    st.caption(md(tr("review.source", source=cited(submission))))
    st.caption(md(tr("review.note", note=submission.why)))
    if submission.kind == review.UNDO:
        st.dataframe(pd.DataFrame([{tr("history.table"): kind, tr("history.key"): document.get(
            "id") or document.get("metric") or "", tr("column.period"): document.get("period", "")}
            for kind, document in submission.records]), hide_index=True,
            key=f"review_undo_{submission.batch}")
        return
    shown_rows = review.shown_rows(engine, submission)
    entry = intake if submission.kind == "figures" else project_intake
    st.dataframe(entry.preview(shown_rows, lang, catalog.dataset), hide_index=True,
                 key=f"review_rows_{submission.batch}")
    if figures := submission.figures():
        found = effects.effects(engine, figures, catalog.dataset)
        if found:
            st.markdown(f"**{tr('review.effects')}**")
            # A few rows, as a table of text: read at a glance, and by a screen reader.
            st.table(effects.frame(found, catalog.dataset, lang, "effects.after_publishing")
                     .set_index(tr("column.program")))


def attempt(action) -> bool:
    try:
        action()
        return True
    except store.Refused as refused:
        st.error(tr("review.refused"), icon=":material/error:")
        st.text("\n".join(p.located(lang) for p in refused.problems))
    except store.Busy:
        st.error(tr("entry.busy"), icon=":material/hourglass:")
    except database.StoreError as error:
        st.error(tr(f"{database.problem_key(error)}_message"), icon=":material/cloud_off:")
    return False


if account.reviews:
    st.subheader(tr("review.queue"))
    queue = review.queue(engine, account, departments)
    if not queue:
        st.info(tr("review.queue_empty"), icon=":material/task_alt:")
    for submission in queue:
        with st.container(border=True, key=f"review_{submission.batch}"):
            shown(submission)
            comment = st.text_input(tr("review.comment"), key=f"comment_{submission.batch}",
                                    max_chars=500, placeholder=tr("review.comment_hint"))
            approve, send_back = st.columns(2)
            if approve.button(tr("review.approve"), key=f"approve_{submission.batch}",
                              type="primary", icon=":material/check_circle:"):
                if attempt(lambda s=submission: review.approve(
                        engine, s.batch, account=account, departments=departments,
                        why=comment.strip())):
                    st.session_state[FLASH] = ("review.approved", {
                        "label": review.label(submission, lang), "who": submission.submitter})
                    st.rerun()
            if send_back.button(tr("review.return"), key=f"return_{submission.batch}",
                                icon=":material/undo:"):
                if not comment.strip():
                    st.warning(tr("review.comment_needed"), icon=":material/info:")
                elif attempt(lambda s=submission: review.send_back(
                        engine, s.batch, account=account, departments=departments,
                        comment=comment)):
                    st.session_state[FLASH] = ("review.returned", {
                        "label": review.label(submission, lang), "who": submission.submitter})
                    st.rerun()

st.subheader(tr("review.mine"))
mine = review.listed(engine, submitter=account.name)
if not mine:
    st.caption(tr("review.mine_empty"))
else:
    st.dataframe(pd.DataFrame([{
        tr("review.column.what"): review.label(s, lang),
        tr("review.column.status"): status_word(s),
        tr("review.column.rows"): s.rows,
        tr("review.column.submitted"): shown_time(s.created_at),
        tr("review.column.reviewer"): s.reviewer or "",
        tr("review.column.comment"): s.comment or "",
        tr("review.column.reviewed"): shown_time(s.reviewed_at),
    } for s in mine]), hide_index=True, key="review_mine")
    returned = [s for s in mine if s.status == review.RETURNED]
    if returned:
        st.caption(tr("review.resubmit"))
    pending = [s for s in mine if s.status == review.PENDING]
    for submission in pending:
        with st.expander(tr("review.pending_one", label=review.label(submission, lang))):
            shown(submission)
st.page_link("app_pages/data_entry.py", label=tr("home.enter"), icon=":material/upload_file:")
