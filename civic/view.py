"""One filtered view: the programs, figures and records under the current filters.

Pages, the briefing and `civic export` all build the same `View`, so what is exported is
exactly what is on screen. A view has three parts: what it holds (here), its KPI cards
(`civic.cards`) and its words (`civic.wording`); what it shows is looked up once per view
(`civic.view_index`).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any, TypeVar

import pandas as pd

from civic import filters as flt
from civic.cards import Cards, KpiCard, sum_qualifier
from civic.catalog import Catalog
from civic.i18n import name, t
from civic.models import Advisory, Event
from civic.view_index import DATED as _DATED
from civic.view_index import ViewIndex
from civic.wording import Wording

__all__ = ["KpiCard", "View", "date_bounds", "per_view", "sum_qualifier"]  # cards here too

_R = TypeVar("_R")


def date_bounds(catalog: Catalog) -> tuple[dt.date, dt.date]:
    """The first and last date the data refers to, planned milestones included: the range
    the date pickers offer, so that they open near the data. Today where nothing is dated.
    Worked out once per data version: the sidebar asks on every rerun."""
    return catalog.kept("date_bounds", lambda: _date_bounds(catalog))


def _date_bounds(catalog: Catalog) -> tuple[dt.date, dt.date]:
    frames = catalog.frames
    dates = [frames.figures["date"], frames.figures["date_end"]]
    for kind, columns in _DATED.items():
        frame = getattr(frames, kind)
        dates += [frame[c] for c in columns if c]
    found = pd.concat(dates).dropna()
    if found.empty:
        return dt.date.today(), dt.date.today()
    return found.min().date(), found.max().date()


@dataclass(frozen=True)
class View(Cards, Wording):
    catalog: Catalog
    filters: flt.Filters

    @classmethod
    def of(cls, catalog: Catalog, filters: flt.Filters) -> View:
        """The view of `filters`, made once per data version (the catalog's) and shared by every
        rerun and session that asks for it: what it works out (its figures, cards, dates,
        charts) is then worked out on the first click, not on every one."""
        return catalog.kept(("view", filters), lambda: cls(catalog, filters))

    def kept(self, key: object, make):
        """`make()` once for this view and `key`, then kept with it (its charts: civic.panels)."""
        made = self._kept_made
        if key not in made:
            made[key] = make()  # two sessions at once may both make it: the same either way
        return made[key]

    @cached_property
    def _kept_made(self) -> dict[object, object]:
        return {}

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

    def series(self, program: str, metric: str, group: str | None = None) -> pd.DataFrame:
        """A metric's reports up to the view's end date, oldest first, with their changes:
        the earlier ones too, since a change is measured from them."""
        found = self.catalog.histories.series(program, metric, group, self._end)
        return found if program in self._kept else found.iloc[:0]

    def newest(self, program: str, metric: str, group: str | None = None) -> object | None:
        """The last report of `series` (a row), or None."""
        if program not in self._kept:
            return None
        return self.catalog.histories.newest(program, metric, group, self._end)

    @cached_property
    def _end(self) -> pd.Timestamp | None:
        return pd.Timestamp(self.filters.date_to) if self.filters.date_to else None

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
        """The metrics a program reports under the filters, in data order (worked out once
        per view)."""
        return list(self.kept(("program_metrics", program), lambda: tuple(dict.fromkeys(
            self.figures.loc[self.figures["program"] == program, "metric"].astype(str)))))

    def latest_date(self, program: str) -> pd.Timestamp | None:
        """The newest date the program's reports refer to (planned milestones excluded)."""
        return self.index.latest_dates.get(program)

    def latest(self, program: str, metric: str) -> object | None:
        """The newest ungrouped figure of a metric in a program under the filters (a row)."""
        return self.index.latest.get((program, metric))

    @property
    def as_of(self) -> dt.date | None:
        """The newest date the data shown refers to (数据截至): its figures' and records', no
        later than their reports; the newest report's date where the view shows nothing."""
        dates = [d for p, d in self.index.latest_dates.items() if p in self._kept]
        return max(dates).date() if dates else self.catalog.as_of

    def publications(self) -> list[str]:
        """The publications behind what the view shows, in the view's language: the footer's
        source line names them, not the seed edition's."""
        names = [name(self.catalog.sources[s].publication, self.lang)
                 for s in self.source_ids() if s in self.catalog.sources]
        return list(dict.fromkeys(names))

    def source_ids(self) -> list[str]:
        """The articles behind what the view shows: its figures' and its programs' sources."""
        shown = [p for p in self.program_ids if self.has(p)]
        return list(dict.fromkeys([*map(str, self.figures["source"].unique()),
                                   *(self.catalog.programs[p].source for p in shown)]))

    def events(self, program: str) -> list[Event]:
        """A program's events under the filters, in data order (looked up once per view)."""
        def found() -> tuple[Event, ...]:
            frame = self.records("events")
            return tuple(self.catalog.events[e]
                         for e in frame.loc[frame["program"] == program, "event"])
        return list(self.kept(("events", program), found))

    def advisories(self, program: str) -> list[Advisory]:
        def found() -> tuple[Advisory, ...]:
            frame = self.records("advisories")
            return tuple(self.catalog.advisories[a]
                         for a in frame.loc[frame["program"] == program, "advisory"])
        return list(self.kept(("advisories", program), found))


def _hashable(arg: Any) -> Any:
    """A list argument (a page's column choice) keyed as the tuple it equals."""
    return tuple(arg) if isinstance(arg, list) else arg


def per_view(build: Callable[..., _R]) -> Callable[..., _R]:
    """`build(view, …)` made once per view and arguments, then kept with the view (`View.kept`):
    a rerun with the same filters and data version shares it (charts: civic.panels; display
    tables: civic.tables). Nobody changes what is kept: it is shared by every session."""
    @functools.wraps(build)
    def kept(view: View, *args: Any, **kwargs: Any) -> _R:
        key = (build.__module__, build.__qualname__, tuple(map(_hashable, args)),
               tuple(sorted((k, _hashable(v)) for k, v in kwargs.items())))
        return view.kept(key, lambda: build(view, *args, **kwargs))
    return kept
