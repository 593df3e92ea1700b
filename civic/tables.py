"""Display tables of a view: translated headers, numbers kept numeric with the unit in the header.

The same frames go on screen, into CSV and XLSX exports and into the briefing, so a
number is never retyped between them. A table is made once per view (`per_view`) and shared by
the reruns and sessions of that view: nobody changes a table it is given.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from civic import trends
from civic.changes import change_note, signed_change
from civic.i18n import format_date, format_period, format_unit, join, listed, name, t
from civic.metrics import kpis
from civic.models import Basis
from civic.quantities import Qualifier
from civic.view import View, per_view

# How a qualified figure is drawn: a bound as a bound, a range as a range.
BOUNDS = {
    Qualifier.AT_LEAST: "lower_bound", Qualifier.MORE_THAN: "lower_bound",
    Qualifier.MORE_THAN_ABOUT: "lower_bound", Qualifier.UP_TO: "upper_bound",
    Qualifier.NEARLY: "upper_bound", Qualifier.LESS_THAN: "upper_bound",
    Qualifier.UP_TO_ABOUT: "upper_bound", Qualifier.RANGE: "range",
}


def _col(view: View, key: str, unit: str | None = None) -> str:
    label = t(f"col.{key}", view.lang)
    return _header(view, label, unit) if unit else label


def _headed(view: View, frame: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """The columns `keys` of `frame`, in that order, under their headers in the view's language."""
    return frame[list(keys)].rename(columns={key: _col(view, key) for key in keys})


def _header(view: View, label: str, unit: str) -> str:
    """A column header with its unit: 总投资（元） / Total investment (CNY)."""
    unit_label = format_unit(unit, view.lang)
    return f"{label}（{unit_label}）" if view.lang == "zh" else f"{label} ({unit_label})"


def _with_period(view: View, row: object) -> str:
    """A figure as shown in a table cell, with the period it covers: 10亿元（2022-12）."""
    period = view.period_label(row)
    return (f"{view.quantity(row)}（{period}）" if view.lang == "zh"
            else f"{view.quantity(row)} ({period})")


def _periods(frame: pd.DataFrame) -> pd.Series:
    return frame["period"].map(format_period)


def _dates(view: View, series: pd.Series) -> pd.Series:
    return series.map(lambda d: format_date(d.date() if pd.notna(d) else None, view.lang))


def funnel(view: View, program: str, metrics: list[str]) -> pd.DataFrame:
    """Stages of a funnel (label, value, formatted text) from a program's latest figures."""
    rows = kpis(view.figures, program, metrics)
    each = list(rows.itertuples())
    return pd.DataFrame({
        "stage": [view.label(m) for m in rows["metric"]],
        "value": rows["value"].astype(float).to_numpy(),
        "text": [view.quantity(r) for r in each],
        "period": [view.period_label(r) for r in each],
    })


def _of_program(view: View, kind: str, program: str) -> pd.DataFrame:
    """A program's records of one kind (cases, relief actions…) in the view."""
    frame = view.records(kind)
    return frame[frame["program"] == program]


@per_view
def cases(view: View, program: str) -> pd.DataFrame:
    """What was done and what came of it first; who and when after."""
    frame = _of_program(view, "cases", program)
    lang = view.lang
    return pd.DataFrame({
        _col(view, "subject"): frame[f"subject_{lang}"],
        _col(view, "action"): frame[f"action_{lang}"],
        _col(view, "outcome"): frame[f"outcome_{lang}"],
        _col(view, "department"): frame["department"].map(view.department_name),
        _col(view, "participants"): frame["participants"].map(
            lambda ids: join([view.department_name(d) for d in ids], lang)),
        _col(view, "period"): _periods(frame),
    }).reset_index(drop=True)


def _unit_of(view: View, metric: str) -> str:
    """The unit a metric's figures are held in (the most common, should they differ)."""
    figures = view.catalog.frames.figures
    units = figures.loc[figures["metric"] == metric, "unit"].astype(str)
    return str(units.mode().iloc[0]) if len(units) else ""


@per_view
def projects(view: View, key_figures: tuple[str, ...]) -> pd.DataFrame:
    """One row per project: who, where, and its key figures (metric ids, in the order the page
    gives them), as numbers in the unit each is held in and as shown."""
    frame = view.records("projects")
    lang = view.lang
    products = {p.id: p.product for p in view.catalog.dataset.projects}
    groups = {p.id: p.group for p in view.catalog.dataset.projects}
    table = pd.DataFrame({
        _col(view, "project"): frame[f"name_{lang}"],
        _col(view, "developer"): frame[f"developer_{lang}"],
        _col(view, "group"): frame["project"].map(lambda p: name(groups.get(p), lang)),
        _col(view, "district"): frame["district"].map(
            lambda d: name(view.catalog.districts[d].name, lang) if d in view.catalog.districts
            else d),
        _col(view, "site"): frame[f"site_{lang}"],
    })
    table[_col(view, "product")] = frame["project"].map(
        lambda p: name(products.get(p), lang))
    for metric in key_figures:
        unit = _unit_of(view, metric)
        latest = [view.latest(p, metric) for p in frame["program"]]
        table[_header(view, view.label(metric), unit)] = pd.array(
            [float(r.value) if r is not None else None for r in latest], "Float64")
        table[f"{view.label(metric)} · {t('col.display', lang)}"] = [
            _with_period(view, r) if r is not None else "" for r in latest]
    return table.reset_index(drop=True)


def project_comparison(view: View, metrics: list[str]) -> pd.DataFrame:
    """Long table (project, metric, value, text) for comparing projects on one unit."""
    frame = view.records("projects")
    rows = []
    for project in frame.itertuples():
        for metric in metrics:
            row = view.latest(project.program, metric)
            if row is not None:
                rows.append({
                    "project": getattr(project, f"name_{view.lang}"),
                    "metric": view.label(metric),
                    "value": float(row.value),
                    "text": view.quantity(row),
                    "period": view.period_label(row),
                })
    return pd.DataFrame(rows, columns=["project", "metric", "value", "text", "period"])


@per_view
def per_area(view: View) -> pd.DataFrame:
    """The catalogue's values per area (investment and output per hectare and per 亩), one row
    per project.

    Shown as text with qualifier and unit only: these values are rounded to two significant
    figures and may be bounds, so a bare number beside them would claim more than they do.
    """
    metrics = [m.id for m in view.catalog.metrics.values()
               if m.derived is not None and m.derived.operation == "per_area"]
    frame = view.records("projects")
    table = pd.DataFrame({_col(view, "project"): frame[f"name_{view.lang}"]})
    for metric in metrics:
        rows = [view.latest(program, metric) for program in frame["program"]]
        table[view.label(metric)] = [_with_period(view, row) if row else "" for row in rows]
    return table.reset_index(drop=True)


@per_view
def departments(view: View, program: str) -> pd.DataFrame:
    """Who takes part in a program, with level and role, under translated headers."""
    frame = view.participation_table([program])
    return pd.DataFrame({
        _col(view, "department"): frame["department"],
        _col(view, "level"): frame["level"],
        _col(view, "role"): frame["role"],
    })


@per_view
def milestones(view: View) -> pd.DataFrame:
    frame = view.records("milestones")
    names = {p.id: name(p.name, view.lang) for p in view.catalog.dataset.projects}
    return pd.DataFrame({
        "date": frame["start"],
        "period": _periods(frame),
        "project": frame["project"].map(names),
        "label": frame[f"label_{view.lang}"],
        "status": frame["status"],
        "status_label": frame["status"].map(lambda s: t(f"milestone.{s}", view.lang)),
    }).reset_index(drop=True)


@per_view
def relief_actions(view: View, program: str) -> pd.DataFrame:
    frame = _of_program(view, "relief_actions", program)
    lang = view.lang
    return pd.DataFrame({
        "date": frame["date"],
        "period": _periods(frame),
        "program": frame["program"].map(view.program_name),
        "kind": frame["kind"],
        "kind_label": frame["kind"].map(lambda k: t(f"relief.{k}", lang)),
        "places": [listed(items, is_open, lang)
                   for items, is_open in zip(frame[f"places_{lang}"], frame["open_list"])],
        "supplies": [listed(items, is_open, lang)
                     for items, is_open in zip(frame[f"supplies_{lang}"], frame["open_list"])],
        "department": frame["department"].map(view.department_name),
    }).reset_index(drop=True)


@per_view
def relief_measures(view: View, program: str) -> pd.DataFrame:
    frame = _of_program(view, "relief_measures", program)
    lang = view.lang
    return pd.DataFrame({
        _col(view, "group"): frame[f"group_{lang}"],
        _col(view, "measure"): frame[f"measure_{lang}"],
        _col(view, "department"): frame["department"].map(view.department_name),
    }).reset_index(drop=True)


@per_view
def grouped(view: View, program: str, metric: str) -> pd.DataFrame:
    """A metric broken down by group (e.g. vaccine options per age group)."""
    figures = view.figures
    rows = figures[(figures["program"] == program) & (figures["metric"] == metric)
                   & figures["group_zh"].notna()]
    each = list(rows.itertuples())
    return pd.DataFrame({
        "group": rows[f"group_{view.lang}"].astype(str),
        "value": rows["value"].astype(float),
        "text": [view.quantity(r) for r in each],
        "period": [view.period_label(r) for r in each],
    }).reset_index(drop=True)


def change_text(view: View, row: object) -> str:
    """A figure's change since the previous report of its series, with since when and what it
    means, or empty for a first report: +977人次（+24.3%）（2021–2023-11-15以来新增 · ▲ 更好）."""
    change = getattr(row, "change")
    if pd.isna(change):
        return ""
    metric = str(getattr(row, "metric"))
    text = signed_change(float(change), str(getattr(row, "unit")),
                         bool(getattr(row, "change_approx")), view.lang, view.noun(metric),
                         getattr(row, "change_pct"))
    note = change_note(row, view.catalog.metrics.get(metric), view.lang)
    return f"{text}（{note}）" if view.lang == "zh" else f"{text} ({note})"


@per_view
def history(view: View, program: str, metric: str) -> pd.DataFrame:
    """A metric's reports up to the view's end date, oldest first: for its chart (`date`,
    `value`, `value_max`, `bound`, `text`, `period`) and, in words, its change (`change`)."""
    rows = view.series(program, metric)
    reports = list(rows.itertuples())
    return pd.DataFrame({
        "date": rows["date_end"],
        "value": rows["value"].astype(float),
        "value_max": rows["value_max"].astype(float),
        "bound": rows["qualifier"].map(lambda q: BOUNDS.get(Qualifier(q), "reported")),
        "text": [view.quantity(r) for r in reports],
        "period": rows["period"].astype(str).map(format_period),
        "change": [change_text(view, r) for r in reports],
    })


HISTORY_COLUMNS = ("program", "metric", "period", "display", "change")


@per_view
def histories(view: View) -> pd.DataFrame:
    """Every series of two reports or more under the view: program, metric, each report and
    its change. A sheet of the workbook and a table of the briefing."""
    parts = []
    for program in view.program_ids:
        for metric in view.program_metrics(program):
            rows = history(view, program, metric)
            if len(rows) >= 2:
                parts.append(rows.assign(program=view.program_name(program),
                                         metric=view.label(metric)))
    frame = (pd.concat(parts, ignore_index=True).rename(columns={"text": "display"}) if parts
             else pd.DataFrame(columns=HISTORY_COLUMNS))
    return _headed(view, frame, HISTORY_COLUMNS)


@per_view
def figures(view: View) -> pd.DataFrame:
    """Every figure under the filters with its source and its change since the previous
    report: the data page and its exports."""
    changes = view.catalog.histories.frame  # a change is per series, so the view's own
    order = {p: i for i, p in enumerate(view.program_ids)}
    frame = changes.loc[view.figures.index].assign(rank=view.figures["program"].astype(str).map(order)).sort_values(
        ["rank", "date"], kind="stable")
    lang = view.lang
    group = frame[f"group_{lang}"].astype("string").fillna("")
    rows = list(frame.itertuples())
    return pd.DataFrame({
        _col(view, "program"): frame["program"].astype(str).map(view.program_name),
        _col(view, "metric"): frame["metric"].astype(str).map(view.label),
        _col(view, "group"): group,
        _col(view, "display"): [view.quantity(r) for r in rows],
        _col(view, "value"): frame["value"].astype("Float64"),
        _col(view, "value_max"): frame["value_max"].astype("Float64"),
        _col(view, "unit"): frame["unit"].astype(str).map(lambda u: format_unit(u, lang)),
        _col(view, "qualifier"): frame["qualifier"].astype(str).map(
            lambda q: t(f"qualifier_word.{q}", lang)),
        _col(view, "reported"): [view.formula(r) if r.basis == Basis.DERIVED else r.reported
                                 for r in rows],
        _col(view, "basis"): frame["basis"].astype(str).map(lambda b: t(f"basis.{b}", lang)),
        _col(view, "period"): [view.period_label(r) for r in rows],
        _col(view, "change"): [change_text(view, r) for r in rows],
        _col(view, "department"): frame["department"].astype(str).map(view.department_name),
        _col(view, "source"): frame["source"].astype(str).map(
            lambda s: view.catalog.sources[s].title if lang == "zh" and s in view.catalog.sources
            else view.catalog.sources[s].title_en if s in view.catalog.sources else s),
        _col(view, "locator"): frame["locator"].astype("string").fillna(""),
    }).reset_index(drop=True)


@per_view
def sources(view: View) -> pd.DataFrame:
    """The articles the figures under the filters come from."""
    frame = view.catalog.frames.sources
    frame = frame[frame["source"].isin(view.source_ids())]
    lang = view.lang
    return pd.DataFrame({
        _col(view, "publication"): frame[f"publication_{lang}"],
        _col(view, "edition_date"): _dates(view, frame["edition_date"]),
        _col(view, "date_reported"): _dates(view, frame["date_reported"]),
        _col(view, "title"): [
            t("source.subheading", lang, title=title) if subheading else title
            for title, subheading in zip(frame["title"] if lang == "zh" else frame["title_en"],
                                         frame["subheading"])],
        _col(view, "page"): (frame["page"] if lang == "zh"
                             else frame["page_en"].fillna(frame["page"])).fillna(""),
        _col(view, "reporters"): frame["reporters"],
        _col(view, "correspondents"): frame["correspondents"],
        _col(view, "department"): frame["department"].map(
            lambda d: view.department_name(d) if isinstance(d, str) else ""),
        _col(view, "figures"): frame["source"].map(
            view.figures[view.figures["basis"] == Basis.REPORTED]["source"].astype(str)
            .value_counts()).fillna(0).astype(int),
    }).reset_index(drop=True)


@per_view
def relief_action_table(view: View, program: str) -> pd.DataFrame:
    """The relief actions as shown and exported: translated headers, no internal codes."""
    actions = relief_actions(view, program)
    return _headed(view, actions.assign(kind=actions["kind_label"]),
                   ("period", "kind", "places", "supplies", "department")).reset_index(drop=True)


REVISION_COLUMNS = ["program", "metric", "group", "now", "was", "revised_on", "revised_by", "why"]


@per_view
def revisions(view: View) -> pd.DataFrame:
    """Corrections of the figures under the filters, newest first: when, by whom, what it was.

    A deleted figure shows "–" as its value now; its earlier value stays in the audit trail.
    """
    history = view.catalog.history
    rows = []
    for change in history[history["action"] != "insert"].iloc[::-1].itertuples():
        was, now = change.before, change.after
        figure = now or was
        if figure["program"] not in view.program_ids:
            continue
        group = figure.get("group") or {}
        rows.append({
            "program": view.program_name(figure["program"]),
            "metric": view.label(figure["metric"]),
            "group": group.get(view.lang, ""),
            "now": now["reported"] if now else "–",
            "was": was["reported"],
            "revised_on": f"{format_date(change.at.date(), view.lang)} {change.at:%H:%M} UTC",
            "revised_by": change.who,
            "why": change.why,
        })
    return _headed(view, pd.DataFrame(rows, columns=REVISION_COLUMNS), REVISION_COLUMNS)


@per_view
def _sides(view: View) -> dict[str, list[str]]:
    return trends.sides(view.figures)


def compare_metrics(view: View) -> list[str]:
    """Metrics the view can compare: reported by two or more departments, districts, programs
    (projects) or groups of a breakdown."""
    return list(_sides(view))


def compare_sides(view: View, metric: str) -> list[str]:
    """The ways the view can compare `metric` (`trends.COMPARE_BY`), where two or more report."""
    return _sides(view).get(metric, [])


def _who(view: View, by: str, key: object, row: object) -> str:
    if pd.isna(key):
        return "–"
    if by == "district":
        known = view.catalog.districts.get(str(key))
        return name(known.name, view.lang) if known else str(key)
    if by == "program":
        return view.program_name(str(key))
    if by == "group":
        group = getattr(row, f"group_{view.lang}")
        return f"{view.program_name(str(getattr(row, 'program')))} · {group}"
    return view.department_name(str(key))


@per_view
def comparison(view: View, metric: str, by: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One metric across departments, districts, programs or groups, up to the view's end date:
    the figures that compare, largest first (`who`, `value`, `text`, `period`, `program`), each
    with its own period, and the rest with the reason each does not (`reason`)."""
    end = pd.Timestamp(view.filters.date_to) if view.filters.date_to else None
    figures = view.catalog.frames.figures
    result = trends.compare(figures[figures["program"].isin(view.program_ids)], metric, by, end)

    def shown(frame: pd.DataFrame) -> pd.DataFrame:
        rows = list(frame.itertuples())  # once: a pass over a wide frame costs 5–7 ms
        return pd.DataFrame({
            "who": [_who(view, by, r.side, r) for r in rows],
            "value": frame["value"].astype(float),
            "text": [view.quantity(r) for r in rows],
            "period": [view.period_label(r) for r in rows],
            "program": frame["program"].astype(str).map(view.program_name),
            "reason": [t(f"compare.reason.{r}", view.lang) if r else "" for r in frame["reason"]],
        })

    return shown(result.comparable), shown(result.not_comparable)


def comparison_table(view: View, frame: pd.DataFrame, reasons: bool = False) -> pd.DataFrame:
    """A comparison for the page and its exports, in the view's language."""
    keys = ("who", "display", "period", "program") + (("reason",) if reasons else ())
    return _headed(view, frame.rename(columns={"text": "display"}), keys)
