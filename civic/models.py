"""Pydantic models of what the source reports: who, which program, which figure, from where.

Models are frozen and forbid unknown fields so that a typo in a data file is an error, not a
silently dropped value. Cross-record rules (references, solved ≤ found) live in `loading`,
which sees the whole dataset; rules within one record live here.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from civic.fields import (
    Day,
    Frozen,
    Id,
    LocalText,
    NonEmpty,
    Official,
    Period,
    ReportedQuantity,
    ShortPhrase,
)
from civic.narratives import Advisory, Case, Event, Project, ReliefAction, ReliefMeasure
from civic.problems import Coded
from civic.quantities import UNITS, Qualifier, Quantity, parse_quantity


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


class Source(Frozen):
    """One article of the edition: everything a figure's provenance line needs."""

    id: Id
    publication: LocalText
    edition_date: Day
    title: NonEmpty
    title_en: NonEmpty
    page: str | None = None
    page_en: str | None = None
    subheading: bool = False
    """The title is a subheading inside an article that begins on another page."""
    date_reported: Day | None = None
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
            raise Coded("own_parent")
        return self


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
    cards: list[Id] = []
    """Metrics its own page leads with, where more than the headline (else the headline)."""
    funnel: list[Id] = []
    """Metrics drawn as the stages of a funnel, each a part of the one before."""
    breakdown: Id | None = None
    """A metric reported in parts (a group each), charted part by part; its chart's title and
    axis are the catalogue's `breakdown.METRIC.title` and `.axis`."""

    @property
    def departments(self) -> list[str]:
        """Lead first, then participants: who a department filter matches."""
        return [self.lead, *self.participants]

    @model_validator(mode="after")
    def _lead_not_participant(self) -> Program:
        if self.lead in self.participants:
            raise Coded("lead_participant", department=self.lead)
        if len(set(self.participants)) != len(self.participants):
            raise Coded("participants_twice")
        return self


class Derivation(Frozen):
    """How a metric is calculated from others, in a small vocabulary evaluated by
    `civic.derive` (never `eval`): one operation over metric ids.

    `ratio: [a, b]` is a/b × `scale` in `unit` (a rate: scale 100, unit percent);
    `difference: [a, b]` is a − b; `per_area: [amount, area]` is the amount per `area_unit`
    (ha, mu), to `significant` figures; `sum: [a, b, …]` adds them up.
    """

    ratio: list[Id] | None = None
    difference: list[Id] | None = None
    per_area: list[Id] | None = None
    sum: list[Id] | None = None
    scale: float = 1
    unit: str | None = None
    area_unit: str | None = None
    significant: int | None = Field(default=None, ge=1, le=6)

    @model_validator(mode="before")
    @classmethod
    def _known_operation(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for key in data:
                if key not in cls.model_fields:
                    raise Coded("derived_op", value=repr(key), known=", ".join(OPERATIONS))
        return data

    @model_validator(mode="after")
    def _one_operation(self) -> Derivation:
        given = [op for op in OPERATIONS if getattr(self, op) is not None]
        if len(given) != 1:
            raise Coded("derived_one", known=", ".join(OPERATIONS))
        count = len(self.inputs)
        if count < 2 or (self.operation != "sum" and count != 2):
            raise Coded("derived_inputs", operation=self.operation, count=count)
        for unit in (self.unit, self.area_unit):
            if unit is not None and unit not in UNITS:
                raise Coded("unit_unknown", value=repr(unit), known=", ".join(UNITS))
        if self.operation == "per_area" and (self.area_unit is None
                                             or UNITS[self.area_unit].dimension != "area"):
            raise Coded("derived_area")
        return self

    @property
    def operation(self) -> str:
        return next(op for op in OPERATIONS if getattr(self, op) is not None)

    @property
    def inputs(self) -> list[str]:
        return list(getattr(self, self.operation))


OPERATIONS = ("ratio", "difference", "per_area", "sum")
"""The operations a derived metric may use."""


class Cadence(StrEnum):
    """How often a metric is reported: the dashboard's reporting calendar, not a report's fact.

    A recurring report covers a calendar month, quarter, half-year or year and is due a set
    number of days after that period ends; `once` is reported a single time (a project's plan).
    """

    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    HALF_YEARLY = "half-yearly"
    YEARLY = "yearly"
    ONCE = "once"


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
    """A running total (since 2021): the change between two reports is what was added between
    them; a new report continues the series (see `civic.rules`)."""
    at_most: Id | None = None
    """A metric this one never exceeds on the same program, group and date (solved ≤ found)."""
    derived: Derivation | None = None
    """How the dashboard calculates it from other metrics; never reported."""
    critical: bool = False
    """A headline indicator: the first screen, the brief and the digest lead with it."""
    cadence: Cadence | None = None
    """How often it is to be reported (the reporting calendar); None: no report expected."""
    due_days: int = Field(default=30, ge=0, le=365)
    """Days after the end of a period by which its report is due."""
    owner: Id | None = None
    """The department that reports it and writes its commentary, where not the program's
    lead."""
    project: Literal["total", "plan"] | None = None
    """A key figure of an investment project, shown with each project; `total` ones are also
    summed over projects (the projects' totals), `plan` ones are not (each its own product)."""

    @model_validator(mode="after")
    def _known_dimension(self) -> Metric:
        known = {u.dimension for u in UNITS.values()}
        if self.dimension not in known:
            raise Coded("dimension", value=repr(self.dimension), known=", ".join(sorted(known)))
        unit = self.derived.unit if self.derived else None
        if unit is not None and UNITS[unit].dimension != self.dimension:
            raise Coded("unit", unit=unit, metric=self.id)
        if self.derived and self.id in self.derived.inputs:
            raise Coded("derived_itself", metric=self.id)
        if self.derived and self.cadence is not None:
            raise Coded("derived_cadence", metric=self.id)
        return self

    @property
    def derived_inputs(self) -> list[str]:
        """The metrics it is calculated from (none where it is reported)."""
        return self.derived.inputs if self.derived else []


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
    correction: Annotated[str, StringConstraints(min_length=1, max_length=500)] | None = None
    """Why this report breaks its running total on purpose (a correction), as its editor said."""

    @field_validator("reported")
    @classmethod
    def _as_printed(cls, reported: Quantity, info: ValidationInfo) -> Quantity:
        """A reported number is always what its text says, however it was given."""
        if info.data.get("basis", Basis.REPORTED) is Basis.REPORTED:
            printed = parse_quantity(reported.reported)
            if printed != reported:
                raise Coded("as_printed", value=repr(reported.reported))
        return reported

    @model_validator(mode="after")
    def _provenance(self) -> Figure:
        if self.basis is Basis.REPORTED and not self.locator:
            raise Coded("locator")
        if self.basis is Basis.DERIVED and not self.derived_from:
            raise Coded("derived_from")
        if self.basis is Basis.REPORTED and self.formula:
            raise Coded("formula_reported")
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


class Target(Frozen):
    """A goal set for an indicator, for a period, in a plan (its `source`, cited like a report);
    `at_least: false` means lower is better. `value` is in `unit`, or in the unit of the
    metric's figures where none is given (a percentage for a rate)."""

    program: Id
    metric: Id
    value: float = Field(allow_inf_nan=False)
    unit: str | None = None
    at_least: bool = True
    period: Period
    """What the target is for: reached by the end of it (2024, 2024-H1 written 2024-01/2024-06)."""
    source: Id
    """The plan that sets it."""

    @field_validator("unit")
    @classmethod
    def _known_unit(cls, unit: str | None) -> str | None:
        if unit is not None and unit not in UNITS:
            raise Coded("unit_unknown", value=repr(unit), known=", ".join(UNITS))
        return unit


def owning_department(program: Program, metric: Metric) -> str:
    """Who reports an indicator and writes its commentary: the metric's `owner` where that
    department takes part in the program, else the program's lead."""
    return metric.owner if metric.owner in program.departments else program.lead


COMMENTARY_MAX = 2000


class Commentary(Frozen):
    """What the department that owns an indicator says about one of its reports (the MMR's
    written commentary), in Chinese, English or both."""

    program: Id
    metric: Id
    period: Period
    """The report's period, as its figure gives it."""
    department: Id
    """Who wrote it: the indicator's owning department."""
    zh: Annotated[str, StringConstraints(min_length=1, max_length=COMMENTARY_MAX)] | None = None
    en: Annotated[str, StringConstraints(min_length=1, max_length=COMMENTARY_MAX)] | None = None

    @model_validator(mode="after")
    def _said(self) -> Commentary:
        if not (self.zh or self.en):
            raise Coded("commentary_empty")
        return self

    def text(self, lang: str) -> str:
        """In `lang` where given, else in the other language."""
        return (self.zh or self.en or "") if lang == "zh" else (self.en or self.zh or "")


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
    commentaries: list[Commentary] = []


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
    "commentaries": Commentary,
}
"""The record lists a data file may hold, by key."""
