"""The dataset as pandas frames, one per record kind, built once and shared: what the catalog,
the view and the KPI functions read. Figures carry their derived values beside the reported
ones (civic/derived.py), each with the formula it was calculated by.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

import pandas as pd

from civic.derived import derived_frame
from civic.models import Dataset, Figure


class Frames:
    """The dataset as pandas frames, one per record kind, built once and shared."""

    def __init__(self, dataset: Dataset, figures: list[Figure] | None = None,
                 stored: pd.DataFrame | None = None):
        """`stored`: figure rows read from the store, shown ahead of `figures`."""
        self.dataset = dataset
        self._figures = dataset.figures if figures is None else figures
        self._stored = stored

    @cached_property
    def departments(self) -> pd.DataFrame:
        rows = [
            {
                "department": d.id,
                "name_zh": d.name.zh,
                "name_en": d.name.en,
                "level": str(d.level),
                "district": d.district,
                "parent": d.parent,
            }
            for d in self.dataset.departments
        ]
        return _frame(rows, ["department", "name_zh", "name_en", "level", "district", "parent"])

    @cached_property
    def programs(self) -> pd.DataFrame:
        rows = [
            {
                "program": p.id,
                "name_zh": p.name.zh,
                "name_en": p.name.en,
                "category": str(p.category),
                "lead": p.lead,
                "participants": list(p.participants),
                "start": p.start.start if p.start else None,
                "status": str(p.status),
                "source": p.source,
            }
            for p in self.dataset.programs
        ]
        columns = ["program", "name_zh", "name_en", "category", "lead", "participants", "start",
                   "status", "source"]
        frame = _frame(rows, columns)
        frame["start"] = pd.to_datetime(frame["start"])
        return frame

    @cached_property
    def participation(self) -> pd.DataFrame:
        """One row per program and department taking part (lead or participant)."""
        rows = [
            {"program": p.id, "department": d, "role": "lead" if d == p.lead else "participant"}
            for p in self.dataset.programs
            for d in p.departments
        ]
        return _frame(rows, ["program", "department", "role"])

    @cached_property
    def derived(self) -> pd.DataFrame:
        """The values the catalogue's derived metrics give over the reported figures
        (`civic.derived.COLUMNS`, their formulas in English beside)."""
        return derived_frame(self._reported, self.dataset.metrics)

    @cached_property
    def _reported(self) -> pd.DataFrame:
        """The input metrics' reported figures, dates as datetimes: what values derive from."""
        inputs = {m for metric in self.dataset.metrics for m in metric.derived_inputs}
        parts = [_frame([{
            "program": f.program, "metric": f.metric, "value": f.value, "unit": f.unit,
            "qualifier": str(f.qualifier), "date": f.period.start, "date_end": f.period.end,
            "period": f.period.text, "department": f.department,
            "group_zh": f.group.zh if f.group else None,
            "group_en": f.group.en if f.group else None, "source": f.source,
            "basis": str(f.basis)} for f in self._figures if f.metric in inputs],
            _INPUT_COLUMNS)]
        if self._stored is not None:
            parts.insert(0, self._stored.loc[self._stored["metric"].isin(inputs), _INPUT_COLUMNS])
        given = [part for part in parts if len(part)]
        frame = pd.concat(given, ignore_index=True) if given else parts[-1]
        return frame.assign(date=pd.to_datetime(frame["date"]),
                            date_end=pd.to_datetime(frame["date_end"]))

    @cached_property
    def formulas(self) -> dict[tuple[str, str, str, pd.Timestamp], dict[str, str]]:
        """How each derived value was calculated, by language: (program, metric, group, period
        end) → {zh: 488/639, en: 488/639}."""
        return {(r.program, r.metric, r.group_zh or "", pd.Timestamp(r.date_end)):
                {"zh": r.reported, "en": r.formula_en}
                for r in self.derived.itertuples(index=False)}

    @cached_property
    def figures(self) -> pd.DataFrame:
        """The tidy frame of figures, reported and derived: one row per figure, ids as
        categoricals."""
        rows = [
            {
                "program": f.program,
                "metric": f.metric,
                "value": f.value,
                "value_max": f.value_max,
                "unit": f.unit,
                "qualifier": str(f.qualifier),
                "reported": f.text,
                "date": f.period.start,
                "date_end": f.period.end,
                "period": f.period.text,
                "department": f.department,
                "group_zh": f.group.zh if f.group else None,
                "group_en": f.group.en if f.group else None,
                "source": f.source,
                "locator": f.locator,
                "basis": str(f.basis),
            }
            for f in self._figures
        ]
        frame = _frame(rows, STORED_FIGURE_COLUMNS)
        if self._stored is not None:
            stored = self._stored[STORED_FIGURE_COLUMNS]
            frame = (pd.concat([stored, frame], ignore_index=True).infer_objects() if len(frame)
                     else stored.copy())
        for column in ("date", "date_end"):
            frame[column] = pd.to_datetime(frame[column])
        derived = self.derived
        if len(derived):
            frame = pd.concat([frame, derived[STORED_FIGURE_COLUMNS]], ignore_index=True)
        districts = {d.id: d.district for d in self.dataset.departments}
        categories = {p.id: str(p.category) for p in self.dataset.programs}
        frame["district"] = frame["department"].map(districts)
        frame["category"] = frame["program"].map(categories)
        frame = frame[FIGURE_COLUMNS]
        for column in ("value", "value_max"):
            frame[column] = frame[column].astype("Float64")
        for column in ("date", "date_end"):
            frame[column] = pd.to_datetime(frame[column])
        for column in ("program", "department", "metric", "unit", "qualifier", "category",
                       "district", "basis"):
            frame[column] = frame[column].astype("category")
        return frame

    @cached_property
    def projects(self) -> pd.DataFrame:
        """Projects with their key figures pivoted alongside (value in the canonical unit)."""
        rows = [
            {
                "project": p.id,
                "program": p.program,
                "name_zh": p.name.zh,
                "name_en": p.name.en,
                "developer_zh": p.developer.zh,
                "developer_en": p.developer.en,
                "district": p.district,
                "site_zh": p.site.zh,
                "site_en": p.site.en,
                "source": p.source,
            }
            for p in self.dataset.projects
        ]
        frame = _frame(rows, ["project", "program", "name_zh", "name_en", "developer_zh",
                              "developer_en", "district", "site_zh", "site_en", "source"])
        figures = self.figures
        for metric in (m.id for m in self.dataset.metrics if m.project is not None):
            # The latest figure of a metric describes the project (e.g. current, not past, output).
            rows = figures[(figures["metric"] == metric) & figures["group_zh"].isna()]
            latest = rows.sort_values("date").groupby("program", observed=True).last()
            frame[metric] = frame["program"].map(latest["value"]).astype("Float64")
            frame[f"{metric}_qualifier"] = frame["program"].map(latest["qualifier"].astype(str))
        return frame

    @cached_property
    def milestones(self) -> pd.DataFrame:
        rows = [
            {
                "project": p.id,
                "program": p.program,
                "start": m.period.start,
                "end": m.period.end,
                "period": m.period.text,
                "label_zh": m.label.zh,
                "label_en": m.label.en,
                "status": str(m.status),
            }
            for p in self.dataset.projects
            for m in p.milestones
        ]
        return _frame(rows, ["project", "program", "start", "end", "period", "label_zh",
                             "label_en", "status"],
                      dates=("start", "end"))

    @cached_property
    def relief_actions(self) -> pd.DataFrame:
        rows = [
            {
                "action": a.id,
                "program": a.program,
                "date": a.period.start,
                "date_end": a.period.end,
                "period": a.period.text,
                "kind": str(a.kind),
                "department": a.department,
                "places_zh": [p.zh for p in a.places],
                "places_en": [p.en for p in a.places],
                "supplies_zh": [s.zh for s in a.supplies],
                "supplies_en": [s.en for s in a.supplies],
                "open_list": a.open_list,
                "source": a.source,
            }
            for a in self.dataset.relief_actions
        ]
        return _frame(rows, ["action", "program", "date", "date_end", "period", "kind",
                             "department", "places_zh", "places_en", "supplies_zh",
                             "supplies_en", "open_list", "source"],
                      dates=("date", "date_end"))

    @cached_property
    def relief_measures(self) -> pd.DataFrame:
        rows = [
            {
                "measure": m.id,
                "program": m.program,
                "group_zh": m.group.zh,
                "group_en": m.group.en,
                "measure_zh": m.measure.zh,
                "measure_en": m.measure.en,
                "department": m.department,
                "source": m.source,
            }
            for m in self.dataset.relief_measures
        ]
        return _frame(rows, ["measure", "program", "group_zh", "group_en", "measure_zh",
                             "measure_en", "department", "source"])

    @cached_property
    def advisories(self) -> pd.DataFrame:
        rows = [
            {
                "advisory": a.id,
                "program": a.program,
                "date": a.date,
                "department": a.department,
                "trend": str(a.trend),
                "strain_zh": a.dominant_strain.zh,
                "strain_en": a.dominant_strain.en,
                "phase_zh": a.phase.zh,
                "phase_en": a.phase.en,
                "source": a.source,
            }
            for a in self.dataset.advisories
        ]
        return _frame(rows, ["advisory", "program", "date", "department", "trend",
                             "strain_zh", "strain_en", "phase_zh", "phase_en", "source"],
                      dates=("date",))

    @cached_property
    def events(self) -> pd.DataFrame:
        rows = [
            {
                "event": e.id,
                "program": e.program,
                "date": e.date,
                "title_zh": e.title.zh,
                "title_en": e.title.en,
                "venue_zh": e.venue.zh,
                "venue_en": e.venue.en,
                "organizer": e.organizer,
                "items": len(e.items),
                "source": e.source,
            }
            for e in self.dataset.events
        ]
        return _frame(rows, ["event", "program", "date", "title_zh", "title_en", "venue_zh",
                             "venue_en", "organizer", "items", "source"],
                      dates=("date",))

    @cached_property
    def cases(self) -> pd.DataFrame:
        rows = [
            {
                "case": c.id,
                "program": c.program,
                "date": c.period.start,
                "date_end": c.period.end,
                "period": c.period.text,
                "department": c.department,
                "subject_zh": c.subject.zh,
                "subject_en": c.subject.en,
                "action_zh": c.action.zh,
                "action_en": c.action.en,
                "outcome_zh": c.outcome.zh,
                "outcome_en": c.outcome.en,
                "participants": list(c.participants),
                "source": c.source,
            }
            for c in self.dataset.cases
        ]
        return _frame(rows, ["case", "program", "date", "date_end", "period", "department",
                             "subject_zh", "subject_en", "action_zh", "action_en",
                             "outcome_zh", "outcome_en", "participants", "source"],
                      dates=("date", "date_end"))

    @cached_property
    def sources(self) -> pd.DataFrame:
        rows = [
            {
                "source": s.id,
                "publication_zh": s.publication.zh,
                "publication_en": s.publication.en,
                "edition_date": s.edition_date,
                "title": s.title,
                "title_en": s.title_en,
                "page": s.page,
                "page_en": s.page_en,
                "subheading": s.subheading,
                "date_reported": s.date_reported,
                "reporters": "、".join(s.reporters),
                "correspondents": "、".join(s.correspondents),
                "department": s.department,
            }
            for s in self.dataset.sources
        ]
        return _frame(rows, ["source", "publication_zh", "publication_en", "edition_date",
                             "title", "title_en", "page", "page_en", "subheading",
                             "date_reported", "reporters",
                             "correspondents", "department"],
                      dates=("edition_date", "date_reported"))


FIGURE_COLUMNS = [
    "program", "metric", "value", "value_max", "unit", "qualifier", "reported", "date",
    "date_end", "period", "department", "district", "category", "group_zh", "group_en",
    "source", "locator", "basis",
]

STORED_FIGURE_COLUMNS = [c for c in FIGURE_COLUMNS if c not in ("district", "category")]
"""What a figure holds itself; district and category follow from its department and program."""

_INPUT_COLUMNS = ["program", "metric", "value", "unit", "qualifier", "date", "date_end", "period",
                  "department", "group_zh", "group_en", "source", "basis"]

def _frame(rows: list[dict[str, Any]], columns: list[str],
           dates: tuple[str, ...] = ()) -> pd.DataFrame:
    """A frame with the given columns even when there are no rows; `dates` become datetimes."""
    frame = pd.DataFrame(rows, columns=columns)
    for column in dates:
        frame[column] = pd.to_datetime(frame[column])
    return frame
