"""Entry point: language, the shared filter sidebar, then the page the official chose."""

from __future__ import annotations

import functools
import logging

import streamlit as st

from app_pages import first_paint

# Before the imports below (pandas, SQLAlchemy, the catalog: a second on a server just started),
# so that the browser has the page's title and starts on the chart library meanwhile.
first_paint.start()

from app_pages import sessions, turns
from app_pages.components import (
    FILTER_KEYS,
    INDICATOR_PARAM,
    LINKED_KEY,
    PICK_KEY,
    REGISTERED_KEY,
    VIEW_KEY,
    browser_missing_note,
    clear_filters,
    department_picker,
    link_notices,
    swap_dates,
    view_download,
)
from app_pages.sign_in import sign_in_panel, signed_in
from civic import cache, export, review
from civic.cache import data_dir
from civic.database import StoreError, problem_key
from civic.departments import Directory
from civic.filters import Filters, Options, from_query, to_query
from civic.i18n import LANGS, format_date, join, name, t
from civic.loading import load
from civic.store import Refused
from civic.text import md
from civic.view import View, date_bounds

PREVIEW_KEY = "with_pending"

# Material icons ship with Streamlit, so they draw on machines without an emoji font.
PAGES = [
    ("app_pages/overview.py", "page.overview", ":material/dashboard:", "overview"),
    ("app_pages/leaders_walk.py", "page.leaders_walk", ":material/account_balance:",
     "leaders_walk"),
    ("app_pages/projects.py", "page.projects", ":material/factory:", "projects"),
    ("app_pages/winter_relief.py", "page.winter_relief", ":material/volunteer_activism:",
     "winter_relief"),
    ("app_pages/flu.py", "page.flu", ":material/vaccines:", "flu"),
    ("app_pages/community.py", "page.community", ":material/groups:", "community"),
    ("app_pages/compare.py", "page.compare", ":material/compare_arrows:", "compare"),
    ("app_pages/sources.py", "page.sources", ":material/table_view:", "sources"),
    ("app_pages/indicator.py", "indicator.page", ":material/query_stats:", "indicator"),
]
# Pages that write are listed for a signed-in account; for anyone else they are hidden, not
# gone: a bookmarked one opens and asks to sign in, in the page's language.
EDITOR_PAGES = [
    ("app_pages/department_home.py", "home.page", ":material/home_work:", "home"),
    ("app_pages/data_entry.py", "page.data_entry", ":material/upload_file:", "data_entry"),
    ("app_pages/review.py", "review.page", ":material/rate_review:", "review"),
    ("app_pages/history.py", "page.history", ":material/history:", "history"),
    ("app_pages/subscriptions.py", "subscribe.page", ":material/notifications:",
     "subscriptions"),
]
ADMIN_PAGES = [
    ("app_pages/targets.py", "targets.page", ":material/flag:", "targets"),
]
PAGES_KEY = "_pages"


def _pages(lang: str, role: str | None) -> dict[str, st.Page]:
    """The pages in `lang` for an account of `role` (None: nobody signed in), made once per
    session and choice: a page resolves and checks its file when made, 4 ms a rerun for all.
    Kept in the session, not the process: `st.navigation` marks the page it runs."""
    made = st.session_state.setdefault(PAGES_KEY, {})
    if (lang, role) not in made:
        listed = [*PAGES, *(EDITOR_PAGES if role is not None else ()),
                  *(ADMIN_PAGES if role == "admin" else ())]
        made[lang, role] = {
            path: st.Page(path, title=t(key, lang), icon=icon, url_path=url,
                          default=url == "overview",
                          visibility="visible" if (path, key, icon, url) in listed else "hidden")
            for path, key, icon, url in [*PAGES, *EDITOR_PAGES, *ADMIN_PAGES]}
    return made[lang, role]


sessions.start()  # closed sessions' memory given back, once per server process
# One run at a time in this process, each in its turn (app_pages/turns.py): in a burst the
# first officials have their pages at once, the last no later than when all shared the core.
with turns.turn():
    try:
        catalog = cache.catalog()
    except (StoreError, Refused) as error:
        # A clear page, not a traceback; the next rerun (the button) tries the store again.
        lang = st.session_state.get("lang") or st.query_params.get("lang")
        lang = lang if lang in LANGS else "zh"
        if isinstance(error, Refused):
            st.title(t("store.refused_title", lang))
            st.error(t("app.data_problems", lang, count=len(error.problems)),
                     icon=":material/error:")
            # Metrics by their names where the folder's own metrics file can be read.
            metrics = {m.id: name(m.label, lang) for m in load(data_dir()).dataset.metrics}
            st.text("\n".join(p.located(lang, metrics) for p in error.problems))
        else:
            # What is wrong, in words; never where the store is (its URL or path): anyone may
            # open this page. The whole message is for whoever runs the server, in its log.
            logging.getLogger("civic").error("the store cannot be used: %s", error)
            key = problem_key(error)
            st.title(t(f"{key}_title", lang))
            st.error(t(f"{key}_message", lang), icon=":material/cloud_off:")
        st.button(t("store.retry", lang), key="store_retry")
        st.stop()
    options = Options.of(catalog.dataset)

    # A link opens the view it describes: read the URL once per session into the widgets.
    if "seeded" not in st.session_state:
        params = {key: st.query_params.get_all(key) for key in st.query_params}
        seeded, notices = from_query(params, options)
        st.session_state.update({
            "seeded": True,
            "notices": notices,
            "lang": seeded.lang,
            "f_dept": list(seeded.departments),
            "f_district": seeded.district,
            "f_category": seeded.category,
            "f_from": seeded.date_from,
            "f_to": seeded.date_to,
        })

    with st.sidebar:
        lang = st.segmented_control(
            t("app.language", "zh"), LANGS, key="lang",
            format_func=lambda code: {"zh": "中文", "en": "English"}[code],
        ) or "zh"
        st.header(t("filters.header", lang))
        departments = department_picker(Directory.of(catalog), lang)
        district = st.selectbox(
            t("filters.district", lang), options.districts, key="f_district", index=None,
            format_func=lambda d: name(catalog.districts[d].name, lang),
            placeholder=t("filters.all", lang), help=t("filters.district_help", lang),
        )
        category = st.selectbox(
            t("filters.category", lang), options.categories, key="f_category", index=None,
            format_func=lambda c: t(f"category.{c}", lang), placeholder=t("filters.all", lang),
        )
        # The calendars open on the data's dates, not today's: bounded by them (and any date a
        # link chose outside them).
        chosen = [d for d in (st.session_state.get("f_from"), st.session_state.get("f_to")) if d]
        first, last = date_bounds(catalog)
        bounds = {"min_value": min([first, *chosen]), "max_value": max([last, *chosen])}
        date_from = st.date_input(t("filters.from", lang), key="f_from", value=None,
                                  format="YYYY-MM-DD", **bounds)
        date_to = st.date_input(t("filters.to", lang), key="f_to", value=None, format="YYYY-MM-DD",
                                **bounds)
        if any(st.session_state.get(k) for k in FILTER_KEYS):
            st.button(t("filters.clear", lang), on_click=clear_filters, key="clear_filters_sidebar")

    filters = Filters(
        lang=lang,
        departments=tuple(departments),
        district=district,
        category=category,
        date_from=date_from,
        date_to=date_to,
    )
    if filters.date_from and filters.date_to and filters.date_to < filters.date_from:
        st.sidebar.warning(t("filters.bad_range", lang))
        st.warning(t("filters.bad_range_main", lang, start=filters.date_from.isoformat(),
                     end=filters.date_to.isoformat()), icon=":material/event_busy:")
        st.button(t("filters.swap_dates", lang), on_click=swap_dates, key="swap_dates",
                  icon=":material/swap_horiz:")
    # An indicator a link asks for (`?indicator=program/metric`, from any card) goes to the
    # indicator page's choice; the page puts it back into the URL.
    wanted = st.query_params.get(INDICATOR_PARAM)
    if wanted and wanted != st.session_state.get(LINKED_KEY):
        st.session_state[LINKED_KEY] = wanted
        st.session_state[PICK_KEY] = wanted
    st.query_params.from_dict(to_query(filters))
    # A signed-in account may preview the dashboard with the pending submissions of its departments
    # included: marked on every page, never exported, never cached.
    previewer = signed_in() if st.session_state.get(PREVIEW_KEY) else None
    pending = review.visible_pending(cache.engine(), previewer, catalog.frames.departments) \
        if previewer is not None else []
    if pending:
        catalog = review.with_pending(catalog, pending)
        st.warning(t("review.preview_banner", lang, count=len(pending)), icon=":material/preview:")
        view = View(catalog, filters)  # a preview is never kept
    else:
        view = View.of(catalog, filters)  # shared by reruns with these filters and data version
    st.session_state[VIEW_KEY] = view

    # The whole view as one file; each is built only when its button is clicked.
    with st.sidebar:
        st.header(t("export.header", lang))
        if pending:
            st.caption(t("review.preview_no_export", lang))
        elif export.browser_available():
            view_download("brief", "pdf", functools.partial(export.brief_pdf, view), "civic-brief")
            view_download("briefing", "pdf", functools.partial(export.briefing_pdf, view),
                          "civic-briefing")
            view_download("zip", "zip", functools.partial(export.zip_bytes, view), "civic-charts")
        else:
            browser_missing_note()
        # Editing is off, and the panel absent, until an account exists.
        sign_in_panel(cache.engine(), lang)
        if signed_in() is not None:
            st.toggle(t("review.preview", lang), key=PREVIEW_KEY,
                      help=t("review.preview_help", lang))

    # Notices about the link show once, on the view the link opened.
    link_notices(st.session_state.pop("notices", []), lang)

    account = signed_in()
    pages = _pages(lang, None if account is None else account.role)
    st.sidebar.caption(t("app.as_of", lang, date=format_date(view.as_of, lang)))
    st.sidebar.caption(md(t("app.caption", lang, publications=join(view.publications(), lang)
                            or "–")))
    # Every page listed: an editor's or admin's fourteen would otherwise fold after ten.
    st.session_state[REGISTERED_KEY] = pages
    try:
        st.navigation(list(pages.values()), expanded=True).run()
    finally:  # a closed tab's session (kept two minutes for a reconnect) holds no catalog
        st.session_state.pop(VIEW_KEY, None)
        st.session_state.pop(REGISTERED_KEY, None)
