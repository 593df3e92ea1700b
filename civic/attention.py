"""What needs attention in a view: where each critical indicator stands against its target and
which way it moves, what moved most since the previous report, and which reports are due or
overdue, by department. The overview's first screen, the leader's brief and the department home
read it; it is made once per data version, view and day (`Catalog.kept`).

Standing (`civic.metrics.Standing`): on track, at risk, off track or no target. Trend, from the
last change: improving or worsening where the metric says which way is good (a move of at most
`STABLE_SHARE` is stable), changed where it does not say, none for a single report. Both are
shown by icon, word and colour together (`ICONS`, `TONES`: Okabe–Ito), never by colour alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from civic.cards import KpiCard
from civic.i18n import format_number, t
from civic.metrics import Standing, standing
from civic.models import Metric, Target, owning_department
from civic.reporting import OVERDUE, beijing_today
from civic.view import View

STABLE_SHARE = 0.01
"""A change of at most this share of the previous report is stable."""
MOVED = 5
"""How many of the largest changes "what moved" lists."""


class Trend:
    IMPROVING, STABLE, WORSENING, CHANGED, SINGLE = (
        "improving", "stable", "worsening", "changed", "single")
    ORDER = (WORSENING, CHANGED, SINGLE, STABLE, IMPROVING)
    """Attention first: a worsening indicator before a stable one."""


ICONS = {
    Standing.ON_TRACK: "✓", Standing.AT_RISK: "⚠", Standing.OFF_TRACK: "×",
    Standing.NO_TARGET: "○", Trend.IMPROVING: "↑", Trend.STABLE: "→", Trend.WORSENING: "↓",
    Trend.CHANGED: "↕", Trend.SINGLE: "·",
}
"""Text icons, drawn by the PDF's fonts too (WenQuanYi Zen Hei, Noto Sans CJK SC)."""
MATERIAL = {
    Standing.ON_TRACK: ":material/check_circle:", Standing.AT_RISK: ":material/warning:",
    Standing.OFF_TRACK: ":material/cancel:", Standing.NO_TARGET: ":material/radio_button_unchecked:",
    Trend.IMPROVING: ":material/arrow_upward:", Trend.STABLE: ":material/arrow_forward:",
    Trend.WORSENING: ":material/arrow_downward:", Trend.CHANGED: ":material/swap_vert:",
    Trend.SINGLE: ":material/more_horiz:",
}
"""The same icons as the dashboard draws them (Material Symbols ship with Streamlit)."""
TONES = {
    Standing.ON_TRACK: "green", Standing.AT_RISK: "orange", Standing.OFF_TRACK: "red",
    Standing.NO_TARGET: "gray", Trend.IMPROVING: "blue", Trend.STABLE: "gray",
    Trend.WORSENING: "orange", Trend.CHANGED: "gray", Trend.SINGLE: "gray",
}
"""Streamlit's colour names, set to the Okabe–Ito palette in .streamlit/config.toml."""
HEX = {"green": "#009E73", "orange": "#E69F00", "red": "#D55E00", "blue": "#0072B2",
       "gray": "#666666"}
"""The same colours for the brief (Okabe–Ito; grey for what carries no judgement)."""


def trend_of(row: object, metric: Metric | None) -> str:
    """Improving, stable, worsening or changed from a report's change (`trends.with_changes`);
    single where it has none."""
    change = getattr(row, "change", None)
    if change is None or pd.isna(change):
        return Trend.SINGLE
    share = getattr(row, "change_pct")
    small = float(change) == 0 or (not pd.isna(share) and abs(float(share)) <= STABLE_SHARE * 100)
    higher = metric.higher_is_better if metric else None
    if small:
        return Trend.STABLE
    if higher is None:
        return Trend.CHANGED
    return Trend.IMPROVING if (float(change) > 0) == higher else Trend.WORSENING


@dataclass(frozen=True)
class Indicator:
    """A critical indicator as the first screen shows it: its card (value, period, change,
    the date a calculated value is for), where it stands and which way it moves."""

    program: str
    metric: str
    program_name: str
    card: KpiCard
    standing: Standing
    trend: str
    target: Target | None
    department: str

    @property
    def attention(self) -> tuple[int, int]:
        return (list(Standing).index(self.standing), Trend.ORDER.index(self.trend))


@dataclass(frozen=True)
class Moved:
    """One of the largest changes since the previous report."""

    program: str
    metric: str
    label: str
    value: str
    period: str
    change: str
    change_note: str
    trend: str
    share: float | None


@dataclass(frozen=True)
class DepartmentDue:
    """A department's reports due and overdue."""

    department: str
    name: str
    overdue: int
    due: int
    most_late: int
    last_reported: dt.date
    """The day the department's newest report (of any indicator) ends."""
    rows: pd.DataFrame


class Attention:
    """What needs attention in `view` on `today` (Beijing time): made once per data version,
    view and day by `of`."""

    def __init__(self, view: View, today: dt.date):
        self.view = view
        self.today = today

    @classmethod
    def of(cls, view: View, today: dt.date | None = None) -> Attention:
        today = today or beijing_today()
        return view.catalog.kept(("attention", view.filters, today), lambda: cls(view, today))

    @property
    def as_of(self) -> dt.date:
        """The day reports are judged due by: today, or the view's end date before it."""
        end = self.view.filters.date_to
        return min(self.today, end) if end else self.today

    def critical_metrics(self, program: str) -> list[str]:
        """A program's critical metrics: its headline order first, then the catalogue's."""
        catalog = self.view.catalog
        flagged = [m.id for m in catalog.dataset.metrics if m.critical]
        headline = catalog.programs[program].headline
        return [m for m in headline if m in flagged] + [m for m in flagged if m not in headline]

    def indicator(self, program_id: str, metric_id: str) -> Indicator | None:
        """One indicator of the view with where it stands and which way it moves; None where
        the view holds no report of it."""
        view = self.view
        cards = view.cards(program_id, [metric_id])
        last = view.newest(program_id, metric_id)
        if not cards or last is None:
            return None
        program, metric = view.catalog.programs[program_id], view.catalog.metrics.get(metric_id)
        target = view.catalog.target(program_id, metric_id, last.date_end)
        return Indicator(program_id, metric_id, view.program_name(program_id), cards[0],
                         standing(float(last.value), target, str(last.unit)),
                         trend_of(last, metric), target,
                         owning_department(program, metric) if metric else program.lead)

    def ranked(self, pairs: list[tuple[str, str]]) -> list[Indicator]:
        """These (program, metric) as indicators, attention first (off track, at risk, then
        worsening …), then in the order given."""
        found = [i for program, metric in pairs if (i := self.indicator(program, metric))]
        return sorted(found, key=lambda i: i.attention)

    @cached_property
    def indicators(self) -> list[Indicator]:
        """Every critical indicator of the view with a report, attention first, then in the
        pages' order."""
        view = self.view
        return self.ranked([(p, m) for p in view.program_ids if view.has(p)
                            for m in self.critical_metrics(p)])

    @cached_property
    def moved(self) -> list[Moved]:
        """The largest changes of the view's indicators since their previous report, by share
        of the previous value (changes from zero after), each with its period."""
        view = self.view
        frame = view.catalog.histories.frame
        rows = frame[frame["program"].isin(view.program_ids) & frame["group_zh"].isna()]
        if view.filters.date_to:
            rows = rows[rows["date_end"] <= pd.Timestamp(view.filters.date_to)]
        if view.filters.date_from:
            rows = rows[rows["date_end"] >= pd.Timestamp(view.filters.date_from)]
        last = rows.groupby(["program", "metric"], observed=True, sort=False).tail(1)
        last = last[last["change"].notna() & (last["change"] != 0)]
        last = last.assign(rank=last["change_pct"].abs().astype(float).fillna(float("inf")))
        found = []
        for row in last.sort_values("rank", ascending=False, kind="stable").head(MOVED) \
                .itertuples():
            program, metric = str(row.program), str(row.metric)
            cards = view.cards(program, [metric])
            if not cards:
                continue
            card = cards[0]
            share = None if pd.isna(row.change_pct) else float(row.change_pct)
            found.append(Moved(program, metric, f"{view.program_name(program)} · {card.label}",
                               card.value, card.period, card.movement.change,
                               card.movement.change_note,
                               trend_of(row, view.catalog.metrics.get(metric)), share))
        return found

    @cached_property
    def due(self) -> pd.DataFrame:
        """The view's reports due and overdue (`civic.reporting.COLUMNS`), most late first."""
        frame = self.view.catalog.calendar.due(self.as_of)
        return frame[frame["program"].isin(self.view.program_ids)].reset_index(drop=True)

    @cached_property
    def due_lines(self) -> dict[str, list[str]]:
        """Each department's reports due as `report_line`s, worded once per view and day."""
        return {due.department: [self.report_line(row) for row in due.rows.itertuples()]
                for due in self.by_department}

    @cached_property
    def by_department(self) -> list[DepartmentDue]:
        """The reports due and overdue grouped by the department that owes them, the most
        late first."""
        found = []
        for department, rows in self.due.groupby("department", sort=False):
            found.append(DepartmentDue(
                str(department), self.view.department_name(str(department)),
                int((rows["status"] == OVERDUE).sum()), int((rows["status"] != OVERDUE).sum()),
                int(rows["days_overdue"].max()),
                self.view.catalog.calendar.last_report(str(department), self.as_of)
                or max(rows["last_reported"]),
                rows.reset_index(drop=True)))
        return found

    # --- in words ------------------------------------------------------------------------------

    def word(self, key: str) -> str:
        """A standing or trend in words: 达标 / On track."""
        return t(f"attention.{key}", self.view.lang)

    def headline(self) -> str:
        """MMR-style: how many critical indicators improved or stable, of those with two
        reports; how many have a single report; how many have a target."""
        lang, shown = self.view.lang, self.indicators
        moving = [i for i in shown if i.trend not in (Trend.SINGLE, Trend.CHANGED)]
        good = [i for i in moving if i.trend in (Trend.IMPROVING, Trend.STABLE)]
        single = sum(i.trend == Trend.SINGLE for i in shown)
        targeted = [i for i in shown if i.target is not None]
        parts = [t("attention.headline", lang, good=len(good), total=len(moving),
                   critical=len(shown))]
        if single:
            parts.append(t("attention.headline_single", lang, count=single))
        if targeted:
            on = sum(i.standing is Standing.ON_TRACK for i in targeted)
            parts.append(t("attention.headline_targets", lang, on=on, total=len(targeted)))
        else:
            parts.append(t("attention.headline_no_targets", lang))
        return ("；" if lang == "zh" else "; ").join(parts)

    def due_summary(self) -> str:
        """The reports overdue in one sentence: how many, from how many departments, the
        oldest, and how long since the newest report of those departments."""
        late = [d for d in self.by_department if d.overdue]
        if not late:
            return t("attention.due_summary_none", self.view.lang)
        newest = max(d.last_reported for d in late)
        return t("attention.due_summary", self.view.lang, overdue=sum(d.overdue for d in late),
                 departments=len(late), late=self.late(max(d.most_late for d in late)),
                 newest=newest.isoformat(), ago=self.ago(newest))

    def ago(self, day: dt.date) -> str:
        """How long ago `day` was, roughly: 约3年前 / about 3 years ago."""
        days = (self.as_of - day).days
        lang = self.view.lang
        if days >= 365:
            return t("attention.years_ago", lang,
                     count=format_number(round(days / 365.25, 1 if days < 730 else 0), lang, 1))
        if days >= 60:
            return t("attention.months_ago", lang, count=round(days / 30.44))
        return t("attention.days_ago", lang, count=days)

    def late(self, days: int) -> str:
        """How late a report is, or how long it has left: 逾期964天 / 964 days late."""
        lang = self.view.lang
        if days > 0:
            return t("attention.days_late", lang, count=format_number(days, lang, 0))
        return t("attention.days_left", lang, count=format_number(-days, lang, 0))

    def department_parts(self, due: DepartmentDue) -> list[str]:
        """A department's reports in words: how many overdue and due, how late, its last
        report."""
        lang = self.view.lang
        parts = []
        if due.overdue:
            parts.append(t("attention.overdue_count", lang, count=due.overdue,
                           late=self.late(due.most_late)))
        if due.due:
            parts.append(t("attention.due_count", lang, count=due.due))
        parts.append(t("attention.last_report", lang, date=due.last_reported.isoformat(),
                       ago=self.ago(due.last_reported)))
        return parts

    def department_line(self, due: DepartmentDue) -> str:
        """`department_parts` in one line."""
        return ("；" if self.view.lang == "zh" else "; ").join(self.department_parts(due))

    def report_line(self, row: object) -> str:
        """One expected report: program · indicator, its period, due date and how late."""
        view = self.view
        return t("attention.report", view.lang,
                 what=f"{view.program_name(row.program)} · {view.label(row.metric)}",
                 period=row.period, due=row.due.isoformat(), late=self.late(row.days_overdue),
                 last=row.last_reported.isoformat())
