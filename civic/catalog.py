"""The loaded data with its lookups and frames: what pages, exports and the CLI work from."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from civic import reads, trends
from civic.frames import Frames
from civic.loading import Loaded, edition_date, load
from civic.metrics import target_for
from civic.models import (
    Advisory,
    Dataset,
    Department,
    District,
    Event,
    Metric,
    Program,
    Source,
    Target,
)
from civic.reporting import Calendar

DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent / "data"
KEPT = 256
"""Views and their results kept per data version (`Catalog.kept`): a view holds its filtered
frames (an unfiltered one shares the catalog's), its results a few cards and rows."""


@dataclass(frozen=True)
class Catalog:
    """Read from the store (`Catalog.read`) or, for checks of a folder, from YAML (`load`).

    From the store, `dataset` holds every record but the figures, which are read as typed
    columns into `frames.figures`; `history` holds the figures' revisions and deletions.
    """

    loaded: Loaded
    stored: pd.DataFrame | None = None
    history: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=reads.HISTORY_COLUMNS))
    version: int | None = None

    @classmethod
    def load(cls, data_dir: str | Path = DEFAULT_DATA_DIR) -> Catalog:
        return cls(load(data_dir))

    @classmethod
    def read(cls, engine: Engine) -> Catalog:
        """The store as of its current data version."""
        version = reads.version(engine)
        dataset = reads.dataset(engine, with_figures=False)
        stored = reads.figure_frame(engine)
        return cls(Loaded(dataset), stored,
                   reads.history(engine, table="figures", actions=("update", "delete")), version)

    @property
    def dataset(self) -> Dataset:
        return self.loaded.dataset

    @cached_property
    def frames(self) -> Frames:
        """Frames of reported and derived figures alike."""
        if self.stored is None:
            return Frames(self.dataset)
        return Frames(self.dataset, [], self.stored)

    @property
    def derived(self) -> pd.DataFrame:
        """The derived values (`civic.derived`), one row each."""
        return self.frames.derived

    @cached_property
    def histories(self) -> trends.Histories:
        """Every series with its changes, once per data version: shared by every view."""
        return trends.Histories(self.frames.figures)

    @cached_property
    def targets(self) -> dict[tuple[str, str], list[Target]]:
        """Each indicator's targets (program, metric), ordered by the end of their periods."""
        found: dict[tuple[str, str], list[Target]] = {}
        for target in sorted(self.dataset.targets, key=lambda g: g.period.end):
            found.setdefault((target.program, target.metric), []).append(target)
        return found

    def target(self, program: str, metric: str, day: object = None) -> Target | None:
        """The target in force for an indicator's report ending on `day` (`metrics.target_for`)."""
        return target_for(self.targets.get((program, metric), []), day)

    @cached_property
    def memo(self) -> dict[object, list]:
        """What views make once per data version (their attention), by a key naming the view,
        each with when it was last asked for (`time.monotonic`); bounded: cleared when full."""
        return {}

    def kept(self, key: object, make):
        """`make()` once per data version and `key`, then kept until idle (`forget_idle`)."""
        entry = self.memo.get(key)  # one lookup: another thread may clear it
        if entry is None:
            entry = [make(), 0.0]
            if len(self.memo) >= KEPT:
                self.memo.clear()
            self.memo[key] = entry
        entry[1] = time.monotonic()
        return entry[0]

    def forget_idle(self, seconds: float) -> int:
        """Drop what nobody asked for in the last `seconds`: the views of sessions that have
        gone (at 100k figures a district's view and its pages' results are about 12 MB), which
        the data version's catalog would otherwise keep for as long as it is current. How many
        entries were dropped."""
        cutoff = time.monotonic() - seconds
        idle = [key for key, (_, used) in list(self.memo.items()) if used < cutoff]
        for key in idle:
            self.memo.pop(key, None)
        return len(idle)

    @cached_property
    def calendar(self) -> Calendar:
        """The reporting calendar: each indicator's last report and the next one expected."""
        return Calendar(self)

    @cached_property
    def programs(self) -> dict[str, Program]:
        return {p.id: p for p in self.dataset.programs}

    @cached_property
    def departments(self) -> dict[str, Department]:
        return {d.id: d for d in self.dataset.departments}

    @cached_property
    def districts(self) -> dict[str, District]:
        return {d.id: d for d in self.dataset.districts}

    @cached_property
    def metrics(self) -> dict[str, Metric]:
        return {m.id: m for m in self.dataset.metrics}

    @cached_property
    def sources(self) -> dict[str, Source]:
        return {s.id: s for s in self.dataset.sources}

    @cached_property
    def advisories(self) -> dict[str, Advisory]:
        return {a.id: a for a in self.dataset.advisories}

    @cached_property
    def events(self) -> dict[str, Event]:
        return {e.id: e for e in self.dataset.events}

    @property
    def as_of(self) -> dt.date | None:
        return edition_date(self.dataset)
