"""The charts of the dashboard, built for a view: pages show them, exports and the briefing reuse them.

Each function returns a titled figure, or None when the view has nothing for it.
"""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go

from civic import charts, tables
from civic.i18n import t
from civic.view import View

FUNNEL = ["experiences", "problems_found", "problems_solved"]
PROJECT_MONEY = ["total_investment", "expected_annual_output"]


@dataclass(frozen=True)
class Panel:
    """A chart with what an export needs to stand on its own: a file name, unit and sources."""

    key: str
    title: str
    unit: str
    figure: go.Figure
    sources: tuple[str, ...]


def _sources(view: View, programs: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(view.catalog.programs[p].source for p in programs))


def participation(view: View) -> Panel | None:
    kept = [p for p in view.program_ids if view.has(p)]
    frame = view.participation_table(kept)
    if frame.empty:
        return None
    title = t("overview.matrix_title", view.lang)
    fig = charts.matrix(frame, row="department", column="program", mark="role", title=title)
    return Panel("participation", title, "", fig, _sources(view, kept))


def walk_funnel(view: View, program: str) -> Panel | None:
    stages = tables.funnel(view, program, FUNNEL)
    if stages.empty:
        return None
    title = t("walk.funnel_title", view.lang)
    fig = charts.funnel(stages, stage="stage", value="value", text="text", period="period",
                        title=title, lang=view.lang)
    return Panel(f"funnel_{program}", title, "", fig, _sources(view, [program]))


def project_money(view: View) -> Panel | None:
    frame = tables.project_comparison(view, PROJECT_MONEY)
    if frame.empty:
        return None
    title = t("projects.money_title", view.lang)
    unit = t("unit_axis.cny", view.lang)
    fig = charts.bar(frame, x="project", y="value", color="metric", text="text",
                     period="period", title=title, value_title=unit, lang=view.lang)
    return Panel("projects_money", title, unit, fig, _sources(view, view.programs_in("investment")))


def project_land(view: View) -> Panel | None:
    frame = tables.project_comparison(view, ["land_area"])
    if frame.empty:
        return None
    title = t("projects.land_title", view.lang)
    unit = t("unit_axis.ha", view.lang)
    fig = charts.bar(frame, x="project", y="value", text="text", period="period", title=title,
                     value_title=unit, lang=view.lang)
    return Panel("projects_land", title, unit, fig, _sources(view, view.programs_in("investment")))


def project_milestones(view: View) -> Panel | None:
    frame = tables.milestones(view)
    if frame.empty:
        return None
    title = t("projects.milestones_title", view.lang)
    fig = charts.timeline(frame, date="date", label="label", lane="project", status="status",
                          status_label="status_label", title=title, period="period")
    return Panel("projects_milestones", title, "", fig,
                 _sources(view, view.programs_in("investment")))


def relief_timeline(view: View, program: str) -> Panel | None:
    frame = tables.relief_actions(view, program)
    if frame.empty:
        return None
    title = t("relief.timeline_title", view.lang)
    fig = charts.timeline(frame, date="date", label="kind_label", lane="program", status="kind",
                          status_label="kind_label", title=title, hover="places",
                          period="period")
    return Panel(f"relief_{program}", title, "", fig, _sources(view, [program]))


def vaccine_options(view: View, program: str) -> Panel | None:
    frame = tables.grouped(view, program, "vaccine_options")
    if frame.empty:
        return None
    title = t("flu.options_title", view.lang)
    unit = t("unit_axis.kinds", view.lang)
    fig = charts.bar(frame, x="group", y="value", text="text", period="period", title=title,
                     value_title=unit, lang=view.lang)
    return Panel(f"vaccine_options_{program}", title, unit, fig, _sources(view, [program]))


def all_panels(view: View) -> list[Panel]:
    """Every chart of the view, in page order: what the briefing and the ZIP export hold."""
    found = [participation(view)]
    found += [walk_funnel(view, p) for p in view.programs_in("government_services")]
    found += [project_money(view), project_land(view), project_milestones(view)]
    found += [relief_timeline(view, p) for p in view.programs_in("social_assistance")]
    found += [vaccine_options(view, p) for p in view.programs_in("public_health")]
    return [panel for panel in found if panel is not None]
