"""KPI cards of a view: a program's latest figures, totals over programs, counts of records.

A card carries its value as text with unit and qualifier, its provenance, its period and how
it moved since the previous report; pages, the briefing and exports show the same cards.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import pandas as pd

from civic.changes import Movement, movement
from civic.derived import newer_parts, sum_qualifier
from civic.i18n import format_quantity, join, name, t
from civic.metrics import Status, status
from civic.models import Basis
from civic.wording import Wording


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
    note: str = ""
    """For a derived value: the date it is computed for, and why a newer report is not in it."""
    scope: str = ""
    """Under a district filter, where the figure is not the district's own: 全市 / City-wide
    (or the other district's name); it ends the label too."""


class Cards(Wording):
    """The cards part of `civic.view.View`: it reads the view's figures, records and lookups,
    and words them with `civic.wording.Wording`."""

    # What the view it is part of (civic.view.View) gives it.
    if TYPE_CHECKING:
        @property
        def program_ids(self) -> list[str]: ...
        @property
        def figures(self) -> pd.DataFrame: ...
        def records(self, kind: str) -> pd.DataFrame: ...
        def has(self, program: str) -> bool: ...
        def series(self, program: str, metric: str, group: str | None = None) -> pd.DataFrame: ...
        def newest(self, program: str, metric: str, group: str | None = None) -> Any: ...
        def latest(self, program: str, metric: str) -> Any: ...
        def source_ids(self) -> list[str]: ...
        def kept(self, key: object, make: Callable[[], Any]) -> Any: ...


    def cards(self, program: str, metrics: list[str]) -> list[KpiCard]:
        """KPI cards for a program's metrics, in order; metrics without a figure are left out.
        Made once per view (`View.kept`), which reruns with the same filters share."""
        return self.kept(("cards", program, tuple(metrics)),
                         lambda: self._cards(program, metrics))

    def _cards(self, program: str, metrics: list[str]) -> list[KpiCard]:
        cards = []
        order = {m: i for i, m in enumerate(metrics)}
        found = [self.latest(program, m) for m in sorted(order, key=order.__getitem__)]
        for row in [r for r in found if r is not None]:
            history = self.series(program, row.metric)
            last = self.newest(program, row.metric)
            row = last or row  # the latest report on or before the view's end date
            target = self.catalog.target(program, row.metric, row.date_end)
            verdict = status(float(row.value), target, str(row.unit)) if target else None
            scope = self.scope(row)
            cards.append(KpiCard(
                program=program,
                metric=row.metric,
                label=self.scoped(self.label(row.metric), scope),
                scope=scope,
                value=self.quantity(row),
                derived=row.basis == Basis.DERIVED,
                provenance=self.provenance(row),
                status=verdict,
                status_text=self.status_text(verdict, target, str(row.unit)) if verdict
                else None,
                movement=movement(history, self.catalog.metrics.get(row.metric), target,
                                  self.lang, self.noun(row.metric), last=last),
                note=self.derived_note(row) if row.basis == Basis.DERIVED else "",
                **self.period_of(row),
            ))
        return cards

    def scope(self, row: object) -> str:
        """Under a district filter, whose figure this is where not the district's own: 全市 /
        City-wide for a city-wide department's (全省 for a province's), else the other
        district's name."""
        chosen = self.filters.district
        district = getattr(row, "district", None)
        if not chosen or district == chosen:
            return ""
        if district is None or pd.isna(district) or district not in self.catalog.districts:
            department = self.catalog.departments.get(str(getattr(row, "department", "")))
            wide = "province" if department and str(department.level) == "province" else "city"
            return t(f"scope.{wide}_wide", self.lang)
        return name(self.catalog.districts[district].name, self.lang)

    def scoped(self, label: str, scope: str) -> str:
        return f"{label} · {scope}" if scope else label

    def derived_note(self, row: object) -> str:
        """The date a derived value is computed for, and, where one of its inputs has a newer
        report, which and why it is not in it: 按2023-11-15的报告计算；查找问题有2024-06-30的
        报告，解决问题没有同日的报告."""
        date = pd.Timestamp(getattr(row, "date_end")).date().isoformat()
        metric = self.catalog.metrics.get(str(getattr(row, "metric")))
        newer = newer_parts(self.figures, metric, row) if metric else None
        if newer is None:
            return t("derived.computed_for", self.lang, date=date)
        when, reported, missing = newer
        return t("derived.newer", self.lang, date=date,
                 newer=join([self.label(m) for m in reported], self.lang),
                 newer_date=when.date().isoformat(),
                 missing=join([self.label(m) for m in missing], self.lang))

    def group_cards(self, program: str, metrics: list[str]) -> list[KpiCard]:
        """Cards for figures broken down by group (an age group, a case), one per group; made
        once per view, as `cards` are."""
        return self.kept(("group_cards", program, tuple(metrics)),
                         lambda: self._group_cards(program, metrics))

    def _group_cards(self, program: str, metrics: list[str]) -> list[KpiCard]:
        rows = self.figures[(self.figures["program"] == program)
                            & self.figures["metric"].isin(metrics) & self.figures["group_zh"].notna()]
        group = "group_zh" if self.lang == "zh" else "group_en"
        return [
            KpiCard(program=program, metric=row.metric,
                    label=self.scoped(f"{self.label(row.metric)} · {getattr(row, group)}",
                                      self.scope(row)),
                    scope=self.scope(row),
                    value=self.quantity(row), derived=row.basis == Basis.DERIVED,
                    provenance=self.provenance(row), **self.period_of(row),
                    movement=movement(self.series(program, row.metric, row.group_zh),
                                      self.catalog.metrics.get(row.metric), None, self.lang,
                                      self.noun(row.metric),
                                      last=self.newest(program, row.metric, row.group_zh)))
            for row in rows.itertuples()
        ]

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

    def page_cards(self, program: str) -> list[KpiCard]:
        """What a program's page leads with: its `cards` in the catalogue, else its headline."""
        known = self.catalog.programs[program]
        return self.cards(program, known.cards or known.headline)

    def project_totals(self) -> list[str]:
        """The projects' key figures that add up over projects, in the catalogue's order."""
        return [m.id for m in self.catalog.metrics.values() if m.project == "total"]

    def project_cards(self, programs: list[str]) -> list[KpiCard]:
        """Investment projects together: how many, and their key figures summed (made once
        per view and programs)."""
        return list(self.kept(("project_cards", tuple(programs)),
                              lambda: self._project_cards(programs)))

    def _project_cards(self, programs: list[str]) -> list[KpiCard]:
        return [self.count_card("projects", len(self.records("projects")))] + [
            card for metric in self.project_totals()
            if (card := self.total_card(metric, programs))]

    def relief_cards(self, program: str) -> list[KpiCard]:
        """Relief: what its page leads with (persons taken in), and the measures the report
        names.

        Places and supplies are not counted: the report lists examples of them (…等).
        """
        return list(self.kept(("relief_cards", program), lambda: self._relief_cards(program)))

    def _relief_cards(self, program: str) -> list[KpiCard]:
        measures = self.records("relief_measures")
        return self.page_cards(program) + [
            self.count_card("measures", int((measures["program"] == program).sum())),
        ]

    def headline_cards(self) -> list[KpiCard]:
        """Across programs: how many, who takes part, the critical project totals (investment),
        figures and sources; made once per view."""
        return list(self.kept("headline_cards", self._headline_cards))

    def _headline_cards(self) -> list[KpiCard]:
        kept = [p for p in self.program_ids if self.has(p)]
        participation = self.catalog.frames.participation
        departments = participation.loc[participation["program"].isin(kept), "department"]
        reported = self.figures[self.figures["basis"] == Basis.REPORTED]
        cards = [
            self.count_card("programs", len(kept)),
            self.count_card("departments", departments.nunique(), "organization"),
        ]
        # The headline indicators that add up over projects (the total investment).
        cards += [card for metric in self.project_totals() if self.catalog.metrics[metric].critical
                  and (card := self.total_card(metric, kept))]
        cards.append(self.count_card("figures", len(reported)))
        cards.append(self.count_card("sources", len(self.source_ids())))
        return cards

    def count_card(self, key: str, count: int, unit: str = "item") -> KpiCard:
        """A count the dashboard makes of the records shown (derived, not reported)."""
        return KpiCard(program="", metric=key, label=t(f"count.{key}", self.lang),
                       value=format_quantity(count, unit, "exact", self.lang), derived=True,
                       provenance=t("basis.counted", self.lang), period=self.counted_period())
