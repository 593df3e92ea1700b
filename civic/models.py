"""Pydantic models of what the source reports: who, which program, which figure, from where.

Models are frozen and forbid unknown fields so that a typo in a data file is an error, not a
silently dropped value. Cross-record rules (references, solved ≤ found) live in `loading`,
which sees the whole dataset; rules within one record live here.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from civic.quantities import UNITS, Qualifier, Quantity, parse_quantity

LOCATOR_MAX = 20


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


Id = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=48)]
NonEmpty = Annotated[str, StringConstraints(min_length=1)]


def _short(text: str) -> str:
    if len(text) > LOCATOR_MAX:
        raise ValueError(f"at most {LOCATOR_MAX} characters, got {len(text)}: {text!r}")
    return text


ShortPhrase = Annotated[NonEmpty, AfterValidator(_short)]


class LocalText(Frozen):
    """A name or label in both languages of the dashboard."""

    zh: NonEmpty
    en: NonEmpty



_PERIOD = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def _month_end(year: int, month: int) -> dt.date:
    nxt = dt.date(year + month // 12, month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def _parse_bound(text: str) -> tuple[dt.date, dt.date, str]:
    """`2021` → the whole year, `2023-07` → the month, `2023-11-15` → the day."""
    m = _PERIOD.match(text.strip())
    if not m:
        raise ValueError(f"expected YYYY, YYYY-MM or YYYY-MM-DD, got {text!r}")
    year = int(m[1])
    month = int(m[2]) if m[2] is not None else None
    day = int(m[3]) if m[3] is not None else None
    try:
        if day is not None:
            d = dt.date(year, month, day)
            return d, d, "day"
        if month is not None:
            return dt.date(year, month, 1), _month_end(year, month), "month"
        return dt.date(year, 1, 1), dt.date(year, 12, 31), "year"
    except ValueError as exc:
        raise ValueError(f"not a calendar date: {text!r} ({exc})") from None


class Period(Frozen):
    """The date or span a fact refers to, as precise as the source is.

    Written in data as `2023-11-15`, `2023-07`, `2021`, or `START/END` for a span
    (`2021/2023-11-15`: from some time in 2021 until the edition date).
    """

    start: dt.date
    end: dt.date
    text: str

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, data: Any) -> Any:
        if isinstance(data, dt.date):
            data = data.isoformat()
        if isinstance(data, int):
            data = str(data)
        if not isinstance(data, str):
            return data
        first, slash, last = data.partition("/")
        start, end, _ = _parse_bound(first)
        if slash:
            _, end, _ = _parse_bound(last)
        return {"start": start, "end": end, "text": data.strip()}

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end < self.start:
            raise ValueError(f"period ends before it starts: {self.text!r}")
        return self

    def __str__(self) -> str:
        return self.text


def span_text(periods: list[tuple[str, dt.date, dt.date]]) -> str:
    """The span several periods (text, start, end) cover together, as precisely as they are
    written: from the first one's start (2022-12) to the last one's end (2023-11-15)."""
    start = min(periods, key=lambda p: p[1])[0].split("/")[0]
    end = max(periods, key=lambda p: p[2])[0].split("/")[-1]
    return start if start == end else f"{start}/{end}"


class Level(StrEnum):
    PROVINCE = "province"
    CITY = "city"
    DISTRICT = "district"
    STREET_COMMUNITY = "street_community"
    ENTERPRISE = "enterprise"
    PUBLIC_INSTITUTION = "public_institution"


class Category(StrEnum):
    """In the order the dashboard's pages and the briefing present them."""

    GOVERNMENT_SERVICES = "government_services"
    INVESTMENT = "investment"
    SOCIAL_ASSISTANCE = "social_assistance"
    PUBLIC_HEALTH = "public_health"
    SPORTS_CULTURE = "sports_culture"
    SKILLS = "skills"
    PUBLIC_SAFETY = "public_safety"
    COMMUNITY = "community"


class ProgramStatus(StrEnum):
    ONGOING = "ongoing"
    COMPLETED = "completed"
    SIGNED = "signed"
    UNDER_CONSTRUCTION = "under_construction"
    ADVISORY = "advisory"


class Basis(StrEnum):
    REPORTED = "reported"
    DERIVED = "derived"


class MilestoneStatus(StrEnum):
    DONE = "done"
    PLANNED = "planned"
    EXPECTED = "expected"


class Source(Frozen):
    """One article of the edition: everything a figure's provenance line needs."""

    id: Id
    publication: LocalText
    edition_date: dt.date
    title: NonEmpty
    title_en: NonEmpty
    page: str | None = None
    page_en: str | None = None
    subheading: bool = False
    """The title is a subheading inside an article that begins on another page."""
    date_reported: dt.date | None = None
    reporters: list[NonEmpty] = []
    correspondents: list[NonEmpty] = []
    department: Id | None = None
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$", max_length=500)] | None = None
    """A link to the report, where there is one (sources an editor cites on upload)."""


class District(Frozen):
    id: Id
    name: LocalText


class Department(Frozen):
    id: Id
    name: LocalText
    level: Level
    district: Id | None = None
    parent: Id | None = None

    @model_validator(mode="after")
    def _not_own_parent(self) -> Department:
        if self.parent == self.id:
            raise ValueError("a department cannot be its own parent")
        return self


class Official(Frozen):
    """An official named in a public role; private persons are never recorded."""

    name: NonEmpty
    pinyin: str | None = None
    """The name in Latin letters, shown beside the characters in English."""
    title: LocalText


class Program(Frozen):
    id: Id
    name: LocalText
    category: Category
    lead: Id
    participants: list[Id] = []
    start: Period | None = None
    status: ProgramStatus
    source: Id
    officials: list[Official] = []
    aims: list[LocalText] = []
    """What the program sets out to do, in short phrases (e.g. the four reductions)."""
    headline: list[Id] = Field(default=[], max_length=3)
    """Metrics that sum the program up on its overview card."""

    @property
    def departments(self) -> list[str]:
        """Lead first, then participants: who a department filter matches."""
        return [self.lead, *self.participants]

    @model_validator(mode="after")
    def _lead_not_participant(self) -> Program:
        if self.lead in self.participants:
            raise ValueError(f"lead department {self.lead!r} is also listed as a participant")
        if len(set(self.participants)) != len(self.participants):
            raise ValueError("participants are listed twice")
        return self


class Metric(Frozen):
    """What a figure measures; `dimension` is the kind of unit that fits it."""

    id: Id
    label: LocalText
    dimension: NonEmpty
    noun: LocalText | None = None
    """What a count counts where the unit says less (athletes, not persons)."""
    synonyms: list[NonEmpty] = []
    """Other words reports use for it (Chinese), so the extractor can propose it."""
    higher_is_better: bool | None = None
    """Whether a rise is good news; None where it is neither (a change is then just a change)."""
    cumulative: bool = False
    """A running total (since 2021): the change between two reports is what was added between them."""

    @model_validator(mode="after")
    def _known_dimension(self) -> Metric:
        known = {u.dimension for u in UNITS.values()}
        if self.dimension not in known:
            raise ValueError(f"unknown dimension {self.dimension!r}; known: {sorted(known)}")
        return self


def _quantity(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)  # YAML reads `reported: 14` as a number
    return parse_quantity(value) if isinstance(value, str) else value


ReportedQuantity = Annotated[Quantity, BeforeValidator(_quantity)]


class Figure(Frozen):
    """One number of the source, normalized, with everything needed to trace it back.

    Data files give only `reported` (e.g. `近2亿元`); value, unit and qualifier are parsed
    from it, so the normalized number can never drift from what the source printed. A
    derived figure is built in code with its quantity and the formula as its text.
    """

    program: Id
    metric: Id
    basis: Basis = Basis.REPORTED  # before `reported`, whose check depends on it
    reported: ReportedQuantity
    period: Period
    department: Id
    source: Id
    locator: ShortPhrase | None = None
    group: LocalText | None = None
    derived_from: list[Id] = []
    formula: LocalText | None = None
    """How a calculated figure was calculated, in each language (`超20亿元/约7公顷`)."""

    @field_validator("reported")
    @classmethod
    def _as_printed(cls, reported: Quantity, info: ValidationInfo) -> Quantity:
        """A reported number is always what its text says, however it was given."""
        if info.data.get("basis", Basis.REPORTED) is Basis.REPORTED:
            printed = parse_quantity(reported.reported)
            if printed != reported:
                raise ValueError(f"the number must be what {reported.reported!r} says")
        return reported

    @model_validator(mode="after")
    def _provenance(self) -> Figure:
        if self.basis is Basis.REPORTED and not self.locator:
            raise ValueError("a reported figure needs a locator phrase from its source")
        if self.basis is Basis.DERIVED and not self.derived_from:
            raise ValueError("a derived figure names the metrics it is derived from")
        if self.basis is Basis.REPORTED and self.formula:
            raise ValueError("a reported figure is as printed and has no formula")
        return self

    @property
    def value(self) -> float:
        return self.reported.value

    @property
    def value_max(self) -> float | None:
        return self.reported.value_max

    @property
    def unit(self) -> str:
        return self.reported.unit

    @property
    def qualifier(self) -> Qualifier:
        return self.reported.qualifier

    @property
    def text(self) -> str:
        """The figure as printed, or a derived figure's formula."""
        return self.reported.reported


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
                raise ValueError(
                    f"milestones out of date order: {after.period} comes after {before.period}"
                )
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
            raise ValueError(f"{self.ages.reported!r} is not an age")
        return self


class Advisory(Frozen):
    """A public-health advisory: its status and advice; counts per age group are figures."""

    id: Id
    program: Id
    date: dt.date
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
    date: dt.date
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


class Target(Frozen):
    """A goal an official sets for a KPI; `at_least: false` means lower is better."""

    program: Id
    metric: Id
    value: float
    at_least: bool = True


class Dataset(Frozen):
    """Everything loaded from one data folder."""

    sources: list[Source]
    districts: list[District]
    departments: list[Department]
    metrics: list[Metric]
    programs: list[Program]
    figures: list[Figure]
    projects: list[Project] = []
    advisories: list[Advisory] = []
    relief_actions: list[ReliefAction] = []
    relief_measures: list[ReliefMeasure] = []
    events: list[Event] = []
    cases: list[Case] = []
    targets: list[Target] = []


RECORD_KINDS: dict[str, type[Frozen]] = {
    "sources": Source,
    "districts": District,
    "departments": Department,
    "metrics": Metric,
    "programs": Program,
    "figures": Figure,
    "projects": Project,
    "advisories": Advisory,
    "relief_actions": ReliefAction,
    "relief_measures": ReliefMeasure,
    "events": Event,
    "cases": Case,
    "targets": Target,
}
"""The record lists a data file may hold, by key."""
