"""The loaded data with its lookups and frames: what pages, exports and the CLI work from."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from civic.loading import Frames, Loaded, edition_date, load
from civic.metrics import all_figures
from civic.models import (
    Advisory, Dataset, Department, District, Event, Metric, Program, Source,
)

DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent / "data"


@dataclass(frozen=True)
class Catalog:
    loaded: Loaded

    @classmethod
    def load(cls, data_dir: str | Path = DEFAULT_DATA_DIR) -> Catalog:
        return cls(load(data_dir))

    @property
    def dataset(self) -> Dataset:
        return self.loaded.dataset

    @cached_property
    def frames(self) -> Frames:
        """Frames of reported and derived figures alike."""
        return Frames(self.dataset, all_figures(self.dataset))

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
