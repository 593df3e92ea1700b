"""One filtered view: the programs, figures and records under the current filters.

Pages, the briefing and `civic export` all build the same `View`, so what is exported is
exactly what is on screen.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from functools import cached_property

import pandas as pd

from civic import filters as flt
from civic.catalog import Catalog
from civic.changes import Movement, movement
from civic.i18n import format_date, format_period, format_quantity, join, name, source_line, t
from civic.metrics import Status, derived_figures, status
from civic.models import Advisory, Basis, LocalText, span_text
from civic.quantities import Qualifier
from civic.view_index import DATED as _DATED
from civic.view_index import ViewIndex


def date_bounds(catalog: Catalog) -> tuple[dt.date, dt.date]:
    """The first and last date the data refers to, planned milestones included: the range
    the date pickers offer, so that they open near the data. Today where nothing is dated."""
    frames = catalog.frames
    dates = [frames.figures["date"], frames.figures["date_end"]]
    for kind, columns in _DATED.items():
        frame = getattr(frames, kind)
        dates += [frame[c] for c in columns if c]
    found = pd.concat(dates).dropna()
    if found.empty:
        return dt.date.today(), dt.date.today()
    return found.min().date(), found.max().date()


# What a sum may claim, by the qualifiers of its parts: bounds add up only with exact parts or
# bounds of the same side; a lower bound plus an upper bound claims nothing, and is not summed.
_SUM_QUALIFIERS = [
    ({Qualifier.EXACT}, Qualifier.EXACT),
    ({Qualifier.EXACT, Qualifier.AT_LEAST, Qualifier.MORE_THAN}, Qualifier.AT_LEAST),
    ({Qualifier.EXACT, Qualifier.UP_TO, Qualifier.NEARLY, Qualifier.LESS_THAN}, Qualifier.UP_TO),
    ({Qualifier.EXACT, Qualifier.ABOUT, Qualifier.NEARLY}, Qualifier.ABOUT),
]


def sum_qualifier(qualifiers: list[str]) -> Qualifier | None:
    """The qualifier of a sum of figures, or None where the parts cannot be added honestly."""
    kinds = {Qualifier(q) for q in qualifiers}
    return next((result for allowed, result in _SUM_QUALIFIERS if kinds <= allowed), None)


WALK_METRICS = ["experiences", "problems_found", "problems_solved", "solution_rate",
                "problems_not_reported_solved", "menu_departments", "menu_items"]
PROJECT_TOTALS = ["total_investment", "expected_annual_output", "land_area", "jobs",
                  "enterprises_expected"]


@dataclass(frozen=True)
class KpiCard:
    """A KPI ready to show: label, value with unit and qualifier, provenance, status.

    `period` is the time the value covers, in words; `beyond` says it reaches past the
    chosen dates, so the value is not the chosen dates' own. `movement` is its change since
    the previous report, sparkline and progress against a target (empty for one report).
    """

    program: str
    metric: str
    label: str
    value: str
    derived: bool
    provenance: str
    status: Status | None = None
    status_text: str | None = None
    period: str = ""
    beyond: bool = False
    movement: Movement = Movement()


@dataclass(frozen=True)
class View:
    catalog: Catalog
    filters: flt.Filters

    @property
    def lang(self) -> str:
        return self.filters.lang

    @cached_property
    def program_ids(self) -> list[str]:
        frames = self.catalog.frames
        return flt.matching_programs(self.filters, frames.programs, frames.participation,
                                     frames.departments)

    @cached_property
    def _kept(self) -> frozenset[str]:
        return frozenset(self.program_ids)

    @cached_property
    def figures(self) -> pd.DataFrame:
        return flt.select(self.catalog.frames.figures, self.filters, self.program_ids,
                          "date", "date_end")

    @cached_property
    def _records(self) -> dict[str, pd.DataFrame]:
        return {}  # filled by `records`, once per kind

    @cached_property
    def index(self) -> ViewIndex:
        return ViewIndex(self.figures, {kind: self.records(kind) for kind in _DATED},
                         self.catalog.as_of)

    def records(self, kind: str) -> pd.DataFrame:
        """A record frame (events, cases, projects, …) narrowed to this view.

        Undated records (projects, measures) go with their program: shown while it has
        something under the filters.
        """
        if kind not in self._records:
            frame = getattr(self.catalog.frames, kind)
            if kind in _DATED:
                start, end = _DATED[kind]
                frame = flt.select(frame, self.filters, self.program_ids, start, end)
            else:
                frame = frame[frame["program"].isin(
                    [p for p in self.program_ids if self.has(p)])]
            self._records[kind] = frame
        return self._records[kind]

    def has(self, program: str) -> bool:
        """Whether the program has anything to show under the filters."""
        return program in self.index.shown  # its figures and records are the view's programs'

    @property
    def empty(self) -> bool:
        return not any(self.has(p) for p in self.program_ids)

    def label(self, metric: str) -> str:
        known = self.catalog.metrics.get(metric)
        return name(known.label, self.lang) if known else metric

    def cards(self, program: str, metrics: list[str]) -> list[KpiCard]:
        """KPI cards for a program's metrics, in order; metrics without a figure are left out."""
        targets = {(g.program, g.metric): g for g in self.catalog.dataset.targets}
        cards = []
        order = {m: i for i, m in enumerate(metrics)}
        found = [self.latest(program, m) for m in sorted(order, key=order.__getitem__)]
        for row in [r for r in found if r is not None]:
            history = self.series(program, row.metric)
            if len(history):  # the latest report on or before the view's end date
                row = next(history.tail(1).itertuples())
            target = targets.get((program, row.metric))
            verdict = status(float(row.value), target) if target else None
            cards.append(KpiCard(
                program=program,
                metric=row.metric,
                label=self.label(row.metric),
                value=self.quantity(row),
                derived=row.basis == Basis.DERIVED,
                provenance=self.provenance(row),
                status=verdict,
                status_text=self.status_text(verdict, target) if verdict else None,
                movement=movement(history, self.catalog.metrics.get(row.metric), target,
                                  self.lang, self.noun(row.metric)),
                **self.period_of(row),
            ))
        return cards

    def series(self, program: str, metric: str, group: str | None = None) -> pd.DataFrame:
        """A metric's reports up to the view's end date, oldest first, with their changes:
        the earlier ones too, since a change is measured from them."""
        end = pd.Timestamp(self.filters.date_to) if self.filters.date_to else None
        found = self.catalog.histories.series(program, metric, group, end)
        return found if program in self._kept else found.iloc[:0]

    def group_cards(self, program: str, metrics: list[str]) -> list[KpiCard]:
        """Cards for figures broken down by group (an age group, a case), one per group."""
        rows = self.figures[(self.figures["program"] == program)
                            & self.figures["metric"].isin(metrics) & self.figures["group_zh"].notna()]
        group = "group_zh" if self.lang == "zh" else "group_en"
        return [
            KpiCard(program=program, metric=row.metric,
                    label=f"{self.label(row.metric)} · {getattr(row, group)}",
                    value=self.quantity(row), derived=row.basis == Basis.DERIVED,
                    provenance=self.provenance(row), **self.period_of(row),
                    movement=movement(self.series(program, row.metric, row.group_zh),
                                      self.catalog.metrics.get(row.metric), None, self.lang,
                                      self.noun(row.metric)))
            for row in rows.itertuples()
        ]

    def participation_table(self, programs: list[str]) -> pd.DataFrame:
        """Program, department and role, in the view's language."""
        frame = self.catalog.frames.participation
        order = {p: i for i, p in enumerate(programs)}
        frame = frame[frame["program"].isin(programs)].sort_values(
            "program", key=lambda s: s.map(order), kind="stable")
        levels = frame["department"].map(
            lambda d: t(f"level.{self.catalog.departments[d].level}", self.lang)
            if d in self.catalog.departments else "")
        return pd.DataFrame({
            "program": frame["program"].map(self.program_name),
            "department": frame["department"].map(self.department_name),
            "level": levels,
            "role": frame["role"].map(lambda r: t(f"role.{r}", self.lang)),
        }).reset_index(drop=True)

    def programs_in(self, category: str) -> list[str]:
        """Programs of a category with something to show under the filters."""
        return [p for p in self.program_ids
                if str(self.catalog.programs[p].category) == category and self.has(p)]

    def program_metrics(self, program: str) -> list[str]:
        """The metrics a program reports under the filters, in data order."""
        rows = self.figures[self.figures["program"] == program]
        return list(dict.fromkeys(rows["metric"].astype(str)))

    def latest_date(self, program: str) -> pd.Timestamp | None:
        """The newest date the program's reports refer to (planned milestones excluded)."""
        return self.index.latest_dates.get(program)

    def latest(self, program: str, metric: str) -> object | None:
        """The newest ungrouped figure of a metric in a program under the filters (a row)."""
        return self.index.latest.get((program, metric))

    def total_card(self, metric: str, programs: list[str]) -> KpiCard | None:
        """A metric summed over programs, saying how many of the programs that report it
        it sums: a total that lost a part to the filters says so. One program's figure is
        shown as it was reported."""
        rows = [row for p in programs if (row := self.latest(p, metric)) is not None]
        reporting = self.catalog.frames.figures
        reporting = reporting.loc[(reporting["metric"] == metric) & reporting["group_zh"].isna(),
                                  "program"].nunique()
        if len(rows) == 1:
            card = self.cards(str(rows[0].program), [metric])[0]
            if reporting == 1:
                return card
            return replace(card, label=self.parts_label(metric, 1, reporting))
        qualifier = sum_qualifier([str(r.qualifier) for r in rows])
        if not rows or qualifier is None or len({str(r.unit) for r in rows}) != 1:
            return None
        formula = " + ".join(self.quantity(r) for r in rows)
        return KpiCard(
            program="",
            metric=metric,
            label=self.parts_label(metric, len(rows), reporting),
            value=format_quantity(sum(float(r.value) for r in rows), str(rows[0].unit),
                                  qualifier, self.lang, noun=self.noun(metric)),
            derived=True,
            provenance=f"{t('basis.derived_note', self.lang, formula=formula)} · "
                       f"{self.source_lines([str(r.source) for r in rows])}",
            **self.span_of(rows),
        )

    def parts_label(self, metric: str, count: int, reporting: int) -> str:
        """总投资（2个项目合计） / Total investment (1 of 2 programs)."""
        if count < reporting:
            return t("total.some", self.lang, metric=self.label(metric), count=count,
                     total=reporting)
        return t("total.all", self.lang, metric=self.label(metric), count=count)

    def beyond(self, start: pd.Timestamp, end: pd.Timestamp) -> bool:
        """Whether a period reaches past the chosen dates on either side."""
        f = self.filters
        return bool((f.date_from and start < pd.Timestamp(f.date_from))
                    or (f.date_to and end > pd.Timestamp(f.date_to)))

    def period_text(self, text: str, beyond: bool) -> str:
        """A period as shown beside its figure: 2021–2023-11-15, and whether it reaches
        past the chosen dates."""
        shown = format_period(text)
        return t("period.beyond", self.lang, period=shown) if beyond else shown

    def period_label(self, row: object) -> str:
        """A figures-frame row's period as shown on its card, table row or chart label."""
        return self.period_of(row)["period"]

    def period_of(self, row: object) -> dict[str, object]:
        """A figures-frame row's period as `KpiCard` fields."""
        return self.span_of([row])

    def span_of(self, rows: list[object]) -> dict[str, object]:
        """The period figures-frame rows cover together, as `KpiCard` fields."""
        text = span_text([(str(getattr(r, "period")), getattr(r, "date"), getattr(r, "date_end"))
                          for r in rows])
        beyond = any(self.beyond(getattr(r, "date"), getattr(r, "date_end")) for r in rows)
        return {"period": self.period_text(text, beyond), "beyond": beyond}

    def counted_period(self) -> str:
        """What a count of the records shown covers: the chosen dates, or up to the edition."""
        f = self.filters
        if f.date_from and f.date_to:
            return format_period(f"{f.date_from}/{f.date_to}")
        if f.date_from:
            return t("period.since", self.lang, date=f.date_from.isoformat())
        end = f.date_to or self.catalog.as_of
        return t("period.as_of", self.lang, date=end.isoformat() if end else "–")

    def source_ids(self) -> list[str]:
        """The articles behind what the view shows: its figures' and its programs' sources."""
        shown = [p for p in self.program_ids if self.has(p)]
        return list(dict.fromkeys([*self.figures["source"].astype(str),
                                   *(self.catalog.programs[p].source for p in shown)]))

    def source_lines(self, source_ids: list[str]) -> str:
        return "; ".join(source_line(self.catalog.sources[s], self.lang)
                         for s in dict.fromkeys(source_ids) if s in self.catalog.sources)

    def walk_cards(self, program: str) -> list[KpiCard]:
        """The government-services review: experiences, problems, rate, what is on the menu."""
        return self.cards(program, WALK_METRICS)

    def project_cards(self, programs: list[str]) -> list[KpiCard]:
        """Investment projects together: how many, and their key figures summed."""
        return [self.count_card("projects", len(self.records("projects")))] + [
            card for metric in PROJECT_TOTALS if (card := self.total_card(metric, programs))]

    def relief_cards(self, program: str) -> list[KpiCard]:
        """Relief: persons taken in (reported), and the measures the report names.

        Places and supplies are not counted: the report lists examples of them (…等).
        """
        measures = self.records("relief_measures")
        return self.cards(program, ["persons_taken_in"]) + [
            self.count_card("measures", int((measures["program"] == program).sum())),
        ]

    def advisories(self, program: str) -> list[Advisory]:
        frame = self.records("advisories")
        return [self.catalog.advisories[a]
                for a in frame.loc[frame["program"] == program, "advisory"]]

    def advisory_status(self, advisory: Advisory) -> str:
        """The advisory's status in one sentence: trend in words, phase, dominant strain."""
        return t("flu.banner", self.lang, trend=t(f"trend.{advisory.trend}", self.lang),
                 detail=name(advisory.trend_detail, self.lang),
                 phase=name(advisory.phase, self.lang),
                 strain=name(advisory.dominant_strain, self.lang))

    def headline_cards(self) -> list[KpiCard]:
        """Across programs: how many, who takes part, total investment, figures and sources."""
        kept = [p for p in self.program_ids if self.has(p)]
        participation = self.catalog.frames.participation
        departments = participation.loc[participation["program"].isin(kept), "department"]
        reported = self.figures[self.figures["basis"] == Basis.REPORTED]
        cards = [
            self.count_card("programs", len(kept)),
            self.count_card("departments", departments.nunique(), "organization"),
        ]
        investment = self.total_card("total_investment", kept)
        if investment:
            cards.append(investment)
        cards.append(self.count_card("figures", len(reported)))
        cards.append(self.count_card("sources", len(self.source_ids())))
        return cards

    def count_card(self, key: str, count: int, unit: str = "item") -> KpiCard:
        """A count the dashboard makes of the records shown (derived, not reported)."""
        return KpiCard(program="", metric=key, label=t(f"count.{key}", self.lang),
                       value=format_quantity(count, unit, "exact", self.lang), derived=True,
                       provenance=t("basis.counted", self.lang), period=self.counted_period())

    def noun(self, metric: str) -> str | None:
        """What a metric counts, where its data names it (athletes, enterprises)."""
        known = self.catalog.metrics.get(metric)
        return name(known.noun, self.lang) if known and known.noun else None

    def quantity(self, row: object) -> str:
        """A figures-frame row as display text: value, unit and qualifier."""
        value_max = getattr(row, "value_max")
        return format_quantity(
            float(getattr(row, "value")), str(getattr(row, "unit")),
            str(getattr(row, "qualifier")), self.lang,
            value_max=None if pd.isna(value_max) else float(value_max),
            noun=self.noun(str(getattr(row, "metric"))),
        )

    @cached_property
    def _formulas(self) -> dict[tuple[str, str], LocalText]:
        return {(f.program, f.metric): f.formula for f in derived_figures(self.catalog.dataset)
                if f.formula}

    def formula(self, row: object) -> str:
        """How a calculated row was calculated, in the view's language."""
        known = self._formulas.get((str(getattr(row, "program")), str(getattr(row, "metric"))))
        return name(known, self.lang) if known else str(getattr(row, "reported"))

    def provenance(self, row: object) -> str:
        """Where a figure comes from; a derived one also says how it was derived."""
        source = self.catalog.sources.get(str(getattr(row, "source")))
        line = source_line(source, self.lang) if source else str(getattr(row, "source"))
        if getattr(row, "basis") == Basis.DERIVED:
            note = t("basis.derived_note", self.lang, formula=self.formula(row))
            return f"{note} · {line}"
        locator = getattr(row, "locator")
        return f"{line} · “{locator}”" if isinstance(locator, str) and locator else line

    def status_text(self, verdict: Status, target: object) -> str:
        icon = "✓" if verdict is Status.MET else "⚠"  # in common text fonts, PDFs included
        return t(f"target.{verdict}", self.lang, icon=icon, target=f"{getattr(target, 'value'):g}")

    def context(self) -> str:
        """The filters in words, for captions, exported charts and the briefing cover."""
        f, lang = self.filters, self.lang
        parts = []
        if f.departments:
            parents = {d.parent for d in self.catalog.departments.values()}
            names = [t("context.with_units", lang, name=self.department_name(d)) if d in parents
                     else self.department_name(d)
                     for d in f.departments if d in self.catalog.departments]
            parts.append(t("context.departments", lang, names=join(names, lang)))
        if f.district and f.district in self.catalog.districts:
            parts.append(t("context.district", lang,
                           name=name(self.catalog.districts[f.district].name, lang)))
        if f.category:
            parts.append(t("context.category", lang, name=t(f"category.{f.category}", lang)))
        if f.date_from or f.date_to:
            parts.append(t("context.dates", lang, start=format_date(f.date_from, lang),
                           end=format_date(f.date_to, lang)))
        return "; ".join(parts) if parts else t("context.all", lang)

    def program_since(self, program: str) -> str:
        """When the program began, as precisely as reported: 始于2021 / since 2023-07."""
        known = self.catalog.programs.get(program)
        if known is None or known.start is None:
            return ""
        return t("program.since", self.lang, start=known.start.text)

    def program_name(self, program: str) -> str:
        known = self.catalog.programs.get(program)
        return name(known.name, self.lang) if known else program

    def department_name(self, department: str) -> str:
        known = self.catalog.departments.get(department)
        return name(known.name, self.lang) if known else department
