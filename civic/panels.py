"""The charts of the dashboard, built for a view: pages show them, exports and the briefing reuse them.

Each function returns a titled figure, or None when the view has nothing for it. A panel is
built once per view and arguments and kept with the view (`View.kept`): a view is shared by
every rerun with the same filters and data version (`View.of`), so a rerun builds no figure and
pays none of Plotly's checks; a new data version is a new catalog, hence new views and charts.
Nobody changes a kept figure: the page draws a copy (`Panel.page_figure`), exports their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import pandas as pd
import plotly.graph_objects as go

from civic import charts, tables
from civic.i18n import format_unit, t
from civic.metrics import target_in
from civic.models import Category
from civic.view import View, per_view


@dataclass(frozen=True)
class Panel:
    """A chart with what an export needs to stand on its own: a file name, unit and sources."""

    key: str
    title: str
    unit: str
    figure: go.Figure
    sources: tuple[str, ...]

    @cached_property
    def page_figure(self) -> go.Figure:
        """The figure as a page draws it (its title as page text: `charts.untitled`), made once."""
        return charts.untitled(self.figure)


def _sources(view: View, programs: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(view.catalog.programs[p].source for p in programs))


@per_view
def participation(view: View) -> Panel | None:
    kept = [p for p in view.program_ids if view.has(p)]
    frame = view.participation_table(kept)
    if frame.empty:
        return None
    title = t("overview.matrix_title", view.lang)
    fig = charts.matrix(frame, row="department", column="program", mark="role", title=title)
    return Panel("participation", title, "", fig, _sources(view, kept))


def _project_metrics(view: View, dimension: str) -> list[str]:
    """The projects' key figures of one dimension (money, area), in the catalogue's order."""
    return [m.id for m in view.catalog.metrics.values()
            if m.project is not None and m.dimension == dimension]


@per_view
def funnel(view: View, program: str) -> Panel | None:
    """The program's funnel of the catalogue (found → solved), None where it has none."""
    known = view.catalog.programs.get(program)
    stages = tables.funnel(view, program, known.funnel) if known and known.funnel else None
    if stages is None or stages.empty:
        return None
    title = t("walk.funnel_title", view.lang)
    fig = charts.funnel(stages, stage="stage", value="value", text="text", period="period",
                        title=title, lang=view.lang)
    return Panel(f"funnel_{program}", title, "", fig, _sources(view, [program]))


def _project_bars(view: View, dimension: str, name: str, unit_key: str,
                  color: str | None = None) -> Panel | None:
    """The projects' key figures of one dimension side by side, on the axis `unit_key` says."""
    frame = tables.project_comparison(view, _project_metrics(view, dimension))
    if frame.empty:
        return None
    title = t(f"projects.{name}_title", view.lang)
    unit = t(unit_key, view.lang)
    fig = charts.bar(frame, x="project", y="value", color=color, text="text", period="period",
                     title=title, value_title=unit, lang=view.lang)
    return Panel(f"projects_{name}", title, unit, fig,
                 _sources(view, view.programs_in(Category.INVESTMENT)))


@per_view
def project_money(view: View) -> Panel | None:
    return _project_bars(view, "money", "money", "unit_axis.cny", color="metric")


@per_view
def project_land(view: View) -> Panel | None:
    return _project_bars(view, "area", "land", "unit_axis.ha")


@per_view
def project_milestones(view: View) -> Panel | None:
    frame = tables.milestones(view)
    if frame.empty:
        return None
    title = t("projects.milestones_title", view.lang)
    fig = charts.timeline(frame, date="date", label="label", lane="project", status="status",
                          status_label="status_label", title=title, period="period")
    return Panel("projects_milestones", title, "", fig,
                 _sources(view, view.programs_in(Category.INVESTMENT)))


@per_view
def relief_timeline(view: View, program: str) -> Panel | None:
    frame = tables.relief_actions(view, program)
    if frame.empty:
        return None
    title = t("relief.timeline_title", view.lang)
    fig = charts.timeline(frame, date="date", label="kind_label", lane="program", status="kind",
                          status_label="kind_label", title=title, hover="places",
                          period="period")
    return Panel(f"relief_{program}", title, "", fig, _sources(view, [program]))


@per_view
def breakdown(view: View, program: str) -> Panel | None:
    """The program's metric reported in parts (vaccine options by age), part by part."""
    known = view.catalog.programs.get(program)
    metric = known.breakdown if known else None
    frame = tables.grouped(view, program, metric) if metric else None
    if frame is None or frame.empty:
        return None
    title = t(f"breakdown.{metric}.title", view.lang)
    unit = t(f"breakdown.{metric}.axis", view.lang)
    fig = charts.bar(frame, x="group", y="value", text="text", period="period", title=title,
                     value_title=unit, lang=view.lang)
    return Panel(f"{metric}_{program}", title, unit, fig, _sources(view, [program]))


@per_view
def comparison(view: View, metric: str, by: str) -> Panel | None:
    """One metric across departments or districts, largest first: only figures that compare."""
    frame, _ = tables.comparison(view, metric, by)
    if frame.empty:
        return None
    label = view.label(metric)
    title = t("compare.title", view.lang, metric=label, by=t(f"compare.by.{by}", view.lang))
    fig = charts.bar(frame, x="who", y="value", text="text", period="period", title=title,
                     value_title=label, lang=view.lang, horizontal=True)
    programs = list(dict.fromkeys(p for p in view.program_ids if view.has(p)))
    units = {u for u in view.catalog.frames.figures.loc[
        view.catalog.frames.figures["metric"] == metric, "unit"].astype(str)}
    unit = format_unit(units.pop(), view.lang) if len(units) == 1 else ""
    return Panel(f"compare_{metric}_{by}", title, unit, fig, _sources(view, programs))


@per_view
def history(view: View, program: str, metric: str, least: int = 2) -> Panel | None:
    """A metric's reports over time, with its targets; None for fewer than `least` reports (on
    a program page a single value says it all; an indicator's page charts one beside its
    target)."""
    if len(view.series(program, metric)) < max(least, 1):
        return None
    frame = tables.history(view, program, metric)
    label = view.label(metric)
    title = t("history.title", view.lang, metric=label)
    unit = str(view.series(program, metric)["unit"].iloc[-1])
    targets = [(value, pd.Timestamp(g.period.start), pd.Timestamp(g.period.end))
               for g in view.catalog.targets.get((program, metric), [])
               if (value := target_in(unit, g)) is not None]
    names = {kind: t(f"history.{kind}", view.lang)
             for kind in ("reported", "lower_bound", "upper_bound", "range")}
    fig = charts.history(frame, date="date", value="value", value_max="value_max", bound="bound",
                         text="text", title=title, value_title=label, lang=view.lang,
                         names=names, targets=targets,
                         target_label=t("history.target", view.lang))
    return Panel(f"history_{program}_{metric}", title, format_unit(unit, view.lang), fig,
                 _sources(view, [program]))


@per_view
def histories(view: View, program: str) -> list[Panel]:
    """A history chart for each of a program's headline metrics, then for any other metric
    it has reported more than once."""
    known = view.catalog.programs.get(program)
    metrics = dict.fromkeys([*(known.headline if known else []), *view.program_metrics(program)])
    return [panel for metric in metrics if (panel := history(view, program, metric))]


def all_panels(view: View) -> list[Panel]:
    """Every chart of the view, in page order: what the briefing and the ZIP export hold."""
    found = [participation(view)]
    found += [funnel(view, p) for p in view.program_ids if view.has(p)]
    found += [project_money(view), project_land(view), project_milestones(view)]
    found += [relief_timeline(view, p) for p in view.programs_in(Category.SOCIAL_ASSISTANCE)]
    found += [breakdown(view, p) for p in view.program_ids if view.has(p)]
    found += [panel for p in view.program_ids if view.has(p) for panel in histories(view, p)]
    return [panel for panel in found if panel is not None]
