"""A department's home, for a signed-in editor: the indicators its departments own (where each
stands and which way it moves), the reports they owe by the calendar, and what they submitted
for review and what came back.

An editor's departments include their units; an admin looks at any department's home.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import pandas as pd
from sqlalchemy import Engine

from civic import review
from civic.attention import Attention, Indicator
from civic.departments import with_units
from civic.models import owning_department


@dataclass(frozen=True)
class Home:
    attention: Attention
    departments: frozenset[str]
    """The departments shown, their units included."""

    @classmethod
    def of(cls, attention: Attention, departments: list[str]) -> Home:
        frame = attention.view.catalog.frames.departments
        return cls(attention, frozenset(with_units(frame, departments)))

    @cached_property
    def indicators(self) -> list[Indicator]:
        """Every indicator of the view these departments own, attention first."""
        view = self.attention.view
        catalog = view.catalog
        owned = [(program, metric) for program in view.program_ids
                 for metric in view.program_metrics(program)
                 if metric in catalog.metrics and owning_department(
                     catalog.programs[program], catalog.metrics[metric]) in self.departments]
        return self.attention.ranked(owned)

    @cached_property
    def due(self) -> pd.DataFrame:
        """The reports these departments owe, most late first (`civic.reporting.COLUMNS`)."""
        due = self.attention.due
        return due[due["department"].isin(self.departments)].reset_index(drop=True)

    def submissions(self, engine: Engine) -> list[review.Submission]:
        """What these departments submitted for review, newest first: pending, published and
        returned (with the reviewer's comment)."""
        return review.listed(engine, departments=self.departments)
