"""How a view words what it shows: labels, quantities, periods, provenance, the filters.

Everything in the view's language, from the catalogue (`civic/locales/`) and the data's names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from civic.fields import span_text
from civic.i18n import format_date, format_period, format_quantity, join, name, source_line, t
from civic.metrics import Status
from civic.models import Advisory, Basis, Target

if TYPE_CHECKING:
    import datetime as dt

    from civic.catalog import Catalog
    from civic.filters import Filters


class Wording:
    """The wording part of `civic.view.View`: it reads the view's catalog and filters."""

    # What the view it is part of (civic.view.View) gives it.
    catalog: Catalog
    filters: Filters
    if TYPE_CHECKING:
        @property
        def lang(self) -> str: ...
        @property
        def as_of(self) -> dt.date | None: ...


    def label(self, metric: str) -> str:
        known = self.catalog.metrics.get(metric)
        return name(known.label, self.lang) if known else metric

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

    def formula(self, row: object) -> str:
        """How a calculated row was calculated, in the view's language."""
        group = getattr(row, "group_zh")
        known = self.catalog.frames.formulas.get((
            str(getattr(row, "program")), str(getattr(row, "metric")),
            "" if pd.isna(group) else str(group), pd.Timestamp(getattr(row, "date_end"))))
        return known[self.lang] if known and self.lang in known else str(getattr(row, "reported"))

    def provenance(self, row: object) -> str:
        """Where a figure comes from; a derived one also says how it was derived."""
        source = self.catalog.sources.get(str(getattr(row, "source")))
        line = source_line(source, self.lang) if source else str(getattr(row, "source"))
        if getattr(row, "basis") == Basis.DERIVED:
            note = t("basis.derived_note", self.lang, formula=self.formula(row))
            return f"{note} · {line}"
        locator = getattr(row, "locator")
        return f"{line} · “{locator}”" if isinstance(locator, str) and locator else line

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
        return str(self.period_of(row)["period"])

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
        end = f.date_to or self.as_of
        return t("period.as_of", self.lang, date=end.isoformat() if end else "–")

    def source_lines(self, source_ids: list[str]) -> str:
        return "; ".join(source_line(self.catalog.sources[s], self.lang)
                         for s in dict.fromkeys(source_ids) if s in self.catalog.sources)

    def status_text(self, verdict: Status, target: Target, unit: str) -> str:
        icon = "✓" if verdict is Status.MET else "⚠"  # in common text fonts, PDFs included
        return t(f"target.{verdict}", self.lang, icon=icon,
                 target=self.target_value(target, unit), period=format_period(target.period.text))

    def target_value(self, target: Target, unit: str) -> str:
        """A target's value with its unit (that of the figures where it names none): 80%."""
        return format_quantity(target.value, target.unit or unit, "exact", self.lang)

    def advisory_status(self, advisory: Advisory) -> str:
        """The advisory's status in one sentence: trend in words, phase, dominant strain."""
        return t("flu.banner", self.lang, trend=t(f"trend.{advisory.trend}", self.lang),
                 detail=name(advisory.trend_detail, self.lang),
                 phase=name(advisory.phase, self.lang),
                 strain=name(advisory.dominant_strain, self.lang))

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
