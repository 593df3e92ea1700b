"""One indicator in full, for its page: what it measures and how (its definition in words, unit,
desired direction, reporting calendar and owner), its targets and progress, and every report with
its period, value, change, source and the owning department's commentary.

An indicator is a program's metric; its key in links is `program/metric`.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from civic.i18n import format_period, format_quantity, format_unit, join, name, t
from civic.metrics import standing
from civic.models import Basis, Cadence, Commentary, Metric, owning_department
from civic.tables import change_text
from civic.view import View


def key(program: str, metric: str) -> str:
    return f"{program}/{metric}"


def parse(text: str | None, view: View) -> tuple[str, str] | None:
    """(program, metric) of a link's `program/metric`, where the catalogue knows both."""
    if not text or text.count("/") != 1:
        return None
    program, metric = text.split("/")
    known = view.catalog
    return (program, metric) if program in known.programs and metric in known.metrics else None


def choices(view: View) -> dict[str, str]:
    """Every indicator the view holds a report of, by key, named `program · metric`, in the
    pages' order."""
    figures = view.figures
    found = {}
    for program in view.program_ids:
        for metric in dict.fromkeys(figures.loc[figures["program"] == program, "metric"]
                                    .astype(str)):
            found[key(program, metric)] = f"{view.program_name(program)} · {view.label(metric)}"
    return found


def owner(view: View, program: str, metric: str) -> str:
    return owning_department(view.catalog.programs[program], view.catalog.metrics[metric])


def _formula(view: View, metric: Metric) -> str:
    """How a calculated metric is calculated, in words: 解决问题 ÷ 查找问题 × 100."""
    how = metric.derived
    names = [view.label(m) for m in how.inputs]
    if how.operation == "ratio":
        text = f"{names[0]} ÷ {names[1]}" + (f" × {how.scale:g}" if how.scale != 1 else "")
    elif how.operation == "difference":
        text = f"{names[0]} − {names[1]}"
    elif how.operation == "sum":
        text = " + ".join(names)
    else:
        text = f"{names[0]} ÷ {names[1]}（{format_unit(how.area_unit, view.lang)}）" \
            if view.lang == "zh" else f"{names[0]} ÷ {names[1]} ({format_unit(how.area_unit, 'en')})"
    return t("indicator.calculated", view.lang, formula=text)


def definition(view: View, program: str, metric: str) -> list[tuple[str, str]]:
    """What the indicator is, as (label, text) lines: what it measures and in which unit, how
    it is obtained, which way is good, how often it is reported and by whom, and whether it is a
    critical indicator."""
    lang, known = view.lang, view.catalog.metrics[metric]
    rows = view.catalog.frames.figures
    rows = rows[(rows["program"] == program) & (rows["metric"] == metric)]
    units = [format_unit(u, lang) for u in dict.fromkeys(rows["unit"].astype(str))]
    measured = view.label(metric) + (f"（{name(known.noun, lang)}）" if known.noun and lang == "zh"
                                     else f" ({name(known.noun, lang)})" if known.noun else "")
    how = _formula(view, known) if known.derived else t("indicator.reported", lang)
    if known.cumulative:
        how = f"{how}{'；' if lang == 'zh' else '; '}{t('indicator.cumulative', lang)}"
    direction = {True: "higher", False: "lower", None: "neither"}[known.higher_is_better]
    if known.cadence is None:
        calendar = t("indicator.no_cadence", lang)
    elif known.cadence is Cadence.ONCE:
        calendar = t("indicator.cadence.once", lang)
    else:
        calendar = t("indicator.due_after", lang, cadence=t(f"indicator.cadence.{known.cadence}",
                                                            lang), days=known.due_days)
    lines = [(t("indicator.measures", lang), measured),
             (t("col.unit", lang), join(units, lang) or "–"),
             (t("indicator.how", lang), how),
             (t("indicator.direction", lang), t(f"indicator.direction.{direction}", lang)),
             (t("indicator.calendar", lang), calendar),
             (t("attention.owner", lang), view.department_name(owner(view, program, metric))),
             (t("indicator.critical", lang),
              t("indicator.yes" if known.critical else "indicator.no", lang))]
    return lines


def next_report(view: View, program: str, metric: str, as_of: dt.date) -> str:
    """When the next report is due, in words; empty where none is expected."""
    for expected in view.catalog.calendar.expected(as_of):
        if (expected.program, expected.metric) == (program, metric):
            late = (as_of - expected.due).days
            return t("indicator.next", view.lang, period=expected.period,
                     due=expected.due.isoformat(),
                     late=t("attention.days_late", view.lang, count=late) if late > 0 else "")
    return ""


def targets(view: View, program: str, metric: str) -> pd.DataFrame:
    """The indicator's targets: period, value, at least or at most, the plan, and where the
    report in force for each stands (progress, standing)."""
    lang = view.lang
    series = view.series(program, metric)
    rows = []
    for target in view.catalog.targets.get((program, metric), []):
        unit = target.unit or (str(series["unit"].iloc[-1]) if len(series) else "")
        reached = series[series["date_end"] <= pd.Timestamp(target.period.end)]
        last = next(reached.tail(1).itertuples(), None) if len(reached) else None
        where = standing(float(last.value), target, str(last.unit)) if last is not None else None
        source = view.catalog.sources.get(target.source)
        rows.append({
            "period": format_period(target.period.text),
            "target": format_quantity(target.value, unit, "exact", lang) if unit else
            f"{target.value:g}",
            "direction": t("indicator.at_least" if target.at_least else "indicator.at_most",
                           lang),
            "plan": (source.title if lang == "zh" else source.title_en) if source else
            target.source,
            "standing": t(f"attention.{where}", lang) if where else "–",
            "last": view.quantity(last) if last is not None else "–"})
    columns = {"period": "col.period", "target": "attention.target",
               "direction": "indicator.target_direction", "plan": "indicator.plan",
               "standing": "attention.standing", "last": "indicator.last_value"}
    frame = pd.DataFrame(rows, columns=list(columns))
    return frame.rename(columns={c: t(k, lang) for c, k in columns.items()})


def commentaries(view: View, program: str, metric: str) -> dict[str, Commentary]:
    """The indicator's commentaries, by the period of the report they are about."""
    return {c.period.text: c for c in view.catalog.dataset.commentaries
            if (c.program, c.metric) == (program, metric)}


def reports(view: View, program: str, metric: str) -> pd.DataFrame:
    """Every report of the indicator up to the view's end date, newest first: its period,
    value, change since the previous one, basis, source (article and locating phrase) and the
    owning department's commentary (in the view's language where given, else marked as in the
    other)."""
    lang = view.lang
    figures = view.catalog.histories.frame
    rows = figures[(figures["program"] == program) & (figures["metric"] == metric)]
    if view.filters.date_to:
        rows = rows[rows["date_end"] <= pd.Timestamp(view.filters.date_to)]
    said = commentaries(view, program, metric)
    group = f"group_{lang}"
    records = []
    for row in rows.iloc[::-1].itertuples():
        commentary = said.get(str(row.period)) if pd.isna(row.group_zh) else None
        text = ""
        if commentary is not None:
            text = commentary.text(lang)
            if not (commentary.zh if lang == "zh" else commentary.en):
                text = t("indicator.other_language", lang, text=text)
        source = view.catalog.sources.get(str(row.source))
        title = (source.title if lang == "zh" else source.title_en) if source else str(row.source)
        locator = row.locator if isinstance(row.locator, str) else ""
        records.append({
            "period": view.period_label(row),
            "group": getattr(row, group) if isinstance(getattr(row, group), str) else "",
            "value": view.quantity(row),
            "change": change_text(view, row),
            "basis": t(f"basis.{row.basis}", lang) + (f" · {view.formula(row)}"
                                                     if row.basis == Basis.DERIVED else ""),
            "source": f"{title} · “{locator}”" if locator else title,
            "commentary": text})
    columns = {"period": "col.period", "group": "col.group", "value": "col.display",
               "change": "change.label", "basis": "col.basis", "source": "col.source",
               "commentary": "indicator.commentary"}
    frame = pd.DataFrame(records, columns=list(columns))
    if not frame["group"].astype(bool).any():
        frame = frame.drop(columns="group")
        del columns["group"]
    return frame.rename(columns={c: t(k, lang) for c, k in columns.items()})


def report_periods(view: View, program: str, metric: str) -> list[str]:
    """The periods of the indicator's ungrouped reports, newest first: what a commentary is
    about."""
    series = view.series(program, metric)
    return list(dict.fromkeys(series["period"].astype(str).iloc[::-1]))
