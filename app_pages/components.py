"""Layout pieces the pages share: KPI rows, charts and tables with their sources, empty views
(the sidebar's sign-in is in `sign_in`).

Everything computed comes from `civic`; this module only decides how it is laid out.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from civic import charts, export, panels, tables
from civic.attention import MATERIAL, TONES, Attention
from civic.departments import Directory
from civic.filters import Notice
from civic.i18n import join, labelled, name, t
from civic.models import Program, Source
from civic.panels import Panel
from civic.text import md, shorten
from civic.view import KpiCard, View

VIEW_KEY = "view"
FILTER_KEYS = ("f_dept", "f_district", "f_category", "f_from", "f_to")


def current_view() -> View:
    """The view that `dashboard.py` built for this run from the sidebar filters."""
    return st.session_state[VIEW_KEY]


def tr(key: str, **values: object) -> str:
    """A catalogue string in the current view's language."""
    return t(key, current_view().lang, **values)


# About how many characters of a KPI value fit in a tile of a three-tile row on a laptop.
TILE_CHARS = 14
# The same where nothing else (a long label on one line) needs the room: about "nearly CNY 200
# million" in a third of a laptop's page.
WIDE_TILE_CHARS = 22
# About how many ems of labels fit side by side across a row of tiles on a laptop.
ROW_LABEL_EMS = 54


def kpi_row(cards: list[KpiCard], columns: int = 3,
            badges: dict[int, str] | None = None, wrap: bool = False) -> None:
    """KPIs in bordered tiles (`kpi_tile`). Long values ("about CNY 5 billion") and long labels
    ("Time saved · Ceramics firm's approval") get fewer, wider tiles rather than being cut off
    (`wrap`: labels that may wrap onto a second line need no more room); `badges` (by
    position) puts an indicator's status and trend above its tile."""
    if not cards:
        return
    view = current_view()
    longest = max(len(card.value) for card in cards)
    derived = f" · {t('basis.derived', view.lang)}"
    widest = max(charts.text_width(card.label + (derived if card.derived else ""))
                 for card in cards)
    fit = columns * (WIDE_TILE_CHARS if wrap else TILE_CHARS) // max(longest, 1)
    columns = max(1, min(columns, fit, columns if wrap else int(ROW_LABEL_EMS // max(widest, 1))))
    for start in range(0, len(cards), columns):
        row = cards[start:start + columns]
        for number, (column, card) in enumerate(zip(st.columns(columns), row), start=start):
            with column:
                kpi_tile(card, (badges or {}).get(number, ""))


def kpi_tile(card: KpiCard, badges: str = "", link: bool = True) -> None:
    """A KPI in a bordered tile: its label (wrapped, never cut, on a phone too), value with unit
    and qualifier, its change since the previous report (colour, arrow and word), a sparkline
    from three reports, progress to a target, the period it covers beneath, provenance on
    hover, and a link to the indicator's page."""
    view = current_view()
    with st.container(border=True):
        label = card.label
        if card.derived:
            label = f"{label} · {t('basis.derived', view.lang)}"
        moved = card.movement
        # The label as text, which wraps; the metric's own label line would cut it short. An
        # indicator's status and trend (catalogue words and icons) lead it.
        st.markdown(f"{badges} :small[{md(label)}]" if badges else f":small[{md(label)}]",
                    help=md(card.provenance))
        st.metric(
            md(label),
            card.value,
            delta=moved.change or card.status_text,
            delta_color=moved.tone,
            delta_arrow=moved.arrow,
            help=md(card.provenance),
            chart_data=list(moved.trend) or None,
            label_visibility="collapsed",
        )
        if card.note:  # catalogue words, metric names and dates
            st.caption(md(card.note))
        if moved.change_note:
            # Change notes are catalogue words, periods and arrows, never free text.
            st.caption(moved.change_note)
        if moved.change and card.status_text:
            st.caption(card.status_text)
        if moved.progress is not None:
            st.progress(moved.progress, text=moved.progress_text)
        if card.period:
            # Periods are validated dates and catalogue words, never free text.
            st.caption(labelled(t("period.label", view.lang), card.period, view.lang))
        if link and card.program:
            indicator_link(card.program, card.metric)


INDICATOR_PAGE = "app_pages/indicator.py"
INDICATOR_PARAM = "indicator"
PICK_KEY = "indicator_pick"
"""The indicator page's choice."""
LINKED_KEY = "indicator_linked"
"""The `?indicator=` last taken into the choice, or written from it: a link that names another
one is new and chooses it."""


REGISTERED_KEY = "registered_pages"
"""The pages as this rerun's navigation registered them (dashboard.py), by path: a link to the
`st.Page` costs a fifth of one to its path, which Streamlit resolves on disk per link (the
overview has 25 to indicators and one a program)."""


def registered(path: str) -> Any:
    """The `st.Page` of `path` this rerun registered, or the path itself outside the app."""
    return st.session_state.get(REGISTERED_KEY, {}).get(path, path)


def indicator_link(program: str, metric: str, label: str | None = None) -> None:
    """A link to an indicator's page (drill-in), which the page reads from the URL."""
    st.page_link(registered(INDICATOR_PAGE),
                 label=label or tr("attention.open"),
                 icon=":material/query_stats:", query_params={INDICATOR_PARAM:
                                                               f"{program}/{metric}"})


def status_badges(attention: Attention, standing: str, trend: str) -> str:
    """Where an indicator stands and which way it moves as badges: icon, word and colour
    together (Okabe–Ito colours, `.streamlit/config.toml`)."""
    return f"{badge_of(attention, standing)} {badge_of(attention, trend)}"


def badge_of(attention: Attention, key: str) -> str:
    """One standing or trend as a badge: :green-badge[:material/check_circle: 达标]."""
    return f":{TONES[key]}-badge[{MATERIAL[key]} {attention.word(key)}]"


def indicator_tiles(attention: Attention, indicators: list | None = None) -> None:
    """Indicators' tiles (the view's critical ones unless given), each led by its status and
    trend and naming its program in its label."""
    shown = attention.indicators if indicators is None else indicators
    if not shown:
        st.caption(tr("attention.none"))
        return
    cards = [replace(i.card, label=f"{i.program_name} · {i.card.label}") for i in shown]
    kpi_row(cards, badges={n: status_badges(attention, i.standing, i.trend)
                           for n, i in enumerate(shown)}, wrap=True)


def reports_due(attention: Attention, rows: pd.DataFrame | None = None,
                expanded: bool = False) -> None:
    """The reports due and overdue by department, how late each is, and the last report."""
    st.caption(tr("attention.due_as_of", date=attention.as_of.isoformat()))
    departments = attention.by_department if rows is None else [
        d for d in attention.by_department if d.department in set(rows["department"])]
    if not departments:
        st.caption(tr("attention.no_due"))
        return
    for due in departments:
        icon = ":material/schedule:" if due.overdue else ":material/event:"
        with st.expander(f"{md(due.name)} · {attention.department_line(due)}", icon=icon,
                         expanded=expanded):
            # One list, one element: a browser draws each element of a first visit in turn.
            st.markdown("\n".join(f"- {md(line)}" for line in attention.due_lines[due.department]))


def what_moved(attention: Attention) -> None:
    """The largest changes since the previous report, each with its period and its trend."""
    if not attention.moved:
        st.caption(tr("attention.no_moved"))
        return
    lines = []
    for number, moved in enumerate(attention.moved, start=1):
        badge = badge_of(attention, moved.trend)
        period = labelled(tr("period.label"), moved.period, current_view().lang)
        lines.append(f"{number}. {badge} **{md(moved.label)}** {md(moved.value)} · "
                     f"{md(moved.change)} · {md(moved.change_note)} · {md(period)}")
    st.markdown("\n".join(lines))  # one numbered list


def download(kind: str, fmt: str, build: Callable[[], bytes], name: str) -> None:
    """A button for a file of what `name` shows, built only when clicked, without a rerun; the
    file's name also says which view it holds (`export.file_stem`)."""
    view = current_view()
    lang = view.lang
    st.download_button(t(f"export.{kind}", lang), data=build,
                       file_name=f"{export.file_stem(view, name)}.{fmt}",
                       mime=export.MIME[fmt], key=f"download_{name}_{kind}",
                       help=t(f"export.{kind}_help", lang), on_click="ignore",
                       icon=":material/download:", type="tertiary")


@st.fragment
def view_download(kind: str, fmt: str, build: Callable[[], bytes], name: str) -> None:
    """The whole view as one file (briefing, ZIP), made when asked.

    It is made in this session's own run, not in the server's download handler: the official
    sees it being made and, when the browser fails, what went wrong in their language; other
    sessions carry on meanwhile. A fragment, so that asking reruns only this part.
    """
    view = current_view()
    lang = view.lang
    name = export.file_stem(view, name)  # says which view the file holds
    made_key, made_for = f"made_{kind}", (name, repr(view.filters))
    if st.button(t(f"export.{kind}", lang), key=f"make_{kind}",
                 help=t(f"export.{kind}_help", lang), icon=":material/description:",
                 width="stretch"):
        st.session_state.pop(made_key, None)
        with st.spinner(t("export.preparing", lang)):
            try:
                st.session_state[made_key] = (made_for, build())
            except (export.BrowserMissing, export.ExportFailed) as error:
                st.error(export.failure_message(error, lang), icon=":material/error:")
    made = st.session_state.get(made_key)
    if made is not None and made[0] == made_for:
        st.download_button(t("export.ready", lang, file=f"{name}.{fmt}"), data=made[1],
                           file_name=f"{name}.{fmt}", mime=export.MIME[fmt],
                           key=f"download_{kind}", on_click="ignore",
                           icon=":material/download:", type="primary", width="stretch")


# Link notices show at most this much of a value, and past this many notices, one summary.
NOTICE_CHARS = 40
MAX_NOTICES = 3


def link_notices(notices: list[Notice], lang: str) -> None:
    """What a link asked for that was ignored, its values escaped and shortened."""
    if len(notices) > MAX_NOTICES:
        first = md(shorten(notices[0].value, NOTICE_CHARS))
        st.warning(t("notice.many", lang, count=len(notices), value=first),
                   icon=":material/warning:")
        return
    for notice in notices:
        st.warning(t(notice.key, lang, value=md(shorten(notice.value, NOTICE_CHARS))),
                   icon=":material/warning:")


def browser_missing_note() -> None:
    """Where image and PDF buttons would be: what to install for them."""
    st.caption(export.install_hint(current_view().lang))


def chart(panel: Panel | None) -> None:
    """A panel's chart with its downloads; nothing when the view has no data for it."""
    if panel is None:
        return
    view = current_view()
    # The title as page text, which wraps on a phone; the figure keeps its own for exports.
    st.markdown(f"**{md(panel.title)}**")  # a history or comparison names a metric from data
    st.plotly_chart(panel.page_figure, key=panel.key,
                    config={"displaylogo": False})
    images = export.browser_available()
    with st.container(horizontal=True, gap="small", vertical_alignment="center"):
        for fmt in export.IMAGE_FORMATS if images else ():
            download(fmt, fmt, functools.partial(export.chart_image, panel, view, fmt), panel.key)
        download("html", "html", functools.partial(export.chart_html, panel, view), panel.key)
    if not images:
        browser_missing_note()


def history_charts(program: str) -> None:
    """A program's metrics over time, where it has reported one more than once; a metric
    reported once is its KPI's value alone."""
    found = panels.histories(current_view(), program)
    if found:
        st.markdown(f"#### {tr('history.header')}")
    for panel in found:
        chart(panel)


def table(frame: pd.DataFrame, key: str, name: str, wrap: bool = False) -> None:
    """A table with CSV and XLSX downloads; `name` titles its sheet in the workbook.

    `wrap` sets a table of sentences-long text in full, wrapped to the page's width, rather
    than in a sortable grid that would hide its right-hand columns.
    """
    view = current_view()
    if wrap:  # st.table renders its text cells as Markdown: data is text
        st.table(_marked(frame, key), hide_index=True)
    else:
        st.dataframe(frame, key=key, hide_index=True, placeholder="–")
    with st.container(horizontal=True, gap="small"):
        download("csv", "csv", functools.partial(export.csv_bytes, frame), key)
        download("xlsx", "xlsx", lambda: export.xlsx_bytes(frame, tables.sources(view), name,
                                                           lang=view.lang), key)


def _marked(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """The table's text cells escaped for Markdown, made again only when the table is another
    frame than last time for this view and key (a kept table, `civic.tables`, is the same)."""
    slot: list = current_view().kept(("marked", key), lambda: [None])
    last = slot[0]
    if last is None or last[0] is not frame:
        last = (frame, frame.map(lambda cell: md(cell) if isinstance(cell, str) else cell))
        slot[0] = last  # one assignment: a session reading it meanwhile sees either pair
    return last[1]


def sources_caption(source_ids: list[str]) -> None:
    """The provenance line of every source a section draws on, beneath it."""
    view = current_view()
    lines = view.source_lines(source_ids)
    if lines:
        st.caption(md(labelled(t("source.label", view.lang), lines, view.lang)))


def clear_filters() -> None:
    """Every filter set to its empty value, not dropped: a dropped key leaves the browser showing
    (and sending back) the old choice."""
    st.session_state.update({key: [] if key == "f_dept" else None for key in FILTER_KEYS})


def swap_dates() -> None:
    """Puts a reversed date range the right way round."""
    state = st.session_state
    state["f_from"], state["f_to"] = state.get("f_to"), state.get("f_from")


def _toggle_department(department: str) -> None:
    chosen = [d for d in st.session_state.get("f_dept", []) if d != department]
    if st.session_state[f"dept_{department}"]:
        chosen.append(department)
    st.session_state["f_dept"] = chosen


GROUP_KEY = "dept_group_"
"""Starts the key of a department group's expander: `dept_group_city` is whether it is open."""
SEARCHED_KEY = "dept_searched"
"""The department search that last opened the groups it found in (a group the official then
closes stays closed until another search)."""


def department_picker(directory: Directory, lang: str) -> list[str]:
    """Departments by group (city, districts, enterprises), each unit under its parent, with
    a search that finds a name by its start. A parent's units show as included with it.

    The choice lives in `f_dept`, as a link seeds it and "clear" empties it. A group draws its
    departments only while it is open: the sidebar runs on every step of every page, and the
    checkboxes of closed groups were a fifth of a step's server time (docs/performance.md). A
    group opens for a department chosen in it (a link), for a new search that finds one in it,
    or when the official opens it, and stays as the official leaves it; its title, which counts
    the chosen, changes Streamlit's identity for it, so the open state is carried in its key.
    """
    st.markdown(f"**{t('filters.department', lang)}**")
    query = st.text_input(t("filters.dept_search", lang), key="dept_search",
                          placeholder=t("filters.dept_search_hint", lang))
    state = st.session_state
    chosen = list(state.get("f_dept", []))
    included = directory.included(chosen)
    new_search = bool(query.strip()) and query.strip() != state.get(SEARCHED_KEY)
    state[SEARCHED_KEY] = query.strip()
    shown = None
    if query.strip():
        found = directory.search(query)
        shown = {*found, *(a for d in found for a in directory.ancestors(d))}
        if not found:
            st.caption(t("filters.dept_none", lang, query=md(shorten(query.strip(), 40))))
    names = directory.names(lang)
    for group, entries in directory.groups(shown):
        picked = sum(e.department in included for e in entries)
        title = t(f"dept_group.{group}", lang, count=len(entries))
        if picked:
            title = f"{title} · {t('filters.dept_picked', lang, count=picked)}"
        opened = f"{GROUP_KEY}{group}"
        state[opened] = new_search or state.get(opened, picked > 0)
        box = st.expander(title, key=opened, on_change="rerun")
        if not box.open:
            continue
        with box:
            for entry in entries:
                key = f"dept_{entry.department}"
                inherited = entry.department in included and entry.department not in chosen
                state[key] = entry.department in included
                units = [names[unit] for unit in directory.units(entry.department)]
                note = md(t("filters.dept_with_units", lang, units=join(units, lang))) if units \
                    else None
                st.checkbox("└ " * entry.depth + md(names[entry.department]), key=key,
                            disabled=inherited, on_change=_toggle_department,
                            args=(entry.department,), help=note)
    return chosen


def cite_source(keys: str, words: str) -> str | Source | None:
    """The report (or plan) a write cites: a stored source chosen (its id), or a new one
    described (a `Source` to write with it), or None until one is given. `keys` starts the
    widgets' keys (`source` → `source_id`, `source_title` …), `words` their labels' catalogue
    keys (`entry.source` → `entry.source_pick` …)."""
    view = current_view()
    lang = view.lang
    modes = {m: tr(f"{words}_{m}") for m in ("existing", "new")}
    mode = st.segmented_control(tr(f"{words}_mode"), list(modes), default="existing",
                                key=f"{keys}_mode", format_func=modes.get)
    if mode == "existing":
        titles = {s.id: f"{s.edition_date} · {s.title if lang == 'zh' else s.title_en}"
                  for s in view.catalog.dataset.sources}
        return st.selectbox(tr(f"{words}_pick"), list(titles), format_func=titles.get,
                            index=None, key=f"{keys}_id", placeholder=tr("app.choose"))
    title = st.text_input(tr(f"{words}_title"), key=f"{keys}_title", max_chars=200)
    publisher = st.text_input(tr(f"{words}_publisher"), key=f"{keys}_publisher", max_chars=100)
    date = st.date_input(tr(f"{words}_date"), value=None, key=f"{keys}_date",
                         min_value=dt.date(2000, 1, 1), format="YYYY-MM-DD")
    url = st.text_input(tr(f"{words}_url"), key=f"{keys}_url", max_chars=500)
    if title.strip() and date:
        from civic import intake  # only the pages that write cite a source

        try:
            return intake.new_source(title.strip(), date, publisher, url.strip() or None)
        except ValidationError as error:
            for problem in intake.source_problems(error, lang):
                st.error(md(problem), icon=":material/error:")
    return None


def nothing_here() -> None:
    """Says plainly that the filters leave nothing here, and offers to clear them; with no
    filter set, says that the data holds nothing for the page instead."""
    if not any(st.session_state.get(key) for key in FILTER_KEYS):
        st.info(tr("empty.no_data"), icon=":material/database:")
        return
    st.info(tr("empty.message"), icon=":material/filter_alt_off:")
    st.button(tr("empty.clear"), on_click=clear_filters, key="clear_filters_empty")


def page_programs(title_key: str, *categories: str) -> list[str]:
    """A program page's header and its programs under the filters; stops when there are none."""
    view = current_view()
    page_header(title_key)
    programs = [p for category in categories for p in view.programs_in(category)]
    if not programs:
        nothing_here()
        st.stop()
    return programs


def program_heading(program_id: str) -> Program:
    """The program's name as a section heading; returns the program for the section."""
    view = current_view()
    program = view.catalog.programs[program_id]
    st.subheader(md(name(program.name, view.lang)))
    return program


def page_header(title_key: str) -> None:
    view = current_view()
    st.title(tr(title_key))
    st.caption(md(labelled(tr("context.label"), view.context(), view.lang)))
    if view.filters.date_from or view.filters.date_to:
        st.caption(tr("dates.note"))


# Which page tells a program's story, by its category.
PAGE_OF_CATEGORY = {
    "government_services": "app_pages/leaders_walk.py",
    "investment": "app_pages/projects.py",
    "social_assistance": "app_pages/winter_relief.py",
    "public_health": "app_pages/flu.py",
}
COMMUNITY_PAGE = "app_pages/community.py"


def program_page(category: str) -> str:
    return PAGE_OF_CATEGORY.get(category, COMMUNITY_PAGE)
