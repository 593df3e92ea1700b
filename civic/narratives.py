"""What programs report beside their figures: investment projects with their milestones,
health advisories, relief actions and measures, events, and single cases (described by what was
done, never by who was helped). The figures themselves stay in `civic.models.Figure`."""

from __future__ import annotations

from enum import StrEnum

from pydantic import (
    Field,
    model_validator,
)

from civic.fields import (
    Day,
    Frozen,
    Id,
    LocalText,
    Official,
    Period,
    ReportedQuantity,
)
from civic.problems import Coded
from civic.quantities import UNITS


class MilestoneStatus(StrEnum):
    DONE = "done"
    PLANNED = "planned"
    EXPECTED = "expected"


class Milestone(Frozen):
    period: Period
    label: LocalText
    status: MilestoneStatus


class Project(Frozen):
    """An investment project: the shape around its figures (which stay in `figures`)."""

    id: Id
    program: Id
    name: LocalText
    developer: LocalText
    group: LocalText | None = None
    district: Id
    site: LocalText
    product: LocalText
    milestones: list[Milestone] = Field(min_length=1)
    source: Id

    @model_validator(mode="after")
    def _milestones_in_order(self) -> Project:
        for before, after in zip(self.milestones, self.milestones[1:]):
            if after.period.start < before.period.start:
                raise Coded("milestone_order", period=after.period.text,
                            previous=before.period.text)
        return self


class Trend(StrEnum):
    RISING = "rising"
    STABLE = "stable"
    FALLING = "falling"


class AgeGroup(Frozen):
    ages: ReportedQuantity
    label: LocalText

    @model_validator(mode="after")
    def _is_age(self) -> AgeGroup:
        if UNITS[self.ages.unit].dimension != "age":
            raise Coded("not_age", value=repr(self.ages.reported))
        return self


class Advisory(Frozen):
    """A public-health advisory: its status and advice; counts per age group are figures."""

    id: Id
    program: Id
    date: Day
    department: Id
    phase: LocalText
    trend: Trend
    trend_detail: LocalText
    dominant_strain: LocalText
    age_groups: list[AgeGroup] = Field(min_length=1)
    preferred_vaccine: LocalText
    recommendations: list[LocalText] = Field(min_length=1)
    source: Id


class ReliefKind(StrEnum):
    PATROL = "patrol"
    REGULAR_PATROL = "regular_patrol"


class ReliefAction(Frozen):
    id: Id
    program: Id
    period: Period
    kind: ReliefKind
    department: Id
    places: list[LocalText] = Field(min_length=1)
    supplies: list[LocalText] = []
    open_list: bool = False
    """The report ends its lists with 等: they name examples, not every one."""
    source: Id


class ReliefMeasure(Frozen):
    """One assistance measure for one group in need."""

    id: Id
    program: Id
    group: LocalText
    measure: LocalText
    department: Id
    source: Id


class Event(Frozen):
    id: Id
    program: Id
    date: Day
    title: LocalText
    venue: LocalText
    organizer: Id | None = None
    """Left out where the report does not name one."""
    items: list[LocalText] = []
    industries: list[LocalText] = []
    """The fields the people taking part come from (not items of the event)."""
    open_list: bool = False
    """The report ends its lists with 等: they name examples, not every one."""
    officials: list[Official] = []
    source: Id


class Case(Frozen):
    """A single reported case, described by what was done, never by who was helped."""

    id: Id
    program: Id
    period: Period
    department: Id
    participants: list[Id] = []
    subject: LocalText
    action: LocalText
    outcome: LocalText
    officials: list[Official] = []
    source: Id
